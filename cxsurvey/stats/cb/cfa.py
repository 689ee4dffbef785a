"""Measurement model (CFA) and covariance-based structural paths, from a survey model.

Builds the lavaan syntax from the constructs (honouring dropped items), fits it with
:func:`cxsurvey.stats.cb.ml_fit.fit_cb`, and assembles the tables a paper reports:
loadings, factor correlations, CR/AVE, HTMT, Fornell-Larcker, paths, R^2 and effects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.effects import effects
from cxsurvey.stats.paths import PathsResult
from cxsurvey.stats.validity.composite import cr_ave
from cxsurvey.stats.validity.discriminant import ave_semtools, comp_rel_sem, fornell_larcker, htmt

__all__ = ["measurement_syntax", "structural_syntax", "run_cfa", "run_cb_paths",
           "paths_table"]


def _item_covariances(spec: ModelSpec | None, items: set[str]) -> list[str]:
    """The model's ``~~`` lines between indicators (correlated residuals), kept in a CFA."""
    out = []
    for f in spec.formulas if spec is not None else ():
        if f.op == "~~" and f.lhs in items:
            rhs = [t.name for t in f.rhs if t.name in items and t.name != f.lhs]
            if rhs:
                out.append(f"{f.lhs} ~~ {' + '.join(rhs)}")
    return out


def measurement_syntax(constructs: dict[str, tuple[str, ...]],
                       spec: ModelSpec | None = None) -> str:
    """CFA syntax: one ``=~`` line per construct (factors correlate, lavaan's default),
    plus the model's correlated residuals among the remaining items."""
    items = {i for its in constructs.values() for i in its}
    lines = [f"{c} =~ {' + '.join(its)}" for c, its in constructs.items()]
    return "\n".join(lines + _item_covariances(spec, items)) + "\n"


def structural_syntax(constructs: dict[str, tuple[str, ...]], spec: ModelSpec) -> str:
    """The full model with the current item lists (so ``--drop-weak`` carries over)."""
    items = {i for its in constructs.values() for i in its}
    lines = [f"{c} =~ {' + '.join(its)}" for c, its in constructs.items()]
    for f in spec.formulas:
        if f.op == "~":
            rhs = [t for t in f.rhs if t.name != "1"]
            if rhs:
                terms = [(f"{t.label}*" if t.label else "") + t.name for t in rhs]
                lines.append(f"{f.lhs} ~ {' + '.join(terms)}")
        elif f.op == "~~":
            keep = [t.name for t in f.rhs if t.name in items or t.name in constructs]
            if (f.lhs in items or f.lhs in constructs) and keep:
                lines.append(f"{f.lhs} ~~ {' + '.join(keep)}")
        elif f.op == ":=":
            lines.append(f.text)
    return "\n".join(lines) + "\n"


def _loadings(fit: CbFit) -> pd.DataFrame:
    ld = fit.loadings.rename(columns={"lhs": "construct", "rhs": "item"})
    cols = ["construct", "item", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
    return ld[cols].reset_index(drop=True)


def _cfa_reliability(fit: CbFit, constructs: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    ld = _loadings(fit)
    lam = ld.pivot(index="item", columns="construct", values="est").fillna(0.0)
    lam = lam.reindex(index=list(fit.observed), columns=list(constructs), fill_value=0.0)
    omega = comp_rel_sem(lam, fit.latent_cov.loc[list(constructs), list(constructs)],
                         observed_cov=fit.sample_cov.loc[list(fit.observed),
                                                         list(fit.observed)])
    ave_st = ave_semtools(lam, fit.latent_cov.loc[list(constructs), list(constructs)],
                          observed_cov=fit.sample_cov.loc[list(fit.observed),
                                                          list(fit.observed)])
    rows = []
    for c, its in constructs.items():
        std = ld.loc[ld["construct"] == c, "std_all"].to_numpy(dtype=float)
        ok = std.size and np.all(np.isfinite(std)) and np.all(np.abs(std) <= 1)
        rho_c, ave = cr_ave(std) if ok else (np.nan, np.nan)
        rows.append({"construct": c, "n_items": len(its), "rho_c": rho_c, "ave": ave,
                     "omega": float(omega.get(c, np.nan)),
                     "ave_semtools": float(ave_st.get(c, np.nan))})
    return pd.DataFrame(rows)


def _factor_correlations(fit: CbFit, constructs: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    p = fit.params
    names = set(constructs)
    rows = p[(p["op"] == "~~") & (p["lhs"] != p["rhs"]) & p["lhs"].isin(names)
             & p["rhs"].isin(names)]
    out = rows.rename(columns={"lhs": "a", "rhs": "b"})
    cols = ["a", "b", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
    return out[cols].reset_index(drop=True)


def _residual_variances(fit: CbFit) -> pd.DataFrame:
    p = fit.params
    rows = p[(p["op"] == "~~") & (p["lhs"] == p["rhs"]) & p["lhs"].isin(set(fit.observed))]
    out = rows.rename(columns={"lhs": "item"})
    return out[["item", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)


def run_cfa(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
            spec: ModelSpec | None = None, loading_threshold: float = 0.4,
            drop_weak: bool = False, n_boot: int = 0, seed: int | None = None,
            max_iter: int = 10_000) -> CfaResult:
    """Confirmatory factor analysis of the measurement model.

    Parameters
    ----------
    items : DataFrame
        Item scores (reverse keys applied); rows complete on the items are used.
    constructs : dict
        Construct -> items.
    spec : ModelSpec, optional
        The user's model, for correlated residuals among items.
    loading_threshold : float
        Items whose |standardised loading| is below it are listed as weak (Hulland 1999:
        0.4, the reference study's rule).
    drop_weak : bool
        Refit without the weak items (one pass) and report which were dropped.
    n_boot, seed : int
        With ``n_boot > 0``, bootstrap SEs and percentile CIs for loadings and factor
        covariances (:func:`cxsurvey.stats.cb.bootstrap.bootstrap_cfa`).
    max_iter : int
        Optimiser iteration limit (lavaan's ``iter.max``).

    Returns
    -------
    CfaResult

    References
    ----------
    Joreskog, K. G. (1969). Psychometrika, 34(2), 183-202 (ML CFA). Hulland, J. (1999).
    Strategic Management Journal, 20(2), 195-204 (loading threshold).
    """
    fit = fit_cb(items, measurement_syntax(constructs, spec), maxiter=max_iter)
    dropped: tuple[str, ...] = ()
    weak = _weak(fit, loading_threshold)
    warnings = list(fit.warnings)
    if drop_weak and weak:
        kept = {c: tuple(i for i in its if i not in weak) for c, its in constructs.items()}
        too_few = [c for c, its in kept.items() if len(its) < 2]
        if too_few:
            warnings.append("not dropped (a construct would keep fewer than 2 items): "
                            + ", ".join(i for i in weak
                                        if any(i in constructs[c] for c in too_few)))
            kept = {c: (its if c not in too_few else constructs[c]) for c, its in kept.items()}
        dropped = tuple(i for i in weak if all(i not in its for its in kept.values()))
        if dropped:
            constructs = kept
            fit = fit_cb(items, measurement_syntax(constructs, spec), maxiter=max_iter)
            warnings = list(fit.warnings) + warnings[len(fit.warnings):]
            weak = _weak(fit, loading_threshold)
    lat_cor = fit.latent_cor.loc[list(constructs), list(constructs)]
    rel = _cfa_reliability(fit, constructs)
    ave = dict(zip(rel["construct"], rel["ave"], strict=True))
    result = CfaResult(
        fit=dict(fit.fit), loadings=_loadings(fit),
        factor_correlations=_factor_correlations(fit, constructs),
        residual_variances=_residual_variances(fit), reliability=rel,
        htmt=htmt(items, constructs), fornell_larcker=fornell_larcker(ave, lat_cor),
        loading_threshold=loading_threshold, weak_items=tuple(weak), dropped=dropped,
        syntax=measurement_syntax(constructs, spec), warnings=tuple(warnings))
    if n_boot > 0:
        from cxsurvey.stats.cb.bootstrap import bootstrap_cfa

        result = bootstrap_cfa(items, result, n_boot, seed, start=fit)
    return result


def _weak(fit: CbFit, threshold: float) -> list[str]:
    ld = fit.loadings
    return [str(r.rhs) for r in ld.itertuples()
            if np.isfinite(r.std_all) and abs(r.std_all) < threshold]


def paths_table(fit: CbFit, latent: set[str] | None = None) -> pd.DataFrame:
    """Structural regressions as the contract's ``paths`` records (``method = "cb"``)."""
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


def _r2(fit: CbFit, paths: pd.DataFrame) -> pd.DataFrame:
    outcomes = list(dict.fromkeys(paths["to"]))
    r2 = fit.r2.set_index("variable")["r2"] if len(fit.r2) else pd.Series(dtype=float)
    rows = []
    for y in outcomes:
        k = int((paths["to"] == y).sum())
        value = float(r2.get(y, np.nan))
        n = fit.n
        adj = 1 - (1 - value) * (n - 1) / (n - k - 1) if n - k - 1 > 0 else np.nan
        rows.append({"construct": y, "r2": value, "r2_adj": adj})
    return pd.DataFrame(rows, columns=["construct", "r2", "r2_adj"])


def run_cb_paths(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
                 spec: ModelSpec, max_iter: int = 10_000
                 ) -> tuple[PathsResult, CbFit | None]:
    """Fit the structural model (ML) and report paths, R^2 and path-traced effects.

    Standard errors and 95% CIs of the paths are lavaan's defaults (expected information,
    Wald intervals). Effects carry estimates only; their CIs come from the bootstrap.
    Returns the report and the fit (None when the model has no structural paths).

    References
    ----------
    Bollen, K. A. (1989). Structural equations with latent variables. Wiley.
    """
    if not spec.regressions:
        return PathsResult(paths=pd.DataFrame(columns=["from", "to", "est", "std_all", "se",
                                                       "t", "pvalue", "ci_lower", "ci_upper",
                                                       "method"]),
                           r2=pd.DataFrame(columns=["construct", "r2", "r2_adj"]),
                           effects=pd.DataFrame(), method="cb",
                           warnings=("the model has no structural paths (Outcome ~ "
                                     "Predictor); nothing to test",)), None
    fit = fit_cb(items, structural_syntax(constructs, spec), maxiter=max_iter)
    paths = paths_table(fit)
    eff = effects(paths, "est")
    if len(eff):
        std = effects(paths, "std_all")
        eff["std_all"] = std["est"].to_numpy()
        for col in ("se", "pvalue", "ci_lower", "ci_upper"):
            eff[col] = np.nan
    return PathsResult(paths=paths, r2=_r2(fit, paths), effects=eff, method="cb",
                       fit=dict(fit.fit), warnings=tuple(fit.warnings)), fit
