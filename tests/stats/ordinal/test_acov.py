"""Gamma (NACOV) of thresholds and polychoric correlations against lavaan 0.6-14.

References:

* tests/data/ordinal_reference.json (tests/data/r/make_ordinal_reference.R): the diagonal and
  the leading 10 x 10 block of ``lavInspect(fit, "gamma")`` and the ``wls.v`` diagonal of the
  WLSMV fits ``sample_wlsmv_cfa`` (33 items, 157 rows, 3 items with an empty category),
  ``bfi_wlsmv_cfa`` (25 items, 2436 complete rows) and ``bfi_wlsmv_cfa_pairwise`` (2800 rows);
* tests/data/nacov_small.json (tests/data/r/make_nacov_small.R): the full Gamma of 5 bfi
  items (first 500 complete rows; first 500 rows pairwise; a version with 2- and 3-category
  items) and of 4 derived items whose 2 x 2 table has one or two empty cells.

Measured agreement: the diagonals to 9e-8 relative at most (the correlations' entries; the
thresholds' and the 10 x 10 blocks to 1e-13), the full 5-item matrices to 1e-8 relative on the
diagonal; the residual is the polychoric estimates' difference (lavaan's ``nlminb`` stops 2-4e-8
from the maximum). With lavaan's own estimates plugged in the matrices agree to 2e-12
relative (1e-14 of the largest entry on the 5-item matrices): the formula is lavaan's.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.stats import norm
from support import load_csv, load_json

from cxsurvey.stats.ordinal import (
    PolychoricAcov,
    acov_from_codes,
    code_categories,
    polychoric,
    polychoric_acov,
    statistic_names,
    wls_weight_diag,
)

REF = load_json("ordinal_reference.json")
SMALL = load_json("nacov_small.json")

FITS = [("sample_wlsmv_cfa", "cx_journey_items.csv", "listwise"),
        ("bfi_wlsmv_cfa", "bfi.csv", "listwise"),
        ("bfi_wlsmv_cfa_pairwise", "bfi.csv", "pairwise")]


def _items(names: list[str]) -> list[str]:
    return list(dict.fromkeys(n.split("|")[0] for n in names if "|" in n))


def _small_frame(section: str) -> pd.DataFrame:
    sec = SMALL[section]
    if sec.get("data"):
        return pd.DataFrame(sec["data"])
    frame = load_csv("bfi.csv").loc[[r - 1 for r in sec["rows"]], SMALL["items"]]
    if section == "binary":
        frame["A1"] = np.where(frame["A1"] <= 3, 1, 2)
        frame["C4"] = np.where(frame["C4"] <= 2, 1, 2)
        frame["E3"] = np.digitize(frame["E3"], [2.5, 4.5]) + 1
    return frame


def _lavaan_estimates(names: list[str], values: list[float], items: list[str]
                      ) -> tuple[list[np.ndarray], np.ndarray]:
    th = [np.array([v for n, v in zip(names, values, strict=True)
                    if n.startswith(f"{item}|")]) for item in items]
    rho = np.array([v for n, v in zip(names, values, strict=True) if "~~" in n])
    return th, rho


@pytest.fixture(scope="module", params=FITS, ids=[f[0] for f in FITS])
def fitted(request):
    key, csv, missing = request.param
    ref = REF[key]
    items = _items(ref["gamma"]["names"])
    frame = load_csv(csv)[items]
    return ref, frame, items, missing, polychoric_acov(frame, items, missing=missing)


def test_names_and_n(fitted):
    ref, _, _, _, got = fitted
    assert list(got.names) == ref["gamma"]["names"]
    assert got.n == ref["nobs"]
    assert got.n_thresholds == sum("|" in n for n in got.names)


def test_diagonal_block_and_weights_match_lavaan(fitted):
    ref, _, _, _, got = fitted
    gamma = ref["gamma"]
    assert_allclose(np.diag(got.gamma), gamma["diagonal"], rtol=1e-6)
    block = np.array(gamma["block_10x10"]["matrix"])
    assert_allclose(got.gamma[:10, :10], block, rtol=1e-10, atol=1e-12)
    assert_allclose(got.wls_weights, ref["wls_v_diagonal"], rtol=1e-6)
    assert_allclose(wls_weight_diag(got.gamma), ref["wls_v_diagonal"], rtol=1e-6)


def test_exact_with_lavaan_estimates(fitted):
    """With lavaan's thresholds and correlations the formula reproduces lavaan to 1e-10."""
    ref, frame, items, missing, _ = fitted
    data = frame.dropna() if missing == "listwise" else frame.dropna(how="all")
    codes = np.column_stack([code_categories(data[c].to_numpy())[0] for c in items])
    stats = ref["sampstat"]
    th = [np.array(stats["thresholds"][c]) for c in items]
    cor = pd.DataFrame(stats["cor"]["matrix"], index=stats["cor"]["names"],
                       columns=stats["cor"]["colnames"]).loc[items, items].to_numpy()
    iu, ju = np.triu_indices(len(items), k=1)
    gamma, weights = acov_from_codes(codes, th, cor[iu, ju])
    assert_allclose(np.diag(gamma), ref["gamma"]["diagonal"], rtol=1e-10)
    assert_allclose(weights, ref["wls_v_diagonal"], rtol=1e-10)


@pytest.mark.parametrize("section", ["complete", "pairwise", "binary", "one_empty_cell",
                                     "two_empty_cells"])
def test_full_matrix_matches_lavaan(section):
    """Every entry; the last two sections have a 2 x 2 table with one empty cell (rho from
    the table with 0.5 moved into it) and with two (rho = 1, not estimated)."""
    sec = SMALL[section]
    items = list(_small_frame(section).columns)
    got = polychoric_acov(_small_frame(section), items, missing=sec["missing"])
    ref = np.array(sec["gamma"])
    scale = np.max(np.abs(ref))
    assert list(got.names) == sec["names"]
    assert got.n == sec["nobs"]
    assert_allclose(got.estimates, sec["wls_obs"], atol=1e-7)
    assert_allclose(got.gamma, ref, rtol=1e-6, atol=1e-8 * scale)
    assert_allclose(got.wls_weights, sec["wls_v_diagonal"], rtol=1e-6)
    # with lavaan's estimates: the same numbers to rounding
    data = _small_frame(section)
    data = data.dropna() if sec["missing"] == "listwise" else data
    codes = np.column_stack([code_categories(data[c].to_numpy())[0] for c in items])
    th, rho = _lavaan_estimates(sec["names"], sec["wls_obs"], items)
    exact, _ = acov_from_codes(codes, th, rho)
    assert_allclose(exact, ref, rtol=1e-10, atol=1e-12 * scale)


def test_threshold_block_is_the_binomial_delta_method():
    """An item's threshold block is the delta-method covariance of Phi^-1 of its cumulative
    proportions: P_s (1 - P_t) / (phi(tau_s) phi(tau_t)) for s <= t (times N / N)."""
    frame = _small_frame("complete")
    got = polychoric_acov(frame, SMALL["items"])
    start = 0
    for item in SMALL["items"]:
        counts = frame[item].value_counts().sort_index().to_numpy()
        cum = np.cumsum(counts)[:-1] / counts.sum()
        tau = norm.ppf(cum)
        lo, hi = np.minimum.outer(cum, cum), np.maximum.outer(cum, cum)
        expected = lo * (1 - hi) / np.outer(norm.pdf(tau), norm.pdf(tau))
        k = len(tau)
        assert_allclose(got.gamma[start:start + k, start:start + k], expected, rtol=1e-10)
        start += k


def test_matrix_properties_and_options():
    frame = _small_frame("complete")
    items = SMALL["items"]
    got = polychoric_acov(frame, items)
    assert isinstance(got, PolychoricAcov)
    assert_allclose(got.gamma, got.gamma.T, atol=0)
    assert np.linalg.eigvalsh(got.gamma).min() > 0
    assert_allclose(got.covariance, got.gamma / got.n)
    assert list(got.frame().index) == list(got.names)
    scaled = polychoric_acov(frame, items, n_minus_one=True)
    assert_allclose(scaled.gamma, got.gamma * got.n / (got.n - 1), rtol=1e-14)
    assert_allclose(scaled.wls_weights, got.wls_weights, rtol=0)  # lavaan: weights unscaled
    # a precomputed polychoric result gives the same matrix
    again = polychoric_acov(frame, items, result=polychoric(frame, items, missing="listwise"))
    assert_allclose(again.gamma, got.gamma, rtol=0)
    # the order of the items only permutes the statistics
    rev = polychoric_acov(frame, items[::-1])
    perm = [rev.names.index(_swap(n)) for n in got.names]
    assert_allclose(rev.gamma[np.ix_(perm, perm)], got.gamma, rtol=1e-10, atol=1e-13)


def _swap(name: str) -> str:
    if "~~" in name:
        a, b = name.split("~~")
        return f"{b}~~{a}"
    return name


def test_statistic_names():
    assert statistic_names(["a", "b", "c"], [1, 2, 1]) == (
        "a|t1", "b|t1", "b|t2", "c|t1", "a~~b", "a~~c", "b~~c")


def test_errors():
    frame = _small_frame("complete")
    items = SMALL["items"]
    with pytest.raises(ValueError, match="missing"):
        polychoric_acov(frame, items, missing="ml")  # type: ignore[arg-type]
    constant = frame.assign(A1=3)
    with pytest.raises(ValueError, match="two observed categories"):
        polychoric_acov(constant, items)
    other = polychoric(frame, items[:4], missing="listwise")
    with pytest.raises(ValueError, match="items"):
        polychoric_acov(frame, items, result=other)
    res = polychoric(frame, items, missing="listwise")
    broken = dataclasses.replace(res, matrix=res.matrix.where(res.matrix > 0.99))
    with pytest.raises(ValueError, match="undefined"):
        polychoric_acov(frame, items, result=broken)
    codes = np.zeros((5, 2), dtype=np.int64)
    with pytest.raises(ValueError, match="correlations"):
        acov_from_codes(codes, [np.array([0.0]), np.array([0.0])], [0.1, 0.2])
    with pytest.raises(ValueError, match="exceeds"):
        acov_from_codes(codes + 2, [np.array([0.0]), np.array([0.0])], [0.1])
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        acov_from_codes(codes, [np.array([0.0]), np.array([0.0])], [1.5])
    with pytest.raises(ValueError, match="non-empty"):
        acov_from_codes(codes[:0], [np.array([0.0]), np.array([0.0])], [0.1])
