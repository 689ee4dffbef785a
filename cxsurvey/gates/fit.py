"""Which version of a fit index a rule judges: the ML one, or the robust one when a robust
estimator ran.

With ``estimator = "MLM"`` or ``"MLR"`` the normal-theory CFI, TLI and RMSEA rest on a
chi-square that non-normal data inflate; the rules then judge lavaan's ``.robust``
versions (Brosseau-Liard & Savalei 2014; Brosseau-Liard, Savalei & Li 2012), or the
``.scaled`` ones where the robust index is undefined. WLSMV is judged the same way: its
``.robust`` indices are Savalei's (2021) for categorical data, its ``.scaled`` ones
those of the scaled-shifted test. SRMR has no robust version and is
judged as it is. Every place that judges a fit index (checks, JUnit, table flags, Excel
highlights, HTML shading, summary) asks :func:`judged_fit`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ROBUST_ESTIMATORS", "ROBUST_JUDGED", "JudgedFit", "judged_fit"]

ROBUST_ESTIMATORS = ("MLM", "MLR", "WLSMV")
"""CB estimators (lavaan's spelling) whose fit is judged on robust indices (WLSMV: the
categorical robust indices, else the ones of the scaled-shifted test)."""
ROBUST_JUDGED = ("cfi", "tli", "rmsea")
"""Fit indices judged on their robust (else scaled) version under a robust estimator."""

_LABELS = {"cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR"}


def _number(value: object) -> float | None:
    """``value`` as a finite float, else None."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    x = float(value)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class JudgedFit:
    """The value of one fit index that the rules judge.

    Attributes
    ----------
    statistic : str
        The rule's statistic: ``cfi``, ``tli``, ``rmsea`` or ``srmr``.
    key : str
        The fit key judged: ``cfi`` (ML), ``cfi_robust`` or ``cfi_scaled``.
    value : float or None
        Its value (None when the fit does not have it).
    variant : str
        ``""`` (ML), ``"robust"`` or ``"scaled"``.
    estimator : str
        The run's CB estimator (``ML``, ``MLM``, ``MLR``, ``WLSMV``).
    """

    statistic: str
    key: str
    value: float | None
    variant: str = ""
    estimator: str = "ML"

    @property
    def qualifier(self) -> str:
        """``"robust, MLR"`` (empty for ML): what the label adds in parentheses."""
        return f"{self.variant}, {self.estimator}" if self.variant else ""

    @property
    def label(self) -> str:
        """``"CFI (robust, MLR)"``, ``"RMSEA (scaled, MLM)"`` or ``"CFI"``."""
        name = _LABELS.get(self.statistic, self.statistic)
        return f"{name} ({self.qualifier})" if self.variant else name


def judged_fit(fit: Mapping[str, Any], statistic: str, estimator: str = "ML") -> JudgedFit:
    """The version of ``statistic`` that the rules judge for a fit of ``estimator``.

    Parameters
    ----------
    fit : mapping
        A CB model's fit measures (lavaan's ``fitMeasures`` names in snake_case).
    statistic : {"cfi", "tli", "rmsea", "srmr"}
    estimator : str
        ``ML``, ``MLM``, ``MLR`` or ``WLSMV`` (case-insensitive).

    Returns
    -------
    JudgedFit
        Under MLM/MLR/WLSMV, CFI, TLI and RMSEA are judged on ``*_robust`` (lavaan's
        ``cfi.robust``, ...), or on ``*_scaled`` when the robust value is undefined
        (as lavaan, which reports NaN robust indices when the baseline model's scaling
        fails); the ML value otherwise, and always for SRMR and for ML.

    References
    ----------
    Brosseau-Liard, P. E., & Savalei, V. (2014). Adjusting incremental fit indices for
    nonnormality. Multivariate Behavioral Research, 49(5), 460-470 (robust CFI, TLI).
    Brosseau-Liard, P. E., Savalei, V., & Li, L. (2012). An investigation of the sample
    performance of two nonnormality corrections for RMSEA. Multivariate Behavioral
    Research, 47(6), 904-930 (robust RMSEA). Rosseel, Y. (2012). Journal of Statistical
    Software, 48(2), 1-36 (``fitMeasures``).
    """
    est = str(estimator).upper()
    if est in ROBUST_ESTIMATORS and statistic in ROBUST_JUDGED:
        for variant in ("robust", "scaled"):
            key = f"{statistic}_{variant}"
            value = _number(fit.get(key))
            if value is not None:
                return JudgedFit(statistic, key, value, variant, est)
    return JudgedFit(statistic, statistic, _number(fit.get(statistic)), "", est)
