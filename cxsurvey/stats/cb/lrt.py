"""Chi-square difference tests between nested multi-group fits (lavaan's ``lavTestLRT``).

:func:`lrt_table` orders the fits by their degrees of freedom and compares each with the
next less restricted one: the plain likelihood-ratio difference for ML; for MLM and MLR
the Satorra-Bentler (2001) scaled difference, lavaan's default for those estimators,

.. math:: \\bar c_d = \\frac{r_0 c_0 - r_1 c_1}{r_0 - r_1}, \\qquad
          \\bar T_d = \\frac{T_0 - T_1}{\\bar c_d}

(T the unscaled statistics, r their df, c the scaling factors; subscript 0 the more
restricted model); for WLSMV lavaan's default, Satorra's (2000) scaled-shifted difference
(:func:`cxsurvey.stats.cb.multigroup_wlsmv.satorra_2000`, method ``"satorra.2000"``).
Each row also carries the fit's AIC, BIC and unscaled statistic, and
for ML the RMSEA of the difference, ``sqrt(G) sqrt(max(0, (dT / N - ddf / N) / ddf))``.

References
----------
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for
moment structure analysis. Psychometrika, 66(4), 507-514. Steiger, J. H., Shapiro, A., &
Browne, M. W. (1985). On the multivariate asymptotic distribution of sequential
chi-square statistics. Psychometrika, 50(3), 253-263. Savalei, V., Brace, J. C., &
Fouladi, R. T. (2023). We need to change how we compute RMSEA for nested model
comparisons in structural equation modeling. Psychological Methods (RMSEA_D).
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample analysis of
moment structures. In Innovations in Multivariate Statistical Analysis (pp. 233-247).
Kluwer. Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36 (``lavTestLRT``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.stats.cb import fit_indices
from cxsurvey.stats.cb.multigroup import MultiGroupFit
from cxsurvey.stats.cb.multigroup_wlsmv import MultiGroupWlsmvFit, satorra_2000

__all__ = ["LRT_COLUMNS", "lrt_table", "scaled_difference"]

LRT_COLUMNS = ["model", "df", "aic", "bic", "chisq", "chisq_diff", "df_diff", "pvalue",
               "rmsea_diff", "scaling_factor_diff", "method"]


def scaled_difference(t1: float, r1: int, c1: float, t0: float, r0: int,
                      c0: float) -> tuple[float, int, float]:
    """Satorra-Bentler (2001) scaled difference of a restricted model (0) against a less
    restricted one (1): ``(T_d, df_d, c_d)``; ``c1`` is taken as 1 when ``r1`` is 0
    (a saturated model) and ``c_d`` is NaN when negative (lavaan warns).

    References
    ----------
    Satorra, A., & Bentler, P. M. (2001). Psychometrika, 66(4), 507-514.
    """
    if r1 == 0:
        c1 = 1.0
    m = r0 - r1
    if m == 0:
        return t0 - t1, 0, math.nan
    cd = (r0 * c0 - r1 * c1) / m
    if not cd > 0:
        return math.nan, m, math.nan
    return (t0 - t1) / cd, m, cd


def lrt_table(fits: Sequence[MultiGroupFit], names: Sequence[str] | None = None
              ) -> pd.DataFrame:
    """Chi-square difference tests of nested multi-group fits, lavaan's ``lavTestLRT``.

    Parameters
    ----------
    fits : sequence of MultiGroupFit
        Nested fits of one estimator on the same data (at least two); WLSMV fits are
        :class:`cxsurvey.stats.cb.multigroup_wlsmv.MultiGroupWlsmvFit`.
    names : sequence of str, optional
        Model names (default ``model1``, ``model2``, ...).

    Returns
    -------
    DataFrame
        One row per fit, ordered by df: ``model, df, aic, bic, chisq`` (unscaled),
        ``chisq_diff, df_diff, pvalue`` (against the previous row; the first row NaN),
        ``rmsea_diff`` (ML only), ``scaling_factor_diff`` (MLM/MLR), ``method``
        (``"standard"``, ``"satorra.bentler.2001"`` or, for WLSMV, ``"satorra.2000"``:
        ``chisq_diff`` is then the scaled-shifted difference; ``aic, bic`` NaN).

    Raises
    ------
    InputError
        Fewer than two fits, different estimators, groups or observed variables.

    References
    ----------
    Satorra, A., & Bentler, P. M. (2001). Psychometrika, 66(4), 507-514. Satorra, A.
    (2000). In Innovations in Multivariate Statistical Analysis (pp. 233-247). Kluwer.
    Rosseel, Y. (2012). Journal of Statistical Software, 48(2) (``lavTestLRT``).
    """
    from scipy import stats

    if len(fits) < 2:
        raise InputError("a difference test needs at least two fits",
                         hint="Pass the nested models from least to most restricted.")
    labels = list(names) if names is not None else [f"model{i + 1}" for i in range(len(fits))]
    if len(labels) != len(fits):
        raise InputError("one name per fit is needed", hint="Pass as many names as fits.")
    first = fits[0]
    for f in fits[1:]:
        if f.estimator != first.estimator or f.groups != first.groups \
                or sorted(f.observed) != sorted(first.observed) or f.nobs != first.nobs:
            raise InputError("the fits to compare differ in estimator, groups, cases or "
                             "variables", hint="Fit every model to the same data.")
    order = sorted(range(len(fits)), key=lambda i: fits[i].fit["df"])
    scaled = first.estimator != "ML"
    wlsmv = first.estimator == "WLSMV"
    method = "satorra.2000" if wlsmv else "satorra.bentler.2001" if scaled else "standard"
    groups = len(first.groups)
    n = first.ntotal
    rows: list[dict[str, object]] = []
    prev: MultiGroupFit | None = None
    for i in order:
        cur: dict[str, float] = fits[i].fit
        row = {"model": labels[i], "df": int(cur["df"]), "aic": cur["aic"], "bic": cur["bic"],
               "chisq": cur["chisq"], "chisq_diff": math.nan, "df_diff": math.nan,
               "pvalue": math.nan, "rmsea_diff": math.nan,
               "scaling_factor_diff": math.nan,
               "method": method}
        if prev is not None:
            pf = prev.fit
            if wlsmv:
                this = fits[i]
                if not (isinstance(prev, MultiGroupWlsmvFit)
                        and isinstance(this, MultiGroupWlsmvFit)):
                    raise InputError("WLSMV difference tests need WLSMV multi-group fits",
                                     hint="Fit the models with fit_multigroup_wlsmv.")
                diff = satorra_2000(prev, this)
                td, m = diff["stat"], int(diff["df"])
            elif scaled:
                td, m, cd = scaled_difference(pf["chisq"], int(pf["df"]),
                                              pf["chisq_scaling_factor"], cur["chisq"],
                                              int(cur["df"]), cur["chisq_scaling_factor"])
                row["scaling_factor_diff"] = cd
            else:
                td, m = cur["chisq"] - pf["chisq"], int(cur["df"] - pf["df"])
                row["rmsea_diff"] = fit_indices.rmsea(td, m, n) * math.sqrt(groups) \
                    if m > 0 else math.nan
            row["chisq_diff"], row["df_diff"] = td, m
            row["pvalue"] = float(stats.chi2.sf(td, m)) if m > 0 and math.isfinite(td) \
                else math.nan
        rows.append(row)
        prev = fits[i]
    return pd.DataFrame(rows, columns=LRT_COLUMNS)
