"""The C-parser path of the text reader gives the same table as the csv-module path.

Each file is read twice: as ``read_table`` reads it (the C parser where the body
qualifies) and with the fast path switched off (every record through the csv module and
the per-column typing). The frames must be equal cell for cell and dtype for dtype, and
the row bookkeeping (first data row, row numbers, details) the same.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsurvey.errors import InputError
from cxsurvey.io import read_text
from cxsurvey.io.readers import read_table
from cxsurvey.model.spec import DataSpec

TOKENS = ["1", "2", "3", "4", "5", "", " ", " 3", "4 ", "007", "+2", "3.0", "2.5", "1e0",
          "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "TRUE", "False", "abc", "Très",
          "N/A", "NA", "#N/A", "null", "-", "99999999999999999999", "9007199254740993",
          "3.", ".5", "1_0", "0x10", "=SUM(A1)", "  5  "]


def _both(path: Path, monkeypatch: pytest.MonkeyPatch,
          spec: DataSpec | None = None) -> tuple[object, object]:
    fast = read_table(path, spec)
    with monkeypatch.context() as m:
        m.setattr(read_text, "_read_fast", lambda *a, **k: None)
        slow = read_table(path, spec)
    return fast, slow


def _same(fast, slow) -> None:  # type: ignore[no-untyped-def]
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_exact=True)
    assert fast.first_data_row == slow.first_data_row
    assert fast.file_rows() == slow.file_rows()
    assert fast.details == slow.details
    assert fast.duplicates == slow.duplicates
    assert fast.descriptions == slow.descriptions


def _write(path: Path, header: list[str], rows: list[list[str]], delim: str = ",",
           encoding: str = "utf-8", title: str | None = None, newline: str = "\n",
           trailing: str = "\n") -> Path:
    lines = ([title] if title else []) + [delim.join(header)] + [delim.join(r) for r in rows]
    path.write_bytes((newline.join(lines) + trailing).encode(encoding))
    return path


@pytest.mark.parametrize("seed", range(60))
def test_random_cells_read_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 seed: int) -> None:
    rnd = random.Random(seed)
    # small chunks: a column typed int in one chunk may hold decimals or text in the next
    monkeypatch.setattr(read_text, "_CHUNK_ROWS", rnd.choice([4, 11, 50_000]))
    delim = rnd.choice([",", ";", "\t", "|"])
    width = rnd.randint(2, 7)
    header = [f"Q{j + 1}" for j in range(width)]
    columns = []
    for _ in range(width):
        # most columns are numbers with a few odd cells; some are all one odd kind
        odd = rnd.sample(TOKENS, rnd.randint(0, 3))
        pool = [str(v) for v in range(1, 6)] * 4 + odd
        columns.append(pool)
    rows = [[rnd.choice(col) for col in columns] for _ in range(rnd.randint(25, 60))]
    if rnd.random() < 0.3:
        rows.append([""] * width)  # a trailing row of delimiters only
    encoding = rnd.choice(["utf-8", "utf-8-sig", "cp1252"])
    title = "Customer survey, wave 3" if rnd.random() < 0.3 and delim != "," else None
    path = _write(tmp_path / "s.csv", header, rows, delim, encoding, title,
                  newline=rnd.choice(["\n", "\r\n"]), trailing=rnd.choice(["\n", "", "\n\n"]))
    _same(*_both(path, monkeypatch))


def test_plain_numeric_body_takes_the_c_parser(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(1, 6, size=(200, 6))
    path = _write(tmp_path / "n.csv", ["id", *[f"Sat{j}" for j in range(1, 6)]],
                  [[str(v) for v in r] for r in data])
    text = path.read_text()
    table = read_text._read_fast(path.read_bytes(), text, "utf-8", ",", DataSpec(), str(path))
    assert table is not None
    assert table.frame.shape == (200, 6)
    assert table.frame.dtypes.map(str).eq("int8").all()  # integers in the smallest type
    np.testing.assert_array_equal(table.frame.to_numpy(), data)


@pytest.mark.parametrize("body, why", [
    ('1,2,"3"\n4,5,6\n', "a quote"),
    ("1,2,3\n\n4,5,6\n", "a blank line"),
    ("1,2,3\n4,5\n", "a short row"),
    ("1,2,3\n4,5,6,7\n", "a long row"),
    ("1,2,3\r4,5,6\r", "lone carriage returns"),
    ("1,2,3\n4,5,6\nSource: panel,,\n", "a note below the data"),
])
def test_bodies_the_c_parser_leaves_to_the_general_path(tmp_path: Path, body: str,
                                                        why: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n" + body, newline="")
    got = read_text._read_fast(path.read_bytes(), path.read_bytes().decode(), "utf-8", ",",
                               DataSpec(), str(path))
    assert got is None, why


@pytest.mark.parametrize("body", ["1,2,3\n4,5\n", "1,2,3\n4,5,6,7\n", "1,2,3\n4,5,6\n\n7,8,9\n",
                                  "1,2,3\n4,5,6\nSource: panel,,\n", "1,2,3\n,,\n4,5,6\n"])
def test_odd_bodies_read_as_the_general_path_reads_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n" + body, newline="")
    try:
        fast, slow = _both(path, monkeypatch)
    except InputError as exc:  # both refuse alike
        with monkeypatch.context() as m:
            m.setattr(read_text, "_read_fast", lambda *a, **k: None)
            with pytest.raises(InputError) as again:
                read_table(path)
        assert str(again.value) == str(exc)
        return
    _same(fast, slow)


def test_title_and_qualtrics_rows_above_an_unquoted_body(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[str((i * 7 + j) % 5 + 1) for j in range(4)] for i in range(30)]
    path = tmp_path / "q.csv"
    path.write_text('Q1,Q2,Q3,Q4\n"How satisfied, overall?",Q2 text,Q3 text,Q4 text\n'
                    '"{""ImportId"":""QID1""}","{""ImportId"":""QID2""}",'
                    '"{""ImportId"":""QID3""}","{""ImportId"":""QID4""}"\n'
                    + "\n".join(",".join(r) for r in rows) + "\n")
    fast, slow = _both(path, monkeypatch)
    _same(fast, slow)
    assert fast.first_data_row == 4
    assert fast.descriptions["Q1"] == "How satisfied, overall?"


def test_header_row_given_in_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [[str((i + j) % 5 + 1) for j in range(3)] for i in range(30)]
    path = _write(tmp_path / "h.csv", ["A1", "A2", "A3"], rows, title="Wave 1;;")
    fast, slow = _both(path, monkeypatch, DataSpec(header_row=2))
    _same(fast, slow)
    assert fast.first_data_row == 3


def test_quote_closed_by_a_later_answer_is_refused(tmp_path: Path) -> None:
    rows = [f"{i},5,4,fine" for i in range(1, 5)] + ['5,4,3,"I said hi'] + [
        f"{i},5,4,ok" for i in range(6, 10)] + ['10,2,3,"quoted"'] + [
        f"{i},3,3,good" for i in range(11, 21)]
    path = tmp_path / "merged.csv"
    path.write_text("id,Sat1,Sat2,comment\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError) as err:
        read_table(path)
    msg = str(err.value)
    assert "row 6" in msg and "never closed" in msg and "line 7" in msg


def test_free_text_over_several_lines_is_read(tmp_path: Path) -> None:
    path = tmp_path / "comments.csv"
    path.write_text('id,Sat1,Sat2,comment\n1,5,4,"Great staff,\nfast delivery, 10 out of 10\n'
                    'and 5 stars, 3, 4"\n2,4,4,ok\n3,3,2,"one, two"\n')
    table = read_table(path)
    assert table.frame.shape == (3, 4)
    assert table.frame["comment"][0].startswith("Great staff,\nfast delivery")
    assert table.file_rows() == [2, 5, 6]
