"""Reports that cannot be written: exit 2 naming the path, and no report left behind,
whole or partial (:func:`cxsurvey.report.files.atomic_write`); an input is never
overwritten."""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bad_inputs.contract import (
    HEADER,
    fault,
    refused,
    rows,
    write_csv,
    write_model,
    write_xlsx,
)

pytestmark = pytest.mark.slow  # every case runs the installed command

ROOT = os.geteuid() == 0


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    write_model(tmp_path / "m.toml")
    return write_csv(tmp_path / "s.csv")


def test_a_report_into_a_missing_folder(survey: Path) -> None:
    line = refused("analyze", "s.csv", "--excel", "reports/r.xlsx", cwd=survey.parent, code=2,
                   names=["reports/r.xlsx"], outputs=["reports"])
    assert "folder does not exist" in line


def test_a_report_whose_parent_is_a_file(survey: Path) -> None:
    refused("analyze", "s.csv", "--html", "s.csv/r.html", cwd=survey.parent, code=2,
            names=["s.csv/r.html", "the output folder s.csv is a file"])


Faults = list[dict[str, object]]


@pytest.fixture(params=["system", "injected"])
def read_only(survey: Path, request: pytest.FixtureRequest) -> Iterator[tuple[str, Faults]]:
    """A folder ``ro`` this process cannot write into: the reason the message gives, and
    the faults to inject into the command.

    ``"system"``: mode 555, or, for root (whom permissions do not stop), a read-only
    tmpfs; where root cannot mount one, the command's own file creation fails instead,
    as ``"injected"`` does (EROFS, ``faults/sitecustomize.py``)."""
    out = survey.parent / "ro"
    out.mkdir()
    injected = ("the file system is read-only. choose another",
                [fault(out, errno.EROFS, "create")])
    if request.param == "injected":
        yield injected
    elif not ROOT:
        out.chmod(0o555)
        try:
            yield "no permission to write there. choose another", []
        finally:
            out.chmod(0o755)
    elif _mount(out, "ro,size=16k"):
        try:
            yield "the file system is read-only. choose another", []
        finally:
            subprocess.run(["umount", str(out)], check=False)
    else:
        yield injected


def _mount(folder: Path, options: str) -> bool:
    """Mount a tmpfs on ``folder`` (root only); False where the system refuses."""
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                         capture_output=True, text=True)
    return res.returncode == 0


def test_a_read_only_folder(survey: Path, read_only: tuple[str, Faults]) -> None:
    reason, faults = read_only
    line = refused("describe", "s.csv", "--excel", "ro/r.xlsx", cwd=survey.parent,
                   code=2, names=["ro/r.xlsx", "cannot write the report"],
                   outputs=["ro/r.xlsx"], faults=faults)
    assert reason in line.lower()


def test_a_folder_nobody_can_write_into(survey: Path) -> None:
    # /proc takes no new files, not even from root; the Excel report, written first,
    # must go too when the HTML report fails. Without Linux's /proc, a folder whose
    # file creation fails with EACCES stands in for it.
    if Path("/proc/self").is_dir():
        html, faults = "/proc/r.html", []
    else:
        (survey.parent / "locked").mkdir()
        html, faults = "locked/r.html", [fault(survey.parent / "locked", errno.EACCES,
                                               "create")]
    refused("analyze", "s.csv", "-m", "m.toml", "--method", "none", "--excel", "r.xlsx",
            "--html", html, cwd=survey.parent, code=2,
            names=[html, "cannot write the report"], outputs=["r.xlsx"], faults=faults)
    assert not Path("/proc/r.html").exists()


@pytest.mark.parametrize("out", ["s.xlsx", "sub/../s.xlsx"])
def test_the_report_path_is_the_input(tmp_path: Path, out: str) -> None:
    write_xlsx(tmp_path / "s.xlsx", [HEADER, *rows()])
    (tmp_path / "sub").mkdir()
    refused("describe", "s.xlsx", "--excel", out, cwd=tmp_path, code=2,
            names=[str(Path(out)), "refusing to overwrite an input file"])


def test_init_never_writes_the_model_over_the_survey(survey: Path) -> None:
    refused("init", "s.csv", "-o", "s.csv", "--force", cwd=survey.parent, code=2,
            names=["s.csv", "refusing to overwrite an input file"])


def test_the_junit_path_is_the_model(survey: Path) -> None:
    refused("check", "s.csv", "-m", "m.toml", "--junit", "m.toml", cwd=survey.parent, code=2,
            names=["m.toml", "refusing to overwrite an input file"])


def test_a_csv_dir_that_is_a_file(survey: Path) -> None:
    (survey.parent / "tables").write_text("not a folder\n", encoding="utf-8")
    refused("describe", "s.csv", "--csv-dir", "tables", cwd=survey.parent, code=2,
            names=["tables", "not a folder"])


@pytest.fixture(params=["system", "injected"])
def tiny_disk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Path, Faults]]:
    """A folder ``disk`` with room for the Excel report, not for the HTML report after
    it, and the faults to inject into the command.

    ``"system"``: a 64 KiB tmpfs (root); where no tmpfs can be mounted (not root, or a
    container that refuses), every write into the folder fails with ENOSPC instead, as
    ``"injected"`` does (``faults/sitecustomize.py``)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if request.param == "system" and ROOT and _mount(disk, "size=64k"):
        try:
            yield disk, []
        finally:
            subprocess.run(["umount", str(disk)], check=False)
    else:
        yield disk, [fault(disk, errno.ENOSPC, "write")]


def test_a_full_disk(survey: Path, tiny_disk: tuple[Path, Faults]) -> None:
    disk, faults = tiny_disk
    refused("analyze", "s.csv", "--method", "none", "--excel", "disk/r.xlsx",
            "--html", "disk/r.html", cwd=survey.parent, code=2,
            names=["disk/r", "the disk is full"], faults=faults)
    assert list(disk.iterdir()) == []


def _small_files() -> None:
    # a file may not grow beyond 20 kB: the write fails with EFBIG instead of a signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_a_report_larger_than_allowed(survey: Path) -> None:
    refused("analyze", "s.csv", "--method", "none", "--excel", "r.xlsx", "--html", "r.html",
            cwd=survey.parent, code=2, names=["r.xlsx", "cannot write the report"],
            outputs=["r.xlsx", "r.html"], preexec_fn=_small_files)
