"""Hostile and oversized workbooks through the installed command: refused with exit 2, one
stderr line, no traceback, in seconds (:mod:`cxsurvey.io.workbook_limits`).

The workbooks are generated here: the sheet XML is streamed into a deflate-compressed
zip member, so a sheet of a million rows is a few MB on disk.
"""

from __future__ import annotations

import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bad_inputs.contract import accepted, run
from bad_inputs.contract import refused as contract_refused

pytestmark = pytest.mark.slow  # every test runs the installed command as a subprocess

DATA = Path(__file__).resolve().parents[1] / "data"
HANG_GUARD = 20.0  # seconds; a guard against a hang, not a timing target

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/'
       'vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
       'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                  '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                  'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
                  '.org/officeDocument/2006/relationships/worksheet" '
                  'Target="worksheets/sheet1.xml"/></Relationships>')
_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
ITEMS = [f"{c}{i}" for c in ("Aa", "Bb", "Cc", "Dd", "Ee") for i in range(1, 5)]


def _letter(j: int) -> str:
    out = ""
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def _sheet(rows: int, names: list[str], dimension: str | None) -> Iterator[bytes]:
    """The sheet XML: a header of inline strings, then ``rows`` rows of answers 1-5."""
    cols = [_letter(j + 1) for j in range(len(names))]
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{n}</t></is></c>'
                     for c, n in zip(cols, names, strict=True))
    yield (_HEAD + dim + '<sheetData><row r="1">' + header + "</row>").encode()
    batch: list[str] = []
    for r in range(2, rows + 1):
        batch.append(f'<row r="{r}">' + "".join(
            f'<c r="{c}{r}"><v>{1 + (r * 7 + j * 3) % 5}</v></c>' for j, c in enumerate(cols))
            + "</row>")
        if len(batch) == 20_000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def _bomb_sheet(rows: int, dimension: str | None) -> Iterator[bytes]:
    """A sheet of ``rows`` identical rows without ``r`` attributes (they are optional):
    repetitive XML that deflates to a small fraction of a percent."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    yield (_HEAD + dim + '<sheetData><row><c t="inlineStr"><is><t>id</t></is></c>'
           '<c t="inlineStr"><is><t>Aa1</t></is></c><c t="inlineStr"><is><t>Aa2</t></is>'
           "</c></row>").encode()
    block = b"<row><c><v>1</v></c><c><v>4</v></c><c><v>5</v></c></row>" * 10_000
    for _ in range((rows - 1) // 10_000):
        yield block
    yield b"<row><c><v>1</v></c></row>" * ((rows - 1) % 10_000) + b"</sheetData></worksheet>"


def workbook(path: Path, rows: int, names: list[str], dimension: str | None,
             bomb: bool = False) -> Path:
    """A valid .xlsx whose one sheet, 'Responses', has ``rows`` rows (header included),
    written by streaming the XML into a deflated zip member; ``bomb``: identical rows of
    three cells (the names are then id, Aa1, Aa2)."""
    chunks = _bomb_sheet(rows, dimension) if bomb else _sheet(rows, names, dimension)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            for chunk in chunks:
                fh.write(chunk)
    return path


def refused(*args: object, cwd: Path, names: tuple[str, ...] = ()) -> str:
    """The contract's refusal (exit 2, one ``cxsurvey: error:`` line, no traceback),
    within the hang guard; the message line."""
    start = time.perf_counter()
    line = contract_refused(*args, cwd=cwd, code=2, names=names)
    assert time.perf_counter() - start < HANG_GUARD
    return line


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sheets of 2,000,000 rows (more than Excel's 1,048,576), each in its folder: one
    that declares them, one whose dimension lies (A1:C10), one without a dimension."""
    out = {}
    for kind, dimension in (("declared", "A1:C2000000"), ("lying", "A1:C10"),
                            ("absent", None)):
        folder = tmp_path_factory.mktemp(kind)
        out[kind] = workbook(folder / f"{kind}.xlsx", 2_000_000, [], dimension, bomb=True)
    return out


def test_a_bomb_is_small_on_disk(bombs: dict[str, Path]) -> None:
    with zipfile.ZipFile(bombs["absent"]) as z:
        xml = z.getinfo("xl/worksheets/sheet1.xml").file_size
    assert bombs["absent"].stat().st_size < 2_000_000 and xml > 100_000_000


def test_declared_rows_beyond_excel_are_refused_before_parsing(bombs: dict[str, Path]) -> None:
    path = bombs["declared"]
    line = refused("describe", path.name, cwd=path.parent,
                   names=("declared.xlsx", "sheet 'Responses'"))
    assert "declares 2,000,000 rows" in line and "Excel's 1,048,576" in line


@pytest.mark.parametrize("kind", ["lying", "absent"])
def test_counted_rows_beyond_excel_are_refused(bombs: dict[str, Path], kind: str) -> None:
    path = bombs[kind]
    line = refused("describe", path.name, cwd=path.parent, names=(path.name,))
    assert "more than 1,048,576 rows" in line
    assert ("(it declares A1:C10)" in line) == (kind == "lying")


def test_cell_limit_and_the_flag_that_raises_it(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wide.xlsx", 1001, ["id", *ITEMS], "A1:U1001")  # 21,021 cells
    line = refused("describe", path.name, "--max-cells", 21_020, cwd=tmp_path)
    assert "21,021 cells" in line and "--max-cells 21021" in line
    accepted("describe", path.name, "--max-cells", 21_021, "-q", cwd=tmp_path)


def test_counted_cells_over_the_limit_without_a_dimension(tmp_path: Path) -> None:
    path = workbook(tmp_path / "nodim.xlsx", 1001, ["id", *ITEMS], None)
    line = refused("reliability", path.name, "--max-cells", 20_000, cwd=tmp_path)
    assert "reach row 1,001 and column U: 21,021 cells from A1" in line
    assert "more than the limit of 20,000" in line and "--max-cells" in line


def test_a_sparse_cell_far_away_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sparse.xlsx"  # two cells; their dense range is 17 billion cells
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", _WORKBOOK),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)):
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", _HEAD + '<dimension ref="A1:B2"/><sheetData>'
                   '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
                   '<c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>')
    line = refused("describe", path.name, cwd=tmp_path)
    assert "reach row 1,048,576 and column XFD" in line and "declares A1:B2" in line


def test_sheet_size_limit_and_the_flag_that_raises_it(tmp_path: Path) -> None:
    path = workbook(tmp_path / "big.xlsx", 6_000, ["id", *ITEMS[:8]], None)  # 1.4 MB XML
    line = refused("describe", path.name, "--max-sheet-mb", 1, cwd=tmp_path)
    assert "MB of XML, above the 1 MB limit" in line and "--max-sheet-mb 3" in line
    accepted("describe", path.name, "--max-sheet-mb", 3, "-q", cwd=tmp_path)


def test_limits_reach_batch_workers(tmp_path: Path) -> None:
    path = workbook(tmp_path / "wide.xlsx", 1001, ["id", *ITEMS], "A1:U1001")
    res = run("batch", path.name, "-o", "out", "--no-excel", "--max-cells", 100, "-q",
              cwd=tmp_path)
    assert res.returncode == 2 and "--max-cells 21021" in res.stderr, res.stderr
    res = run("batch", path.name, "-o", "out2", "--no-excel", "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stderr


def test_encrypted_workbook_is_named_as_such(tmp_path: Path) -> None:
    shutil.copy(DATA / "encrypted_workbook.xlsx", tmp_path / "locked.xlsx")
    line = refused("describe", "locked.xlsx", cwd=tmp_path, names=("locked.xlsx",))
    assert "password-protected (encrypted)" in line and "Encrypt with Password" in line


def test_old_xls_saved_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"  # an OLE2 compound file with a "Workbook" stream
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff"
    entry = "Root Entry".encode("utf-16-le").ljust(128, b"\0") + "Workbook".encode(
        "utf-16-le").ljust(128, b"\0")
    path.write_bytes(header.ljust(512, b"\0") + entry.ljust(512, b"\0"))
    line = refused("describe", path.name, cwd=tmp_path, names=("old.xlsx",))
    assert "Excel 97-2003 (.xls)" in line and "save it as .xlsx" in line
