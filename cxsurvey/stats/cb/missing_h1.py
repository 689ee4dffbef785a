"""The multivariate normal likelihood of incomplete data, by missing-data pattern.

What full-information ML (lavaan's ``missing = "ml"``) needs of the data and of the
unrestricted (h1, saturated) model, with no reference to a structural model:

- :func:`missing_patterns`: the rows with at least one answer, grouped by which
  variables they answered, with each pattern's mean vector and covariance matrix;
- :func:`loglik`, :func:`loglik_gradient`: the observed-data log-likelihood of a mean
  vector and covariance matrix, and its gradient;
- :func:`em_h1`: the unrestricted estimates by the EM algorithm, with lavaan's start
  values, update and stopping rule;
- :func:`h1_observed_information`, :func:`h1_firstorder_information`: the unit observed
  information of the unrestricted model and the mean outer product of its casewise
  scores, in the ``(mu, vech(Sigma))`` coordinates.

References
----------
Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood from incomplete
data via the EM algorithm. Journal of the Royal Statistical Society B, 39(1), 1-38.
Little, R. J. A., & Rubin, D. B. (2002). Statistical Analysis with Missing Data (2nd
ed.). Wiley, ch. 8 and 11. Savalei, V. (2010). Expected versus observed information in
SEM with incomplete normal and nonnormal data. Psychological Methods, 15(4), 352-367.
Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MissingPatterns",
    "em_h1",
    "h1_expected_information",
    "h1_firstorder_information",
    "h1_observed_information",
    "h1_scores",
    "loglik",
    "loglik_gradient",
    "missing_patterns",
    "vech_pairs",
]

_LOG2PI = math.log(2.0 * math.pi)


@dataclass(frozen=True)
class PatternBlock:
    """The patterns that answer the same number k of variables, stacked.

    Attributes
    ----------
    idx : ndarray of int, shape (G_k, k)
        Answered variables of each pattern.
    counts : ndarray, shape (G_k,)
    means : ndarray, shape (G_k, k)
    covs : ndarray, shape (G_k, k, k)
        Divisor n_g.
    """

    idx: np.ndarray
    counts: np.ndarray
    means: np.ndarray
    covs: np.ndarray


@dataclass(frozen=True)
class MissingPatterns:
    """Rows grouped by missing-data pattern.

    Attributes
    ----------
    y : ndarray, shape (N, p)
        The rows with at least one answer (NaN where missing), in data order.
    masks : ndarray of bool, shape (G, p)
        One row per pattern, True where the variable is answered.
    index : ndarray of int, shape (N,)
        The pattern of each row.
    counts : ndarray of int, shape (G,)
        Rows per pattern.
    means, covs : tuple of ndarray
        Per pattern, the mean vector and the covariance matrix (divisor n_g) of its
        answered variables.
    n_empty : int
        Rows without any answer (left out, as lavaan does).
    blocks : tuple of PatternBlock
        The same patterns stacked by number of answered variables, for batched
        likelihood evaluations.
    missing_idx : tuple of ndarray
        Per block, the unanswered variables of each pattern, shape (G_k, p - k).
    """

    y: np.ndarray
    masks: np.ndarray
    index: np.ndarray
    counts: np.ndarray
    means: tuple[np.ndarray, ...]
    covs: tuple[np.ndarray, ...]
    n_empty: int = 0
    blocks: tuple[PatternBlock, ...] = ()
    missing_idx: tuple[np.ndarray, ...] = ()

    @property
    def n(self) -> int:
        """Rows used (at least one answer)."""
        return int(self.y.shape[0])

    @property
    def p(self) -> int:
        return int(self.y.shape[1])

    @property
    def n_patterns(self) -> int:
        return int(self.masks.shape[0])


def missing_patterns(y: np.ndarray) -> MissingPatterns:
    """Group the rows of ``y`` by missing-data pattern (rows without answers dropped).

    Parameters
    ----------
    y : ndarray, shape (n, p)
        Data with NaN for missing answers.

    Returns
    -------
    MissingPatterns
        Patterns ordered by decreasing frequency (ties: the answered variables, as
        bits, decreasing), so the complete-data pattern comes first when it is the most
        frequent.
    """
    y = np.asarray(y, dtype=float)
    answered = ~np.isnan(y)
    keep = answered.any(axis=1)
    n_empty = int((~keep).sum())
    y, answered = y[keep], answered[keep]
    if y.shape[0] == 0:
        raise ValueError("no row answers any of the model's variables")
    masks, index, counts = np.unique(answered, axis=0, return_inverse=True,
                                     return_counts=True)
    index = np.asarray(index).reshape(-1)
    order = np.lexsort((-masks.sum(axis=1), -counts))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    masks, counts, index = masks[order], counts[order], rank[index]
    means, covs = [], []
    for g in range(masks.shape[0]):
        block = y[np.ix_(index == g, masks[g])]
        mu = block.mean(axis=0)
        d = block - mu
        means.append(mu)
        covs.append(d.T @ d / block.shape[0])
    sizes = masks.sum(axis=1)
    blocks = []
    for k in sorted(set(sizes.tolist()), reverse=True):
        gs = np.flatnonzero(sizes == k)
        blocks.append(PatternBlock(
            idx=np.array([np.flatnonzero(masks[g]) for g in gs]).reshape(gs.size, k),
            counts=counts[gs].astype(float), means=np.array([means[g] for g in gs]),
            covs=np.array([covs[g] for g in gs])))
    return MissingPatterns(y=y, masks=masks, index=index, counts=counts,
                           means=tuple(means), covs=tuple(covs), n_empty=n_empty,
                           blocks=tuple(blocks),
                           missing_idx=tuple(_complement(b.idx, masks.shape[1])
                                             for b in blocks))


def _inverse(sigma: np.ndarray) -> tuple[np.ndarray, float]:
    sign, logdet = np.linalg.slogdet(sigma)
    if sign <= 0:
        raise np.linalg.LinAlgError("covariance matrix is not positive definite")
    return np.linalg.inv(sigma), float(logdet)


def _block_terms(block: PatternBlock, mu: np.ndarray, sigma: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inverse and log-determinant of each pattern's covariance block, and the
    residual of its mean vector. Raises LinAlgError when a block is not positive
    definite."""
    idx = block.idx
    sub = sigma[idx[:, :, None], idx[:, None, :]]
    chol = np.linalg.cholesky(sub)
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    inv = np.linalg.inv(sub)
    return inv, logdet, block.means - mu[idx]


def loglik(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray) -> float:
    """Observed-data log-likelihood of ``N(mu, sigma)``.

    .. math:: \\ell = -\\tfrac12 \\sum_g n_g [p_g \\log 2\\pi + \\log|\\Sigma_g|
              + \\operatorname{tr}(\\Sigma_g^{-1} S_g) + (\\bar y_g - \\mu_g)'
              \\Sigma_g^{-1} (\\bar y_g - \\mu_g)]

    (``Sigma_g``, ``mu_g``: the rows and columns of the pattern's answered variables).
    Returns ``-inf`` when a pattern's covariance matrix is not positive definite.

    References
    ----------
    Little & Rubin (2002), Statistical Analysis with Missing Data, eq. 11.1.
    """
    return loglik_gradient(pat, mu, sigma, gradient=False)[0]


def loglik_gradient(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray,
                    gradient: bool = True) -> tuple[float, np.ndarray, np.ndarray]:
    """:func:`loglik` and its gradient with respect to ``mu`` and the entries of ``sigma``.

    Returns
    -------
    (ell, g_mu, g_sigma)
        ``g_mu`` (p,) and the symmetric ``g_sigma`` (p, p) with
        ``d ell = g_mu' d mu + sum_ab g_sigma[a, b] d Sigma[a, b]`` (entries treated as
        distinct, so a covariance's derivative is ``2 g_sigma[a, b]``); ``ell = -inf``
        (and zero gradients) when a pattern's covariance block is not positive definite.

    References
    ----------
    Magnus & Neudecker (1999), Matrix Differential Calculus, ch. 15 (normal likelihood).
    """
    p = pat.p
    g_mu = np.zeros(p)
    g_s = np.zeros((p, p))
    total = 0.0
    for block in pat.blocks:
        try:
            inv, logdet, d = _block_terms(block, mu, sigma)
        except np.linalg.LinAlgError:
            return -math.inf, np.zeros(p), np.zeros((p, p))
        n_g = block.counts
        k = block.idx.shape[1]
        u = np.einsum("gab,gb->ga", inv, d)
        total -= 0.5 * float(n_g @ (k * _LOG2PI + logdet
                                    + np.einsum("gab,gba->g", inv, block.covs)
                                    + np.einsum("ga,ga->g", d, u)))
        if not gradient:
            continue
        np.add.at(g_mu, block.idx, n_g[:, None] * u)
        t = inv @ block.covs @ inv + u[:, :, None] * u[:, None, :]
        np.add.at(g_s, (block.idx[:, :, None], block.idx[:, None, :]),
                  -0.5 * n_g[:, None, None] * (inv - t))
    return total, g_mu, g_s


def _complement(idx: np.ndarray, p: int) -> np.ndarray:
    """The unanswered variables of each pattern of a block, shape (G, p - k)."""
    mask = np.ones((idx.shape[0], p), dtype=bool)
    np.put_along_axis(mask, idx, False, axis=1)
    return np.nonzero(mask)[1].reshape(idx.shape[0], p - idx.shape[1])


def _estep(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray]:
    """Expected sufficient statistics ``T1 = sum E[y]``, ``T2 = sum E[y y']``, batched over
    the patterns of each block."""
    p = pat.p
    t1 = np.zeros(p)
    t2 = np.zeros((p, p))
    for block, midx in zip(pat.blocks, pat.missing_idx, strict=True):
        idx, n_g, ybar = block.idx, block.counts, block.means
        m2 = block.covs + ybar[:, :, None] * ybar[:, None, :]
        np.add.at(t1, idx, n_g[:, None] * ybar)
        np.add.at(t2, (idx[:, :, None], idx[:, None, :]), n_g[:, None, None] * m2)
        if midx.shape[1] == 0:
            continue
        s_oo = sigma[idx[:, :, None], idx[:, None, :]]
        s_ox = sigma[idx[:, :, None], midx[:, None, :]]
        s_xx = sigma[midx[:, :, None], midx[:, None, :]]
        coef_t = np.linalg.solve(s_oo, s_ox)  # (G, k, m): Sigma_oo^-1 Sigma_ox
        coef = coef_t.transpose(0, 2, 1)
        cond = s_xx - coef @ s_ox
        c = mu[midx] - np.einsum("gmk,gk->gm", coef, mu[idx])
        cy = np.einsum("gmk,gk->gm", coef, ybar)
        np.add.at(t1, midx, n_g[:, None] * (c + cy))
        ox = n_g[:, None, None] * (m2 @ coef_t + ybar[:, :, None] * c[:, None, :])
        np.add.at(t2, (idx[:, :, None], midx[:, None, :]), ox)
        np.add.at(t2, (midx[:, :, None], idx[:, None, :]), ox.transpose(0, 2, 1))
        cb = c[:, :, None] * cy[:, None, :]
        xx = (coef @ m2 @ coef_t + cb + cb.transpose(0, 2, 1)
              + c[:, :, None] * c[:, None, :] + cond)
        np.add.at(t2, (midx[:, :, None], midx[:, None, :]), n_g[:, None, None] * xx)
    return t1, t2


def em_h1(pat: MissingPatterns, max_iter: int = 500, tol: float = 1e-5
          ) -> tuple[np.ndarray, np.ndarray, int]:
    """Unrestricted ML estimates of the mean vector and covariance matrix by EM.

    lavaan's ``lav_mvnorm_missing_h1_estimate_moments``: start at the available-case
    means and variances (zero covariances); each E-step adds the conditional
    expectations of the missing answers and their cross-products; stop when no mean or
    (co)variance changes by more than ``tol`` between iterations (lavaan's defaults:
    500 iterations, ``tol = 1e-5``). A covariance matrix with an eigenvalue below 1e-6
    gets ``1e-8 * max(diag)`` added to its diagonal, as lavaan does.

    Returns
    -------
    (mu, sigma, iterations)

    References
    ----------
    Dempster, Laird & Rubin (1977), JRSS B 39(1), 1-38. Little & Rubin (2002), sec. 11.2.
    """
    y = pat.y
    n = pat.n
    mu = np.nanmean(y, axis=0)
    var = np.nanmean((y - mu) ** 2, axis=0)
    var = np.where(np.isfinite(var) & (var > 0), var, 1.0)
    sigma = np.diag(var)
    cols, rows = np.triu_indices(pat.p)
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        t1, t2 = _estep(pat, mu, sigma)
        new_mu = t1 / n
        new_sigma = t2 / n - np.outer(new_mu, new_mu)
        new_sigma = 0.5 * (new_sigma + new_sigma.T)
        if np.linalg.eigvalsh(new_sigma)[0] < 1e-6:
            new_sigma[np.diag_indices_from(new_sigma)] += new_sigma.diagonal().max() * 1e-8
        delta = max(float(np.max(np.abs(new_mu - mu))),
                    float(np.max(np.abs(new_sigma[rows, cols] - sigma[rows, cols]))))
        mu, sigma = new_mu, new_sigma
        if delta < tol:
            break
    return mu, sigma, it


def vech_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of ``vech`` (lower triangle, column by column)."""
    cols, rows = np.triu_indices(p)
    return rows, cols


def _dup_sandwich(a: np.ndarray, b: np.ndarray, rows: np.ndarray, cols: np.ndarray
                  ) -> np.ndarray:
    """``D' (A kron B) D`` for symmetric p x p A and B, without forming the Kronecker
    product (``(A kron B)[vec(r, s), vec(u, v)] = A[s, v] B[r, u]``)."""
    off = (rows != cols).astype(float)
    out = a[np.ix_(cols, cols)] * b[np.ix_(rows, rows)]
    out += off[:, None] * a[np.ix_(rows, cols)] * b[np.ix_(cols, rows)]
    out += off[None, :] * a[np.ix_(cols, rows)] * b[np.ix_(rows, cols)]
    out += np.outer(off, off) * a[np.ix_(rows, rows)] * b[np.ix_(cols, cols)]
    return out


def h1_observed_information(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray,
                            subset: np.ndarray | None = None) -> np.ndarray:
    """Unit observed information of the unrestricted model, ``-(1/N) d^2 ell``.

    In the coordinates ``(mu, vech(Sigma))``, shape (p + p*, p + p*); lavaan's
    ``lav_mvnorm_missing_information_observed_samplestats``. Each pattern adds to the
    elements of its answered variables only.

    Parameters
    ----------
    subset : ndarray of int, optional
        Positions in ``vech(Sigma)`` to keep (e.g. the variances, for the independence
        model); the result is then (p + len(subset)) square, and cheaper.

    References
    ----------
    Savalei, V. (2010). Psychological Methods, 15(4), 352-367. Rosseel (2012), JSS 48(2).
    """
    p = pat.p
    rows, cols = vech_pairs(p)
    keep = np.arange(rows.size) if subset is None else np.asarray(subset, dtype=int)
    rows, cols = rows[keep], cols[keep]
    k = keep.size
    off = (rows != cols).astype(float)
    h11 = np.zeros((p, p))
    h21 = np.zeros((k, p))
    h22 = np.zeros((k, k))
    for m, n_g, ybar, s in zip(pat.masks, pat.counts, pat.means, pat.covs, strict=True):
        inv, _ = _inverse(sigma[np.ix_(m, m)])
        s_inv = np.zeros((p, p))
        s_inv[np.ix_(m, m)] = inv
        d = ybar - mu[m]
        t = np.zeros(p)
        t[m] = inv @ d
        aaa = np.zeros((p, p))
        aaa[np.ix_(m, m)] = inv @ (2.0 * (s + np.outer(d, d)) - sigma[np.ix_(m, m)]) @ inv
        h11 += n_g * s_inv
        sel = np.flatnonzero(m[rows] & m[cols])  # vech elements this pattern answers
        r, c, o = rows[sel], cols[sel], off[sel]
        # D' (t kron S_inv): element (vech (a, b), j) = t[b] S_inv[a, j] + t[a] S_inv[b, j]
        h21[sel] += n_g * (t[c, None] * s_inv[r, :] + o[:, None] * t[r, None] * s_inv[c, :])
        h22[np.ix_(sel, sel)] += n_g * 0.5 * _dup_sandwich(s_inv, aaa, r, c)
    out = np.block([[h11, h21.T], [h21, h22]]) / pat.n
    return 0.5 * (out + out.T)


def h1_expected_information(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray
                            ) -> np.ndarray:
    """Unit expected information of the unrestricted model under the observed patterns.

    Each pattern adds ``n_g Sigma_oo^-1`` to the mean block and ``n_g / 2 D'(Sigma_oo^-1
    kron Sigma_oo^-1) D`` to the covariance block (no cross block), divided by N;
    lavaan's ``lav_mvnorm_missing_information_expected``. Coordinates ``(mu,
    vech(Sigma))``.

    References
    ----------
    Savalei, V. (2010). Psychological Methods, 15(4), 352-367 (expected information with
    incomplete data). Rosseel (2012), JSS 48(2).
    """
    p = pat.p
    rows, cols = vech_pairs(p)
    k = rows.size
    h11 = np.zeros((p, p))
    h22 = np.zeros((k, k))
    for m, n_g in zip(pat.masks, pat.counts, strict=True):
        inv, _ = _inverse(sigma[np.ix_(m, m)])
        s_inv = np.zeros((p, p))
        s_inv[np.ix_(m, m)] = inv
        h11 += n_g * s_inv
        sel = np.flatnonzero(m[rows] & m[cols])
        h22[np.ix_(sel, sel)] += n_g * 0.5 * _dup_sandwich(s_inv, s_inv, rows[sel],
                                                           cols[sel])
    out = np.zeros((p + k, p + k))
    out[:p, :p] = h11
    out[p:, p:] = h22
    return out / pat.n


def h1_scores(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray,
              group: int) -> np.ndarray:
    """Casewise scores of the unrestricted model for the rows of one pattern.

    ``d ell_i / d (mu, vech(Sigma))`` at ``(mu, sigma)``, shape (n_g, p + p*): for row i
    with answered set o, ``u_i = Sigma_oo^-1 (y_io - mu_o)``, mean part ``u_i``, and
    ``G_i = (u_i u_i' - Sigma_oo^-1) / 2`` with off-diagonal vech elements doubled.

    References
    ----------
    Yuan, K.-H., & Bentler, P. M. (2000). Sociological Methodology, 30, 165-200.
    """
    p = pat.p
    m = pat.masks[group]
    rows, cols = vech_pairs(p)
    y = pat.y[np.ix_(pat.index == group, m)]
    inv, _ = _inverse(sigma[np.ix_(m, m)])
    u_o = (y - mu[m]) @ inv
    u = np.zeros((y.shape[0], p))
    u[:, m] = u_o
    k_full = np.zeros((p, p))
    k_full[np.ix_(m, m)] = inv
    g = 0.5 * (u[:, rows] * u[:, cols] - k_full[rows, cols])
    g *= np.where(rows != cols, 2.0, 1.0)
    return np.hstack([u, g])


def h1_firstorder_information(pat: MissingPatterns, mu: np.ndarray, sigma: np.ndarray,
                              delta: np.ndarray | None = None) -> np.ndarray:
    """Mean outer product of the casewise scores, ``S'S / N``.

    With ``delta`` (the Jacobian ``d (mu, vech(Sigma)) / d theta'`` of a structured
    model at ``(mu, sigma)``), the scores are the model's, ``S delta`` (lavaan's
    ``B0``); without, the unrestricted model's (lavaan's
    ``lav_mvnorm_missing_information_firstorder``, the ``B1`` of the Yuan-Bentler
    trace). Accumulated pattern by pattern.

    References
    ----------
    Yuan, K.-H., & Bentler, P. M. (2000). Sociological Methodology, 30, 165-200.
    """
    k = pat.p + pat.p * (pat.p + 1) // 2 if delta is None else delta.shape[1]
    out = np.zeros((k, k))
    for g in range(pat.n_patterns):
        sc = h1_scores(pat, mu, sigma, g)
        if delta is not None:
            sc = sc @ delta
        out += sc.T @ sc
    return out / pat.n
