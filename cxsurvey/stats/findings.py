"""The statistics of one run, family by family: what the gates judge and the reports show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.items.results import DescribeResult, NormalityResult, ReliabilityResult
from cxsurvey.stats.items.screen import ScreenResult
from cxsurvey.stats.metrics import MetricsResult
from cxsurvey.stats.missing import MissingData
from cxsurvey.stats.ordinal import PolychoricResult
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.results import PlsResult
from cxsurvey.stats.segments import SegmentsResult

__all__ = ["Findings"]


@dataclass(frozen=True)
class Findings:
    """Every statistic a run computed (``None`` or empty where that analysis did not run).

    Attributes
    ----------
    descriptives, normality, reliability : item-level results
    cfa : CfaResult, optional
        The covariance-based measurement model.
    pls : PlsResult, optional
        The PLS-SEM measurement model.
    paths : tuple of PathsResult
        Structural paths, one per estimation method.
    collinearity : DataFrame, optional
        ``construct, vif``: full-collinearity VIF of the construct scores.
    data_quality : ScreenResult, optional
        The data-quality screen of the respondents' raw answers.
    metrics : MetricsResult, optional
        NPS, CSAT and CES of the ``[metrics]`` items.
    missing_data : MissingData, optional
        Coverage and missing-data patterns of the model's items (with FIML).
    polychoric : PolychoricResult, optional
        The polychoric correlations of the model's items (lavaan's two-step ML; smoothed
        when not positive definite).
    segments : SegmentsResult, optional
        Customer groups compared (``--group``): descriptives, CX metrics and tests.
    invariance : InvarianceResult, optional
        Measurement invariance of the CB measurement model across the groups.
    group_paths : GroupPaths, optional
        Group-wise CB structural paths and the Wald tests of their differences.
    mga : PlsGroups, optional
        PLS: MICOM and the multi-group analysis of the paths.
    """

    descriptives: DescribeResult | None = None
    normality: NormalityResult | None = None
    reliability: ReliabilityResult | None = None
    cfa: CfaResult | None = None
    pls: PlsResult | None = None
    paths: tuple[PathsResult, ...] = ()
    collinearity: pd.DataFrame | None = None
    data_quality: ScreenResult | None = None
    metrics: MetricsResult | None = None
    missing_data: MissingData | None = None
    polychoric: PolychoricResult | None = None
    segments: SegmentsResult | None = None
    invariance: Any = None
    group_paths: Any = None
    mga: Any = None
