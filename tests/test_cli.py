"""CLI behaviour: Typer's CliRunner for the commands, real subprocesses for the script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import SAMPLES, cxsurvey_exe, make_survey
from typer.testing import CliRunner

from cxsurvey.cli import app

runner = CliRunner()
COMMANDS = ["analyze", "describe", "normality", "reliability", "cfa", "paths", "check", "batch",
            "init", "simulate", "polychoric"]


def test_every_command_has_help_text() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for cmd in COMMANDS:
        assert cmd in result.stdout
        sub = runner.invoke(app, [cmd, "--help"])
        assert sub.exit_code == 0, sub.stdout
        assert len(sub.stdout.split("\n\n")[1].strip()) > 20  # a real description


def test_analyze_table_output(survey_csv: Path) -> None:
    result = runner.invoke(app, ["analyze", str(survey_csv)])
    assert result.exit_code == 0, result.stdout
    lines = [line.strip() for line in result.stdout.splitlines()]
    for title in ("Reliability and convergent validity", "Item-total statistics"):
        assert title in lines
    assert "Summary" in result.stdout and "Aa1" in result.stdout
    full = runner.invoke(app, ["analyze", str(survey_csv), "--full"])
    assert full.exit_code == 0, full.stdout
    full_lines = [line.strip() for line in full.stdout.splitlines()]
    for title in ("Item descriptives", "Tests of normality (items)",
                  "Reliability and convergent validity", "Item-total statistics"):
        assert title in full_lines


def test_analyze_json_sections(survey_csv: Path) -> None:
    result = runner.invoke(app, ["analyze", str(survey_csv), "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert {"meta", "normality", "reliability", "item_stats", "descriptives"} <= set(doc)
    assert doc["meta"]["constructs"] == {
        "Aa": ["Aa1", "Aa2", "Aa3", "Aa4"], "Bb": ["Bb1", "Bb2", "Bb3", "Bb4"],
        "Cc": ["Cc1", "Cc2", "Cc3", "Cc4"]}
    assert doc["meta"]["n_rows"] == 80 and doc["meta"]["n_used"] == 80


@pytest.mark.parametrize("cmd,key,absent", [
    ("describe", "descriptives", "normality"),
    ("normality", "normality", "reliability"),
    ("reliability", "reliability", "normality"),
])
def test_single_section_commands(survey_csv: Path, cmd: str, key: str, absent: str) -> None:
    result = runner.invoke(app, [cmd, str(survey_csv), "-f", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert key in doc and absent not in doc


def test_pairwise_option_changes_n(tmp_path: Path) -> None:
    df = make_survey()
    df.loc[:9, "Aa1"] = None
    path = tmp_path / "gaps.csv"
    df.to_csv(path, index=False)
    lw = json.loads(runner.invoke(app, ["normality", str(path), "-f", "json"]).stdout)
    pw = json.loads(runner.invoke(app, ["normality", str(path), "-f", "json",
                                        "--missing", "pairwise"]).stdout)
    n_lw = {r["item"]: r["n"] for r in lw["normality"]}
    n_pw = {r["item"]: r["n"] for r in pw["normality"]}
    assert n_lw["Bb1"] == 70 and n_pw["Bb1"] == 80 and n_pw["Aa1"] == 70


def test_csv_stream_has_every_section(survey_csv: Path) -> None:
    result = runner.invoke(app, ["analyze", str(survey_csv), "--format", "csv"])
    assert result.exit_code == 0
    keys = [ln.split(":")[0][2:] for ln in result.stdout.splitlines() if ln.startswith("# ")]
    assert {"descriptives", "normality", "reliability", "item_stats"} <= set(keys)


def test_init_writes_editable_model(survey_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.toml"
    result = runner.invoke(app, ["init", str(survey_csv), "-o", str(out)])
    assert result.exit_code == 0, result.stdout
    text = out.read_text()
    assert "Aa =~ Aa1 + Aa2 + Aa3 + Aa4" in text and "scale = [1, 5]" in text
    again = runner.invoke(app, ["init", str(survey_csv), "-o", str(out)])
    assert again.exit_code == 2  # no silent overwrite
    used = runner.invoke(app, ["reliability", str(survey_csv), "-m", str(out), "-f", "json"])
    assert used.exit_code == 0
    assert [r["construct"] for r in json.loads(used.stdout)["reliability"]] == ["Aa", "Bb", "Cc"]


def test_report_never_overwrites_input(survey_csv: Path) -> None:
    before = survey_csv.read_bytes()
    result = runner.invoke(app, ["analyze", str(survey_csv), "--excel", str(survey_csv)])
    assert result.exit_code == 2
    assert survey_csv.read_bytes() == before


def _imported_modules(args: list[str]) -> set[str]:
    code = "\n".join([
        "import sys",
        "from cxsurvey.cli import main",
        f"sys.argv = ['cxsurvey', *{args!r}]",
        "try:",
        "    main()",
        "except SystemExit:",
        "    pass",
        "print('MODULES', ' '.join(sorted(m.split('.')[0] for m in sys.modules)))",
    ])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("MODULES"))
    return set(line.split()[1:])


@pytest.mark.parametrize("args", [["--help"], ["analyze", "--help"], ["check", "--help"],
                                  ["batch", "--help"]])
@pytest.mark.slow
def test_help_does_not_import_heavy_libraries(args: list[str]) -> None:
    mods = _imported_modules(args)
    assert "typer" in mods  # the probe works
    assert not mods & {"pandas", "semopy", "scipy", "numpy", "statsmodels", "pingouin"}


@pytest.mark.slow
def test_installed_command_runs_as_subprocess(survey_csv: Path) -> None:
    proc = subprocess.run([*cxsurvey_exe(), "analyze", str(survey_csv), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["normality"]) == 12
    version = subprocess.run([*cxsurvey_exe(), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("cxsurvey ")


def test_simulate_command(tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    args = ["simulate", str(SAMPLES / "cx_journey_population.toml"), "--n", "50",
            "--seed", "4", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stdout
    first = out.read_bytes()
    assert runner.invoke(app, args).exit_code == 0
    assert out.read_bytes() == first  # seeded: identical file


@pytest.mark.slow
def test_analyze_writes_every_report_in_one_run(tmp_path: Path) -> None:
    """The installed command: --excel, --html and --junit next to the console output."""
    out = {k: tmp_path / f"report.{k}" for k in ("xlsx", "html", "xml")}
    proc = subprocess.run(
        [*cxsurvey_exe(), "analyze", str(SAMPLES / "cx_journey.xlsx"), "--model",
         str(SAMPLES / "cx_journey.toml"), "--method", "both", "--bootstrap", "200",
         "--seed", "1", "--excel", str(out["xlsx"]), "--html", str(out["html"]),
         "--fail-on", "hu-bentler", "--junit", str(out["xml"])],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr  # the CFA fit passes Hu & Bentler
    assert "HTML report written to" in proc.stdout
    page = out["html"].read_text(encoding="utf-8")
    assert page.count('class="path-diagram"') == 2 and 'class="likert-chart"' in page
    assert "7/7 PLS-SEM paths supported" in page and "Quality checks" in page
    assert out["xlsx"].stat().st_size > 10_000 and out["xml"].read_text().count("<testcase") == 4
