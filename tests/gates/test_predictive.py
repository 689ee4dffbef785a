"""Shmueli et al.'s (2019) PLSpredict verdict (``gates.predictive.predictive_power``)."""

from __future__ import annotations

import pytest

from cxsurvey.gates.predictive import predictive_power
from cxsurvey.stats.pls.predict import PredictionCounts


@pytest.mark.parametrize(("higher", "q2_positive", "verdict"), [
    (0, 6, "high"), (1, 6, "medium"), (3, 6, "medium"), (4, 6, "low"), (5, 6, "low"),
    (6, 6, "none"), (0, 0, "none"), (2, 1, "medium")])
def test_predictive_power_rule(higher: int, q2_positive: int, verdict: str) -> None:
    counts = PredictionCounts(metric="rmse", n_indicators=6, n_pls_lower=6 - higher,
                              n_pls_higher=higher, n_q2_positive=q2_positive)
    assert predictive_power(counts) == verdict


def test_predictive_power_needs_indicators() -> None:
    with pytest.raises(ValueError, match="at least one"):
        predictive_power(PredictionCounts("rmse", 0, 0, 0, 0))
