"""Descriptives with per-item scales: each item's percentages and top-2 box on its own points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsurvey.stats.items.describe import describe


def test_items_on_their_own_scales() -> None:
    items = pd.DataFrame({"A1": [1, 2, 4, 5, 5, 3], "Rec": [0, 10, 9, 6, 8, np.nan]})
    d = describe(items, {"A": ("A1",)}, (1, 5), scales={"A1": (1, 5), "Rec": (0, 10)})
    rows = d.items.set_index("item")
    assert d.scale_points == tuple(range(11))
    assert d.scales == {"A1": (1, 5), "Rec": (0, 10)}
    assert rows.loc["A1", "top2_box"] == pytest.approx(50.0)  # 4, 5, 5 of 6
    assert rows.loc["Rec", "top2_box"] == pytest.approx(40.0)  # 9, 10 of 5
    assert np.isnan(rows.loc["A1", "pct_0"]) and np.isnan(rows.loc["A1", "pct_6"])
    assert rows.loc["Rec", "pct_0"] == pytest.approx(20.0)


def test_one_shared_scale_is_unchanged() -> None:
    items = pd.DataFrame({"A1": [1, 2, 4, 5], "A2": [2, 2, 3, 5]})
    plain = describe(items, {"A": ("A1", "A2")}, (1, 5))
    same = describe(items, {"A": ("A1", "A2")}, (1, 5), scales={"A1": (1, 5), "A2": (1, 5)})
    pd.testing.assert_frame_equal(plain.items, same.items)
    assert same.scales == {} and same.scale_points == (1, 2, 3, 4, 5)
