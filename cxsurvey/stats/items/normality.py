"""Tests of normality per item, per construct score and per construct (multivariate)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from cxsurvey.stats.items.results import NormalityResult
from cxsurvey.stats.missing import complete_cases

__all__ = ["lilliefors_test", "shapiro_wilk", "mardia", "normality"]

SW_MAX_N = 5000


def _stephens_pvalue(d: float, n: int) -> float:
    """Lilliefors p above 0.1 from Stephens' modified statistic (as R nortest does).

    References
    ----------
    Stephens, M. A. (1974). EDF statistics for goodness of fit and some comparisons.
    JASA, 69(347), 730-737. Polynomial fit as in Gross & Ligges, R package nortest,
    ``lillie.test``.
    """
    kk = (np.sqrt(n) - 0.01 + 0.85 / np.sqrt(n)) * d
    if kk <= 0.302:
        return 1.0
    if kk <= 0.5:
        coef = (2.76773, -19.828315, 80.709644, -138.55152, 81.218052)
    elif kk <= 0.9:
        coef = (-4.901232, 40.662806, -97.490286, 94.029866, -32.355711)
    elif kk <= 1.31:
        coef = (6.198765, -19.558097, 23.186922, -12.234627, 2.423045)
    else:
        return 0.0
    return float(sum(c * kk**i for i, c in enumerate(coef)))


def lilliefors_test(x: np.ndarray) -> tuple[float, float]:
    """Kolmogorov-Smirnov test of normality with the Lilliefors correction.

    The statistic D is computed by statsmodels; the p-value is the Dallal-Wilkinson
    approximation and, where that exceeds 0.1, Stephens' formula, which is what R's
    ``nortest::lillie.test`` reports. SPSS's "Tests of Normality" prints the same D
    and a table-based p (shown as .200 when larger).

    Returns
    -------
    (D, p) : tuple of float
        NaN for fewer than 5 values or a constant variable.

    References
    ----------
    Lilliefors, H. W. (1967). JASA, 62(318), 399-402. Dallal, G. E., & Wilkinson, L.
    (1986). An analytic approximation to the distribution of Lilliefors's test statistic
    for normality. The American Statistician, 40(4), 294-296.
    """
    try:  # the module behind statsmodels.stats.diagnostic.lilliefors, without the
        # regression models that diagnostic imports (0.15 s of start-up)
        from statsmodels.stats._lilliefors import lilliefors
    except ImportError:  # pragma: no cover - layout of other statsmodels versions
        from statsmodels.stats.diagnostic import lilliefors

    x = np.asarray(x, dtype=float)
    n = x.size
    if n < 5 or np.ptp(x) == 0:
        return float("nan"), float("nan")
    d, _ = lilliefors(x, dist="norm", pvalmethod="approx")
    nd, kd = (n, d) if n <= 100 else (100, d * (n / 100) ** 0.49)
    p_dw = np.exp(-7.01256 * kd**2 * (nd + 2.78019) + 2.99587 * kd * np.sqrt(nd + 2.78019)
                  - 0.122119 + 0.974598 / np.sqrt(nd) + 1.67997 / nd)
    p = _stephens_pvalue(float(d), n) if p_dw > 0.1 else float(p_dw)
    return float(d), float(min(max(p, 0.0), 1.0))


def shapiro_wilk(x: np.ndarray) -> tuple[float, float]:
    """Shapiro-Wilk W and p (Royston's AS R94 via scipy), for 3 <= n <= 5000.

    Returns NaN outside that range (SPSS and R refuse it too) and for constants.

    References
    ----------
    Shapiro, S. S., & Wilk, M. B. (1965). Biometrika, 52(3/4), 591-611. Royston, P.
    (1995). Remark AS R94. Applied Statistics, 44(4), 547-551.
    """
    x = np.asarray(x, dtype=float)
    if not 3 <= x.size <= SW_MAX_N or np.ptp(x) == 0:
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w, p = stats.shapiro(x)
    return float(w), float(p)


def mardia(x: np.ndarray) -> dict[str, float]:
    """Mardia's multivariate skewness and kurtosis tests.

    With :math:`y_i = S^{-1/2}(x_i - \\bar x)` (S the sample covariance, divisor n - 1,
    as ``psych::mardia``; Mardia's 1970 paper and R's MVN use divisor n, which scales
    :math:`b_{1p}` by :math:`((n-1)/n)^{-3}` and :math:`b_{2p}` by :math:`((n-1)/n)^{-2}`):
    :math:`b_{1p} = n^{-2}\\sum_{ij}(y_i'y_j)^3`, :math:`b_{2p} = n^{-1}\\sum_i (y_i'y_i)^2`;
    skewness statistic :math:`n b_{1p}/6 \\sim \\chi^2_{p(p+1)(p+2)/6}`, kurtosis
    :math:`z = (b_{2p} - p(p+2))/\\sqrt{8p(p+2)/n}`. :math:`b_{1p}` is computed as
    :math:`n^{-2}\\sum_{abc}(\\sum_i y_{ia}y_{ib}y_{ic})^2`, which is O(n p^3) instead of
    O(n^2 p), so it also runs on 100,000 respondents.

    References
    ----------
    Mardia, K. V. (1970). Measures of multivariate skewness and kurtosis with
    applications. Biometrika, 57(3), 519-530. (as ``psych::mardia``)
    """
    x = np.asarray(x, dtype=float)
    n, p = x.shape
    nan = float("nan")
    out = {"n": n, "n_items": p, "mardia_skewness": nan, "skewness_chisq": nan,
           "skewness_df": p * (p + 1) * (p + 2) / 6, "skewness_pvalue": nan,
           "mardia_kurtosis": nan, "kurtosis_z": nan, "kurtosis_pvalue": nan}
    if n <= p + 1:
        return out
    # respondents along the rows' second axis: every product below is contiguous
    xt = np.array(x.T, order="C")
    xt -= xt.mean(axis=1, keepdims=True)
    s = xt @ xt.T / (n - 1)
    evals, evecs = np.linalg.eigh(s)
    if evals.min() <= 1e-12 * max(evals.max(), 1e-300):
        return out
    root = (evecs / np.sqrt(evals)) @ evecs.T  # S^{-1/2}, symmetric
    yt = xt  # whitened in place, a chunk of respondents at a time
    for lo in range(0, n, 65_536):
        yt[:, lo:lo + 65_536] = root @ xt[:, lo:lo + 65_536]
    # m[(a, b), c] = sum_i y_ia y_ib y_ic over the pairs a <= b, in chunks of respondents
    a_idx, b_idx = np.triu_indices(p)
    m = np.zeros((a_idx.size, p))
    step = max(1, 1_000_000 // max(a_idx.size, 1))
    b2 = 0.0
    for lo in range(0, n, step):
        yc = yt[:, lo:lo + step]
        m += (yc[a_idx] * yc[b_idx]) @ yc.T
        b2 += float(np.sum(np.einsum("ij,ij->j", yc, yc) ** 2))
    weight = np.where(a_idx == b_idx, 1.0, 2.0)  # (a, b) and (b, a)
    b1 = float(np.sum(weight[:, None] * m * m)) / (n * n)
    b2 /= n
    chisq = n * b1 / 6.0
    z = (b2 - p * (p + 2)) / np.sqrt(8.0 * p * (p + 2) / n)
    out.update(mardia_skewness=b1, skewness_chisq=chisq,
               skewness_pvalue=float(stats.chi2.sf(chisq, out["skewness_df"])),
               mardia_kurtosis=b2, kurtosis_z=float(z),
               kurtosis_pvalue=float(2 * stats.norm.sf(abs(z))))
    return out


def _univariate(frame: pd.DataFrame, owner: dict[str, str | None], pairwise: bool) -> pd.DataFrame:
    rows = []
    for col in frame.columns:
        x = frame[col].to_numpy(dtype=float)
        if pairwise:
            finite = np.isfinite(x)
            x = x if finite.all() else x[finite]
        d, dp = lilliefors_test(x)
        w, wp = shapiro_wilk(x)
        n = int(x.size)
        rows.append({"construct": owner.get(col), "item": col, "n": n,
                     "ks_statistic": d, "ks_df": n, "ks_pvalue": dp,
                     "sw_statistic": w, "sw_df": n if np.isfinite(w) else None,
                     "sw_pvalue": wp})
    return pd.DataFrame(rows, columns=["construct", "item", "n", "ks_statistic", "ks_df",
                                       "ks_pvalue", "sw_statistic", "sw_df", "sw_pvalue"])


def normality(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]],
              missing: str = "listwise", alpha: float = 0.05) -> NormalityResult:
    """SPSS-style "Tests of Normality" for items and construct scores, plus Mardia.

    Parameters
    ----------
    items : DataFrame
        Item scores (NaN = missing).
    constructs : dict
        Construct -> items.
    missing : {"listwise", "pairwise"}
        ``listwise`` (SPSS EXAMINE's default): every item is tested on the rows that
        answered all items. ``pairwise``: each item on its own valid answers (R, and
        SPSS's ``/MISSING PAIRWISE``). Construct scores and Mardia's tests always use
        the rows complete on that construct.
    alpha : float
        Level for the conclusion.

    Returns
    -------
    NormalityResult
        Column meanings in :class:`~cxsurvey.stats.items.results.NormalityResult`.

    References
    ----------
    See :func:`lilliefors_test`, :func:`shapiro_wilk` and :func:`mardia`.
    """
    if missing not in ("listwise", "pairwise"):
        raise ValueError(f"missing must be 'listwise' or 'pairwise', got {missing!r}")
    owner: dict[str, str | None] = {i: c for c, its in constructs.items() for i in its}
    pairwise = missing == "pairwise"
    frame = items if pairwise else complete_cases(items)
    item_table = _univariate(frame, owner, pairwise=True)
    scores = {}
    mv_rows = []
    for c, its in constructs.items():
        block = complete_cases(items[list(its)])
        scores[c] = block.mean(axis=1)
        if len(its) >= 2:
            mv_rows.append({"construct": c, **mardia(block.to_numpy(dtype=float))})
        del block
    names: dict[str, str | None] = {c: c for c in scores}
    score_frame = pd.DataFrame(scores, copy=False)  # aligned on the respondents
    del scores
    construct_table = _univariate(score_frame, names, pairwise=True)
    construct_table = construct_table.drop(columns="construct").rename(
        columns={"item": "construct"})
    mv = pd.DataFrame(mv_rows, columns=["construct", "n", "n_items", "mardia_skewness",
                                        "skewness_chisq", "skewness_df", "skewness_pvalue",
                                        "mardia_kurtosis", "kurtosis_z", "kurtosis_pvalue"])
    tested = item_table.dropna(subset=["ks_pvalue"], how="all")
    nonnormal = int(((tested["ks_pvalue"] < alpha) | (tested["sw_pvalue"] < alpha)).sum())
    notes = []
    if (item_table["n"] > SW_MAX_N).any():
        notes.append(f"Shapiro-Wilk is defined for 3 <= n <= {SW_MAX_N} (as in SPSS and R); "
                     "it is left empty for larger samples, where KS and Mardia still apply.")
    const = item_table.loc[item_table["ks_statistic"].isna(), "item"].tolist()
    if const:
        notes.append("not tested (constant or fewer than 5 answers): " + ", ".join(const))
    mv_bad = int(((mv["skewness_pvalue"] < alpha) | (mv["kurtosis_pvalue"] < alpha)).sum())
    conclusion = _conclusion(nonnormal, len(tested), mv_bad, len(mv), alpha)
    return NormalityResult(items=item_table, constructs=construct_table, multivariate=mv,
                           n_items_nonnormal=nonnormal, conclusion=conclusion, alpha=alpha,
                           notes=tuple(notes))


def _conclusion(bad: int, total: int, mv_bad: int, mv_total: int, alpha: float) -> str:
    lvl = f"{alpha:.2f}".lstrip("0")
    mv = (f" Mardia's test rejects multivariate normality for {mv_bad}/{mv_total} constructs."
          if mv_total else "")
    if total == 0:
        return "No item could be tested for normality."
    if bad == total:
        return (f"No item is normal ({bad}/{total} p < {lvl}).{mv} Prefer PLS-SEM, or "
                "covariance-based SEM with robust standard errors and a scaled test, or "
                "the bootstrap; report medians and percentages alongside means.")
    if bad > 0:
        return (f"{bad}/{total} items depart from normality (p < {lvl}).{mv} Use robust "
                "standard errors and a scaled test, the bootstrap or PLS-SEM rather than "
                "normal-theory ML tests.")
    return (f"No item departs significantly from normality (all {total} p >= {lvl}).{mv} "
            "Normal-theory ML estimation is reasonable.")
