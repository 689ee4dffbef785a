"""The ``[data.items]`` table: short item names for an export's long column headers.

A Google Forms grid writes one column per row, headed ``Question title [Row label]``;
lavaan syntax cannot name such a column. ``[data.items]`` gives each one a short name::

    [data.items]
    Sat1 = "How satisfied are you with our service? [Delivery]"
    Sat2 = { pattern = "How satisfied .* \\[Support\\]" }

:func:`cxsurvey.io.columns.rename_items` renames the columns before anything else reads
them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cxsurvey.errors import InputError, Location
from cxsurvey.model.spec import ItemColumn

__all__ = ["SHORT_NAME", "parse_items"]

#: A short name lavaan syntax can use: a letter, then letters, digits, ``_`` or ``.``.
SHORT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")

_EXAMPLE = ('Example: Sat1 = "How satisfied are you? [Delivery]", or '
            'Sat1 = { pattern = "satisfied.*Delivery" }')


def parse_items(table: Any, at: Callable[[str | None], Location]) -> dict[str, ItemColumn]:
    """Validate ``[data.items]`` into short name -> :class:`ItemColumn`.

    Parameters
    ----------
    table : Any
        The parsed ``[data] items`` value (a table when valid).
    at : callable
        Location of a key of ``[data.items]`` (``None``: of ``items`` in ``[data]``).

    Raises
    ------
    InputError
        Not a table, a short name lavaan cannot use, a value that is neither a
        non-empty header text nor ``{ pattern = "..." }``, or a pattern that is not a
        regular expression; the message names file and line.
    """
    if not isinstance(table, dict):
        raise InputError("[data] items must be a table of short name = column header",
                         at(None), "Write [data.items] with one line per item. " + _EXAMPLE)
    out: dict[str, ItemColumn] = {}
    for name, value in table.items():
        if not SHORT_NAME.match(name):
            raise InputError(f"[data.items] short name '{name}' cannot be used in lavaan "
                             "syntax", at(name),
                             "Use a letter followed by letters, digits or '_', e.g. Sat1.")
        out[name] = _column_ref(name, value, at)
    return out


def _column_ref(name: str, value: Any, at: Callable[[str | None], Location]) -> ItemColumn:
    """One entry: an exact header text, or ``{ pattern = "regex" }``."""
    if isinstance(value, str) and value.strip():
        return ItemColumn(text=value)
    if isinstance(value, dict) and set(value) == {"pattern"} and isinstance(
            value["pattern"], str) and value["pattern"]:
        try:
            re.compile(value["pattern"])
        except re.error as exc:
            raise InputError(f"[data.items] '{name}': the pattern {value['pattern']!r} is not "
                             f"a regular expression ({exc})", at(name),
                             r"Escape brackets and dots, in a TOML string as \\[ \\] \\.",
                             ) from None
        return ItemColumn(text=value["pattern"], pattern=True)
    raise InputError(f"[data.items] '{name}' must be the column header (text) or "
                     f"{{ pattern = \"...\" }}, got {value!r}", at(name), _EXAMPLE)
