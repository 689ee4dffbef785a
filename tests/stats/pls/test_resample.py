"""Resampling helpers of the PLS bootstrap: chunked index drawing, counts, packed
cross-products.

The reference for the chunked draw is numpy's own one-shot draw
``Generator(PCG64(seed)).integers(0, n, size=(n_boot, n))``; the reference for the
correlations is ``numpy.corrcoef`` of the resampled rows.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from cxsurvey.stats.pls.resample import (
    ResampleMoments,
    cross_products,
    draw_indices,
    index_chunks,
    resample_correlations,
    resample_counts,
    resample_moments,
    shared_cross_products,
    unpack_symmetric,
)


@pytest.mark.parametrize("n", [7, 250, 16_000])
@pytest.mark.parametrize("step", [1, 3, 37, 1000])
def test_chunked_draw_is_the_one_shot_draw(n, step):
    n_boot = 101
    one_shot = np.random.Generator(np.random.PCG64(42)).integers(0, n, size=(n_boot, n))
    chunks = list(index_chunks(n, n_boot, seed=42, step=step))
    assert [c.shape for c in chunks] == [(min(step, n_boot - s), n)
                                          for s in range(0, n_boot, step)]
    assert all(np.issubdtype(c.dtype, np.integer) for c in chunks)
    assert np.array_equal(np.concatenate(chunks), one_shot)
    assert np.array_equal(draw_indices(n, n_boot, 42), one_shot)


def test_chunked_draw_of_given_indices_and_errors():
    idx = np.random.default_rng(1).integers(0, 30, size=(10, 30), dtype=np.int32)
    chunks = list(index_chunks(30, 0, indices=idx, step=4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert np.array_equal(np.concatenate(chunks), idx)
    with pytest.raises(ValueError, match="n_boot"):
        index_chunks(30, 1, seed=1)
    with pytest.raises(ValueError, match="0-based"):
        index_chunks(30, 0, indices=idx + 1)
    with pytest.raises(ValueError, match="step"):
        index_chunks(30, 10, seed=1, step=0)


@pytest.mark.parametrize("n", [30, 3000])  # vectorised and row-by-row counting
def test_resample_counts_and_buffer_reuse(n):
    idx = np.random.default_rng(2).integers(0, n, size=(6, n))
    expected = np.stack([np.bincount(r, minlength=n) for r in idx]).astype(float)
    assert np.array_equal(resample_counts(idx, n), expected)
    buffer = np.full(10 * n, -1.0)
    got = resample_counts(idx, n, buffer)
    assert np.shares_memory(got, buffer)
    assert np.array_equal(got, expected)


def test_packed_cross_products_give_the_full_correlations():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((40, 5))
    packed = cross_products(z)
    assert packed.shape == (40, 15)
    full = (z[:, :, None] * z[:, None, :]).reshape(40, 25)
    assert np.array_equal(unpack_symmetric(packed, 5), full.reshape(40, 5, 5))
    idx = rng.integers(0, 40, size=(4, 40))
    counts = resample_counts(idx, 40)
    got = resample_correlations(z, counts, packed)
    assert np.array_equal(got, resample_correlations(z, counts))
    assert_allclose(got, resample_correlations(z, counts, full), rtol=0, atol=1e-14)
    for b in range(4):
        assert_allclose(got[b], np.corrcoef(z[idx[b]], rowvar=False), atol=1e-13)


def test_resample_moments_give_the_correlations_of_transformed_resamples():
    """``ResampleMoments.correlations(T)``: the correlations of the same resamples of
    ``Z T`` (the Bollen-Stine data), against numpy.corrcoef of the transformed rows."""
    rng = np.random.default_rng(4)
    z = rng.standard_normal((50, 4))
    t = rng.standard_normal((4, 4)) + 2 * np.eye(4)
    idx = rng.integers(0, 50, size=(6, 50))
    moments = resample_moments(z, resample_counts(idx, 50))
    assert len(moments) == 6 and moments.p == 4 and moments.n == 50
    assert moments.nbytes == (6 * 4 + 6 * 10 + 6) * 8
    plain, transformed = moments.correlations(), moments.correlations(t)
    for b in range(6):
        assert_allclose(plain[b], np.corrcoef(z[idx[b]], rowvar=False), atol=1e-13)
        assert_allclose(transformed[b], np.corrcoef((z @ t)[idx[b]], rowvar=False),
                        atol=1e-13)
    joined = ResampleMoments.concat([moments.rows(0, 2), moments.rows(2, 6)],
                                    items=("a", "b", "c", "d"), seed=3)
    assert joined.items == ("a", "b", "c", "d") and joined.seed == 3
    assert np.array_equal(joined.correlations(t), transformed)
    # an item constant in a resample: NaN matrix
    z2 = z.copy()
    z2[:, 0] = np.where(np.arange(50) < 25, 1.0, -1.0)
    one_half = np.tile(np.arange(25), 2)[None]
    assert np.isnan(resample_moments(z2, resample_counts(one_half, 50)).correlations()).all()


def test_cross_products_by_row_blocks_for_wide_long_surveys(monkeypatch):
    """Above CROSS_BYTES the row cross-products are not formed at once: the resample
    sums come block by block of rows and equal the one-product sums (to rounding)."""
    from cxsurvey.stats.pls import resample as resample_module

    rng = np.random.default_rng(6)
    z = rng.standard_normal((103, 6))
    counts = resample_counts(rng.integers(0, 103, size=(5, 103)), 103)
    whole = resample_moments(z, counts, cross_products(z))
    assert shared_cross_products(z) is not None
    monkeypatch.setattr(resample_module, "CROSS_BYTES", 103 * 21 * 8 - 1)
    monkeypatch.setattr(resample_module, "_BLOCK_BYTES", 10 * 21 * 8)  # blocks of 10 rows
    assert shared_cross_products(z) is None
    blocks = resample_moments(z, counts, None)
    assert_allclose(blocks.s2, whole.s2, rtol=1e-13, atol=1e-12)
    assert np.array_equal(blocks.s1, whole.s1) and np.array_equal(blocks.m, whole.m)
    assert_allclose(resample_correlations(z, counts), whole.correlations(), atol=1e-14)
