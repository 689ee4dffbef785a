"""Measurement invariance of composites (MICOM) for PLS-SEM multi-group analysis.

The three steps of Henseler, Ringle & Sarstedt (2016), with the definitions of R cSEM's
``testMICOM`` (``R/postestimate_test_MICOM.R``, FloSchuberth/cSEM at commit 1aa2be5):

1. configural invariance is a property of the set-up (one model, the same items, the same
   data treatment in every group); :func:`configural_checks` reports what can be checked
   on the data: every item present with variance in every group;
2. compositional invariance: per construct, ``c = cor(X w_a, X w_b)``, the correlation of
   the composite scores that the group-a and group-b weights give on the pooled data
   ``X``; the reference distribution permutes the group labels (sizes kept) and
   re-estimates the weights in every group. ``pvalue = mean(c_perm <= c)``; compositional
   invariance is established when ``c`` is not below the 5% quantile of ``c_perm``;
3. equal composite means and variances: the scores of the pooled estimation (pooled
   weights, unit variance on the pooled data); per group pair the difference of the
   group means and of the log group variances (n - 1 denominator), against the same
   permutations: 2.5% / 97.5% quantiles and ``pvalue = mean(d_perm > |d|) +
   mean(d_perm < -|d|)``.

With more than two groups every pair is compared (the permutations shuffle the labels of
all groups over the pooled data, as cSEM does) and Holm's adjustment runs per construct
over the pairs (cSEM's ``.approach_p_adjust`` applied per composite).

Differences from cSEM: steps 2 and 3 use the same permutations (cSEM draws a second set
for step 3); permutations whose group estimation breaks down or does not converge are
dropped and counted for step 2 (cSEM's default ``"drop"``) while step 3, which needs no
group estimation, uses every permutation; a single-item construct has ``c = 1`` in every
permutation and so counts as invariant (``c >= q05``).

The group estimations of a chunk of permutations run as one batch of correlation
matrices (:func:`~cxsurvey.stats.pls.estimate.estimate_batch`): a group's correlation
matrix is the weighted correlation of the pooled standardised items with 0/1 weights.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.adjust import holm
from cxsurvey.stats.pls.data import ZERO_VARIANCE, correlation, prepare_data
from cxsurvey.stats.pls.estimate import SCHEMES, estimate_batch
from cxsurvey.stats.pls.resample import resample_correlations, shared_cross_products
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = ["DEFAULT_SEED", "GroupedData", "Micom", "check_settings", "configural_checks",
           "draw_permutations", "group_data", "group_weights", "micom",
           "original_group_fits"]

DEFAULT_SEED = 2016  # seed of the permutations and resamples unless the caller gives one


@dataclass(frozen=True)
class GroupedData:
    """Pooled standardised items and group codes of the rows used.

    Attributes
    ----------
    model : PlsModel
    z : ndarray, shape (n, p)
        Items standardised on the pooled rows used (n - 1 denominator).
    codes : ndarray of int, shape (n,)
        Group of every row (index into ``names``).
    names : tuple of str
        Group labels.
    index : Index
        Data rows used.
    n_missing_label : int
        Rows dropped because their group label is missing.
    warnings : tuple of str
    """

    model: PlsModel
    z: np.ndarray
    codes: np.ndarray
    names: tuple[str, ...]
    index: pd.Index
    n_missing_label: int
    warnings: tuple[str, ...] = ()

    @property
    def sizes(self) -> dict[str, int]:
        return {g: int((self.codes == i).sum()) for i, g in enumerate(self.names)}

    def memberships(self, codes: np.ndarray) -> list[np.ndarray]:
        """0/1 membership weights of every group for label vectors ``codes`` (B, n)."""
        return [(codes == g).astype(float) for g in range(len(self.names))]


def _labels(data: pd.DataFrame, groups: str | Sequence[object] | pd.Series | np.ndarray
            ) -> pd.Series:
    if isinstance(groups, str):
        if groups not in data.columns:
            raise InputError(f"the group column '{groups}' is not a column of the data")
        return data[groups].reset_index(drop=True)
    labels = pd.Series(list(groups) if not isinstance(groups, pd.Series) else groups.to_list())
    if len(labels) != len(data):
        raise InputError(f"the group labels have {len(labels)} entries but the data have "
                         f"{len(data)} rows")
    return labels


def group_data(data: pd.DataFrame, groups: str | Sequence[object] | pd.Series | np.ndarray,
               constructs: Mapping[str, Sequence[str]], paths: Sequence[tuple[str, str]],
               modes: Mapping[str, str] | None = None, missing: str = "listwise",
               order: Sequence[object] | None = None, min_groups: int = 2,
               max_groups: int | None = None) -> GroupedData:
    """Compile the model and split the prepared pooled data into groups.

    Rows with a missing label are dropped; missing answers are handled once on the
    pooled rows (``missing`` as :func:`~cxsurvey.stats.pls.fit.fit_pls`). Groups are
    ordered by ``order`` (which may also select groups) or sorted by label.

    Raises
    ------
    InputError
        For a wrong model, labels of the wrong length, fewer than ``min_groups`` or more
        than ``max_groups`` groups, or an ``order`` naming a label that does not occur.
    AnalysisError
        For a group with fewer than 3 rows.
    """
    model = compile_model(constructs, paths, modes)
    labels = _labels(data, groups)
    known = labels.notna().to_numpy()
    frame = data.reset_index(drop=True)
    present = sorted({str(v) for v in labels[known]})
    keep_names = present if order is None else [str(v) for v in order]
    unknown = [g for g in keep_names if g not in present]
    if unknown:
        raise InputError(f"group '{unknown[0]}' does not occur in the group labels",
                         hint=f"The labels are: {', '.join(present)}.")
    str_labels = labels.astype(str).where(known, None)
    selected = known & str_labels.isin(keep_names).to_numpy()
    if len(keep_names) < min_groups or (max_groups is not None and
                                        len(keep_names) > max_groups):
        wanted = (f"exactly {min_groups}" if max_groups == min_groups
                  else f"at least {min_groups}")
        raise InputError(f"the comparison needs {wanted} groups; got {len(keep_names)}",
                         hint="Choose the groups to compare.")
    prep = prepare_data(frame.loc[selected], model, missing)
    positions = prep.index.to_numpy()
    code_of = {g: i for i, g in enumerate(keep_names)}
    codes = np.array([code_of[str_labels.iloc[i]] for i in positions], dtype=np.int64)
    small = [g for i, g in enumerate(keep_names) if (codes == i).sum() < 3]
    if small:
        raise AnalysisError(f"group '{small[0]}' has fewer than 3 usable rows",
                            hint="Merge small groups or leave them out of the comparison.")
    n_missing = int((~known).sum())
    warnings = [f"{n_missing} row(s) without a group label left out"] if n_missing else []
    if prep.n_dropped:
        warnings.append(f"{prep.n_dropped} row(s) with missing answers dropped (listwise)")
    if prep.n_replaced:
        warnings.append(f"{prep.n_replaced} missing answer(s) replaced by the pooled item "
                        "mean")
    return GroupedData(model=model, z=prep.z, codes=codes, names=tuple(keep_names),
                       index=data.index[positions], n_missing_label=n_missing,
                       warnings=tuple(warnings))


def configural_checks(grouped: GroupedData) -> pd.DataFrame:
    """Step 1 of MICOM as far as the data can show it: every item of the model is
    present, answered and varies in every group.

    Returns
    -------
    DataFrame
        ``group, construct, item, n, sd, ok`` (``sd`` of the pooled-standardised item in
        the group; ``ok`` when it is positive).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2016). Testing measurement invariance of
    composites using partial least squares. International Marketing Review, 33(3),
    405-431 (step 1: identical indicators, data treatment and algorithm settings).
    """
    model = grouped.model
    rows = []
    for g, name in enumerate(grouped.names):
        zg = grouped.z[grouped.codes == g]
        sd = zg.std(axis=0, ddof=1)
        for i, item in enumerate(model.items):
            rows.append((name, model.constructs[model.member[i]], item, zg.shape[0],
                         float(sd[i]), bool(sd[i] > ZERO_VARIANCE)))
    return pd.DataFrame(rows, columns=["group", "construct", "item", "n", "sd", "ok"])


def draw_permutations(n: int, n_perm: int, seed: int | None = DEFAULT_SEED,
                      permutations: np.ndarray | None = None) -> np.ndarray:
    """The ``(n_perm, n)`` matrix of row permutations (permuted labels are
    ``codes[perm]``).

    Drawn row after row with ``Generator(PCG64(seed)).permutation(n)``, or
    ``permutations`` checked.

    Raises
    ------
    ValueError
        For fewer than 2 permutations or a matrix whose rows are not permutations of
        ``0..n-1``.

    References
    ----------
    Good, P. (2005). Permutation, parametric, and bootstrap tests of hypotheses (3rd ed.).
    Springer.
    """
    if permutations is None:
        if int(n_perm) < 2:
            raise ValueError(f"n_perm must be at least 2; got {n_perm!r}")
        rng = np.random.Generator(np.random.PCG64(seed))
        return np.stack([rng.permutation(n) for _ in range(int(n_perm))]).astype(np.int64)
    perms = np.asarray(permutations)
    if perms.ndim != 2 or perms.shape[0] < 2 or perms.shape[1] != n or \
            not np.issubdtype(perms.dtype, np.integer):
        raise ValueError(f"permutations must be an integer (n_perm, {n}) matrix with at "
                         "least 2 rows")
    if not np.array_equal(np.sort(perms, axis=1), np.broadcast_to(np.arange(n), perms.shape)):
        raise ValueError(f"every row of permutations must be a permutation of 0..{n - 1}")
    return perms.astype(np.int64)


def group_weights(grouped: GroupedData, codes: np.ndarray, scheme: str, max_iter: int,
                  tol: float, cross: np.ndarray | None = None
                  ) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray, np.ndarray]:
    """Estimate every group for a batch of label vectors ``codes`` (B, n).

    Returns
    -------
    weights : list of ndarray (B, p), one per group
    score_corr : list of ndarray (B, k, k), one per group
    valid, converged : ndarray of bool (B,)
        Every group estimable / converged.
    """
    weights, score_corr = [], []
    valid = np.ones(codes.shape[0], dtype=bool)
    converged = np.ones(codes.shape[0], dtype=bool)
    for counts in grouped.memberships(codes):
        corr = resample_correlations(grouped.z, counts, cross)
        est = estimate_batch(corr, grouped.model, scheme, max_iter, tol)
        weights.append(est.weights)
        score_corr.append(est.score_corr)
        valid &= est.valid & np.all(np.isfinite(est.weights), axis=1)
        converged &= est.converged
    return weights, score_corr, valid, converged


@dataclass(frozen=True)
class Micom:
    """MICOM steps 1-3 (Henseler, Ringle & Sarstedt, 2016; cSEM definitions).

    Attributes
    ----------
    groups : tuple of str
        Group labels in order; pairs are (earlier, later).
    sizes : dict of str to int
        Rows per group.
    configural : DataFrame
        :func:`configural_checks`.
    compositional : DataFrame
        Step 2, ``group_a, group_b, construct, c, q05, pvalue, pvalue_holm, invariant``:
        ``c`` the correlation of the composites of the two groups' weights on the pooled
        data, ``q05`` the 5% quantile of its permutation distribution, ``pvalue`` the
        share of permutations with a ``c`` at most the observed one, ``invariant`` when
        ``c >= q05``.
    means, variances : DataFrame
        Step 3, ``group_a, group_b, construct, diff, q025, q975, pvalue, pvalue_holm,
        within``: ``diff`` the difference of the group means (group a - group b) of the
        pooled-estimation scores, or of their log variances; ``q025, q975`` its
        permutation quantiles; ``pvalue`` two-sided (share of permutations beyond
        ``|diff|``); ``within`` when ``q025 <= diff <= q975``.
    n_perm : int
        Permutations drawn.
    n_used : int
        Permutations in step 2 (every group estimable and converged).
    n_invalid, n_not_converged : int
        Permutations dropped from step 2.
    seed : int or None
    warnings : tuple of str
    draws : dict of str to ndarray
        ``c`` (n_used, pairs, k), ``mean`` and ``logvar`` (n_perm, pairs, k).
    """

    groups: tuple[str, ...]
    sizes: dict[str, int]
    configural: pd.DataFrame
    compositional: pd.DataFrame
    means: pd.DataFrame
    variances: pd.DataFrame
    n_perm: int
    n_used: int
    n_invalid: int
    n_not_converged: int
    seed: int | None
    warnings: tuple[str, ...] = ()
    draws: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def configural_ok(self) -> bool:
        return bool(self.configural["ok"].all())


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(k) for b in range(a + 1, k)]


def _composite_correlations(weights: list[np.ndarray], corr: np.ndarray, model: PlsModel,
                            pairs: list[tuple[int, int]]) -> np.ndarray:
    """``c`` (B, pairs, k): correlations on the pooled data of the composites formed with
    two groups' weights."""
    wm = [np.nan_to_num(w)[:, :, None] * model.onehot for w in weights]
    swm = [np.matmul(corr, m) for m in wm]
    var = [np.einsum("bpk,bpk->bk", m, s) for m, s in zip(wm, swm, strict=True)]
    out = [np.einsum("bpk,bpk->bk", wm[a], swm[b]) / np.sqrt(var[a] * var[b])
           for a, b in pairs]
    return np.stack(out, axis=1)


def _score_moments(scores: np.ndarray, memberships: list[np.ndarray],
                   pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Differences of group means and of log group variances, (B, pairs, k)."""
    means, logvars = [], []
    for m in memberships:
        size = m.sum(axis=1)[:, None]
        mean = m @ scores / size
        var = (m @ scores ** 2 - size * mean ** 2) / (size - 1)
        means.append(mean)
        logvars.append(np.log(var))
    return (np.stack([means[a] - means[b] for a, b in pairs], axis=1),
            np.stack([logvars[a] - logvars[b] for a, b in pairs], axis=1))


def check_settings(scheme: str, max_iter: int, tol: float, chunk_size: int) -> None:
    """Raise ValueError for an unknown scheme or non-positive iteration settings."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    if int(max_iter) < 1 or not tol > 0 or int(chunk_size) < 1:
        raise ValueError("max_iter and chunk_size must be positive integers and tol positive")


def original_group_fits(grouped: GroupedData, scheme: str, max_iter: int, tol: float
                        ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weights and score correlations of each group's own estimation; raises
    :class:`AnalysisError` when one of them breaks down or does not converge."""
    checks = configural_checks(grouped)
    if not checks["ok"].all():
        bad = checks.loc[~checks["ok"]].iloc[0]
        raise AnalysisError(f"item '{bad['item']}' has no variance in group "
                            f"'{bad['group']}', so the model cannot be estimated there",
                            hint="Drop the item or merge the group with another one.")
    weights, score_corr, valid, converged = group_weights(
        grouped, grouped.codes[None], scheme, max_iter, tol)
    if not valid[0]:
        raise AnalysisError("the PLS algorithm broke down in one of the groups (perfectly "
                            "collinear items or construct scores)")
    if not converged[0]:
        raise AnalysisError(f"the PLS algorithm did not converge in {max_iter} iterations "
                            "in one of the groups",
                            hint="Raise max_iter or compare larger groups.")
    return [w[0] for w in weights], [s[0] for s in score_corr]


def _frame(grouped: GroupedData, pairs: list[tuple[int, int]],
           columns: dict[str, np.ndarray]) -> pd.DataFrame:
    names, k = grouped.names, grouped.model.k
    out = pd.DataFrame({
        "group_a": [names[a] for a, _ in pairs for _ in range(k)],
        "group_b": [names[b] for _, b in pairs for _ in range(k)],
        "construct": [c for _ in pairs for c in grouped.model.constructs]})
    for key, value in columns.items():
        out[key] = np.asarray(value).reshape(-1)
    return out


def _step3_frame(grouped: GroupedData, pairs: list[tuple[int, int]], obs: np.ndarray,
                 draws: np.ndarray) -> pd.DataFrame:
    q025, q975 = np.quantile(draws, [0.025, 0.975], axis=0)
    p = (draws > np.abs(obs)).mean(axis=0) + (draws < -np.abs(obs)).mean(axis=0)
    return _frame(grouped, pairs, {"diff": obs, "q025": q025, "q975": q975, "pvalue": p,
                                   "pvalue_holm": holm(p, axis=0),
                                   "within": (q025 <= obs) & (obs <= q975)})


def micom(data: pd.DataFrame, groups: str | Sequence[object] | pd.Series | np.ndarray,
          constructs: Mapping[str, Sequence[str]], paths: Sequence[tuple[str, str]],
          modes: Mapping[str, str] | None = None, scheme: str = "path",
          max_iter: int = 300, tol: float = 1e-7, missing: str = "listwise",
          n_perm: int = 5000, seed: int | None = DEFAULT_SEED,
          permutations: np.ndarray | None = None, order: Sequence[object] | None = None,
          chunk_size: int = 500) -> Micom:
    """Measurement invariance of composites (MICOM) across groups.

    Parameters
    ----------
    data : DataFrame
        Respondents by items.
    groups : str or sequence
        A column of ``data`` or one label per row (rows with a missing label are left
        out). Two groups or more; with more, every pair.
    constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.fit.fit_pls`.
    n_perm : int
        Permutations of the group labels (5000, Henseler et al.'s recommendation).
    seed : int, optional
        Seed of the PCG64 generator that draws the permutations
        (:func:`draw_permutations`); the default makes runs reproducible, None draws
        fresh entropy.
    permutations : ndarray of int, shape (n_perm, n), optional
        Explicit row permutations of the rows used (permuted labels ``codes[perm]``).
    order : sequence, optional
        Groups to compare, in this order (default: every label, sorted).
    chunk_size : int
        Permutations estimated per batch.

    Returns
    -------
    Micom

    Raises
    ------
    InputError
        For a wrong model or wrong group labels.
    AnalysisError
        For an item without variance in a group (configural invariance fails), or a group
        estimation that breaks down or does not converge.

    Notes
    -----
    See the module notes for the definitions (cSEM ``testMICOM``) and the differences
    from cSEM.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2016). Testing measurement invariance of
    composites using partial least squares. International Marketing Review, 33(3),
    405-431. Rademaker, M. E., & Schuberth, F. (2020). cSEM: Composite-based structural
    equation modeling (R package; ``testMICOM``). Holm, S. (1979). Scandinavian Journal of
    Statistics, 6(2), 65-70.
    """
    check_settings(scheme, max_iter, tol, chunk_size)
    grouped = group_data(data, groups, constructs, paths, modes, missing, order)
    model, z = grouped.model, grouped.z
    pairs = _pairs(len(grouped.names))
    pooled_corr = correlation(z)
    weights, _ = original_group_fits(grouped, scheme, max_iter, tol)
    c_obs = _composite_correlations([w[None] for w in weights], pooled_corr, model, pairs)[0]
    pooled = estimate_batch(pooled_corr[None], model, scheme, max_iter, tol)
    if not pooled.valid[0]:
        raise AnalysisError("the PLS algorithm broke down on the pooled data")
    scores = z @ (pooled.weights[0][:, None] * model.onehot)
    mean_obs, var_obs = _score_moments(scores, grouped.memberships(grouped.codes[None]),
                                       pairs)
    perms = draw_permutations(z.shape[0], n_perm, seed, permutations)
    cross = shared_cross_products(z)
    c_draws, m_draws, v_draws, valid_all, conv_all = [], [], [], [], []
    for start in range(0, perms.shape[0], int(chunk_size)):
        codes = grouped.codes[perms[start:start + int(chunk_size)]]
        w, _, valid, converged = group_weights(grouped, codes, scheme, max_iter, tol, cross)
        c_draws.append(_composite_correlations(w, pooled_corr, model, pairs))
        m, v = _score_moments(scores, grouped.memberships(codes), pairs)
        m_draws.append(m)
        v_draws.append(v)
        valid_all.append(valid)
        conv_all.append(converged)
    valid, converged = np.concatenate(valid_all), np.concatenate(conv_all)
    usable = valid & converged
    c_ref = np.concatenate(c_draws)[usable]
    m_ref, v_ref = np.concatenate(m_draws), np.concatenate(v_draws)
    if usable.sum() < 2:
        raise AnalysisError("fewer than 2 permutations could be estimated in every group")
    q05 = np.quantile(c_ref, 0.05, axis=0)
    p2 = (c_ref <= c_obs).mean(axis=0)
    compositional = _frame(grouped, pairs, {"c": c_obs, "q05": q05, "pvalue": p2,
                                            "pvalue_holm": holm(p2, axis=0),
                                            "invariant": c_obs >= q05})
    n_invalid = int((~valid).sum())
    n_not_conv = int((valid & ~converged).sum())
    warnings = list(grouped.warnings)
    if n_invalid or n_not_conv:
        warnings.append(f"{n_invalid + n_not_conv} of {perms.shape[0]} permutations could "
                        "not be estimated or did not converge in every group and were "
                        "left out of step 2")
    return Micom(groups=grouped.names, sizes=grouped.sizes,
                 configural=configural_checks(grouped), compositional=compositional,
                 means=_step3_frame(grouped, pairs, mean_obs[0], m_ref),
                 variances=_step3_frame(grouped, pairs, var_obs[0], v_ref),
                 n_perm=int(perms.shape[0]), n_used=int(usable.sum()), n_invalid=n_invalid,
                 n_not_converged=n_not_conv, seed=None if permutations is not None else seed,
                 warnings=tuple(warnings),
                 draws={"c": c_ref, "mean": m_ref, "logvar": v_ref})
