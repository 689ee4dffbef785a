"""Modification indices (univariate score tests) of a fitted ML CFA/SEM, as lavaan's.

:func:`modification_indices` reproduces lavaan's ``modindices(fit)`` for a single-group
model without mean structure: every parameter lavaan's ``lav_partable_full`` proposes
that the model does not already estimate (cross-loadings, residual covariances of the
observed variables, latent (residual) covariances, regressions among the variables of
the structural equations, and the model's own fixed parameters set free) gets

- ``mi``: the score (Lagrange multiplier) statistic for freeing it alone,
  ``N g^2 / V`` with ``g`` the derivative of F_ML with respect to the candidate at the
  current estimate and ``V = I11 - I12 I22^-1 I21`` its expected information adjusted
  for the free parameters (Sörbom 1989; Saris, Satorra & Sörbom 1987);
- ``epc``: the expected parameter change, ``-g / V``;
- ``sepc_all``: the EPC standardised as lavaan's ``sepc.all`` (model-implied standard
  deviations for loadings and regressions; residual variances for covariances,
  lavaan's ``cov.std = TRUE``).

Candidates whose adjusted information is below ``eps^(1/3)`` (not identified when freed,
such as a marker loading or a covariance equivalent to an existing regression) get no
index and are left out, as lavaan's ``na.remove = TRUE``.

The candidates' derivatives come from an extended RAM model: the fitted parameter table
plus the candidates at 0 (and the fixed parameters at their values), all free, through
:func:`cxsurvey.stats.cb.moments.ram_model`.

References
----------
Sörbom, D. (1989). Model modification. Psychometrika, 54(3), 371-384. Saris, W. E.,
Satorra, A., & Sörbom, D. (1987). The detection and correction of specification errors
in structural equation models. Sociological Methodology, 17, 105-129. Rosseel, Y.
(2012). lavaan: An R package for structural equation modeling. Journal of Statistical
Software, 48(2), 1-36 (``modindices``, ``lav_partable_full``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from cxsurvey.stats.cb import moments
from cxsurvey.stats.cb.ml_fit import CbFit

__all__ = ["candidate_parameters", "extended_model", "modification_indices",
           "score_test_table", "try_modification_indices"]

MI_COLUMNS = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]

MAX_OBSERVED = 50
""":func:`try_modification_indices` skips models with more observed variables than this:
the candidates grow with p^2 and the information matrix with p^4 (memory and time)."""

# lavaan (>= 0.6-14): candidates with diag(V) below eps^(1/3) get no index
_V_TOL = float(np.finfo(float).eps) ** (1.0 / 3.0)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _lower_pairs(names: list[str]) -> list[tuple[str, str]]:
    """lavaan's lower triangle with diagonal, column by column: (names[j], names[i]),
    i >= j."""
    return [(names[j], names[i]) for j in range(len(names)) for i in range(j, len(names))]


def candidate_parameters(params: pd.DataFrame, observed: tuple[str, ...] | list[str],
                         latent: tuple[str, ...] | list[str]) -> list[tuple[str, str, str]]:
    """The parameters lavaan's ``lav_partable_full`` lists for one group, in its order.

    Parameters
    ----------
    params : DataFrame
        ``CbFit.params`` (``lhs, op, rhs``).
    observed, latent : sequence of str
        The model's observed and latent variables, in model order.

    Returns
    -------
    list of (lhs, op, rhs)
        ``lv =~ ov`` for every latent and every observed variable not in a structural
        equation; ``ov ~~ ov`` and ``lv ~~ lv`` (lower triangles with diagonals);
        ``y ~ x`` for every pair of distinct variables of the structural equations,
        except indicator ~ factor. Includes the parameters already in the model.

    References
    ----------
    Rosseel, Y. (2012). Journal of Statistical Software, 48(2) (``lav_partable_full``).
    """
    ops = params["op"].to_numpy()
    indicators = set(params.loc[ops == "=~", "rhs"])
    eqs = _unique([str(v) for v in params.loc[ops == "~", "lhs"]]
                  + [str(v) for v in params.loc[ops == "~", "rhs"]])
    ov = list(observed)
    lv = list(latent)
    out: list[tuple[str, str, str]] = [(f, "=~", v) for f in lv for v in ov if v not in eqs]
    out += [(a, "~~", b) for a, b in _lower_pairs(ov)]
    out += [(a, "~~", b) for a, b in _lower_pairs(lv)]
    out += [(y, "~", x) for y in eqs for x in eqs
            if y != x and not (y in indicators and x in lv)]
    return out


def extended_model(fit: CbFit) -> tuple[moments.RamModel, pd.DataFrame, np.ndarray]:
    """The fitted model extended by every candidate parameter (lavaan's
    ``lav_object_extended(fit, add = lav_partable_full(...), all.free = TRUE)``).

    Parameters
    ----------
    fit : CbFit

    Returns
    -------
    model : RamModel
        Every row free, in table order: the fit's free parameters (at their
        estimates, shared labels kept as one parameter), its fixed parameters (at
        their fixed values, each its own parameter), then the new candidates (at 0).
    table : DataFrame
        ``lhs, op, rhs, label, free, est, extra`` of the extended table (``extra``: a
        candidate row).
    is_extra : ndarray of bool, shape (q,)
        Which free parameters of ``model`` are candidates.
    """
    params = fit.params
    base = params[["lhs", "op", "rhs", "label", "free", "est"]].copy()
    base["free"] = base["free"].astype(bool)
    base["extra"] = ~base["free"]
    base.loc[base["extra"], "label"] = ""
    base["free"] = True
    present: set[tuple[str, str, str]] = set()
    for a, o, b in params[["lhs", "op", "rhs"]].itertuples(index=False, name=None):
        present.add((a, o, b))
        if o == "~~":
            present.add((b, o, a))
    new = [c for c in candidate_parameters(params, fit.observed, fit.latent)
           if c not in present]
    added = pd.DataFrame({"lhs": [c[0] for c in new], "op": [c[1] for c in new],
                          "rhs": [c[2] for c in new], "label": "", "free": True,
                          "est": 0.0, "extra": True})
    table = pd.concat([base, added], ignore_index=True) if new else base
    model = moments.ram_model(table, fit.observed)
    extra_rows = table["extra"].to_numpy(dtype=bool)
    is_extra = np.array([bool(extra_rows[rows[0]]) for rows in model.rows], dtype=bool)
    return model, table, is_extra


def _exogenous_fixed(fit: CbFit) -> bool:
    p = fit.params
    endogenous = set(p.loc[p["op"] == "=~", "rhs"]) | set(p.loc[p["op"] == "~", "lhs"])
    exo = [v for v in fit.observed if v not in endogenous]
    fixed = p[(~p["free"].astype(bool)) & (p["op"] == "~~") & p["lhs"].isin(exo)
              & p["rhs"].isin(exo)]
    return bool(len(fixed))


def _variances(model: moments.RamModel) -> tuple[dict[str, float], dict[str, float]]:
    """Model-implied total variances and (residual) variances of every variable."""
    a, s = model.matrices()
    b = np.linalg.inv(np.eye(a.shape[0]) - a)
    full = b @ s @ b.T
    total = {v: float(full[i, i]) for i, v in enumerate(model.variables)}
    resid = {v: float(s[i, i]) for i, v in enumerate(model.variables)}
    return total, resid


def _sepc_all(total: dict[str, float], resid: dict[str, float], lhs: str, op: str,
              rhs: str, epc: float, est: float) -> float:
    """lavaan's ``sepc.all`` of one candidate (``cov.std = TRUE``): loadings and
    regressions by model-implied SDs, covariances by the residual variances."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if op == "=~":
            return float(epc * np.sqrt(total[lhs]) / np.sqrt(total[rhs]))
        if op == "~":
            return float(epc * np.sqrt(total[rhs]) / np.sqrt(total[lhs]))
        if lhs == rhs:  # a fixed variance set free: its value standardised (cov.std)
            if abs(est) < math.sqrt(float(np.finfo(float).eps)):
                return 0.0
            sign = math.copysign(1.0, epc) if epc != 0 else 0.0
            return float(sign * abs(est) / total[lhs])
        return float(epc / np.sqrt(resid[lhs] * resid[rhs]))


def _expected_information(delta: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """``Delta' W Delta`` (:func:`cxsurvey.stats.cb.moments.expected_information`)
    without the p^2 x p^2 Kronecker product: ``0.5 tr(Sigma^-1 Sigma_k Sigma^-1
    Sigma_l) = 0.5 <L' Sigma_k L, L' Sigma_l L>`` with ``Sigma^-1 = L L'``, the inner
    product of symmetric matrices taken over their lower triangles (off-diagonal cells
    weighted by sqrt(2)).

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 134.
    Magnus & Neudecker (1999), ch. 3 (tr(A'B) = vec(A)' vec(B)).
    """
    p = sigma.shape[0]
    cols, rows = np.triu_indices(p)
    d = np.zeros((delta.shape[1], p, p))
    d[:, rows, cols] = delta.T
    d[:, cols, rows] = delta.T
    low = np.linalg.cholesky(np.linalg.inv(sigma))
    h = moments.vech(low.T @ d @ low) * np.where(rows == cols, 1.0, math.sqrt(2.0))
    return np.asarray(0.5 * h @ h.T)


def modification_indices(fit: CbFit, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """lavaan's ``modindices(fit)`` for an ML fit, largest index first.

    Parameters
    ----------
    fit : CbFit
        A converged :func:`cxsurvey.stats.cb.ml_fit.fit_cb` result (its ``params``,
        ``observed``, ``latent``, ``sample_cov`` and ``n`` are used).
    data : DataFrame, optional
        Not needed (the statistics use the sample covariance matrix kept in the fit);
        when given, its complete rows on ``fit.observed`` must number ``fit.n``.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, mi, epc, sepc_all``, one row per candidate with an index,
        sorted by ``mi`` decreasing (ties in lavaan's candidate order).

    Raises
    ------
    ValueError
        Data that do not match the fit, or a model with exogenous observed covariates
        (lavaan's fixed.x parameters are not handled).

    Notes
    -----
    With ``g`` the gradient of F_ML = 0.5 (log|Sigma| + tr(S Sigma^-1) - log|S| - p)
    over the extended parameters at the estimate (zero for the free ones), ``I`` the
    unit expected information ``Delta' W Delta`` of the extended model, and 1/2 the
    free/candidate partition: ``V = I11 - I12 I22^-1 I21``, ``mi = N g1^2 / diag(V)``,
    ``epc = -g1 / diag(V)``. Shared labels are kept as one parameter in ``I22``
    (lavaan's modindices ignores equality constraints; results for such models may
    differ).

    References
    ----------
    Sörbom, D. (1989). Model modification. Psychometrika, 54(3), 371-384. Saris, W. E.,
    Satorra, A., & Sörbom, D. (1987). Sociological Methodology, 17, 105-129. Rosseel,
    Y. (2012). Journal of Statistical Software, 48(2), 1-36 (``modindices``).
    """
    if data is not None:
        y = moments.complete_block(data, fit.observed)
        if y.shape[0] != fit.n:
            raise ValueError(f"the data have {y.shape[0]} complete rows, "
                             f"the fit used {fit.n}")
    if _exogenous_fixed(fit):
        raise ValueError("modification indices for models with fixed exogenous observed "
                         "covariates (fixed.x) are not implemented")
    model, table, is_extra = extended_model(fit)
    s = fit.sample_cov.loc[list(fit.observed), list(fit.observed)].to_numpy(dtype=float)
    sigma = moments.implied_cov(model)
    delta = moments.jacobian(model)
    info = _expected_information(delta, sigma)
    # gradient of F_ML from Delta: 0.5 tr(M dSigma_k) with M = Sigma^-1 - Sigma^-1 S Sigma^-1,
    # the off-diagonal cells of vech counted twice (as moments.ml_gradient, without
    # recomputing d Sigma / d theta)
    inv = np.linalg.inv(sigma)
    m = moments.vech(inv - inv @ s @ inv)
    p = len(fit.observed)
    cols, rows_ = np.triu_indices(p)
    grad = 0.5 * (m * np.where(rows_ == cols, 1.0, 2.0)) @ delta
    return score_test_table(model, table, is_extra, grad, info, fit.n)


def score_test_table(model: moments.RamModel, table: pd.DataFrame, is_extra: np.ndarray,
                     grad: np.ndarray, info: np.ndarray, n: int) -> pd.DataFrame:
    """Modification indices from the gradient and information of an extended model.

    Parameters
    ----------
    model, table, is_extra
        :func:`extended_model`'s RAM model, parameter table and candidate flags.
    grad : ndarray
        Unit gradient of the fit function (F_ML, or -loglik/N) over the extended
        parameters; entries past ``model.npar`` (e.g. intercepts) are free parameters
        of the model too.
    info : ndarray
        Unit expected information of the same parameters.
    n : int
        Sample size.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, mi, epc, sepc_all``, largest ``mi`` first.

    References
    ----------
    Saris, W. E., Satorra, A., & Sörbom, D. (1987). Sociological Methodology, 17,
    105-129. Sörbom, D. (1989). Psychometrika, 54(3), 371-384.
    """
    flags = np.zeros(grad.size, dtype=bool)
    flags[:is_extra.size] = is_extra
    ext = np.flatnonzero(flags)
    own = np.flatnonzero(~flags)
    if ext.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("lhs", "op", "rhs")
                                          else float) for c in MI_COLUMNS})
    i11 = info[np.ix_(ext, ext)]
    i12 = info[np.ix_(ext, own)]
    i22_inv = np.linalg.inv(info[np.ix_(own, own)]) if own.size else np.zeros((0, 0))
    v = np.diag(i11 - i12 @ i22_inv @ i12.T).copy()
    v[v < _V_TOL] = np.nan
    g = grad[ext]
    mi = n * g * g / v
    d = -n * g
    d[np.abs(d) < 1e-15] = 1.0
    epc = mi / d
    total, resid = _variances(model)
    lhs_of, op_of, rhs_of = (table[c].astype(str).tolist() for c in ("lhs", "op", "rhs"))
    est_of = table["est"].to_numpy(dtype=float)
    rows = []
    for j, k in enumerate(ext):
        if not np.isfinite(mi[j]):
            continue
        r = model.rows[k][0]
        lhs, op, rhs, est = lhs_of[r], op_of[r], rhs_of[r], float(est_of[r])
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "mi": float(mi[j]),
                     "epc": float(epc[j]),
                     "sepc_all": _sepc_all(total, resid, lhs, op, rhs, float(epc[j]),
                                           est)})
    out = pd.DataFrame(rows, columns=MI_COLUMNS)
    return out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)


def try_modification_indices(
        fit: CbFit, compute: Callable[[CbFit], pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame | None, str | None]:
    """:func:`modification_indices` of ``fit``, or None and the reason they could not be
    computed (a model they do not cover, a singular information matrix), so that a run
    reports a warning rather than stopping.

    Parameters
    ----------
    fit : CbFit
    compute : callable, optional
        What computes them (default :func:`modification_indices`; for a FIML fit,
        :func:`cxsurvey.stats.cb.fiml.fiml_modification_indices` with its data bound).

    Returns
    -------
    (DataFrame or None, str or None)
        The indices and None, or None and a sentence for the run's warnings.

    References
    ----------
    Sörbom, D. (1989). Model modification. Psychometrika, 54(3), 371-384.
    """
    if len(fit.observed) > MAX_OBSERVED:
        return None, (f"modification indices not computed: the model has "
                      f"{len(fit.observed)} observed variables (at most {MAX_OBSERVED}: "
                      "their number and cost grow with the square of it)")
    try:
        with np.errstate(all="ignore"):
            return (compute or modification_indices)(fit), None
    except (ValueError, ArithmeticError, LookupError, np.linalg.LinAlgError) as exc:
        return None, f"modification indices not computed: {exc}"
