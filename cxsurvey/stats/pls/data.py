"""PLS data preparation: the model's items, missing answers handled, standardised."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.pls.specify import PlsModel

__all__ = ["MISSING", "ZERO_VARIANCE", "PreparedData", "correlation", "prepare_data"]

MISSING = ("listwise", "mean")
ZERO_VARIANCE = 1e-12  # below this an item's spread (SD relative to its mean, variance) is zero


@dataclass(frozen=True)
class PreparedData:
    """Standardised item matrix after missing-value handling."""

    z: np.ndarray
    index: pd.Index
    n_rows: int
    n_dropped: int
    n_replaced: int
    replaced: dict[str, int]
    means: np.ndarray
    sds: np.ndarray


def _handle_missing(values: np.ndarray, index: pd.Index, model: PlsModel,
                    missing: str) -> tuple[np.ndarray, pd.Index, int, int, dict[str, int]]:
    """Rows kept (listwise) or cells mean-replaced: values, index, rows dropped, cells
    replaced and replaced cells per item."""
    miss = np.isnan(values)
    if not miss.any():
        return values, index, 0, 0, {}
    if missing == "listwise":
        keep = ~miss.any(axis=1)
        return values[keep], index[keep], int((~keep).sum()), 0, {}
    n_rows = values.shape[0]
    counts = miss.sum(axis=0)
    if np.any(counts == n_rows):
        item = model.items[int(np.argmax(counts == n_rows))]
        raise AnalysisError(f"item '{item}' has no answers; mean replacement is impossible")
    col_means = np.nanmean(values, axis=0)
    replaced = {i: int(c) for i, c in zip(model.items, counts, strict=True) if c}
    return np.where(miss, col_means[None, :], values), index, 0, int(counts.sum()), replaced


def prepare_data(data: pd.DataFrame, model: PlsModel,
                 missing: str = "listwise") -> PreparedData:
    """Select the model's items, handle missing values and standardise.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; extra columns are ignored; NaN marks a missing answer
        (missing-value codes such as -99 must be turned into NaN first).
    model : PlsModel
    missing : {"listwise", "mean"}
        ``"listwise"`` drops rows with a missing item (seminr ``na.omit``);
        ``"mean"`` replaces a missing answer by the item's mean of the observed answers
        (SmartPLS "mean replacement", seminr's default).

    Raises
    ------
    InputError
        For an item that is not a column or is not numeric.
    AnalysisError
        For too few usable rows or an item without variance.

    References
    ----------
    Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial
    least squares structural equation modeling (PLS-SEM) (3rd ed., ch. 2: missing data,
    mean replacement and casewise deletion). Sage.
    """
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {', '.join(MISSING)}; got {missing!r}")
    absent = [i for i in model.items if i not in data.columns]
    if absent:
        raise InputError(f"item '{absent[0]}' of the PLS model is not a column of the data")
    frame = data.loc[:, list(model.items)]
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise InputError(f"the PLS items must be numeric: {exc}") from exc
    n_rows = values.shape[0]
    values, index, n_dropped, n_replaced, replaced = _handle_missing(
        values, frame.index, model, missing)
    n = values.shape[0]
    if n < 3:
        raise AnalysisError(f"PLS-SEM needs at least 3 complete rows; {n} remain",
                            hint="Use mean replacement or collect more answers.")
    means = values.mean(axis=0)
    sds = values.std(axis=0, ddof=1)
    flat = sds <= ZERO_VARIANCE * np.maximum(1.0, np.abs(means))
    if flat.any():
        raise AnalysisError(f"item '{model.items[int(np.argmax(flat))]}' has the same answer "
                            "in every row used, so it cannot be standardised",
                            hint="Drop the item from the model.")
    z = (values - means) / sds
    return PreparedData(z=z, index=index, n_rows=n_rows, n_dropped=n_dropped,
                        n_replaced=n_replaced, replaced=replaced, means=means, sds=sds)


def correlation(z: np.ndarray) -> np.ndarray:
    """Correlation matrix of standardised columns (n - 1 denominator).

    References
    ----------
    Pearson, K. (1896). Mathematical contributions to the theory of evolution. III.
    Regression, heredity, and panmixia. Philosophical Transactions of the Royal Society A,
    187, 253-318.
    """
    s = z.T @ z / (z.shape[0] - 1)
    d = np.sqrt(np.diag(s))
    return s / np.outer(d, d)
