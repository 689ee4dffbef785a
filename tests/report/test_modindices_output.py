"""Modification indices in the run's output: the JSON key, the console table with its
caution, ``--modindices K``, the CSV/Excel/HTML tables, and the option's validation."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import DATA, load_json
from typer.testing import CliRunner

from cxsurvey.app.pipeline import run_command
from cxsurvey.cli import app
from cxsurvey.errors import InputError
from cxsurvey.options import DEFAULT_MODINDICES, Options
from cxsurvey.report.json_report import to_document
from cxsurvey.report.tables import build_tables

runner = CliRunner()
HS = [str(DATA / "holzinger_swineford_1939.csv"), "--model", str(DATA / "hs_cfa_model.txt")]
_ROW = re.compile(r"^\s*\S+\s+(=~|~~|~)\s+\S+\s+-?\d+\.\d+")


def _mi_rows(text: str) -> list[str]:
    """The printed rows of the modification-index table (``lhs op rhs MI ...``)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.strip() == "Modification indices (CFA)")
    rows = []
    for line in lines[start + 1:]:
        if _ROW.match(line):
            rows.append(line)
        elif rows and not line.strip():
            break
    return rows


@pytest.fixture(scope="module")
def hs_json() -> dict:
    result = runner.invoke(app, ["cfa", *HS, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_lists_every_index_largest_first(hs_json: dict) -> None:
    rows = hs_json["modification_indices"]
    lavaan = load_json("robust_reference.json")["hs_modindices"]["rows"]
    assert len(rows) == len(lavaan) == 54
    assert all(list(r) == ["lhs", "op", "rhs", "mi", "epc", "sepc_all"] for r in rows)
    mi = [r["mi"] for r in rows]
    assert mi == sorted(mi, reverse=True)
    top = rows[0]
    assert (top["lhs"], top["op"], top["rhs"]) == ("visual", "=~", "x9")
    assert top["mi"] == pytest.approx(lavaan[0]["mi"], rel=1e-4)


def test_console_shows_ten_with_the_caution_and_k_on_request() -> None:
    result = runner.invoke(app, ["cfa", *HS], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert len(_mi_rows(result.stdout)) == DEFAULT_MODINDICES == 10
    flat = " ".join(result.stdout.split())
    assert "capitalises on chance" in flat and "MacCallum, Roznowski & Necowitz 1992" in flat
    assert "The 10 largest of 54" in flat
    three = runner.invoke(app, ["cfa", *HS, "--modindices", "3"], env={"COLUMNS": "120"})
    assert three.exit_code == 0, three.output
    rows = _mi_rows(three.stdout)
    assert len(rows) == 3 and rows[0].split()[:3] == ["visual", "=~", "x9"]
    none = runner.invoke(app, ["cfa", *HS, "--modindices", "0"], env={"COLUMNS": "120"})
    assert none.exit_code == 0 and "Modification indices" not in none.stdout
    bad = runner.invoke(app, ["cfa", *HS, "--modindices", "-1"])
    assert bad.exit_code == 2


def test_every_table_format_has_them(tmp_path: Path) -> None:
    res = run_command("cfa", HS[0], HS[2])
    table = next(t for t in build_tables(res) if t.key == "cfa_modindices")
    assert len(table.frame) == 54 and any("capitalises on chance" in n for n in table.notes)
    out = tmp_path / "csv"
    result = runner.invoke(app, ["cfa", *HS, "--csv-dir", str(out),
                                 "--excel", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 0, result.output
    csv_rows = (out / "cfa_modindices.csv").read_text().splitlines()
    assert csv_rows[0].startswith("lhs,op,rhs,mi,epc,sepc_all") and len(csv_rows) == 55
    from openpyxl import load_workbook

    titles = [ws["A1"].value for ws in load_workbook(tmp_path / "r.xlsx").worksheets]
    assert any("Modification indices" in str(t) for t in titles), titles
    from cxsurvey.report.html.page import render_html

    page = render_html(res)
    assert 'data-key="cfa_modindices"' in page and "capitalises on chance" in page


def test_a_failure_is_a_warning_not_a_crash(monkeypatch) -> None:
    import cxsurvey.stats.cb.modindices as mod

    def boom(fit, data=None):
        raise ValueError("the information matrix is singular")

    monkeypatch.setattr(mod, "modification_indices", boom)
    res = run_command("cfa", HS[0], HS[2])
    assert res.cfa is not None and res.cfa.modification_indices is None
    assert any("modification indices not computed: the information matrix is singular" in w
               for w in res.warnings)
    doc = to_document(res)
    assert "modification_indices" not in doc
    assert not any(t.key == "cfa_modindices" for t in build_tables(res))


def test_paths_without_a_cfa_reports_the_structural_models_indices() -> None:
    res = run_command("paths", DATA / "political_democracy.csv", DATA / "pd_sem_model.txt",
                      method="cb")
    assert res.cfa is None
    rows = to_document(res)["modification_indices"]
    assert rows and rows[0]["mi"] == max(r["mi"] for r in rows)
    assert any(t.key == "sem_modindices_cb" for t in build_tables(res))


def test_modindices_option_is_validated() -> None:
    assert Options().modindices == 10
    assert Options(modindices=0).modindices == 0
    assert "modindices" not in Options(modindices=5).as_dict()  # display only
    for bad in (-1, 2.5, "3", True, None):
        with pytest.raises(InputError, match="modindices must be"):
            Options(modindices=bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="at least 0"):
        Options(modindices=-1)
