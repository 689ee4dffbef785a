"""The bundled sample end to end: PLS-SEM paths with 5,000 bootstrap resamples."""

from __future__ import annotations

import json
import os
import subprocess

import openpyxl
import pytest
from support import SAMPLES, cxsurvey_exe

pytestmark = pytest.mark.slow  # whole-sample runs: 5,000-resample subprocesses, CliRunner analyze

SURVEY = str(SAMPLES / "cx_journey.xlsx")
MODEL = str(SAMPLES / "cx_journey.toml")
CHAIN = ["Awareness", "Attention", "Assessment", "Decision", "Purchase", "Use", "Result",
         "Loyalty"]
ARGS = ("paths", SURVEY, "--model", MODEL, "--method", "pls", "--bootstrap", "5000",
        "--seed", "1")


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}  # a wide terminal: headers on one line
    proc = subprocess.run([*cxsurvey_exe(), *args], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(_run(*ARGS, "--format", "json").stdout)


def test_table5_layout_on_the_console_and_in_excel(tmp_path) -> None:
    out = _run(*ARGS, "--excel", str(tmp_path / "pls.xlsx"))
    text = out.stdout
    assert "Structural paths (PLS-SEM)" in text
    for header in ("From", "To", "Beta", "SD (bootstrap)", "T", "p", "95% CI low",
                   "Supported"):
        assert header in text
    assert "7/7 PLS-SEM paths supported" in text
    ws = openpyxl.load_workbook(tmp_path / "pls.xlsx")["Structural paths (PLS-SEM)"]
    header = [c.value for c in ws[2]]
    assert header[:6] == ["From", "To", "Beta", "SD (bootstrap)", "T", "p"]
    col = header.index("Supported")
    rows = list(ws.iter_rows(min_row=3, max_row=9, values_only=True))
    assert [r[col] for r in rows] == ["yes"] * 7


def test_seven_chain_paths_significant_in_json(doc: dict) -> None:
    paths = {(p["from"], p["to"]): p for p in doc["paths"]}
    assert set(paths) == set(zip(CHAIN, CHAIN[1:], strict=False))
    for p in paths.values():
        assert p["method"] == "pls"
        assert p["est"] > 0 and p["pvalue"] < 0.05 and p["ci_lower"] > 0
        assert p["t"] == pytest.approx(p["est"] / p["se"], rel=1e-9)
    info = doc["structural"][0]["bootstrap"]
    assert info["requested"] == 5000 and info["used"] + info["failed"] == 5000
    assert {r["construct"] for r in doc["r2"]} == set(CHAIN[1:])
    rel = {r["construct"]: r for r in doc["pls"]["reliability"]}
    assert set(rel) == set(CHAIN) and all(r["rho_a"] > 0 for r in rel.values())


def test_same_seed_same_output(doc: dict) -> None:
    again = json.loads(_run(*ARGS, "--format", "json").stdout)
    assert again == doc


@pytest.mark.parametrize(("method", "expected"), [("pls", {"pls"}), ("both", {"cb", "pls"}),
                                                   ("cb", {"cb"}), ("none", set())])
def test_analyze_runs_the_requested_method(method: str, expected: set[str]) -> None:
    from typer.testing import CliRunner

    from cxsurvey.cli import app

    result = CliRunner().invoke(app, ["analyze", SURVEY, "--model", MODEL, "--method", method,
                                      "--bootstrap", "100", "--seed", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert {p["method"] for p in got.get("paths", [])} == expected
    assert ("pls" in got) == ("pls" in expected)
    assert ("cfa" in got) == ("cb" in expected)
    if "pls" in expected:
        assert got["meta"]["options"]["bootstrap"] == 100
        assert got["structural"][-1]["bootstrap"]["requested"] == 100
