"""Readers that read a file exactly or refuse it: an unclosed quote, a repeated header,
non-finite numbers, long free text."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cxsurvey.errors import InputError
from cxsurvey.io import load_survey
from cxsurvey.io.readers import read_table

N = 120


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _rows(comment: object = None) -> list[list[str]]:
    """120 respondents answering Sat1-Sat3 and Loy1-Loy3 on 1-5, with a comment."""
    rng = np.random.default_rng(3)
    out = []
    for i in range(N):
        base = int(rng.integers(1, 6))
        answers = [str(min(5, max(1, base + int(rng.integers(-1, 2))))) for _ in range(6)]
        out.append([str(i + 1), *answers, f"comment {i + 1}"])
    return out


HEADER = ["Id", "Sat1", "Sat2", "Sat3", "Loy1", "Loy2", "Loy3", "Comment"]


def _unclosed(tmp_path: Path) -> Path:
    rows = _rows()
    rows[9][-1] = '"unclosed answer'  # file row 11 (header is row 1)
    return _write(tmp_path / "unclosed.csv", HEADER, rows)


# ----------------------------------------------------------------------------- quotes
def test_unclosed_quote_is_refused_naming_the_row(tmp_path: Path) -> None:
    path = _unclosed(tmp_path)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert err.value.exit_code == 2
    text = str(err.value)
    assert str(path) in text and "row 11" in text and "never closed" in text
    assert "close the quote or export" in text.lower()
    with pytest.raises(InputError) as err2:
        load_survey(path)
    assert err2.value.exit_code == 2


def test_unclosed_quote_in_a_middle_column_without_final_newline(tmp_path: Path) -> None:
    rows = _rows()
    rows[49][2] = '"5'  # file row 51
    path = tmp_path / "mid.csv"
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]), encoding="utf-8")
    with pytest.raises(InputError, match="row 51") as err:
        read_table(path)
    assert err.value.exit_code == 2


def test_quoted_answers_spanning_lines_still_read(tmp_path: Path) -> None:
    rows = _rows()
    rows[3][-1] = '"first line\nsecond, with ""quotes""\nthird"'
    rows[N - 1][-1] = '"last answer\r\nover two lines"'
    path = _write(tmp_path / "multi.csv", HEADER, rows)
    table = read_table(path)
    assert table.frame.shape[0] == N
    assert table.frame["Comment"].iloc[3] == 'first line\nsecond, with "quotes"\nthird'
    assert table.row_number(4) == 8  # the answer of row 5 spans rows 5-7
    assert load_survey(path).n_rows == N


def test_cli_describe_on_unclosed_quote_is_one_line(tmp_path: Path) -> None:
    from cxsurvey.cli import app

    path = _unclosed(tmp_path)
    result = CliRunner().invoke(app, ["describe", str(path)])
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "row 11" in err and "Traceback" not in err


# ----------------------------------------------------------------------------- header
def test_repeated_item_header_is_refused_naming_both_columns(tmp_path: Path) -> None:
    header = [*HEADER, "Sat1"]
    rows = [[*r, "3"] for r in _rows()]
    path = _write(tmp_path / "dup.csv", header, rows)
    with pytest.raises(InputError) as err:
        load_survey(path)
    assert err.value.exit_code == 2
    text = str(err.value)
    assert str(path) in text and "'Sat1'" in text and "columns 2 and 9" in text
    assert "row 1" in text


def test_repeated_item_header_in_excel_names_column_letters(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*HEADER, "Sat1"])
    for r in _rows():
        ws.append([int(v) if v.isdigit() else v for v in r] + [3])
    path = tmp_path / "dup.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="columns B and I") as err:
        load_survey(path)
    assert err.value.exit_code == 2


def test_repeated_free_text_header_is_read_with_a_warning(tmp_path: Path) -> None:
    header = [*HEADER, "Comment"]
    rows = [[*r, "more"] for r in _rows()]
    survey = load_survey(_write(tmp_path / "comments.csv", header, rows))
    assert survey.n_rows == N
    assert any("'Comment'" in w and "columns 8 and 9" in w for w in survey.warnings)


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("cell", ["inf", "-inf", "Infinity", "INF"])
def test_infinite_answer_is_outside_the_scale(tmp_path: Path, cell: str) -> None:
    rows = _rows()
    rows[19][2] = cell  # Sat2, file row 21
    path = _write(tmp_path / "inf.csv", HEADER, rows)
    with pytest.raises(InputError) as err:
        load_survey(path)
    assert err.value.exit_code == 2
    text = str(err.value)
    assert "row 21" in text and "column 'Sat2'" in text and "outside the scale" in text


def test_infinite_answer_never_reaches_the_scores(tmp_path: Path) -> None:
    rows = _rows()
    rows[19][2] = "Infinity"
    survey = load_survey(_write(tmp_path / "inf.csv", HEADER, rows), check_range=False)
    assert np.isfinite(survey.items.to_numpy(dtype=float)[~survey.items.isna().to_numpy()]).all()
    assert np.isnan(survey.items["Sat2"].iloc[19])


def test_nan_text_is_a_missing_answer(tmp_path: Path) -> None:
    rows = _rows()
    rows[19][2] = "NaN"
    survey = load_survey(_write(tmp_path / "nan.csv", HEADER, rows))
    assert np.isnan(survey.items["Sat2"].iloc[19])
    assert survey.items.drop(index=19).notna().all().all()


# ----------------------------------------------------------------------------- long text
def test_free_text_longer_than_the_csv_default_limit_is_read(tmp_path: Path) -> None:
    default = csv.field_size_limit()
    long_text = "word " * 40_000  # 200,000 characters
    assert len(long_text) > 131_072
    rows = _rows()
    rows[5][-1] = f'"{long_text}"'
    rows[6][-1] = long_text.strip()  # unquoted too
    path = _write(tmp_path / "long.csv", HEADER, rows)
    table = read_table(path)
    assert table.frame.shape[0] == N
    assert table.frame["Comment"].iloc[5] == long_text
    assert load_survey(path).n_rows == N
    assert csv.field_size_limit() == default  # the limit is raised for the read only


def test_long_first_line_does_not_break_delimiter_sniffing(tmp_path: Path) -> None:
    long_text = "x" * 150_000
    rows = _rows()
    rows[0][-1] = long_text
    table = read_table(_write(tmp_path / "long_first.csv", HEADER, rows))
    assert table.details["delimiter"] == ","
    assert table.frame["Comment"].iloc[0] == long_text
