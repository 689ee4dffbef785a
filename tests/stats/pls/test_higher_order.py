"""Higher-order constructs (repeated indicators, embedded and disjoint two-stage) against
seminr 0.2.1 (higher_composite and a repeated-indicators model on mobi).

Reference: tests/data/pls/moderation_hoc_seminr_reference.json, written by
tests/data/pls/make_moderation_hoc_reference.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.outliers_influence import variance_inflation_factor

from cxsurvey.errors import InputError
from cxsurvey.model.syntax import higher_order_constructs, parse_syntax
from cxsurvey.stats.pls.higher_order import (
    bootstrap_higher_order,
    fit_higher_order,
    higher_order_model,
)
from cxsurvey.stats.pls.resample import draw_indices

DATA = Path(__file__).parents[2] / "data" / "pls"
REF = json.loads((DATA / "moderation_hoc_seminr_reference.json").read_text())["hoc"]
TOL = 1e-6

CONSTRUCTS = {"Image": [f"IMAG{i}" for i in range(1, 6)],
              "Expectation": [f"CUEX{i}" for i in range(1, 4)],
              "Quality": [f"PERQ{i}" for i in range(1, 8)],
              "Value": ["PERV1", "PERV2"],
              "Satisfaction": [f"CUSA{i}" for i in range(1, 4)],
              "Loyalty": [f"CUSL{i}" for i in range(1, 4)],
              "Perception": ["Quality", "Value"]}
PATHS = [("Image", "Perception"), ("Expectation", "Perception"),
         ("Perception", "Satisfaction"), ("Satisfaction", "Loyalty"),
         ("Image", "Satisfaction")]
CASES = {"disjoint_A": ("disjoint_two_stage", "A"), "disjoint_B": ("disjoint_two_stage", "B"),
         "embedded_A": ("embedded_two_stage", "A"), "repeated_A": ("repeated_indicators", "A")}


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    return pd.read_csv(DATA / "mobi.csv")


def _named(frame: pd.DataFrame, value: str = "est") -> dict[str, float]:
    return {f"{a} -> {b}": v for a, b, v in zip(frame["from"], frame["to"], frame[value],
                                                strict=True)}


@pytest.mark.parametrize("case", list(CASES))
def test_fit_matches_seminr(mobi: pd.DataFrame, case: str) -> None:
    method, mode = CASES[case]
    ref = REF[case]
    res = fit_higher_order(mobi, CONSTRUCTS, PATHS, {"Perception": mode}, method=method)
    paths = _named(res.fit.paths)
    assert set(paths) == set(ref["paths"])
    for key, value in ref["paths"].items():
        assert paths[key] == pytest.approx(value, abs=TOL), key
    r2 = res.fit.r2.set_index("construct")["r2"]
    for c, value in ref["r2"].items():
        assert r2[c] == pytest.approx(value, abs=TOL), c
    meas = res.hoc_measurement.set_index("loc")
    for loc, value in ref.get("hoc_loadings", {}).items():
        assert meas.loc[loc, "loading"] == pytest.approx(value, abs=TOL)
        assert meas.loc[loc, "weight"] == pytest.approx(ref["hoc_weights"][loc], abs=TOL)
    if case == "repeated_A":
        # the HOC's loadings on its LOCs are the paths HOC -> LOC
        for loc in ("Quality", "Value"):
            assert meas.loc[loc, "loading"] == pytest.approx(
                ref["paths"][f"Perception -> {loc}"], abs=TOL)
        got = {f"{c}|{i.split('@')[0]}": v for c, i, v in zip(
            res.fit.loadings["construct"], res.fit.loadings["item"],
            res.fit.loadings["est"], strict=True) if c == "Perception"}
        for key, value in ref["loadings"].items():
            assert got[key] == pytest.approx(value, abs=TOL), key


@pytest.mark.parametrize("case", ["disjoint_A", "disjoint_B", "repeated_A"])
def test_bootstrap_matches_seminr_on_shared_resamples(mobi: pd.DataFrame, case: str) -> None:
    method, mode = CASES[case]
    boot_ref = REF[case]["boot"]
    indices = draw_indices(len(mobi), boot_ref["n_boot"], boot_ref["seed"])
    res = bootstrap_higher_order(mobi, CONSTRUCTS, PATHS, {"Perception": mode},
                                 method=method, indices=indices, bca=False)
    assert res.boot.n_used == boot_ref["n_boot"]
    sd, mean = _named(res.boot.paths, "se"), _named(res.boot.paths, "boot_mean")
    for key, value in boot_ref["paths_sd"].items():
        assert sd[key] == pytest.approx(value, abs=TOL), key
        assert mean[key] == pytest.approx(boot_ref["paths_mean"][key], abs=TOL), key


@pytest.mark.parametrize("case", ["disjoint_A", "disjoint_B", "embedded_A"])
def test_hoc_quality_criteria(mobi: pd.DataFrame, case: str) -> None:
    method, mode = CASES[case]
    ref = REF[case]["hoc_loadings"]
    res = fit_higher_order(mobi, CONSTRUCTS, PATHS, {"Perception": mode}, method=method)
    lam = np.array([ref["Quality"], ref["Value"]])
    rel = res.hoc_reliability.iloc[0]
    assert rel["rho_c"] == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2
                                                           + (1 - lam ** 2).sum()), abs=TOL)
    assert rel["ave"] == pytest.approx(np.mean(lam ** 2), abs=TOL)
    # stage-2 reliability of the HOC block = the same criteria on the LOC scores
    stage2 = res.fit.reliability.set_index("construct").loc["Perception"]
    assert stage2["rho_c"] == pytest.approx(rel["rho_c"], abs=1e-12)
    scores = res.scores[["Quality", "Value"]].to_numpy()
    x = np.column_stack([np.ones(len(scores)), scores])
    vif = [variance_inflation_factor(x, i) for i in (1, 2)]
    np.testing.assert_allclose(res.hoc_measurement["vif"], vif, rtol=1e-10)


def test_syntax_and_model_checks() -> None:
    spec = parse_syntax("Quality =~ PERQ1 + PERQ2\nValue =~ PERV1 + PERV2\n"
                        "Perception <~ Quality + Value\nSat =~ CUSA1\nSat ~ Perception\n")
    assert higher_order_constructs(spec) == {"Perception": ("Quality", "Value")}
    assert spec.modes["Perception"] == "B"
    with pytest.raises(InputError, match="by constructs"):
        higher_order_constructs(parse_syntax("A =~ a1 + a2\nH =~ A + x1\n"))
    with pytest.raises(InputError, match="lower-order construct"):
        higher_order_model(CONSTRUCTS, [*PATHS, ("Quality", "Loyalty")])
    with pytest.raises(InputError, match="one lower-order"):
        higher_order_model({**CONSTRUCTS, "Perception": ["Quality"]}, PATHS)
    with pytest.raises(InputError, match="no higher-order"):
        higher_order_model({"A": ["a1"], "B": ["b1"]}, [("A", "B")])


def test_run_pls_model_reports_the_hoc(mobi: pd.DataFrame) -> None:
    from cxsurvey.stats.pls.run import run_pls_model

    text = "\n".join(f"{c} =~ {' + '.join(its)}" for c, its in CONSTRUCTS.items()
                     if c != "Perception")
    spec = parse_syntax(text + "\nPerception <~ Quality + Value\n"
                        "Perception ~ Image + Expectation\nSatisfaction ~ Perception + Image\n"
                        "Loyalty ~ Satisfaction\n")
    constructs = {c: tuple(its) for c, its in spec.constructs.items()}
    run = run_pls_model(mobi, constructs, spec, n_boot=20, seed=1,
                        hoc_method="disjoint_two_stage")
    assert run.higher_order is not None and run.moderation is None
    paths = _named(run.paths.paths)
    for key, value in REF["disjoint_B"]["paths"].items():
        assert paths[key] == pytest.approx(value, abs=TOL), key
    # stage-1 rows of the LOCs, stage-2 rows of the rest
    assert {"Quality", "Value", "Perception"} <= set(run.pls.outer["construct"])
    hoc_rows = run.pls.outer[run.pls.outer["construct"] == "Perception"]
    assert list(hoc_rows["item"]) == ["Quality", "Value"]
    assert hoc_rows["loading"].to_numpy() == pytest.approx(
        [REF["disjoint_B"]["hoc_loadings"][c] for c in ("Quality", "Value")], abs=TOL)
    assert list(run.pls.reliability["construct"]).count("Quality") == 1
    with pytest.raises(InputError, match="both interaction terms and higher-order"):
        bad = parse_syntax(text + "\nPerception =~ Quality + Value\n"
                           "Satisfaction ~ Perception + Image + Perception:Image\n"
                           "Loyalty ~ Satisfaction\nPerception ~ Expectation\n")
        run_pls_model(mobi, dict(bad.constructs), bad, n_boot=5, seed=1)
