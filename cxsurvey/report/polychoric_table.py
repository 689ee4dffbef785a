"""Display tables of the polychoric correlations: the matrix and the items' thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsurvey.report.table_model import Column, Table
from cxsurvey.results import Results

__all__ = ["polychoric_tables"]


def _missing_note(res: Results, n: np.ndarray, k: int) -> str:
    """How missing answers were handled and how many rows each correlation rests on."""
    pairwise = res.meta.get("missing_policy") == "pairwise"
    if k < 2:
        return f"Missing values: {'pairwise' if pairwise else 'listwise'}."
    off = n[~np.eye(k, dtype=bool)]
    if pairwise:
        lo, hi = int(off.min()), int(off.max())
        rows = f"n = {lo}" if lo == hi else f"n = {lo} to {hi} per pair"
        return ("Missing values: pairwise (lavaan's missing = \"pairwise\": each item's "
                "thresholds from its own answers, each pair's table from the rows answering "
                f"both); {rows}.")
    return f"Missing values: listwise; n = {int(off.max())} (rows answering every item)."


def polychoric_tables(res: Results) -> list[Table]:
    """The polychoric matrix (lower triangle) and the thresholds table, when computed.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44(4), 443-460.
    """
    pc = res.polychoric
    if pc is None or not pc.items:
        return []
    items = [str(i) for i in pc.items]
    k = len(items)
    label = "item" if "item" not in items else "row_item"
    values = pc.matrix.to_numpy(dtype=float).copy()
    values[np.triu_indices(k, 1)] = np.nan  # lower triangle, as published
    frame = pd.DataFrame(values, columns=items)
    frame.insert(0, label, items)
    n = pc.n.to_numpy()
    notes = ["Polychoric correlations by two-step maximum likelihood, as lavaan's lavCor "
             "(Olsson 1979): each item's thresholds from its marginal proportions, then each "
             "pair's correlation with the thresholds fixed. Lower triangle; the JSON report "
             "holds the full matrix and the n of every pair.",
             _missing_note(res, n, k)]
    if pc.zero_cell_pairs:
        pairs = k * (k - 1) // 2
        notes.append(f"{len(pc.zero_cell_pairs)} of {pairs} pairs have empty cells in their "
                     "bivariate table; they are used as observed, as lavaan does.")
    if pc.smoothed:
        notes.append("The pairwise estimates were not positive definite; the matrix shown is "
                     "smoothed by eigenvalues (psych::cor.smooth; Wothke 1993).")
    tables = [Table("polychoric", "Polychoric correlations", frame,
                    (Column(label, "Item", "text"), *(Column(i, i) for i in items)),
                    notes=tuple(notes))]

    width = max((len(pc.thresholds.get(i, ())) for i in items), default=0)
    rows = []
    for j, item in enumerate(items):
        th = np.asarray(pc.thresholds.get(item, ()), dtype=float)
        row: dict[str, object] = {"item": item, "n": int(n[j, j]),
                                  "categories": len(pc.categories.get(item, ()))}
        row.update({f"t{c + 1}": (float(th[c]) if c < th.size else np.nan)
                    for c in range(width)})
        rows.append(row)
    dropped = [f"{i} ({', '.join(f'{v:g}' for v in sorted(empty))})"
               for i in items if (empty := _empty_points(res, i, pc.categories.get(i)))]
    th_notes = ["Thresholds: the standard normal quantiles of each item's cumulative "
                "answer proportions (t1 between its first and second observed categories)."]
    if dropped:
        th_notes.append("Scale points nobody chose are not categories (lavaan drops them): "
                        + "; ".join(dropped) + ".")
    tables.append(Table(
        "polychoric_thresholds", "Polychoric thresholds", pd.DataFrame(rows),
        (Column("item", "Item", "text"), Column("n", "N", "int"),
         Column("categories", "Categories", "int"),
         *(Column(f"t{c + 1}", f"t{c + 1}") for c in range(width))),
        notes=tuple(th_notes)))
    return tables


def _empty_points(res: Results, item: str,
                  categories: tuple[float, ...] | None) -> list[float]:
    """The item's scale points (its own scale, else the survey's) that nobody chose."""
    scales = res.meta.get("scales") or {}
    scale = scales.get(item) or res.meta.get("scale")
    if not scale or categories is None:
        return []
    seen = set(categories)
    return [float(p) for p in range(int(scale[0]), int(scale[1]) + 1) if float(p) not in seen]
