"""Fit a display table into the console's width with rich's own measuring.

A table that is too wide is folded into column blocks: each block repeats the
identifying columns (the leading text columns: construct, item, path) and takes as many
of the other columns as fit, the blocks balanced in size. Numbers never wrap (a column is
as wide as its widest cell, its header wraps between words); long text cells (columns
marked ``wrap`` in :mod:`cxsurvey.report.tables`) wrap inside their cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console, JustifyMethod
from rich.measure import Measurement
from rich.table import Table as RichTable
from rich.text import Text

from cxsurvey.report.formatting import format_value
from cxsurvey.report.tables import Column, Table

WRAP_MIN = 16
"""Narrowest a wrapping text column becomes before the table is folded into blocks."""


@dataclass(frozen=True)
class _Cell:
    column: Column
    texts: tuple[Text, ...]
    full: int
    """Width showing the header on one line."""
    compact: int
    """Width with the header wrapped between words (never narrower than a cell)."""


def _cells(t: Table) -> list[_Cell]:
    """The shown columns with their formatted cells (a flagged cell ends in a red ``*``);
    a column without any value (effect SEs before a bootstrap) is left out."""
    rows = t.frame.to_dict(orient="records")
    out = []
    for col in t.console_columns:
        shown = [format_value(r.get(col.key), col.kind, col.decimals) for r in rows]
        if not any(shown):
            continue
        texts = tuple(Text(s + "*", style="bold red") if (i, col.key) in t.flags else Text(s)
                      for i, s in enumerate(shown))
        widest = max((x.cell_len for x in texts), default=0)
        words = max((len(w) for w in col.label.split()), default=0)
        out.append(_Cell(col, texts, max(widest, len(col.label)), max(widest, words)))
    return out


def _longest_word(cell: _Cell) -> int:
    return max((len(w) for x in cell.texts for w in x.plain.split()),
               default=1)


def _rich(cells: list[_Cell], compact: bool, squeeze: bool = False,
          tight: bool = False) -> RichTable:
    """A rich table of ``cells``: numbers as wide as their widest cell, wrapping columns
    (every text column when ``squeeze``) free to shrink; ``tight`` leaves one space
    between columns instead of two."""
    rt = RichTable(header_style="bold cyan", show_lines=False, pad_edge=False,
                   box=box.SIMPLE_HEAD, padding=(0, 0 if tight else 1),
                   collapse_padding=True)
    for c in cells:
        justify: JustifyMethod = "left" if c.column.kind == "text" else "right"
        if c.column.wrap or (squeeze and c.column.kind == "text"):
            rt.add_column(c.column.label, justify=justify, overflow="fold",
                          min_width=min(c.full, max(WRAP_MIN, _longest_word(c))))
        else:
            rt.add_column(c.column.label, justify=justify, overflow="fold",
                          width=c.compact if compact else c.full)
    for row in zip(*(c.texts for c in cells), strict=True):
        rt.add_row(*row)
    return rt


def _width(console: Console, table: RichTable) -> int:
    """The narrowest the table renders without breaking a number or a word's column."""
    wide = console.options.update_width(100_000)
    return Measurement.get(console, wide, table).minimum


def _fitted(cells: list[_Cell], console: Console) -> RichTable | None:
    """The table of these columns, None if too wide: headers on one line when they fit,
    else wrapped between words, else with one space between columns."""
    for compact, tight in ((False, False), (True, False), (True, True)):
        rt = _rich(cells, compact, tight=tight)
        if _width(console, rt) <= console.width:
            return rt
    return None


def _blocks(ids: list[_Cell], rest: list[_Cell], console: Console) -> list[list[_Cell]]:
    """Split ``rest`` into the fewest blocks that fit beside ``ids``, balanced in size."""
    greedy: list[list[_Cell]] = [[]]
    for c in rest:
        if greedy[-1] and _fitted(ids + greedy[-1] + [c], console) is None:
            greedy.append([])
        greedy[-1].append(c)
    k = len(greedy)
    size, extra = divmod(len(rest), k)
    balanced, start = [], 0
    for i in range(k):
        stop = start + size + (1 if i < extra else 0)
        balanced.append(rest[start:stop])
        start = stop
    if all(_fitted(ids + b, console) is not None for b in balanced):
        return balanced
    return greedy


def fit_table(t: Table, console: Console) -> list[RichTable]:
    """``t`` as one rich table, or as column blocks when it is wider than the console.

    Parameters
    ----------
    t : Table
        A display table from :func:`~cxsurvey.report.tables.build_tables`.
    console : Console
        Its width is the limit.

    Returns
    -------
    list of rich Table
        One table, or the blocks in column order, each repeating the identifying
        columns. A block that cannot fit even alone (a console narrower than its
        identifying columns) is still returned with every text column free to wrap;
        rich then folds its cells.
    """
    cells = _cells(t)
    whole = _fitted(cells, console)
    if whole is not None or not cells:
        return [whole if whole is not None else _rich(cells, True, squeeze=True)]
    n_ids = next((i for i, c in enumerate(cells) if c.column.kind != "text"), len(cells))
    ids, rest = cells[:n_ids], cells[n_ids:]
    if not rest:
        return [_rich(cells, True, squeeze=True)]
    out = []
    for block in _blocks(ids, rest, console):
        rt = _fitted(ids + block, console)
        out.append(rt if rt is not None else _rich(ids + block, True, squeeze=True))
    return out
