"""Missing answers: listwise deletion without a copy when nothing is missing, and the
coverage and missing-data patterns of a set of items (what FIML works with)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MissingData", "complete_cases", "missing_data", "n_complete"]


def complete_cases(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` with no missing value (SPSS listwise deletion).

    Returns ``frame`` itself when every row is complete, so that a million answers are
    not copied to drop none; ``frame.dropna()`` otherwise.
    """
    values = frame.to_numpy()
    if values.dtype.kind == "f" and not np.isnan(values).any():
        return frame
    return frame.dropna()


def n_complete(frame: pd.DataFrame) -> int:
    """How many rows of ``frame`` have no missing value."""
    return int(frame.notna().all(axis=1).sum())


@dataclass(frozen=True)
class MissingData:
    """Coverage and missing-data patterns of a set of items.

    Attributes
    ----------
    items : tuple of str
    n_rows : int
        Rows in the data.
    n_used : int
        Rows with at least one answer on the items (what FIML uses).
    n_complete : int
        Rows answering every item (what listwise deletion keeps).
    coverage : DataFrame
        Items x items: the share of the rows used that answer both (the diagonal: each
        item), lavaan's ``lavInspect(fit, "coverage")``.
    patterns : DataFrame
        ``pattern`` (one character per item: ``1`` answered, ``0`` missing), ``n``,
        ``share`` (of the rows used), ``missing`` (the items left unanswered, comma
        separated), most frequent first.
    """

    items: tuple[str, ...]
    n_rows: int
    n_used: int
    n_complete: int
    coverage: pd.DataFrame
    patterns: pd.DataFrame

    @property
    def n_patterns(self) -> int:
        return int(len(self.patterns))

    @property
    def min_coverage(self) -> float:
        """The lowest share of rows answering a pair of items (or an item)."""
        values = self.coverage.to_numpy(dtype=float)
        return float(values.min()) if values.size else float("nan")


def missing_data(frame: pd.DataFrame, items: list[str] | tuple[str, ...]) -> MissingData:
    """Coverage of each item and pair of items, and the missing-data patterns.

    Parameters
    ----------
    frame : DataFrame
        Answers (NaN where missing).
    items : sequence of str
        The items of the model.

    Returns
    -------
    MissingData
        Computed over the rows with at least one answer on ``items`` (rows without any
        are not used by FIML; lavaan drops them too).

    References
    ----------
    Enders, C. K. (2010). Applied Missing Data Analysis. Guilford, ch. 1 (patterns and
    coverage). Rosseel, Y. (2012). Journal of Statistical Software, 48(2) (``coverage``).
    """
    cols = list(items)
    answered = frame.loc[:, cols].notna().to_numpy()
    used = answered[answered.any(axis=1)]
    n_used = int(used.shape[0])
    a = used.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cover = (a.T @ a) / n_used if n_used else np.full((len(cols), len(cols)), np.nan)
    if n_used:
        masks, counts = np.unique(used, axis=0, return_counts=True)
    else:
        masks, counts = np.zeros((0, len(cols)), dtype=bool), np.zeros(0, dtype=int)
    order = np.lexsort((-masks.sum(axis=1), -counts))
    rows = [{"pattern": "".join("1" if v else "0" for v in masks[g]),
             "n": int(counts[g]), "share": float(counts[g]) / n_used,
             "missing": ", ".join(c for c, v in zip(cols, masks[g], strict=True) if not v)}
            for g in order]
    return MissingData(items=tuple(cols), n_rows=int(frame.shape[0]), n_used=n_used,
                       n_complete=int(answered.all(axis=1).sum()),
                       coverage=pd.DataFrame(cover, index=cols, columns=cols),
                       patterns=pd.DataFrame(rows, columns=["pattern", "n", "share",
                                                            "missing"]))
