"""The bad-input contract, checked on the installed command run as a subprocess.

A refused input exits with the code of README's exit-code table (2: the input is wrong,
3: the data cannot be analysed) and prints exactly one stderr line, ``cxsurvey: error:
...`` (:func:`cxsurvey.cli.runtime.fail`), naming the file and, where it applies, the
sheet, row and column; never a traceback. No report asked for is left behind, whole or
partial, nor a temporary file, and no file of the run's folder is changed.

Each case builds its input in ``tmp_path`` at test time: small surveys written here, or
copies of ``sample_surveys/``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import openpyxl
from support import cxsurvey_exe

HEADER = ("id", "Sat1", "Sat2", "Sat3", "Loy1", "Loy2", "Loy3", "Comment")
MODEL = '''[data]
scale = [1, 5]

[model]
syntax = """
Sat =~ Sat1 + Sat2 + Sat3
Loy =~ Loy1 + Loy2 + Loy3
{paths}
"""
'''
"""A model file; ``{paths}`` is line 8."""
PREFIX = "cxsurvey: error: "
FAULTS = Path(__file__).resolve().parent / "faults"
"""The folder of the fault injector (``faults/sitecustomize.py``)."""


def fault(path: Path, code: int, on: str) -> dict[str, object]:
    """An operating-system fault for :func:`run` (see ``faults/sitecustomize.py``):
    ``on`` is ``"read"`` (the file ``path``), ``"create"`` or ``"write"`` (files in the
    folder ``path``); ``code`` an ``errno`` value."""
    return {"path": str(path.resolve()), "errno": code, "on": on}


def rows(n: int = 60, seed: int = 1) -> list[list[str]]:
    """``n`` respondents answering Sat1-Sat3 and Loy1-Loy3 on 1-5, with a comment."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        base = int(rng.integers(1, 6))
        answers = [str(min(5, max(1, base + int(rng.integers(-1, 2))))) for _ in range(6)]
        out.append([str(i + 1), *answers, f"comment {i + 1}"])
    return out


def write_csv(path: Path, body: Sequence[Sequence[str]] | None = None,
              header: Sequence[str] = HEADER, sep: str = ",") -> Path:
    """Lines joined as given (no quoting: the cases control every byte)."""
    lines = [sep.join(r) for r in [header, *(rows() if body is None else body)]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_quoted_csv(path: Path, table: Sequence[Sequence[str]]) -> Path:
    """A well-formed CSV (quotes where the text needs them)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(table)
    return path


def write_model(path: Path, paths: str = "Loy ~ Sat", text: str | None = None) -> Path:
    path.write_text(MODEL.format(paths=paths) if text is None else text, encoding="utf-8")
    return path


def write_xlsx(path: Path, table: Sequence[Sequence[str]], sheet: str = "Responses") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in table:
        ws.append([int(v) if v.isdigit() else v for v in r])
    wb.save(path)
    return path


def run(*args: object, cwd: Path, preexec_fn: Callable[[], None] | None = None,
        faults: Sequence[dict[str, object]] = ()) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    if faults:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(FAULTS), *filter(None, [os.environ.get("PYTHONPATH")])])
        env["CXSURVEY_TEST_FAULTS"] = json.dumps(list(faults))
    return subprocess.run([*cxsurvey_exe(), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec_fn)


def _digests(folder: Path) -> dict[Path, str]:
    """SHA-256 of every readable regular file under ``folder`` (links not followed)."""
    out: dict[Path, str] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink() and os.access(p, os.R_OK):
            out[p] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _unchanged(folder: Path, before: dict[Path, str]) -> None:
    after = _digests(folder)
    for p, digest in before.items():
        assert after.get(p) == digest, f"{p} was changed or removed"
    temps = [p for p in folder.rglob("*") if p.name.endswith(".tmp")]
    assert not temps, f"temporary files left behind: {temps}"


def refused(*args: object, cwd: Path, code: int, names: Iterable[str] = (),
            outputs: Iterable[str | Path] = (),
            preexec_fn: Callable[[], None] | None = None,
            faults: Sequence[dict[str, object]] = ()) -> str:
    """Run a case that must be refused; check the contract and return the message line.

    ``names``: texts the line must hold (file, sheet, row, column ...); ``outputs``:
    report paths (relative to ``cwd``) that must not exist afterwards; ``faults``:
    operating-system faults injected into the command (:func:`fault`).
    """
    before = _digests(cwd)
    res = run(*args, cwd=cwd, preexec_fn=preexec_fn, faults=faults)
    assert res.returncode == code, (res.returncode, res.stdout[-2000:], res.stderr)
    assert "Traceback" not in res.stderr + res.stdout, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith(PREFIX), line
    assert len(line) > len(PREFIX) + 15, line
    for name in names:
        assert name in line, (name, line)
    for out in outputs:
        assert not (cwd / out).exists(), f"{out} left behind by a failed run"
    _unchanged(cwd, before)
    return line


def accepted(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a case that must be read and analysed: exit 0, no error, inputs unchanged."""
    before = _digests(cwd)
    res = run(*args, cwd=cwd)
    assert res.returncode == 0, (res.returncode, res.stderr)
    assert "Traceback" not in res.stderr + res.stdout
    assert PREFIX not in res.stderr, res.stderr
    _unchanged(cwd, before)
    return res
