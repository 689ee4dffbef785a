"""Read survey exports (.xlsx/.xlsm, .csv/.tsv/.txt, SPSS .sav) into a raw table.

Readers do no statistics and no recoding: they return every column as read, plus what
is needed to point the user at a cell (sheet, file row of the first data row) and, for
SPSS files, the value labels. One module per kind of file: :mod:`read_excel`,
:mod:`read_text`, :mod:`read_spss`.
"""

from __future__ import annotations

from pathlib import Path

from cxsurvey.errors import InputError, Location
from cxsurvey.io.raw_table import RawTable
from cxsurvey.io.read_excel import read_excel
from cxsurvey.io.read_spss import read_spss
from cxsurvey.io.read_text import read_text
from cxsurvey.model.spec import DataSpec
from cxsurvey.options import ReadLimits

__all__ = ["EXCEL_SUFFIXES", "SPSS_SUFFIXES", "SUPPORTED", "TEXT_SUFFIXES", "RawTable",
           "read_table"]

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SPSS_SUFFIXES = {".sav", ".zsav"}
SUPPORTED = EXCEL_SUFFIXES | TEXT_SUFFIXES | SPSS_SUFFIXES


def read_table(path: str | Path, spec: DataSpec | None = None,
               limits: ReadLimits | None = None) -> RawTable:
    """Read a survey export.

    Parameters
    ----------
    path : str or Path
        The file; its suffix chooses the reader.
    spec : DataSpec, optional
        Sheet, header row, delimiter and encoding when the user fixed them.
    limits : ReadLimits, optional
        How large a workbook may be (checked before it is parsed); default
        :class:`~cxsurvey.options.ReadLimits`.

    Raises
    ------
    InputError
        Missing, empty, unreadable or corrupt file; unknown sheet; inconsistent
        delimiters; an encrypted workbook; a workbook over ``limits``. The message
        names the file (and sheet and row where known).
    """
    spec = spec or DataSpec()
    p = Path(path)
    where = Location(file=str(path))
    if not p.exists():
        raise InputError("file not found", where, "Check the path and the file name.")
    if p.is_dir():
        raise InputError("is a folder, not a survey file", where)
    try:
        size = p.stat().st_size
        with open(p, "rb"):
            pass
    except OSError as exc:
        raise InputError(f"cannot open the file ({exc.strerror or exc})", where,
                         "Check its permissions, or close it in the program that locks it.",
                         ) from None
    suffix = p.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " Save it as .xlsx from Excel." if suffix in {".xls", ".ods"} else ""
        raise InputError(
            f"unsupported file type '{suffix or '(none)'}'", where,
            f"cxsurvey reads {', '.join(sorted(SUPPORTED))}.{hint}",
        )
    if size == 0:
        raise InputError("the file is empty (0 bytes)", where, "Export the survey again.")
    if suffix in EXCEL_SUFFIXES:
        table = read_excel(p, str(path), spec, limits)
    elif suffix in SPSS_SUFFIXES:
        table = read_spss(p, str(path))
    else:
        table = read_text(p, str(path), spec, suffix)
    if table.frame.shape[0] == 0:
        raise InputError("the file has a header but no data rows",
                         Location(file=str(path), sheet=table.sheet),
                         "Check that this is the export with the answers"
                         + (" and the right sheet ([data] sheet)." if table.sheet else "."))
    return table
