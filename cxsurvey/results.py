"""Everything one run produced: the container that the renderers read."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxsurvey.gates.results import ChecksResult
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.items.results import DescribeResult, NormalityResult, ReliabilityResult
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.pls.results import PlsResult


@dataclass(frozen=True)
class Results:
    """Everything one run produced; renderers read this and nothing else.

    ``meta`` follows the contract's ``meta`` keys (plus ``sha256``, ``sheet``,
    ``scale``, ``options``, ``created``, ``dependencies``). ``warnings`` are problems in
    the data the user must see; ``summary`` is the plain-language reading.
    """

    meta: dict
    descriptives: DescribeResult | None = None
    normality: NormalityResult | None = None
    reliability: ReliabilityResult | None = None
    cfa: CfaResult | None = None
    pls: PlsResult | None = None
    paths: tuple[PathsResult, ...] = ()
    warnings: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    collinearity: pd.DataFrame | None = None
    checks: ChecksResult | None = None
