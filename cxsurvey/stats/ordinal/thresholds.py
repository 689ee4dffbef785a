"""Thresholds of one ordinal item from its marginal proportions.

The categories of an item are its *observed* values in increasing order, coded 0, 1, ...,
as lavaan does (``ordered()`` keeps only the levels that occur, so a scale point nobody
chose is dropped rather than giving an infinite threshold). Which declared scale points were
empty is recorded so a caller can warn about it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

__all__ = ["ItemThresholds", "code_categories", "item_thresholds"]


@dataclass(frozen=True)
class ItemThresholds:
    """The thresholds of one ordinal item.

    Attributes
    ----------
    categories : tuple of float
        The observed values, increasing; category ``c`` is ``categories[c]``.
    counts : ndarray of int
        Number of responses in each category.
    thresholds : ndarray of float
        ``len(categories) - 1`` thresholds, Phi^-1 of the cumulative proportions.
    empty : tuple of float
        Scale points in ``scale`` (or, without one, the integers between the smallest and
        largest observed integer values) that nobody chose and so are not categories.
    n : int
        Number of non-missing responses.
    """

    categories: tuple[float, ...]
    counts: NDArray[np.int64]
    thresholds: NDArray[np.float64]
    empty: tuple[float, ...]
    n: int


def code_categories(values: ArrayLike) -> tuple[NDArray[np.int64], tuple[float, ...]]:
    """Code an item's responses as consecutive integers 0..C-1 of its observed values.

    Parameters
    ----------
    values : array_like
        Numeric responses; NaN is missing.

    Returns
    -------
    codes : ndarray of int
        The category code of each response, -1 where missing.
    categories : tuple of float
        The observed values in increasing order.
    """
    x = np.asarray(pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce"),
                   dtype=float)
    observed = ~np.isnan(x)
    cats = np.unique(x[observed])
    codes = np.full(x.shape, -1, dtype=np.int64)
    codes[observed] = np.searchsorted(cats, x[observed])
    return codes, tuple(float(c) for c in cats)


def _empty_points(categories: tuple[float, ...],
                  scale: Sequence[float] | None) -> tuple[float, ...]:
    if scale is not None:
        points = [float(p) for p in scale]
    elif categories and all(float(c).is_integer() for c in categories):
        points = [float(p) for p in range(int(categories[0]), int(categories[-1]) + 1)]
    else:
        points = []
    present = set(categories)
    return tuple(p for p in points if p not in present)


def item_thresholds(values: ArrayLike, scale: Sequence[float] | None = None) -> ItemThresholds:
    """Thresholds of one ordinal item: tau_c = Phi^-1(P(Y <= c)), c = 1..C-1.

    With no covariates this is lavaan's univariate ordinal probit fit (``lav_uvord_fit``;
    its ML estimate equals the closed form ``lav_uvord_th``) and psych's ``tau``.

    Parameters
    ----------
    values : array_like
        The item's responses (NaN = missing; missing responses are ignored).
    scale : sequence of float, optional
        The declared scale points, only used to report empty categories.

    Returns
    -------
    ItemThresholds
        Categories, counts, thresholds and the empty scale points.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44, 443-460 (two-step estimator, first step).
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2) (``lav_uvord_th``).
    """
    codes, cats = code_categories(values)
    observed = codes[codes >= 0]
    counts = np.bincount(observed, minlength=len(cats)).astype(np.int64)
    n = int(counts.sum())
    if len(cats) > 1:
        cum = np.cumsum(counts)[:-1] / n
        th = np.asarray(ndtri(cum), dtype=float)
    else:
        th = np.zeros(0, dtype=float)
    return ItemThresholds(categories=cats, counts=counts, thresholds=th,
                          empty=_empty_points(cats, scale), n=n)
