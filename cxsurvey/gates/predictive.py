"""The verdict of PLSpredict: how much predictive power a PLS model has.

The numbers (each indicator's prediction error for PLS and for the linear-model
benchmark, and Q2_predict) come from :func:`cxsurvey.stats.pls.predict.pls_predict`; the
rule that turns them into ``none``, ``low``, ``medium`` or ``high`` lives here, with the
other judgements.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PREDICTIVE_POWER", "predictive_power"]

PREDICTIVE_POWER = ("none", "low", "medium", "high")
"""The verdicts in increasing order."""


class _Counts(Protocol):
    n_indicators: int
    n_pls_higher: int
    n_q2_positive: int


def predictive_power(counts: _Counts) -> str:
    """Shmueli et al.'s (2019) verdict on a model's predictive power.

    The rule, applied to the indicators of the key target construct (or any other set
    of endogenous indicators) with the prediction statistic ``counts.metric``:

    * ``"none"``: Q2_predict <= 0 for every indicator (the model does not even beat the
      training mean), or PLS has a higher prediction error than LM on **all**
      indicators ("lacks predictive power");
    * ``"low"``: PLS has a higher error than LM on the **majority** of the indicators;
    * ``"medium"``: PLS has a higher error on a **minority or exactly half**;
    * ``"high"``: PLS has a higher error on **none** of the indicators.

    Ties (equal errors) do not count as higher. The four LM levels are Shmueli et al.
    (2019, p. 2330) and Hair et al. (2022, ch. 6); the Q2_predict precondition follows
    their first step ("Q2_predict > 0 ... otherwise the model lacks predictive
    relevance"), read here as "none" only when no indicator passes it.

    Parameters
    ----------
    counts : PredictionCounts
        :class:`cxsurvey.stats.pls.predict.PredictionCounts` of the indicators judged.

    Returns
    -------
    str
        ``"none"``, ``"low"``, ``"medium"`` or ``"high"``.

    References
    ----------
    Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S., &
    Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: guidelines for using
    PLSpredict. European Journal of Marketing, 53(11), 2322-2347. Hair, J. F., Hult,
    G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A primer on partial least squares
    structural equation modeling (PLS-SEM) (3rd ed., ch. 6). Sage.
    """
    n = counts.n_indicators
    if n < 1:
        raise ValueError("predictive_power needs at least one indicator")
    if counts.n_q2_positive == 0 or counts.n_pls_higher == n:
        return "none"
    if counts.n_pls_higher == 0:
        return "high"
    return "low" if 2 * counts.n_pls_higher > n else "medium"
