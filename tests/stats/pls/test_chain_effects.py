"""Specific indirect effects of a batch: the product of the path coefficients along each
chain (Wright 1934), checked exactly against the left-to-right product."""

from __future__ import annotations

import numpy as np

from cxsurvey.stats.pls.estimate import batch_chain_effects


def test_chain_products_equal_the_left_to_right_product():
    beta = np.random.default_rng(0).standard_normal((7, 5, 5))
    chains = [(0, 1, 2), (0, 1, 2, 3, 4), (1, 3), (2, 4, 1)]
    expected = np.stack([np.prod([beta[:, a, b] for a, b in zip(c, c[1:], strict=False)],
                                 axis=0) for c in chains], axis=1)
    got = batch_chain_effects(beta, chains)
    assert got.shape == (7, 4)
    assert np.array_equal(got, expected)
    assert batch_chain_effects(beta, []).shape == (7, 0)
