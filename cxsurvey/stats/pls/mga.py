"""PLS multi-group analysis (MGA) of the path coefficients of two groups.

Four tests of ``H0: path_g1 = path_g2`` per structural path, as SmartPLS, R seminr and
R cSEM (``testMGD``) report them:

- Henseler's PLS-MGA (Henseler, Ringle & Sinkovics, 2009): from the two groups'
  bootstrap distributions, ``p = 1 - #{(j, k): 2 m1 - b1_j - 2 m2 + b2_k > 0} / (J1 J2)``
  (``m`` the bootstrap means), seminr's ``pls_mga_p``: the one-sided p-value of
  ``H1: path_g1 > path_g2`` (SmartPLS's "1-tailed (group 1 vs group 2)"); the two-sided
  p-value is ``2 min(p, 1 - p)``;
- the permutation test (Chin & Dibbern, 2010): the group labels are permuted (sizes
  kept), both groups re-estimated, ``p = mean(d_perm >= |d|) + mean(d_perm <= -|d|)``
  (cSEM's "Chin");
- the parametric test with a pooled standard error (Keil et al., 2000; cSEM's "Keil"):
  ``t = d / (sqrt((n1-1)^2/(n1+n2-2) se1^2 + (n2-1)^2/(n1+n2-2) se2^2) sqrt(1/n1 + 1/n2))``
  on ``n1 + n2 - 2`` df;
- the Welch-Satterthwaite test (Sarstedt et al., 2011; cSEM's "Nitzl"):
  ``t = d / sqrt((n1-1)/n1 se1^2 + (n2-1)/n2 se2^2)`` on
  ``round(((n1-1)/n1 se1^2 + (n2-1)/n2 se2^2)^2 / ((n1-1)/n1^2 se1^4 + (n2-1)/n2^2 se2^4)
  - 2)`` df,

with ``se`` the bootstrap standard errors (n - 1 denominator) and two-sided Student-t
p-values. Holm's adjustment runs over the paths within each test (on the two-sided
Henseler p-value).

Bootstrap resamples are drawn within each group, from independent PCG64 streams derived
from ``seed`` (or passed in); failed resamples are dropped per group (Henseler's formula
takes J1 x J2 pairs; seminr truncates both groups to the smaller count). Permutations
whose group estimation fails or does not converge are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from cxsurvey.errors import AnalysisError
from cxsurvey.stats.adjust import holm
from cxsurvey.stats.pls.data import correlation
from cxsurvey.stats.pls.estimate import batch_structural, estimate_batch
from cxsurvey.stats.pls.micom import (
    DEFAULT_SEED,
    GroupedData,
    check_settings,
    draw_permutations,
    group_data,
    group_weights,
    original_group_fits,
)
from cxsurvey.stats.pls.resample import (
    draw_indices,
    resample_correlations,
    resample_counts,
    shared_cross_products,
)

__all__ = ["PlsMga", "henseler_p", "pls_mga"]


@dataclass(frozen=True)
class PlsMga:
    """Path differences between two groups and their tests.

    Attributes
    ----------
    groups : tuple of (str, str)
        Group 1 and group 2; differences are group 1 - group 2.
    sizes : dict of str to int
    paths : DataFrame
        One row per structural path: ``from, to, est_pooled`` (pooled data), ``est_g1,
        est_g2, diff``, ``boot_mean_g1, boot_mean_g2, se_g1, se_g2`` (bootstrap mean and
        SD per group), ``p_mga`` (Henseler, one-sided for H1: path_g1 > path_g2),
        ``p_mga_2sided, p_mga_holm``, ``p_perm, p_perm_holm``, ``t_param, df_param,
        p_param, p_param_holm``, ``t_welch, df_welch, p_welch, p_welch_holm``.
    n_boot : int
        Resamples per group.
    n_boot_used : dict of str to int
        Usable resamples per group.
    n_perm, n_perm_used : int
        Permutations drawn and usable.
    seed : int or None
    boot_seeds : tuple of int, optional
        Seeds of the two groups' resample streams (None with explicit indices).
    warnings : tuple of str
    draws : dict of str to ndarray
        ``boot_g1, boot_g2`` (usable resamples x paths), ``perm`` (usable permutations x
        paths, group-1 minus group-2 differences).
    """

    groups: tuple[str, ...]
    sizes: dict[str, int]
    paths: pd.DataFrame
    n_boot: int
    n_boot_used: dict[str, int]
    n_perm: int
    n_perm_used: int
    seed: int | None
    boot_seeds: tuple[int, int] | None
    warnings: tuple[str, ...] = ()
    draws: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def henseler_p(boot1: np.ndarray, boot2: np.ndarray) -> np.ndarray:
    """Henseler's PLS-MGA probability per column of two bootstrap matrices.

    ``1 - #{(j, k): 2 m1 - b1_j - 2 m2 + b2_k > 0} / (J1 J2)``: the one-sided p-value of
    ``H1: theta_1 > theta_2`` (small when group 1's parameter is larger).

    Parameters
    ----------
    boot1, boot2 : ndarray, shape (J1, m) and (J2, m)

    Returns
    -------
    ndarray, shape (m,)

    References
    ----------
    Henseler, J., Ringle, C. M., & Sinkovics, R. R. (2009). The use of partial least
    squares path modeling in international marketing. Advances in International
    Marketing, 20, 277-319. Ray, S., Danks, N. P., & Calero Valdez, A. (2022). seminr
    (R package; ``estimate_pls_mga``).
    """
    out = np.empty(boot1.shape[1])
    for i in range(boot1.shape[1]):
        b1, b2 = boot1[:, i], boot2[:, i]
        # pairs with b2_k > b1_j - 2 m1 + 2 m2
        threshold = b1 - 2 * b1.mean() + 2 * b2.mean()
        b2_sorted = np.sort(b2)
        above = len(b2) - np.searchsorted(b2_sorted, threshold, side="right")
        out[i] = 1.0 - above.sum() / (len(b1) * len(b2))
    return out


def _path_values(est_score_corr: np.ndarray, grouped: GroupedData) -> np.ndarray:
    beta, _ = batch_structural(est_score_corr, grouped.model)
    a, b = np.array(grouped.model.paths).T
    return beta[:, a, b]


def _bootstrap_group(grouped: GroupedData, g: int, indices: np.ndarray,
                     settings: tuple[str, int, float], chunk_size: int) -> np.ndarray:
    """Path coefficients of the usable resamples of group ``g``."""
    zg = grouped.z[grouped.codes == g]
    cross = shared_cross_products(zg)
    parts = []
    for start in range(0, indices.shape[0], chunk_size):
        idx = indices[start:start + chunk_size]
        corr = resample_correlations(zg, resample_counts(idx, zg.shape[0]), cross)
        est = estimate_batch(corr, grouped.model, *settings)
        paths = _path_values(est.score_corr, grouped)
        ok = est.valid & est.converged & np.all(np.isfinite(paths), axis=1)
        parts.append(paths[ok])
    return np.concatenate(parts)


def _permute(grouped: GroupedData, perms: np.ndarray, settings: tuple[str, int, float],
             chunk_size: int) -> np.ndarray:
    """Group-1 minus group-2 path differences of the usable permutations."""
    cross = shared_cross_products(grouped.z)
    parts = []
    for start in range(0, perms.shape[0], chunk_size):
        codes = grouped.codes[perms[start:start + chunk_size]]
        _, score_corr, valid, converged = group_weights(grouped, codes, *settings, cross)
        p1, p2 = (_path_values(s, grouped) for s in score_corr)
        diff = p1 - p2
        parts.append(diff[valid & converged & np.all(np.isfinite(diff), axis=1)])
    return np.concatenate(parts)


def _parametric(diff: np.ndarray, se1: np.ndarray, se2: np.ndarray, n1: int,
                n2: int) -> dict[str, np.ndarray]:
    pooled = np.sqrt((n1 - 1) ** 2 / (n1 + n2 - 2) * se1 ** 2
                     + (n2 - 1) ** 2 / (n1 + n2 - 2) * se2 ** 2) * np.sqrt(1 / n1 + 1 / n2)
    t_param = diff / pooled
    df_param = np.full(diff.shape, float(n1 + n2 - 2))
    v1, v2 = (n1 - 1) / n1 * se1 ** 2, (n2 - 1) / n2 * se2 ** 2
    t_welch = diff / np.sqrt(v1 + v2)
    df_welch = np.round((v1 + v2) ** 2 / ((n1 - 1) / n1 ** 2 * se1 ** 4
                                          + (n2 - 1) / n2 ** 2 * se2 ** 4) - 2)
    return {"t_param": t_param, "df_param": df_param,
            "p_param": 2 * stats.t.sf(np.abs(t_param), df_param),
            "t_welch": t_welch, "df_welch": df_welch,
            "p_welch": 2 * stats.t.sf(np.abs(t_welch), df_welch)}


def _boot_indices(grouped: GroupedData, n_boot: int, seed: int | None,
                  indices: tuple[np.ndarray, np.ndarray] | None
                  ) -> tuple[list[np.ndarray], tuple[int, int] | None]:
    sizes = [int((grouped.codes == g).sum()) for g in range(2)]
    if indices is not None:
        if len(indices) != 2:
            raise ValueError("boot_indices must be a pair of index matrices (group 1, "
                             "group 2)")
        return [draw_indices(n, 0, indices=idx) for n, idx in zip(sizes, indices,
                                                                   strict=True)], None
    state = np.random.SeedSequence(seed).generate_state(2)
    seeds = (int(state[0]), int(state[1]))
    return [draw_indices(n, n_boot, s) for n, s in zip(sizes, seeds, strict=True)], seeds


def pls_mga(data: pd.DataFrame, groups: str | Sequence[object] | pd.Series | np.ndarray,
            constructs: Mapping[str, Sequence[str]], paths: Sequence[tuple[str, str]],
            modes: Mapping[str, str] | None = None, scheme: str = "path",
            max_iter: int = 300, tol: float = 1e-7, missing: str = "listwise",
            n_boot: int = 5000, n_perm: int = 5000, seed: int | None = DEFAULT_SEED,
            boot_indices: tuple[np.ndarray, np.ndarray] | None = None,
            permutations: np.ndarray | None = None, order: Sequence[object] | None = None,
            chunk_size: int = 500) -> PlsMga:
    """Compare the path coefficients of two groups (PLS-MGA, permutation, parametric and
    Welch-Satterthwaite tests).

    Parameters
    ----------
    data : DataFrame
        Respondents by items.
    groups : str or sequence
        A column of ``data`` or one label per row (missing labels are left out); exactly
        two groups, or two chosen with ``order`` (group 1 first; default sorted labels).
    constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.fit.fit_pls`; missing answers are handled once on the
        pooled rows.
    n_boot : int
        Bootstrap resamples per group (SmartPLS default 5000; seminr 2000).
    n_perm : int
        Permutations of the group labels (0 skips the permutation test).
    seed : int, optional
        Seeds the permutations (:func:`~cxsurvey.stats.pls.micom.draw_permutations`) and,
        through ``numpy.random.SeedSequence(seed).generate_state(2)``, the two groups'
        resample streams (:func:`~cxsurvey.stats.pls.resample.draw_indices`). The
        default makes runs reproducible; None draws fresh entropy.
    boot_indices : (ndarray, ndarray), optional
        Explicit 0-based resample matrices within the rows of group 1 and group 2 (in
        data order), e.g. seminr's ``group1_indices``/``group2_indices``.
    permutations : ndarray, optional
        Explicit row permutations of the pooled rows used.
    order : sequence, optional
        The two groups, group 1 first.
    chunk_size : int
        Resamples or permutations estimated per batch.

    Returns
    -------
    PlsMga

    Raises
    ------
    InputError
        For a wrong model, wrong labels or a number of groups other than two.
    AnalysisError
        For an item without variance in a group or a group estimation that fails.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sinkovics, R. R. (2009). The use of partial least
    squares path modeling in international marketing. Advances in International
    Marketing, 20, 277-319. Chin, W. W., & Dibbern, J. (2010). An introduction to a
    permutation based procedure for multi-group PLS analysis. In Handbook of partial least
    squares (pp. 171-193). Springer. Keil, M., Tan, B. C. Y., Wei, K.-K., Saarinen, T.,
    Tuunainen, V., & Wassenaar, A. (2000). A cross-cultural study on escalation of
    commitment behavior in software projects. MIS Quarterly, 24(2), 299-325. Sarstedt,
    M., Henseler, J., & Ringle, C. M. (2011). Multigroup analysis in partial least squares
    (PLS) path modeling: Alternative methods and empirical results. Advances in
    International Marketing, 22, 195-218. Holm, S. (1979). Scandinavian Journal of
    Statistics, 6(2), 65-70.
    """
    check_settings(scheme, max_iter, tol, chunk_size)
    if int(n_perm) < 0 or (int(n_boot) < 2 and boot_indices is None):
        raise ValueError("n_boot must be at least 2 and n_perm non-negative")
    grouped = group_data(data, groups, constructs, paths, modes, missing, order,
                         min_groups=2, max_groups=2)
    settings = (scheme, int(max_iter), float(tol))
    _, score_corr = original_group_fits(grouped, *settings)
    est = [_path_values(s[None], grouped)[0] for s in score_corr]
    pooled = estimate_batch(correlation(grouped.z)[None], grouped.model, *settings)
    if not pooled.valid[0]:
        raise AnalysisError("the PLS algorithm broke down on the pooled data")
    est_pooled = _path_values(pooled.score_corr, grouped)[0]
    indices, boot_seeds = _boot_indices(grouped, int(n_boot), seed, boot_indices)
    boots = [_bootstrap_group(grouped, g, indices[g], settings, int(chunk_size))
             for g in range(2)]
    if min(len(b) for b in boots) < 2:
        raise AnalysisError("fewer than 2 bootstrap resamples could be estimated in a group")
    diff = est[0] - est[1]
    se1, se2 = (b.std(axis=0, ddof=1) for b in boots)
    n1, n2 = (int((grouped.codes == g).sum()) for g in range(2))
    p_mga = henseler_p(boots[0], boots[1])
    p_mga_2 = np.minimum(1.0, 2 * np.minimum(p_mga, 1 - p_mga))
    columns: dict[str, np.ndarray] = {
        "est_pooled": est_pooled, "est_g1": est[0], "est_g2": est[1], "diff": diff,
        "boot_mean_g1": boots[0].mean(axis=0), "boot_mean_g2": boots[1].mean(axis=0),
        "se_g1": se1, "se_g2": se2, "p_mga": p_mga, "p_mga_2sided": p_mga_2,
        "p_mga_holm": holm(p_mga_2)}
    warnings = list(grouped.warnings)
    perm_draws = np.zeros((0, len(diff)))
    n_perm_drawn = 0
    if int(n_perm) or permutations is not None:
        perms = draw_permutations(grouped.z.shape[0], n_perm, seed, permutations)
        n_perm_drawn = perms.shape[0]
        perm_draws = _permute(grouped, perms, settings, int(chunk_size))
        if len(perm_draws) < n_perm_drawn:
            warnings.append(f"{n_perm_drawn - len(perm_draws)} of {n_perm_drawn} "
                            "permutations could not be estimated or did not converge in "
                            "both groups and were left out")
        p_perm = ((perm_draws >= np.abs(diff)).mean(axis=0)
                  + (perm_draws <= -np.abs(diff)).mean(axis=0))
    else:
        p_perm = np.full(len(diff), np.nan)
    columns.update({"p_perm": p_perm, "p_perm_holm": holm(p_perm)})
    param = _parametric(diff, se1, se2, n1, n2)
    columns.update({"t_param": param["t_param"], "df_param": param["df_param"],
                    "p_param": param["p_param"], "p_param_holm": holm(param["p_param"]),
                    "t_welch": param["t_welch"], "df_welch": param["df_welch"],
                    "p_welch": param["p_welch"], "p_welch_holm": holm(param["p_welch"])})
    for name, b, idx in zip(grouped.names, boots, indices, strict=True):
        if len(b) < idx.shape[0]:
            warnings.append(f"group '{name}': {idx.shape[0] - len(b)} of {idx.shape[0]} "
                            "bootstrap resamples could not be estimated or did not "
                            "converge and were left out")
    table = pd.DataFrame({"from": [a for a, _ in grouped.model.path_names],
                          "to": [b for _, b in grouped.model.path_names], **columns})
    return PlsMga(groups=grouped.names, sizes=grouped.sizes, paths=table,
                  n_boot=int(indices[0].shape[0]),
                  n_boot_used={g: len(b) for g, b in zip(grouped.names, boots, strict=True)},
                  n_perm=n_perm_drawn, n_perm_used=len(perm_draws),
                  seed=seed, boot_seeds=boot_seeds, warnings=tuple(warnings),
                  draws={"boot_g1": boots[0], "boot_g2": boots[1], "perm": perm_draws})
