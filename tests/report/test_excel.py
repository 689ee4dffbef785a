"""The Excel report: sheets, formats, flags, provenance, formula safety, atomic writes."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cxsurvey.app.pipeline import Options, run
from cxsurvey.errors import InputError
from cxsurvey.report.excel import layout
from cxsurvey.report.excel import workbook as excel
from cxsurvey.report.excel.workbook import P_FORMAT, excel_number_format, sheet_names, write_excel
from cxsurvey.report.tables import Table, build_tables

INJECTION = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture(scope="module")
def workbook(results, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    write_excel(results, out, extra_text={"Command": "cxsurvey analyze survey.csv"})
    return openpyxl.load_workbook(out)


def _find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not on sheet {ws.title!r}")


def _table_sheets(results, wb):
    tables = build_tables(results)
    return list(zip(tables, [wb[name] for name in sheet_names(tables)], strict=True))


def test_number_formats():
    assert excel_number_format("num", 3) == "0.000"
    assert excel_number_format("num", 1) == "0.0"
    assert excel_number_format("num", 0) == "0"
    assert excel_number_format("int", 3) == "0"
    assert excel_number_format("pct", 3) == "0.0"
    assert excel_number_format("p", 3) == '[<0.001]"< .001";0.000'
    assert excel_number_format("text", 3) == "General"
    with pytest.raises(ValueError, match="kind"):
        excel_number_format("currency", 2)


def test_sheets_in_order(results, workbook):
    names = workbook.sheetnames
    assert names[0] == "Summary" and names[-1] == "About"
    # no model: no CFA or paths, so no Table 5; the loadings are the one-factor ones
    paper = ["Table 2 Normality", "Table 3 Loadings", "Table 4 Reliability", "Distributions"]
    assert names[1:5] == paper
    assert names[5:-1] == sheet_names(build_tables(results), paper)
    assert {"Item descriptives", "Tests of normality (items)", "Reliability & conv. validity",
            "Item-total statistics"} <= set(names)


def test_sheet_names_are_valid_and_unique():
    frame = pd.DataFrame({"x": [1]})
    tables = [Table("a", "Same title", frame, ()), Table("b", "Same title", frame, ()),
              Table("summary", "Summary", frame, ()),
              Table("long_key", "A title [with] forbidden: chars / and far too long", frame,
                    ())]
    names = sheet_names(tables)
    assert len({n.lower() for n in names}) == len(names)
    assert all(len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert names[:2] == ["Same title", "Same title (2)"]
    assert names[2].lower() != "summary"
    assert names[3] == "A title with forbidden"


def test_long_titles_give_readable_sheet_names():
    frame = pd.DataFrame({"x": [1]})
    titles = ["HTMT (discriminant validity) (PLS)", "Cross-loadings (PLS)",
              "Tests of normality (construct mean scores)",
              "Reliability and convergent validity", "Data quality: flagged respondents",
              "HTMT (discriminant validity) (CB)", "HTMT (discriminant validity) (PLS)"]
    names = sheet_names([Table(f"k{i}", t, frame, ()) for i, t in enumerate(titles)])
    assert names == ["HTMT (PLS)", "Cross-loadings (PLS)", "Tests of normality (construct)",
                     "Reliability & conv. validity", "Data quality", "HTMT (CB)",
                     "HTMT (PLS) (2)"]


def test_table_sheet_layout(results, workbook):
    for table, ws in _table_sheets(results, workbook):
        assert ws["A1"].value == table.title and ws["A1"].font.b
        header = [c.value for c in ws[2] if c.value is not None]
        assert header == [c.label for c in table.file_columns]
        assert all(c.font.b and c.fill.fill_type == "solid" for c in ws[2] if c.value)
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("3")
        for note in table.notes:
            assert _find(ws, note).row > 2 + len(table.frame)
        for letter, dim in ws.column_dimensions.items():
            assert 6 <= dim.width <= 52, (ws.title, letter)


def test_numbers_are_numbers_with_formats(results, workbook):
    for table, ws in _table_sheets(results, workbook):
        cols = list(table.file_columns)
        for j, col in enumerate(cols, start=1):
            for i, raw in enumerate(table.frame[col.key].tolist()):
                cell = ws.cell(row=3 + i, column=j)
                if col.kind == "text":
                    assert cell.data_type == "s"
                    continue
                if pd.isna(raw):
                    assert cell.value is None
                    continue
                assert cell.data_type == "n"
                # openpyxl stores 16 significant digits (Excel itself shows 15)
                assert cell.value == pytest.approx(float(raw), rel=1e-15, abs=0)
                assert cell.number_format == excel_number_format(col.kind, col.decimals)


def test_p_values_show_below_001_but_stay_numbers(results, workbook):
    ws = workbook["Tests of normality (items)"]
    col = [c.value for c in ws[2]].index("SW Sig.") + 1
    cells = [ws.cell(row=r, column=col) for r in range(3, 3 + len(results.normality.items))]
    assert all(c.data_type == "n" and isinstance(c.value, float) for c in cells)
    assert all(c.number_format == P_FORMAT for c in cells)
    assert any(c.value < 0.001 for c in cells)


def test_nan_is_an_empty_cell(results, workbook):
    # rho_a is not displayed; the PLS-only columns are NaN. Put a NaN in a shown column.
    rel = results.reliability
    constructs = rel.constructs.copy()
    constructs.loc[0, "omega"] = np.nan
    res = dataclasses.replace(results, reliability=dataclasses.replace(
        rel, constructs=constructs))
    wb = excel.build_workbook(res)
    ws = wb["Reliability & conv. validity"]
    col = [c.value for c in ws[2]].index("Omega") + 1
    assert ws.cell(row=3, column=col).value is None
    assert ws.cell(row=4, column=col).value == pytest.approx(constructs.loc[1, "omega"])


def _ruled(ws, coordinate):
    return [r for cf in ws.conditional_formatting if coordinate in cf.sqref for r in cf.rules]


def test_flagged_cells_are_shaded(results, workbook):
    """A breach a simple cut-off expresses gets a live rule (no fixed fill, so the
    highlight follows an edit); comparisons between cells keep the fixed shading."""
    table, ws = next((t, w) for t, w in _table_sheets(results, workbook)
                     if t.key == "reliability")
    assert table.flags
    keys = [c.key for c in table.columns if c.key in table.frame.columns]
    for row, key in table.flags:
        cell = ws.cell(row=3 + row, column=keys.index(key) + 1)
        assert cell.fill.fill_type is None
        rules = _ruled(ws, cell.coordinate)
        assert rules and all(r.type == "expression" and "cut_" in r.formula[0] for r in rules)
    items, ws_items = next((t, w) for t, w in _table_sheets(results, workbook)
                           if t.key == "item_stats")
    static = [(r, k) for r, k in items.flags if k == "alpha_if_deleted"]
    assert static, "the fixture has an item whose deletion raises alpha"
    item_keys = [c.key for c in items.file_columns]
    for row, key in static:
        cell = ws_items.cell(row=3 + row, column=item_keys.index(key) + 1)
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("FFC7CE")
        assert not _ruled(ws_items, cell.coordinate)
    flagged = {(r, k) for r, k in table.flags}
    unflagged = next((r, k) for r in range(len(table.frame)) for k in keys
                     if (r, k) not in flagged)
    assert ws.cell(row=3 + unflagged[0], column=keys.index(unflagged[1]) + 1
                   ).fill.fill_type is None
    assert any("threshold" in str(c.value) for c in ws["A"] if c.row > 2 + len(table.frame))


def test_summary_sheet(results, workbook):
    ws = workbook["Summary"]
    values = [c.value for c in ws["A"]]
    for line in (*results.summary, *results.warnings):
        assert line in values
    assert "cxsurvey analyze survey.csv" in values
    links = [c for c in ws["A"] if c.hyperlink is not None]
    targets = [c.hyperlink.location.split("!")[0].strip("'") for c in links]
    assert targets == workbook.sheetnames[1:-1]
    assert len(links) == len(build_tables(results)) + 4  # Tables 2-4, Distributions


def test_about_sheet_has_provenance(results, survey, workbook):
    ws = workbook["About"]
    about = {r[0]: r[1] for r in ws.iter_rows(min_row=3, values_only=True)}
    assert about["SHA-256 of the input file"] == hashlib.sha256(survey.read_bytes()).hexdigest()
    assert about["Input file"] == str(survey)
    assert about["Created (UTC)"] == results.meta["created"]
    assert about["Rows read"] == 60 and about["Rows complete on every item"] == 60
    assert about["Missing values"] == "listwise"
    assert about["Scale"].startswith("1-5")
    assert about["cxsurvey version"] == results.meta["version"]
    for name, version in results.meta["dependencies"].items():
        assert about[f"{name} version"] == version
    assert "Model file" in about and "Seed" in about and "Option: alpha" in about


def test_text_is_never_a_formula(results, tmp_path):
    rel = results.reliability
    constructs = rel.constructs.copy()
    constructs.loc[0, "construct"] = "=1+1"
    meta = {**results.meta, "file": INJECTION}
    res = dataclasses.replace(
        results, meta=meta, warnings=(INJECTION, *results.warnings),
        reliability=dataclasses.replace(rel, constructs=constructs))
    out = write_excel(res, tmp_path / "safe.xlsx", extra_text={"@cmd": ["-rm"]})
    wb = openpyxl.load_workbook(out)
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    warning = _find(wb["Summary"], "'" + INJECTION)
    assert warning.data_type == "s" and warning.value.startswith("'=")
    construct = wb["Reliability & conv. validity"]["A3"]
    assert construct.data_type == "s" and construct.value == "'=1+1"
    about = {r[0]: r[1] for r in wb["About"].iter_rows(min_row=3, values_only=True)}
    assert about["Input file"] == "'" + INJECTION
    assert _find(wb["Summary"], "'@cmd").data_type == "s"
    assert _find(wb["Summary"], "'-rm").data_type == "s"


def _fail_midway(monkeypatch):
    """The disk fills up while the workbook's bytes are written to the temporary file."""
    original = Path.write_bytes

    def write_bytes(self, data):
        original(self, data[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_failed_write_leaves_nothing(results, tmp_path, monkeypatch):
    _fail_midway(monkeypatch)
    target = tmp_path / "report.xlsx"
    with pytest.raises(InputError, match="cannot write the report: the disk is full"):
        write_excel(results, target)
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_failed_write_keeps_the_old_report(results, tmp_path, monkeypatch):
    target = tmp_path / "report.xlsx"
    write_excel(results, target)
    before = target.read_bytes()
    _fail_midway(monkeypatch)
    with pytest.raises(InputError, match="cannot write the report: the disk is full"):
        write_excel(results, target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["report.xlsx"]


def test_refuses_bad_targets(results, survey, tmp_path):
    with pytest.raises(InputError, match="xlsx"):
        write_excel(results, tmp_path / "report.xls")
    with pytest.raises(InputError, match="folder"):
        write_excel(results, tmp_path / "missing" / "report.xlsx")
    fake_input = tmp_path / "in.xlsx"
    fake_input.write_bytes(b"survey")
    res = dataclasses.replace(results, meta={**results.meta, "file": str(fake_input)})
    with pytest.raises(InputError, match="input"):
        write_excel(res, fake_input)
    assert fake_input.read_bytes() == b"survey"


def test_runs_without_optional_sections(survey, tmp_path):
    res = run(survey, sections=("reliability",))
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "r.xlsx"))
    paper = ["Table 3 Loadings", "Table 4 Reliability"]
    assert wb.sheetnames == ["Summary", *paper, *sheet_names(build_tables(res), paper),
                             "About"]
    assert {"Reliability & conv. validity", "Item-total statistics"} <= set(wb.sheetnames)


# -- page layout -------------------------------------------------------------------------

def _merged_width(ws, cell):
    """The width (characters) of the merged range that starts at ``cell``."""
    for rng in ws.merged_cells.ranges:
        if rng.min_row == cell.row and rng.min_col == cell.column:
            return sum(layout.column_width(ws, c) for c in range(rng.min_col, rng.max_col + 1))
    return layout.column_width(ws, cell.column)


def test_long_rows_are_taller_than_the_default(results, tmp_path):
    long = " ".join(["A long line of the summary that wraps over several lines."] * 8)
    wb = openpyxl.load_workbook(write_excel(results, tmp_path / "r.xlsx",
                                            extra_text={"Notes": [long]}))
    summary = wb["Summary"]
    cell = _find(summary, long)
    assert summary.row_dimensions[cell.row].height >= 4 * layout.LINE_HEIGHT
    assert cell.alignment.wrap_text
    checked = 0
    for table, ws in _table_sheets(results, wb):
        for note in table.notes:
            cell = _find(ws, note)
            assert cell.alignment.wrap_text, (ws.title, note)
            if len(note) > 1.2 * _merged_width(ws, cell):
                assert ws.row_dimensions[cell.row].height > layout.LINE_HEIGHT, note
                checked += 1
    assert checked


def test_registry_sheets_print_one_page_wide(results, workbook):
    for _, ws in _table_sheets(results, workbook):
        setup = ws.page_setup
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$2"
        assert ws.page_margins.left <= 0.5
    assert workbook["Summary"].sheet_properties.pageSetUpPr.fitToPage


def test_inner_vif_filled_where_defined(survey, tmp_path):
    model = tmp_path / "m.txt"
    model.write_text("Att =~ Att1 + Att2 + Att3 + Att4\nSat =~ Sat1 + Sat2 + Sat3 + Sat4\n"
                     "Loy =~ Loy1 + Loy2 + Loy3 + Loy4\nSat ~ Att\nLoy ~ Att + Sat\n")
    res = run(survey, model, ("reliability", "paths"),
              Options(method="pls", bootstrap=20, seed=1))
    (table,) = [t for t in build_tables(res) if t.key == "pls_vif"]
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "vif.xlsx"))
    ws = wb[sheet_names([table])[0]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3, max_row=2 + len(table.frame))]
    inner = {(r[1], r[2]): r[3] for r in rows if r[0] == "inner"}
    assert inner[("Sat", "Att")] is None  # one predictor: no collinearity to measure
    assert inner[("Loy", "Att")] > 1 and inner[("Loy", "Sat")] > 1
    assert all(r[3] is not None for r in rows if r[0] == "outer")
    assert any("n/a (one predictor)" in n and "Sat" in n and "Loy" not in n
               for n in table.notes)
