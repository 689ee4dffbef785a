"""Safe report files: atomic writes, no overwriting of inputs, neutralised formulas."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from cxsurvey.errors import InputError, Location

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Make a survey text safe for a spreadsheet cell.

    Text that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would
    be read as a formula by Excel, LibreOffice or Google Sheets; a leading apostrophe
    keeps it as text. Numbers are returned unchanged (``-1`` is a number, not a formula).

    References
    ----------
    OWASP, "CSV Injection" (formula injection) cheat sheet.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def ensure_not_input(out: str | Path, inputs: Iterable[str | Path]) -> None:
    """Refuse to write a report over one of the run's input files."""
    target = Path(out).resolve()
    for p in inputs:
        if p is not None and Path(p).exists() and Path(p).resolve() == target:
            raise InputError("refusing to overwrite an input file with a report",
                             Location(file=str(out)), "Choose another output name.")


def check_output(out: str | Path, inputs: Iterable[str | Path | None] = (), *,
                 suffixes: tuple[str, ...] = (), what: str = "a report") -> Path:
    """Refuse, before any work, a report path the run could not write.

    Parameters
    ----------
    out : path
        The report file.
    inputs : paths
        The run's input files (never overwritten).
    suffixes : tuple of str
        Accepted endings (lower case, with the dot); empty: any.
    what : str
        The report's name in messages (``"an Excel report"``).

    Raises
    ------
    InputError
        The name has the wrong ending, its folder does not exist, a folder stands at the
        path, or the path is an input file.
    """
    target = Path(out)
    if suffixes and target.suffix.lower() not in suffixes:
        raise InputError(f"{what} must be an {suffixes[0]} file", Location(file=str(out)),
                         f"Give the output a name ending in {suffixes[0]}.")
    folder = target.parent if str(target.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        raise InputError(f"the output folder {folder} is a file", Location(file=str(out)),
                         "Write the report into a folder.")
    if not folder.is_dir():
        raise InputError("the output folder does not exist", Location(file=str(out)),
                         f"Create it first (mkdir -p {folder}) or write the report elsewhere.")
    if target.is_dir():
        raise InputError("a folder of that name exists", Location(file=str(out)),
                         "Give the report a file name.")
    ensure_not_input(target, [p for p in inputs if p is not None])
    return target


def check_output_folder(out: str | Path, inputs: Iterable[str | Path | None] = ()) -> Path:
    """Refuse, before any work, a report folder that is a file or an input."""
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise InputError("not a folder", Location(file=str(out)),
                         "Give --csv-dir a folder (it is created when missing).")
    ensure_not_input(target, [p for p in inputs if p is not None])
    return target


_TMP_SUFFIX = ".tmp"


def temp_files(path: str | Path) -> list[Path]:
    """The temporary files :func:`atomic_write` left beside ``path`` (``.NAME.*.tmp``).

    A writer killed between creating its temporary file and renaming it (SIGKILL, or a
    signal before its clean-up ran) leaves one behind; once no writer of ``path`` is
    alive, these are partial reports.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(p for p in entries
                  if p.name.startswith(prefix) and p.name.endswith(_TMP_SUFFIX))


def remove_temp_files(paths: Iterable[str | Path]) -> list[Path]:
    """Delete the :func:`temp_files` of each of ``paths``; returns those removed.

    Call it only when no process is writing any of ``paths`` any more.
    """
    removed: list[Path] = []
    for path in paths:
        for tmp in temp_files(path):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                removed.append(tmp)
    return removed


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    A failure leaves neither a partial report nor a stray temporary file behind, and an
    existing file at ``path`` is only replaced once the new one is complete.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.exists():
        raise InputError("the output folder does not exist", Location(file=str(path)))
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=_TMP_SUFFIX,
                                        dir=folder)
    except OSError as exc:
        raise _write_error(exc, path) from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates 0600; give the report the permissions a new file would get
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _write_error(exc, path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


_WRITE_ERRORS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                 errno.EROFS: "the file system is read-only",
                 errno.EACCES: "no permission to write there",
                 errno.EPERM: "no permission to write there"}


def _write_error(exc: OSError, path: str | Path) -> InputError:
    """A failed report write as the user's problem to fix (exit 2), naming the path."""
    reason = (_WRITE_ERRORS.get(exc.errno or -1) or exc.strerror or str(exc)
              or type(exc).__name__)
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return InputError(f"cannot write the report: {reason}", Location(file=str(path)),
                      ("Free some space or choose" if full else "Choose")
                      + " another --excel/--html/--csv-dir/--junit path; nothing was left "
                      "behind.")


def atomic_write_workbook(path: str | Path, workbook: object) -> Path:
    """Save an openpyxl workbook atomically. The zip archive is built in memory and written
    in one call, so a full disk fails cleanly: no half-closed archive is left for the
    garbage collector to report on stderr."""
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)  # type: ignore[attr-defined]
    data = buffer.getvalue()

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return atomic_write(path, write)


def atomic_write_text(path: str | Path, text: str) -> Path:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return atomic_write(path, write)
