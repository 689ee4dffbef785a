"""``cxsurvey polychoric`` and ``analyze --polychoric`` on the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
from support import SAMPLES, cxsurvey_exe
from typer.testing import CliRunner

from cxsurvey.cli import app

runner = CliRunner()
SAMPLE = [str(SAMPLES / "cx_journey.xlsx"), "-m", str(SAMPLES / "cx_journey.toml")]


def test_help() -> None:
    result = runner.invoke(app, ["polychoric", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--model", "--missing", "--format", "--excel", "--csv-dir", "--quiet"):
        assert option in result.stdout
    assert "lavCor" in result.stdout and "pairwise" in result.stdout
    assert "polychoric" in runner.invoke(app, ["--help"]).stdout
    assert "--polychoric" in runner.invoke(app, ["analyze", "--help"]).stdout


def test_json_and_reports(tmp_path: Path) -> None:
    excel, csv_dir = tmp_path / "poly.xlsx", tmp_path / "csv"
    result = runner.invoke(app, ["polychoric", *SAMPLE, "--format", "json", "--excel",
                                 str(excel), "--csv-dir", str(csv_dir)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc) == ["meta", "polychoric", "warnings", "summary"]
    assert list(doc["polychoric"])[:3] == ["items", "matrix", "thresholds"]
    assert len(doc["polychoric"]["matrix"]) == 33
    assert sorted(p.name for p in csv_dir.iterdir()) == ["polychoric.csv",
                                                         "polychoric_thresholds.csv"]
    sheets = openpyxl.load_workbook(excel, read_only=True).sheetnames
    assert {"Polychoric correlations", "Polychoric thresholds"} <= set(sheets)


def test_pairwise_and_bad_missing(survey_csv: Path) -> None:
    ok = runner.invoke(app, ["polychoric", str(survey_csv), "--missing", "PAIRWISE",
                             "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["polychoric"]["missing"] == "pairwise"
    bad = runner.invoke(app, ["polychoric", str(survey_csv), "--missing", "fiml"])
    assert bad.exit_code == 2


def test_table_and_quiet(survey_csv: Path) -> None:
    table = runner.invoke(app, ["polychoric", str(survey_csv)])
    assert table.exit_code == 0, table.output
    assert "Polychoric correlations" in table.stdout
    assert "Polychoric thresholds" in table.stdout
    quiet = runner.invoke(app, ["polychoric", str(survey_csv), "--quiet"])
    assert quiet.exit_code == 0 and "Polychoric thresholds" not in quiet.stdout


def test_analyze_runs_it_only_when_asked(survey_csv: Path) -> None:
    plain = runner.invoke(app, ["analyze", str(survey_csv), "--format", "json"])
    assert plain.exit_code == 0, plain.output
    assert "polychoric" not in json.loads(plain.stdout)
    asked = runner.invoke(app, ["analyze", str(survey_csv), "--polychoric", "--format", "json"])
    assert asked.exit_code == 0, asked.output
    doc = json.loads(asked.stdout)
    assert doc["polychoric"]["items"] == doc["meta"]["items"]
    assert "reliability" in doc
    table = runner.invoke(app, ["analyze", str(survey_csv), "--polychoric"])
    assert table.exit_code == 0, table.output
    assert "Polychoric correlations" in table.stdout  # asked for, so a key table
    assert "Polychoric" not in runner.invoke(app, ["analyze", str(survey_csv)]).stdout


@pytest.mark.slow
def test_installed_command(tmp_path: Path) -> None:
    proc = subprocess.run([*cxsurvey_exe(), "polychoric", *SAMPLE, "--format", "json"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["polychoric"]["n"][0][0] == 157
    missing = subprocess.run([*cxsurvey_exe(), "polychoric", "nope.xlsx"],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
