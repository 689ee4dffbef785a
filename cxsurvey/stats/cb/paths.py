"""Covariance-based structural paths: the model fitted by ML, its paths, R² and
path-traced indirect and total effects."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from cxsurvey.model.spec import ModelSpec
from cxsurvey.stats.cb.estimator import with_estimator
from cxsurvey.stats.cb.ml_fit import CbFit, fit_cb
from cxsurvey.stats.cb.syntax import structural_syntax
from cxsurvey.stats.effects import effects
from cxsurvey.stats.paths import PathsResult, adjusted_r2

__all__ = ["paths_table", "r2_table", "run_cb_paths"]

PATH_COLUMNS = ["from", "to", "est", "std_all", "se", "t", "pvalue", "ci_lower", "ci_upper",
                "method"]


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


def _no_paths() -> PathsResult:
    return PathsResult(paths=pd.DataFrame(columns=PATH_COLUMNS),
                       r2=pd.DataFrame(columns=["construct", "r2", "r2_adj"]),
                       effects=pd.DataFrame(), method="cb",
                       warnings=("the model has no structural paths (Outcome ~ "
                                 "Predictor); nothing to test",))


def run_cb_paths(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
                 spec: ModelSpec, max_iter: int = 10_000, estimator: str = "ML"
                 ) -> tuple[PathsResult, CbFit | None]:
    """Fit the structural model (ML) and report paths, R^2 and path-traced effects.

    Standard errors and 95% CIs of the paths are lavaan's defaults (expected information,
    Wald intervals). Effects carry estimates only; their CIs come from the bootstrap.

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
    estimator : {"ML", "MLM", "MLR"}
        lavaan's ``estimator``: MLM/MLR give robust SEs, z, p and CIs and the scaled and
        robust fit measures (:func:`cxsurvey.stats.cb.estimator.with_estimator`).

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
    fit = fit_cb(items, structural_syntax(constructs, spec), maxiter=max_iter)
    fit = with_estimator(fit, items, estimator)
    paths = paths_table(fit)
    eff = effects(paths, "est")
    if len(eff):
        std = effects(paths, "std_all")
        eff["std_all"] = std["est"].to_numpy()
        for col in ("se", "pvalue", "ci_lower", "ci_upper"):
            eff[col] = np.nan
    return PathsResult(paths=paths, r2=r2_table(fit, paths), effects=eff, method="cb",
                       fit=fit.fit.copy(), warnings=tuple(fit.warnings),
                       estimator=estimator.upper()), fit
