"""The paper-ready Excel sheets (Tables 2-5), the distribution chart and the live
threshold rules, on the bundled sample study (the reference paper's shape)."""

from __future__ import annotations

import dataclasses
import operator
import re
import zipfile

import openpyxl
import pytest

from cxsurvey.app.pipeline import Options, run
from cxsurvey.gates import thresholds as th
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.report.excel.cells import P_FORMAT, SPSS_FORMAT
from cxsurvey.report.excel.chart import diverging_colors
from cxsurvey.report.excel.ipma_chart import has_ipma
from cxsurvey.report.excel.rules import cut_key, cuts_for
from cxsurvey.report.excel.workbook import sheet_names, write_excel
from cxsurvey.report.tables import build_tables
from tests.support import SAMPLES

PAPER = ["Table 2 Normality", "Table 3 Loadings", "Table 4 Reliability", "Table 5 Paths"]
RULE = re.compile(r"AND\(ISNUMBER\(([A-Z]+\d+)\),(ABS\()?([A-Z]+\d+)\)?(<=|>=|<|>)(cut_\w+)\)")
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@pytest.fixture(scope="module")
def study():
    return run(SAMPLES / "cx_journey.xlsx", SAMPLES / "cx_journey.toml",
               ("describe", "normality", "reliability", "cfa", "paths"),
               Options(method="both", bootstrap=200, seed=1))


@pytest.fixture(scope="module")
def path(study, tmp_path_factory):
    return write_excel(study, tmp_path_factory.mktemp("paper") / "cx.xlsx")


@pytest.fixture(scope="module")
def wb(path):
    return openpyxl.load_workbook(path)


# -- helpers -----------------------------------------------------------------------------

def _find(ws, value, column=None):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value and (column is None or cell.column == column):
                return cell
    raise AssertionError(f"{value!r} not on sheet {ws.title!r}")


def _rules(ws):
    """{range: [formula, ...]} of a sheet's conditional formatting."""
    return {str(cf.sqref): [r.formula[0] for r in cf.rules]
            for cf in ws.conditional_formatting}


def _cut_value(wb, name):
    """The value of the named Thresholds cell a rule references."""
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")].value


def _breaches(wb, ws, cell):
    """Whether a cell's conditional-formatting rules highlight it (evaluated here the way
    Excel does: the formula is written for the range's top-left cell)."""
    hit = False
    for cf in ws.conditional_formatting:
        if cell.coordinate not in cf.sqref:
            continue
        for rule in cf.rules:
            m = RULE.fullmatch(rule.formula[0])
            assert m, rule.formula[0]
            value = cell.value
            if not isinstance(value, (int, float)):
                continue
            x = abs(value) if m.group(2) else value
            hit |= OPS[m.group(4)](x, _cut_value(wb, m.group(5)))
    return hit


def _block_rows(ws, first_row, n_cols):
    rows = []
    for row in ws.iter_rows(min_row=first_row, max_col=n_cols, values_only=True):
        if row[1] is None and row[0] is None:
            break
        rows.append(row)
    return rows


# -- sheets --------------------------------------------------------------------------------

@pytest.mark.slow
def test_sheet_order_and_contents(study, wb):
    tables = build_tables(study)
    # a PLS run's workbook has the importance-performance map's sheet after the charts
    reserved = [*PAPER, "Distributions", *(["IPMA"] if has_ipma(study) else [])]
    assert wb.sheetnames == ["Summary", *reserved, *sheet_names(tables, reserved), "About"]
    summary = wb["Summary"]
    links = [c.hyperlink.location for c in summary["A"] if c.hyperlink is not None]
    assert links == [f"'{name}'!A1" for name in wb.sheetnames[1:-1]]


@pytest.mark.slow
def test_no_formula_cells(wb):
    for ws in wb:
        for row in ws.iter_rows():
            assert not any(c.data_type == "f" for c in row), ws.title


@pytest.mark.slow
def test_table2_spss_layout(study, wb, path):
    ws = wb["Table 2 Normality"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A4", "B3:D3", "E3:G3"} <= merged
    assert ws["B3"].value.startswith("Kolmogorov-Smirnov") and ws["E3"].value == "Shapiro-Wilk"
    assert [c.value for c in ws[4]][1:7] == ["Statistic", "df", "Sig."] * 2
    rich = openpyxl.load_workbook(path, rich_text=True)["Table 2 Normality"]["B3"].value
    assert [str(part) for part in rich] == ["Kolmogorov-Smirnov", "a"]
    assert rich[1].font.vertAlign == "superscript"

    items = study.normality.items.reset_index(drop=True)
    keys = ["item", "ks_statistic", "ks_df", "ks_pvalue", "sw_statistic", "sw_df", "sw_pvalue"]
    body = list(ws.iter_rows(min_row=5, max_row=4 + len(items), max_col=7))
    assert len(body) == 33
    for row, rec in zip(body, items[keys].itertuples(index=False), strict=True):
        assert row[0].value == rec[0]
        assert [c.value for c in row[1:]] == pytest.approx(list(rec[1:]), rel=1e-12)
        for cell in (row[3], row[6]):  # Sig.: a number, shown as SPSS prints it
            assert cell.data_type == "n" and cell.number_format == SPSS_FORMAT
        assert row[1].number_format == SPSS_FORMAT and row[2].number_format == "0"
    assert all(v < 0.001 for v in items["ks_pvalue"])  # all shown as .000, as published

    footnote = _find(ws, "a. Lilliefors Significance Correction", column=1)
    assert footnote.row > 4 + len(items)
    # SPSS-like rules: lines above and below the header and below the body, no verticals
    last = 4 + len(items)
    for col in range(1, 8):
        assert ws.cell(row=3, column=col).border.top.style == "thin"
        assert ws.cell(row=4, column=col).border.bottom.style == "thin"
        assert ws.cell(row=last, column=col).border.bottom.style == "thin"
        for r in range(3, last + 1):
            border = ws.cell(row=r, column=col).border
            assert getattr(border.left, "style", None) is None
            assert getattr(border.right, "style", None) is None
    assert ws.cell(row=3, column=2).border.bottom.style == "thin"  # under the group label
    assert ws.cell(row=6, column=2).border.top.style is None  # no lines inside the body


@pytest.mark.slow
def test_table3_loadings_grouped(study, wb):
    ws = wb["Table 3 Loadings"]
    assert [c.value for c in ws[3]][:3] == ["Construct", "Item", "Loading"]
    outer = study.pls.outer
    order = list(study.meta["constructs"])
    expected = [(c, i, v) for con in order for c, i, v in
                outer.loc[outer["construct"] == con, ["construct", "item", "loading"]]
                .itertuples(index=False)]
    rows = list(ws.iter_rows(min_row=4, max_row=3 + len(expected), max_col=3,
                             values_only=True))
    assert [r[1] for r in rows] == [e[1] for e in expected]
    assert [r[2] for r in rows] == pytest.approx([e[2] for e in expected], rel=1e-12)
    shown = [r[0] for r in rows if r[0] is not None]
    assert shown == order  # each construct named once, on its group's first row
    previous = None
    for row, exp in zip(rows, expected, strict=True):
        assert row[0] == (exp[0] if exp[0] != previous else None)
        previous = exp[0]
    assert _rules(ws) == {f"C4:C{3 + len(expected)}": ["AND(ISNUMBER(C4),C4<cut_loading)"]}
    (loading,) = study.verdicts.thresholds("loading")  # the run's rule set: default
    assert _cut_value(wb, "cut_loading") == loading.value == 0.708
    notes = " ".join(str(c.value) for c in ws["A"] if c.row > 3 + len(expected) and c.value)
    assert "PLS-SEM outer loadings" in notes and loading.citation in notes
    assert loading.citation in ws["C3"].comment.text


@pytest.mark.slow
def test_table4_reliability_and_validity(study, wb):
    ws = wb["Table 4 Reliability"]
    header = [c.value for c in ws[3]][:5]
    assert header == ["Construct", "Cronbach's alpha", "rho_A", "Composite reliability", "AVE"]
    rel = study.pls.reliability
    rows = list(ws.iter_rows(min_row=4, max_row=3 + len(rel), max_col=5, values_only=True))
    assert [r[0] for r in rows] == list(rel["construct"])
    got = [list(r[1:]) for r in rows]
    assert got == [pytest.approx(list(v), rel=1e-12)
                   for v in rel[["alpha", "rho_a", "rho_c", "ave"]].itertuples(index=False)]
    last = 3 + len(rel)
    assert _rules(ws)[f"B4:B{last}"] == ["AND(ISNUMBER(B4),B4<cut_alpha)"]
    assert _rules(ws)[f"C4:C{last}"] == ["AND(ISNUMBER(C4),C4<cut_rho_a)"]
    assert _rules(ws)[f"D4:D{last}"] == ["AND(ISNUMBER(D4),D4<cut_rho_c)",
                                         "AND(ISNUMBER(D4),D4>=cut_rho_c_max)"]
    assert _rules(ws)[f"E4:E{last}"] == ["AND(ISNUMBER(E4),E4<cut_ave)"]
    for col, t in (("B", th.ALPHA), ("C", th.RHO_A), ("D", th.RHO_C), ("E", th.AVE)):
        assert t.citation in ws[f"{col}3"].comment.text

    fl = _find(ws, "Discriminant validity: Fornell-Larcker criterion", column=1)
    htmt = _find(ws, "Discriminant validity: heterotrait-monotrait ratio (HTMT)", column=1)
    assert last < fl.row < htmt.row
    names = list(rel["construct"])
    assert [c.value for c in ws[fl.row + 1]][1:1 + len(names)] == names
    diag = ws.cell(row=fl.row + 2, column=2)
    assert diag.value == pytest.approx(rel["ave"].iloc[0] ** 0.5, rel=1e-9)
    assert diag.font.b
    pair = study.pls.htmt.iloc[0]
    i, j = names.index(pair["a"]), names.index(pair["b"])
    assert ws.cell(row=htmt.row + 2 + j, column=2 + i).value == pytest.approx(pair["value"])
    top = f"B{htmt.row + 2}"
    assert _rules(ws)[f"{top}:B{htmt.row + 1 + len(names)}"] == [
        f"AND(ISNUMBER({top}),{top}>cut_htmt)"]


@pytest.mark.slow
def test_table5_paths(study, wb):
    ws = wb["Table 5 Paths"]
    for p in study.paths:
        label = "CB-SEM" if p.method == "cb" else "PLS-SEM"
        title = next(c for c in ws["A"] if isinstance(c.value, str)
                     and c.value.startswith(f"{label} ("))
        head, sub = title.row + 1, title.row + 2
        header = [c.value for c in ws[head]]
        assert header[:2] == ["#", "Hypothesis"]
        se = "SD (bootstrap)" if p.se_method == "bootstrap" else "SE"
        stat = "z" if p.method == "cb" else "T"
        assert se in header and stat in header and "p" in header and "Supported" in header
        ci = header.index("95% CI") + 1
        assert [ws.cell(row=sub, column=ci).value, ws.cell(row=sub, column=ci + 1).value] \
            == ["LL", "UL"]
        merged = {str(r) for r in ws.merged_cells.ranges}
        ci_letter = openpyxl.utils.get_column_letter(ci)
        ci_next = openpyxl.utils.get_column_letter(ci + 1)
        assert f"{ci_letter}{head}:{ci_next}{head}" in merged
        assert f"A{head}:A{sub}" in merged
        rows = list(ws.iter_rows(min_row=sub + 1, max_row=sub + len(p.paths),
                                 max_col=len(header), values_only=True))
        assert not isinstance(ws.cell(row=sub + len(p.paths) + 1, column=1).value, int)
        coef = header.index("Path coefficient (\u03b2)" if p.method == "pls" else "Estimate")
        pcol = header.index("p")
        for k, (row, rec) in enumerate(zip(rows, p.paths.itertuples(index=False),
                                           strict=True), start=1):
            assert row[0] == k and row[1] == f"{rec[0]} \u2192 {rec[1]}"
            assert row[coef] == pytest.approx(rec.est, rel=1e-12)
            assert row[header.index(se)] == pytest.approx(rec.se, rel=1e-12)
            assert row[header.index(stat)] == pytest.approx(rec.t, rel=1e-12)
            assert row[pcol] == pytest.approx(rec.pvalue, rel=1e-12)
            assert row[ci - 1] == pytest.approx(rec.ci_lower) and \
                row[ci] == pytest.approx(rec.ci_upper)
            assert row[header.index("Supported")] == ("Yes" if rec.pvalue < th.P_VALUE
                                                      else "No")
        letter = openpyxl.utils.get_column_letter(pcol + 1)
        top = f"{letter}{sub + 1}"
        assert _rules(ws)[f"{top}:{letter}{sub + len(rows)}"] == [
            f"AND(ISNUMBER({top}),{top}>=cut_p)"]
        assert ws.cell(row=sub + 1, column=pcol + 1).number_format == P_FORMAT
        r2_title = _find(ws, f"Explained variance ({label})", column=1)
        r2_rows = _block_rows(ws, r2_title.row + 2, 3)
        assert [r[0] for r in r2_rows] == list(p.r2["construct"])
        assert [r[1] for r in r2_rows] == pytest.approx(list(p.r2["r2"]), rel=1e-12)
    assert _cut_value(wb, "cut_p") == th.P_VALUE


# -- chart ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_distribution_table_and_chart(study, wb, path):
    ws = wb["Distributions"]
    d = study.descriptives
    points = list(d.scale_points)
    assert [c.value for c in ws[2]][:2 + len(points)] == [
        "Construct", "Item", *(f"% {k}" for k in points)]
    items = d.items.reset_index(drop=True)
    last = 2 + len(items)
    for i, rec in items.iterrows():
        row = [c.value for c in ws[3 + i]][:2 + len(points)]
        assert row[:2] == [rec["construct"], rec["item"]]
        assert row[2:] == pytest.approx([rec[f"pct_{k}"] for k in points], rel=1e-12)

    (chart,) = ws._charts
    assert chart.tagname == "barChart" and chart.type == "bar"
    assert chart.grouping == "percentStacked" and chart.overlap == 100
    assert len(chart.series) == len(points)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/charts/chart1.xml").decode()
        drawing = next(z.read(n).decode() for n in z.namelist()
                       if n.startswith("xl/drawings/drawing") and n.endswith(".xml"))
    assert '<grouping val="percentStacked"' in xml and '<barDir val="bar"' in xml
    assert '<overlap val="100"' in xml
    for j, colour in enumerate(diverging_colors(len(points))):
        letter = openpyxl.utils.get_column_letter(3 + j)
        assert f"'Distributions'!${letter}$3:${letter}${last}" in xml
        assert f"'Distributions'!{letter}2" in xml  # series name = the header cell
        assert f'<a:srgbClr val="{colour}"' in xml
    assert xml.count(f"<strRef><f>'Distributions'!$B$3:$B${last}</f></strRef>") == len(points)
    assert "Answer distribution per item" in xml and "% of answers" in xml
    height_cm = int(re.search(r'<ext cx="\d+" cy="(\d+)"', drawing).group(1)) / 360_000
    assert height_cm >= 0.5 * len(items)  # tall enough for 33 labelled bars


def test_diverging_colors():
    assert diverging_colors(5) == ["B2182B", "F4A582", "BDBDBD", "92C5DE", "2166AC"]
    assert len(diverging_colors(7)) == 7 and diverging_colors(7)[3] == "BDBDBD"
    assert diverging_colors(4)[0] == "B2182B" and diverging_colors(4)[-1] == "2166AC"


# -- rules -----------------------------------------------------------------------------------

EXPECTED_COLUMNS = {
    "reliability": {"alpha": "alpha", "rho_c": "rho_c", "ave": "ave"},
    "item_stats": {"item_total_r": "item_total_r", "loading": "loading"},
    "cfa_loadings": {"std_all": "loading"},
    "cfa_reliability": {"rho_c": "rho_c", "ave": "ave"},
    "pls_outer": {"loading": "loading"},
    "pls_reliability": {"alpha": "alpha", "rho_a": "rho_a", "rho_c": "rho_c", "ave": "ave"},
    "pls_vif": {"vif": "vif"},
    "pls_htmt_inference": {"upper_one_sided": "htmt_upper"},
    "paths_cb": {"pvalue": "p"},
    "paths_pls": {"pvalue": "p"},
    "normality": {"ks_pvalue": "normality_p", "sw_pvalue": "normality_p"},
}
THRESHOLDS = {cut_key(r.key): r.threshold for r in RULE_SETS["default"].rules}
"""The study runs with the default rule set: the workbook's cut-offs are its thresholds."""


def _registry(study, wb):
    tables = build_tables(study)
    names = sheet_names(tables, [*PAPER, "Distributions"])
    return [(t, wb[n]) for t, n in zip(tables, names, strict=True)]


@pytest.mark.slow
def test_threshold_cells_hold_the_cut_offs(study, wb):
    cuts = cuts_for(study)
    for key, t in THRESHOLDS.items():
        assert _cut_value(wb, f"cut_{key}") == pytest.approx(t.value)
        assert cuts[key].citation == t.citation
    assert _cut_value(wb, "cut_p") == th.P_VALUE
    assert _cut_value(wb, "cut_normality_p") == study.normality.alpha
    summary = wb["Summary"]
    heading = _find(summary, "Thresholds", column=1)
    for key, t in THRESHOLDS.items():
        ref = wb.defined_names[f"cut_{key}"].attr_text
        assert ref.startswith("'Summary'!$B$") and int(ref.rsplit("$", 1)[1]) > heading.row
        row = int(ref.rsplit("$", 1)[1])
        assert summary.cell(row=row, column=3).value == t.citation
    # every name a rule uses is defined
    for ws in wb:
        for formulas in _rules(ws).values():
            for f in formulas:
                assert RULE.fullmatch(f).group(5) in wb.defined_names, (ws.title, f)


@pytest.mark.slow
def test_registry_rules_on_threshold_columns(study, wb):
    seen = set()
    for table, ws in _registry(study, wb):
        expected = EXPECTED_COLUMNS.get(table.key)
        if expected is None:
            continue
        seen.add(table.key)
        keys = [c.key for c in table.file_columns]
        rules = _rules(ws)
        for col_key, cut in expected.items():
            letter = openpyxl.utils.get_column_letter(keys.index(col_key) + 1)
            sqref = f"{letter}3:{letter}{2 + len(table.frame)}"
            assert sqref in rules, (table.key, col_key, rules)
            x = f"{letter}3"
            op = {"normality_p": "<", "p": ">=", "vif": ">=", "htmt_upper": ">="}.get(cut, "<")
            assert f"AND(ISNUMBER({letter}3),{x}{op}cut_{cut})" in rules[sqref]
            comment = ws[f"{letter}2"].comment
            assert comment is not None
            if cut in THRESHOLDS:
                assert THRESHOLDS[cut].citation in comment.text
    assert seen == set(EXPECTED_COLUMNS)


@pytest.mark.slow
def test_fit_tables_rule_each_index(study, wb):
    for table, ws in _registry(study, wb):
        if table.key not in ("cfa_fit", "sem_fit_cb"):
            continue
        rules = _rules(ws)
        for i, label in enumerate(table.frame["index"]):
            cut = {"CFI": "cfi", "TLI": "tli", "RMSEA": "rmsea", "SRMR": "srmr"}.get(label)
            coordinate = f"B{3 + i}"
            if cut is None:
                assert coordinate not in rules
                continue
            op = "<" if THRESHOLDS[cut].direction == ">=" else ">"
            assert rules[coordinate] == [f"AND(ISNUMBER({coordinate}),{coordinate}{op}cut_{cut})"]
        comment = ws["B2"].comment.text
        assert all(t.citation in comment for t in (th.CFI, th.RMSEA, th.SRMR))


@pytest.mark.slow
def test_rules_agree_with_the_registry_flags(study, wb):
    """A rule highlights exactly the cells the registry flags, and those cells carry no
    fixed fill (so the highlight follows an edit); other flags keep the fixed fill."""
    checked = 0
    for table, ws in _registry(study, wb):
        keys = [c.key for c in table.file_columns]
        ruled_keys = {k for k in keys for sq in _rules(ws)
                      if sq.split(":")[0].rstrip("0123456789")
                      == openpyxl.utils.get_column_letter(keys.index(k) + 1)}
        for i in range(len(table.frame)):
            for j, key in enumerate(keys, start=1):
                cell = ws.cell(row=3 + i, column=j)
                if key in ruled_keys:
                    hit = _breaches(wb, ws, cell)
                    if table.key == "item_stats" and key == "loading":
                        continue  # a rule only: the registry does not flag these loadings
                    assert hit == ((i, key) in table.flags), (table.key, cell.coordinate)
                    assert cell.fill.fill_type is None
                    checked += 1
                elif (i, key) in table.flags:
                    assert cell.fill.fill_type == "solid", (table.key, cell.coordinate)
    assert checked > 200


@pytest.mark.slow
def test_paper_rules_highlight_the_weak_cells(study, wb):
    ws = wb["Table 3 Loadings"]
    weak = [c for c in ws["C"][3:36] if _breaches(wb, ws, c)]
    outer = study.pls.outer
    assert len(weak) == sum(study.verdicts.fails("loading", x) for x in outer["loading"]) > 0
    ws4 = wb["Table 4 Reliability"]
    low_ave = [c for c in ws4["E"][3:11] if _breaches(wb, ws4, c)]
    assert len(low_ave) == int((study.pls.reliability["ave"] < th.AVE.value).sum())
    ws2 = wb["Table 2 Normality"]
    assert all(_breaches(wb, ws2, c) for c in ws2["G"][4:37])


# -- sections that did not run ----------------------------------------------------------------

def test_only_sheets_of_sections_that_ran(results, tmp_path):
    """The small fixture: no model, so no CFA, PLS or paths."""
    wb = openpyxl.load_workbook(write_excel(results, tmp_path / "small.xlsx"))
    reserved = ["Table 2 Normality", "Table 3 Loadings", "Table 4 Reliability",
                "Distributions"]
    assert wb.sheetnames == ["Summary", *reserved,
                             *sheet_names(build_tables(results), reserved), "About"]
    assert "Table 5 Paths" not in wb.sheetnames
    ws3 = wb["Table 3 Loadings"]
    assert ws3["A1"].value == "Table 3. Factor loadings"
    assert any("one-factor" in str(c.value) for c in ws3["A"])
    items = results.reliability.items
    assert ws3["C4"].value == pytest.approx(items["loading"].iloc[0])
    assert _rules(ws3)[f"C4:C{3 + len(items)}"] == ["AND(ISNUMBER(C4),C4<cut_loading)"]
    assert _cut_value(wb, "cut_loading") == RULE_SETS["default"].get("min_loading").threshold.value
    ws4 = wb["Table 4 Reliability"]
    assert [c.value for c in ws4[3] if c.value] == [
        "Construct", "Cronbach's alpha", "Composite reliability", "AVE"]  # no rho_A
    assert not any("Discriminant" in str(c.value) for c in ws4["A"])
    assert "cut_htmt" not in wb.defined_names and "cut_p" not in wb.defined_names
    (chart,) = wb["Distributions"]._charts
    assert len(chart.series) == len(results.descriptives.scale_points)


def test_reliability_only_run(survey, tmp_path):
    res = run(survey, sections=("reliability",))
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "r.xlsx"))
    assert wb.sheetnames[1:3] == ["Table 3 Loadings", "Table 4 Reliability"]
    assert "Distributions" not in wb.sheetnames and "Table 2 Normality" not in wb.sheetnames
    rel = res.reliability.constructs
    ws = wb["Table 4 Reliability"]
    values = [r[1] for r in ws.iter_rows(min_row=4, max_row=3 + len(rel), values_only=True)]
    assert values == pytest.approx(list(rel["alpha"]))


@pytest.mark.slow
def test_cfa_loadings_when_pls_did_not_run(study, tmp_path):
    """Without PLS, Table 3 shows the CFA's standardised loadings; a Heywood case
    (|loading| > 1) and a weak loading are both highlighted by rules."""
    loadings = study.cfa.loadings.copy()
    loadings.loc[1, "std_all"] = 1.2
    res = dataclasses.replace(study, pls=None,
                              cfa=dataclasses.replace(study.cfa, loadings=loadings))
    wb = openpyxl.load_workbook(write_excel(res, tmp_path / "cfa.xlsx"))
    ws = wb["Table 3 Loadings"]
    assert ws["A1"].value == "Table 3. Factor loadings"
    assert any("CFA standardised loadings" in str(c.value) for c in ws["A"])
    last = 3 + len(loadings)
    assert _rules(ws)[f"C4:C{last}"] == ["AND(ISNUMBER(C4),C4<cut_loading)",
                                         "AND(ISNUMBER(C4),ABS(C4)>cut_heywood)"]
    (cut,) = study.verdicts.thresholds("loading")
    assert _cut_value(wb, "cut_loading") == cut.value
    cells = ws["C"][3:last]
    hits = sorted(c.value for c in cells if _breaches(wb, ws, c))
    weak = loadings.loc[loadings["std_all"] < cut.value, "std_all"]
    assert len(weak) and hits == pytest.approx(sorted([*weak, 1.2]), rel=1e-12)
    ws4 = wb["Table 4 Reliability"]
    assert any(str(c.value).startswith("Source: CR and AVE from the CFA") for c in ws4["A"])


# -- print layout, model order, counts ----------------------------------------------------

@pytest.mark.slow
def test_paper_sheets_print_one_page_wide(wb):
    for name in PAPER:
        ws = wb[name]
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0), name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.page_margins.left <= 0.5 and ws.page_margins.top <= 0.75, name
    assert wb["Table 2 Normality"].print_title_rows == "$3:$4"  # the two-row header
    assert wb["Table 3 Loadings"].print_title_rows == "$3:$3"
    assert wb["Table 5 Paths"].page_setup.orientation == "landscape"  # 9 columns
    assert wb["Table 3 Loadings"].page_setup.orientation == "portrait"


@pytest.mark.slow
def test_wrapped_header_and_note_rows_are_taller(wb):
    ws = wb["Table 4 Reliability"]
    header = _find(ws, "Composite reliability")  # two lines in a 13-wide column
    assert ws.row_dimensions[header.row].height > 15
    note = next(c for c in ws["A"] if str(c.value).startswith("Highlighted"))
    assert note.alignment.wrap_text and ws.row_dimensions[note.row].height > 15


@pytest.mark.slow
def test_pls_outer_loadings_in_model_order(study, wb):
    items = [i for group in study.meta["constructs"].values() for i in group]
    assert list(study.pls.outer["item"]) == items
    (name,) = sheet_names([t for t in build_tables(study) if t.key == "pls_outer"])
    ws = wb[name]
    assert [ws.cell(row=r, column=2).value for r in range(3, 3 + len(items))] == items
    ws3 = wb["Table 3 Loadings"]
    assert [ws3.cell(row=r, column=2).value for r in range(4, 4 + len(items))] == items


@pytest.mark.slow
def test_fit_table_counts_are_integer_cells(study, wb):
    ws = wb["CFA model fit"]
    rows = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2)
            for r in range(3, ws.max_row + 1)}
    for label in ("N", "df"):
        assert isinstance(rows[label].value, int) and rows[label].number_format == "0"
    assert rows["N"].value == 157
    assert rows["p"].number_format == P_FORMAT and isinstance(rows["p"].value, float)
    assert rows["CFI"].number_format == "0.000"


@pytest.mark.slow
def test_inner_vif_note_for_single_predictors(study):
    (table,) = [t for t in build_tables(study) if t.key == "pls_vif"]
    inner = table.frame[table.frame["kind"] == "inner"]
    assert inner["vif"].isna().all()  # the sample model is a chain: one predictor each
    assert table.frame.loc[table.frame["kind"] == "outer", "vif"].notna().all()
    assert any("n/a (one predictor)" in n for n in table.notes)
