"""Infer a measurement model from column names: ``Att1, Att2, ...`` -> construct ``Att``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.model.syntax import build_syntax, parse_syntax

_ITEM = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z]*?)[_.]?(?P<num>\d+)$")
_NOT_ITEMS = {"id", "age", "q", "year", "wave", "group"}


def item_prefix(column: str) -> str | None:
    """The construct prefix of an item-like column name, or None.

    ``Att1`` and ``Att_1`` -> ``Att``; ``id``, ``age``, ``Q1_text`` -> None.
    """
    m = _ITEM.match(column.strip())
    if not m:
        return None
    prefix = m.group("prefix")
    return None if prefix.lower() in _NOT_ITEMS else prefix


def infer_constructs(columns: Iterable[str],
                     is_item: Callable[[str], bool] = lambda c: True,
                     min_items: int = 2) -> dict[str, tuple[str, ...]]:
    """Group item-like columns by prefix.

    Parameters
    ----------
    columns : iterable of str
        Column names in file order.
    is_item : callable
        Says whether a column's answers are usable as item scores (numeric, or text
        covered by a label mapping); other columns are ignored.
    min_items : int
        Prefix groups with fewer items are ignored (a one-item "construct" has no
        reliability); default 2.
    """
    groups: dict[str, list[str]] = {}
    for col in columns:
        prefix = item_prefix(str(col))
        if prefix is not None and is_item(col):
            groups.setdefault(prefix, []).append(str(col))
    return {p: tuple(items) for p, items in groups.items() if len(items) >= min_items}


def infer_model(columns: Iterable[str], data: DataSpec | None = None,
                is_item: Callable[[str], bool] = lambda c: True,
                source: str | None = None) -> SurveyModel:
    """A :class:`SurveyModel` whose measurement model is inferred from ``columns``."""
    data = data or DataSpec()
    drop = set(data.drop)
    constructs = infer_constructs([c for c in columns if c not in drop], is_item)
    if not constructs:
        return SurveyModel(data=data, model=ModelSpec(syntax=""), source=source, inferred=True)
    spec = parse_syntax(build_syntax(constructs), source=source)
    return SurveyModel(data=data, model=spec, source=source, inferred=True)
