"""Excel workbooks: sheet choice, header detection, blank cells, spreadsheet row numbers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from cxsurvey.errors import InputError
from cxsurvey.io import load_survey
from cxsurvey.io.readers import read_table
from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax

HEADER = ["id", "Att1", "Att2", "Att3", "Gender"]
ROWS = [[1, 4, 5, 4, "F"], [2, 3, 4, 2, "M"], [3, 2, 2, 1, "F"], [4, 5, 4, 5, "M"]]


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _model(syntax: str = "", **data: object) -> SurveyModel:
    spec = parse_syntax(syntax) if syntax else ModelSpec(syntax="")
    return SurveyModel(data=DataSpec(**data), model=spec)  # type: ignore[arg-type]


@pytest.fixture
def two_sheets(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "survey.xlsx", {
        "Notes": [["Exported from the survey tool"], ["2024-05-01"]],
        "Responses": [HEADER, *ROWS],
    })


def test_default_is_the_first_sheet(two_sheets: Path) -> None:
    assert read_table(two_sheets).sheet == "Notes"
    with pytest.raises(InputError) as err:
        load_survey(two_sheets)  # "Notes" has no item columns
    assert err.value.location.sheet == "Notes"


@pytest.mark.parametrize("sheet", ["Responses", 1, "responses"])
def test_sheet_by_name_or_index(two_sheets: Path, sheet: str | int) -> None:
    raw = read_table(two_sheets, DataSpec(sheet=sheet))
    assert raw.sheet == "Responses"
    assert list(raw.frame.columns) == HEADER
    assert raw.frame.shape == (4, 5)
    assert raw.kind == "excel"


def test_unknown_sheet_lists_the_sheets(two_sheets: Path) -> None:
    with pytest.raises(InputError) as err:
        read_table(two_sheets, DataSpec(sheet="Nope"))
    text = str(err.value)
    assert "'Nope'" in text and "'Notes'" in text and "'Responses'" in text
    assert err.value.location.file == str(two_sheets)


def test_sheet_index_out_of_range(two_sheets: Path) -> None:
    with pytest.raises(InputError, match="no sheet number 5"):
        read_table(two_sheets, DataSpec(sheet=5))


def test_header_below_a_title_and_notes_row_is_found(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"Export": [
        ["Customer survey 2024 - raw export"],
        ["Filter: all respondents", None, "n = 4"],
        [None],
        HEADER, *ROWS,
    ]})
    raw = read_table(path)
    assert list(raw.frame.columns) == HEADER
    assert raw.details["header_row"] == 4
    assert raw.first_data_row == 5
    assert raw.row_number(0) == 5 and raw.row_number(3) == 8
    assert raw.frame["Att1"].tolist() == [4, 3, 2, 5]


def test_header_row_from_the_model(tmp_path: Path) -> None:
    # the first row looks like a header (all text, full width): only header_row helps
    path = _workbook(tmp_path / "t.xlsx", {"S": [
        ["Question", "Q about A1", "Q about A2", "Q about A3", "Q gender"],
        HEADER, *ROWS,
    ]})
    assert read_table(path).details["header_row"] == 1
    raw = read_table(path, DataSpec(header_row=2))
    assert list(raw.frame.columns) == HEADER
    assert raw.first_data_row == 3


def test_header_row_past_the_end(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"S": [HEADER, *ROWS]})
    with pytest.raises(InputError, match="header_row 40 is past the last row"):
        read_table(path, DataSpec(header_row=40))


def test_blank_cells_are_nan(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"S": [
        HEADER,
        [1, 4, None, 4, "F"],
        [2, "", 4, "   ", "M"],
        [3, "\u00a0", 2, 1, None],
        [None, None, None, None, None],   # an empty row inside the data is kept
        [5, 5, 4, 5, "M"],
        [None, None, None, None, None],   # trailing empty rows are not respondents
    ]})
    raw = read_table(path)
    assert raw.frame.shape == (5, 5)
    f = raw.frame
    assert np.isnan(f.at[0, "Att2"]) and np.isnan(f.at[1, "Att1"])
    assert np.isnan(f.at[1, "Att3"]) and np.isnan(f.at[2, "Att1"])
    assert f["Att2"].dtype.kind == "f"  # numbers with blanks stay numeric
    assert f.iloc[3].isna().all()
    survey = load_survey(path, _model("A =~ Att1 + Att2 + Att3", scale=(1, 5)))
    assert int(survey.items.isna().sum().sum()) == 4 + 3


def test_row_numbers_in_messages_are_spreadsheet_rows(tmp_path: Path) -> None:
    rows = [HEADER, [1, 4, 5, 4, "F"], [2, 3, 4, 2, "M"], [3, 2, 7, 1, "F"]]
    path = _workbook(tmp_path / "t.xlsx", {"Responses": rows})
    with pytest.raises(InputError) as err:
        load_survey(path, _model("A =~ Att1 + Att2 + Att3", scale=(1, 5)))
    loc = err.value.location
    assert (loc.file, loc.sheet, loc.row, loc.column) == (str(path), "Responses", 4, "Att2")
    assert "row 4" in str(err.value) and "column 'Att2'" in str(err.value)
    # with two rows above the header the same answer sits on row 6
    path2 = _workbook(tmp_path / "t2.xlsx", {"Responses": [["Title"], [None], *rows]})
    with pytest.raises(InputError) as err2:
        load_survey(path2, _model("A =~ Att1 + Att2 + Att3", scale=(1, 5)))
    assert err2.value.location.row == 6


def test_text_answer_row_number(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"S": [
        ["Title row"], HEADER,
        [1, "Agree", "Strongly agree", "Disagree", "F"],
        [2, "Agree", "Sometimes", "Agree", "M"],
    ]})
    with pytest.raises(InputError) as err:
        load_survey(path)
    assert (err.value.location.row, err.value.location.column) == (4, "Att2")
    assert "'Sometimes'" in str(err.value)


def _as_macro_enabled(src: Path, dst: Path) -> Path:
    """Copy a workbook, declaring it macro-enabled as Excel does for .xlsm."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    return dst


def test_xlsm_is_read(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "plain.xlsx", {"Responses": [HEADER, *ROWS]})
    path = _as_macro_enabled(src, tmp_path / "survey.xlsm")
    raw = read_table(path)
    assert raw.kind == "excel" and list(raw.frame.columns) == HEADER
    assert raw.frame.shape == (4, 5)


def test_wrong_stored_dimension_still_reads_every_row(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src.xlsx", {"S": [HEADER, *ROWS]})
    dst = tmp_path / "dim.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b'<dimension ref="A1:E5" />', b'<dimension ref="A1" />')
                assert b'<dimension ref="A1" />' in data
            zout.writestr(item, data)
    raw = read_table(dst)
    assert raw.frame.shape == (4, 5)


def test_empty_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"Empty": [], "Data": [HEADER, *ROWS]})
    with pytest.raises(InputError, match="the sheet is empty") as err:
        read_table(path)
    assert err.value.location.sheet == "Empty"


def test_header_without_data_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"S": [HEADER]})
    with pytest.raises(InputError, match="no data rows"):
        read_table(path)


@pytest.mark.parametrize("kind", ["truncated", "random", "text"])
def test_corrupt_workbooks(tmp_path: Path, kind: str) -> None:
    good = _workbook(tmp_path / "good.xlsx", {"S": [HEADER, *ROWS]}).read_bytes()
    data = {"truncated": good[: len(good) // 2],
            "random": np.random.default_rng(1).integers(0, 256, 4000, dtype=np.uint8).tobytes(),
            "text": b"id,Att1\n1,4\n"}[kind]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    with pytest.raises(InputError, match="not a readable Excel workbook") as err:
        read_table(path)
    assert err.value.location.file == str(path)


def test_duplicate_and_unnamed_columns(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "t.xlsx", {"S": [
        ["id", "Att1", "Att1", None, "Att2", None],
        [1, 4, 5, None, 3, 9],
        [2, 3, 4, None, 3, 9],
    ]})
    cols = list(read_table(path).frame.columns)
    # an unnamed column with data is kept, an empty one is dropped
    assert cols == ["id", "Att1", "Att1.1", "Att2", "Unnamed: 6"]


def test_qualtrics_description_rows_are_skipped(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "q.xlsx", {"S": [
        ["ResponseId", "Att1", "Att2"],
        ["Response ID", "I notice the ads", "I remember them"],
        ['{"ImportId":"_recordId"}', '{"ImportId":"QID1"}', '{"ImportId":"QID2"}'],
        ["R_1", 4, 5], ["R_2", 3, 3],
    ]})
    raw = read_table(path)
    assert raw.frame["Att1"].tolist() == [4, 3] and raw.first_data_row == 4


def test_notes_below_the_data_are_not_respondents(tmp_path: Path) -> None:
    rows = [["id", "A1", "A2", "A3"], [1, 4, 5, 4], [2, 3, 3, 2], [None, None, None, None],
            ["Source: CX panel, March wave", None, None, None]]
    table = read_table(_workbook(tmp_path / "notes.xlsx", {"Answers": rows}))
    assert len(table.frame) == 2 and table.details["notes_below_data"] == 2
    sv = load_survey(tmp_path / "notes.xlsx", None)
    assert sv.n_rows == 2


# --- python-calamine reads what openpyxl read; bounds; encrypted and .xls workbooks ------

SAMPLES = Path(__file__).resolve().parents[2] / "sample_surveys"


def _both_ways(path: Path, monkeypatch: pytest.MonkeyPatch, sheet: str | int | None = None):
    """The table read by calamine, then by openpyxl (calamine switched off)."""
    from cxsurvey.io import read_excel as module

    fast = read_table(path, DataSpec(sheet=sheet))
    with monkeypatch.context() as m:
        m.setattr(module, "_calamine_rows", lambda *a: None)
        slow = read_table(path, DataSpec(sheet=sheet))
    return fast, slow


def _same(fast, slow) -> None:
    import pandas as pd

    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    for col in fast.frame.columns:  # the same Python types cell by cell (int stays int)
        assert [type(v) for v in fast.frame[col]] == [type(v) for v in slow.frame[col]], col
    assert (fast.sheet, fast.first_data_row, fast.details, fast.descriptions,
            fast.duplicates) == (slow.sheet, slow.first_data_row, slow.details,
                                 slow.descriptions, slow.duplicates)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.xlsx")))
def test_calamine_reads_the_samples_as_openpyxl(name: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _same(*_both_ways(SAMPLES / name, monkeypatch))


def test_calamine_gives_openpyxls_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    rows: list[list[object]] = [["Customer survey (title)"], [],
                                ["id", "Att1", "Att2", "When", "Ok", "Comment", "Score", "T"]]
    for i in range(12):
        rows.append([i + 1, i % 5 + 1, "Agree" if i % 2 else None,
                     dt.date(2024, 1, 1 + i) if i % 3 else dt.datetime(2024, 2, 1, 9, 30),
                     bool(i % 2), " " if i % 4 == 0 else f"c{i}", 2.5 + i, dt.time(8, i)])
    rows += [[], ["Source: CX panel"]]
    path = _workbook(tmp_path / "types.xlsx", {"S": rows})
    wb = openpyxl.load_workbook(path)
    wb["S"].merge_cells("A1:D1")
    wb.save(path)
    fast, slow = _both_ways(path, monkeypatch)
    _same(fast, slow)
    assert fast.frame["id"].dtype == np.int64 and fast.details["notes_below_data"] == 2
    assert isinstance(fast.frame["When"].iloc[1], dt.datetime)


def test_error_cells_are_read_as_their_text(tmp_path: Path) -> None:
    src = _workbook(tmp_path / "src.xlsx", {"S": [HEADER, *ROWS]})
    dst = tmp_path / "errors.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data.replace(b'<c r="C3" t="n"><v>4</v></c>',
                                    b'<c r="C3" t="e"><v>#DIV/0!</v></c>')
                assert b"#DIV/0!" in data
            zout.writestr(item, data)
    assert read_table(dst).frame["Att2"].tolist() == [5, "#DIV/0!", 2, 4]


def test_a_chart_sheet_is_refused_and_the_others_read(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for row in [HEADER, *ROWS]:
        ws.append(row)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=5))
    wb.create_chartsheet("Chart", 0).add_chart(chart)
    wb.save(tmp_path / "c.xlsx")
    with pytest.raises(InputError, match="a chart, not a table of answers") as err:
        read_table(tmp_path / "c.xlsx")
    assert err.value.location.sheet == "Chart"
    assert read_table(tmp_path / "c.xlsx", DataSpec(sheet="Data")).frame.shape == (4, 5)


def test_limits_are_checked_before_reading(tmp_path: Path) -> None:
    from cxsurvey.options import ReadLimits

    path = _workbook(tmp_path / "t.xlsx", {"S": [HEADER, *ROWS]})  # A1:E5, 25 cells
    with pytest.raises(InputError, match=r"declares 5 rows x 5 columns = 25 cells") as err:
        read_table(path, limits=ReadLimits(max_cells=24))
    assert err.value.location.sheet == "S" and "--max-cells 25" in str(err.value)
    assert read_table(path, limits=ReadLimits(max_cells=25)).frame.shape == (4, 5)


def test_encrypted_and_old_format_workbooks_are_named(tmp_path: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "encrypted_workbook.xlsx"
    with pytest.raises(InputError, match=r"password-protected \(encrypted\)"):
        read_table(data)
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    with pytest.raises(InputError, match=r"Excel 97-2003 \(\.xls\)"):
        read_table(xls)


@pytest.mark.parametrize(("ref", "last"), [("A1:AN80001", (80001, 40)), ("B2", (2, 2)),
                                           ("$A$1:$XFD$1048576", (1048576, 16384)),
                                           ("A1:C", (1, 3)), ("1:1", (1, 1)), ("", None),
                                           ("A1:B2:C3", None)])
def test_parse_ref(ref: str, last: tuple[int, int] | None) -> None:
    from cxsurvey.io.workbook_limits import parse_ref

    assert parse_ref(ref) == last


def test_a_row_out_of_order_is_part_of_the_extent(tmp_path: Path) -> None:
    from cxsurvey.options import ReadLimits

    src = _workbook(tmp_path / "src.xlsx", {"S": [HEADER, *ROWS]})
    dst = tmp_path / "far.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                far = b'<row r="900000"><c r="A900000" t="n"><v>1</v></c></row>'
                data = data.replace(b'<row r="2"', far + b'<row r="2"', 1)
                assert far in data
            zout.writestr(item, data)
    with pytest.raises(InputError, match=r"reach row 900,000 and column E: 4,500,000 cells"):
        read_table(dst, limits=ReadLimits(max_cells=1_000_000))


@pytest.mark.parametrize("seed", range(25))
def test_random_cells_read_alike_by_calamine_and_openpyxl(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    import datetime as dt
    import random

    rnd = random.Random(seed)
    vocab: list[object] = [1, 2, 3, 4, 5, 2.5, 3.0, None, " ", "3", "Agree", 2**60,
                           -7, True, dt.datetime(2024, 5, 1), 1e-3]
    width = rnd.randint(2, 6)
    pools = [[1, 2, 3, 4, 5] * 3 + rnd.sample(vocab, rnd.randint(0, 3)) for _ in range(width)]
    header: list[object] = [f"Q{j + 1}" for j in range(width)]
    if rnd.random() < 0.3:
        header[-1] = None  # a column without a header
    rows: list[list[object]] = [header]
    rows += [[rnd.choice(pool) for pool in pools] for _ in range(rnd.randint(5, 40))]
    if rnd.random() < 0.3:
        rows.append([None] * width + ["stray"])  # an answer right of the header
    path = _workbook(tmp_path / "r.xlsx", {"S": rows})
    _same(*_both_ways(path, monkeypatch))
