"""SIGINT and SIGTERM stop `cxsurvey batch`: exit 130/143 within 5 s, no process left,
no partial report, a summary of the files done marked interrupted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support import SAMPLES, cxsurvey_exe, make_survey

from cxsurvey.app.batch import Interrupts, plan_jobs, run_batch
from cxsurvey.options import Method, Options
from cxsurvey.report import files
from cxsurvey.report.batch_report import batch_document, write_batch_excel, write_batch_json
from cxsurvey.results import BatchResult, FileOutcome

N_FILES = 40


@pytest.fixture(scope="module")
def surveys(tmp_path_factory) -> Path:
    """40 CSV copies of the sample workbook (157 respondents, analysed with its model:
    CFA and CB paths, about a second each)."""
    folder = tmp_path_factory.mktemp("interrupt") / "in"
    folder.mkdir()
    frame = pd.read_excel(SAMPLES / "cx_journey.xlsx", engine="openpyxl")
    for k in range(N_FILES):
        frame.to_csv(folder / f"wave{k:02d}.csv", index=False)
    return folder


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _interrupt(surveys: Path, out: Path, sig: signal.Signals, jobs: int,
               whole_group: bool) -> tuple[int, float, str, bool]:
    """Start the batch in its own session, send ``sig`` once the first report is written
    (to the whole process group, as a terminal's Ctrl-C does, or to the command alone, as
    ``kill PID``); return the exit code, the seconds from signal to exit, stderr, and
    whether any process of the group outlived the command."""
    proc = subprocess.Popen(
        [*cxsurvey_exe(), "batch", str(surveys), "--model", str(SAMPLES / "cx_journey.toml"),
         "--out-dir", str(out), "--jobs", str(jobs), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while not (out.is_dir() and any(p.suffix == ".json" and not p.name.startswith(".")
                                        for p in out.iterdir())):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "no report within 180 s"
            time.sleep(0.05)
        sent = time.monotonic()
        if whole_group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=5)
        elapsed = time.monotonic() - sent
        survivors = _group_alive(proc.pid)
    finally:
        if proc.poll() is None or _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode, elapsed, err, survivors


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "jobs", "whole_group"), [
    (signal.SIGINT, 2, True),     # Ctrl-C in a terminal: the whole foreground group
    (signal.SIGTERM, 2, False),   # kill PID: the workers must not outlive the command
    (signal.SIGINT, 1, False),    # in-process: the file being analysed is aborted
    (signal.SIGTERM, 1, True),
], ids=["sigint-group-jobs2", "sigterm-parent-jobs2", "sigint-parent-jobs1",
        "sigterm-group-jobs1"])
def test_signal_stops_the_batch(surveys, tmp_path, sig, jobs, whole_group) -> None:
    out = tmp_path / "out"
    code, elapsed, err, survivors = _interrupt(surveys, out, sig, jobs, whole_group)
    assert code == 128 + sig.value, err
    assert elapsed < 5, elapsed
    assert not survivors  # no worker outlived the command (its process group is empty)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    line = re.search(rf"cxsurvey: interrupted by {sig.name}: (\d+) of {N_FILES} files done; "
                     r"summary written to (.+summary\.json)", err)
    assert line, err
    # no temporary or otherwise partial file: every report parses
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")], names
    for p in out.glob("*.json"):
        json.loads(p.read_text(encoding="utf-8"))
    for p in out.glob("*.xlsx"):
        openpyxl.load_workbook(p, read_only=True).close()
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert doc["interrupted"] is True and doc["signal"] == sig.name
    assert doc["meta"]["exit_code"] == 128 + sig.value
    assert len(doc["files"]) == N_FILES == doc["meta"]["n_files"]
    done = [f for f in doc["files"] if f["status"] != "cancelled"]
    assert doc["n_done"] == len(done) == int(line.group(1)) < N_FILES
    assert doc["meta"]["counts"]["cancelled"] == N_FILES - len(done)
    assert Path(line.group(2)) == out / "summary.json"
    for f in done:  # a file counted as done has its reports
        assert f["status"] == "ok", f
        assert all(Path(r).is_file() for r in f["reports"].values())
    about = dict(openpyxl.load_workbook(out / "summary.xlsx")["About"].iter_rows(
        values_only=True))
    assert about["Interrupted"].startswith(f"by {sig.name}: {len(done)} of {N_FILES}")


@pytest.mark.slow
def test_no_process_of_the_run_survives(surveys, tmp_path) -> None:
    """SIGTERM to the command alone, with workers busy: its process group empties."""
    proc = subprocess.Popen(
        [*cxsurvey_exe(), "batch", str(surveys), "--model", str(SAMPLES / "cx_journey.toml"),
         "--out-dir", str(tmp_path / "out"), "--jobs", "2", "--quiet", "--no-excel"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while len(_children(proc.pid)) < 2:  # both workers started
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=5)
        assert proc.returncode == 143
        assert not _group_alive(proc.pid)
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(c) for c in path.read_text().split()]
    except OSError:
        return []


def test_interrupted_in_process_run_lists_the_rest_as_cancelled(tmp_path) -> None:
    """A signal during the in-process run (``--jobs 1``): the file done stays, the rest
    are cancelled, and the previous signal handlers are back afterwards."""
    paths = []
    for k in range(3):
        paths.append(tmp_path / f"w{k}.csv")
        make_survey(n=60, seed=k + 1).to_csv(paths[-1], index=False)
    out = tmp_path / "out"
    out.mkdir()
    jobs = plan_jobs(paths, None, out, ("json",))
    before = signal.getsignal(signal.SIGINT)

    def progress(outcome: FileOutcome, done: int, total: int) -> None:
        os.kill(os.getpid(), signal.SIGINT)

    result = run_batch(jobs, Method.none, Options(), workers=1, progress=progress)
    assert signal.getsignal(signal.SIGINT) is before
    assert result.interrupted == "SIGINT" and result.exit_code == 130
    assert [f.status for f in result.files] == ["ok", "cancelled", "cancelled"]
    assert [f.file for f in result.done] == [str(paths[0])]
    assert sorted(p.name for p in out.iterdir()) == ["w0.json"]


def test_signal_before_the_run_stops_it_at_once(tmp_path) -> None:
    path = tmp_path / "w.csv"
    make_survey(n=60).to_csv(path, index=False)
    jobs = plan_jobs([path], None, tmp_path / "out", ("json",))
    with Interrupts() as interrupts:
        os.kill(os.getpid(), signal.SIGTERM)  # recorded, not fatal
        result = run_batch(jobs, Method.none, Options(), workers=1, interrupts=interrupts)
    assert interrupts.name == "SIGTERM" and result.exit_code == 143
    assert [f.status for f in result.files] == ["cancelled"]


def test_interrupted_summary_keys(tmp_path) -> None:
    ok = FileOutcome("a.csv", None, "inferred", n_rows=10, reports={"json": "a.json"})
    bad = FileOutcome("b.csv", None, "inferred", status="error", exit_code=2, error="bad")
    rest = FileOutcome("c.csv", None, "inferred", status="cancelled")
    batch = BatchResult((ok, bad, rest), tmp_path, {"seed": 1}, 2, 1.5, interrupted="SIGTERM")
    doc = batch_document(batch)
    assert doc["interrupted"] is True and doc["signal"] == "SIGTERM" and doc["n_done"] == 2
    assert doc["meta"]["exit_code"] == 143 and doc["meta"]["n_files"] == 3
    assert doc["meta"]["counts"] == {"ok": 1, "error": 1, "cancelled": 1}
    assert [f["status"] for f in doc["files"]] == ["ok", "error", "cancelled"]
    assert batch.failed == [bad]  # a cancelled file is not reported as an error
    whole = BatchResult((ok, bad), tmp_path, {}, 1, 1.0)
    plain = batch_document(whole)
    assert plain["interrupted"] is False and plain["signal"] is None
    assert plain["meta"]["exit_code"] == 2
    assert set(plain) == {"meta", "interrupted", "signal", "n_done", "files"}
    write_batch_json(batch, tmp_path / "summary.json")
    write_batch_excel(batch, tmp_path / "summary.xlsx")
    assert json.loads((tmp_path / "summary.json").read_text()) == doc
    about = dict(openpyxl.load_workbook(tmp_path / "summary.xlsx")["About"].iter_rows(
        values_only=True))
    assert about["Interrupted"] == "by SIGTERM: 2 of 3 files done"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json", "summary.xlsx"]


def test_temp_files_of_a_report(tmp_path) -> None:
    report = tmp_path / "w.xlsx"
    stray = [tmp_path / ".w.xlsx.abc123.tmp", tmp_path / ".w.xlsx.zz.tmp"]
    keep = [tmp_path / ".w.json.abc.tmp", tmp_path / "w.xlsx.tmp", tmp_path / "notes.tmp"]
    for p in stray + keep:
        p.write_text("x")
    assert files.temp_files(report) == sorted(stray)
    assert sorted(files.remove_temp_files([report])) == sorted(stray)
    assert sorted(tmp_path.iterdir()) == sorted(keep)
