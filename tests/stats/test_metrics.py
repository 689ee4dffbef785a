"""CX metrics: NPS against a direct count, its SE and CI, Wilson against statsmodels, CES."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from cxsurvey.stats.metrics import cx_metrics, mean_interval, nps, top2_share, wilson_interval


def _answers(n: int = 157, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(np.arange(11), size=n, p=np.r_[[0.02] * 5, [0.05, 0.1, 0.12, 0.16,
                                                                  0.25, 0.22]])


def test_nps_equals_the_direct_count() -> None:
    x = _answers()
    direct = 100 * (sum(1 for v in x if v in (9, 10)) - sum(1 for v in x if v <= 6)) / len(x)
    s = nps(x)
    assert s.value == pytest.approx(direct, abs=1e-12)
    assert s.promoters + s.passives + s.detractors == s.n == len(x)
    assert s.passives == sum(1 for v in x if v in (7, 8))


def test_nps_ignores_missing_answers() -> None:
    s = nps(pd.Series([10, 9, np.nan, 0, 7, np.nan]))
    assert (s.n, s.promoters, s.passives, s.detractors) == (4, 2, 1, 1)
    assert s.value == pytest.approx(25.0)


def test_nps_standard_error_and_interval() -> None:
    x = _answers()
    n = len(x)
    p_pro, p_det = np.mean(x >= 9), np.mean(x <= 6)
    se = 100 * math.sqrt((p_pro + p_det - (p_pro - p_det) ** 2) / n)
    # the same variance as the multinomial covariance: var(p+) + var(p-) - 2 cov(p+, p-)
    multinomial = (p_pro * (1 - p_pro) + p_det * (1 - p_det) + 2 * p_pro * p_det) / n
    assert se == pytest.approx(100 * math.sqrt(multinomial), rel=1e-12)
    row = cx_metrics(pd.DataFrame({"Rec": x}), {"nps": "Rec"}, {"Rec": (0, 10)}).table.iloc[0]
    z = stats.norm.ppf(0.975)
    assert row["se"] == pytest.approx(se, rel=1e-12)
    assert row["ci_lower"] == pytest.approx(row["value"] - z * se, rel=1e-12)
    assert row["ci_upper"] == pytest.approx(row["value"] + z * se, rel=1e-12)
    assert row["n"] == n and row["method"] == "wald-multinomial"


def test_nps_interval_is_clipped_to_its_range() -> None:
    table = cx_metrics(pd.DataFrame({"Rec": [10, 10, 10, 9, 6]}), {"nps": "Rec"},
                       {"Rec": (0, 10)}).table
    assert table.loc[0, "ci_upper"] == 100.0 and table.loc[0, "ci_lower"] > -100


@pytest.mark.parametrize(("k", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (37, 157),
                                      (156, 157), (3, 1000)])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(k: int, n: int, level: float) -> None:
    lo, hi = wilson_interval(k, n, level)
    want = proportion_confint(k, n, alpha=1 - level, method="wilson")
    assert lo == pytest.approx(want[0], abs=1e-12)
    assert hi == pytest.approx(want[1], abs=1e-12)


def test_wilson_without_answers_is_undefined() -> None:
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_csat_is_the_top_two_share_with_a_wilson_interval() -> None:
    x = pd.Series([1, 2, 3, 4, 5, 5, 4, 3, np.nan, 6, 7])
    assert top2_share(x, (1, 7)) == (2, 10)
    table = cx_metrics(pd.DataFrame({"Sat": x}), {"csat": "Sat"}, {"Sat": (1, 7)}).table
    row = table.iloc[0]
    want = proportion_confint(2, 10, method="wilson")
    assert (row["name"], row["value"], row["n"]) == ("csat", pytest.approx(20.0), 10)
    assert row["ci_lower"] == pytest.approx(100 * want[0], abs=1e-10)
    assert row["ci_upper"] == pytest.approx(100 * want[1], abs=1e-10)
    assert row["se"] == pytest.approx(100 * math.sqrt(0.2 * 0.8 / 10))


def test_ces_mean_with_a_t_interval_and_its_top_two_share() -> None:
    x = np.array([1, 2, 2, 3, 4, 5, 5, 5, 6, 7, 7, 3.0])
    mean, se, lo, hi, n = mean_interval(x)
    want = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert (mean, n) == (pytest.approx(x.mean()), 12)
    assert se == pytest.approx(stats.sem(x), rel=1e-12)
    assert (lo, hi) == (pytest.approx(want[0], rel=1e-12), pytest.approx(want[1], rel=1e-12))
    table = cx_metrics(pd.DataFrame({"Eff": x}), {"ces": "Eff"}, {"Eff": (1, 7)}).table
    assert list(table["name"]) == ["ces", "ces_top2"]
    assert table.loc[1, "value"] == pytest.approx(100 * 3 / 12)
    assert list(table["method"]) == ["t", "wilson"]


def test_one_answer_has_a_mean_but_no_interval() -> None:
    mean, se, lo, hi, n = mean_interval([4.0, np.nan])
    assert (mean, n) == (4.0, 1) and all(math.isnan(v) for v in (se, lo, hi))
