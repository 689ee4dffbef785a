"""Item correlations against lavaan's ``lavCor`` definitions, listwise and pairwise.

Reference: tests/data/bfi.csv (364 of 2800 rows incomplete); pairwise correlations are
``cov2cor`` of the pairwise-complete covariance matrix, listwise ones those of the
complete rows.
"""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose
from support import load_csv

from cxsurvey.stats.validity import item_correlation


def test_item_correlation_pairwise_is_cov2cor_of_pairwise_covariance():
    items = load_csv("bfi.csv")[["A1", "A2", "C1"]]
    got = item_correlation(items, missing="pairwise")
    cov = items.cov()
    sd = np.sqrt(np.diag(cov))
    assert_allclose(got.to_numpy(), cov.to_numpy() / np.outer(sd, sd), rtol=0, atol=1e-14)
    listwise = item_correlation(items)
    assert_allclose(listwise.to_numpy(), items.dropna().corr().to_numpy(), rtol=0, atol=1e-14)
