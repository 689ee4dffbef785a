"""Covariance-based CFA and SEM by maximum likelihood, reporting what lavaan reports.

:func:`fit_cb` fits a lavaan-syntax model to survey data with semopy (through
:mod:`cxsurvey.stats.cb.semopy_adapter`, the only module that imports it) and computes the
rest itself: fully standardised estimates (lavaan's ``std.all``), R², fit indices
(:mod:`cxsurvey.stats.cb.fit_indices`), and checks for the problems an analyst must
hear about (non-convergence, under-identification, too few cases, Heywood cases,
non-positive-definite matrices).

Defaults are lavaan's (``cfa()``/``sem()`` with ``estimator = "ML"``): listwise deletion
on the model's observed variables, covariance matrix with divisor N, first loading of
each factor fixed to 1, latent variances and exogenous latent covariances free,
residual covariances of non-indicator endogenous observed variables free, exogenous
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
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.model.spec import ModelSpec
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.cb import fit_indices

__all__ = ["CbFit", "PreparedModel", "fit_cb", "prepare_model"]

PARAM_COLUMNS = ["lhs", "op", "rhs", "label", "free", "est", "se", "z", "pvalue",
                 "ci_lower", "ci_upper", "std_all"]
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_IDENT_TOL = 1e-10


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
    """

    params: pd.DataFrame
    fit: dict[str, float]
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


@dataclass(frozen=True)
class PreparedModel:
    """A lavaan-syntax model translated for semopy, with lavaan's ordering of things.

    Attributes
    ----------
    syntax : str
        Text handed to semopy: one formula per line, the first loading of each factor
        written as ``1*item`` (lavaan's marker rule; semopy's own rule differs when a
        label or a later fixed loading is present), ``start()`` modifiers and free
        intercepts removed, ``NA*`` first loadings freed.
    latent : tuple of str
        Latent variables (``=~`` left-hand sides), in order of appearance.
    observed : tuple of str
        Observed variables, in order of appearance.
    measurement : frozenset of (latent, indicator)
        The ``=~`` pairs.
    regressions : tuple of (outcome, predictor)
        ``~`` paths in order.
    covariances : tuple of (a, b)
        User-specified ``~~`` pairs in order.
    notes : tuple of str
        What was dropped or changed, for the user.
    freed : tuple of str
        Factors whose first loading the user freed with ``NA*``.
    """

    syntax: str
    latent: tuple[str, ...]
    observed: tuple[str, ...]
    measurement: frozenset[tuple[str, str]]
    regressions: tuple[tuple[str, str], ...]
    covariances: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()
    freed: tuple[str, ...] = ()


def _raw_terms(text: str, op: str) -> list[str]:
    rhs = text.split(op, 1)[1] if op in text else ""
    return [t.strip() for t in rhs.split("+")]


def prepare_model(syntax: str | ModelSpec) -> PreparedModel:
    """Translate lavaan syntax into what semopy reads with lavaan's meaning.

    Raises
    ------
    InputError
        On syntax the parser rejects, composite (``<~``) blocks, constraint lines
        (``==``, ``<``, ``>``) and modifiers the covariance-based engine cannot honour
        (``equal()``, ``c()``, ``label()``).
    """
    spec = syntax if isinstance(syntax, ModelSpec) else parse_syntax(syntax)
    latent = tuple(c for c, m in spec.modes.items() if m == "A")
    composites = [c for c, m in spec.modes.items() if m == "B"]
    if composites:
        raise InputError(
            f"composite constructs ({', '.join(composites)} <~ ...) cannot be estimated by "
            "the covariance-based engine",
            hint="Use '--method pls' for formative (Mode B) constructs, or declare them "
                 "reflective with '=~'.")
    lat_set = set(latent)
    observed: dict[str, None] = {}
    measurement: set[tuple[str, str]] = set()
    regressions: list[tuple[str, str]] = []
    covariances: list[tuple[str, str]] = []
    notes: list[str] = []
    lines: list[str] = []
    first_done: set[str] = set()

    def note_var(name: str) -> None:
        if name not in lat_set and not _NUMBER.match(name):
            observed.setdefault(name, None)

    # lavaan's marker rule: the first loading of each factor is fixed to 1 unless it
    # carries a number or NA; a label on it stays, so every term sharing that label is 1.
    free_first: set[str] = set()
    one_labels: set[str] = set()
    for f in spec.formulas:
        if f.op == "=~" and f.lhs not in first_done and f.rhs:
            raw = _raw_terms(f.text, f.op)[0]
            if raw.split("*")[0].strip().upper() == "NA" and "*" in raw:
                free_first.add(f.lhs)
            elif f.rhs[0].fixed is None and f.rhs[0].label is not None:
                one_labels.add(f.rhs[0].label)
            first_done.add(f.lhs)
    first_done.clear()

    for f in spec.formulas:
        if f.op in ("==", "<", ">"):
            raise InputError(
                f"the constraint '{f.text}' (line {f.line}) is not supported by the "
                "covariance-based engine", hint="Use shared labels (a*x1 + a*x2) for "
                "equality constraints, or remove the line.")
        if f.op == ":=":
            notes.append(f"defined parameter '{f.text}' is not estimated here "
                         "(indirect and total effects are reported separately)")
            continue
        raws = _raw_terms(f.text, f.op)
        if len(raws) != len(f.rhs):
            raws = [t.name for t in f.rhs]
        if f.op != "=~":
            note_var(f.lhs)
        out: list[str] = []
        for i, (term, raw) in enumerate(zip(f.rhs, raws, strict=True)):
            mod = raw.split("*")[0].strip() if "*" in raw else ""
            if re.match(r"^(equal|c|label)\(", mod):
                raise InputError(
                    f"the modifier '{mod}' in '{f.text}' (line {f.line}) is not supported "
                    "by the covariance-based engine",
                    hint="Write a label before the term instead (a*item); the same label "
                         "on two terms makes them equal.")
            name = term.name
            if f.op == "~" and (name == "1" or _NUMBER.match(name)):
                notes.append(f"intercept in '{f.text}' ignored (means are not modelled; "
                             "they do not change the covariance fit)")
                continue
            note_var(name)
            if term.fixed is not None:
                text = f"{term.fixed!r}*{name}"
            elif term.label in one_labels:
                text = f"1.0*{name}"
            elif term.label is not None:
                text = f"{term.label}*{name}"
            else:
                text = name
            if f.op == "=~":
                measurement.add((f.lhs, name))
                first = f.lhs not in first_done and i == 0
                if f.lhs in free_first:
                    if term.fixed is None and term.label is None:
                        text = f"_cx_{f.lhs}_{name}*{name}"  # unique label: free
                elif first and term.fixed is None:
                    text = f"1.0*{name}"  # lavaan: first loading fixed to 1
            elif f.op == "~":
                regressions.append((f.lhs, name))
            elif f.op == "~~":
                covariances.append((f.lhs, name))
            out.append(text)
        if f.op == "=~":
            first_done.add(f.lhs)
        if out:
            lines.append(f"{f.lhs} {f.op} {' + '.join(out)}")
    if not measurement and not regressions:
        raise InputError("the model has no '=~' or '~' formulas to estimate",
                         hint="Add lines such as 'Attention =~ Att1 + Att2 + Att3'.")
    return PreparedModel(
        syntax="\n".join(lines) + "\n", latent=latent, observed=tuple(observed),
        measurement=frozenset(measurement), regressions=tuple(regressions),
        covariances=tuple(covariances), notes=tuple(dict.fromkeys(notes)),
        freed=tuple(sorted(free_first)))


def _start_values(fit: CbFit | None) -> dict[tuple[str, str, str], float] | None:
    if fit is None:
        return None
    p = fit.params[fit.params["free"]]
    return {(a, o, b): float(e) for a, o, b, e in
            zip(p["lhs"], p["op"], p["rhs"], p["est"], strict=True)}


def _complete_cases(data: pd.DataFrame, observed: tuple[str, ...]) -> pd.DataFrame:
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
    return block.dropna(axis=0, how="any")


def _variance_tables(sf: Any) -> tuple[dict[str, float], dict[str, float], np.ndarray]:
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


def _identification(sf: Any) -> list[str] | None:
    """Free parameters in a direction the data cannot determine (rank-deficient
    expected information), or None when the model is (locally) identified.

    References
    ----------
    Rothenberg, T. J. (1971). Identification in parametric models. Econometrica, 39(3),
    577-591 (local identification iff the information matrix is nonsingular).
    """
    info = sf.information
    if info.size == 0:
        return None
    if not np.all(np.isfinite(info)):
        return list(sf.free_names)
    d = np.sqrt(np.clip(np.diag(info), 0.0, None))
    zero = d <= 1e-12 * max(float(d.max()), 1.0)
    if np.any(zero):
        return [n for n, z in zip(sf.free_names, zero, strict=True) if z]
    r = info / np.outer(d, d)
    w, v = np.linalg.eigh(r)
    if w[0] > _IDENT_TOL * max(float(w[-1]), 1.0):
        return None
    vec = np.abs(v[:, 0])
    involved = [n for n, x in zip(sf.free_names, vec, strict=True) if x > 0.1 * vec.max()]
    return involved


def _dependent_variables(block: pd.DataFrame) -> list[str]:
    """Variables in the near-null direction of the sample correlation matrix."""
    r = np.corrcoef(block.to_numpy(dtype=float), rowvar=False)
    w, v = np.linalg.eigh(r)
    if w[0] > 1e-10:
        return []
    vec = np.abs(v[:, 0])
    return [c for c, x in zip(block.columns, vec, strict=True) if x > 0.1 * vec.max()]


def _pd_problem(m: np.ndarray) -> bool:
    if m.size == 0:
        return False
    w = np.linalg.eigvalsh((m + m.T) / 2.0)
    return bool(w[0] <= 1e-12 * max(abs(float(w[-1])), 1e-300))


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) >= 0.001 or x == 0 else f"{x:.2e}"


def _problems(params: pd.DataFrame, sf: Any, cov_inner: np.ndarray,
              prep: PreparedModel, dependent: list[str]) -> list[str]:
    """Heywood cases and non-positive-definite matrices, as warning texts."""
    out: list[str] = []
    rows = zip(params["lhs"].tolist(), params["op"].tolist(), params["rhs"].tolist(),
               params["free"].tolist(), params["est"].tolist(), params["std_all"].tolist(),
               strict=True)
    heywood_std: list[str] = []
    for lhs, op, rhs, free, est, std in rows:
        if op == "~~" and lhs == rhs and free and est < 0:
            kind = "latent variable" if lhs in prep.latent else "residual of"
            out.append(
                f"Heywood case: negative variance estimate for {kind} {lhs} "
                f"({lhs} ~~ {rhs} = {_fmt(est)}); the solution is improper. Check that "
                "construct's items (a near-duplicate item or one with very little "
                "variance), give the construct more items, or fix the variance.")
        elif op == "=~" and abs(std) > 1.0:
            heywood_std.append(
                f"Heywood case: standardized loading of {rhs} on {lhs} is {std:.3f} "
                "(|std.all| > 1); the solution is improper.")
    out += heywood_std
    if dependent or not sf.sample_cov_pd:
        out.append(
            "the sample covariance matrix of the model's variables is not positive "
            f"definite ({', '.join(dependent) or 'some items'} are linearly dependent: an "
            "item duplicates another or is a sum of others); estimates and fit indices "
            "are unreliable.")
    lat_idx = [i for i, v in enumerate(sf.inner) if v in set(prep.latent)]
    if lat_idx and _pd_problem(cov_inner[np.ix_(lat_idx, lat_idx)]):
        out.append(
            "the model-implied covariance matrix of the latent variables is not positive "
            "definite (a latent variance below zero or a latent correlation beyond "
            "+/-1); the solution is improper.")
    out_idx = [i for i, v in enumerate(sf.observed) if v not in set(sf.inner)]
    theta = sf.theta[np.ix_(out_idx, out_idx)]
    if out_idx and np.all(np.diag(theta) > 0) and _pd_problem(theta):
        out.append(
            "the covariance matrix of the residuals of the observed variables (theta) is "
            "not positive definite (a residual correlation beyond +/-1).")
    return out


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
    from cxsurvey.stats.cb import semopy_adapter as _semopy

    prep = prepare_model(syntax)
    try:
        info = _semopy.describe_model(prep.syntax)
    except ValueError as exc:
        raise InputError(f"semopy cannot read the model: {exc}",
                         hint="Check the model syntax (one lavaan formula per line).") from exc
    observed = tuple(v for v in prep.observed if v in set(info.observed))
    observed += tuple(v for v in info.observed if v not in set(observed))
    block = _complete_cases(data, observed)
    n = int(block.shape[0])
    p = len(observed)
    ndat = fit_indices.n_moments(p, len(info.fixed_x))
    df = ndat - info.npar
    if df < 0:
        raise AnalysisError(
            f"the model is not identified: it has {info.npar} free parameters but the "
            f"{p} observed variables provide only {ndat} variances and covariances "
            f"(df = {df})",
            hint="Give each construct at least three items, remove paths or covariances, "
                 "or fix parameters (e.g. equal loadings with a shared label).")
    if n <= info.npar:
        dropped = int(data.shape[0]) - n
        why = f" ({dropped} of {data.shape[0]} rows have a missing answer on the " \
              "model's variables)" if dropped else ""
        raise AnalysisError(
            f"too few complete cases: {n} rows for {info.npar} free parameters{why}",
            hint="ML estimation needs clearly more respondents than parameters (a common "
                 "rule is 5-10 per parameter): collect more responses, reduce missing "
                 "answers, or estimate a smaller model (fewer items or constructs).")
    sd = block.std(ddof=0)
    flat = [v for v in observed if not sd[v] > 0]
    if flat:
        raise AnalysisError(
            f"no variance in {', '.join(repr(v) for v in flat)}: every complete case gives "
            "the same answer", hint="Remove the item from the model (or from the data "
                                    "with [data] drop).")
    warn: list[str] = []
    ratio = float(sd.max() / sd.min()) ** 2
    scale_hint = ""
    if ratio > 1000.0:
        warn.append(
            f"the variances of the model's variables differ by a factor of {ratio:.3g} "
            "(more than 1000), which makes the estimation numerically fragile; rescale "
            "the variables with the largest variances.")
        scale_hint = (f" The variables' variances differ by a factor of {ratio:.3g}: "
                      "rescale them to similar ranges first.")
    try:
        sf = _semopy.fit_semopy(block, prep.syntax, set(prep.measurement),
                                ftol=ftol, maxiter=maxiter, start=_start_values(start))
    except ValueError as exc:
        raise InputError(f"semopy cannot read the model: {exc}",
                         hint="Check the model syntax (one lavaan formula per line).") from exc

    involved = _identification(sf)
    dependent = _dependent_variables(block)
    if dependent and (involved is not None or (strict and not sf.converged)):
        raise AnalysisError(
            "the sample covariance matrix of the model's variables is singular: "
            f"{', '.join(repr(v) for v in dependent)} are linearly dependent (an item "
            "duplicates another or is a sum of others)",
            hint="Remove the duplicate or derived item from the model.")
    undetermined = ""
    if involved is not None:
        names = ", ".join(f"'{x}'" for x in involved[:6])
        more = f" and {len(involved) - 6} more" if len(involved) > 6 else ""
        undetermined = f"the data cannot determine {names}{more}"
    ident_hint = ("A construct with fewer than three items must be correlated with or "
                  "predict other constructs; give it more items, or fix a parameter (a "
                  "single-item construct: fix its loading to 1 and the item's residual "
                  "variance, e.g. 'x ~~ 0*x').")
    if involved is not None and sf.converged:
        raise AnalysisError(
            f"the model is not identified: {undetermined} (the information matrix is "
            "singular)", hint=ident_hint + scale_hint)
    if not sf.converged:
        text = (f"the maximum-likelihood estimation did not converge ({sf.message.strip()}, "
                f"{sf.iterations} iterations, largest gradient {sf.max_gradient:.2g})")
        if undetermined:
            text += f"; {undetermined}: the model may not be identified on these data"
        if strict:
            raise AnalysisError(
                text, hint="Check for near-duplicate items or items with almost no "
                           "variance, constructs with fewer than three items, and paths "
                           "that contradict the data; simplify the model (drop weak "
                           "items) or collect more responses." + scale_hint)
        warn.append(text)

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

    endo_obs = [v for v in order if any(v == ind for _, ind in prep.measurement)
                or any(v == y for y, _ in prep.regressions)]
    endo_lat = [v for v in prep.latent if any(v == y for y, _ in prep.regressions)]
    r2 = pd.DataFrame(
        [{"variable": v, "latent": v in prep.latent,
          "r2": 1.0 - resid[v] / total[v] if total[v] > 0 and resid[v] >= 0
          else float("nan")}
         for v in endo_obs + endo_lat], columns=["variable", "latent", "r2"])

    lat_order = [v for v in prep.latent if v in sf.inner]
    li = [sf.inner.index(v) for v in lat_order]
    latent_cov = pd.DataFrame(cov_inner[np.ix_(li, li)], index=lat_order, columns=lat_order)

    warn += _problems(table, sf, cov_inner, prep, dependent)
    freed = {f"No fixed loadings for {f}." for f in prep.freed}
    warn += [f"semopy: {m}" for m in sf.warnings if m not in freed]
    return CbFit(
        params=table, fit=fit, r2=r2,
        implied_cov=pd.DataFrame(sigma, index=order, columns=order),
        latent_cov=latent_cov,
        sample_cov=pd.DataFrame(s, index=order, columns=order),
        converged=sf.converged, warnings=tuple(dict.fromkeys(warn)), n=n,
        observed=tuple(order), latent=tuple(lat_order), iterations=sf.iterations,
        notes=prep.notes,
    )
