"""Normality tests compared with independent R reference values.

References (all in tests/data, generated in R 4.2.2, nortest 1.0.4, psych 2.2.9):

* ``bfi_reliability_normality_reference.json`` (copy of /work/shared/reference): per raw bfi
  item, ``nortest::lillie.test`` and ``stats::shapiro.test`` on the item's non-missing values.
* ``extra_reference.json`` (``tests/data/r/make_extra_reference.R``): Lilliefors and
  Shapiro-Wilk on 90 small and medium samples spanning p < 0.001 to p > 0.5 (both of
  nortest's p formulas), SPSS-style G1/G2 with standard errors on the same samples, and
  ``psych::mardia`` on bfi scales and Holzinger-Swineford factor blocks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import (
    load_csv,
    load_json,
)

from cxsurvey.stats.items.moments import kurtosis, skewness
from cxsurvey.stats.items.normality import lilliefors_test, mardia, normality, shapiro_wilk

BFI_ITEMS = [f"{s}{i}" for s in "ACENO" for i in range(1, 6)]
BFI_SCALES = {s: tuple(f"{s}{i}" for i in range(1, 6)) for s in "ACENO"}


def _json(name: str) -> dict:
    return load_json(name)


def _csv(name: str, index_col: int | None = None) -> pd.DataFrame:
    return load_csv(name, index_col)


def _extra() -> dict:
    return _json("extra_reference.json")


def _sample(rec: dict) -> np.ndarray:
    """Rebuild an R sample: python slice [start, stop) over file rows, then drop NA."""
    x = _csv(rec["source"])[rec["column"]].to_numpy(dtype=float)[rec["start"]:rec["stop"]]
    x = x[np.isfinite(x)]
    assert x.size == rec["n"], "sample does not match the one R used"
    return x


def _sample_id(rec: dict) -> str:
    return f"{rec['source'].split('.')[0][:3]}-{rec['column']}[{rec['start']}:{rec['stop']}]"


# ----------------------------------------------------------------- bfi items (shared reference)

@pytest.fixture(scope="module")
def bfi_item_table() -> pd.DataFrame:
    items = _csv("bfi.csv")[BFI_ITEMS].astype(float)
    # missing="pairwise": each item tested on its own non-missing values, as R does
    return normality(items, BFI_SCALES, missing="pairwise").items.set_index("item")


BFI_NORMALITY = _json("bfi_reliability_normality_reference.json")["normality"]


@pytest.mark.parametrize("ref", BFI_NORMALITY, ids=[r["item"] for r in BFI_NORMALITY])
def test_bfi_item_lilliefors_matches_nortest(bfi_item_table, ref):
    row = bfi_item_table.loc[ref["item"]]
    assert row["n"] == ref["n"]
    assert row["ks_df"] == ref["n"]
    # tolerance: D within 1e-6 of nortest::lillie.test (same statistic, double precision)
    assert_allclose(row["ks_statistic"], ref["lilliefors_D"], rtol=0, atol=1e-6)
    # tolerance: p within 0.005 of nortest, or both below 0.001
    # (SPSS prints such p as .000; the approximation is not meant to be read there)
    if not (row["ks_pvalue"] < 0.001 and ref["lilliefors_p"] < 0.001):
        assert_allclose(row["ks_pvalue"], ref["lilliefors_p"], rtol=0, atol=0.005)


@pytest.mark.parametrize("ref", BFI_NORMALITY, ids=[r["item"] for r in BFI_NORMALITY])
def test_bfi_item_shapiro_wilk_matches_r(bfi_item_table, ref):
    row = bfi_item_table.loc[ref["item"]]
    assert row["sw_df"] == ref["n"]
    # tolerances against stats::shapiro.test: W within 1e-6, p within 1e-4 (both are
    # Royston's AS R94; R's C and scipy's port differ only in rounding)
    assert_allclose(row["sw_statistic"], ref["shapiro_W"], rtol=0, atol=1e-6)
    assert_allclose(row["sw_pvalue"], ref["shapiro_p"], rtol=0, atol=1e-4)


@pytest.mark.parametrize("ref", BFI_NORMALITY, ids=[r["item"] for r in BFI_NORMALITY])
def test_bfi_item_skewness_kurtosis_match_spss_formulas(ref):
    x = _csv("bfi.csv")[ref["item"]].to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    g1, se1 = skewness(x)
    g2, se2 = kurtosis(x)
    # closed-form formulas evaluated in double precision on both sides: 1e-9 leaves room
    # only for summation-order rounding
    assert_allclose([g1, se1, g2, se2],
                    [ref["skewness"], ref["skewness_se"], ref["kurtosis"], ref["kurtosis_se"]],
                    rtol=0, atol=1e-9)


# ----------------------------------------------------------------- extra samples (all p ranges)

LILLIE = _extra()["lilliefors"]
LILLIE_IDS = [_sample_id(r) for r in LILLIE]


def test_extra_samples_span_all_pvalue_ranges():
    """Guard on the reference itself: both of nortest's p formulas are exercised."""
    p = np.array([r["p_lillie"] for r in LILLIE])
    branches = {r["p_branch"] for r in LILLIE}
    assert (p < 0.001).sum() >= 5
    assert ((p >= 0.001) & (p <= 0.1)).sum() >= 5
    assert (p > 0.1).sum() >= 5
    assert (p > 0.5).sum() >= 3
    assert {"dallal_wilkinson", "stephens_0.302<KK<=0.5", "stephens_0.5<KK<=0.9"} <= branches


@pytest.mark.parametrize("ref", LILLIE, ids=LILLIE_IDS)
def test_lilliefors_matches_nortest_in_every_range(ref):
    d, p = lilliefors_test(_sample(ref))
    # D within 1e-6: the same statistic (KS distance to N(mean, sd with n-1))
    assert_allclose(d, ref["D"], rtol=0, atol=1e-6)
    # p within 0.005 in every range, including Stephens' formula for p > 0.1
    assert_allclose(p, ref["p_lillie"], rtol=0, atol=0.005)


@pytest.mark.parametrize("ref", LILLIE, ids=LILLIE_IDS)
def test_shapiro_wilk_matches_r_on_extra_samples(ref):
    w, p = shapiro_wilk(_sample(ref))
    # same tolerances as on bfi: W 1e-6, p 1e-4 (both AS R94)
    assert_allclose(w, ref["W"], rtol=0, atol=1e-6)
    assert_allclose(p, ref["p_shapiro"], rtol=0, atol=1e-4)


SKEW = _extra()["skew_kurt"]


@pytest.mark.parametrize("ref", SKEW, ids=[_sample_id(r) for r in SKEW])
def test_skewness_kurtosis_match_r_formulas(ref):
    x = _sample(ref)
    g1, se1 = skewness(x)
    g2, se2 = kurtosis(x)
    # closed-form G1/G2 and SEs in double precision on both sides (rounding only)
    assert_allclose([g1, se1, g2, se2],
                    [ref["skewness"], ref["skewness_se"], ref["kurtosis"], ref["kurtosis_se"]],
                    rtol=0, atol=1e-9)


# ----------------------------------------------------------------- Mardia (psych::mardia)

MARDIA = _extra()["mardia"]
MARDIA_IDS = [f"{r['source'].split('.')[0][:3]}-{r['label']}" for r in MARDIA]


def _mardia_block(ref: dict) -> np.ndarray:
    return _csv(ref["source"])[ref["columns"]].dropna().to_numpy(dtype=float)


@pytest.mark.parametrize("ref", MARDIA, ids=MARDIA_IDS)
def test_mardia_n_and_df(ref):
    out = mardia(_mardia_block(ref))
    assert out["n"] == ref["n"]
    assert out["n_items"] == ref["p"]
    assert out["skewness_df"] == ref["skew_df"]


@pytest.mark.parametrize("ref", MARDIA, ids=MARDIA_IDS)
def test_mardia_coefficients_match_psych(ref):
    out = mardia(_mardia_block(ref))
    # b1p / b2p: 1e-6 relative (both are plain sums of products)
    assert_allclose(out["mardia_skewness"], ref["b1p"], rtol=1e-6, atol=0)
    assert_allclose(out["mardia_kurtosis"], ref["b2p"], rtol=1e-6, atol=0)


@pytest.mark.parametrize("ref", MARDIA, ids=MARDIA_IDS)
def test_mardia_statistics_match_psych(ref):
    out = mardia(_mardia_block(ref))
    # chi-square n*b1p/6 and kurtosis z: 1e-6 relative, plus 1e-6 absolute for z near 0
    assert_allclose(out["skewness_chisq"], ref["skew"], rtol=1e-6, atol=0)
    assert_allclose(out["kurtosis_z"], ref["kurtosis"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("ref", MARDIA, ids=MARDIA_IDS)
def test_mardia_pvalues_match_psych(ref):
    out = mardia(_mardia_block(ref))
    # p-values: 1e-6 absolute (psych's p.kurt = 2(1 - pnorm|z|) has absolute precision
    # only, so tiny p cannot be compared relatively) or 1e-6 relative
    assert_allclose(out["skewness_pvalue"], ref["p_skew"], rtol=1e-6, atol=1e-6)
    assert_allclose(out["kurtosis_pvalue"], ref["p_kurt"], rtol=1e-6, atol=1e-6)
