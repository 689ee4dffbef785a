"""`cxsurvey batch`: many files, sidecar models, per-file reports, summary, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import openpyxl
import pytest
import xmlschema
from support import DATA, SAMPLES, cxsurvey_exe, make_survey
from typer.testing import CliRunner

from cxsurvey.app.batch import expand_inputs, plan_jobs, sidecar_model
from cxsurvey.cli import app
from cxsurvey.errors import InputError


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """The two sample workbooks with their sidecar models, plus a truncated workbook."""
    d = tmp_path_factory.mktemp("batch") / "in"
    d.mkdir()
    for name in ("cx_journey.xlsx", "cx_journey.toml", "cx_journey_messy.xlsx",
                 "cx_journey_messy.toml"):
        shutil.copy(SAMPLES / name, d / name)
    (d / "broken.xlsx").write_bytes((SAMPLES / "cx_journey.xlsx").read_bytes()[:3000])
    return d


@pytest.fixture(scope="module")
def ran(folder):
    """The run as a user types it: the installed command over a glob."""
    out = folder.parent / "out"
    proc = subprocess.run(
        [*cxsurvey_exe(), "batch", str(folder / "*.xlsx"), "--out-dir", str(out),
         "--jobs", "2"], capture_output=True, text=True, timeout=600,
        env={**os.environ, "COLUMNS": "160"})
    return proc, out


@pytest.mark.slow
def test_exit_code_and_stderr_name_the_corrupt_file(ran) -> None:
    proc, _ = ran
    assert proc.returncode == 2, proc.stderr  # documented: the highest per-file code
    assert "broken.xlsx" in proc.stderr and "not a readable Excel workbook" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "cx_journey_messy.xlsx" in proc.stdout


@pytest.mark.slow
def test_per_file_reports_use_each_files_sidecar_model(ran) -> None:
    _, out = ran
    for stem in ("cx_journey", "cx_journey_messy"):
        doc = json.loads((out / f"{stem}.json").read_text())
        assert doc["meta"]["model"].endswith(f"{stem}.toml")
        assert doc["meta"]["n_rows"] == 157 and "cfa" in doc and doc["paths"]
        wb = openpyxl.load_workbook(out / f"{stem}.xlsx", read_only=True)
        assert "Summary" in wb.sheetnames and "About" in wb.sheetnames
    assert not (out / "broken.json").exists() and not (out / "broken.xlsx").exists()


@pytest.mark.slow
def test_summary_json_and_workbook(ran) -> None:
    _, out = ran
    doc = json.loads((out / "summary.json").read_text())
    assert doc["meta"]["exit_code"] == 2 and doc["meta"]["n_files"] == 3
    assert doc["meta"]["jobs"] == 2
    by = {f["file"].rsplit("/", 1)[-1]: f for f in doc["files"]}
    assert list(by) == ["broken.xlsx", "cx_journey.xlsx", "cx_journey_messy.xlsx"]
    bad = by["broken.xlsx"]
    assert bad["status"] == "error" and bad["exit_code"] == 2
    assert "corrupt or truncated" in bad["error"]
    good = by["cx_journey.xlsx"]
    per_file = json.loads((out / "cx_journey.json").read_text())
    assert good["model_source"] == "sidecar" and good["n_rows"] == 157
    assert {r["construct"]: r["alpha"] for r in good["reliability"]} == {
        r["construct"]: r["alpha"] for r in per_file["reliability"]}
    assert good["fit"]["cfi"] == per_file["cfa"]["fit"]["cfi"]
    assert len(good["paths"]) == 7
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames == ["Files", "Reliability", "Fit", "Paths", "Failed checks", "About"]
    files = list(wb["Files"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in files] == ["error", "ok", "ok"]
    assert "corrupt or truncated" in files[0][3]
    rel = list(wb["Reliability"].iter_rows(min_row=2, values_only=True))
    assert len(rel) == 16 and {r[0] for r in rel} == {"cx_journey.xlsx",
                                                       "cx_journey_messy.xlsx"}


@pytest.mark.slow
def test_fail_on_gives_exit_1_and_lists_failed_checks(tmp_path) -> None:
    good = tmp_path / "good.csv"
    make_survey(n=250, seed=4).to_csv(good, index=False)
    gone = tmp_path / "gone.csv"
    weak = make_survey(n=250, seed=5)
    rng = np.random.default_rng(9)
    eta = rng.standard_normal(250)
    for j in range(1, 5):  # Cc: a weak common factor (loadings .35), alpha far below .60
        x = 0.35 * eta + np.sqrt(1 - 0.35**2) * rng.standard_normal(250)
        weak[f"Cc{j}"] = np.searchsorted([-1.5, -0.6, 0.2, 1.0], x) + 1
    weak.to_csv(tmp_path / "weak.csv", index=False)
    gone.write_text("")  # empty: an input error in the JUnit too
    res = CliRunner().invoke(app, ["batch", str(good), str(tmp_path / "weak.csv"), str(gone),
                                   "--out-dir", str(tmp_path / "o"), "--jobs", "1",
                                   "--fail-on", "lenient", "--format", "json", "--html",
                                   "--junit", str(tmp_path / "checks.xml")])
    assert res.exit_code == 2, res.output  # the empty file (2) outranks failed checks (1)
    xml = (tmp_path / "checks.xml").read_text()
    xmlschema.XMLSchema(str(DATA / "junit.xsd")).validate(xml)
    root = ET.fromstring(xml)
    assert [s.get("errors") for s in root] == ["0", "0", "1"]
    assert int(root.get("failures")) > 0
    assert (tmp_path / "o" / "weak.html").read_text().count('class="likert-chart"') == 1
    doc = json.loads(res.stdout)
    status = {f["file"].rsplit("/", 1)[-1]: f["status"] for f in doc["files"]}
    assert status["weak.csv"] == "checks failed" and status["gone.csv"] == "error"
    weak_checks = next(f for f in doc["files"] if f["file"].endswith("weak.csv"))
    assert any(c["construct"] == "Cc" for c in weak_checks["failed_checks"])


def test_expand_inputs_folders_globs_and_lock_files(tmp_path) -> None:
    for name in ("a.csv", "b.xlsx", "notes.txt", "~$b.xlsx", "m.toml"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand_inputs([tmp_path])] == ["a.csv", "b.xlsx"]
    assert [p.name for p in expand_inputs([str(tmp_path / "*.xlsx")])] == ["b.xlsx"]
    assert len(expand_inputs([tmp_path / "a.csv", tmp_path])) == 2  # no duplicates
    with pytest.raises(InputError, match="no survey file matches"):
        expand_inputs([str(tmp_path / "*.sav")])


def test_sidecar_and_report_names(tmp_path) -> None:
    (tmp_path / "w1.csv").write_text("x")
    (tmp_path / "w1.toml").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "w1.csv").write_text("x")
    assert sidecar_model(tmp_path / "w1.csv") == tmp_path / "w1.toml"
    jobs = plan_jobs([tmp_path / "w1.csv", tmp_path / "sub" / "w1.csv"], None, tmp_path / "out")
    assert [j.model_source for j in jobs] == ["sidecar", "inferred"]
    assert [j.reports["json"].name for j in jobs] == ["w1.json", "w1-2.json"]


def test_refuses_to_write_reports_over_inputs(tmp_path) -> None:
    src = tmp_path / "wave.xlsx"
    shutil.copy(SAMPLES / "cx_journey.xlsx", src)
    res = CliRunner().invoke(app, ["batch", str(src), "--out-dir", str(tmp_path)])
    assert res.exit_code == 2
    assert "would overwrite an input file" in res.stderr
    assert src.read_bytes() == (SAMPLES / "cx_journey.xlsx").read_bytes()


def test_rules_judge_every_file_without_gating(tmp_path) -> None:
    """``--rules`` sets the cut-offs of every file's summary and flags; the exit code
    stays 0 (only ``--fail-on`` gates)."""
    path = tmp_path / "wave.csv"
    frame = make_survey(n=120, seed=4)
    rng = np.random.default_rng(3)
    eta = rng.standard_normal(120)
    for j in range(1, 5):  # Cc: alpha between .60 and .70
        x = 0.55 * eta + np.sqrt(1 - 0.55**2) * rng.standard_normal(120)
        frame[f"Cc{j}"] = np.searchsorted([-1.5, -0.6, 0.2, 1.0], x) + 1
    frame.to_csv(path, index=False)
    docs = {}
    for rules in ("default", "lenient"):
        out = tmp_path / rules
        res = CliRunner().invoke(app, ["batch", str(path), "--out-dir", str(out), "--jobs",
                                       "1", "--rules", rules, "--no-excel", "--format",
                                       "json"])
        assert res.exit_code == 0, res.output
        docs[rules] = json.loads((out / "wave.json").read_text())
    alpha = {r["construct"]: r["alpha"] for r in docs["default"]["reliability"]}
    assert 0.60 <= alpha["Cc"] < 0.70, alpha
    strict = "\n".join(docs["default"]["summary"])
    lenient = "\n".join(docs["lenient"]["summary"])
    assert "2/3 constructs reach alpha >= .70" in strict and "below: Cc" in strict
    assert "All 3 constructs reliable" in lenient and ">= .60, Hair et al. 2019" in lenient
    assert "checks" not in docs["lenient"]
