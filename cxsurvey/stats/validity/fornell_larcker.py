"""Fornell-Larcker criterion: sqrt(AVE) against the latent correlations.

:func:`fornell_larcker` lays out the table (sqrt(AVE) on the diagonal, latent
correlations off it) in the long format of the JSON contract's
``validity.fornell_larcker`` section (``a``, ``b``, ``value``);
:func:`fornell_larcker_passed` applies the criterion per construct.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["fornell_larcker", "fornell_larcker_passed"]


def _fl_inputs(ave: Mapping[str, float], latent_corr: pd.DataFrame,
               ) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = [str(name) for name in ave]
    if not names:
        raise ValueError("ave must name at least one construct")
    if list(latent_corr.index) == names and list(latent_corr.columns) == names:
        corr = latent_corr.to_numpy(dtype=float)  # already in order: no label lookup
    else:
        absent = [n for n in names
                  if n not in latent_corr.index or n not in latent_corr.columns]
        if absent:
            raise ValueError(f"latent_corr has no row/column for {', '.join(absent)}")
        corr = latent_corr.loc[names, names].to_numpy(dtype=float)
    diag = np.diag(corr)
    if np.any(np.isfinite(diag) & (np.abs(diag - 1.0) > 1e-6)):
        raise ValueError("latent_corr must be a correlation matrix (unit diagonal); "
                         "standardise the latent covariance matrix first")
    values = np.array([float(ave[n]) for n in names])
    with np.errstate(invalid="ignore"):
        root = np.where(values >= 0, np.sqrt(np.abs(values)), np.nan)
    return names, root, corr


def fornell_larcker(ave: Mapping[str, float], latent_corr: pd.DataFrame) -> pd.DataFrame:
    """Fornell-Larcker table in long format.

    Layout: for each construct ``a`` in the order of ``ave``, first the diagonal row
    ``(a, a, sqrt(AVE_a))``, then one row ``(a, b, corr(a, b))`` for every construct ``b``
    that follows ``a`` -- the upper triangle of the usual square table, row by row. Each
    unordered pair appears once, ``a`` before ``b`` as in
    :func:`~cxsurvey.stats.validity.htmt.htmt`.

    Parameters
    ----------
    ave : mapping of str to float
        Average variance extracted per construct (from
        :func:`~cxsurvey.stats.validity.semtools.ave_semtools`,
        :func:`~cxsurvey.stats.validity.composite.cr_ave_table` or PLS); defines which
        constructs appear and their order.
    latent_corr : DataFrame
        Latent correlation matrix (CB-SEM model-implied ``std.all`` correlations, or PLS
        construct-score correlations) labelled by construct; may hold more constructs.

    Returns
    -------
    DataFrame
        Columns ``a``, ``b``, ``value``. A negative AVE gives a NaN diagonal value.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
    unobservable variables and measurement error. Journal of Marketing Research, 18(1),
    39-50.
    """
    names, root, corr = _fl_inputs(ave, latent_corr)
    rows: list[tuple[str, str, float]] = []
    for i, a in enumerate(names):
        rows.append((a, a, float(root[i])))
        rows.extend((a, names[j], float(corr[i, j])) for j in range(i + 1, len(names)))
    return pd.DataFrame(rows, columns=["a", "b", "value"])


def fornell_larcker_passed(ave: Mapping[str, float], latent_corr: pd.DataFrame) -> pd.Series:
    """Whether each construct meets the Fornell-Larcker criterion.

    A construct passes when sqrt(AVE) is strictly larger than the absolute value of its
    correlation with every other construct in ``ave``. A construct alone passes; a NaN
    AVE or correlation makes it fail (the criterion cannot be shown to hold).

    Parameters
    ----------
    ave : mapping of str to float
        AVE per construct (order and selection of the output).
    latent_corr : DataFrame
        Latent correlation matrix labelled by construct.

    Returns
    -------
    Series of bool
        Indexed by construct, named ``fornell_larcker``.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18(1), 39-50.
    """
    names, root, corr = _fl_inputs(ave, latent_corr)
    passed = []
    for i in range(len(names)):
        others = np.abs(np.delete(corr[i], i))
        ok = bool(np.isfinite(root[i]) and np.all(np.isfinite(others))
                  and np.all(root[i] > others))
        passed.append(ok)
    return pd.Series(passed, index=names, name="fornell_larcker", dtype=bool)
