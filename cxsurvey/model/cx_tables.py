"""The ``[data.scales]`` and ``[metrics]`` tables of a model file.

``[data.scales]`` gives a construct or an item its own answer range (a 0-10 "likely to
recommend" item beside 5-point items); ``[metrics]`` names the items that the CX metrics
(NPS, CSAT, CES) are computed from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cxsurvey.errors import InputError, Location

__all__ = ["METRIC_KEYS", "parse_metrics", "parse_scales", "scale_pair"]

#: The metrics a ``[metrics]`` table may name, with what each one is.
METRIC_KEYS = {
    "nps": "Net Promoter Score of a 0-10 likelihood-to-recommend item",
    "csat": "customer satisfaction: percent in the two highest points",
    "ces": "customer effort score: mean and percent in the two highest points",
}

Locate = Callable[[str | None], Location]


def scale_pair(value: Any) -> tuple[int, int] | None:
    """``[min, max]`` as two whole numbers with min < max; None when it is not that."""
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                  and float(v).is_integer() for v in value)
          and value[0] < value[1])
    return (int(value[0]), int(value[1])) if ok else None


def parse_scales(table: Any, at: Locate) -> dict[str, tuple[int, int]]:
    """``[data.scales]``: construct or item name -> ``(min, max)``.

    Parameters
    ----------
    table : Any
        The parsed ``[data.scales]`` value.
    at : callable
        Key name -> its :class:`Location` inside ``[data.scales]`` (None: the table).

    Raises
    ------
    InputError
        Not a table, or an entry that is not two integers ``[min, max]`` with min < max.
    """
    if not isinstance(table, dict):
        hint = ("Did you mean 'scale'? (scale = [min, max] is the scale of every item.) "
                if isinstance(table, list) else "")
        raise InputError("[data] scales must be a table of construct or item = [min, max]",
                         at(None), hint + "Write [data.scales] with lines such as "
                         "Rec = [0, 10].")
    out: dict[str, tuple[int, int]] = {}
    for name, value in table.items():
        pair = scale_pair(value)
        if pair is None:
            raise InputError(
                f"[data.scales] '{name}' must be two integers [min, max] with min < max, "
                f"got {value!r}", at(str(name)),
                "Example: Loyalty = [1, 7] for a construct, Rec = [0, 10] for an item.")
        out[str(name)] = pair
    return out


def parse_metrics(table: Any, at: Locate) -> dict[str, str]:
    """``[metrics]``: ``nps``, ``csat`` and ``ces`` -> the item each is computed from.

    Raises
    ------
    InputError
        Not a table, an unknown metric, or a value that is not an item name.
    """
    if not isinstance(table, dict):
        raise InputError("[metrics] must be a table", at(None),
                         'Write [metrics] with lines such as nps = "Rec".')
    out: dict[str, str] = {}
    for key, item in table.items():
        if key not in METRIC_KEYS:
            raise InputError(f"unknown metric '{key}' in [metrics]", at(str(key)),
                             "Known metrics: " + "; ".join(
                                 f"{k} ({w})" for k, w in METRIC_KEYS.items()) + ".")
        if not isinstance(item, str) or not item.strip():
            raise InputError(f"[metrics] {key} must name one item column, got {item!r}",
                             at(str(key)), f'Example: {key} = "Rec"')
        out[str(key)] = item.strip()
    return out
