"""`cxsurvey check` and `analyze --fail-on`: exit codes, JSON checks, JUnit XML."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET

import junitparser
import numpy as np
import pytest
import xmlschema
from support import DATA, SAMPLES, cxsurvey_exe, make_survey
from typer.testing import CliRunner

from cxsurvey.cli import app

SURVEY = str(SAMPLES / "cx_journey.xlsx")
MODEL = str(SAMPLES / "cx_journey.toml")
CONTRACT_KEYS = {"name", "construct", "value", "threshold", "passed"}


@pytest.fixture(scope="module")
def unreliable(tmp_path_factory) -> str:
    """Aa, Bb reliable; Cc answered at random, so its alpha fails any rule set."""
    frame = make_survey(n=200, seed=11)
    rng = np.random.default_rng(5)
    for j in range(1, 5):
        frame[f"Cc{j}"] = rng.integers(1, 6, 200)
    path = tmp_path_factory.mktemp("check") / "unreliable.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_unreliable_construct_exits_1_naming_construct_and_threshold(unreliable) -> None:
    res = _invoke("check", unreliable, "--rules", "lenient")
    assert res.exit_code == 1, res.output
    out = res.stdout
    assert "min_alpha" in out and "Cc" in out and ">= 0.6" in out
    assert "Hair et al. 2019" in out and "FAIL" in out


def test_json_checks_follow_the_contract(unreliable) -> None:
    res = _invoke("check", unreliable, "--format", "json", "--min-alpha", "0.7")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["checks"] and all(set(c) >= CONTRACT_KEYS for c in doc["checks"])
    assert all(isinstance(c["passed"], bool) for c in doc["checks"])
    failed = [c for c in doc["checks"] if c["name"] == "min_alpha" and not c["passed"]]
    assert [c["construct"] for c in failed] == ["Cc"]
    assert failed[0]["threshold"] == 0.7 and failed[0]["citation"] == "Nunnally & Bernstein 1994"
    assert doc["checks_summary"]["passed"] is False
    # PLS only
    assert {s["name"] for s in doc["checks_skipped"]} == {"max_vif", "min_rho_a",
                                                          "max_htmt_upper"}


def test_thresholds_that_hold_exit_0(unreliable) -> None:
    res = _invoke("check", unreliable, "--rules", "hu-bentler", "--max-rmsea", "0.2",
                  "--min-cfi", "0.5", "--min-tli", "0.5")
    assert res.exit_code == 0, res.output
    assert "All 4 quality checks passed" in res.stdout


def test_model_file_checks_table_applies(tmp_path, unreliable) -> None:
    model = tmp_path / "m.toml"
    syntax = "".join(f"{c} =~ " + " + ".join(f"{c}{j}" for j in range(1, 5)) + "\n"
                     for c in ("Aa", "Bb"))
    model.write_text(f'[model]\nsyntax = """\n{syntax}"""\n[checks]\nrules = "hu-bentler"\n'
                     "min_alpha = 0.5\n")
    res = _invoke("check", unreliable, "--model", str(model), "--format", "json")
    doc = json.loads(res.stdout)
    names = {c["name"] for c in doc["checks"]}
    assert names == {"min_alpha", "min_cfi", "min_tli", "max_rmsea", "max_srmr"}
    assert doc["checks_summary"]["rule_set"] == "hu-bentler"
    assert res.exit_code == (0 if doc["checks_summary"]["passed"] else 1)


def test_junit_validates_and_counts_match(unreliable, tmp_path) -> None:
    res = _invoke("check", unreliable, "--format", "junit", "--rules", "default")
    assert res.exit_code == 1
    xml = res.stdout
    xmlschema.XMLSchema(str(DATA / "junit.xsd")).validate(xml)  # raises when invalid
    path = tmp_path / "checks.xml"
    path.write_text(xml)
    parsed = junitparser.JUnitXml.fromfile(str(path))
    suites = list(parsed)
    assert len(suites) == 1
    suite = suites[0]
    cases = list(suite)
    failed = [c for c in cases if c.result and isinstance(c.result[0], junitparser.Failure)]
    skipped = [c for c in cases if c.result and isinstance(c.result[0], junitparser.Skipped)]
    assert suite.tests == len(cases) and suite.failures == len(failed) > 0
    # max_vif, min_rho_a and max_htmt_upper: no PLS model ran
    assert suite.skipped == len(skipped) == 3
    names = [c.name for c in failed]
    assert any(n.startswith("min_alpha >= 0.7: Cc") for n in names)
    assert any("Nunnally & Bernstein 1994" in c.result[0].message for c in failed)
    json_doc = json.loads(_invoke("check", unreliable, "--format", "json").stdout)
    assert suite.tests == len(json_doc["checks"]) + len(skipped)
    assert suite.failures == sum(not c["passed"] for c in json_doc["checks"])
    # the same run gives the same bytes (no time stamp)
    assert _invoke("check", unreliable, "--format", "junit").stdout == xml


def test_analyze_fail_on(unreliable, tmp_path) -> None:
    junit = tmp_path / "gate.xml"
    res = _invoke("analyze", unreliable, "--fail-on", "lenient", "--format", "json",
                  "--junit", str(junit))
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert "normality" in doc and "checks" in doc  # the whole analysis and the gate
    root = ET.parse(junit).getroot()
    assert int(root.get("failures")) == sum(not c["passed"] for c in doc["checks"])
    plain = _invoke("analyze", unreliable, "--format", "json")
    assert plain.exit_code == 0 and "checks" not in json.loads(plain.stdout)


@pytest.mark.parametrize(("args", "needle"), [
    (("--rules", "strictest"), "unknown rule set 'strictest'"),
    (("--rules", "missing.toml"), "rules file not found"),
])
def test_bad_rules_exit_2(unreliable, args, needle) -> None:
    res = _invoke("check", unreliable, *args)
    assert res.exit_code == 2
    assert needle in res.stderr


@pytest.mark.slow
def test_readme_ci_snippet_runs_on_the_sample(tmp_path) -> None:
    """The README's CI step (installed command, real subprocess) passes on the sample."""
    out = tmp_path / "cxsurvey-checks.xml"
    proc = subprocess.run([*cxsurvey_exe(), "check", SURVEY, "--model", MODEL, "--rules",
                           "hu-bentler", "--min-alpha", "0.7", "--junit", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PASS" in proc.stdout
    root = ET.parse(out).getroot()
    assert root.get("failures") == "0" and int(root.get("tests")) == 12
    readme = (SAMPLES.parent / "README.md").read_text()
    assert "--rules hu-bentler --min-alpha 0.7 --junit cxsurvey-checks.xml" in readme


@pytest.mark.slow
def test_default_rules_on_the_sample_fail_on_ave_and_loadings() -> None:
    """The sample's data decide: three AVEs < .50 and 16 loadings < .708 (exit 1)."""
    proc = subprocess.run([*cxsurvey_exe(), "check", SURVEY, "--model", MODEL, "--format",
                           "json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    failed = [c for c in json.loads(proc.stdout)["checks"] if not c["passed"]]
    assert {c["construct"] for c in failed if c["name"] == "min_ave"} == {
        "Awareness", "Attention", "Decision"}
    assert all(c["name"] in ("min_ave", "min_loading") for c in failed)
