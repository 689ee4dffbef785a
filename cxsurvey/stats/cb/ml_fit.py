"""Covariance-based CFA and SEM by maximum likelihood, reporting what lavaan reports.

:func:`fit_cb` translates a lavaan-syntax model (:mod:`cxsurvey.stats.cb.prepare`),
fits it with semopy (:mod:`cxsurvey.stats.cb.semopy_adapter`) and computes the rest
itself: fully standardised estimates (lavaan's ``std.all``), R², fit indices
(:mod:`cxsurvey.stats.cb.fit_indices`), and the checks for the problems an analyst must
hear about (:mod:`cxsurvey.stats.cb.diagnostics`: non-convergence,
under-identification, too few cases, Heywood cases, non-positive-definite matrices).

Defaults are lavaan's (``cfa()``/``sem()`` with ``estimator = "ML"``): listwise deletion
on the model's observed variables, covariance matrix with divisor N, first loading of
each factor fixed to 1, latent variances and exogenous latent covariances free,
residual covariances among the pure outcomes free (latent or observed variables
regressed on others that are neither indicators nor predictors; lavaan's
``auto.cov.y``, written out by :mod:`cxsurvey.stats.cb.prepare`), exogenous
observed covariates fixed at their sample (co)variances, standard errors from the
expected information matrix, variances not bounded at zero.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1-36. Bollen, K. A. (1989). Structural Equations with
Latent Variables. Wiley.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb import fit_indices
from cxsurvey.stats.cb.diagnostics import (
    check_counts,
    check_solution,
    check_variances,
    dependent_variables,
    improper_solution,
)
from cxsurvey.stats.cb.prepare import PreparedModel, prepare_model
from cxsurvey.stats.cb.semopy_adapter import ModelInfo, SemopyFit, describe_model, fit_semopy
from cxsurvey.stats.records import FitMeasures

__all__ = ["CbFit", "fit_cb", "model_columns", "observed_variables"]

PARAM_COLUMNS = ["lhs", "op", "rhs", "label", "free", "est", "se", "z", "pvalue",
                 "ci_lower", "ci_upper", "std_all"]


@dataclass(frozen=True)
class CbFit:
    """A covariance-based (ML) CFA/SEM fit in lavaan's vocabulary.

    Attributes
    ----------
    params : DataFrame
        Every parameter, lavaan's ``parameterEstimates(fit, standardized = TRUE)`` layout:
        ``lhs, op, rhs, label, free, est, se, z, pvalue, ci_lower, ci_upper, std_all``
        with ``op`` in ``=~`` (loading), ``~`` (regression), ``~~`` (variance or
        covariance; residual ones for endogenous variables). Fixed parameters have their
        value in ``est`` and NaN in ``se, z, pvalue, ci_lower, ci_upper``. CIs are 95%
        Wald intervals. ``std_all`` is lavaan's ``std.all``; for covariances it is the
        (residual) correlation.
    fit : dict
        ``n, npar, chisq, df, pvalue, baseline_chisq, baseline_df, baseline_pvalue, cfi,
        tli, nfi, rmsea, rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, srmr, logl,
        unrestricted_logl, aic, bic, bic2, gfi, agfi`` (lavaan ``fitMeasures`` names in
        snake_case; see :func:`cxsurvey.stats.cb.fit_indices.fit_measures`).
    r2 : DataFrame
        ``variable, latent, r2`` for every endogenous variable: indicators, then latent
        outcomes.
    implied_cov : DataFrame
        Model-implied covariance matrix of the observed variables.
    latent_cov : DataFrame
        Model-implied covariance matrix of the latent variables.
    sample_cov : DataFrame
        Sample covariance matrix (divisor N) of the observed variables, complete cases.
    converged : bool
        Whether the optimiser converged (always True unless ``strict=False``).
    warnings : tuple of str
        Problems that do not stop the analysis: Heywood cases, non-positive-definite
        matrices, semopy's own warnings.
    n : int
        Rows used (complete on the model's observed variables).
    observed, latent : tuple of str
        Variables in model order.
    iterations : int
        Solver iterations.
    notes : tuple of str
        Parts of the syntax the engine ignored (intercepts, ``:=`` definitions), for
        the user.
    vcov : ndarray, shape (q, q), optional
        Covariance matrix of the free parameters (already divided by N) in
        ``moments.ram_model(params, observed).free_names`` order, when the estimator
        set one (robust MLM/MLR); None means the normal-theory ML matrix of the
        expected information (:func:`cxsurvey.stats.cb.delta.ml_vcov`). FIML sets the
        block of the free parameters of ``params`` (intercepts excluded).
    intercepts : DataFrame, optional
        With a mean structure (FIML): ``item, est, se, z, pvalue, ci_lower, ci_upper``
        (lavaan's ``~1`` rows of the observed variables).
    thresholds : DataFrame, optional
        With ordinal items (WLSMV): ``item, threshold, est, se`` (lavaan's ``|`` rows,
        ``threshold`` = ``"t1"``, ``"t2"``, ...).
    """

    params: pd.DataFrame
    fit: FitMeasures
    r2: pd.DataFrame
    implied_cov: pd.DataFrame
    latent_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    converged: bool
    warnings: tuple[str, ...]
    n: int
    observed: tuple[str, ...] = ()
    latent: tuple[str, ...] = ()
    iterations: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    vcov: np.ndarray | None = None
    intercepts: pd.DataFrame | None = None
    thresholds: pd.DataFrame | None = None

    @property
    def loadings(self) -> pd.DataFrame:
        """The ``=~`` rows (construct in ``lhs``, item in ``rhs``)."""
        return self.params[self.params["op"] == "=~"].reset_index(drop=True)

    @property
    def regressions(self) -> pd.DataFrame:
        """The ``~`` rows (outcome in ``lhs``, predictor in ``rhs``)."""
        return self.params[self.params["op"] == "~"].reset_index(drop=True)

    @property
    def latent_cor(self) -> pd.DataFrame:
        """Model-implied correlation matrix of the latent variables."""
        c = self.latent_cov.to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            d = 1.0 / np.sqrt(np.diag(c))
        return pd.DataFrame(c * np.outer(d, d), index=self.latent_cov.index,
                            columns=self.latent_cov.columns)



def _start_values(fit: CbFit | None) -> dict[tuple[str, str, str], float] | None:
    if fit is None:
        return None
    p = fit.params[fit.params["free"]]
    return {(a, o, b): float(e) for a, o, b, e in
            zip(p["lhs"], p["op"], p["rhs"], p["est"], strict=True)}


def model_columns(data: pd.DataFrame, observed: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """The model's columns as floats, every row (NaN where an answer is missing).

    Raises
    ------
    InputError
        A column the model names that the data lack, or non-numeric answers (named).
    """
    missing = [v for v in observed if v not in data.columns]
    if missing:
        raise InputError(
            f"the model uses {', '.join(repr(m) for m in missing)}, not found in the data",
            hint="Check the spelling in the model against the column names.")
    block = data.loc[:, list(observed)]
    try:
        block = block.apply(pd.to_numeric, errors="raise").astype(float)
    except (ValueError, TypeError) as exc:
        bad = [c for c in observed
               if pd.to_numeric(data[c], errors="coerce").isna().sum() > data[c].isna().sum()]
        raise InputError(
            f"non-numeric values in {', '.join(repr(b) for b in bad) or 'the data'}",
            hint="Map text answers to scores in the model file's [data.labels] table.",
        ) from exc
    return block


def _complete_cases(data: pd.DataFrame, observed: tuple[str, ...]) -> pd.DataFrame:
    return model_columns(data, observed).dropna(axis=0, how="any")


def _variance_tables(sf: SemopyFit) -> tuple[dict[str, float], dict[str, float], np.ndarray]:
    """Total and residual variance of every variable, and the implied cov of inner vars."""
    k = len(sf.inner)
    c = np.linalg.inv(np.eye(k) - sf.beta)
    cov_inner = c @ sf.psi @ c.T
    total: dict[str, float] = {}
    resid: dict[str, float] = {}
    for i, v in enumerate(sf.inner):
        total[v] = float(cov_inner[i, i])
        resid[v] = float(sf.psi[i, i])
    for i, v in enumerate(sf.observed):
        total[v] = float(sf.implied_cov[i, i])
        if v not in resid:
            resid[v] = float(sf.theta[i, i])
    return total, resid, cov_inner


def _std_all(table: pd.DataFrame, total: dict[str, float],
             resid: dict[str, float]) -> np.ndarray:
    """lavaan's std.all: everything standardised by model-implied SDs; covariances
    divided by the square roots of the corresponding (residual) variances."""
    out = np.full(len(table), np.nan)
    for k, (lhs, op, rhs, est) in enumerate(
            table[["lhs", "op", "rhs", "est"]].itertuples(index=False, name=None)):
        with np.errstate(invalid="ignore", divide="ignore"):
            if op == "=~":
                out[k] = est * math.sqrt(total[lhs]) / math.sqrt(total[rhs]) \
                    if total[lhs] >= 0 and total[rhs] > 0 else np.nan
            elif op == "~":
                out[k] = est * math.sqrt(total[rhs]) / math.sqrt(total[lhs]) \
                    if total[rhs] >= 0 and total[lhs] > 0 else np.nan
            elif lhs == rhs:
                out[k] = est / total[lhs] if total[lhs] != 0 else np.nan
            else:
                prod = resid[lhs] * resid[rhs]
                out[k] = est / math.sqrt(prod) if prod > 0 else np.nan
    return out


def _order(table: pd.DataFrame, prep: PreparedModel) -> pd.DataFrame:
    """Rows in lavaan's order: loadings, regressions, user (co)variances, variances
    (observed, then latent), remaining covariances."""
    lat_pos = {v: i for i, v in enumerate(prep.latent)}
    obs_pos = {v: i for i, v in enumerate(prep.observed)}
    var_pos = {**{v: i for i, v in enumerate(prep.observed)},
               **{v: len(prep.observed) + i for i, v in enumerate(prep.latent)}}
    big = len(var_pos) + 1
    reg_pos = {pair: i for i, pair in enumerate(prep.regressions)}
    cov_pos: dict[frozenset[str], int] = {}
    for i, (a, b) in enumerate(prep.covariances):
        cov_pos.setdefault(frozenset((a, b)), i)
    keys: list[tuple[int, int, int]] = []
    lhs_new: list[str] = []
    rhs_new: list[str] = []
    for lhs, op, rhs in table[["lhs", "op", "rhs"]].itertuples(index=False, name=None):
        if op == "=~":
            key = (0, lat_pos.get(lhs, big), obs_pos.get(rhs, big))
        elif op == "~":
            key = (1, reg_pos.get((lhs, rhs), big), 0)
        elif frozenset((lhs, rhs)) in cov_pos:
            key = (2, cov_pos[frozenset((lhs, rhs))], 0)
        elif lhs == rhs:
            key = (3, var_pos.get(lhs, big), 0)
        else:
            if var_pos.get(rhs, big) < var_pos.get(lhs, big):
                lhs, rhs = rhs, lhs
            key = (4, var_pos.get(lhs, big), var_pos.get(rhs, big))
        keys.append(key)
        lhs_new.append(lhs)
        rhs_new.append(rhs)
    table = table.assign(lhs=lhs_new, rhs=rhs_new)
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    return table.iloc[order].reset_index(drop=True)


def _read_model(syntax: str | ModelSpec) -> tuple[PreparedModel, ModelInfo]:
    """The translated model and semopy's view of it (parameters, variables)."""
    prep = prepare_model(syntax)
    try:
        info = describe_model(prep.syntax)
    except ValueError as exc:
        raise InputError(f"semopy cannot read the model: {exc}",
                         hint="Check the model syntax (one lavaan formula per line).") from exc
    return prep, info


def _observed_order(prep: PreparedModel, info: ModelInfo) -> tuple[str, ...]:
    """Observed variables in order of appearance in the model, then any semopy adds."""
    known = set(info.observed)
    observed = tuple(v for v in prep.observed if v in known)
    listed = set(observed)
    return observed + tuple(v for v in info.observed if v not in listed)


def observed_variables(syntax: str | ModelSpec) -> tuple[str, ...]:
    """The model's observed variables in the order :func:`fit_cb` uses for its matrices.

    Raises
    ------
    InputError
        Syntax the engine cannot read.
    """
    prep, info = _read_model(syntax)
    return _observed_order(prep, info)


def _run_semopy(block: pd.DataFrame, prep: PreparedModel, ftol: float, maxiter: int,
                start: CbFit | None) -> SemopyFit:
    try:
        return fit_semopy(block, prep.syntax, set(prep.measurement), ftol=ftol,
                          maxiter=maxiter, start=_start_values(start))
    except ValueError as exc:
        raise InputError(f"semopy cannot read the model: {exc}",
                         hint="Check the model syntax (one lavaan formula per line).") from exc


def _r2_table(prep: PreparedModel, observed: list[str], total: dict[str, float],
              resid: dict[str, float]) -> pd.DataFrame:
    """R² = 1 - residual / total variance of every endogenous variable: indicators and
    observed outcomes, then latent outcomes."""
    endo_obs = [v for v in observed if any(v == ind for _, ind in prep.measurement)
                or any(v == y for y, _ in prep.regressions)]
    endo_lat = [v for v in prep.latent if any(v == y for y, _ in prep.regressions)]
    return pd.DataFrame(
        [{"variable": v, "latent": v in prep.latent,
          "r2": 1.0 - resid[v] / total[v] if total[v] > 0 and resid[v] >= 0
          else float("nan")}
         for v in endo_obs + endo_lat], columns=["variable", "latent", "r2"])


def _assemble(prep: PreparedModel, sf: SemopyFit, observed: tuple[str, ...], n: int,
              dependent: list[str], warn: list[str]) -> CbFit:
    """The parameter table, fit measures, R² and matrices in lavaan's order."""
    total, resid, cov_inner = _variance_tables(sf)
    table = sf.params.drop(columns=["matrix", "row", "col"])
    table = table.assign(std_all=_std_all(table, total, resid))
    table = _order(table, prep)[PARAM_COLUMNS]

    order = list(observed)
    pos = [sf.observed.index(v) for v in order]
    s = sf.sample_cov[np.ix_(pos, pos)]
    sigma = sf.implied_cov[np.ix_(pos, pos)]
    fixed_x = [order.index(v) for v in sf.fixed_x]
    fit = fit_indices.fit_measures(s, sigma, n, sf.npar, fixed_x=fixed_x)

    lat_order = [v for v in prep.latent if v in sf.inner]
    li = [sf.inner.index(v) for v in lat_order]
    latent_cov = pd.DataFrame(cov_inner[np.ix_(li, li)], index=lat_order, columns=lat_order)

    warn = warn + improper_solution(table, sf, cov_inner, prep.latent, dependent)
    freed = {f"No fixed loadings for {f}." for f in prep.freed}
    warn += [f"semopy: {m}" for m in sf.warnings if m not in freed]
    return CbFit(
        params=table, fit=fit, r2=_r2_table(prep, order, total, resid),
        implied_cov=pd.DataFrame(sigma, index=order, columns=order),
        latent_cov=latent_cov,
        sample_cov=pd.DataFrame(s, index=order, columns=order),
        converged=sf.converged, warnings=tuple(dict.fromkeys(warn)), n=n,
        observed=tuple(order), latent=tuple(lat_order), iterations=sf.iterations,
        notes=prep.notes,
    )


def fit_cb(data: pd.DataFrame, syntax: str | ModelSpec, *, ftol: float = 1e-12,
           maxiter: int = 10_000, strict: bool = True, start: CbFit | None = None) -> CbFit:
    """Fit a CFA or SEM by normal-theory maximum likelihood, as lavaan's defaults.

    Parameters
    ----------
    data : DataFrame
        Survey data; only the model's observed variables are used, and only the rows
        complete on all of them (lavaan's listwise deletion).
    syntax : str or ModelSpec
        lavaan model syntax.
    ftol : float
        Solver tolerance on the objective (SLSQP). The default brings estimates
        within ~1e-6 of lavaan; semopy's own default (1e-6) leaves drifts of ~1e-3.
    maxiter : int
        Solver iteration limit.
    strict : bool
        If True (default) non-convergence raises :class:`AnalysisError`; if False the
        fit is returned with ``converged=False`` and a warning (for bootstrap resamples,
        which the caller counts).
    start : CbFit, optional
        A previous fit of the same model whose free estimates serve as starting values
        (bootstrap resamples: ~35% fewer iterations on the sample survey; the optimum
        found is the same within ~1e-6). The model is still built afresh.

    Returns
    -------
    CbFit

    Raises
    ------
    InputError
        Unknown columns, non-numeric answers, syntax the engine cannot estimate.
    AnalysisError
        Too few complete cases for the number of parameters, an item without variance,
        an under-identified model, or (``strict``) no convergence.

    References
    ----------
    Jöreskog, K. G. (1969). Psychometrika, 34(2), 183-202 (ML CFA). Bollen, K. A.
    (1989). Structural Equations with Latent Variables. Wiley (standardised solution,
    R², identification). Rosseel, Y. (2012). Journal of Statistical Software, 48(2)
    (the lavaan defaults reproduced here). Fit indices: see
    :mod:`cxsurvey.stats.cb.fit_indices`.
    """
    prep, info = _read_model(syntax)
    observed = _observed_order(prep, info)
    block = _complete_cases(data, observed)
    n = int(block.shape[0])
    check_counts(int(data.shape[0]), n, len(observed), info.npar, len(info.fixed_x))
    warn, scale_hint = check_variances(block)
    sf = _run_semopy(block, prep, ftol, maxiter, start)
    dependent = dependent_variables(block)
    warn += check_solution(sf, dependent, strict, scale_hint)
    return _assemble(prep, sf, observed, n, dependent, warn)
