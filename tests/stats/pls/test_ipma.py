"""Importance-performance map analysis (Ringle & Sarstedt, 2016).

Reference: ``tests/data/pls/ipma_reference.json``, written by
``tests/data/pls/make_ipma_reference.py``: PLS estimates of seminr (Python port) 0.2.1,
an engine independent of cxsurvey; the IPMA computed from them by another route than
cxsurvey's (unstandardised paths as OLS regressions of the rescaled construct scores,
total effects ``(I - B)^-1 - I``; cxsurvey scales its standardised total effects). The
values printed in Hair et al. (2018, Advanced Issues, ch. 3) could not be retrieved, so
they are not checked. Datasets: the extended corporate-reputation model (Mode B
drivers, -99 mean-replaced, 1-7 items, target CUSL) and the ECSI model on mobi (1-10
items, target Loyalty).

Tolerance 1e-6; measured (both engines with seminr's stop criterion 1e-7, which they
reach on the same iteration): importance <= 2.8e-15, performance <= 2.9e-14, rescaled
weights <= 1.6e-15, standardised total effects <= 3.3e-15.

Further checks: PLS on data rescaled to 0-100 beforehand (the route the book describes)
gives the same map; a hand-computed chain X -> M -> Y of single items.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA, load_json

from cxsurvey.errors import InputError
from cxsurvey.stats.pls.fit import fit_pls
from cxsurvey.stats.pls.ipma import Ipma, ipma, ipma_from_fit, item_scales

TOL = 1e-6
PLS = DATA / "pls"
KEYS = ["corp_rep_ext_cusl", "mobi_ecsi_loyalty"]


def _ref(key: str) -> dict:
    return load_json("pls/ipma_reference.json")["datasets"][key]


def _data(key: str) -> pd.DataFrame:
    ref = _ref(key)
    data = pd.read_csv(PLS / ("corp_rep_data.csv" if key.startswith("corp") else "mobi.csv"))
    if ref["missing_value"] is not None:
        data = data.replace(ref["missing_value"], np.nan)
    return data


@cache
def _ipma(key: str) -> Ipma:
    ref = _ref(key)
    return ipma(_data(key), ref["constructs"], [(a, b) for a, b in ref["paths"]],
                ref["target"], tuple(ref["scale"]), modes=ref["modes"],
                missing=ref["missing"])


@pytest.mark.parametrize("key", KEYS)
def test_construct_map_matches_reference(key):
    ref = _ref(key)
    out = _ipma(key)
    expected = pd.DataFrame(ref["constructs_ipma"])
    assert list(out.constructs["construct"]) == list(expected["construct"])
    assert_allclose(out.constructs["importance"], expected["importance"], rtol=0, atol=TOL)
    assert_allclose(out.constructs["performance"], expected["performance"], rtol=0, atol=TOL)
    assert_allclose(out.constructs["total_effect"], expected["total_effect_std"], rtol=0,
                    atol=TOL)
    assert out.target == ref["target"]
    assert out.target_performance == pytest.approx(ref["target_performance"], abs=TOL)


@pytest.mark.parametrize("key", KEYS)
def test_indicator_map_matches_reference(key):
    out = _ipma(key)
    expected = pd.DataFrame(_ref(key)["indicators_ipma"])
    assert list(out.indicators["item"]) == list(expected["item"])
    assert list(out.indicators["construct"]) == list(expected["construct"])
    for col in ("weight_rescaled", "importance", "performance"):
        assert_allclose(out.indicators[col], expected[col], rtol=0, atol=TOL, err_msg=col)
    assert_allclose(out.indicators["weight"], expected["weight_std"], rtol=0, atol=TOL)
    # the rescaled weights sum to 1 per construct, so item importances add up
    sums = out.indicators.groupby("construct", sort=False)["importance"].sum()
    assert_allclose(sums.to_numpy(), out.constructs.set_index("construct")
                    .loc[sums.index, "importance"].to_numpy(), rtol=1e-12)


def test_pls_on_rescaled_data_gives_the_same_map():
    # the book's route: rescale every item to 0-100 first, then run PLS (scale 0-100)
    ref = _ref("corp_rep_ext_cusl")
    data = _data("corp_rep_ext_cusl")
    items = [i for block in ref["constructs"].values() for i in block]
    rescaled = data.copy()
    rescaled[items] = (data[items] - 1.0) / 6.0 * 100.0
    paths = [(a, b) for a, b in ref["paths"]]
    out = ipma(rescaled, ref["constructs"], paths, "CUSL", (0, 100), modes=ref["modes"],
               missing="mean")
    base = _ipma("corp_rep_ext_cusl")
    for col in ("importance", "performance", "total_effect"):
        assert_allclose(out.constructs[col], base.constructs[col], rtol=0, atol=1e-9)
    for col in ("importance", "performance", "weight_rescaled", "weight"):
        assert_allclose(out.indicators[col], base.indicators[col], rtol=0, atol=1e-9)
    assert_allclose(out.indicators["mean"], (base.indicators["mean"] - 1) / 6 * 100,
                    rtol=0, atol=1e-9)


def _chain() -> tuple[pd.DataFrame, dict[str, tuple[str, ...]], list[tuple[str, str]]]:
    data = pd.DataFrame({"x": [1, 2, 3, 4, 5], "m": [1, 3, 2, 5, 4], "y": [2, 2, 4, 4, 5]})
    return data, {"X": ("x",), "M": ("m",), "Y": ("y",)}, [("X", "M"), ("M", "Y")]


def test_hand_computed_chain():
    # scale 1-5: x' = 0, 25, 50, 75, 100; m' = 0, 50, 25, 100, 75; y' = 25, 25, 75, 75, 100.
    # OLS slope m' on x' = 5000 / 6250 = 0.8; y' on m' = 3125 / 6250 = 0.5;
    # total effect X -> Y = 0.8 * 0.5 = 0.4. Performances 50, 50; target 60.
    data, constructs, paths = _chain()
    out = ipma(data, constructs, paths, "Y", (1, 5))
    table = out.constructs.set_index("construct")
    assert list(table.index) == ["X", "M"]
    assert_allclose(table["importance"], [0.4, 0.5], atol=1e-12)
    assert_allclose(table["performance"], [50.0, 50.0], atol=1e-12)
    assert out.target_performance == pytest.approx(60.0, abs=1e-12)
    assert_allclose(out.indicators["weight_rescaled"], [1.0, 1.0], atol=1e-12)
    assert_allclose(out.indicators["importance"], [0.4, 0.5], atol=1e-12)
    assert list(out.target_indicators["item"]) == ["y"]
    assert_allclose(out.scores["Y"], [25, 25, 75, 75, 100], atol=1e-12)
    assert out.warnings == ()


def test_per_item_scales():
    # y on a 0-10 scale instead: y' = 20, 20, 40, 40, 50 -> slope on m' = 0.5 * 0.4 = 0.2,
    # target performance 34
    data, constructs, paths = _chain()
    out = ipma(data, constructs, paths, "Y", {"x": (1, 5), "m": (1, 5), "y": (0, 10)})
    assert_allclose(out.constructs["importance"], [0.16, 0.2], atol=1e-12)
    assert out.target_performance == pytest.approx(34.0, abs=1e-12)


def test_two_item_construct_weights_normalised():
    # X measured by a (1-5) and b (1-9): rescaled weights w_i / sd'_i normalised to 1
    rng = np.random.default_rng(7)
    eta = rng.standard_normal(60)
    data = pd.DataFrame({
        "a": np.clip(np.round(3 + eta + rng.standard_normal(60) * 0.7), 1, 5),
        "b": np.clip(np.round(5 + 2 * eta + rng.standard_normal(60)), 1, 9),
        "y": np.clip(np.round(4 + eta + rng.standard_normal(60)), 1, 7)})
    constructs = {"X": ("a", "b"), "Y": ("y",)}
    scales = {"a": (1, 5), "b": (1, 9), "y": (1, 7)}
    fit = fit_pls(data, constructs, [("X", "Y")])
    out = ipma_from_fit(fit, data, "Y", scales)
    w = fit.weights.set_index("item")["est"]
    sd_rescaled = {"a": data["a"].std() * 100 / 4, "b": data["b"].std() * 100 / 8}
    raw = np.array([w["a"] / sd_rescaled["a"], w["b"] / sd_rescaled["b"]])
    assert_allclose(out.indicators["weight_rescaled"], raw / raw.sum(), rtol=1e-12)
    score = ((data["a"] - 1) / 4 * 100 * raw[0] + (data["b"] - 1) / 8 * 100 * raw[1]) / raw.sum()
    y = (data["y"] - 1) / 6 * 100
    slope = np.polyfit(score, y, 1)[0]
    assert out.constructs["importance"].iloc[0] == pytest.approx(slope, rel=1e-10)
    assert out.constructs["performance"].iloc[0] == pytest.approx(score.mean(), rel=1e-12)


def test_negative_weight_and_out_of_scale_warnings():
    assert any("qual_4" in w for w in _ipma("corp_rep_ext_cusl").warnings)
    assert _ipma("mobi_ecsi_loyalty").warnings == ()
    data, constructs, paths = _chain()
    out = ipma(data, constructs, paths, "Y", (1, 4))
    assert any("outside the given scale" in w for w in out.warnings)


def test_input_errors():
    data, constructs, paths = _chain()
    with pytest.raises(InputError, match="not a construct"):
        ipma(data, constructs, paths, "Z", (1, 5))
    with pytest.raises(InputError, match="no predecessor"):
        ipma(data, constructs, paths, "X", (1, 5))
    with pytest.raises(InputError, match="no scale range"):
        ipma(data, constructs, paths, "Y", {"x": (1, 5), "m": (1, 5)})
    with pytest.raises(InputError, match="minimum below"):
        ipma(data, constructs, paths, "Y", (5, 1))
    with pytest.raises(InputError, match="pair"):
        item_scales(["x"], {"x": (1, 5, 7)})
    fit = fit_pls(data, constructs, paths)
    with pytest.raises(ValueError, match="fitted to"):
        ipma_from_fit(fit, data.iloc[:4], "Y", (1, 5))
