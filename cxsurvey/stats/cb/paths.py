"""Covariance-based structural paths: the model fitted by ML, its paths, R², path-traced
indirect and total effects and the model's ``:=`` definitions, with delta-method
standard errors."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.cfa import residual_covariances
from cxsurvey.stats.cb.delta import (
    defined_effects,
    definitions_from_syntax,
    fit_vcov,
    row_reference,
)
from cxsurvey.stats.cb.estimator import fit_model
from cxsurvey.stats.cb.ml_fit import CbFit
from cxsurvey.stats.cb.syntax import structural_syntax
from cxsurvey.stats.effects import effects
from cxsurvey.stats.paths import PathsResult, adjusted_r2

__all__ = ["EFFECT_COLUMNS", "effects_table", "paths_table", "r2_table", "run_cb_paths"]

PATH_COLUMNS = ["from", "to", "est", "std_all", "se", "t", "pvalue", "ci_lower", "ci_upper",
                "method"]
EFFECT_COLUMNS = ["kind", "from", "to", "path", "label", "est", "std_all", "se", "z",
                  "pvalue", "ci_lower", "ci_upper", "se_method"]
_INFERENCE = ("se", "z", "pvalue", "ci_lower", "ci_upper")


def paths_table(fit: CbFit, latent: Collection[str] | None = None) -> pd.DataFrame:
    """Structural regressions as the JSON ``paths`` records (``method = "cb"``).

    Parameters
    ----------
    fit : CbFit
        A fit with ``~`` rows.
    latent : collection of str, optional
        Keep only paths from or to one of these variables.

    Returns
    -------
    DataFrame
        ``from, to, est, std_all, se, t, pvalue, ci_lower, ci_upper, method``; ``t`` is
        lavaan's z (Wald) and the CI its 95% Wald interval.
    """
    reg = fit.regressions
    if latent is not None:
        reg = reg[reg["lhs"].isin(latent) | reg["rhs"].isin(latent)]
    out = pd.DataFrame({
        "from": reg["rhs"].to_numpy(), "to": reg["lhs"].to_numpy(),
        "est": reg["est"].to_numpy(float), "std_all": reg["std_all"].to_numpy(float),
        "se": reg["se"].to_numpy(float), "t": reg["z"].to_numpy(float),
        "pvalue": reg["pvalue"].to_numpy(float), "ci_lower": reg["ci_lower"].to_numpy(float),
        "ci_upper": reg["ci_upper"].to_numpy(float)})
    out["method"] = "cb"
    return out


def r2_table(fit: CbFit, paths: pd.DataFrame) -> pd.DataFrame:
    """R² and adjusted R² of every outcome of ``paths``.

    Parameters
    ----------
    fit : CbFit
        The fit (its model-implied R², and n).
    paths : DataFrame
        :func:`paths_table`; the number of predictors k of an outcome is its count in
        ``to``.

    Returns
    -------
    DataFrame
        ``construct, r2, r2_adj`` with r2_adj = 1 - (1 - R²)(n - 1)/(n - k - 1) (NaN
        when n - k - 1 <= 0).

    References
    ----------
    Bollen, K. A. (1989). Structural equations with latent variables. Wiley (R² of a
    structural equation). Wherry, R. J. (1931). A new formula for predicting the
    shrinkage of the coefficient of multiple correlation. Annals of Mathematical
    Statistics, 2(4), 440-457 (adjusted R²).
    """
    outcomes = list(dict.fromkeys(paths["to"]))
    r2 = fit.r2.set_index("variable")["r2"] if len(fit.r2) else pd.Series(dtype=float)
    values = np.array([float(r2.get(y, np.nan)) for y in outcomes])
    k = np.array([int((paths["to"] == y).sum()) for y in outcomes])
    return pd.DataFrame({"construct": outcomes, "r2": values,
                         "r2_adj": adjusted_r2(values, fit.n, k)},
                        columns=["construct", "r2", "r2_adj"])


def _traced_expressions(paths: pd.DataFrame, traced: pd.DataFrame) -> list[str]:
    """Each path-traced effect as a definition over the regression rows: the product
    along an indirect chain, direct plus every indirect chain for a total."""
    direct = set(zip(paths["from"], paths["to"], strict=True))
    chain_of: dict[str, str] = {}
    exprs: list[str] = []
    for kind, frm, to, path in traced[["kind", "from", "to", "path"]].itertuples(
            index=False, name=None):
        if kind == "indirect":
            nodes = str(path).split(" -> ")
            expr = " * ".join(row_reference(b, "~", a)
                              for a, b in zip(nodes, nodes[1:], strict=False))
            chain_of[path] = expr
        else:
            terms = [e for p, e in chain_of.items()
                     if p.startswith(f"{frm} -> ") and p.endswith(f" -> {to}")]
            if (frm, to) in direct:
                terms.insert(0, row_reference(to, "~", frm))
            expr = " + ".join(terms)
        exprs.append(expr)
    return exprs


def effects_table(fit: CbFit, paths: pd.DataFrame,
                  definitions: list[tuple[str, str]] | None = None,
                  vcov: np.ndarray | None = None) -> pd.DataFrame:
    """Path-traced indirect and total effects and ``:=`` definitions, with delta-method
    standard errors, z, p-values and 95% Wald CIs.

    Parameters
    ----------
    fit : CbFit
        The fitted structural model.
    paths : DataFrame
        :func:`paths_table` of ``fit``.
    definitions : list of (name, expression), optional
        The model's ``:=`` lines (labels, earlier definitions and rows such as
        ``dem60 ~ ind60``).
    vcov : ndarray, optional
        Covariance matrix of the free parameters; default
        :func:`cxsurvey.stats.cb.delta.fit_vcov` (``fit.vcov``, else the ML one).

    Returns
    -------
    DataFrame
        :data:`EFFECT_COLUMNS`: ``kind`` is ``indirect``, ``total`` (path tracing:
        ``est`` the product of the chain's coefficients, or direct plus all indirect;
        ``std_all`` the same on the standardised paths) or ``defined`` (``from``/``to``
        null, ``path`` the expression, ``label`` its name, ``std_all`` the expression on
        standardised parameters); ``se = sqrt(g' V g)`` with ``g`` the gradient of the
        effect with respect to the free parameters, ``z = est / se``, two-sided normal
        p-value, ``est -/+ 1.96 se``; ``se_method = "delta"``.

    References
    ----------
    Sobel, M. E. (1982). Asymptotic confidence intervals for indirect effects in
    structural equation models. Sociological Methodology, 13, 290-312. Sobel, M. E.
    (1986). Some new results on indirect effects and their standard errors in covariance
    structure models. Sociological Methodology, 16, 159-186 (total effects). Bollen,
    K. A. (1987). Total, direct, and indirect effects in structural equation models.
    Sociological Methodology, 17, 37-69.
    """
    traced = effects(paths, "est")
    if len(traced):
        traced["std_all"] = effects(paths, "std_all")["est"].to_numpy()
    frames = []
    v = fit_vcov(fit) if vcov is None else vcov
    if len(traced):
        exprs = _traced_expressions(paths, traced)
        inf = defined_effects(fit, v, [(f".effect{i}", e) for i, e in enumerate(exprs)])
        for col in _INFERENCE:
            traced[col] = inf[col].to_numpy(float)
        traced["label"] = None
        frames.append(traced)
    if definitions:
        dfn = defined_effects(fit, v, definitions)
        frames.append(pd.DataFrame({
            "kind": "defined", "from": None, "to": None,
            "path": [e.strip() for _, e in definitions], "label": dfn["lhs"],
            "est": dfn["est"], "std_all": dfn["std_all"],
            **{col: dfn[col] for col in _INFERENCE}}))
    if not frames:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out["se_method"] = "delta"
    return out[EFFECT_COLUMNS].reset_index(drop=True)


def _effects_without_se(paths: pd.DataFrame) -> pd.DataFrame:
    """The path-traced effects with estimates only (when no covariance matrix of the
    parameters can be had, or a definition cannot be read)."""
    traced = effects(paths, "est")
    if not len(traced):
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    traced["std_all"] = effects(paths, "std_all")["est"].to_numpy()
    traced["label"] = None
    for col in _INFERENCE:
        traced[col] = np.nan
    traced["se_method"] = None
    return traced[EFFECT_COLUMNS]


def _traced_or_bare(fit: CbFit, paths: pd.DataFrame, warnings: list[str]) -> pd.DataFrame:
    """The traced effects with delta-method SEs, else with estimates only."""
    try:
        return effects_table(fit, paths)
    except (np.linalg.LinAlgError, ValueError) as exc:
        warnings.append(f"effects without standard errors: {exc}")
        return _effects_without_se(paths)


def _no_paths() -> PathsResult:
    return PathsResult(paths=pd.DataFrame(columns=PATH_COLUMNS),
                       r2=pd.DataFrame(columns=["construct", "r2", "r2_adj"]),
                       effects=pd.DataFrame(), method="cb",
                       warnings=("the model has no structural paths (Outcome ~ "
                                 "Predictor); nothing to test",))


def run_cb_paths(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
                 spec: ModelSpec, max_iter: int = 10_000, estimator: str = "ML",
                 missing: str = "listwise",
                 scales: Mapping[str, Sequence[float]] | None = None,
                 ordered: Sequence[str] | None = None
                 ) -> tuple[PathsResult, CbFit | None]:
    """Fit the structural model (ML) and report paths, R^2 and path-traced effects.

    Standard errors and 95% CIs of the paths are lavaan's defaults (expected information,
    Wald intervals). Indirect, total and defined (``:=``) effects get delta-method SEs
    from the same covariance matrix of the parameters (:func:`effects_table`); the
    bootstrap replaces them when it runs.

    Parameters
    ----------
    items : DataFrame
        Item scores (reverse keys applied); rows complete on the model's items are used.
    constructs : dict
        Construct -> items.
    spec : ModelSpec
        The user's model (regressions, covariances, definitions).
    max_iter : int
        Optimiser iteration limit (lavaan's ``iter.max``).
    estimator : {"ML", "MLM", "MLR", "WLSMV"}
        lavaan's ``estimator``: MLM/MLR give robust SEs, z, p and CIs and the scaled and
        robust fit measures (:func:`cxsurvey.stats.cb.estimator.with_estimator`); WLSMV
        fits the items as ordinal (:func:`cxsurvey.stats.cb.wlsmv.fit_wlsmv`), the
        effects' delta-method SEs then use its robust covariance matrix.
    missing : {"listwise", "pairwise", "fiml"}
        ``fiml``: full-information ML on every row with an answer (lavaan ``missing =
        "ml"``; :func:`cxsurvey.stats.cb.fiml.fit_fiml`). ``pairwise``: WLSMV only.
    scales, ordered : optional
        WLSMV: item -> declared scale points; the ordinal items (default: all).

    Returns
    -------
    (PathsResult, CbFit or None)
        The report and the fit (None when the model has no structural paths).

    References
    ----------
    Bollen, K. A. (1989). Structural equations with latent variables. Wiley.
    """
    if not spec.regressions:
        return _no_paths(), None
    fit = fit_model(items, structural_syntax(constructs, spec), estimator, missing, max_iter,
                    scales, ordered)
    paths = paths_table(fit)
    warnings = list(fit.warnings)
    definitions = definitions_from_syntax(spec)
    try:
        eff = effects_table(fit, paths, definitions)
    except (ValueError, np.linalg.LinAlgError) as exc:
        if definitions and isinstance(exc, ValueError):
            # a definition the fitted model cannot evaluate: the traced effects stand
            warnings.append(f"the model's := definitions are not reported: {exc}")
            eff = _traced_or_bare(fit, paths, warnings)
        else:
            eff = _effects_without_se(paths)
            warnings.append(f"effects without standard errors: {exc}")
    return PathsResult(paths=paths, r2=r2_table(fit, paths), effects=eff, method="cb",
                       fit=fit.fit.copy(), warnings=tuple(warnings),
                       estimator=estimator.upper(),
                       residual_covariances=residual_covariances(fit),
                       missing=missing), fit
