"""Customer-group comparisons of a run (``--group COLUMN``): the grouping column, segment
tests, and the multi-group models of the run's structural method.

* :func:`group_labels` reads the grouping column of the survey (its SPSS value labels
  when it has them), aligned with the analysed respondents;
* :func:`group_analyses` runs what the run's method allows: segment comparisons always
  (:func:`cxsurvey.stats.segments.compare_segments`); for CB models measurement
  invariance (:func:`cxsurvey.stats.cb.invariance.measurement_invariance`) and group-wise
  structural paths; for PLS, MICOM and the multi-group analysis of the paths.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.prepare import Survey
from cxsurvey.options import Options

__all__ = ["GroupFindings", "MAX_GROUPS", "group_analyses", "group_labels"]

MAX_GROUPS = 20
"""The most distinct values a grouping column may have (more means a continuous or an id
column, not customer groups)."""


@dataclass(frozen=True)
class GroupFindings:
    """What ``--group`` produced (``None`` where that analysis did not run)."""

    segments: Any = None
    invariance: Any = None
    group_paths: Any = None
    mga: Any = None
    warnings: tuple[str, ...] = field(default=())


def _find_column(survey: Survey, column: str) -> str:
    frame = survey.raw.frame
    if column in frame.columns:
        return column
    folded = [c for c in frame.columns if str(c).strip().lower() == column.strip().lower()]
    if len(folded) == 1:
        return str(folded[0])
    items = set(survey.items.columns)
    others = [str(c) for c in frame.columns if c not in items]
    shown = ", ".join(others[:12]) + (", ..." if len(others) > 12 else "")
    raise InputError(f"--group names {column!r}, which is not a column of the survey",
                     Location(file=survey.raw.path, column=column),
                     f"Name one of its columns that are not items ({shown})." if others
                     else "The survey has no column besides the items to group by.")


def group_labels(survey: Survey, column: str) -> pd.Series:
    """The group of each analysed respondent (NaN where the column is blank).

    Parameters
    ----------
    survey : Survey
    column : str
        The grouping column (matched exactly, else case-insensitively).

    Returns
    -------
    Series
        Aligned with ``survey.items``; string labels (SPSS value labels applied).

    Raises
    ------
    InputError
        The column does not exist, is a model item, or has more than :data:`MAX_GROUPS`
        distinct values.
    """
    col = _find_column(survey, column)
    where = Location(file=survey.raw.path, column=col)
    if col in set(survey.items.columns):
        raise InputError(f"--group {col!r} is an item of the model; grouping by an item "
                         "would leave it constant within each group", where,
                         "Group by a column that is not analysed (channel, region, wave).")
    values = survey.raw.frame.loc[survey.items.index, col]
    labels = survey.raw.value_labels.get(col, {})
    if labels:
        values = values.map(lambda v: labels.get(v, v) if pd.notna(v) else v)

    def text(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return np.nan
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v).strip()
        return s if s else np.nan

    out = values.map(text).rename(col)
    distinct = out.dropna().unique()
    if len(distinct) > MAX_GROUPS:
        raise InputError(f"--group {col!r} has {len(distinct)} distinct values; groups are "
                         f"compared for at most {MAX_GROUPS}", where,
                         "Group by a categorical column (channel, region, customer type), "
                         "or recode this one into a few groups.")
    if len(distinct) < 2:
        raise InputError(f"--group {col!r} has {len(distinct)} distinct value(s); at least "
                         "two groups are needed", where, "Group by a column with two or "
                         "more groups.")
    return out


def _segments(survey: Survey, labels: pd.Series, options: Options):
    from cxsurvey.stats.segments import compare_segments

    frame = survey.items
    if survey.extra_items is not None:
        frame = frame.join(survey.extra_items)
    return compare_segments(frame, labels, items=list(survey.items.columns),
                            constructs=dict(survey.constructs), scales=survey.scales,
                            metrics_spec=survey.model.metrics or None,
                            min_group_size=options.min_group_size)


def group_analyses(survey: Survey, options: Options, *, cb: bool, pls: bool,
                   paths: bool = True,
                   constructs: Mapping[str, Sequence[str]] | None = None
                   ) -> GroupFindings:
    """The group comparisons of a run with ``--group``.

    Parameters
    ----------
    survey : Survey
    options : Options
        ``group`` names the column; ``min_group_size`` the smallest group compared.
    cb, pls : bool
        Whether the run fits CB models (measurement invariance, group-wise paths) or
        PLS models (MICOM, multi-group analysis).
    paths : bool
        Whether the run reports structural paths (the group-wise CB paths and the PLS
        multi-group analysis need them).
    constructs : mapping, optional
        The constructs the run's models use (after ``--drop-weak``); default the
        survey's.

    Returns
    -------
    GroupFindings
    """
    assert options.group is not None
    labels = group_labels(survey, options.group)
    warnings: list[str] = []
    segments = _segments(survey, labels, options)
    warnings += [f"groups: {w}" for w in segments.warnings]
    cons = dict(constructs if constructs is not None else survey.constructs)
    kept = _large_enough(labels, options.min_group_size)
    invariance = group_paths = mga = None
    order = [g for g, st in zip(segments.groups["group"], segments.groups["status"],
                                strict=True) if st == "compared"]
    if cb and kept.nunique() >= 2:
        invariance, group_paths, said = _cb_groups(survey, kept, cons, options, order,
                                                   paths)
        warnings += said
    if pls and kept.nunique() >= 2:
        mga = _pls_groups(survey, kept, cons, options, order, paths)
        warnings += [f"PLS groups: {w}" for w in mga.warnings]
    return GroupFindings(segments=segments, invariance=invariance, group_paths=group_paths,
                         mga=mga, warnings=tuple(warnings))


def _cb_groups(survey: Survey, labels: pd.Series, constructs: dict[str, Sequence[str]],
               options: Options, order: Sequence[object], with_paths: bool
               ) -> tuple[Any, Any, list[str]]:
    """Measurement invariance of the CFA and, with structural paths, the group-wise paths
    of the structural model with equal loadings (metric invariance, so that the paths
    compare the same constructs)."""
    from cxsurvey.errors import AnalysisError
    from cxsurvey.stats.cb.invariance import group_paths, measurement_invariance
    from cxsurvey.stats.cb.multigroup import fit_multigroup
    from cxsurvey.stats.cb.syntax import measurement_syntax, structural_syntax

    estimator = options.estimator.lavaan
    said: list[str] = []
    if options.missing.value == "fiml":
        said.append("groups: measurement invariance and group-wise paths use the rows "
                    "complete on the model's items (listwise), not FIML")
    cons = {c: tuple(its) for c, its in constructs.items()}
    column = str(labels.name)
    data = survey.items.assign(**{column: labels})
    invariance = paths = None
    try:
        invariance = measurement_invariance(data, measurement_syntax(cons, survey.model.model),
                                            column, estimator=estimator, groups=order,
                                            min_group_size=options.min_group_size)
        said += [f"invariance: {w}" for w in invariance.warnings]
    except (AnalysisError, InputError) as exc:
        said.append(f"groups: measurement invariance could not be computed: {exc}")
    spec = survey.model.model
    if spec.regressions and with_paths and estimator == "WLSMV":
        said.append("groups: the group-wise paths are fitted by ML, MLM or MLR; with "
                    "--estimator wlsmv they are not compared")
    elif spec.regressions and with_paths:
        try:
            fit = fit_multigroup(data, structural_syntax(cons, spec), column,
                                 equal=("loadings",), estimator=estimator, groups=order,
                                 min_group_size=options.min_group_size)
            paths = group_paths(fit)
            said += [f"group paths: {w}" for w in fit.warnings]
        except AnalysisError as exc:
            said.append(f"groups: the group-wise paths could not be computed: {exc}")
    return invariance, paths, said


def _large_enough(labels: pd.Series, min_size: int) -> pd.Series:
    """The labels with the groups smaller than ``min_size`` set missing (the segment
    comparison has already said which)."""
    counts = labels.value_counts()
    small = set(counts[counts < min_size].index)
    return labels.where(~labels.isin(small))


def _pls_groups(survey: Survey, labels: pd.Series, constructs: dict[str, Sequence[str]],
                options: Options, order: Sequence[object], with_paths: bool):
    """MICOM over the groups and the multi-group analysis of every pair of groups."""
    from itertools import combinations

    from cxsurvey.errors import AnalysisError
    from cxsurvey.stats.pls.groups import PlsGroups
    from cxsurvey.stats.pls.mga import pls_mga
    from cxsurvey.stats.pls.micom import micom

    spec = survey.model.model
    if spec.interactions or spec.higher_order:
        return PlsGroups(micom=None, warnings=(
            "MICOM and the multi-group analysis are not computed for models with "
            "interaction terms or higher-order constructs",))
    paths = [(a, b) for a, b, _ in spec.regressions]
    modes = {c: spec.modes.get(c, "A") for c in constructs}
    items = [i for its in constructs.values() for i in its]
    data = survey.items[list(dict.fromkeys(items))]
    missing = "mean" if options.missing.value == "mean" else "listwise"
    n = options.bootstrap or 5000
    warnings: list[str] = []
    result = None
    try:
        result = micom(data, labels, constructs, paths, modes, options.scheme.value,
                       missing=missing, n_perm=n, seed=options.seed, order=order)
        warnings += list(result.warnings)
    except AnalysisError as exc:
        warnings.append(f"MICOM could not be computed: {exc}")
    runs = []
    if paths and with_paths:
        for a, b in combinations(order, 2):
            try:
                run = pls_mga(data, labels, constructs, paths, modes, options.scheme.value,
                              missing=missing, n_boot=n, n_perm=n, seed=options.seed,
                              order=(a, b))
            except AnalysisError as exc:
                warnings.append(f"multi-group analysis of {a} vs {b} could not be "
                                f"computed: {exc}")
                continue
            runs.append(run)
            warnings += list(run.warnings)
    return PlsGroups(micom=result, mga=tuple(runs), warnings=tuple(warnings))
