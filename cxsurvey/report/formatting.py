"""Number formatting shared by the renderers (APA style: no leading zero for p)."""

from __future__ import annotations

import math


def is_undefined(value: object) -> bool:
    """True for None, pandas NA/NaT and non-finite floats: an empty cell in a report."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return not math.isfinite(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_p(p: object) -> str:
    """``0.0004`` -> ``"< .001"``, ``0.0234`` -> ``".023"``, ``1.0`` -> ``"1.000"``."""
    if is_missing(p):
        return ""
    p = float(p)  # type: ignore[arg-type]
    if p < 0.001:
        return "< .001"
    text = f"{p:.3f}"
    return text[1:] if text.startswith("0") else text


def format_number(value: object, decimals: int = 3) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, str):
        return value
    return f"{float(value):.{decimals}f}"  # type: ignore[arg-type]


def format_int(value: object) -> str:
    if is_missing(value):
        return ""
    return f"{int(value):d}"  # type: ignore[call-overload]


def format_value(value: object, kind: str, decimals: int = 3) -> str:
    """Format one cell by column kind: text, int, num, p, pct."""
    if kind == "p":
        return format_p(value)
    if kind == "int":
        return format_int(value)
    if kind == "pct":
        return "" if is_missing(value) else f"{float(value):.1f}"  # type: ignore[arg-type]
    if kind == "num":
        return format_number(value, decimals)
    return "" if is_missing(value) else str(value)
