"""Results of the item-level analyses: descriptives, normality, reliability."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class DescribeResult:
    """Item descriptives and response-quality flags.

    Attributes
    ----------
    items : DataFrame
        One row per item: ``construct, item, n, missing, mean, sd, median, min, max,
        skewness, skewness_se, kurtosis, kurtosis_se, top2_box`` and ``pct_<k>`` (percent
        of answers at scale point k, of the item's valid answers).
    zero_variance : tuple of str
        Items with one answer only.
    straightliners : DataFrame
        ``row, answer``: respondents (file rows) who gave one raw answer (before reverse
        keying) to every item.
    scale_points : tuple of int
        The points of the ``pct_<k>`` columns (the union of the items' scales).
    scales : dict
        Item -> its ``(min, max)`` when the items' scales differ; empty when all share one.
    """

    items: pd.DataFrame
    zero_variance: tuple[str, ...] = ()
    straightliners: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["row", "answer"]))
    scale_points: tuple[int, ...] = ()
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class NormalityResult:
    """Univariate and multivariate normality tests.

    Attributes
    ----------
    items : DataFrame
        Per item: ``construct, item, n, ks_statistic, ks_df, ks_pvalue, sw_statistic,
        sw_df, sw_pvalue`` (KS with the Lilliefors correction; df = n as SPSS prints it).
    constructs : DataFrame
        The same tests on construct scores (mean of the construct's items).
    multivariate : DataFrame
        Per construct: Mardia's multivariate skewness and kurtosis with their tests:
        ``construct, n, n_items, mardia_skewness, skewness_chisq, skewness_df,
        skewness_pvalue, mardia_kurtosis, kurtosis_z, kurtosis_pvalue``.
    n_items_nonnormal : int
        Items whose KS or Shapiro-Wilk p is below ``alpha``.
    conclusion : str
        A plain-language reading with a method recommendation.
    alpha : float
        Significance level used for the conclusion.
    """

    items: pd.DataFrame
    constructs: pd.DataFrame
    multivariate: pd.DataFrame
    n_items_nonnormal: int
    conclusion: str
    alpha: float = 0.05
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReliabilityResult:
    """Internal consistency per construct and per item.

    Attributes
    ----------
    constructs : DataFrame
        ``construct, n_items, n, alpha, alpha_ci_lower, alpha_ci_upper, std_alpha,
        omega, rho_a, rho_c, ave, alpha_ordinal`` (``rho_a`` null until a PLS model
        supplies it; ``rho_c``/``ave`` come from a one-factor model per construct, or from
        the CFA's standardised loadings when ``composite_source == "cfa"``;
        ``alpha_ordinal`` is the alpha of the polychoric correlation matrix, Zumbo,
        Gadermann & Zeisser 2007).
    items : DataFrame
        ``construct, item, n, mean, sd, item_total_r, alpha_if_deleted, loading,
        alpha_ordinal_if_deleted``
        (``item_total_r`` is the corrected item-total correlation, SPSS's "Corrected
        Item-Total Correlation", psych's ``r.drop``).
    missing_policy : str
        ``"listwise"`` (rows complete on the construct) or ``"pairwise"``.
    """

    constructs: pd.DataFrame
    items: pd.DataFrame
    missing_policy: str = "listwise"
    notes: tuple[str, ...] = ()
    composite_source: str = "one-factor"
