"""Display tables: the :class:`Column` and :class:`Table` every renderer reads, and the
helpers that mark the cells a verdict flags."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from cxsurvey.gates.verdicts import Verdicts

__all__ = ["Column", "Table", "cells", "flag_cells", "judged"]


@dataclass(frozen=True)
class Column:
    """A displayed column: data key, label, kind (text|int|num|p|pct) and decimals.

    ``console`` and ``files`` say where the column is shown: wide detail (answer
    percentages per scale point) goes to Excel/CSV, a compact form to the terminal.
    ``wrap`` marks long text (effect paths, citations) that the console wraps inside
    its cell rather than widening the table. ``row_kinds``, when set, gives each row's
    kind (a fit table mixes counts, p and indices in one column).
    """

    key: str
    label: str
    kind: str = "num"
    decimals: int = 3
    console: bool = True
    files: bool = True
    wrap: bool = False
    row_kinds: tuple[str, ...] = ()

    def kind_at(self, row: int) -> str:
        return self.row_kinds[row] if self.row_kinds else self.kind


@dataclass(frozen=True)
class Table:
    """One displayed table.

    Attributes
    ----------
    key : str
        Stable identifier (CSV file name, Excel sheet name).
    title : str
        Heading shown to people.
    frame : DataFrame
        Raw values, one column per :class:`Column` key.
    columns : tuple of Column
    flags : frozenset
        ``(row position, column key)`` cells that breach a threshold.
    notes : tuple of str
        Footnotes: thresholds used, how missing values were handled.
    """

    key: str
    title: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    flags: frozenset[tuple[int, str]] = field(default_factory=frozenset)
    notes: tuple[str, ...] = ()

    @property
    def console_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.console and c.key in self.frame.columns)

    @property
    def file_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.files and c.key in self.frame.columns)

    @property
    def console_only_keys(self) -> frozenset[str]:
        return frozenset(c.key for c in self.columns if not c.files)


def flag_cells(frame: pd.DataFrame, key: str, bad) -> set[tuple[int, str]]:
    if key not in frame.columns:
        return set()
    vals = pd.to_numeric(frame[key], errors="coerce")
    return {(i, key) for i, v in enumerate(vals) if pd.notna(v) and bad(float(v))}


def judged(frame: pd.DataFrame, v: Verdicts, *columns: tuple[str, str],
            rows: list[bool] | None = None) -> set[tuple[int, str]]:
    """Cells whose value breaks a rule of the run's rule set: ``(column, statistic)``
    pairs; ``rows`` limits the rows judged (e.g. reflective items only)."""
    out: set[tuple[int, str]] = set()
    for key, statistic in columns:
        for i, value in cells(frame, key):
            if (rows is None or rows[i]) and v.fails(statistic, value):
                out.add((i, key))
    return out


def cells(frame: pd.DataFrame, key: str) -> list[tuple[int, float]]:
    if key not in frame.columns:
        return []
    return list(enumerate(pd.to_numeric(frame[key], errors="coerce")))
