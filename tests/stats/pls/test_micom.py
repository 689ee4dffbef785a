"""MICOM (Henseler, Ringle & Sarstedt, 2016) against cSEM's definitions.

Reference: ``tests/data/pls/micom_reference.json``, written by
``tests/data/pls/make_mga_reference.py micom``: steps 2 and 3 as cSEM's ``testMICOM``
defines them, with the group and pooled weights and scores estimated by seminr (Python)
0.2.1 (an independent PLS engine; R cSEM itself could not be installed here), on the ECSI
model with mobi split by ``CUEX1 < 8``, split into thirds by row (three groups: Holm
adjustment over the pairs) and on the cx_journey sample split by Channel. The
permutations are rebuilt here with numpy from the seeds in the JSON.

Tolerance 1e-6; measured: <= 2.2e-15 for c, its 5% quantile, the mean and log-variance
differences and their quantiles; permutation p-values and Holm adjustments exactly equal.

The slow simulation checks the size (200 replications under equal groups: rejection
rates of all three permutation tests 2-9%) and power (a different weighting and a mean
shift in group 2).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.multitest import multipletests
from support import DATA, load_json

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.adjust import holm
from cxsurvey.stats.pls.micom import (
    Micom,
    configural_checks,
    draw_permutations,
    group_data,
    micom,
)

TOL = 1e-6
STEP2 = {"c": "c", "q05": "c_q05", "pvalue": "c_p", "pvalue_holm": "c_p_holm"}
STEP3 = {"diff": "_diff", "q025": "_q025", "q975": "_q975", "pvalue": "_p",
         "pvalue_holm": "_p_holm"}


@cache
def _run(name: str) -> tuple[Micom, dict]:
    ref = load_json("pls/micom_reference.json")["datasets"][name]
    data = (pd.read_csv(DATA / "cx_journey_items.csv") if name.startswith("cx")
            else pd.read_csv(DATA / "pls" / "mobi.csv"))
    labels = np.array(ref["labels"])
    rng = np.random.Generator(np.random.PCG64(ref["perm_seed"]))
    perms = np.stack([rng.permutation(len(labels)) for _ in range(ref["n_perm"])])
    result = micom(data, labels, ref["constructs"], [tuple(p) for p in ref["paths"]],
                   permutations=perms)
    return result, ref


@pytest.mark.parametrize("name", ["mobi_ecsi_cuex1", "mobi_ecsi_thirds",
                                  "cx_journey_channel"])
def test_matches_csem_definitions(name: str) -> None:
    result, ref = _run(name)
    assert list(result.groups) == ref["groups"]
    assert result.n_used == ref["n_perm"]
    for pair, expected in ref["pairs"].items():
        a, b = pair.split("|")
        for frame, columns, prefix in ((result.compositional, STEP2, ""),
                                       (result.means, STEP3, "mean"),
                                       (result.variances, STEP3, "logvar")):
            rows = frame[(frame["group_a"] == a) & (frame["group_b"] == b)]
            assert rows["construct"].tolist() == ref["constructs_order"]
            for ours, theirs in columns.items():
                assert_allclose(rows[ours], expected[prefix + theirs if prefix else theirs],
                                rtol=0, atol=TOL, err_msg=f"{pair} {prefix} {ours}")


def test_decisions_follow_the_quantiles() -> None:
    result, _ = _run("mobi_ecsi_cuex1")
    comp = result.compositional.set_index("construct")
    assert (comp["invariant"] == (comp["c"] >= comp["q05"])).all()
    # a single-item construct has the same composite in every group
    assert comp.loc["Complaints", "c"] == pytest.approx(1.0, abs=1e-14)
    assert comp.loc["Complaints", "invariant"] and comp.loc["Complaints", "pvalue"] == 1.0
    for frame in (result.means, result.variances):
        within = (frame["q025"] <= frame["diff"]) & (frame["diff"] <= frame["q975"])
        assert (frame["within"] == within).all()
    # splitting on an Expectation item shifts the Expectation mean far out of the band
    means = result.means.set_index("construct")
    assert not means.loc["Expectation", "within"] and means.loc["Expectation", "pvalue"] == 0
    assert result.configural_ok and result.configural["n"].sum() == 250 * 24


def test_holm_equals_statsmodels() -> None:
    rng = np.random.default_rng(5)
    p = rng.uniform(0, 0.2, size=(6, 4))
    p[2, 1] = np.nan
    ours = holm(p, axis=0)
    for j in range(4):
        ok = np.isfinite(p[:, j])
        assert_allclose(ours[ok, j], multipletests(p[ok, j], method="holm")[1], atol=1e-15)
    assert np.isnan(ours[2, 1])


def test_configural_checks_and_zero_variance_group() -> None:
    mobi = pd.read_csv(DATA / "pls" / "mobi.csv")
    model = ({"Image": ["IMAG1", "IMAG2"], "Expectation": ["CUEX1", "CUEX2"]},
             [("Image", "Expectation")])
    labels = np.where(mobi["CUEX1"] == 10, "top", "rest")
    grouped = group_data(mobi, labels, *model)
    checks = configural_checks(grouped)
    bad = checks[~checks["ok"]]
    assert bad[["group", "item"]].values.tolist() == [["top", "CUEX1"]]
    with pytest.raises(AnalysisError, match="no variance in group 'top'"):
        micom(mobi, labels, *model, n_perm=20)


def test_reproducible_and_checked_inputs() -> None:
    mobi = pd.read_csv(DATA / "pls" / "mobi.csv")
    model = ({"Image": ["IMAG1", "IMAG2", "IMAG3"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]},
             [("Image", "Loyalty")])
    labels = pd.Series(np.where(mobi["CUSCO"] > 7, "high", "low"), dtype=object)
    first = micom(mobi, labels, *model, n_perm=200)
    again = micom(mobi, labels, *model, n_perm=200)
    pd.testing.assert_frame_equal(first.compositional, again.compositional)
    pd.testing.assert_frame_equal(first.means, again.means)
    labels[:5] = None
    dropped = micom(mobi, labels, *model, n_perm=50)
    assert sum(dropped.sizes.values()) == 245 and "5 row(s)" in dropped.warnings[0]
    with pytest.raises(ValueError, match="permutation of"):
        draw_permutations(3, 0, permutations=np.array([[0, 1, 1], [2, 1, 0]]))
    with pytest.raises(InputError, match="does not occur"):
        micom(mobi, labels, *model, n_perm=20, order=["high", "medium"])
    with pytest.raises(InputError, match="at least 2 groups"):
        micom(mobi, np.repeat("x", 250), *model, n_perm=20)


# ---------------------------------------------------------------------------------------
# Simulation: size and power of the three permutation tests
# ---------------------------------------------------------------------------------------

SIM_MODEL = ({"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3"]}, [("A", "B")])


def _sample(rng: np.random.Generator, n: int, loadings: list[float],
            shift: float) -> pd.DataFrame:
    """Composite A formed by items with the given loadings on a latent variable with mean
    ``shift``; B with fixed loadings, correlated 0.5 with A."""
    eta_a = rng.standard_normal(n)
    eta_b = 0.5 * eta_a + np.sqrt(0.75) * rng.standard_normal(n)
    la, lb = np.array(loadings), np.array([0.8, 0.7, 0.6])
    xa = (eta_a + shift)[:, None] * la + rng.standard_normal((n, 3)) * np.sqrt(1 - la ** 2)
    xb = eta_b[:, None] * lb + rng.standard_normal((n, 3)) * np.sqrt(1 - lb ** 2)
    return pd.DataFrame(np.hstack([xa, xb]), columns=["a1", "a2", "a3", "b1", "b2", "b3"])


def _rejections(reps: int, loadings2: list[float], shift2: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    labels = np.repeat(["g1", "g2"], 100)
    out = []
    for r in range(reps):
        data = pd.concat([_sample(rng, 100, [0.8, 0.7, 0.6], 0.0),
                          _sample(rng, 100, loadings2, shift2)], ignore_index=True)
        result = micom(data, labels, *SIM_MODEL, n_perm=199, seed=r)
        out.append([frame.set_index("construct").loc["A", "pvalue"] < 0.05
                    for frame in (result.compositional, result.means, result.variances)])
    return np.mean(out, axis=0)


@pytest.mark.slow
def test_simulated_size_and_power() -> None:
    size = _rejections(200, [0.8, 0.7, 0.6], 0.0, seed=1)
    assert np.all((size >= 0.02) & (size <= 0.09)), size
    power = _rejections(100, [0.1, 0.5, 0.9], 0.5, seed=2)
    # a different weighting (step 2) and a mean shift (step 3) are found far more often
    assert power[0] > 0.4 and power[1] > 0.5, power
