"""Item thresholds on a hand example: Phi^-1 of the cumulative proportions of the
observed categories (lavaan's ``lav_uvord_th``), empty scale points dropped and recorded."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_allclose
from scipy.stats import norm

from cxsurvey.stats.ordinal import code_categories, item_thresholds


def test_thresholds_are_probits_of_cumulative_proportions():
    # 10 answers on a 1..5 scale: 1 x2, 2 x3, 4 x4, 5 x1 (3 empty), one missing
    values = [1, 1, 2, 2, 2, 4, 4, 4, 4, 5, np.nan]
    fit = item_thresholds(values)
    assert fit.categories == (1.0, 2.0, 4.0, 5.0)
    assert fit.counts.tolist() == [2, 3, 4, 1]
    assert fit.n == 10
    assert fit.empty == (3.0,)
    assert_allclose(fit.thresholds, norm.ppf([0.2, 0.5, 0.9]), rtol=0, atol=1e-15)
    assert fit.thresholds[1] == 0.0


def test_declared_scale_reports_unused_end_points():
    fit = item_thresholds([2, 3, 3, 4], scale=[1, 2, 3, 4, 5])
    assert fit.empty == (1.0, 5.0)
    assert len(fit.thresholds) == 2


def test_codes_are_consecutive_integers_of_observed_values():
    codes, cats = code_categories([7, 3, np.nan, 5, 3])
    assert cats == (3.0, 5.0, 7.0)
    assert codes.tolist() == [2, 0, -1, 1, 0]


def test_single_category_has_no_thresholds():
    fit = item_thresholds([4, 4, 4])
    assert fit.thresholds.size == 0 and fit.empty == ()
