"""Which level of measurement invariance holds across the groups, and why.

The steps (configural, metric, scalar, strict) are nested models fitted by
:func:`cxsurvey.stats.cb.invariance.measurement_invariance`. Here they are judged:

* the configural model holds when its fit meets the run's CFI and RMSEA rules (the
  robust or scaled indices after MLM, MLR or WLSMV, as everywhere: :func:`judged_fit`);
* each later step holds when, against the step before it, CFI drops by less than .010
  and RMSEA rises by at most .015 (Chen 2007; the rule set's ``min_delta_cfi`` and
  ``max_delta_rmsea`` when it has them), using the robust indices' changes under a
  robust estimator;
* the level reached is the last step of the unbroken run of steps that hold from the
  configural one (``none`` when even the configural model does not fit).

The chi-square difference test is reported beside (lavaan's ``lavTestLRT``) but does not
decide: with survey-sized samples it rejects trivial differences (Chen 2007; Putnick &
Bornstein 2016).

References
----------
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
invariance. *Structural Equation Modeling*, 14(3), 464-504.
Putnick, D. L., & Bornstein, M. H. (2016). Measurement invariance conventions and
reporting: The state of the art and future directions for psychological research.
*Developmental Review*, 41, 71-90.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cxsurvey.gates import thresholds as th
from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.rules import RuleSet
from cxsurvey.gates.thresholds import Threshold

__all__ = ["INVARIANCE_LEVELS", "InvarianceJudgement", "judge_invariance", "level_meaning",
           "level_name"]

INVARIANCE_LEVELS = {"none": 0, "configural": 1, "thresholds": 1.5, "metric": 2,
                     "scalar": 3, "strict": 4}
"""The levels in order, as the ``min_invariance`` rule counts them (ordinal items under
WLSMV have equal thresholds between configural and metric, Wu & Estabrook 2016, and no
strict step)."""

_MEANING = {
    "configural": "the same constructs and items in every group, but neither paths nor "
                  "means comparable",
    "thresholds": "equal thresholds of the ordinal items, which identifies the latent "
                  "responses' scale; neither paths nor means comparable yet",
    "metric": "equal loadings, so paths and correlations can be compared across the "
              "groups, construct means cannot",
    "scalar": "equal loadings and intercepts, so construct means can be compared too",
    "strict": "equal loadings, intercepts and residual variances, so even the observed "
              "item scores can be compared"}


def level_meaning(level: str, ordinal: bool = False) -> str:
    """What a level of invariance allows the groups to be compared on (for ordinal items
    the scalar level equates thresholds, loadings and intercepts)."""
    if ordinal and level == "scalar":
        return ("equal thresholds, loadings and intercepts, so construct means can be "
                "compared too")
    return _MEANING.get(level, level)


def level_name(level: float) -> str:
    """The name of a numeric invariance level (``3`` -> ``scalar``)."""
    for name, value in INVARIANCE_LEVELS.items():
        if value == level:
            return name
    return f"{level:g}"


@dataclass(frozen=True)
class InvarianceJudgement:
    """The judged invariance steps.

    Attributes
    ----------
    steps : DataFrame
        One row per step: ``step, held`` (bool; None when it could not be judged),
        ``delta_cfi, delta_rmsea`` (the changes judged; the robust ones under a robust
        estimator), ``basis`` (``robust``, ``scaled`` or empty) and ``reason`` (the
        sentence part saying why it holds or fails).
    reached : str
        ``none``, ``configural``, ``metric``, ``scalar`` or ``strict``.
    level : float
        ``reached`` as a number (0-4; 1.5 for equal thresholds).
    delta_cfi, delta_rmsea : Threshold
        The cut-offs used.
    """

    steps: pd.DataFrame
    reached: str
    level: float
    delta_cfi: Threshold
    delta_rmsea: Threshold


def _num(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _rule_threshold(rules: RuleSet | None, key: str, default: Threshold) -> Threshold:
    rule = rules.get(key) if rules is not None else None
    return rule.threshold if rule is not None else default


def judge_invariance(result: Any, rules: RuleSet | None = None) -> InvarianceJudgement:
    """Judge the steps of a measurement-invariance sequence.

    Parameters
    ----------
    result : InvarianceResult
        :func:`cxsurvey.stats.cb.invariance.measurement_invariance`'s result.
    rules : RuleSet, optional
        The run's rules: ``min_cfi`` and ``max_rmsea`` judge the configural model (Hu &
        Bentler's .95 and .06 without them), ``min_delta_cfi`` and ``max_delta_rmsea``
        the steps (Chen's -.010 and .015 without them).

    Returns
    -------
    InvarianceJudgement

    References
    ----------
    Chen, F. F. (2007). *Structural Equation Modeling*, 14(3), 464-504.
    """
    d_cfi = _rule_threshold(rules, "min_delta_cfi", th.DELTA_CFI)
    d_rmsea = _rule_threshold(rules, "max_delta_rmsea", th.DELTA_RMSEA)
    min_cfi = _rule_threshold(rules, "min_cfi", th.CFI)
    max_rmsea = _rule_threshold(rules, "max_rmsea", th.RMSEA)
    estimator = str(result.estimator).upper()
    rows: list[dict[str, Any]] = []
    table = result.table.set_index("step")
    comparisons = result.comparisons.set_index("step") if len(result.comparisons) else None
    for step in table.index:
        if step == "configural":
            fit = table.loc[step].to_dict()
            cfi = judged_fit(fit, "cfi", estimator)
            rmsea = judged_fit(fit, "rmsea", estimator)
            c, r = _num(cfi.value), _num(rmsea.value)
            held = None if math.isnan(c) or math.isnan(r) else (
                min_cfi.passes(c) and max_rmsea.passes(r))
            label = f" ({cfi.variant})" if cfi.variant else ""
            cites = sorted({min_cfi.citation, max_rmsea.citation})
            reason = (f"CFI{label} {c:.3f} and RMSEA{label} {r:.3f} against "
                      f"{min_cfi.direction} {min_cfi.value:g} and {max_rmsea.direction} "
                      f"{max_rmsea.value:g}, {'; '.join(cites)}" if held is not None
                      else "fit undefined")
            rows.append({"step": step, "held": held, "delta_cfi": math.nan,
                         "delta_rmsea": math.nan, "basis": cfi.variant, "reason": reason})
            continue
        comp = comparisons.loc[step] if comparisons is not None and step in comparisons.index \
            else None
        basis = ""
        dc = dr = math.nan
        if comp is not None:
            # the robust indices' changes after MLM/MLR (or WLSMV where defined), else the
            # scaled ones (WLSMV's scaled-shifted test), else the plain ones
            for variant in (("robust", "scaled") if estimator != "ML" else ()):
                if not math.isnan(_num(comp.get(f"delta_cfi_{variant}"))):
                    basis = variant
                    break
            suffix = f"_{basis}" if basis else ""
            dc = _num(comp.get(f"delta_cfi{suffix}"))
            dr = _num(comp.get(f"delta_rmsea{suffix}"))
        held = None if math.isnan(dc) or math.isnan(dr) else (
            d_cfi.passes(dc) and d_rmsea.passes(dr))
        reason = (f"delta CFI {dc:+.3f} ({d_cfi.direction} {d_cfi.value:g}), delta RMSEA "
                  f"{dr:+.3f} ({d_rmsea.direction} {d_rmsea.value:g})"
                  if held is not None else "changes undefined")
        rows.append({"step": step, "held": held, "delta_cfi": dc, "delta_rmsea": dr,
                     "basis": basis, "reason": reason})
    reached = "none"
    for row in rows:
        if row["held"] is not True:
            break
        reached = str(row["step"])
    steps = pd.DataFrame(rows, columns=["step", "held", "delta_cfi", "delta_rmsea", "basis",
                                        "reason"])
    return InvarianceJudgement(steps=steps, reached=reached,
                               level=float(INVARIANCE_LEVELS.get(reached, 0)),
                               delta_cfi=d_cfi, delta_rmsea=d_rmsea)
