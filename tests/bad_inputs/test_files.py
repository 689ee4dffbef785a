"""Files that are missing, unreadable, of the wrong kind or hostile: exit 2 naming the
file; survey texts that look like formulas stay text in the Excel report."""

from __future__ import annotations

import errno
import json
import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from bad_inputs.contract import (
    HEADER,
    accepted,
    fault,
    refused,
    rows,
    write_model,
    write_quoted_csv,
    write_xlsx,
)
from support import SAMPLES

pytestmark = pytest.mark.slow  # every case runs the installed command

UNREADABLE = Path("/proc/sys/vm/drop_caches")
"""Write-only for everyone, root included (a Linux sysctl)."""


def _unreadable(path: Path, how: str) -> list[dict[str, object]]:
    """Make ``path`` a file this process cannot open for reading; returns the faults to
    inject into the command.

    ``how = "system"``: mode 000, or, for root (whom permissions do not stop), a link to
    a write-only sysctl; where neither stops this process (root without /proc/sys), the
    command's own open fails instead, as ``"injected"`` does: the file is readable, and
    the command gets EACCES opening it (``faults/sitecustomize.py``)."""
    if how == "system":
        if os.geteuid() != 0:
            path.write_text("id,Sat1\n1,3\n", encoding="utf-8")
            path.chmod(0)
        elif UNREADABLE.exists():
            path.symlink_to(UNREADABLE)
        try:
            path.open("rb").close()
        except OSError:
            return []
        if path.is_symlink():
            path.unlink()
    if not path.exists():
        path.write_text("id,Sat1\n1,3\n", encoding="utf-8")
    path.chmod(0o644)
    return [fault(path, errno.EACCES, "read")]


def test_a_missing_file(tmp_path: Path) -> None:
    line = refused("analyze", "nope.csv", "--excel", "r.xlsx", cwd=tmp_path, code=2,
                   names=["nope.csv"], outputs=["r.xlsx"])
    assert "file not found" in line


def test_a_dangling_link(tmp_path: Path) -> None:
    (tmp_path / "s.csv").symlink_to(tmp_path / "moved.csv")
    refused("describe", "s.csv", cwd=tmp_path, code=2, names=["s.csv", "file not found"])


def test_a_folder_given_as_the_survey(tmp_path: Path) -> None:
    (tmp_path / "wave1.csv").mkdir()
    refused("analyze", "wave1.csv", cwd=tmp_path, code=2,
            names=["wave1.csv", "is a folder, not a survey file"])


@pytest.mark.parametrize("name", ["s.ods", "survey"])
def test_an_unsupported_suffix(tmp_path: Path, name: str) -> None:
    write_quoted_csv(tmp_path / name, [HEADER, *rows()])
    line = refused("describe", name, cwd=tmp_path, code=2, names=[name, "unsupported file"])
    assert ".xlsx" in line


@pytest.mark.parametrize("how", ["system", "injected"])
def test_an_unreadable_survey(tmp_path: Path, how: str) -> None:
    path = tmp_path / "s.csv"
    faults = _unreadable(path, how)
    try:
        refused("analyze", "s.csv", "--excel", "r.xlsx", cwd=tmp_path, code=2,
                names=["s.csv", "cannot open the file", "ermission denied"],
                outputs=["r.xlsx"], faults=faults)
    finally:
        if not path.is_symlink():
            path.chmod(0o644)


@pytest.mark.parametrize("how", ["system", "injected"])
def test_an_unreadable_model(tmp_path: Path, how: str) -> None:
    write_quoted_csv(tmp_path / "s.csv", [HEADER, *rows()])
    path = tmp_path / "m.toml"
    faults = _unreadable(path, how)
    try:
        refused("cfa", "s.csv", "-m", "m.toml", cwd=tmp_path, code=2,
                names=["m.toml", "cannot read the model file"], faults=faults)
    finally:
        if not path.is_symlink():
            path.chmod(0o644)


def test_a_truncated_workbook(tmp_path: Path) -> None:
    data = (SAMPLES / "cx_journey.xlsx").read_bytes()
    (tmp_path / "s.xlsx").write_bytes(data[: len(data) * 2 // 3])
    line = refused("analyze", "s.xlsx", "--html", "r.html", cwd=tmp_path, code=2,
                   names=["s.xlsx"], outputs=["r.html"])
    assert "Excel workbook" in line


def test_an_answer_outside_the_scale_in_a_workbook(tmp_path: Path) -> None:
    table = [list(HEADER), *rows()]
    table[15][4] = "6"  # data row 15 = spreadsheet row 16, column Loy1
    write_xlsx(tmp_path / "s.xlsx", table, sheet="Wave 2")
    write_model(tmp_path / "m.toml")
    refused("analyze", "s.xlsx", "-m", "m.toml", "--excel", "r.xlsx", cwd=tmp_path, code=2,
            names=["s.xlsx", "sheet 'Wave 2'", "row 16", "column 'Loy1'", "1-5"],
            outputs=["r.xlsx"])


def test_a_sav_that_is_not_spss(tmp_path: Path) -> None:
    shutil.copy(SAMPLES / "google_forms.csv", tmp_path / "s.sav")
    line = refused("describe", "s.sav", cwd=tmp_path, code=2, names=["s.sav"])
    assert "SPSS" in line


def test_an_xml_entity_bomb_in_a_worksheet(tmp_path: Path) -> None:
    # "billion laughs": 10^9 copies of 'lol' once every entity is expanded
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>"
    table = [HEADER, *rows()]
    wb = openpyxl.Workbook()
    for r in table:
        wb.active.append(r)
    wb.save(tmp_path / "clean.xlsx")
    with zipfile.ZipFile(tmp_path / "clean.xlsx") as zin, \
            zipfile.ZipFile(tmp_path / "s.xlsx", "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                head, _, body = text.rpartition("?>")
                body = body.replace(">comment 1<", ">&lol9;<", 1)
                text = f"{head}?>{doctype}{body}" if head else f"{doctype}{body}"
                data = text.encode("utf-8")
            zout.writestr(info, data)
    (tmp_path / "clean.xlsx").unlink()
    refused("analyze", "s.xlsx", cwd=tmp_path, code=2, names=["s.xlsx"])


FORMULAS = ['=HYPERLINK("http://evil.example/","click")', "=cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0"]


def test_formulas_in_headers_are_text_in_the_excel_report(tmp_path: Path) -> None:
    table = [list(HEADER), *rows()]
    table[0][1:4] = FORMULAS  # Sat1-Sat3 exported under their question texts
    write_quoted_csv(tmp_path / "s.csv", table)
    items = "\n".join(f"Sat{i} = {json.dumps(text)}" for i, text in enumerate(FORMULAS, 1))
    write_model(tmp_path / "m.toml",
                text=f"[data]\nscale = [1, 5]\n\n[data.items]\n{items}\n")
    accepted("describe", "s.csv", "-m", "m.toml", "--excel", "r.xlsx", cwd=tmp_path)
    found = set()
    for ws in openpyxl.load_workbook(tmp_path / "r.xlsx"):
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str) and ("HYPERLINK" in value or "cmd|" in value):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, value)
                    assert not value.startswith(("=", "+", "-", "@")), value
                    found.add(value.lstrip("'"))
    assert found == set(FORMULAS)
