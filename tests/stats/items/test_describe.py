"""describe(): against the R/SPSS reference on bfi and against hand-computed counts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA

from cxsurvey.stats.items.describe import describe

REF = json.loads((DATA / "bfi_reliability_normality_reference.json").read_text())


@pytest.fixture(scope="module")
def bfi_described():
    frame = pd.read_csv(DATA / "bfi.csv")
    items = [r["item"] for r in REF["normality"]]
    cons = {s: tuple(REF["scales"][s]["items"]) for s in REF["scales"]}
    return describe(frame[items], cons, (1, 6)).items.set_index("item")


@pytest.mark.parametrize("ref", REF["normality"], ids=[r["item"] for r in REF["normality"]])
def test_moments_match_spss_style_reference(bfi_described, ref):
    row = bfi_described.loc[ref["item"]]
    assert row["n"] == ref["n"] and row["missing"] == 2800 - ref["n"]
    # mean/sd/G1/G2 and SPSS's standard errors are closed forms: R and numpy differ only by
    # floating-point summation order (measured < 1e-14); 1e-10
    for key in ("mean", "sd", "skewness", "skewness_se", "kurtosis", "kurtosis_se"):
        assert_allclose(row[key], ref[key], rtol=0, atol=1e-10, err_msg=key)


def test_counts_percentages_and_flags_by_hand():
    items = pd.DataFrame({
        "A1": [1, 2, 2, 5, 5, 5, np.nan, 4],
        "A2": [3, 2, 2, 5, 4, 5, 3, 4],
        "A3": [4, 4, 4, 4, 4, 4, 4, 4],   # constant
        "A4": [2, 2, 1, 5, 5, 4, 3, 4],
        "A5": [1, 2, 1, 5, 3, 5, 3, 2],
    })
    items.loc[3, ["A1", "A2", "A4", "A5"]] = 4  # row 3 answers 4 everywhere
    res = describe(items, {"A": tuple(items.columns)}, (1, 5),
                   row_numbers=np.arange(10, 18), ids=pd.Series([f"r{i}" for i in range(8)]))
    a1 = res.items.set_index("item").loc["A1"]
    # A1 valid answers: 1, 2, 2, 4, 5, 5, 4 (7 answers): by hand
    assert a1["n"] == 7 and a1["missing"] == 1
    assert a1["median"] == 4.0 and a1["min"] == 1.0 and a1["max"] == 5.0
    assert_allclose([a1[f"pct_{k}"] for k in range(1, 6)],
                    [100 / 7, 200 / 7, 0.0, 200 / 7, 200 / 7], rtol=0, atol=1e-12)
    assert_allclose(a1["top2_box"], 400 / 7, rtol=0, atol=1e-12)
    assert res.zero_variance == ("A3",)
    a3 = res.items.set_index("item").loc["A3"]
    assert np.isnan(a3["skewness"]) and a3["sd"] == 0.0
    assert res.straightliners["row"].tolist() == [13]
    assert res.straightliners["id"].tolist() == ["r3"]
    assert res.straightliners["answer"].tolist() == [4.0]
