"""Result containers shared by the analyses and the renderers."""

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
        ``row, answer``: respondents (file rows) who gave one answer to every item.
    """

    items: pd.DataFrame
    zero_variance: tuple[str, ...] = ()
    straightliners: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["row", "answer"]))
    scale_points: tuple[int, ...] = ()


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
        omega, rho_a, rho_c, ave`` (``rho_a`` null until a PLS model supplies it;
        ``rho_c``/``ave`` come from a one-factor model per construct, or from the CFA's
        standardised loadings when ``composite_source == "cfa"``).
    items : DataFrame
        ``construct, item, n, mean, sd, item_total_r, alpha_if_deleted, loading``
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


@dataclass(frozen=True)
class CfaResult:
    """Confirmatory factor analysis (covariance-based, ML as lavaan).

    Attributes
    ----------
    fit : dict
        ``n, npar, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper,
        rmsea_pvalue, srmr, logl, aic, bic`` (lavaan's ``fitMeasures`` names in snake_case).
    loadings : DataFrame
        ``construct, item, est, se, z, pvalue, std_all`` (first loading fixed to 1: se,
        z, pvalue null, as lavaan prints them).
    factor_correlations : DataFrame
        ``a, b, est, se, z, pvalue, std_all`` for the factor covariances.
    residual_variances : DataFrame
        ``item, est, se, z, pvalue, std_all``.
    reliability : DataFrame
        ``construct, n_items, omega, rho_c, ave, ave_semtools``: ``omega`` =
        semTools::compRelSEM; ``rho_c``/``ave`` from the std_all loadings (Fornell & Larcker).
    htmt, fornell_larcker : DataFrame
        Discriminant validity, long format ``a, b, value``.
    weak_items : tuple of str
        Items whose std_all loading is below ``loading_threshold``.
    dropped : tuple of str
        Items removed before this fit (``--drop-weak``).
    """

    fit: dict
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    residual_variances: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    loading_threshold: float = 0.4
    weak_items: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    syntax: str = ""
    warnings: tuple[str, ...] = ()
    bootstrap: dict | None = None


@dataclass(frozen=True)
class PathsResult:
    """Structural paths, explained variance and effects of one estimation method.

    Attributes
    ----------
    paths : DataFrame
        ``from, to, est, std_all, se, t, pvalue, ci_lower, ci_upper, method`` (the
        contract's ``paths`` records; ``t`` = est / se).
    r2 : DataFrame
        ``construct, r2, r2_adj`` for the endogenous constructs.
    effects : DataFrame
        ``kind (indirect|total), from, to, path, est, std_all, se, ci_lower, ci_upper,
        pvalue``.
    fit : dict
        Global fit of the structural model (CB only).
    se_method : str
        ``"standard"`` (information matrix) or ``"bootstrap"``.
    bootstrap : dict, optional
        ``requested, used, failed, seed, ci`` when bootstrapped.
    """

    paths: pd.DataFrame
    r2: pd.DataFrame
    effects: pd.DataFrame
    method: str = "cb"
    fit: dict = field(default_factory=dict)
    se_method: str = "standard"
    bootstrap: dict | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlsResult:
    """PLS-SEM measurement model (SmartPLS/seminr conventions).

    Attributes
    ----------
    outer : DataFrame
        ``construct, item, mode, loading, weight`` plus bootstrap columns when run
        (``loading_se, loading_t, loading_pvalue, loading_ci_lower, loading_ci_upper``).
    reliability : DataFrame
        ``construct, n_items, alpha, rho_a, rho_c, ave``.
    htmt, fornell_larcker : DataFrame
        Long format ``a, b, value``.
    f2 : DataFrame
        ``from, to, f2`` (Cohen's effect size of each path).
    vif : DataFrame
        ``kind (outer|inner), construct, variable, vif``.
    info : dict
        ``scheme, iterations, converged, n, missing, replaced_cells``.
    """

    outer: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fornell_larcker: pd.DataFrame
    f2: pd.DataFrame
    vif: pd.DataFrame
    info: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    cross_loadings: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class ChecksResult:
    """Quality-gate results (``cxsurvey check``, ``analyze --fail-on``).

    Attributes
    ----------
    checks : DataFrame
        One row per comparison: ``name`` (rule key such as ``min_alpha``), ``statistic``,
        ``construct``, ``item``, ``other``, ``source``, ``value``, ``threshold``,
        ``direction``, ``passed``, ``citation``, ``message``.
    skipped : DataFrame
        ``name, reason``: rules whose statistic was not computed in this run.
    rule_set : str
        Name of the rule set the rules started from.
    """

    checks: pd.DataFrame
    skipped: pd.DataFrame
    rule_set: str = "default"

    @property
    def failed(self) -> pd.DataFrame:
        return self.checks[~self.checks["passed"].astype(bool)]

    @property
    def ok(self) -> bool:
        return bool(self.checks["passed"].all()) if len(self.checks) else True


@dataclass(frozen=True)
class Results:
    """Everything one run produced; renderers read this and nothing else.

    ``meta`` follows the contract's ``meta`` keys (plus ``sha256``, ``sheet``,
    ``scale``, ``options``, ``created``, ``dependencies``). ``warnings`` are problems in
    the data the user must see; ``summary`` is the plain-language reading.
    """

    meta: dict
    descriptives: DescribeResult | None = None
    normality: NormalityResult | None = None
    reliability: ReliabilityResult | None = None
    cfa: CfaResult | None = None
    pls: PlsResult | None = None
    paths: tuple[PathsResult, ...] = ()
    warnings: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    collinearity: pd.DataFrame | None = None
    checks: ChecksResult | None = None
