"""User errors through the installed command: exit code 2, one stderr line, no traceback.

Every case runs ``cxsurvey`` as a real subprocess (the console script next to this
interpreter), as a user or a CI job would.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support import cxsurvey_exe

pytestmark = pytest.mark.slow  # every test runs the installed command as a subprocess

HEADER = ["id", "Att1", "Att2", "Att3", "Sat1", "Sat2", "Sat3"]
GOOD_ROWS = [[1, 4, 5, 4, 3, 4, 4], [2, 3, 3, 2, 2, 3, 3], [3, 2, 2, 2, 4, 4, 5],
             [4, 5, 4, 5, 5, 4, 4], [5, 1, 2, 1, 2, 1, 2], [6, 4, 4, 3, 4, 5, 4]]
MODEL = """[data]
scale = [1, 5]

[model]
syntax = \"\"\"
Att =~ Att1 + Att2 + Att3
Sat =~ Sat1 + Sat2 + Sat3
\"\"\"
"""


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([*cxsurvey_exe(), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def user_error(*args: object, cwd: Path, names: list[str]) -> str:
    """Run, check the contract for a user error and return the message line."""
    res = run(*args, cwd=cwd)
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith("cxsurvey: error: ")
    assert len(line) > len("cxsurvey: error: ") + 20
    for name in names:
        assert name in line, (name, line)
    assert res.stdout == ""
    return line


def xlsx(path: Path, rows: list[list[object]], sheet: str = "Responses") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.toml"
    path.write_text(MODEL, encoding="utf-8")
    return path


def test_missing_file(tmp_path: Path) -> None:
    line = user_error("analyze", "nope.xlsx", cwd=tmp_path, names=["nope.xlsx"])
    assert "not found" in line


def test_missing_model_file(tmp_path: Path) -> None:
    xlsx(tmp_path / "s.xlsx", [HEADER, *GOOD_ROWS])
    line = user_error("analyze", "s.xlsx", "--model", "nope.toml", cwd=tmp_path,
                      names=["nope.toml"])
    assert "not found" in line


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx", "empty.sav"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    line = user_error("analyze", name, cwd=tmp_path, names=[name])
    assert "empty" in line


def test_unknown_sheet(tmp_path: Path) -> None:
    xlsx(tmp_path / "s.xlsx", [HEADER, *GOOD_ROWS])
    (tmp_path / "m.toml").write_text(MODEL.replace("[data]\n", '[data]\nsheet = "Nope"\n'))
    line = user_error("analyze", "s.xlsx", "--model", "m.toml", cwd=tmp_path,
                      names=["s.xlsx", "'Nope'", "'Responses'"])
    assert "no sheet" in line


def test_model_names_an_absent_column(tmp_path: Path) -> None:
    xlsx(tmp_path / "s.xlsx", [HEADER, *GOOD_ROWS])
    (tmp_path / "m.toml").write_text(MODEL.replace("Sat3\n", "Sat4\n"))
    line = user_error("describe", "s.xlsx", "--model", "m.toml", cwd=tmp_path,
                      names=["m.toml", "line 7", "'Sat4'", "s.xlsx"])
    assert "Did you mean" in line and "'Sat3'" in line


def test_model_syntax_error(tmp_path: Path) -> None:
    xlsx(tmp_path / "s.xlsx", [HEADER, *GOOD_ROWS])
    (tmp_path / "m.toml").write_text(MODEL.replace("Sat1 + Sat2", "Sat1 Sat2"))
    user_error("reliability", "s.xlsx", "--model", "m.toml", cwd=tmp_path,
               names=["m.toml", "line 7", "'+'"])


def test_plain_lavaan_syntax_error(tmp_path: Path) -> None:
    xlsx(tmp_path / "s.xlsx", [HEADER, *GOOD_ROWS])
    (tmp_path / "m.lav").write_text("Att =~ Att1 + Att2 + Att3\nSat := \nSat Sat1\n")
    user_error("analyze", "s.xlsx", "--model", "m.lav", cwd=tmp_path,
               names=["m.lav", "line 3", "operator"])


def test_unknown_model_key(tmp_path: Path) -> None:
    xlsx(tmp_path / "s.xlsx", [HEADER, *GOOD_ROWS])
    (tmp_path / "m.toml").write_text(MODEL.replace("scale =", "scales ="))
    user_error("analyze", "s.xlsx", "--model", "m.toml", cwd=tmp_path,
               names=["m.toml", "line 2", "scales", "'scale'"])


def test_text_answer_without_mapping(tmp_path: Path) -> None:
    rows = [HEADER, *GOOD_ROWS]
    rows[2] = [2, 3, "Sometimes", 2, 2, 3, 3]
    xlsx(tmp_path / "s.xlsx", rows)
    line = user_error("analyze", "s.xlsx", cwd=tmp_path,
                      names=["s.xlsx", "row 3", "column 'Att2'", "'Sometimes'"])
    assert "[data.labels]" in line and "[data] missing" in line


def test_answer_outside_the_scale(tmp_path: Path, model: Path) -> None:
    rows = [HEADER, *GOOD_ROWS]
    rows[3] = [3, 2, 7, 2, 4, 4, 5]  # data row 3 = spreadsheet row 4
    xlsx(tmp_path / "s.xlsx", rows)
    line = user_error("analyze", "s.xlsx", "--model", model.name, cwd=tmp_path,
                      names=["s.xlsx", "sheet 'Responses'", "row 4", "column 'Att2'"])
    assert "7" in line and "1-5" in line


def test_answer_outside_the_scale_in_a_csv(tmp_path: Path, model: Path) -> None:
    lines = [",".join(map(str, r)) for r in [HEADER, *GOOD_ROWS]]
    lines[5] = "5,1,2,1,2,1,9"
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n")
    user_error("normality", "s.csv", "--model", model.name, cwd=tmp_path,
               names=["s.csv", "row 6", "column 'Sat3'"])


@pytest.mark.parametrize("kind", ["truncated", "random"])
def test_corrupt_xlsx(tmp_path: Path, kind: str) -> None:
    good = xlsx(tmp_path / "good.xlsx", [HEADER, *GOOD_ROWS]).read_bytes()
    data = (good[: len(good) // 2] if kind == "truncated"
            else np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    (tmp_path / "bad.xlsx").write_bytes(data)
    line = user_error("analyze", "bad.xlsx", cwd=tmp_path, names=["bad.xlsx"])
    assert "Excel workbook" in line


def test_csv_with_mixed_delimiters(tmp_path: Path) -> None:
    text = ("id,Att1,Att2,Att3\n1,4,5,4\n2,3,3,3\n3;2;2;2\n4,5,5,5\n")
    (tmp_path / "s.csv").write_text(text)
    line = user_error("analyze", "s.csv", cwd=tmp_path, names=["s.csv", "row 4"])
    assert "delimiter" in line


def test_unsupported_suffix(tmp_path: Path) -> None:
    (tmp_path / "s.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    line = user_error("analyze", "s.xls", cwd=tmp_path, names=["s.xls", ".xls"])
    assert ".xlsx" in line


def test_constant_item_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    lines = ["id,Att1,Att2,Att3"]
    for i in range(1, 31):
        lines.append(f"{i},4,{rng.integers(1, 6)},{rng.integers(1, 6)}")
    (tmp_path / "c.csv").write_text("\n".join(lines) + "\n")
    res = run("analyze", "c.csv", "--format", "json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    doc = json.loads(res.stdout)
    assert any("Att1" in w for w in doc["warnings"]), doc["warnings"]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    res = run("--debug", "analyze", "nope.csv", cwd=tmp_path)
    assert res.returncode != 0
    assert "Traceback" in res.stderr and "InputError" in res.stderr
