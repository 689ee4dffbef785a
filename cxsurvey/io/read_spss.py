"""Read SPSS files (.sav/.zsav) into a raw table, with value labels and user-missing codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.raw_table import RawTable

__all__ = ["read_spss"]


def read_spss(p: Path, shown: str) -> RawTable:
    """Read an SPSS file with its value labels; user-missing codes become missing."""
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(p), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and others
        raise InputError(f"not a readable SPSS file ({type(exc).__name__}: {exc})",
                         Location(file=shown), "Save it again from SPSS.") from None
    ranges: dict[str, Any] = dict(meta.missing_ranges or {})
    user_missing = 0
    for col, spans in ranges.items():
        if col not in frame.columns:
            continue
        hit = pd.Series(False, index=frame.index)
        for span in spans:
            lo, hi = span.get("lo"), span.get("hi")
            s = frame[col]
            if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                num = pd.to_numeric(s, errors="coerce")
                hit |= (num >= lo) & (num <= hi)
            elif isinstance(lo, str):
                hit |= s.astype(str).str.strip() == lo.strip()
        if hit.any():
            user_missing += int(hit.sum())
            frame[col] = frame[col].mask(hit)
    labels: dict[str, dict[float, str]] = {}
    for col, d in (meta.variable_value_labels or {}).items():
        spans = ranges.get(col, [])
        labels[str(col)] = {
            float(c): str(v) for c, v in d.items()
            if isinstance(c, (int, float)) and not any(
                isinstance(sp.get("lo"), (int, float)) and sp["lo"] <= c <= sp["hi"]
                for sp in spans)
        }
    return RawTable(frame=frame, path=shown, kind="spss", first_data_row=1,
                    value_labels=labels,
                    details={"file_label": meta.file_label, "encoding": meta.file_encoding,
                             "user_missing_cells": user_missing})
