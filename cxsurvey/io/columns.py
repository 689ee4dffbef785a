"""Rename an export's columns to the short item names of ``[data.items]``.

This runs first in :func:`cxsurvey.io.prepare.prepare`, so lavaan syntax, constructs and
every report see the short names; the original header stays in
:attr:`RawTable.descriptions` as the item's question text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from cxsurvey.errors import InputError, Location
from cxsurvey.io.readers import RawTable
from cxsurvey.model.load import key_line
from cxsurvey.model.spec import ItemColumn, SurveyModel

__all__ = ["rename_items", "repeated_columns", "resolve_header"]


def _where(model: SurveyModel, short: str, column: str | None = None) -> Location:
    """The ``[data.items]`` line of ``short`` in the model file (and a column, if any)."""
    return Location(file=model.source, line=key_line(model.text, "data.items", short),
                    column=column)


def _in_file(raw: RawTable) -> str:
    return f"{raw.path}{f' (sheet {raw.sheet!r})' if raw.sheet else ''}"


def resolve_header(short: str, ref: ItemColumn, columns: list[str], raw: RawTable,
                   model: SurveyModel) -> str:
    """The one column of ``columns`` that ``ref`` names.

    Raises
    ------
    InputError
        An exact header that is not in the file, or a pattern that matches no column or
        more than one; the message names the model file, the line and the column.
    """
    if not ref.pattern:
        if ref.text in columns:
            return ref.text
        stripped = [c for c in columns if " ".join(c.split()) == " ".join(ref.text.split())]
        if len(stripped) == 1:  # the same header up to spaces and line breaks
            return stripped[0]
        raise InputError(f"[data.items] '{short}' names a column that is not in "
                         f"{_in_file(raw)}", _where(model, short, ref.text),
                         "Copy the header exactly as the export writes it, or use "
                         '{ pattern = "..." } with a regular expression.')
    rx = re.compile(ref.text)
    hits = [c for c in columns if rx.fullmatch(c)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise InputError(f"[data.items] '{short}': the pattern {ref.text!r} matches no column "
                         f"of {_in_file(raw)}; it must match exactly one",
                         _where(model, short, ref.text),
                         "The pattern must match the whole header (as re.fullmatch does); "
                         "add .* where the header goes on.")
    shown = ", ".join(repr(c) for c in hits[:5]) + (" ..." if len(hits) > 5 else "")
    raise InputError(f"[data.items] '{short}': the pattern {ref.text!r} matches "
                     f"{len(hits)} columns ({shown}); it must match exactly one",
                     _where(model, short, hits[0]),
                     "Make the pattern longer, e.g. with the row label in brackets.")


def rename_items(raw: RawTable, model: SurveyModel) -> RawTable:
    """``raw`` with the ``[data.items]`` columns renamed to their short names.

    The renamed columns' question text (the export's description row where there is
    one, else the original header) is kept in :attr:`RawTable.descriptions` under the
    short name.

    Raises
    ------
    InputError
        A header not found, a pattern matching zero or several columns, two short names
        for one column, or a short name that is already another column's header.
    """
    items = model.data.items
    if not items:
        return raw
    columns = [str(c) for c in raw.frame.columns]
    renames: dict[str, str] = {}
    for short, ref in items.items():
        header = resolve_header(short, ref, columns, raw, model)
        if header in renames:
            raise InputError(f"[data.items] '{renames[header]}' and '{short}' both name "
                             f"the column {header!r}", _where(model, short, header),
                             "Give each column one short name.")
        renames[header] = short
    targets = set(renames.values())
    for header in columns:
        if header in targets and header not in renames:
            raise InputError(f"[data.items] short name '{header}' is already the header of "
                             f"another column of {_in_file(raw)}",
                             _where(model, header, header), "Choose another short name.")
    descriptions = {renames.get(c, c): t for c, t in raw.descriptions.items()}
    for header, short in renames.items():
        descriptions[short] = raw.descriptions.get(header) or header
    frame = raw.frame.rename(columns=renames)
    labels = {renames.get(c, c): v for c, v in raw.value_labels.items()}
    duplicates = {renames.get(c, c): v for c, v in raw.duplicates.items()}
    return replace(raw, frame=frame, value_labels=labels, descriptions=descriptions,
                   duplicates=duplicates)


def _positions(raw: RawTable, positions: tuple[int, ...]) -> str:
    """``2 and 5`` (text files) or ``B and E`` (Excel: column letters)."""
    if raw.kind == "excel":
        from openpyxl.utils import get_column_letter

        shown = [get_column_letter(p) for p in positions]
    else:
        shown = [str(p) for p in positions]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def repeated_columns(raw: RawTable, model: SurveyModel) -> list[str]:
    """Check the header's repeated names (:attr:`RawTable.duplicates`) against ``model``
    (with its constructs, inferred or given): the warnings for repeated columns that the
    model does not read.

    Raises
    ------
    InputError
        A repeated name is a column the model reads (an item, a ``[metrics]``,
        ``[data.attention]`` or ``[data] id`` column): which of the columns holds its
        answers cannot be told.
    """
    used = set(model.model.items) | set(model.metrics.values()) | set(model.data.attention)
    used |= {model.data.id} if model.data.id else set()
    warnings: list[str] = []
    for name, positions in raw.duplicates.items():
        where = _positions(raw, positions)
        if name in used:
            row = raw.details.get("header_row")
            raise InputError(
                f"the header names {len(positions)} columns '{name}' (columns {where}); "
                f"'{name}' is {'an item' if name in model.model.items else 'read by the model'}"
                " and cxsurvey cannot tell which column holds its answers",
                Location(file=raw.path, sheet=raw.sheet,
                         row=row if isinstance(row, int) else None, column=name),
                "Rename or delete the extra column in the file, or export it again.")
        warnings.append(f"the header names {len(positions)} columns '{name}' (columns "
                        f"{where}); the repeats are read as '{name}.1'"
                        f"{', ...' if len(positions) > 2 else ''} and not analysed")
    return warnings
