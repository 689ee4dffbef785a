"""Each item's answer range: ``[data.scales]``, ``[data] scale`` or the inferred scale.

An item's own ``[data.scales]`` entry beats its construct's, which beats the file-level
scale; the ``nps`` item of ``[metrics]`` is 0-10 unless its own or its construct's entry
says otherwise. Answers are checked against, and reverse-keyed with, the item's own scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.readers import RawTable
from cxsurvey.model.load import key_line
from cxsurvey.model.spec import SurveyModel

__all__ = ["NPS_SCALE", "check_range", "explicit_scales", "mask_out_of_range"]

#: The answer range of a likelihood-to-recommend item (Reichheld 2003).
NPS_SCALE = (0, 10)

Scale = tuple[int, int]


def _where(model: SurveyModel, name: str | None) -> Location:
    line = key_line(model.text, "data.scales", name) if name else None
    return Location(file=model.source, line=line) if model.source else Location()


def explicit_scales(model: SurveyModel, constructs: dict[str, tuple[str, ...]],
                    columns: list[str], file_columns: list[str],
                    ) -> dict[str, tuple[Scale, str]]:
    """Columns with a scale of their own: column -> ``(scale, origin for messages)``.

    Parameters
    ----------
    model : SurveyModel
        Its ``[data.scales]`` and ``[metrics]``.
    constructs : dict
        Construct -> items, to apply a construct's entry to its items.
    columns : list of str
        The item and metric columns being read.
    file_columns : list of str
        All columns of the file (an entry may name a column that is not read).

    Raises
    ------
    InputError
        An entry names neither a construct nor a column, or the ``nps`` item's scale is
        not 0-10.
    """
    entries = model.data.scales
    for name in entries:
        if name not in constructs and name not in file_columns:
            raise InputError(
                f"[data.scales] names '{name}', which is neither a construct of the model "
                "nor a column of the file", _where(model, name),
                "Constructs: " + ", ".join(constructs) + ".")
    owner = {i: c for c, its in constructs.items() for i in its}
    out: dict[str, tuple[Scale, str]] = {}
    for col in columns:
        if col in entries:
            out[col] = entries[col], f"set by [data.scales] {col}"
        elif owner.get(col) in entries:
            c = owner[col]
            out[col] = entries[c], f"set by [data.scales] {c}"
    nps = model.metrics.get("nps")
    if nps is not None and nps in columns:
        scale, _ = out.setdefault(nps, (NPS_SCALE, "the 0-10 scale of an NPS item"))
        if scale != NPS_SCALE:
            raise InputError(
                f"[metrics] nps names '{nps}', whose scale is {scale[0]}-{scale[1]}; the "
                "Net Promoter Score needs a 0-10 item",
                _where(model, nps if nps in entries else owner.get(nps)),
                f"Set {nps} = [0, 10] under [data.scales], or name the 0-10 item.")
    return out


def _bounds(frame: pd.DataFrame, scales: dict[str, Scale]) -> tuple[np.ndarray, np.ndarray]:
    lo = np.array([scales[str(c)][0] for c in frame.columns], dtype=float)
    hi = np.array([scales[str(c)][1] for c in frame.columns], dtype=float)
    return lo, hi


def _outside(frame: pd.DataFrame, scales: dict[str, Scale]) -> tuple[np.ndarray, np.ndarray]:
    values = frame.to_numpy(dtype=float)
    lo, hi = _bounds(frame, scales)
    # inf and -inf (an "inf" or "Infinity" typed as an answer) lie outside every scale
    return values, ~np.isnan(values) & ((values < lo) | (values > hi))


def show_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def mask_out_of_range(frame: pd.DataFrame, scales: dict[str, Scale],
                      ) -> tuple[pd.DataFrame, list[float], str | None]:
    """Answers outside their item's scale set missing: the frame, the codes seen and a
    warning."""
    values, bad = _outside(frame, scales)
    if not bad.any():
        return frame, [], None
    out_of_range = sorted({float(v) for v in values[bad]})
    frame = frame.mask(pd.DataFrame(bad, index=frame.index, columns=frame.columns))
    codes = ", ".join(show_number(v) for v in out_of_range)
    used = {scales[str(c)] for c in frame.columns}
    scale = next(iter(used))
    where = (f"the scale {scale[0]}-{scale[1]}" if len(used) == 1
             else "their item's scale")
    return frame, out_of_range, (
        f"{int(bad.sum())} answer(s) outside {where} set missing "
        f"(codes {codes}); declare them under [data] missing")


def check_range(frame: pd.DataFrame, raw: RawTable, scales: dict[str, Scale],
                origins: dict[str, str]) -> None:
    """Raise on the first answer outside its item's scale, naming its row and column."""
    values, bad = _outside(frame, scales)
    if not bad.any():
        return
    r, c = map(int, np.argwhere(bad)[0])
    col = str(frame.columns[c])
    lo, hi = scales[col]
    value = values[r, c]
    shown = show_number(value)
    cell = raw.frame[col].iloc[r]
    if isinstance(cell, str) and cell.strip() != shown:
        shown = f"{' '.join(cell.split())!r} (score {shown})"
    raise InputError(
        f"the answer {shown} is outside the scale {lo}-{hi} ({origins[col]}; "
        f"{int(bad.sum())} such cell(s) in all)",
        raw.location(r, col),
        "Correct the answer, declare the code under [data] missing (e.g. missing = [99]), "
        "or set [data] scale (or this item's [data.scales] entry) in the model file.",
    )
