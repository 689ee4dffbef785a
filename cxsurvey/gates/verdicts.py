"""The one source of verdicts: whether a statistic meets the run's rule set.

Every place that judges a number (console ``*`` flags and threshold notes, the
plain-language summary, Excel conditional formatting and header notes, HTML shading,
the checks and their JUnit) asks a :class:`Verdicts` built once per run from the active
:class:`~cxsurvey.gates.rules.RuleSet`. A statistic that the rule set does not judge
(no rule for it) is flagged nowhere.

Besides the rule set, a few criteria are fixed by definition rather than by convention,
and are judged here too: a standardised loading beyond +/-1 (a Heywood case), a path's
significance at the run's level, the Fornell-Larcker comparison and "alpha if item
deleted" above the construct's alpha.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeGuard

import pandas as pd

from cxsurvey.gates.rules import RULE_KEYS, RULE_SETS, Rule, RuleSet
from cxsurvey.gates.thresholds import P_VALUE, Threshold

__all__ = ["LIMIT_MARGIN", "STATISTICS", "Verdicts"]

LIMIT_MARGIN = 0.02
"""A value this close to a cut-off, on the passing side, is "at the limit"."""

STATISTICS: dict[str, str] = {
    "alpha": "Cronbach's alpha", "rho_c": "CR", "rho_a": "rho_A", "ave": "AVE",
    "loading": "loading", "item_total_r": "item-total r", "htmt": "HTMT", "cfi": "CFI",
    "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR", "vif": "VIF",
    "fc_vif": "full collinearity VIF", "htmt_upper": "HTMT upper bound",
    "delta_cfi": "delta CFI", "delta_rmsea": "delta RMSEA",
    "invariance_level": "invariance level",
}
"""The statistics a rule can judge (``RuleKey.statistic``) and their short labels."""


def _defined(value: object) -> TypeGuard[numbers.Real]:
    """A finite real number (numpy's included); None, NaN, text and booleans are not."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(float(value))


@dataclass(frozen=True)
class Verdicts:
    """The run's rule set as every renderer and the summary read it.

    Parameters
    ----------
    rules : RuleSet
        The resolved rule set (built-in set, rules file, the model file's ``[checks]``,
        threshold flags). Default: the ``default`` set.
    significance : float
        Two-tailed level at which a path is "supported".

    References
    ----------
    The cut-offs and their citations are those of the rule set
    (:data:`cxsurvey.gates.rules.RULE_SETS`); Heywood (1931) for loadings beyond 1;
    Fornell & Larcker (1981) for the square root of the AVE against correlations.
    """

    rules: RuleSet = field(default_factory=lambda: RULE_SETS["default"])
    significance: float = P_VALUE

    # -- rules -----------------------------------------------------------------------
    def rules_for(self, statistic: str) -> tuple[Rule, ...]:
        """The rules that judge ``statistic`` (``alpha``, ``rho_c``, ``loading`` ...)."""
        if statistic not in STATISTICS:
            raise KeyError(f"unknown statistic {statistic!r}")
        return tuple(r for r in self.rules.rules if RULE_KEYS[r.key].statistic == statistic)

    def judged(self, statistic: str) -> bool:
        """Whether the rule set judges ``statistic`` at all."""
        return bool(self.rules_for(statistic))

    def thresholds(self, statistic: str) -> tuple[Threshold, ...]:
        return tuple(r.threshold for r in self.rules_for(statistic))

    def failed(self, statistic: str, value: object) -> tuple[Rule, ...]:
        """The rules ``value`` does not meet (none when it is undefined or not judged)."""
        if not _defined(value):
            return ()
        x = float(value)
        return tuple(r for r in self.rules_for(statistic) if not r.threshold.passes(x))

    def fails(self, statistic: str, value: object) -> bool:
        """Whether a defined ``value`` breaks a rule that judges ``statistic``."""
        return bool(self.failed(statistic, value))

    def at_limit(self, statistic: str, value: object) -> bool:
        """Whether ``value`` meets its rules but lies within :data:`LIMIT_MARGIN` of one."""
        if not _defined(value) or self.fails(statistic, value):
            return False
        x = float(value)
        return any(abs(x - t.value) <= LIMIT_MARGIN for t in self.thresholds(statistic))

    def text(self, statistic: str) -> str:
        """``"Cronbach's alpha >= 0.7 (Nunnally & Bernstein 1994)"``; rules joined by ``;``.
        Empty when the rule set does not judge ``statistic``."""
        return "; ".join(t.text for t in self.thresholds(statistic))

    def note(self, statistics: Iterable[str], extra: str = "") -> str:
        """A table's threshold note: ``* = criterion not met: ...`` for the judged ones."""
        texts = [self.text(s) for s in statistics if self.judged(s)]
        texts += [extra] if extra else []
        if not texts:
            return f"Not judged by the {self.rules.name} rules."
        return "* = criterion not met: " + "; ".join(texts) + "."

    # -- fixed criteria --------------------------------------------------------------
    @staticmethod
    def heywood(loading: object) -> bool:
        """A standardised loading beyond +/-1: an improper solution (Heywood case)."""
        return _defined(loading) and abs(float(loading)) > 1

    def significant(self, pvalue: object) -> bool:
        """Whether a two-tailed p-value is below the run's significance level."""
        return _defined(pvalue) and float(pvalue) < self.significance

    @staticmethod
    def alpha_raised(alpha_if_deleted: object, alpha: object) -> bool:
        """Whether deleting an item would raise its construct's alpha."""
        return (_defined(alpha_if_deleted) and _defined(alpha)
                and float(alpha_if_deleted) > float(alpha) + 1e-12)

    @staticmethod
    def fornell_larcker_fails(correlation: object, root_ave_a: object,
                              root_ave_b: object) -> bool:
        """Whether ``|r|`` of two constructs reaches the smaller square root of their AVEs
        (Fornell & Larcker 1981: each sqrt(AVE) must exceed the construct's correlations)."""
        if not (_defined(correlation) and _defined(root_ave_a) and _defined(root_ave_b)):
            return False
        return abs(float(correlation)) > min(float(root_ave_a), float(root_ave_b))

    def fornell_larcker_pairs(self, frame: pd.DataFrame | None
                              ) -> list[tuple[str, str, float, float]]:
        """The pairs that fail Fornell-Larcker in a long ``a, b, value`` frame (diagonal:
        sqrt(AVE); off-diagonal: correlations): ``(a, b, r, smaller sqrt(AVE))``."""
        rows = list(frame.itertuples(index=False)) if frame is not None else []
        root = {r.a: r.value for r in rows if r.a == r.b}
        out = []
        for r in rows:
            if r.a == r.b or r.a not in root or r.b not in root:
                continue
            if self.fornell_larcker_fails(r.value, root[r.a], root[r.b]):
                out.append((r.a, r.b, float(r.value), min(float(root[r.a]), float(root[r.b]))))
        return out
