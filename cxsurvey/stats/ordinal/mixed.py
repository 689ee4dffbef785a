"""Sample statistics of mixed ordinal and continuous items, and their Gamma (lavaan's NACOV).

When some indicators are ordinal and others continuous, lavaan's WLSMV works with
(``lav_samplestats_step1/step2``, ``muthen1984``):

* step 1, per variable: an ordinal item's thresholds (its marginal probit), a continuous
  variable's mean and variance (divisor N);
* step 2, per pair, with the step-1 values fixed: polychoric (two ordinal items,
  :mod:`.polychoric`), polyserial (ordinal and continuous) or the normal-theory
  correlation (two continuous; Pearson's r without missing answers) (:mod:`.polyserial`);
* the statistics, in lavaan's ``WLS.obs`` order: the thresholds with each continuous
  variable's *negative* mean in its place (variables in order), the continuous variables'
  variances, then the covariances below the diagonal column by column -- a correlation
  times the standard deviations of its continuous variables (an ordinal item's latent
  response has unit variance);
* their asymptotic covariance matrix by Muthén's (1984) sandwich ``A^-1 S'S A^-T``
  (casewise scores ``S`` of every univariate and bivariate likelihood; ``A`` block lower
  triangular: per variable the block of ``S'S`` of its step-1 parameters, the pairs'
  diagonal, and ``A21`` the cross-products of a pair's rho score with its pair
  likelihood's derivatives in the step-1 parameters), carried from correlations to
  covariances by the delta method (lavaan's ``H``), with the signs of the mean rows
  reversed; ``Gamma = N W``.

With only ordinal items this is :func:`cxsurvey.stats.ordinal.polychoric_acov`. Missing
answers: listwise (lavaan's WLSMV default) or pairwise (each variable's step 1 from its own
answers, each pair from the rows answering both; a missing answer scores zero).

Agreement with lavaan 0.6-14 (tests/stats/ordinal/test_mixed.py, tests/data/mixed_reference.json)
is stated there.

References
----------
Muthén, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. *Psychometrika*, 49(1), 115-132.
Olsson, U., Drasgow, F., & Dorans, N. J. (1982). The polyserial correlation coefficient.
*Psychometrika*, 47(3), 337-347.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
Statistical Software*, 48(2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.special import ndtr

from cxsurvey.stats.ordinal.acov import wls_weight_diag
from cxsurvey.stats.ordinal.bivariate_normal import bvn_cdf, bvn_pdf
from cxsurvey.stats.ordinal.polychoric import polychoric
from cxsurvey.stats.ordinal.polyserial import (
    PairScores,
    normal_correlation,
    normal_scores,
    polyserial_correlation,
    polyserial_scores,
)
from cxsurvey.stats.ordinal.thresholds import code_categories

__all__ = ["MixedStatistics", "mixed_statistics"]


@dataclass(frozen=True)
class MixedStatistics:
    """The WLS sample statistics of ordinal and continuous items, with their Gamma.

    Attributes
    ----------
    items : tuple of str
        The variables, in the order of the statistics.
    ordered : tuple of bool
        Whether each variable is ordinal.
    names : tuple of str
        The statistics: ``"item|t1"``, ... for an ordinal item and ``"item~1"`` for a
        continuous one (its slot holds minus the mean, as lavaan's ``WLS.obs``), variable
        by variable; ``"item~~item"`` for each continuous variance; ``"a~~b"`` for the
        covariances (``np.triu_indices`` pair order).
    estimates : ndarray
        The statistics, in ``names`` order.
    gamma : ndarray, shape (K, K)
        N times their asymptotic covariance matrix (lavaan's NACOV).
    wls_weights : ndarray, shape (K,)
        ``1 / diag(gamma)`` (lavaan's DWLS ``wls.v``).
    n : int
        Cases used.
    n_thresholds : int
        Size of the threshold/mean block.
    n_variances : int
        Number of continuous variances.
    correlation : DataFrame
        The polychoric / polyserial / normal-theory correlations.
    thresholds : dict of str to ndarray
        The ordinal items' thresholds.
    means, variances : dict of str to float
        The continuous variables' means and variances (divisor N).
    pair_n : DataFrame
        Cases answering each pair.
    warnings : tuple of str
    """

    items: tuple[str, ...]
    ordered: tuple[bool, ...]
    names: tuple[str, ...]
    estimates: NDArray[np.float64]
    gamma: NDArray[np.float64]
    wls_weights: NDArray[np.float64]
    n: int
    n_thresholds: int
    n_variances: int
    correlation: pd.DataFrame
    thresholds: dict[str, NDArray[np.float64]]
    means: dict[str, float]
    variances: dict[str, float]
    pair_n: pd.DataFrame
    warnings: tuple[str, ...] = ()

    @property
    def covariance(self) -> pd.DataFrame:
        """The covariance matrix of the latent responses and continuous variables."""
        sd = np.array([1.0 if o else float(np.sqrt(self.variances[v]))
                       for v, o in zip(self.items, self.ordered, strict=True)])
        c = self.correlation.to_numpy(dtype=float) * np.outer(sd, sd)
        return pd.DataFrame(c, index=list(self.items), columns=list(self.items))


def _univariate_ordinal(codes: NDArray[np.int64], th: NDArray[np.float64]
                        ) -> NDArray[np.float64]:
    """(N, C - 1) scores of an item's probit likelihood in its thresholds."""
    n, k = codes.size, th.size
    lim = np.concatenate([[-np.inf], th, [np.inf]])
    obs = codes >= 0
    safe = np.where(obs, codes, 0)
    upper, lower = lim[safe + 1], lim[safe]
    prob = np.where(lower > 1.0, ndtr(-lower) - ndtr(-upper), ndtr(upper) - ndtr(lower))
    dens = np.exp(-0.5 * th * th) / np.sqrt(2.0 * np.pi)
    out = np.zeros((n, k))
    rows = np.arange(n)
    with np.errstate(divide="ignore"):
        inv = np.where(prob > 0, 1.0 / prob, 0.0)
    up = obs & (safe < k)
    out[rows[up], safe[up]] = dens[safe[up]] * inv[up]
    low = obs & (safe > 0)
    out[rows[low], safe[low] - 1] = -dens[safe[low] - 1] * inv[low]
    return out


def _ordinal_pair_scores(rho: float, c1: NDArray[np.int64], t1: NDArray[np.float64],
                         c2: NDArray[np.int64], t2: NDArray[np.float64]) -> PairScores:
    """Casewise scores of a polychoric pair (rho and both items' thresholds)."""
    both = (c1 >= 0) & (c2 >= 0)
    l1 = np.concatenate([[-np.inf], t1, [np.inf]])
    l2 = np.concatenate([[-np.inf], t2, [np.inf]])
    a = np.where(both, c1, 0)
    b = np.where(both, c2, 0)
    u = l1[:, None]
    v = l2[None, :]
    corner = bvn_cdf(u, v, np.full((l1.size, l2.size), rho))
    pi = corner[1:, 1:] - corner[:-1, 1:] - corner[1:, :-1] + corner[:-1, :-1]
    pi_min = float(np.sqrt(np.finfo(float).eps))
    ok = pi > pi_min
    inv = np.where(ok, 1.0 / np.where(ok, pi, 1.0), 0.0)
    rc = float(np.clip(rho, -0.9999, 0.9999))
    dens = bvn_pdf(u, v, np.full((l1.size, l2.size), rc))
    d_rho = (dens[1:, 1:] - dens[:-1, 1:] - dens[1:, :-1] + dens[:-1, :-1]) * inv
    big_r = np.sqrt(1.0 - rho * rho)

    def band(lim_a: NDArray[np.float64], lim_b: NDArray[np.float64]) -> NDArray[np.float64]:
        # G[k, c] = phi(a_k) P(b_c < Y <= b_c+1 | X = a_k), for the finite limits a_k
        fa = np.where(np.isfinite(lim_a), lim_a, 0.0)
        phi_a = np.where(np.isfinite(lim_a), np.exp(-0.5 * fa * fa) / np.sqrt(2 * np.pi), 0.0)
        with np.errstate(invalid="ignore"):
            cond = ndtr((lim_b[None, :] - rho * fa[:, None]) / big_r)
        out: NDArray[np.float64] = phi_a[:, None] * (cond[:, 1:] - cond[:, :-1])
        return out

    g1 = band(l1, l2)  # (A + 1, B)
    g2 = band(l2, l1)  # (B + 1, A)
    k1, k2 = t1.size, t2.size
    # d pi_ab / d tau1_t: +G1[t + 1, b] if a == t, -G1[t + 1, b] if a == t + 1
    n = c1.size
    rows = np.arange(n)
    s1 = np.zeros((n, k1))
    s2 = np.zeros((n, k2))
    w = inv[a, b] * both
    up = a < k1
    s1[rows[up], a[up]] = g1[a[up] + 1, b[up]] * w[up]
    low = a > 0
    s1[rows[low], a[low] - 1] = -g1[a[low], b[low]] * w[low]
    up = b < k2
    s2[rows[up], b[up]] = g2[b[up] + 1, a[up]] * w[up]
    low = b > 0
    s2[rows[low], b[low] - 1] = -g2[b[low], a[low]] * w[low]
    return PairScores(rho=d_rho[a, b] * both, first={"th": s1}, second={"th": s2})


def mixed_statistics(frame: pd.DataFrame, items: Sequence[str], ordered: Sequence[str], *,
                     missing: Literal["listwise", "pairwise"] = "listwise",
                     scales: Mapping[str, Sequence[float]] | None = None) -> MixedStatistics:
    """The WLS statistics of mixed ordinal and continuous items and their Gamma.

    Parameters
    ----------
    frame : DataFrame
        The answers (numeric; NaN = missing).
    items : sequence of str
        The variables, in the order of the statistics (a model's observed variables).
    ordered : sequence of str
        The ordinal ones; the others are continuous.
    missing : {"listwise", "pairwise"}
        ``"listwise"``: rows with any missing variable are dropped. ``"pairwise"``:
        rows with no answer are dropped; each statistic uses the rows answering it.
    scales : dict, optional
        Ordinal item -> its declared scale points (empty points are named in warnings).

    Returns
    -------
    MixedStatistics

    Raises
    ------
    ValueError
        An ordinal item with fewer than two observed categories, a continuous variable
        with no variance, or a pair nobody answered.

    References
    ----------
    Muthén, B. (1984). *Psychometrika*, 49(1), 115-132.
    Olsson, U., Drasgow, F., & Dorans, N. J. (1982). *Psychometrika*, 47(3), 337-347.
    Rosseel, Y. (2012). *Journal of Statistical Software*, 48(2) (``muthen1984``).
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', not {missing!r}")
    names = [str(c) for c in items]
    is_ord = [c in set(ordered) for c in names]
    data = frame.loc[:, names].apply(pd.to_numeric, errors="coerce")
    data = data.dropna() if missing == "listwise" else data.dropna(how="all")
    n, p = data.shape
    ord_items = [c for c, o in zip(names, is_ord, strict=True) if o]
    warnings: list[str] = []
    thresholds: dict[str, NDArray[np.float64]] = {}
    codes: dict[str, NDArray[np.int64]] = {}
    cor = np.eye(p)
    converged = np.ones((p, p), dtype=bool)
    poly_cor = pd.DataFrame()
    poly_ok = pd.DataFrame()
    if ord_items:
        poly = polychoric(data, ord_items, missing=missing,
                          scales=None if scales is None else dict(scales))
        warnings.extend(poly.warnings)
        poly_cor, poly_ok = poly.matrix, poly.converged
        for c in ord_items:
            thresholds[c] = np.asarray(poly.thresholds[c], dtype=float)
            codes[c] = code_categories(data[c].to_numpy())[0]
            if thresholds[c].size == 0:
                raise ValueError(f"fewer than two observed categories: {c}")
    means: dict[str, float] = {}
    variances: dict[str, float] = {}
    values = {c: data[c].to_numpy(dtype=float) for c in names}
    for c, o in zip(names, is_ord, strict=True):
        if not o:
            x = values[c][np.isfinite(values[c])]
            means[c] = float(x.mean()) if x.size else float("nan")
            variances[c] = float(np.mean((x - means[c]) ** 2)) if x.size else float("nan")
            if not variances[c] > 0:
                raise ValueError(f"{c} has no variance")
    iu, ju = np.triu_indices(p, k=1)
    pair_scores: list[PairScores] = []
    for a, b in zip(iu, ju, strict=True):
        ca, cb = names[a], names[b]
        if is_ord[a] and is_ord[b]:
            rho = float(poly_cor.loc[ca, cb])
            ok = bool(poly_ok.loc[ca, cb])
            sc = _ordinal_pair_scores(rho, codes[ca], thresholds[ca], codes[cb], thresholds[cb])
        elif is_ord[a] or is_ord[b]:
            num, ordi = (cb, ca) if is_ord[a] else (ca, cb)
            rho, ok = polyserial_correlation(values[num], codes[ordi], thresholds[ordi],
                                             means[num], variances[num])
            sc = polyserial_scores(rho, values[num], codes[ordi], thresholds[ordi],
                                   means[num], variances[num])
            if is_ord[a]:  # keep first = the pair's first variable
                sc = PairScores(rho=sc.rho, first=sc.second, second=sc.first)
        else:
            rho, ok = normal_correlation(values[ca], values[cb], means[ca], variances[ca],
                                         means[cb], variances[cb])
            sc = normal_scores(rho, values[ca], values[cb], means[ca], variances[ca],
                               means[cb], variances[cb])
        if not np.isfinite(rho):
            raise ValueError(f"the pair {ca}, {cb} has no case answering both")
        cor[a, b] = cor[b, a] = rho
        converged[a, b] = converged[b, a] = ok
        pair_scores.append(sc)
    bad = [f"{names[a]}~~{names[b]}" for a, b in zip(iu, ju, strict=True)
           if not converged[a, b] and not (is_ord[a] and is_ord[b])]
    if bad:
        warnings.append("the correlation did not converge for " + ", ".join(bad))
    near = [f"{names[a]}~~{names[b]}" for a, b in zip(iu, ju, strict=True)
            if abs(cor[a, b]) > 0.99 and not (is_ord[a] and is_ord[b])]
    if near:
        warnings.append("correlation (nearly) 1.0 between " + ", ".join(near))

    # columns of the step-1 parameters: per variable its thresholds or its mean, then the
    # continuous variances
    th_cols: dict[str, list[int]] = {}
    k = 0
    for c, o in zip(names, is_ord, strict=True):
        size = thresholds[c].size if o else 1
        th_cols[c] = list(range(k, k + size))
        k += size
    n_th = k
    num_items = [c for c, o in zip(names, is_ord, strict=True) if not o]
    var_col = {c: n_th + i for i, c in enumerate(num_items)}
    n_a11 = n_th + len(num_items)
    n_pairs = iu.size
    scores = np.zeros((n, n_a11 + n_pairs))
    for c, o in zip(names, is_ord, strict=True):
        if o:
            scores[:, th_cols[c]] = _univariate_ordinal(codes[c], thresholds[c])
        else:
            x = values[c]
            ok_x = np.isfinite(x)
            e = np.where(ok_x, x - means[c], 0.0)
            v = variances[c]
            scores[:, th_cols[c][0]] = e / v
            scores[:, var_col[c]] = np.where(ok_x, -0.5 / v + e * e / (2.0 * v * v), 0.0)
    a21 = np.zeros((n_pairs, n_a11))
    for q, (a, b) in enumerate(zip(iu, ju, strict=True)):
        sc = pair_scores[q]
        scores[:, n_a11 + q] = sc.rho
        for c, part in ((names[a], sc.first), (names[b], sc.second)):
            if "th" in part:
                a21[q, th_cols[c]] = sc.rho @ part["th"]
            else:
                a21[q, th_cols[c][0]] = float(sc.rho @ part["mean"])
                a21[q, var_col[c]] = float(sc.rho @ part["var"])
    # T = S A^-T blockwise (A11 block diagonal per variable, A22 diagonal)
    for c, o in zip(names, is_ord, strict=True):
        cols = th_cols[c] if o else [th_cols[c][0], var_col[c]]
        s_c = scores[:, cols]
        block = s_c.T @ s_c
        try:
            inv = np.linalg.inv(block)
        except np.linalg.LinAlgError:
            inv = np.linalg.pinv(block)
        scores[:, cols] = s_c @ inv.T
    s_rho = scores[:, n_a11:]
    a22 = np.einsum("np,np->p", s_rho, s_rho)
    a22_inv = np.where(a22 > 0, 1.0 / np.where(a22 > 0, a22, 1.0), 0.0)
    scores[:, n_a11:] = (s_rho - scores[:, :n_a11] @ a21.T) * a22_inv
    w = scores.T @ scores
    w = (w + w.T) / 2.0
    # correlations -> covariances (delta method), then the mean rows' sign
    sd = np.array([1.0 if o else float(np.sqrt(variances[c]))
                   for c, o in zip(names, is_ord, strict=True)])
    h = np.eye(n_a11 + n_pairs)
    for q, (a, b) in enumerate(zip(iu, ju, strict=True)):
        h[n_a11 + q, n_a11 + q] = sd[a] * sd[b]
        for i, j in ((a, b), (b, a)):
            if not is_ord[i]:
                h[n_a11 + q, var_col[names[i]]] = sd[j] * cor[a, b] / (2.0 * sd[i])
    w = h @ w @ h.T
    sign = np.ones(n_a11 + n_pairs)
    for c in num_items:
        sign[th_cols[c][0]] = -1.0
    w = w * np.outer(sign, sign)
    gamma = n * w

    stat_names: list[str] = []
    est: list[float] = []
    for c, o in zip(names, is_ord, strict=True):
        if o:
            stat_names += [f"{c}|t{t + 1}" for t in range(thresholds[c].size)]
            est += list(thresholds[c])
        else:
            stat_names.append(f"{c}~1")
            est.append(-means[c])
    stat_names += [f"{c}~~{c}" for c in num_items]
    est += [variances[c] for c in num_items]
    stat_names += [f"{names[a]}~~{names[b]}" for a, b in zip(iu, ju, strict=True)]
    est += [float(cor[a, b] * sd[a] * sd[b]) for a, b in zip(iu, ju, strict=True)]
    ok_vals = np.isfinite(data.to_numpy(dtype=float))
    pair_n = ok_vals.T.astype(int) @ ok_vals.astype(int)
    return MixedStatistics(
        items=tuple(names), ordered=tuple(is_ord), names=tuple(stat_names),
        estimates=np.asarray(est, dtype=float), gamma=gamma,
        wls_weights=wls_weight_diag(gamma), n=int(n), n_thresholds=n_th,
        n_variances=len(num_items),
        correlation=pd.DataFrame(cor, index=names, columns=names),
        thresholds=thresholds, means=means, variances=variances,
        pair_n=pd.DataFrame(pair_n, index=names, columns=names),
        warnings=tuple(warnings))
