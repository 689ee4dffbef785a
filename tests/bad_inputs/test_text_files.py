"""Broken CSV/TSV exports: refused with one line naming file, row and column, or read."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from bad_inputs.contract import (
    HEADER,
    accepted,
    refused,
    rows,
    write_csv,
    write_model,
    write_quoted_csv,
)

pytestmark = pytest.mark.slow  # every case runs the installed command


def test_unclosed_quote_at_the_end_of_the_file(tmp_path: Path) -> None:
    body = rows()
    body[-1][-1] = '"the last comment never ends'  # file row 61
    write_csv(tmp_path / "s.csv", body)
    line = refused("analyze", "s.csv", "--excel", "r.xlsx", cwd=tmp_path, code=2,
                   names=["s.csv", "row 61"], outputs=["r.xlsx"])
    assert "quote" in line


def test_a_quote_that_a_later_answer_closes(tmp_path: Path) -> None:
    body = rows()
    body[9][-1] = '"I said hi'  # file row 11: its quote is closed by row 21's answer
    body[19][-1] = '"fine"'
    write_csv(tmp_path / "s.csv", body)
    line = refused("analyze", "s.csv", "--excel", "r.xlsx", cwd=tmp_path, code=2,
                   names=["s.csv", "row 11"], outputs=["r.xlsx"])
    assert "never closed" in line


@pytest.mark.parametrize("change", ["too many", "too few"])
def test_a_row_with_the_wrong_number_of_fields(tmp_path: Path, change: str) -> None:
    body = rows()
    body[10] = [*body[10], "extra"] if change == "too many" else body[10][:-2]  # row 12
    write_csv(tmp_path / "s.csv", body)
    refused("describe", "s.csv", cwd=tmp_path, code=2, names=["s.csv", "row 12", "header"])


def test_mixed_delimiters(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", rows())
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",", ";")  # file row 6
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused("analyze", path.name, cwd=tmp_path, code=2, names=[path.name, "row 6"])


def test_a_repeated_item_header_names_both_columns(tmp_path: Path) -> None:
    header = ["id", "Sat1", "Sat1", "Sat3", "Loy1", "Loy2", "Loy3", "Comment"]
    write_csv(tmp_path / "s.csv", header=header)
    line = refused("analyze", "s.csv", cwd=tmp_path, code=2,
                   names=["s.csv", "'Sat1'", "columns 2 and 3"])
    assert "item" in line


def test_a_repeated_non_item_header_is_a_warning(tmp_path: Path) -> None:
    header = ["Comment", "Sat1", "Sat2", "Sat3", "Loy1", "Loy2", "Loy3", "Comment"]
    write_csv(tmp_path / "s.csv", header=header)
    res = accepted("describe", "s.csv", "--format", "json", cwd=tmp_path)
    warnings = json.loads(res.stdout)["warnings"]
    assert any("'Comment'" in w and "columns 1 and 8" in w for w in warnings), warnings


@pytest.mark.parametrize(("text", "shown"), [("inf", "inf"), ("-inf", "-inf"),
                                              ("Infinity", "inf")])
def test_an_infinite_answer_names_the_cell(tmp_path: Path, text: str, shown: str) -> None:
    body = rows()
    body[7][2] = text  # file row 9, column Sat2
    write_csv(tmp_path / "s.csv", body)
    line = refused("describe", "s.csv", cwd=tmp_path, code=2,
                   names=["s.csv", "row 9", "column 'Sat2'", f"answer {shown} "])
    assert "outside the scale" in line


def test_nan_is_a_missing_answer(tmp_path: Path) -> None:
    # README: the texts NA, N/A, #N/A, NaN and NULL are always missing
    body = rows()
    body[7][2] = "nan"
    write_csv(tmp_path / "s.csv", body)
    res = accepted("describe", "s.csv", "--format", "json", cwd=tmp_path)
    meta = json.loads(res.stdout)["meta"]
    assert (meta["n_rows"], meta["n_used"]) == (60, 59)


def test_an_answer_outside_the_declared_scale(tmp_path: Path) -> None:
    body = rows()
    body[20][5] = "9"  # file row 22, column Loy2
    write_csv(tmp_path / "s.csv", body)
    write_model(tmp_path / "m.toml")
    line = refused("reliability", "s.csv", "-m", "m.toml", "--excel", "r.xlsx",
                   cwd=tmp_path, code=2, names=["s.csv", "row 22", "column 'Loy2'"],
                   outputs=["r.xlsx"])
    assert "9" in line and "1-5" in line


def test_an_unmapped_text_answer(tmp_path: Path) -> None:
    body = rows()
    body[30][1] = "Sometimes"  # file row 32, column Sat1
    write_csv(tmp_path / "s.csv", body)
    line = refused("analyze", "s.csv", cwd=tmp_path, code=2,
                   names=["s.csv", "row 32", "column 'Sat1'", "'Sometimes'"])
    assert "[data.labels]" in line


def test_a_200000_character_free_text_answer_is_read(tmp_path: Path) -> None:
    body = rows()
    body[3][-1] = "very long answer " * 11_765 + "end"  # 200,008 characters
    write_quoted_csv(tmp_path / "s.csv", [HEADER, *body])
    res = accepted("describe", "s.csv", "--format", "json", cwd=tmp_path)
    assert json.loads(res.stdout)["meta"]["n_rows"] == 60


def test_binary_garbage_with_a_csv_suffix(tmp_path: Path) -> None:
    data = np.random.default_rng(7).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    (tmp_path / "s.csv").write_bytes(data)
    refused("analyze", "s.csv", cwd=tmp_path, code=2, names=["s.csv"])


@pytest.mark.parametrize(("content", "says"), [(b"", "empty"),
                                               (",".join(HEADER).encode() + b"\n", "no data")])
def test_empty_and_header_only(tmp_path: Path, content: bytes, says: str) -> None:
    (tmp_path / "s.csv").write_bytes(content)
    line = refused("describe", "s.csv", cwd=tmp_path, code=2, names=["s.csv"])
    assert says in line


def test_utf16_is_detected_and_read(tmp_path: Path) -> None:
    text = "\n".join(",".join(r) for r in [HEADER, *rows()]) + "\n"
    (tmp_path / "s.csv").write_text(text, encoding="utf-16")
    res = accepted("describe", "s.csv", "--format", "json", cwd=tmp_path)
    assert json.loads(res.stdout)["meta"]["n_rows"] == 60


@pytest.mark.parametrize(("encoding", "file_encoding", "names"), [
    ("ascii", "utf-8", ["s.csv", "ascii"]),
    ("utf-8", "utf-16", ["s.csv", "utf-8"]),
    ("klingon", "utf-8", ["m.toml", "line 2", "'klingon'"]),
])
def test_a_wrong_encoding_given(tmp_path: Path, encoding: str, file_encoding: str,
                                names: list[str]) -> None:
    body = rows()
    body[0][-1] = "très bien, café"
    text = "\n".join(",".join(r) for r in [HEADER, *body]).replace("très bien, café",
                                                                    '"très bien, café"')
    (tmp_path / "s.csv").write_text(text + "\n", encoding=file_encoding)
    (tmp_path / "m.toml").write_text(f'[data]\nencoding = "{encoding}"\n', encoding="utf-8")
    line = refused("describe", "s.csv", "-m", "m.toml", cwd=tmp_path, code=2, names=names)
    assert "encoding" in line or "decode" in line
