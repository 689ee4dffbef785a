"""Full collinearity VIF against R (lm) and statsmodels, and its degenerate cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.outliers_influence import variance_inflation_factor
from support import DATA, load_json

from cxsurvey.app.pipeline import analyse
from cxsurvey.io import load_survey
from cxsurvey.stats.items.collinearity import construct_scores, full_collinearity_vif

REF = "collinearity_reference.json"  # tests/data/r/make_collinearity_reference.R


@pytest.mark.parametrize(("case", "csv"), [("bfi", "bfi.csv"),
                                           ("holzinger_swineford",
                                            "holzinger_swineford_1939.csv")])
def test_full_collinearity_vif_matches_r_lm(case: str, csv: str) -> None:
    """Scores = item means on complete rows; VIF = 1/(1 - R2) from R's lm(), to 1e-10."""
    ref = load_json(REF)[case]
    data = pd.read_csv(DATA / csv)
    constructs = {c: tuple(its) for c, its in ref["constructs"].items()}
    scores = construct_scores(data, constructs)
    assert len(scores) == ref["n"]
    got = full_collinearity_vif(scores).set_index("construct")["vif"]
    np.testing.assert_allclose(got[list(ref["vif"])], list(ref["vif"].values()), rtol=1e-10)


def test_pipeline_reports_the_r_values_for_bfi() -> None:
    """End to end: the run's collinearity table (constructs inferred from bfi's columns)."""
    ref = load_json(REF)["bfi"]["vif"]
    res = analyse(load_survey(DATA / "bfi.csv", None), ("reliability",))
    got = res.collinearity.set_index("construct")["vif"]
    np.testing.assert_allclose(got[list(ref)], list(ref.values()), rtol=1e-10)


def test_full_collinearity_vif_equals_statsmodels_ols_vif() -> None:
    """VIF_j = 1/(1 - R2_j) from OLS with an intercept (statsmodels), to 1e-10."""
    rng = np.random.default_rng(2)
    base = rng.standard_normal((300, 1))
    scores = pd.DataFrame(base @ np.array([[0.9, 0.5, 0.2, 0.7]])
                          + rng.standard_normal((300, 4)), columns=list("ABCD"))
    ours = full_collinearity_vif(scores)["vif"].to_numpy()
    exog = np.column_stack([np.ones(len(scores)), scores.to_numpy()])
    ref = [variance_inflation_factor(exog, j) for j in range(1, 5)]
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
    assert (ours > 1).all()


def test_full_collinearity_vif_degenerate_cases() -> None:
    one = full_collinearity_vif(pd.DataFrame({"A": [1.0, 2, 3]}))
    assert one["vif"].isna().all()
    const = full_collinearity_vif(pd.DataFrame({"A": [1.0, 2, 3, 4, 5], "B": [2.0] * 5,
                                                "C": [1.0, 3, 2, 5, 4]}))
    assert np.isnan(const["vif"][1]) and np.isfinite(const["vif"][0])
    dup = full_collinearity_vif(pd.DataFrame({"A": [1.0, 2, 3, 4, 6], "B": [1.0, 2, 3, 4, 6],
                                              "C": [1.0, 3, 2, 5, 4]}))
    assert not np.isfinite(dup["vif"][0]) or dup["vif"][0] > 1e10


def test_construct_scores_are_item_means_on_complete_rows() -> None:
    items = pd.DataFrame({"a1": [1.0, 2, np.nan, 4], "a2": [3.0, 2, 1, 4], "b1": [5.0, 4, 3, 2]})
    s = construct_scores(items, {"A": ("a1", "a2"), "B": ("b1",)})
    assert list(s.index) == [0, 1, 3]
    assert s.loc[0, "A"] == 2.0 and s.loc[3, "B"] == 2.0
