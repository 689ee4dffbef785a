"""The CB estimator of a run: ML as fitted, or ML with robust corrections (MLM, MLR),
on complete cases or by full-information ML (:func:`fit_model`).

:func:`with_estimator` takes a :func:`~cxsurvey.stats.cb.ml_fit.fit_cb` result and, for
``MLM``/``MLR``, replaces its standard errors, z, p and Wald CIs with the robust ones of
:func:`~cxsurvey.stats.cb.robust.robust_fit` and adds the scaled and robust fit measures
(lavaan's ``fitMeasures`` names in snake_case). The estimates are the ML ones.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.records import FitMeasures

__all__ = ["ROBUST_FIT_KEYS", "fit_model", "with_estimator"]

ROBUST_FIT_KEYS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor",
                   "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
                   "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust")
"""The fit keys a robust estimator adds, in the order they are reported."""


def with_estimator(fit: CbFit, data: pd.DataFrame, estimator: str = "ML") -> CbFit:
    """``fit`` with the standard errors and fit measures of ``estimator``.

    Parameters
    ----------
    fit : CbFit
        An ML fit of ``data``.
    data : DataFrame
        The data the model was fitted to (its rows complete on the model's variables).
    estimator : {"ML", "MLM", "MLR"} (case-insensitive)

    Returns
    -------
    CbFit
        ``fit`` itself for ML; else a copy whose ``params`` carry the robust ``se, z,
        pvalue, ci_lower, ci_upper``, whose ``fit`` adds :data:`ROBUST_FIT_KEYS` and
        whose ``vcov`` is the robust covariance matrix of the free parameters.

    """
    est = str(estimator).upper()
    if est == "ML":
        return fit
    from cxsurvey.stats.cb.robust import robust_fit

    rob = robust_fit(fit, data, est)
    measures: dict[str, float] = {**rob.fit, "df_scaled": rob.fit["df"]}
    fit_out = FitMeasures(**fit.fit)  # type: ignore[typeddict-item]
    for key in ROBUST_FIT_KEYS:
        fit_out[key] = measures[key]  # type: ignore[literal-required]
    return dataclasses.replace(fit, params=rob.params, fit=fit_out, vcov=rob.vcov)


def fit_model(data: pd.DataFrame, syntax: str | ModelSpec, estimator: str = "ML",
              missing: str = "listwise", max_iter: int = 10_000) -> CbFit:
    """Fit a CB model with the run's estimator and treatment of missing answers.

    Parameters
    ----------
    data : DataFrame
        Survey data (NaN where an answer is missing).
    syntax : str or ModelSpec
        lavaan model syntax.
    estimator : {"ML", "MLM", "MLR"} (case-insensitive)
    missing : {"listwise", "fiml"}
        ``listwise``: rows complete on the model's variables, :func:`fit_cb` then
        :func:`with_estimator` (lavaan's default). ``fiml``: every row with an answer,
        full-information ML with a mean structure (lavaan ``missing = "ml"``,
        :func:`cxsurvey.stats.cb.fiml.fit_fiml`); ML or MLR.
    max_iter : int
        Optimiser iteration limit.

    Returns
    -------
    CbFit

    Raises
    ------
    InputError
        MLM with FIML, or a robust or FIML fit of a model with exogenous observed
        covariates.

    References
    ----------
    Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36 (``estimator``,
    ``missing``).
    """
    if str(missing).lower() == "fiml":
        from cxsurvey.stats.cb.fiml import fit_fiml

        return fit_fiml(data, syntax, estimator, max_iter).fit
    return with_estimator(fit_cb(data, syntax, maxiter=max_iter), data, estimator)
