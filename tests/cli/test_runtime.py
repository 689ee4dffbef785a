"""What every command shares: report paths are checked before the analysis runs."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cxsurvey.app import pipeline
from cxsurvey.cli import app


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--excel", "missing/report.xlsx", "the output folder does not exist"),
    ("--excel", "report.xls", "an Excel report must be an .xlsx file"),
    ("--html", "missing/report.html", "the output folder does not exist"),
    ("--html", "report.txt", "an HTML report must be an .html file"),
    ("--junit", "missing/checks.xml", "the output folder does not exist"),
])
def test_report_paths_are_refused_before_the_analysis(survey_csv, monkeypatch, tmp_path,
                                                       option, value, message) -> None:
    """An unwritable report path is an input error before any statistic is computed."""
    def never(*args, **kwargs):
        raise AssertionError("the analysis ran before the output path was checked")

    monkeypatch.setattr(pipeline, "analyse", never)
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["analyze", str(survey_csv), option, value])
    assert res.exit_code == 2, res.output
    assert message in res.stderr


def test_heavy_listwise_loss_hints_at_pairwise(tmp_path) -> None:
    import json

    import numpy as np
    from support import make_survey

    frame = make_survey(n=200, seed=8)
    rng = np.random.default_rng(1)
    items = [c for c in frame.columns if c[:2] in ("Aa", "Bb", "Cc")]
    for col in items:  # each item skipped by ~10%: few answer all twelve
        frame.loc[rng.random(200) < 0.12, col] = np.nan
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    doc = json.loads(CliRunner().invoke(app, ["describe", str(path), "--format",
                                              "json"]).stdout)
    complete = doc["meta"]["n_used"]
    assert complete < 0.8 * 200
    hint = [w for w in doc["warnings"] if "--missing pairwise" in w]
    assert hint and f"keeps {complete} of 200 respondents" in hint[0]
    per_item = int(np.median(frame[items].notna().sum()))
    assert f"about {per_item} per item" in hint[0]
    pairwise = json.loads(CliRunner().invoke(app, ["describe", str(path), "--missing",
                                                   "pairwise", "--format", "json"]).stdout)
    assert not [w for w in pairwise["warnings"] if "--missing pairwise" in w]


@pytest.mark.parametrize(("code", "reason"), [(28, "the disk is full"),
                                              (30, "the file system is read-only"),
                                              (13, "no permission to write there")])
def test_a_failed_report_write_is_an_input_error(survey_csv, tmp_path, monkeypatch,
                                                 code, reason) -> None:
    """A full disk or a read-only folder: exit 2 naming the path, no partial file, no
    traceback (the workbook is built in memory and written in one call)."""
    import errno
    from pathlib import Path

    assert errno.errorcode[code] in ("ENOSPC", "EROFS", "EACCES")

    def full(self, data):
        raise OSError(code, "simulated")

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "report.xlsx"
    res = CliRunner().invoke(app, ["describe", str(survey_csv), "--excel", str(out)])
    assert res.exit_code == 2, res.output
    assert f"cannot write the report: {reason}" in res.stderr and str(out) in res.stderr
    assert "Traceback" not in res.output and "Exception ignored" not in res.output
    assert not out.exists() and not list(tmp_path.glob(".report.xlsx.*"))
