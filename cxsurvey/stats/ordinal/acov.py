"""Asymptotic covariance matrix (Gamma, lavaan's NACOV) of thresholds and polychoric correlations.

The sample statistics of an ordinal (WLSMV) analysis are stacked as lavaan does: every
item's thresholds (item by item, ``"A1|t1", "A1|t2", ...``), then the polychoric
correlations below the diagonal, column by column (``"A1~~A2", "A1~~A3", ..., "A2~~A3",
...``; the same pair order as ``np.triu_indices``). Their asymptotic covariance matrix is
Muthén's (1984) sandwich for the two-step estimator, as lavaan 0.6-14 builds it in
``muthen1984()`` (one group, no covariates):

1. casewise scores of each item's univariate probit likelihood in its thresholds, and of
   each pair's bivariate likelihood in rho (with the thresholds fixed at step 1), stacked
   column-wise into ``S`` (N x K); ``INNER = S' S``;
2. the "Hessian" ``A`` is block lower-triangular: ``A11`` is the block diagonal of the
   threshold part of ``INNER`` (one block per item: the thresholds of different items are
   estimated separately), ``A22`` the diagonal of the rho part (one rho per pair), and
   ``A21[p, t] = sum_n s_rho,p(n) * d log pi_p(n) / d tau_t`` couples pair ``p``'s rho to
   the thresholds of its two items (the second step's dependence on the first; both
   factors are outer-product, i.e. information-identity, estimates);
3. ``W = A^-1 INNER A^-T`` estimates the covariance matrix of the estimates, and
   ``Gamma = N W`` (``lavInspect(fit, "gamma")``). It is computed as ``T' T`` with
   ``T = S A^-T`` built blockwise (``A11^-1`` per item, ``A22^-1`` a diagonal), never forming
   a K x K inverse or product of three K x K matrices.

The DWLS weights (lavaan's ``wls.v`` for ``estimator = "WLSMV"``) are ``1 / diag(Gamma)``.

Each case's scores depend only on its category (univariate) or its cell of the pair's
table (bivariate), so the derivatives are computed once per cell, for all pairs at once,
and indexed by the cases' categories (``A21`` even comes from the pairs' tables); the
only N-sized work is filling ``S`` and the product ``T' T``. As in lavaan, a cell whose
model probability is at most sqrt(eps) gives its cases zero scores for that pair.

Missing values follow lavaan: a case missing an item contributes zero scores to that
item's thresholds and to every pair with that item (``lav_matrix_crossprod``'s
``na.rm``), and N is the number of cases used (pairwise: the rows with at least one
answer; checked against lavaan only on data without empty rows). With listwise deletion
(the default, and lavaan's default for WLSMV) this is the complete-data formula. Case
weights, covariates (``conditional.x``), continuous indicators and several groups are not
handled.

Agreement (tests/stats/ordinal/test_acov.py) with ``lavInspect(fit, "gamma")`` and ``wls.v``
of lavaan 0.6-14: on the 33-item sample (157 rows, 3 items with an empty category, 657
statistics), bfi's 25 items (2436 complete rows, 425 statistics) and bfi pairwise (2800 rows)
the diagonal agrees to 9e-8 relative at most (the thresholds' entries and the leading
10 x 10 block to 1e-13), the full 5-item matrices of tests/data/nacov_small.json to 1e-8.
The residual is the polychoric estimates' own difference (lavaan's ``nlminb`` stops 2-4e-8
from the maximum): with lavaan's estimates plugged in, the matrices agree to 2e-12
relative (1e-14 of the largest entry on the 5-item matrices).

Speed (development machine, 2 cores, loaded): :func:`acov_from_codes` takes about 25 ms on
the sample and 100 ms on bfi (the N x K product ``T'T`` dominates); with the polychoric
estimation 60 and 130 ms. lavaan's ``muthen1984()`` takes 1.5 and 2.1 s on the same data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from cxsurvey.stats.ordinal.bivariate_normal import bvn_cdf, bvn_pdf
from cxsurvey.stats.ordinal.polychoric import PolychoricResult, polychoric
from cxsurvey.stats.ordinal.thresholds import code_categories

__all__ = ["PolychoricAcov", "acov_from_codes", "polychoric_acov", "statistic_names",
           "wls_weight_diag"]

# lavaan floors cell probabilities at sqrt(eps) and drops the scores of cases in such cells.
_PI_MIN = float(np.sqrt(np.finfo(float).eps))
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_RHO_DENSITY = 0.9999


@dataclass(frozen=True)
class PolychoricAcov:
    """The asymptotic covariance matrix of the thresholds and polychoric correlations.

    Attributes
    ----------
    items : tuple of str
        The items, in the order of the statistics.
    names : tuple of str
        The statistics, lavaan's ``wls.obs`` order: ``"item|t1"``, ... for every item, then
        ``"a~~b"`` for the pairs (``a`` before ``b`` in ``items``) in ``np.triu_indices``
        order.
    estimates : ndarray
        The statistics themselves, in ``names`` order.
    gamma : ndarray, shape (K, K)
        N times the asymptotic covariance matrix of ``estimates`` (lavaan's NACOV,
        ``lavInspect(fit, "gamma")``).
    wls_weights : ndarray, shape (K,)
        The DWLS weights ``1 / diag(N W)`` (lavaan's ``wls.v`` diagonal; without the
        ``N / (N - 1)`` factor even when ``gamma`` has it, as lavaan).
    n : int
        The number of cases (N).
    n_thresholds : int
        How many of the statistics are thresholds (the rest are correlations).
    """

    items: tuple[str, ...]
    names: tuple[str, ...]
    estimates: NDArray[np.float64]
    gamma: NDArray[np.float64]
    wls_weights: NDArray[np.float64]
    n: int
    n_thresholds: int

    def frame(self) -> pd.DataFrame:
        """``gamma`` as a labelled DataFrame."""
        return pd.DataFrame(self.gamma, index=list(self.names), columns=list(self.names))

    @property
    def covariance(self) -> NDArray[np.float64]:
        """The asymptotic covariance matrix of the estimates, ``gamma / N``."""
        out: NDArray[np.float64] = self.gamma / self.n
        return out


def statistic_names(items: Sequence[str], n_thresholds: Sequence[int]) -> tuple[str, ...]:
    """lavaan's names of the stacked statistics: ``"A1|t1", ...`` then ``"A1~~A2", ...``.

    Parameters
    ----------
    items : sequence of str
        The items.
    n_thresholds : sequence of int
        The number of thresholds of each item.

    Returns
    -------
    tuple of str
    """
    names = [f"{item}|t{t + 1}" for item, k in zip(items, n_thresholds, strict=True)
             for t in range(k)]
    iu, ju = np.triu_indices(len(items), k=1)
    names += [f"{items[int(a)]}~~{items[int(b)]}" for a, b in zip(iu, ju, strict=True)]
    return tuple(names)


def wls_weight_diag(gamma: ArrayLike) -> NDArray[np.float64]:
    """The diagonal DWLS weight matrix of a Gamma: ``1 / diag(Gamma)``.

    lavaan's ``wls.v`` for ``estimator = "DWLS"`` (WLSMV) with categorical data, when
    ``gamma`` is N times the asymptotic covariance matrix (without ``N / (N - 1)``).

    Parameters
    ----------
    gamma : array_like, shape (K, K)
        The asymptotic covariance matrix (N-scaled), e.g. :attr:`PolychoricAcov.gamma`.

    Returns
    -------
    ndarray, shape (K,)
        The weights.

    References
    ----------
    Muthén, B. O., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted
    least squares and quadratic estimating equations in latent variable modeling with
    categorical and continuous outcomes. Unpublished technical report.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2) (``lav_samplestats``: ``WLS.VD``).
    """
    g = np.asarray(gamma, dtype=float)
    out: NDArray[np.float64] = 1.0 / np.diag(g)
    return out


def _limits(thresholds: Sequence[NDArray[Any]], width: int) -> NDArray[Any]:
    """(J, width + 1) category limits: -inf, thresholds, +inf for the rest (padding)."""
    out = np.full((len(thresholds), width + 1), np.inf)
    out[:, 0] = -np.inf
    for j, th in enumerate(thresholds):
        out[j, 1:1 + len(th)] = th
    return out


def _phi(x: NDArray[Any]) -> NDArray[Any]:
    """Standard normal density, 0 at +-inf."""
    xz = np.where(np.isfinite(x), x, 0.0)
    out: NDArray[Any] = np.where(np.isfinite(x), np.exp(-0.5 * xz * xz) * _INV_SQRT_2PI, 0.0)
    return out


def _cells(corner: NDArray[Any]) -> NDArray[Any]:
    """Difference corner values (..., A+1, B+1) into cell values (..., A, B)."""
    out: NDArray[Any] = (corner[..., 1:, 1:] - corner[..., :-1, 1:] - corner[..., 1:, :-1]
                         + corner[..., :-1, :-1])
    return out


def _univariate_scores(limits: NDArray[Any], width: int) -> NDArray[Any]:
    """(J, width, width - 1): d log P(category c) / d tau_t of each item, per category."""
    upper, lower = limits[:, 1:], limits[:, :-1]
    prob = ndtr(upper) - ndtr(lower)
    # the upper tail, for accuracy when both limits are large (as lavaan)
    tail = lower > 1.0
    prob = np.where(tail, ndtr(-lower) - ndtr(-upper), prob)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(prob > 0, 1.0 / prob, 0.0)
    dens = _phi(limits)  # (J, width + 1)
    out = np.zeros((limits.shape[0], width, width - 1))
    t = np.arange(width - 1)
    # category t has upper limit tau_t (index t + 1); category t + 1 has it as its lower one
    out[:, t, t] = dens[:, t + 1] * inv[:, t]
    out[:, t + 1, t] = -dens[:, t + 1] * inv[:, t + 1]
    return out


def _bivariate_scores(rho: NDArray[Any], lim1: NDArray[Any], lim2: NDArray[Any]
                      ) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Per-cell scores of P pairs' bivariate likelihoods.

    Returns ``s_rho`` (P, A, B) = d log pi_ab / d rho, ``s_th1`` (P, A, B, A - 1) and
    ``s_th2`` (P, A, B, B - 1) = d log pi_ab / d tau of the row / column item; every score is
    0 in a cell whose probability is at most sqrt(eps) (lavaan sets them to NA and drops them).
    """
    u = lim1[:, :, None]
    v = lim2[:, None, :]
    r = rho[:, None, None]
    pi = _cells(bvn_cdf(u, v, r))
    pi = np.where(pi < _PI_MIN, _PI_MIN, pi)
    ok = pi > _PI_MIN
    inv = np.where(ok, 1.0 / pi, 0.0)
    # lavaan's dbinorm() clips |rho| at 0.9999 (only a closed-form rho of +-1 reaches it)
    s_rho = _cells(bvn_pdf(u, v, np.clip(r, -_RHO_DENSITY, _RHO_DENSITY))) * inv

    big_r = np.sqrt(1.0 - rho * rho)[:, None, None]

    def corner(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
        """G[p, k, c] = d/d a_k of P(X <= a_k, b_c < Y <= b_{c+1}) for k over a's limits."""
        ak = a[:, :, None]
        if np.all(big_r > 0):
            with np.errstate(invalid="ignore", divide="ignore"):
                cond = ndtr((b[:, None, :] - r * np.where(np.isfinite(ak), ak, 0.0)) / big_r)
            band = cond[:, :, 1:] - cond[:, :, :-1]
        else:  # rho = +-1 exactly: lavaan's convention (half the density)
            safe = np.where(big_r > 0, big_r, 1.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                cond = ndtr((b[:, None, :] - r * np.where(np.isfinite(ak), ak, 0.0)) / safe)
            band = np.where(big_r > 0, cond[:, :, 1:] - cond[:, :, :-1], 0.5)
        out: NDArray[Any] = _phi(ak) * band
        return out

    def threshold_scores(g: NDArray[Any], rows: bool) -> NDArray[Any]:
        # g: (P, K + 1, L) over the item's limits k and the other item's categories.
        # Cell a of the item: d pi / d tau_t = G[t + 1] if t == a, -G[t + 1] if t == a - 1.
        k = g.shape[1] - 1
        t = np.arange(k - 1)
        d = np.zeros((g.shape[0], k, g.shape[2], k - 1))
        d[:, t, :, t] = g[:, t + 1, :].transpose(1, 0, 2)
        d[:, t + 1, :, t] = -g[:, t + 1, :].transpose(1, 0, 2)
        if not rows:
            d = d.transpose(0, 2, 1, 3)
        return d

    g1 = corner(lim1, lim2)            # (P, A + 1, B)
    g2 = corner(lim2, lim1)            # (P, B + 1, A)
    s_th1 = threshold_scores(g1, rows=True) * inv[..., None]
    s_th2 = threshold_scores(g2, rows=False) * inv[..., None]
    return s_rho, s_th1, s_th2


def acov_from_codes(codes: NDArray[np.int64], thresholds: Sequence[ArrayLike],
                    rho: ArrayLike, *, n_minus_one: bool = False
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gamma of the thresholds and polychoric correlations from category-coded data.

    Parameters
    ----------
    codes : ndarray of int, shape (N, J)
        Each case's category (0 .. C_j - 1) on each item; -1 where missing (the case then
        adds nothing to that item's thresholds nor to its pairs).
    thresholds : sequence of array_like
        Each item's C_j - 1 thresholds (the first-step estimates).
    rho : array_like, shape (J (J - 1) / 2,)
        The polychoric correlations, pairs in ``np.triu_indices(J, 1)`` order.
    n_minus_one : bool
        Multiply Gamma by N / (N - 1) (lavaan's ``gamma.n.minus.one``; default off).

    Returns
    -------
    gamma : ndarray, shape (K, K)
        N times the asymptotic covariance matrix (lavaan's NACOV), statistics in
        :func:`statistic_names` order.
    wls_weights : ndarray, shape (K,)
        ``1 / diag(gamma)`` without the ``N / (N - 1)`` factor (lavaan's ``wls.v``).

    References
    ----------
    Muthén, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*, 49(1),
    115-132.
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44, 443-460.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2) (``muthen1984``, ``lav_bvord_cor_scores``,
    ``lav_uvord_scores``).
    """
    codes = np.asarray(codes, dtype=np.int64)
    if codes.ndim != 2 or codes.shape[0] == 0 or codes.shape[1] == 0:
        raise ValueError("codes must be a non-empty (cases x items) array")
    n, j = codes.shape
    ths = [np.asarray(t, dtype=float).ravel() for t in thresholds]
    if len(ths) != j:
        raise ValueError(f"{len(ths)} threshold vectors for {j} items")
    nth = np.array([len(t) for t in ths], dtype=int)
    if np.any(nth < 1):
        raise ValueError("every item needs at least two observed categories")
    if np.any(codes > nth[None, :]):
        raise ValueError("a category code exceeds its item's number of thresholds")
    rho_arr = np.asarray(rho, dtype=float).ravel()
    iu, ju = np.triu_indices(j, k=1)
    p = iu.size
    if rho_arr.size != p:
        raise ValueError(f"{rho_arr.size} correlations for {j} items ({p} pairs)")
    if not np.all(np.abs(rho_arr) <= 1.0):
        raise ValueError("correlations must lie in [-1, 1]")
    width = int(nth.max()) + 1
    limits = _limits(ths, width)
    th_end = np.cumsum(nth)
    th_start = th_end - nth
    k_th = int(th_end[-1])
    observed = codes >= 0
    safe = np.where(observed, codes, 0)

    # casewise scores S = [thresholds | correlations], N x (k_th + p)
    uni = _univariate_scores(limits, width)                    # (J, W, W - 1)
    scores = np.zeros((n, k_th + p))
    for item in range(j):
        block = uni[item, safe[:, item], :nth[item]]
        scores[:, th_start[item]:th_end[item]] = np.where(observed[:, [item]], block, 0.0)
    s_rho, s_th1, s_th2 = _bivariate_scores(rho_arr, limits[iu], limits[ju])
    both = observed[:, iu] & observed[:, ju]                   # (N, P)
    ca, cb = safe[:, iu], safe[:, ju]
    pair_idx = np.broadcast_to(np.arange(p), (n, p))
    scores[:, k_th:] = np.where(both, s_rho[pair_idx, ca, cb], 0.0)

    # each pair's table, for A21 = sum over cases of s_rho * s_th (a function of the cell)
    key = (pair_idx * width + ca) * width + cb
    table = np.bincount(key[both], minlength=p * width * width).reshape(p, width, width)
    weighted = table * s_rho                                   # (P, W, W)
    a21_1 = np.einsum("pab,pabt->pt", weighted, s_th1)         # (P, W - 1)
    a21_2 = np.einsum("pab,pabt->pt", weighted, s_th2)

    # A = [[A11, 0], [A21, A22]]: A11 = the per-item blocks of S'S (block diagonal), A22 the
    # diagonal of its rho part; W = A^-1 S'S A^-T = T'T with T = S A^-T, done blockwise:
    # T_th = S_th A11^-T, T_rho = (S_rho - T_th A21') A22^-1 (in place of S).
    a21 = np.zeros((p, k_th))
    rows = np.arange(p)
    for t in range(width - 1):
        has1 = nth[iu] > t
        a21[rows[has1], th_start[iu[has1]] + t] = a21_1[has1, t]
        has2 = nth[ju] > t
        a21[rows[has2], th_start[ju[has2]] + t] = a21_2[has2, t]
    for item in range(j):
        sl = slice(int(th_start[item]), int(th_end[item]))
        s_item = scores[:, sl]
        block = s_item.T @ s_item
        try:
            a11_inv = np.linalg.inv(block)
        except np.linalg.LinAlgError:  # lavaan: MASS::ginv
            a11_inv = np.linalg.pinv(block)
        scores[:, sl] = s_item @ a11_inv.T
    s_rho = scores[:, k_th:]
    a22 = np.einsum("np,np->p", s_rho, s_rho)
    a22_inv = np.where(a22 > 0, 1.0 / np.where(a22 > 0, a22, 1.0), 0.0)
    scores[:, k_th:] = (s_rho - scores[:, :k_th] @ a21.T) * a22_inv
    cov = scores.T @ scores
    gamma: NDArray[np.float64] = n * ((cov + cov.T) / 2.0)
    weights = wls_weight_diag(gamma)
    if n_minus_one:
        gamma = gamma * (n / (n - 1.0))
    return gamma, weights


def polychoric_acov(frame: pd.DataFrame, items: Sequence[str] | None = None,
                    missing: Literal["listwise", "pairwise"] = "listwise", *,
                    result: PolychoricResult | None = None,
                    n_minus_one: bool = False) -> PolychoricAcov:
    """Gamma (NACOV) of the thresholds and polychoric correlations, as lavaan's WLSMV.

    ``lavInspect(cfa(model, data, ordered = TRUE, estimator = "WLSMV"), "gamma")`` for one
    group without covariates, and the DWLS weights ``wls.v``.

    Parameters
    ----------
    frame : DataFrame
        The responses (numeric; NaN = missing).
    items : sequence of str, optional
        The items, in the order of the statistics (default: all columns). For a lavaan
        model this is the order of its observed variables.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (lavaan's default for WLSMV): rows with any missing item are dropped.
        ``"pairwise"``: lavaan's ``missing = "pairwise"`` -- a missing answer contributes
        zero scores to its item and its pairs; rows with no answer at all are dropped.
    result : PolychoricResult, optional
        The polychoric estimates of the same rows and items (as :func:`polychoric` with the
        same ``missing`` returns them, not smoothed: the scores are evaluated at the
        pairwise maximum-likelihood estimates); computed when not given.
    n_minus_one : bool
        Multiply Gamma by N / (N - 1) (lavaan's ``gamma.n.minus.one``, default off).

    Returns
    -------
    PolychoricAcov
        Names, estimates, Gamma and the DWLS weights.

    Raises
    ------
    ValueError
        If an item has fewer than two observed categories, a correlation is undefined, or
        ``result`` does not match the items or was smoothed.

    References
    ----------
    Muthén, B. (1984). A general structural equation model with dichotomous, ordered
    categorical, and continuous latent variable indicators. *Psychometrika*, 49(1),
    115-132.
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44, 443-460.
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    Statistical Software*, 48(2).
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    names = [str(c) for c in (frame.columns if items is None else items)]
    data = frame.loc[:, list(names)].apply(pd.to_numeric, errors="coerce")
    data = data.dropna() if missing == "listwise" else data.dropna(how="all")
    if result is None:
        result = polychoric(data, names, missing=missing)
    elif tuple(result.items) != tuple(names):
        raise ValueError("result's items differ from the requested items")
    if getattr(result, "smoothed", False):
        raise ValueError("result's matrix was smoothed; Gamma needs the pairwise ML estimates")
    codes = np.column_stack([code_categories(data[c].to_numpy())[0] for c in names])
    thresholds = [np.asarray(result.thresholds[c], dtype=float) for c in names]
    short = [c for c, t in zip(names, thresholds, strict=True) if t.size == 0]
    if short:
        raise ValueError(f"fewer than two observed categories: {', '.join(short)}")
    if any(len(result.categories.get(c, ())) not in (0, t.size + 1)
           for c, t in zip(names, thresholds, strict=True)):
        raise ValueError("result's categories do not match its thresholds")
    matrix = result.matrix.loc[names, names].to_numpy(dtype=float)
    iu, ju = np.triu_indices(len(names), k=1)
    rho = matrix[iu, ju]
    if not np.all(np.isfinite(rho)):
        raise ValueError("a polychoric correlation is undefined (NaN)")
    gamma, weights = acov_from_codes(codes, thresholds, rho, n_minus_one=n_minus_one)
    estimates = np.concatenate([*thresholds, rho])
    return PolychoricAcov(
        items=tuple(names),
        names=statistic_names(names, [t.size for t in thresholds]),
        estimates=estimates,
        gamma=gamma,
        wls_weights=weights,
        n=int(codes.shape[0]),
        n_thresholds=int(sum(t.size for t in thresholds)),
    )
