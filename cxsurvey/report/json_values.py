"""JSON values of the reports: numpy and pandas values as plain JSON (NaN -> null)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["clean", "records"]

_INT_KEYS = {"n", "n_items", "ks_df", "sw_df", "missing", "row", "skewness_df", "df", "npar",
             "requested", "used", "failed", "seed", "baseline_df", "duplicate_of",
             "longest_run", "answered", "df_scaled"}


def clean(value: Any, key: str | None = None) -> Any:
    """A value as JSON: dicts and lists recursively, numpy scalars as Python, NaN and
    infinities as None, whole floats of the integer keys as ints."""
    if isinstance(value, dict):
        return {str(k): clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        if not math.isfinite(f):
            return None
        if key in _INT_KEYS and f.is_integer():
            return int(f)
        return f
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-ready dicts (NaN -> None, numpy -> Python)."""
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return [clean(r) for r in frame.to_dict(orient="records")]
