"""Segment comparisons: construct scores, items and CX metrics by customer group.

Each group's descriptives, the CX metrics per group, and per construct score and item a
parametric and a rank test of the group difference (two groups: Welch's t and
Mann-Whitney U; three or more: Welch's ANOVA and Kruskal-Wallis) with effect sizes and
Holm-adjusted p-values. Pure: data in, :class:`SegmentsResult` out.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.options import DEFAULT_MIN_GROUP_SIZE
from cxsurvey.stats.adjust import holm
from cxsurvey.stats.items.collinearity import construct_scores
from cxsurvey.stats.metrics import cx_metrics, top2_share

__all__ = ["DEFAULT_MIN_GROUP_SIZE", "SegmentsResult", "compare_segments",
           "epsilon_squared", "hedges_g", "omega_squared"]


GROUP_COLUMNS = ["group", "n", "status"]
DESCRIPTIVE_COLUMNS = ["group", "variable", "kind", "n", "mean", "sd", "median",
                       "top2_box"]
TEST_COLUMNS = ["variable", "kind", "test", "contrast", "statistic", "df", "df2", "p",
                "p_holm", "effect", "effect_size", "effect_ci_lower", "effect_ci_upper",
                "n_total"]


@dataclass(frozen=True)
class SegmentsResult:
    """Comparison of customer groups.

    Attributes
    ----------
    group : str
        Name of the grouping column.
    groups : DataFrame
        ``group, n, status``: every group found, in the order used throughout;
        ``status`` is ``compared`` or ``too small`` (fewer than ``min_group_size``
        respondents: neither described nor tested).
    descriptives : DataFrame
        Long format ``group, variable, kind, n, mean, sd, median, top2_box``, one row per
        compared group and construct score (``kind`` ``construct``) or item (``item``);
        ``sd`` uses n - 1, ``top2_box`` is the percent of values in the two highest
        points of the scale (NaN without a scale).
    metrics : DataFrame
        ``group`` followed by :func:`cxsurvey.stats.metrics.cx_metrics`'s columns, for
        each compared group; empty without a metrics spec.
    tests : DataFrame
        ``variable, kind, test, contrast, statistic, df, df2, p, p_holm, effect,
        effect_size, effect_ci_lower, effect_ci_upper, n_total, n_<group>...``: per
        variable two rows, ``welch_t`` and ``mann_whitney`` (two groups) or
        ``welch_anova`` and ``kruskal_wallis`` (three or more). ``p_holm`` is Holm's
        adjustment across the variables of one ``kind`` within one ``test``.
    n_missing_group : int
        Rows without a group value (excluded).
    min_group_size : int
        The threshold below which a group is left out.
    warnings : tuple of str
        Groups left out, and the variables whose tests are undefined (NaN).
    """

    group: str
    groups: pd.DataFrame
    descriptives: pd.DataFrame
    metrics: pd.DataFrame
    tests: pd.DataFrame
    n_missing_group: int
    min_group_size: int
    warnings: tuple[str, ...]


def hedges_g(x: np.ndarray, y: np.ndarray, level: float = 0.95
             ) -> tuple[float, float, float]:
    """Hedges' g of ``mean(x) - mean(y)`` with its confidence interval.

    Returns
    -------
    (g, lower, upper) : tuple of float
        NaN when a sample has fewer than 2 values or the pooled SD is 0.

    Notes
    -----
    ``d = (m_x - m_y) / s_p`` with the pooled SD
    ``s_p = sqrt(((n_x - 1) s_x^2 + (n_y - 1) s_y^2) / (n_x + n_y - 2))``, and
    ``g = J d`` with the small-sample correction ``J = 1 - 3 / (4 (n_x + n_y) - 9)``.
    Interval: ``g -/+ t_{1-a/2, n_x+n_y-2} SE`` with the large-sample
    ``SE = sqrt((n_x + n_y) / (n_x n_y) + g^2 / (2 (n_x + n_y)))`` (Hedges & Olkin
    1985, ch. 5), as ``pingouin.compute_esci`` computes it.

    References
    ----------
    Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect size and
    related estimators. Journal of Educational Statistics, 6(2), 107-128.
    Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis. Academic
    Press.
    """
    from scipy.stats import t

    nx, ny = x.size, y.size
    if nx < 2 or ny < 2:
        return math.nan, math.nan, math.nan
    pooled = ((nx - 1) * x.var(ddof=1) + (ny - 1) * y.var(ddof=1)) / (nx + ny - 2)
    if not pooled > 0:
        return math.nan, math.nan, math.nan
    g = float((x.mean() - y.mean()) / math.sqrt(pooled)) * (1 - 3 / (4 * (nx + ny) - 9))
    se = math.sqrt((nx + ny) / (nx * ny) + g * g / (2 * (nx + ny)))
    q = float(t.isf((1 - level) / 2, nx + ny - 2))
    return g, g - q * se, g + q * se


def omega_squared(samples: Sequence[np.ndarray]) -> float:
    """Omega squared of a one-way layout: the share of variance due to the groups.

    Notes
    -----
    ``omega^2 = (SS_b - (k - 1) MS_w) / (SS_t + MS_w)`` with the between-, within- and
    total sums of squares of the k groups and ``MS_w = SS_w / (N - k)``. It corrects
    eta squared's upward bias and may fall below 0 when the groups differ less than
    chance would make them (reported as computed). NaN when ``SS_t`` is 0 or N = k.

    References
    ----------
    Hays, W. L. (1963). Statistics for psychologists. Holt, Rinehart & Winston.
    Olejnik, S., & Algina, J. (2003). Generalized eta and omega squared statistics.
    Psychological Methods, 8(4), 434-447.
    """
    values = np.concatenate(samples)
    k, n = len(samples), values.size
    grand = values.mean()
    ss_b = float(sum(s.size * (s.mean() - grand) ** 2 for s in samples))
    ss_w = float(sum(((s - s.mean()) ** 2).sum() for s in samples))
    if n <= k or not ss_b + ss_w > 0:
        return math.nan
    ms_w = ss_w / (n - k)
    return (ss_b - (k - 1) * ms_w) / (ss_b + ss_w + ms_w)


def epsilon_squared(h: float, n: int) -> float:
    """Epsilon squared of a Kruskal-Wallis test: ``H (n + 1) / (n^2 - 1) = H / (n - 1)``.

    ``H`` is the tie-corrected statistic and ``n`` the number of values; the ratio runs
    from 0 (equal mean ranks) to 1 (groups completely separated).

    References
    ----------
    Kelley, T. L. (1935). An unbiased correlation ratio measure. Proceedings of the
    National Academy of Sciences, 21(9), 554-559.
    Tomczak, M., & Tomczak, E. (2014). The need to report effect size estimates
    revisited. Trends in Sport Sciences, 21(1), 19-25.
    """
    return h / (n - 1) if n > 1 else math.nan


def compare_segments(frame: pd.DataFrame, group: str | pd.Series, *,
                     items: Sequence[str],
                     constructs: Mapping[str, Sequence[str]],
                     scales: Mapping[str, tuple[int, int]] | None = None,
                     metrics_spec: Mapping[str, str] | None = None,
                     min_group_size: int = DEFAULT_MIN_GROUP_SIZE,
                     level: float = 0.95, omnibus: bool = False) -> SegmentsResult:
    """Compare customer groups on construct scores, items and CX metrics.

    Parameters
    ----------
    frame : DataFrame
        Item scores (NaN = missing), and the grouping column when ``group`` names one.
    group : str or Series
        The grouping column's name, or the group of each row (aligned with ``frame``).
        Missing or blank values are counted and excluded. Groups are ordered by a
        categorical's categories, otherwise sorted.
    items : sequence of str
        The items to describe and test.
    constructs : mapping
        Construct -> its items; each construct score is the mean of its items on the
        rows that answered all of them (:func:`construct_scores` per construct).
    scales : mapping, optional
        Item -> ``(min, max)`` for the top-2 box (a construct's when all its items share
        one) and the CSAT/CES metrics; without it ``top2_box`` is NaN.
    metrics_spec : mapping, optional
        ``nps``, ``csat``, ``ces`` -> item, as for :func:`cx_metrics`.
    min_group_size : int
        Groups with fewer respondents (rows with that group value) are listed as
        ``too small`` and neither described nor tested. The default, 20, keeps groups
        whose top-2 share has a 95% interval narrower than about +/-22 points and whose
        tests rest on enough answers for their large-sample approximations.
    level : float
        Confidence level of the effect-size and metric intervals.
    omnibus : bool
        With two groups, also Welch's ANOVA and Kruskal-Wallis (the tests of three or
        more groups), so that runs with two and with more groups (survey waves, say)
        share one family of tests. With two groups Welch's F equals the Welch t squared;
        Kruskal-Wallis is the Mann-Whitney test without continuity correction.

    Returns
    -------
    SegmentsResult

    Notes
    -----
    Two groups (first minus second, so a positive effect means the first group scores
    higher): Welch's t-test (``scipy.stats.ttest_ind(equal_var=False)``, as R's
    ``t.test`` and ``pingouin.ttest(correction=True)``) with Hedges' g
    (:func:`hedges_g`); Mann-Whitney U of the first group
    (``scipy.stats.mannwhitneyu``, normal approximation with the tie-corrected variance
    and continuity correction, which is what R's ``wilcox.test(exact=FALSE,
    correct=TRUE)`` computes and what R's default does with the ties of rating scales)
    with the rank-biserial ``r = 2U / (n1 n2) - 1`` (Wendt 1972, as ``pingouin.mwu``).
    Three or more groups: Welch's ANOVA (``statsmodels.stats.oneway.anova_oneway``, as
    R's ``oneway.test(var.equal=FALSE)``) with omega squared (:func:`omega_squared`),
    and Kruskal-Wallis (``scipy.stats.kruskal``, tie-corrected, as R's
    ``kruskal.test``) with epsilon squared (:func:`epsilon_squared`). A test that is
    undefined for a variable (a group with fewer than 2 answers, every value the same,
    Welch's ANOVA with a constant group, whose omega squared is still given, Welch's t
    with both groups constant) is NaN and named in ``warnings``. Holm's adjustment
    (``statsmodels multipletests``) runs over the defined p-values of one kind
    (constructs, items) within one test.

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several
    different population variances are involved. Biometrika, 34(1-2), 28-35.
    Welch, B. L. (1951). On the comparison of several mean values: an alternative
    approach. Biometrika, 38(3-4), 330-336.
    Mann, H. B., & Whitney, D. R. (1947). On a test of whether one of two random
    variables is stochastically larger than the other. Annals of Mathematical
    Statistics, 18(1), 50-60.
    Kruskal, W. H., & Wallis, W. A. (1952). Use of ranks in one-criterion variance
    analysis. Journal of the American Statistical Association, 47(260), 583-621.
    Wendt, H. W. (1972). Dealing with a common problem in social science: A simplified
    rank-biserial coefficient of correlation based on the U statistic. European Journal
    of Social Psychology, 2(4), 463-465.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics, 6(2), 65-70.
    """
    if not 0 < level < 1:
        raise InputError(f"level must lie between 0 and 1, not {level}.")
    if min_group_size < 2:
        raise InputError(f"min_group_size must be at least 2, not {min_group_size}.",
                         hint="A group needs two answers for a standard deviation.")
    name, labels = _group_labels(frame, group)
    spec = dict(metrics_spec or {})
    needed = list(dict.fromkeys([*items, *(i for its in constructs.values() for i in its),
                                 *spec.values()]))
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(f"Columns not in the data: {', '.join(map(str, missing))}.",
                         hint="Pass the items of the model and of the metrics spec.")
    scales = dict(scales or {})
    for key in ("csat", "ces"):
        if key in spec and spec[key] not in scales:
            raise InputError(f"The {key} item {spec[key]!r} has no scale.",
                             hint="Pass scales with the item's (min, max).")

    notes: list[str] = []
    present = labels.notna()
    n_missing = int((~present).sum())
    if n_missing:
        notes.append(f"{n_missing} rows without a {name} value were excluded.")
    order = _order(labels[present])
    counts = labels[present].value_counts()
    sizes = [(g, int(counts[g])) for g in order]
    kept = [g for g, n in sizes if n >= min_group_size]
    small = [f"{g} (n={n})" for g, n in sizes if n < min_group_size]
    if small:
        notes.append(f"Groups with fewer than {min_group_size} respondents left out: "
                     f"{', '.join(small)}.")
    groups = pd.DataFrame([(str(g), n, "compared" if n >= min_group_size else "too small")
                           for g, n in sizes], columns=GROUP_COLUMNS)

    variables = _variables(frame, items, constructs)
    masks = [(labels == g).fillna(False).to_numpy(dtype=bool) for g in kept]
    rows = [_describe(str(g), var, kind, values[mask], _scale_of(var, kind, constructs,
                                                                scales))
            for var, kind, values in variables for g, mask in zip(kept, masks, strict=True)]
    descriptives = pd.DataFrame(rows, columns=DESCRIPTIVE_COLUMNS)

    metric_frames = []
    if spec:
        for g, mask in zip(kept, masks, strict=True):
            table = cx_metrics(frame.loc[mask], spec, scales, level).table
            table.insert(0, "group", str(g))
            metric_frames.append(table)
    metrics = (pd.concat(metric_frames, ignore_index=True) if metric_frames
               else pd.DataFrame(columns=["group", "name", "item", "value", "se",
                                          "ci_lower", "ci_upper", "n", "method"]))

    n_cols = [f"n_{g}" for g in kept]
    test_rows: list[dict[str, object]] = []
    if len(kept) < 2:
        notes.append(f"Fewer than two groups of {name} with at least {min_group_size} "
                     "respondents: no tests.")
    else:
        for var, kind, values in variables:
            samples = [v[np.isfinite(v)] for v in (values[m] for m in masks)]
            found: list[str] = []
            rows = (_two_groups(samples, [str(g) for g in kept], level, found)
                    if len(kept) == 2 else [])
            if len(kept) > 2 or omnibus:
                rows += _many_groups(samples, [str(g) for g in kept], level,
                                     found if len(kept) > 2 else [])
            for row in rows:
                row.update({"variable": var, "kind": kind,
                            "n_total": int(sum(s.size for s in samples))})
                row.update({c: int(s.size) for c, s in zip(n_cols, samples, strict=True)})
                test_rows.append(row)
            notes.extend(f"{var} ({kind}): {text}" for text in found)
    tests = pd.DataFrame(test_rows, columns=TEST_COLUMNS + n_cols)
    tests["p_holm"] = _holm(tests)
    return SegmentsResult(group=name, groups=groups, descriptives=descriptives,
                          metrics=metrics, tests=tests, n_missing_group=n_missing,
                          min_group_size=int(min_group_size), warnings=tuple(notes))


def _group_labels(frame: pd.DataFrame, group: str | pd.Series) -> tuple[str, pd.Series]:
    """The grouping column's name and labels (NaN for missing or blank values)."""
    if isinstance(group, pd.Series):
        if len(group) != len(frame):
            raise InputError(f"The group has {len(group)} values for {len(frame)} rows.")
        labels = pd.Series(group.to_numpy(), index=frame.index, dtype=group.dtype)
        name = str(group.name) if group.name is not None else "group"
    else:
        if group not in frame.columns:
            raise InputError(f"No column {group!r} to group by.",
                             hint="Name a column of the data, e.g. a channel or segment.")
        labels, name = frame[group], str(group)
    if labels.dtype == object or pd.api.types.is_string_dtype(labels):
        blank = labels.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        labels = labels.mask(blank)
    return name, labels


def _order(labels: pd.Series) -> list[object]:
    """Group order: a categorical's categories, otherwise sorted (as text if mixed)."""
    seen = list(pd.unique(labels))
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return [c for c in labels.cat.categories if c in seen]
    try:
        return sorted(seen)
    except TypeError:
        return sorted(seen, key=str)


def _variables(frame: pd.DataFrame, items: Sequence[str],
               constructs: Mapping[str, Sequence[str]]
               ) -> list[tuple[str, str, np.ndarray]]:
    """``(name, kind, values)`` of each construct score, then each item (NaN = missing)."""
    out: list[tuple[str, str, np.ndarray]] = []
    for c, its in constructs.items():
        if not its:
            continue
        block = frame[list(its)].reset_index(drop=True)  # positions: any index works
        scores = construct_scores(block, {c: tuple(its)})[c]
        out.append((c, "construct",
                    scores.reindex(range(len(frame))).to_numpy(dtype=float)))
    out.extend((i, "item", frame[i].to_numpy(dtype=float)) for i in items)
    return out


def _scale_of(var: str, kind: str, constructs: Mapping[str, Sequence[str]],
              scales: Mapping[str, tuple[int, int]]) -> tuple[int, int] | None:
    """An item's scale, or a construct's when all its items share one."""
    if kind == "item":
        return scales.get(var)
    own = {tuple(scales[i]) if i in scales else None for i in constructs[var]}
    one = own.pop() if len(own) == 1 else None
    return (int(one[0]), int(one[1])) if one is not None else None


def _describe(group: str, var: str, kind: str, values: np.ndarray,
              scale: tuple[int, int] | None) -> dict[str, object]:
    x = values[np.isfinite(values)]
    n = int(x.size)
    top2 = math.nan
    if scale is not None and n:
        k, m = top2_share(x, scale)
        top2 = 100 * k / m
    return {"group": group, "variable": var, "kind": kind, "n": n,
            "mean": float(x.mean()) if n else math.nan,
            "sd": float(x.std(ddof=1)) if n > 1 else math.nan,
            "median": float(np.median(x)) if n else math.nan, "top2_box": top2}


def _blank(test: str, effect: str, contrast: str) -> dict[str, object]:
    return {"test": test, "contrast": contrast, "statistic": math.nan, "df": math.nan,
            "df2": math.nan, "p": math.nan, "effect": effect, "effect_size": math.nan,
            "effect_ci_lower": math.nan, "effect_ci_upper": math.nan}


def _common_problem(samples: list[np.ndarray], names: list[str]) -> str | None:
    """Why no test is defined for these samples, or None."""
    few = [g for g, s in zip(names, samples, strict=True) if s.size < 2]
    if few:
        return f"fewer than 2 answers in {', '.join(few)}; tests not computed"
    values = np.concatenate(samples)
    if np.ptp(values) == 0:
        return "every answer is the same; tests not computed"
    return None


def _two_groups(samples: list[np.ndarray], names: list[str], level: float,
                found: list[str]) -> list[dict[str, object]]:
    from scipy.stats import mannwhitneyu, ttest_ind

    x, y = samples
    contrast = f"{names[0]} - {names[1]}"
    t_row = _blank("welch_t", "hedges_g", contrast)
    u_row = _blank("mann_whitney", "rank_biserial", contrast)
    problem = _common_problem(samples, names)
    if problem:
        found.append(problem)
        return [t_row, u_row]
    if np.ptp(x) == 0 and np.ptp(y) == 0:
        found.append("both groups answered all alike; Welch's t not computed")
    else:
        res = ttest_ind(x, y, equal_var=False)
        g, lo, hi = hedges_g(x, y, level)
        t_row.update({"statistic": float(res.statistic), "df": float(res.df),
                      "p": float(res.pvalue), "effect_size": g, "effect_ci_lower": lo,
                      "effect_ci_upper": hi})
    res = mannwhitneyu(x, y, alternative="two-sided", use_continuity=True,
                       method="asymptotic")
    u = float(res.statistic)
    u_row.update({"statistic": u, "p": float(res.pvalue),
                  "effect_size": 2 * u / (x.size * y.size) - 1})
    return [t_row, u_row]


def _many_groups(samples: list[np.ndarray], names: list[str], level: float,
                 found: list[str]) -> list[dict[str, object]]:
    from scipy.stats import kruskal
    from statsmodels.stats.oneway import anova_oneway

    contrast = ", ".join(names)
    f_row = _blank("welch_anova", "omega_squared", contrast)
    h_row = _blank("kruskal_wallis", "epsilon_squared", contrast)
    problem = _common_problem(samples, names)
    if problem:
        found.append(problem)
        return [f_row, h_row]
    constant = [g for g, s in zip(names, samples, strict=True) if np.ptp(s) == 0]
    if constant:
        found.append(f"{', '.join(constant)} answered all alike; Welch's ANOVA weights "
                     "are undefined, not computed")
    else:
        res = anova_oneway(samples, use_var="unequal", welch_correction=True)
        f_row.update({"statistic": float(res.statistic), "df": float(res.df_num),
                      "df2": float(res.df_denom), "p": float(res.pvalue)})
    f_row["effect_size"] = omega_squared(samples)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        res_h = kruskal(*samples)
    h = float(res_h.statistic)
    n = int(sum(s.size for s in samples))
    h_row.update({"statistic": h, "df": float(len(samples) - 1),
                  "p": float(res_h.pvalue), "effect_size": epsilon_squared(h, n)})
    return [f_row, h_row]


def _holm(tests: pd.DataFrame) -> pd.Series:
    """Holm-adjusted p within each (kind, test) family; NaN p-values are left out."""
    out = pd.Series(np.nan, index=tests.index, dtype=float)
    for _, part in tests.groupby(["kind", "test"], sort=False):
        out.loc[part.index] = holm(part["p"].to_numpy(dtype=float))
    return out
