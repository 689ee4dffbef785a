"""Checks of a covariance-based fit: what stops it, and what the analyst must hear.

Before the fit: degrees of freedom (t-rule), cases per parameter, items without
variance, very different variances. After it: local identification (rank of the
expected information), linear dependence among items, convergence, Heywood cases and
non-positive-definite matrices. Errors are :class:`AnalysisError` with a hint; the
problems that do not stop the analysis are returned as warning texts.

References
----------
Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley (t-rule,
identification, improper solutions). Rothenberg, T. J. (1971). Identification in
parametric models. Econometrica, 39(3), 577-591. Kolenikov, S., & Bollen, K. A.
(2012). Testing negative error variances: Is a Heywood case a symptom of
misspecification? Sociological Methods & Research, 41(1), 124-167.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError
from cxsurvey.stats.cb import fit_indices

if TYPE_CHECKING:
    from cxsurvey.stats.cb.semopy_adapter import SemopyFit

__all__ = ["check_counts", "check_solution", "check_variances", "dependent_variables",
           "improper_solution", "undetermined_parameters"]

_IDENT_TOL = 1e-10
_IDENT_HINT = ("A construct with fewer than three items must be correlated with or "
               "predict other constructs; give it more items, or fix a parameter (a "
               "single-item construct: fix its loading to 1 and the item's residual "
               "variance, e.g. 'x ~~ 0*x').")


def check_counts(n_rows: int, n: int, p: int, npar: int, n_fixed_x: int = 0) -> None:
    """Refuse a model with more parameters than moments, or than complete cases.

    Parameters
    ----------
    n_rows, n : int
        Rows in the data, and rows complete on the model's observed variables.
    p : int
        Observed variables.
    npar : int
        Free parameters.
    n_fixed_x : int
        Exogenous observed covariates whose (co)variances are fixed (lavaan's fixed.x).

    Raises
    ------
    AnalysisError
        When df = moments - npar < 0, or n <= npar.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, p. 93
    (the t-rule).
    """
    ndat = fit_indices.n_moments(p, n_fixed_x)
    df = ndat - npar
    if df < 0:
        raise AnalysisError(
            f"the model is not identified: it has {npar} free parameters but the "
            f"{p} observed variables provide only {ndat} variances and covariances "
            f"(df = {df})",
            hint="Give each construct at least three items, remove paths or covariances, "
                 "or fix parameters (e.g. equal loadings with a shared label).")
    if n <= npar:
        dropped = n_rows - n
        why = f" ({dropped} of {n_rows} rows have a missing answer on the " \
              "model's variables)" if dropped else ""
        raise AnalysisError(
            f"too few complete cases: {n} rows for {npar} free parameters{why}",
            hint="ML estimation needs clearly more respondents than parameters (a common "
                 "rule is 5-10 per parameter): collect more responses, reduce missing "
                 "answers, or estimate a smaller model (fewer items or constructs).")


def check_variances(block: pd.DataFrame) -> tuple[list[str], str]:
    """Refuse items without variance; warn when variances differ by more than 1000x.

    Parameters
    ----------
    block : DataFrame
        Complete cases of the model's observed variables.

    Returns
    -------
    warnings : list of str
        The scale warning, if any.
    scale_hint : str
        A sentence for the hints of later errors ("" when the scales are comparable).

    Raises
    ------
    AnalysisError
        When a variable has the same value in every complete case.
    """
    sd = block.std(ddof=0)
    flat = [v for v in block.columns if not sd[v] > 0]
    if flat:
        raise AnalysisError(
            f"no variance in {', '.join(repr(v) for v in flat)}: every complete case gives "
            "the same answer", hint="Remove the item from the model (or from the data "
                                    "with [data] drop).")
    ratio = float(sd.max() / sd.min()) ** 2
    if ratio <= 1000.0:
        return [], ""
    warning = (f"the variances of the model's variables differ by a factor of {ratio:.3g} "
               "(more than 1000), which makes the estimation numerically fragile; rescale "
               "the variables with the largest variances.")
    return [warning], (f" The variables' variances differ by a factor of {ratio:.3g}: "
                       "rescale them to similar ranges first.")


def undetermined_parameters(information: np.ndarray,
                            free_names: Sequence[str]) -> list[str] | None:
    """Free parameters in a direction the data cannot determine (rank-deficient
    expected information), or None when the model is (locally) identified.

    Parameters
    ----------
    information : ndarray
        Expected information matrix of the free parameters.
    free_names : sequence of str
        Their names, in the order of ``information``.

    Returns
    -------
    list of str or None
        The parameters loading on the smallest eigenvector of the correlation form of
        the information (all of them when it is not finite).

    References
    ----------
    Rothenberg, T. J. (1971). Identification in parametric models. Econometrica, 39(3),
    577-591 (local identification iff the information matrix is nonsingular).
    """
    info = information
    if info.size == 0:
        return None
    if not np.all(np.isfinite(info)):
        return list(free_names)
    d = np.sqrt(np.clip(np.diag(info), 0.0, None))
    zero = d <= 1e-12 * max(float(d.max()), 1.0)
    if np.any(zero):
        return [n for n, z in zip(free_names, zero, strict=True) if z]
    r = info / np.outer(d, d)
    w, v = np.linalg.eigh(r)
    if w[0] > _IDENT_TOL * max(float(w[-1]), 1.0):
        return None
    vec = np.abs(v[:, 0])
    return [n for n, x in zip(free_names, vec, strict=True) if x > 0.1 * vec.max()]


def dependent_variables(block: pd.DataFrame) -> list[str]:
    """Variables in the near-null direction of the sample correlation matrix.

    Parameters
    ----------
    block : DataFrame
        Complete cases of the model's observed variables.

    Returns
    -------
    list of str
        Empty when the correlation matrix is positive definite (smallest eigenvalue
        above 1e-10).
    """
    r = np.corrcoef(block.to_numpy(dtype=float), rowvar=False)
    w, v = np.linalg.eigh(r)
    if w[0] > 1e-10:
        return []
    vec = np.abs(v[:, 0])
    return [c for c, x in zip(block.columns, vec, strict=True) if x > 0.1 * vec.max()]


def check_solution(sf: SemopyFit, dependent: list[str], strict: bool = True,
                   scale_hint: str = "") -> list[str]:
    """Refuse singular data, under-identified models and (``strict``) non-convergence.

    Parameters
    ----------
    sf : SemopyFit
        The fit.
    dependent : list of str
        :func:`dependent_variables` of the data.
    strict : bool
        Raise on non-convergence; otherwise return it as a warning.
    scale_hint : str
        Appended to the hints (see :func:`check_variances`).

    Returns
    -------
    list of str
        The non-convergence warning when ``strict`` is False.

    Raises
    ------
    AnalysisError
        Linearly dependent items behind a singular or failed fit; a singular
        information matrix at a converged solution; non-convergence when ``strict``.

    References
    ----------
    Rothenberg, T. J. (1971). Econometrica, 39(3), 577-591 (local identification).
    """
    involved = undetermined_parameters(sf.information, sf.free_names)
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
    if involved is not None and sf.converged:
        raise AnalysisError(
            f"the model is not identified: {undetermined} (the information matrix is "
            "singular)", hint=_IDENT_HINT + scale_hint)
    if sf.converged:
        return []
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
    return [text]


def _pd_problem(m: np.ndarray) -> bool:
    if m.size == 0:
        return False
    w = np.linalg.eigvalsh((m + m.T) / 2.0)
    return bool(w[0] <= 1e-12 * max(abs(float(w[-1])), 1e-300))


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) >= 0.001 or x == 0 else f"{x:.2e}"


def _heywood(params: pd.DataFrame, latent: Sequence[str]) -> list[str]:
    """Negative variance estimates, then standardised loadings beyond +/-1."""
    out: list[str] = []
    heywood_std: list[str] = []
    rows = zip(params["lhs"].tolist(), params["op"].tolist(), params["rhs"].tolist(),
               params["free"].tolist(), params["est"].tolist(), params["std_all"].tolist(),
               strict=True)
    for lhs, op, rhs, free, est, std in rows:
        if op == "~~" and lhs == rhs and free and est < 0:
            kind = "latent variable" if lhs in latent else "residual of"
            out.append(
                f"Heywood case: negative variance estimate for {kind} {lhs} "
                f"({lhs} ~~ {rhs} = {_fmt(est)}); the solution is improper. Check that "
                "construct's items (a near-duplicate item or one with very little "
                "variance), give the construct more items, or fix the variance.")
        elif op == "=~" and abs(std) > 1.0:
            heywood_std.append(
                f"Heywood case: standardized loading of {rhs} on {lhs} is {std:.3f} "
                "(|std.all| > 1); the solution is improper.")
    return out + heywood_std


def improper_solution(params: pd.DataFrame, sf: SemopyFit, cov_inner: np.ndarray,
                      latent: Sequence[str], dependent: list[str]) -> list[str]:
    """Heywood cases and non-positive-definite matrices, as warning texts.

    Parameters
    ----------
    params : DataFrame
        The parameter table with ``lhs, op, rhs, free, est, std_all``.
    sf : SemopyFit
        The fit (its theta matrix, inner variables and sample-matrix check).
    cov_inner : ndarray
        Model-implied covariance matrix of the inner variables (``sf.inner``).
    latent : sequence of str
        The latent variables.
    dependent : list of str
        :func:`dependent_variables` of the data.

    Returns
    -------
    list of str

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley (improper
    solutions). Kolenikov, S., & Bollen, K. A. (2012). Sociological
    Methods & Research, 41(1), 124-167 (Heywood cases).
    """
    out = _heywood(params, latent)
    if dependent or not sf.sample_cov_pd:
        out.append(
            "the sample covariance matrix of the model's variables is not positive "
            f"definite ({', '.join(dependent) or 'some items'} are linearly dependent: an "
            "item duplicates another or is a sum of others); estimates and fit indices "
            "are unreliable.")
    lat_idx = [i for i, v in enumerate(sf.inner) if v in set(latent)]
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
