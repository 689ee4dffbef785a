"""The CB estimator of a run: ML as fitted, or ML with robust corrections (MLM, MLR),
on complete cases or by full-information ML, or WLSMV for ordinal items
(:func:`fit_model`).

:func:`with_estimator` takes a :func:`~cxsurvey.stats.cb.ml_fit.fit_cb` result and, for
``MLM``/``MLR``, replaces its standard errors, z, p and Wald CIs with the robust ones of
:func:`~cxsurvey.stats.cb.robust.robust_fit` and adds the scaled and robust fit measures
(lavaan's ``fitMeasures`` names in snake_case). The estimates are the ML ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.ml_fit import PARAM_COLUMNS, CbFit, fit_cb
from cxsurvey.stats.cb.wlsmv import WlsmvFit, fit_wlsmv
from cxsurvey.stats.records import FitMeasures

__all__ = ["ROBUST_FIT_KEYS", "fit_model", "from_wlsmv", "with_estimator"]

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


def from_wlsmv(w: WlsmvFit) -> CbFit:
    """A :class:`CbFit` of a WLSMV fit, for the code that reads CB fits.

    Parameters
    ----------
    w : WlsmvFit
        A fit of :func:`cxsurvey.stats.cb.wlsmv.fit_wlsmv`.

    Returns
    -------
    CbFit
        ``params``: the ``=~``, ``~`` and ``~~`` rows (the residual variances of the items
        fixed at ``1 - communality``), so that a RAM model can be built from them;
        ``thresholds``: the ``|`` rows as ``item, threshold, est, se``; ``fit``: ``n`` and
        every WLSMV fit measure; ``implied_cov`` / ``sample_cov``: the model-implied and
        polychoric correlations of the latent responses; ``latent_cov`` and ``r2`` from the
        estimates; ``vcov``: the robust covariance matrix of the structural parameters
        (None if its names do not match the RAM model's free parameters, in which case
        the delta method falls back to no SEs).
    """
    p = w.params
    th = p[p["op"] == "|"]
    thresholds = pd.DataFrame({"item": th["lhs"].to_numpy(), "threshold": th["rhs"].to_numpy(),
                               "est": th["est"].to_numpy(dtype=float),
                               "se": th["se"].to_numpy(dtype=float)})
    params = p[p["op"].isin(("=~", "~", "~~"))].reset_index(drop=True)[PARAM_COLUMNS]
    model = moments.ram_model(params, w.observed)
    a, s = model.matrices()
    b = np.linalg.inv(np.eye(a.shape[0]) - a)
    full = b @ s @ b.T
    pos = {v: i for i, v in enumerate(model.variables)}
    lat = [v for v in w.latent if v in pos]
    li = [pos[v] for v in lat]
    outcomes = set(params.loc[params["op"] == "~", "lhs"])
    r2_rows = [{"variable": v, "latent": v in set(lat),
                "r2": 1.0 - s[pos[v], pos[v]] / full[pos[v], pos[v]]
                if full[pos[v], pos[v]] > 0 and s[pos[v], pos[v]] >= 0 else float("nan")}
               for v in [*w.observed, *(v for v in lat if v in outcomes)]]
    names = list(model.free_names)
    vcov = (w.vcov.loc[names, names].to_numpy(dtype=float)
            if len(set(names)) == len(names) and set(names) <= set(w.vcov.index) else None)
    fit = FitMeasures(n=w.n)
    fit.update(w.fit)  # type: ignore[typeddict-item]
    return CbFit(
        params=params, fit=fit, r2=pd.DataFrame(r2_rows, columns=["variable", "latent", "r2"]),
        implied_cov=w.implied_cov if w.implied_cov is not None else w.implied_cor,
        sample_cov=w.sample_cov if w.sample_cov is not None else w.sample_cor,
        latent_cov=pd.DataFrame(full[np.ix_(li, li)], index=lat, columns=lat),
        converged=w.converged, warnings=w.warnings, n=w.n, observed=w.observed,
        latent=tuple(lat), iterations=w.iterations, vcov=vcov, thresholds=thresholds)


def fit_model(data: pd.DataFrame, syntax: str | ModelSpec, estimator: str = "ML",
              missing: str = "listwise", max_iter: int = 10_000,
              scales: Mapping[str, Sequence[float]] | None = None,
              ordered: Sequence[str] | None = None) -> CbFit:
    """Fit a CB model with the run's estimator and treatment of missing answers.

    Parameters
    ----------
    data : DataFrame
        Survey data (NaN where an answer is missing).
    syntax : str or ModelSpec
        lavaan model syntax.
    estimator : {"ML", "MLM", "MLR", "WLSMV"} (case-insensitive)
        ``WLSMV``: every observed variable an ordinal indicator,
        :func:`cxsurvey.stats.cb.wlsmv.fit_wlsmv` (see :func:`from_wlsmv`).
    missing : {"listwise", "pairwise", "fiml"}
        ``listwise``: rows complete on the model's variables, :func:`fit_cb` then
        :func:`with_estimator` (lavaan's default). ``fiml``: every row with an answer,
        full-information ML with a mean structure (lavaan ``missing = "ml"``,
        :func:`cxsurvey.stats.cb.fiml.fit_fiml`); ML or MLR. ``pairwise``: WLSMV's
        pairwise polychoric statistics (the ML estimators read it as ``listwise``).
    max_iter : int
        Optimiser iteration limit.
    scales : dict, optional
        WLSMV: item -> declared scale points (to name the points nobody chose).
    ordered : sequence of str, optional
        WLSMV: the ordinal items; the others are continuous indicators (default: every
        item ordinal).

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
    if str(estimator).upper() == "WLSMV":
        text = syntax.syntax if isinstance(syntax, ModelSpec) else syntax
        how: Literal["listwise", "pairwise"] = (
            "pairwise" if str(missing).lower() == "pairwise" else "listwise")
        if str(missing).lower() == "fiml":
            raise InputError("estimator WLSMV cannot be combined with FIML",
                             hint="Use missing 'listwise' or 'pairwise' with WLSMV.")
        return from_wlsmv(fit_wlsmv(data, text, missing=how, maxiter=max_iter,
                                    scales=scales, ordered=ordered))
    if str(missing).lower() == "fiml":
        from cxsurvey.stats.cb.fiml import fit_fiml

        return fit_fiml(data, syntax, estimator, max_iter).fit
    return with_estimator(fit_cb(data, syntax, maxiter=max_iter), data, estimator)
