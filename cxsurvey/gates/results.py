"""Result of checking a run against a rule set."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class ChecksResult:
    """Quality-gate results (``cxsurvey check``, ``analyze --fail-on``).

    Attributes
    ----------
    checks : DataFrame
        One row per comparison: ``name`` (rule key such as ``min_alpha``), ``statistic``,
        ``construct``, ``item``, ``other``, ``source``, ``value``, ``threshold``,
        ``direction``, ``passed``, ``citation``, ``message``, ``variant`` (``"robust,
        MLR"`` when a fit rule judged the robust index of a robust estimator, else empty).
    skipped : DataFrame
        ``name, reason``: rules whose statistic was not computed in this run.
    rule_set : str
        Name of the rule set the rules started from.
    """

    checks: pd.DataFrame
    skipped: pd.DataFrame
    rule_set: str = "default"

    @property
    def failed(self) -> pd.DataFrame:
        return self.checks[~self.checks["passed"].astype(bool)]

    @property
    def ok(self) -> bool:
        return bool(self.checks["passed"].all()) if len(self.checks) else True
