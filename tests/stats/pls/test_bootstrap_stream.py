"""The PLS bootstrap draws its resample indices chunk by chunk (never the whole
``(n_boot, n)`` matrix): the results equal those of the explicit one-shot index matrix
(numpy's ``integers(0, n, size=(n_boot, n))``, the reference) exactly, whatever the
number of threads."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsurvey.stats.pls import chunks as chunks_module
from cxsurvey.stats.pls.bootstrap import bootstrap_pls
from cxsurvey.stats.pls.resample import draw_indices


def _data(n: int = 60, seed: int = 8) -> tuple[pd.DataFrame, dict, list]:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    g = 0.5 * f + rng.standard_normal(n)
    cols = {f"a{i}": f + rng.standard_normal(n) for i in range(3)}
    cols |= {f"b{i}": g + rng.standard_normal(n) for i in range(3)}
    return (pd.DataFrame(cols), {"A": ("a0", "a1", "a2"), "B": ("b0", "b1", "b2")},
            [("A", "B")])


@pytest.mark.parametrize("jobs", [1, 2])
def test_memory_bounded_chunks_reproduce_the_index_matrix(monkeypatch, jobs):
    data, constructs, paths = _data()
    # chunks of 7 resamples: 7 * 60 * 8 bytes of indices per chunk
    monkeypatch.setattr(chunks_module, "CHUNK_BYTES", 7 * 60 * 8)
    assert chunks_module.chunk_rows(60, 1000) == 7
    calls: list[tuple[int, int]] = []
    streamed = bootstrap_pls(data, constructs, paths, n_boot=100, seed=5, jobs=jobs,
                             progress=lambda done, total: calls.append((done, total)))
    explicit = bootstrap_pls(data, constructs, paths, indices=draw_indices(60, 100, 5),
                             jobs=1, chunk_size=7)
    for table in ("paths", "loadings", "weights", "htmt", "r2", "total_effects"):
        pd.testing.assert_frame_equal(getattr(streamed, table), getattr(explicit, table),
                                      check_exact=True)
    for key, draws in explicit.draws.items():
        assert np.array_equal(streamed.draws[key], draws)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (160, 160)  # 100 resamples + 60 jackknife samples


def test_wide_long_surveys_form_cross_products_by_blocks(monkeypatch):
    """A survey whose row cross-products exceed CROSS_BYTES bootstraps with them formed
    block by block of rows in every chunk: the same estimates to rounding."""
    from cxsurvey.stats.pls import resample as resample_module

    data, constructs, paths = _data()
    shared = bootstrap_pls(data, constructs, paths, n_boot=60, seed=2, jobs=1)
    monkeypatch.setattr(resample_module, "CROSS_BYTES", 0)
    monkeypatch.setattr(resample_module, "_BLOCK_BYTES", 7 * 21 * 8)
    blocked = bootstrap_pls(data, constructs, paths, n_boot=60, seed=2, jobs=2)
    for table in ("paths", "loadings", "weights", "htmt"):
        pd.testing.assert_frame_equal(getattr(blocked, table), getattr(shared, table),
                                      rtol=1e-10, atol=1e-12)
