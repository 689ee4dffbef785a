"""CSV output: the report's tables as plain data for scripts and spreadsheets.

Two forms, both built from :func:`tables.build_tables` (the same tables as the console
and Excel reports):

``--format csv`` (:func:`render_csv_stream`)
    Every table on stdout, one after another. Each starts with a comment line
    ``# <key>: <title>`` followed by the header row and the data rows; tables are
    separated by one blank line::

        # reliability: Reliability and convergent validity
        construct,n_items,n,alpha,...
        A,5,2709,0.43061692304809396,...

        # item_stats: Item-total statistics
        ...

``--out-dir`` / ``--csv-dir`` (:func:`write_csv_dir`)
    One file per table, ``<key>.csv`` (``descriptives.csv``, ``normality.csv``,
    ``reliability.csv``, ...), each written atomically.

In both, the header holds the snake_case column keys of the JSON output (``alpha``,
``ks_pvalue``, ``item_total_r``): first the table's displayed columns, then any further
columns of the underlying data (``skewness_se``, ``rho_a``). Values are raw, at full
precision (``repr`` of the float, which reads back to the identical number); undefined
values (NaN) are empty fields. Text that a spreadsheet would run as a formula (leading
``=``, ``+``, ``-``, ``@``) gets a leading apostrophe (:func:`files.neutralise`); numbers
are never altered. Files are UTF-8 with ``\\n`` line endings.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.report import files
from cxsurvey.report.tables import Table, build_tables
from cxsurvey.results import Results

__all__ = ["render_csv_stream", "render_table_csv", "table_columns", "write_csv_dir",
           "write_table_csv"]


def table_columns(table: Table) -> list[str]:
    """The CSV header of ``table``: displayed column keys, then the frame's other columns."""
    shown = [c.key for c in table.file_columns]
    hidden = table.console_only_keys
    return shown + [str(c) for c in table.frame.columns if c not in shown and c not in hidden]


def _field(value: object, kind: str | None) -> str:
    """One raw value as CSV text: full-precision number, empty for NaN, safe text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            return ""
        if kind == "int" and number.is_integer():
            return str(int(number))
        return repr(number)
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(files.neutralise(str(value)))


def _write_rows(table: Table, handle) -> None:
    cols = {c.key: c for c in table.columns}
    header = table_columns(table)
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow([files.neutralise(h) for h in header])
    columns = [table.frame[h].tolist() for h in header]
    for i, row in enumerate(zip(*columns, strict=True)):
        writer.writerow([_field(v, cols[h].kind_at(i) if h in cols else None)
                         for h, v in zip(header, row, strict=True)])


def render_table_csv(table: Table) -> str:
    """One table as CSV text (header and rows, no comment line)."""
    buf = io.StringIO()
    _write_rows(table, buf)
    return buf.getvalue()


def render_csv_stream(results: Results) -> str:
    """All tables as one CSV stream (what ``--format csv`` prints on stdout).

    Each table is preceded by ``# <key>: <title>``; tables are separated by a blank line.
    """
    blocks = [f"# {t.key}: {t.title}\n" + render_table_csv(t) for t in build_tables(results)]
    return "\n".join(blocks)


def write_table_csv(table: Table, path: str | Path) -> Path:
    """Write one table to ``path`` atomically (UTF-8, ``\\n`` line endings)."""

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            _write_rows(table, fh)

    return files.atomic_write(path, write)


def write_csv_dir(results: Results, out_dir: str | Path) -> list[Path]:
    """Write every table of a run to ``out_dir/<key>.csv``; return the written paths.

    The folder is created when missing. Each file is written atomically; existing files
    of the same name are replaced, the run's input files never.

    Raises
    ------
    InputError
        ``out_dir`` exists and is not a folder, or a file name would overwrite an input.
    """
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise InputError("the CSV output path exists and is not a folder",
                         Location(file=str(out_dir)), "Give a folder name for --out-dir.")
    folder.mkdir(parents=True, exist_ok=True)
    inputs = [p for p in (results.meta.get("file"), results.meta.get("model")) if p]
    written: list[Path] = []
    for table in build_tables(results):
        target = folder / f"{table.key}.csv"
        files.ensure_not_input(target, inputs)
        written.append(write_table_csv(table, target))
    return written
