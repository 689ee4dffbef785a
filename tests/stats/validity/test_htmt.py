"""HTMT and HTMT2 against R (lavaan 0.6-14, semTools 0.5-6).

References:
- tests/data/hs_cfa_reference.json (a copy of /work/shared/reference, described in its
  README, section 1: ``htmt`` entries);
- tests/data/validity_reference.json, written by tests/data/r/make_validity_reference.R
  (HTMT on bfi with negative correlations and missing answers, listwise and pairwise).

Tolerance: HTMT 1e-3; the measured maximum deviations are rounding-level (all below
4e-15 when measured with numpy 2 / pandas 2 on these files) and are noted next to each
test.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from support import load_csv, load_json, square_frame

from cxsurvey.stats.validity import htmt, htmt_batch, htmt_from_correlation, htmt_matrix

HTMT_TOL = 1e-3

HS_CONSTRUCTS = {"visual": ("x1", "x2", "x3"), "textual": ("x4", "x5", "x6"),
                 "speed": ("x7", "x8", "x9")}
BFI_CONSTRUCTS = {s: tuple(f"{s}{i}" for i in range(1, 6)) for s in "ACENO"}





@pytest.mark.parametrize(("geometric", "key"), [(False, "htmt_arithmetic_mean"),
                                                (True, "htmt2_geometric_mean")])
def test_htmt_matches_semtools_holzinger_swineford(geometric, key):
    # measured max |diff|: 5.6e-17 (arithmetic), 3.3e-16 (geometric)
    hs = load_csv("holzinger_swineford_1939.csv")
    ref = square_frame(load_json("hs_cfa_reference.json")["htmt"][key], list(HS_CONSTRUCTS))
    square = htmt_matrix(hs, HS_CONSTRUCTS, geometric=geometric)
    assert list(square.index) == list(square.columns) == list(HS_CONSTRUCTS)
    assert_allclose(square.to_numpy(), ref.to_numpy(), rtol=0, atol=HTMT_TOL)

    long = htmt(hs, HS_CONSTRUCTS, geometric=geometric)
    assert list(long.columns) == ["a", "b", "value"]
    assert list(zip(long["a"], long["b"], strict=True)) == [
        ("visual", "textual"), ("visual", "speed"), ("textual", "speed")]
    expected = [ref.loc[a, b] for a, b in zip(long["a"], long["b"], strict=True)]
    assert_allclose(long["value"].to_numpy(), expected, rtol=0, atol=HTMT_TOL)


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
@pytest.mark.parametrize("geometric", [False, True])
def test_htmt_matches_semtools_bfi_negative_and_missing(missing, geometric):
    # raw bfi items: reverse-keyed items correlate negatively (absolute values count), and
    # 364 of 2800 rows are incomplete. measured max |diff|: listwise 6.7e-16 (arithmetic),
    # 5.8e-16 (geometric); pairwise 3.9e-16, 1.1e-15
    bfi = load_csv("bfi.csv")
    ref_all = load_json("validity_reference.json")["htmt_bfi"]
    key = f"{missing}_{'geometric' if geometric else 'arithmetic'}"
    ref = square_frame(ref_all[key], list(BFI_CONSTRUCTS))
    got = htmt_matrix(bfi, BFI_CONSTRUCTS, geometric=geometric, missing=missing)
    assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=0, atol=HTMT_TOL)


def test_htmt_missing_policies_differ_on_incomplete_data():
    bfi = load_csv("bfi.csv")
    listwise = htmt_matrix(bfi, BFI_CONSTRUCTS, missing="listwise")
    pairwise = htmt_matrix(bfi, BFI_CONSTRUCTS, missing="pairwise")
    assert np.abs(listwise - pairwise).to_numpy().max() > 1e-4


def test_htmt_from_correlation_equals_raw_data_route_and_ignores_sign():
    hs = load_csv("holzinger_swineford_1939.csv")
    corr = hs[[f"x{i}" for i in range(1, 10)]].corr()
    flipped = hs.assign(x2=-hs["x2"], x7=-hs["x7"])
    for geometric in (False, True):
        a = htmt_from_correlation(corr, HS_CONSTRUCTS, geometric=geometric)
        b = htmt_matrix(flipped, HS_CONSTRUCTS, geometric=geometric)
        assert_allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-12)
        assert_allclose(np.diag(a.to_numpy()), 1.0)


def test_htmt_single_item_construct_is_nan_and_bad_input_raises():
    hs = load_csv("holzinger_swineford_1939.csv")
    constructs = {"visual": ("x1", "x2", "x3"), "one": ("x4",), "speed": ("x7", "x8", "x9")}
    long = htmt(hs, constructs)
    values = dict(zip(zip(long["a"], long["b"], strict=True), long["value"], strict=True))
    assert np.isnan(values[("visual", "one")]) and np.isnan(values[("one", "speed")])
    assert np.isfinite(values[("visual", "speed")])
    with pytest.raises(ValueError, match="both"):
        htmt(hs, {"a": ("x1", "x2"), "b": ("x2", "x3")})
    with pytest.raises(ValueError, match="no column"):
        htmt(hs, {"a": ("x1", "x2"), "b": ("x3", "nope")})
    with pytest.raises(ValueError, match="missing"):
        htmt(hs, HS_CONSTRUCTS, missing="fiml")
    with pytest.raises(ValueError, match="no items"):
        htmt(hs, {"a": ("x1", "x2"), "b": ()})


def _htmt_by_loops(r: np.ndarray, blocks: list[list[int]], geometric: bool,
                   single_item: float) -> np.ndarray:
    """HTMT written out pair by pair, the definition in Henseler et al. (2015)."""
    def mean(values):
        values = np.abs(np.array([v for v in values if not np.isnan(v)]))
        if not values.size:
            return np.nan
        with np.errstate(divide="ignore"):
            return float(np.exp(np.mean(np.log(values)))) if geometric else float(values.mean())

    k = len(blocks)
    mono = []
    for b in blocks:
        within = [r[i, j] for i in b for j in b if i != j]
        mono.append(mean(within) if len(b) > 1 else single_item)
    out = np.full((k, k), np.nan)
    for a in range(k):
        for b in range(k):
            if a != b:
                out[a, b] = mean([r[i, j] for i in blocks[a] for j in blocks[b]]) / np.sqrt(
                    mono[a] * mono[b])
    return out


@pytest.mark.parametrize("geometric", [False, True])
@pytest.mark.parametrize("single_item", [np.nan, 1.0])
def test_batched_htmt_equals_the_definition(geometric, single_item) -> None:
    rng = np.random.default_rng(2)
    blocks = [[0, 1, 2], [3, 4], [5]]
    membership = np.zeros((6, 3))
    for j, b in enumerate(blocks):
        membership[b, j] = 1.0
    batch = []
    for _ in range(4):
        x = rng.standard_normal((50, 6)) + rng.standard_normal((50, 1))
        batch.append(np.corrcoef(x, rowvar=False))
    batch[1][0, 3] = batch[1][3, 0] = np.nan  # an undefined correlation is left out
    batch[2][1, 4] = batch[2][4, 1] = 0.0  # a zero: HTMT2's geometric mean becomes 0
    got = htmt_batch(np.array(batch), membership, geometric=geometric,
                     single_item=single_item)
    for r, g in zip(batch, got, strict=True):
        want = _htmt_by_loops(r, blocks, geometric, single_item)
        off = ~np.eye(3, dtype=bool)
        assert_allclose(g[off], want[off], rtol=1e-13, equal_nan=True)
    assert bool(np.isnan(got[0, 2, 2])) == bool(np.isnan(single_item))
