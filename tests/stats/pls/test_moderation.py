"""Moderation (two-stage and product-indicator interaction terms) against seminr 0.2.1.

Reference: tests/data/pls/moderation_hoc_seminr_reference.json, written by
tests/data/pls/make_moderation_hoc_reference.py (seminr's interaction_term on mobi).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsurvey.errors import InputError
from cxsurvey.model.syntax import check_cb_syntax, interaction_terms, parse_syntax
from cxsurvey.stats.pls.moderation import (
    bootstrap_moderation,
    fit_moderation,
    moderated_model,
)
from cxsurvey.stats.pls.resample import draw_indices

DATA = Path(__file__).parents[2] / "data" / "pls"
REF = json.loads((DATA / "moderation_hoc_seminr_reference.json").read_text())["moderation"]
TOL = 1e-6

CONSTRUCTS = {"Image": [f"IMAG{i}" for i in range(1, 6)],
              "Expectation": [f"CUEX{i}" for i in range(1, 4)],
              "Satisfaction": [f"CUSA{i}" for i in range(1, 4)]}
PATHS = [("Image", "Satisfaction"), ("Expectation", "Satisfaction"),
         ("Image:Expectation", "Satisfaction")]


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    return pd.read_csv(DATA / "mobi.csv")


def _ours(paths: pd.DataFrame, inter: pd.DataFrame) -> dict[str, float]:
    out = {f"{a} -> {b}": v for a, b, v in zip(paths["from"], paths["to"], paths["est"],
                                               strict=True)}
    for t, o, v in zip(inter["term"], inter["outcome"], inter["est"], strict=True):
        out[f"{t} -> {o}"] = v
    return {k.replace(":", "*"): v for k, v in out.items()}


@pytest.mark.parametrize("method", ["two_stage", "product_indicator"])
def test_fit_matches_seminr(mobi: pd.DataFrame, method: str) -> None:
    ref = REF[method]
    res = fit_moderation(mobi, CONSTRUCTS, PATHS, method=method)
    ours = _ours(res.fit.paths, res.interactions)
    assert set(ours) == set(ref["paths"])
    for key, value in ref["paths"].items():
        assert ours[key] == pytest.approx(value, abs=TOL), key
    for table, name in ((res.fit.loadings, "loadings"), (res.fit.weights, "weights")):
        got = {f"{c}|{i}": v for c, i, v in zip(table["construct"], table["item"],
                                                table["est"], strict=True)}
        for key, value in ref[name].items():
            assert got[key] == pytest.approx(value, abs=TOL), key
    r2 = res.fit.r2.set_index("construct")["r2"]
    assert r2["Satisfaction"] == pytest.approx(ref["r2"]["Satisfaction"], abs=TOL)
    assert res.interactions["f2"].iloc[0] == pytest.approx(ref["f2_interaction"], abs=TOL)
    slopes = res.slopes.set_index("moderator_value")["slope"]
    for m, value in ref["slopes"].items():
        assert slopes[float(m)] == pytest.approx(value, abs=TOL)


@pytest.mark.parametrize("method", ["two_stage", "product_indicator"])
def test_bootstrap_matches_seminr_on_shared_resamples(mobi: pd.DataFrame, method: str) -> None:
    boot_ref = REF[method]["boot"]
    indices = draw_indices(len(mobi), boot_ref["n_boot"], boot_ref["seed"])
    res = bootstrap_moderation(mobi, CONSTRUCTS, PATHS, method=method, indices=indices,
                               bca=False)
    assert res.boot.n_used == boot_ref["n_boot"]
    paths = res.boot.paths
    sd = {f"{a} -> {b}": v for a, b, v in zip(paths["from"], paths["to"], paths["se"],
                                              strict=True)}
    mean = {f"{a} -> {b}": v for a, b, v in zip(paths["from"], paths["to"],
                                                paths["boot_mean"], strict=True)}
    inter = res.interactions.iloc[0]
    sd["Image:Expectation -> Satisfaction"] = inter["se"]
    mean["Image:Expectation -> Satisfaction"] = inter["boot_mean"]
    for key, value in boot_ref["paths_sd"].items():
        assert sd[key.replace("*", ":")] == pytest.approx(value, abs=TOL), key
        assert mean[key.replace("*", ":")] == pytest.approx(boot_ref["paths_mean"][key],
                                                            abs=TOL), key


def test_slope_plot_data_is_the_moderated_regression(mobi: pd.DataFrame) -> None:
    res = fit_moderation(mobi, CONSTRUCTS, PATHS)
    ref = REF["two_stage"]["paths"]
    b_x, b_m = ref["Image -> Satisfaction"], ref["Expectation -> Satisfaction"]
    b_xm = ref["Image*Expectation -> Satisfaction"]
    for _, row in res.slopes.iterrows():
        m = row["moderator_value"]
        assert row["y_at_iv_high"] == pytest.approx(b_x + b_m * m + b_xm * m, abs=TOL)
        assert row["y_at_iv_low"] == pytest.approx(-b_x + b_m * m - b_xm * m, abs=TOL)
    # f2 from the R^2 of the main-effects model (stage 1) and of the moderated model
    main_r2 = res.main_effects.r2.set_index("construct")["r2"]["Satisfaction"]
    assert res.interactions["r2_excluded"].iloc[0] == pytest.approx(main_r2, abs=1e-9)


def test_syntax_reads_interactions_and_cb_refuses_them() -> None:
    spec = parse_syntax("Image =~ IMAG1 + IMAG2\nExpectation =~ CUEX1 + CUEX2\n"
                        "Satisfaction =~ CUSA1 + CUSA2\n"
                        "Satisfaction ~ Image + Expectation + Image:Expectation\n")
    assert interaction_terms(spec) == (("Image", "Expectation", "Satisfaction"),)
    with pytest.raises(InputError, match="PLS-SEM only"):
        check_cb_syntax(spec)
    with pytest.raises(InputError, match="right of '~'"):
        parse_syntax("A =~ x1:x2")
    check_cb_syntax(parse_syntax("A =~ x1 + x2\nB =~ y1 + y2\nB ~ A\n"))


def test_interaction_needs_both_main_effects() -> None:
    with pytest.raises(InputError, match="both"):
        moderated_model(CONSTRUCTS, [("Image", "Satisfaction"),
                                     ("Image:Expectation", "Satisfaction")])
    with pytest.raises(InputError, match="not a construct"):
        moderated_model(CONSTRUCTS, [*PATHS, ("Image:Nope", "Satisfaction")])


def test_bootstrap_is_reproducible(mobi: pd.DataFrame) -> None:
    a = bootstrap_moderation(mobi, CONSTRUCTS, PATHS, n_boot=30, seed=3, bca=True)
    b = bootstrap_moderation(mobi, CONSTRUCTS, PATHS, n_boot=30, seed=3, bca=True,
                             chunk_size=7, jobs=2)
    np.testing.assert_allclose(a.boot.paths["se"], b.boot.paths["se"], rtol=1e-12)
    np.testing.assert_allclose(a.slopes["se"], b.slopes["se"], rtol=1e-12)
    assert np.isfinite(a.boot.paths["bca_lower"]).all()


def test_run_pls_model_reports_the_interaction(mobi: pd.DataFrame) -> None:
    from cxsurvey.stats.pls.run import run_pls, run_pls_model

    spec = parse_syntax("Image =~ IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5\n"
                        "Expectation =~ CUEX1 + CUEX2 + CUEX3\n"
                        "Satisfaction =~ CUSA1 + CUSA2 + CUSA3\n"
                        "Satisfaction ~ Image + Expectation + Image:Expectation\n")
    run = run_pls_model(mobi, spec.constructs, spec, n_boot=20, seed=1)
    assert run.moderation is not None and run.higher_order is None
    paths = run.paths.paths.set_index("from")
    ref = REF["two_stage"]["paths"]
    assert paths.loc["Image:Expectation", "est"] == pytest.approx(
        ref["Image*Expectation -> Satisfaction"], abs=TOL)
    assert paths.loc["Image:Expectation", "se"] == pytest.approx(
        run.moderation.interactions["se"].iloc[0], abs=1e-12)
    assert "Image:Expectation" in set(run.pls.outer["construct"])
    pls, result = run_pls(mobi, spec.constructs, spec, n_boot=20, seed=1)
    pd.testing.assert_frame_equal(result.paths, run.paths.paths)


def test_listwise_deletion_is_the_fit_of_the_complete_rows(mobi: pd.DataFrame) -> None:
    data = mobi.copy()
    data.loc[[3, 7], "IMAG2"] = np.nan
    data.loc[5, "CUEX1"] = np.nan
    res = fit_moderation(data, CONSTRUCTS, PATHS, method="product_indicator")
    complete = fit_moderation(data.dropna(), CONSTRUCTS, PATHS, method="product_indicator")
    assert (res.n, res.n_dropped) == (247, 3)
    pd.testing.assert_frame_equal(res.interactions, complete.interactions)
    mean = fit_moderation(data, CONSTRUCTS, PATHS, missing="mean")
    assert (mean.n, mean.n_replaced) == (250, 3)
