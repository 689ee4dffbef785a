"""Bad option values: exit 2 and one line naming the option and what it accepts, as
every other input error (not click's usage block)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs.contract import PREFIX, refused, write_csv, write_model
from typer.testing import CliRunner

from cxsurvey.cli import app


@pytest.mark.parametrize(("args", "names"), [
    (["analyze", "--bootstrap", "1"], ["'--bootstrap'", "greater than or equal to 2"]),
    (["paths", "--method", "pls", "--bootstrap", "1000000000"],
     ["'--bootstrap'", "less than or equal to 100000"]),
    (["cfa", "--se", "bootstrap", "--bootstrap", "many"], ["'--bootstrap'", "integer"]),
    (["analyze", "--seed", "-1"], ["'--seed'", "greater than or equal to 0"]),
    (["analyze", "--method", "sem"], ["'--method'", "'sem' is not one of", "'pls'"]),
    (["describe", "--missing", "ML"], ["'--missing'", "'ML'", "'pairwise'", "'fiml'"]),
    (["paths", "--method", "pls", "--missing", "fiml"],
     ["--missing fiml applies to covariance-based models", "--method cb"]),
    (["cfa", "--missing", "fiml", "--estimator", "mlm"], ["MLM needs complete data",
                                                          "--estimator mlr"]),
    (["cfa", "--missing", "fiml", "--se", "bootstrap"], ["--se bootstrap cannot be combined"]),
    (["reliability", "--format", "xml"], ["'--format'", "'xml'", "'json'"]),
    (["cfa", "--se", "robust"], ["'--se'", "'robust'", "'bootstrap'"]),
    (["paths", "--method", "pls", "--scheme", "pathx"], ["'--scheme'", "'factorial'"]),
    (["cfa", "--loading-threshold", "1.5"], ["'--loading-threshold'"]),
    (["analyze", "--bootsrap", "100"], ["No such option: --bootsrap", "--bootstrap"]),
    (["paths", "--method", "none"], ["paths --method must be cb, pls or both"]),
    (["analyze", "--rules", "lenient", "--fail-on", "default"], ["two rule sets"]),
    (["check", "--rules", "strictest"], ["strictest"]),
])
@pytest.mark.slow
def test_a_bad_option_value(tmp_path: Path, args: list[str], names: list[str]) -> None:
    write_csv(tmp_path / "s.csv")
    write_model(tmp_path / "m.toml")
    command, *rest = args
    refused(command, "s.csv", "-m", "m.toml", *rest, "--excel", "r.xlsx", cwd=tmp_path,
            code=2, names=names, outputs=["r.xlsx"])


@pytest.mark.slow
def test_a_missing_survey_argument(tmp_path: Path) -> None:
    refused("describe", cwd=tmp_path, code=2, names=["Missing argument", "describe --help"])


@pytest.mark.slow
def test_an_unknown_command(tmp_path: Path) -> None:
    refused("analyse", "s.csv", cwd=tmp_path, code=2, names=["No such command 'analyse'"])


@pytest.mark.parametrize("args", [["analyze", "s.csv", "--bootstrap", "1"],
                                  ["describe", "s.csv", "--missing", "ml"],
                                  ["cfa", "s.csv", "-m", "m.toml", "--nope"],
                                  ["nocommand"]])
def test_usage_errors_are_one_line_in_process(tmp_path: Path, args: list[str]) -> None:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(PREFIX), res.stderr
    assert "Usage:" not in res.output and res.stdout == ""


def test_help_and_version_still_exit_0() -> None:
    for args in (["--help"], ["analyze", "--help"], ["--version"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0 and res.stdout.strip() and not res.stderr, args
