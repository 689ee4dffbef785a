"""The CB reports carry the residual covariances of the CFA and the delta-method
statistics of the effects: JSON keys, console, CSV, Excel and HTML tables.

PoliticalDemocracy (75 rows) with the tutorial SEM: six correlated residuals, one
indirect chain, and the same model with labels and ``:=`` definitions.
"""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from rich.console import Console
from support import DATA, load_json

from cxsurvey.app.pipeline import run_command
from cxsurvey.report.console import render_console
from cxsurvey.report.csv_report import render_csv_stream
from cxsurvey.report.excel.workbook import write_excel
from cxsurvey.report.html.page import render_html
from cxsurvey.report.json_report import render_json, to_document
from cxsurvey.results import Results

_CSV = DATA / "political_democracy.csv"


def _text(res: Results) -> str:
    console = Console(width=120, record=True, force_terminal=False, color_system=None,
                      highlight=False, file=io.StringIO())
    render_console(res, console)
    return console.export_text()


@pytest.fixture(scope="module")
def cfa() -> Results:
    return run_command("cfa", _CSV, DATA / "pd_sem_model.txt")


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> Results:
    model = tmp_path_factory.mktemp("model") / "pd_defined.txt"
    model.write_text(load_json("robust_reference.json")["pd_ML"]["model_syntax"])
    return run_command("paths", _CSV, model, method="cb")


def test_json_has_the_cfa_residual_covariances(cfa) -> None:
    doc = json.loads(render_json(cfa))
    rows = doc["cfa"]["residual_covariances"]
    assert [(r["lhs"], r["rhs"]) for r in rows] == [
        ("y1", "y5"), ("y2", "y4"), ("y2", "y6"), ("y3", "y7"), ("y4", "y8"), ("y6", "y8")]
    assert list(rows[0]) == ["lhs", "rhs", "est", "se", "z", "pvalue", "ci_lower",
                             "ci_upper", "std_all"]
    assert all(isinstance(r[k], float) for r in rows for k in ("est", "se", "z", "std_all"))


def test_json_key_is_present_without_correlated_residuals() -> None:
    res = run_command("cfa", DATA / "holzinger_swineford_1939.csv", DATA / "hs_cfa_model.txt")
    assert to_document(res)["cfa"]["residual_covariances"] == []
    assert "Residual covariances" not in _text(res)


def test_every_report_shows_the_residual_covariances(cfa, tmp_path) -> None:
    text = _text(cfa)
    assert "Residual covariances (CFA)" in text
    line = next(ln for ln in text.splitlines() if "y2" in ln and "y6" in ln)
    assert "0.356" in line  # the residual correlation (lavaan's std.all 0.356222)
    assert "# cfa_residual_covariances: Residual covariances (CFA)" in render_csv_stream(cfa)
    assert "Residual covariances (CFA)" in render_html(cfa)
    book = openpyxl.load_workbook(write_excel(cfa, tmp_path / "cfa.xlsx"))
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "Residual covariances (CFA)" in cells


def test_effects_rows_carry_delta_statistics(paths) -> None:
    rows = json.loads(render_json(paths))["effects"]
    assert [r["kind"] for r in rows] == ["indirect", "total", "defined", "defined"]
    for r in rows:
        assert r["se_method"] == "delta"
        for key in ("se", "z", "pvalue", "ci_lower", "ci_upper"):
            assert isinstance(r[key], float)
    assert [r["label"] for r in rows[2:]] == ["indirect", "total"]
    assert rows[2]["path"] == "a*b" and rows[2]["from"] is None
    text = _text(paths)
    assert "delta method" in text
    assert "c + a*b" in text
