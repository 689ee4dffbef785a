"""HTMT, Fornell-Larcker, compRelSEM omega and AVE against R (lavaan 0.6-14, semTools 0.5-6).

References:
- tests/data/hs_cfa_reference.json, tests/data/political_democracy_sem_reference.json
  (copies of /work/shared/reference, described in its README, section 1 and 2:
  ``reliability`` and ``htmt`` entries, lavaan parameter estimates);
- tests/data/validity_reference.json, written by tests/data/r/make_validity_reference.R
  (HTMT on bfi with negative correlations and missing answers, listwise and pairwise; a
  Holzinger-Swineford CFA with a cross-loading; AVE with obs.var = FALSE; lavaan's
  Lambda / Theta / cov.lv / sample covariance matrices).

Tolerances are the ones of the issue (HTMT 1e-3, omega/AVE 2e-3); the measured maximum
deviations are rounding-level (all below 4e-15 when measured with numpy 2 / pandas 2 on
these files) and are noted next to each test.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import load_csv, load_json

from cxsurvey.stats.validity.discriminant import (
    ave_semtools,
    comp_rel_sem,
    cr_ave_table,
    fornell_larcker,
    fornell_larcker_passed,
    htmt,
    htmt_from_correlation,
    htmt_matrix,
    item_correlation,
    theta_matrix,
)

HTMT_TOL = 1e-3
REL_TOL = 2e-3

HS_CONSTRUCTS = {"visual": ("x1", "x2", "x3"), "textual": ("x4", "x5", "x6"),
                 "speed": ("x7", "x8", "x9")}
BFI_CONSTRUCTS = {s: tuple(f"{s}{i}" for i in range(1, 6)) for s in "ACENO"}

FILES = {
    "hs": ("hs_cfa_reference.json", "holzinger_swineford_1939.csv"),
    "pd": ("political_democracy_sem_reference.json", "political_democracy.csv"),
}


def _json(name: str) -> dict:
    return load_json(name)


def _csv(name: str, index_col: int | None = None) -> pd.DataFrame:
    return load_csv(name, index_col)


def _square(nested: dict, order: list[str] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(nested, orient="index").astype(float)
    if order is not None:
        frame = frame.loc[order, order]
    return frame


class Estimates:
    """lavaan estimates of a reference JSON (``all_parameters``) in the validity inputs."""

    def __init__(self, key: str) -> None:
        ref_name, csv_name = FILES[key]
        self.ref = _json(ref_name)
        params = self.ref["all_parameters"]
        self.loadings: dict[str, dict[str, float]] = {}
        for p in params:
            if p["op"] == "=~":
                self.loadings.setdefault(p["lhs"], {})[p["rhs"]] = p["est"]
        self.factors = list(self.loadings)
        self.indicators = [i for f in self.factors for i in self.loadings[f]]
        k = len(self.factors)
        beta = pd.DataFrame(0.0, index=self.factors, columns=self.factors)
        psi = pd.DataFrame(0.0, index=self.factors, columns=self.factors)
        variances: dict[str, float] = {}
        covariances: list[tuple[str, str, float]] = []
        for p in params:
            lhs, rhs, est = p["lhs"], p["rhs"], p["est"]
            if p["op"] == "~":
                beta.loc[lhs, rhs] = est
            elif p["op"] == "~~" and lhs in self.factors:
                psi.loc[lhs, rhs] = psi.loc[rhs, lhs] = est
            elif p["op"] == "~~" and lhs == rhs:
                variances[lhs] = est
            elif p["op"] == "~~":
                covariances.append((lhs, rhs, est))
        # model-implied latent covariance (lavInspect "cov.lv"): (I - B)^-1 Psi (I - B)^-T
        inv = np.linalg.inv(np.eye(k) - beta.to_numpy())
        self.cov_lv = pd.DataFrame(inv @ psi.to_numpy() @ inv.T, index=self.factors,
                                   columns=self.factors)
        self.psi = psi
        self.theta = theta_matrix(variances, covariances)
        self.residual_variances = variances
        data = _csv(csv_name)[self.indicators]
        # lavaan's sample covariance: divisor N
        self.sample_cov = data.cov(ddof=0)


@cache
def estimates(key: str) -> Estimates:
    return Estimates(key)


# ---------------------------------------------------------------------------------------
# HTMT
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("geometric", "key"), [(False, "htmt_arithmetic_mean"),
                                                (True, "htmt2_geometric_mean")])
def test_htmt_matches_semtools_holzinger_swineford(geometric, key):
    # measured max |diff|: 5.6e-17 (arithmetic), 3.3e-16 (geometric)
    hs = _csv("holzinger_swineford_1939.csv")
    ref = _square(_json("hs_cfa_reference.json")["htmt"][key], list(HS_CONSTRUCTS))
    square = htmt_matrix(hs, HS_CONSTRUCTS, geometric=geometric)
    assert list(square.index) == list(square.columns) == list(HS_CONSTRUCTS)
    assert_allclose(square.to_numpy(), ref.to_numpy(), rtol=0, atol=HTMT_TOL)

    long = htmt(hs, HS_CONSTRUCTS, geometric=geometric)
    assert list(long.columns) == ["a", "b", "value"]
    assert list(zip(long["a"], long["b"], strict=True)) == [
        ("visual", "textual"), ("visual", "speed"), ("textual", "speed")]
    expected = [ref.loc[a, b] for a, b in zip(long["a"], long["b"], strict=True)]
    assert_allclose(long["value"].to_numpy(), expected, rtol=0, atol=HTMT_TOL)


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
@pytest.mark.parametrize("geometric", [False, True])
def test_htmt_matches_semtools_bfi_negative_and_missing(missing, geometric):
    # raw bfi items: reverse-keyed items correlate negatively (absolute values count), and
    # 364 of 2800 rows are incomplete. measured max |diff|: listwise 6.7e-16 (arithmetic),
    # 5.8e-16 (geometric); pairwise 3.9e-16, 1.1e-15
    bfi = _csv("bfi.csv")
    ref_all = _json("validity_reference.json")["htmt_bfi"]
    key = f"{missing}_{'geometric' if geometric else 'arithmetic'}"
    ref = _square(ref_all[key], list(BFI_CONSTRUCTS))
    got = htmt_matrix(bfi, BFI_CONSTRUCTS, geometric=geometric, missing=missing)
    assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=0, atol=HTMT_TOL)


def test_htmt_missing_policies_differ_on_incomplete_data():
    bfi = _csv("bfi.csv")
    listwise = htmt_matrix(bfi, BFI_CONSTRUCTS, missing="listwise")
    pairwise = htmt_matrix(bfi, BFI_CONSTRUCTS, missing="pairwise")
    assert np.abs(listwise - pairwise).to_numpy().max() > 1e-4


def test_item_correlation_pairwise_is_cov2cor_of_pairwise_covariance():
    items = _csv("bfi.csv")[["A1", "A2", "C1"]]
    got = item_correlation(items, missing="pairwise")
    cov = items.cov()
    sd = np.sqrt(np.diag(cov))
    assert_allclose(got.to_numpy(), cov.to_numpy() / np.outer(sd, sd), rtol=0, atol=1e-14)
    listwise = item_correlation(items)
    assert_allclose(listwise.to_numpy(), items.dropna().corr().to_numpy(), rtol=0, atol=1e-14)


def test_htmt_from_correlation_equals_raw_data_route_and_ignores_sign():
    hs = _csv("holzinger_swineford_1939.csv")
    corr = hs[[f"x{i}" for i in range(1, 10)]].corr()
    flipped = hs.assign(x2=-hs["x2"], x7=-hs["x7"])
    for geometric in (False, True):
        a = htmt_from_correlation(corr, HS_CONSTRUCTS, geometric=geometric)
        b = htmt_matrix(flipped, HS_CONSTRUCTS, geometric=geometric)
        assert_allclose(a.to_numpy(), b.to_numpy(), rtol=0, atol=1e-12)
        assert_allclose(np.diag(a.to_numpy()), 1.0)


def test_htmt_single_item_construct_is_nan_and_bad_input_raises():
    hs = _csv("holzinger_swineford_1939.csv")
    constructs = {"visual": ("x1", "x2", "x3"), "one": ("x4",), "speed": ("x7", "x8", "x9")}
    long = htmt(hs, constructs)
    values = dict(zip(zip(long["a"], long["b"], strict=True), long["value"], strict=True))
    assert np.isnan(values[("visual", "one")]) and np.isnan(values[("one", "speed")])
    assert np.isfinite(values[("visual", "speed")])
    with pytest.raises(ValueError, match="both"):
        htmt(hs, {"a": ("x1", "x2"), "b": ("x2", "x3")})
    with pytest.raises(ValueError, match="no column"):
        htmt(hs, {"a": ("x1", "x2"), "b": ("x3", "nope")})
    with pytest.raises(ValueError, match="missing"):
        htmt(hs, HS_CONSTRUCTS, missing="fiml")
    with pytest.raises(ValueError, match="no items"):
        htmt(hs, {"a": ("x1", "x2"), "b": ()})


# ---------------------------------------------------------------------------------------
# compRelSEM omega and AVE
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["hs", "pd"])
@pytest.mark.parametrize(("obs_var", "ref_key"), [(True, "compRelSEM_omega"),
                                                  (False, "compRelSEM_omega_obsvar_false")])
def test_comp_rel_sem_matches_semtools(key, obs_var, ref_key):
    # measured max |diff|: HS 2.6e-15 (TRUE) / 8.9e-16 (FALSE), PD 3.9e-15 / 8.9e-16;
    # PD dem60/dem65: the residual covariances y2~~y4 and y6~~y8 count in the FALSE case
    est = estimates(key)
    ref = est.ref["reliability"][ref_key]
    got = comp_rel_sem(est.loadings, est.cov_lv, est.sample_cov, est.theta, obs_var=obs_var)
    assert list(got.index) == est.factors
    assert_allclose(got.to_numpy(), [ref[f] for f in est.factors], rtol=0, atol=REL_TOL)


def test_comp_rel_sem_own_residual_covariances_matter_for_political_democracy():
    est = estimates("pd")
    ref = est.ref["reliability"]["compRelSEM_omega_obsvar_false"]
    no_cov = theta_matrix(est.residual_variances)
    without = comp_rel_sem(est.loadings, est.cov_lv, theta=no_cov, obs_var=False)
    # dropping y2~~y4 / y6~~y8 moves dem60 by 0.018 and dem65 by 0.021
    assert abs(without["dem60"] - ref["dem60"]) > 5 * REL_TOL
    assert abs(without["dem65"] - ref["dem65"]) > 5 * REL_TOL
    assert without["ind60"] == pytest.approx(ref["ind60"], abs=REL_TOL)


def test_comp_rel_sem_needs_total_not_disturbance_variance():
    est = estimates("pd")
    ref = est.ref["reliability"]["compRelSEM_omega"]
    wrong = comp_rel_sem(est.loadings, est.psi, est.sample_cov)
    assert abs(wrong["dem65"] - ref["dem65"]) > 0.5


@pytest.mark.parametrize("key", ["hs", "pd"])
def test_ave_semtools_matches_semtools(key):
    # measured max |diff|: obs.var TRUE HS 2.3e-15, PD 3.0e-15; FALSE HS 1.2e-15, PD 7.8e-16
    est = estimates(key)
    ref_true = est.ref["reliability"]["AVE_semTools"]
    extra = _json("validity_reference.json")["hs_cfa" if key == "hs" else "political_democracy"]
    ref_false = extra["AVE_obsvar_false"]
    got_true = ave_semtools(est.loadings, est.cov_lv, est.sample_cov)
    got_false = ave_semtools(est.loadings, est.cov_lv, theta=est.theta, obs_var=False)
    assert_allclose(got_true.to_numpy(), [ref_true[f] for f in est.factors], rtol=0,
                    atol=REL_TOL)
    assert_allclose(got_false.to_numpy(), [ref_false[f] for f in est.factors], rtol=0,
                    atol=REL_TOL)


def test_variances_only_suffice_for_simple_structure():
    est = estimates("hs")
    variances = {f: est.cov_lv.loc[f, f] for f in est.factors}
    for obs_var in (True, False):
        full = comp_rel_sem(est.loadings, est.cov_lv, est.sample_cov, est.theta,
                            obs_var=obs_var)
        diag = comp_rel_sem(est.loadings, variances, est.sample_cov,
                            est.residual_variances, obs_var=obs_var)
        assert_allclose(diag.to_numpy(), full.to_numpy(), rtol=0, atol=1e-14)


def test_political_democracy_cov_lv_matches_lavaan():
    # the test's (I - B)^-1 Psi (I - B)^-T equals lavInspect(fit, "cov.lv")
    est = estimates("pd")
    ref = _square(_json("validity_reference.json")["political_democracy"]["cov_lv"],
                  est.factors)
    assert_allclose(est.cov_lv.to_numpy(), ref.to_numpy(), rtol=1e-9, atol=0)


def test_cross_loading_model_matches_semtools():
    # visual =~ x1 + x2 + x3 + x9; speed =~ x7 + x8 + x9. Inputs are lavaan's matrices.
    # measured max |diff|: omega TRUE 1.1e-15, FALSE 6.7e-16; AVE TRUE 1.9e-15, FALSE 7.8e-16
    ref = _json("validity_reference.json")["hs_crossloading"]
    lam = pd.DataFrame.from_dict(ref["lambda"], orient="index").astype(float)
    theta = _square(ref["theta"])
    cov_lv = _square(ref["cov_lv"])
    hs = _csv("holzinger_swineford_1939.csv")[list(lam.index)]
    sample_cov = hs.cov(ddof=0)
    assert_allclose(sample_cov.to_numpy(), _square(ref["sample_cov"]).to_numpy(), rtol=1e-12)
    factors = list(lam.columns)
    for obs_var, suffix in ((True, "true"), (False, "false")):
        omega = comp_rel_sem(lam, cov_lv, sample_cov, theta, obs_var=obs_var)
        expect = ref[f"compRelSEM_obsvar_{suffix}"]
        assert_allclose(omega.to_numpy(), [expect[f] for f in factors], rtol=0, atol=REL_TOL)
        ave = ave_semtools(lam, cov_lv, sample_cov, theta, obs_var=obs_var)
        expect = ref[f"AVE_obsvar_{suffix}"]
        assert np.isnan(ave["visual"]) and np.isnan(ave["speed"])
        assert expect["visual"] is None and expect["speed"] is None
        assert ave["textual"] == pytest.approx(expect["textual"], abs=REL_TOL)
    # the model-implied denominator of a cross-loading factor needs the factor covariances
    variances = {f: cov_lv.loc[f, f] for f in factors}
    with pytest.raises(ValueError, match="full latent covariance"):
        comp_rel_sem(lam, variances, theta=theta, obs_var=False)


def test_single_indicator_factor_is_nan_and_missing_inputs_raise():
    est = estimates("hs")
    loadings = {**est.loadings, "solo": {"x9": 1.0}}
    loadings["speed"] = {"x7": est.loadings["speed"]["x7"], "x8": est.loadings["speed"]["x8"]}
    cov = est.cov_lv.copy()
    cov.loc["solo", "solo"] = 1.0
    omega = comp_rel_sem(loadings, cov, est.sample_cov)
    ave = ave_semtools(loadings, cov, est.sample_cov)
    assert np.isnan(omega["solo"]) and np.isnan(ave["solo"])
    assert np.isfinite(omega["speed"]) and np.isfinite(ave["speed"])
    with pytest.raises(ValueError, match="observed_cov"):
        comp_rel_sem(est.loadings, est.cov_lv)
    with pytest.raises(ValueError, match="theta"):
        ave_semtools(est.loadings, est.cov_lv, obs_var=False)
    with pytest.raises(ValueError, match="speed"):
        comp_rel_sem(est.loadings, {"visual": 1.0, "textual": 1.0}, est.sample_cov)


# ---------------------------------------------------------------------------------------
# Fornell-Larcker and standardised CR/AVE
# ---------------------------------------------------------------------------------------

def _std_loadings(ref: dict) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for p in ref["loadings"]:
        out.setdefault(p["lhs"], []).append(p["std.all"])
    return out


@pytest.mark.parametrize("key", ["hs", "pd"])
def test_cr_ave_table_reproduces_fornell_larcker_from_std_all(key):
    # measured max |diff|: HS 4.4e-16, PD 5.6e-16
    ref = _json(FILES[key][0])
    table = cr_ave_table(_std_loadings(ref))
    expect = ref["reliability"]["fornell_larcker_from_std_all"]
    names = list(table.index)
    assert_allclose(table["rho_c"].to_numpy(), [expect[n]["CR"] for n in names], atol=1e-12)
    assert_allclose(table["ave"].to_numpy(), [expect[n]["AVE"] for n in names], atol=1e-12)


@pytest.mark.parametrize(("key", "passed"), [
    ("hs", {"visual": True, "textual": True, "speed": True}),
    # dem60 and dem65 correlate 0.967, above both sqrt(AVE) (0.787, 0.802)
    ("pd", {"ind60": True, "dem60": False, "dem65": False}),
])
def test_fornell_larcker_layout_values_and_criterion(key, passed):
    ref = _json(FILES[key][0])
    names = list(passed)
    corr = _square(ref["latent_correlation_matrix"], names)
    ave = {n: ref["reliability"]["fornell_larcker_from_std_all"][n]["AVE"] for n in names}
    table = fornell_larcker(ave, corr)
    assert list(table.columns) == ["a", "b", "value"]
    expected_pairs = [(a, names[j]) for i, a in enumerate(names) for j in range(i, len(names))]
    assert list(zip(table["a"], table["b"], strict=True)) == expected_pairs
    for a, b, value in table.itertuples(index=False):
        expect = np.sqrt(ave[a]) if a == b else corr.loc[a, b]
        assert value == pytest.approx(expect, abs=1e-12)
    result = fornell_larcker_passed(ave, corr)
    assert result.dtype == bool
    assert result.to_dict() == passed


def test_fornell_larcker_with_semtools_ave_and_bad_input():
    ref = _json("hs_cfa_reference.json")
    corr = _square(ref["latent_correlation_matrix"])
    ave = ref["reliability"]["AVE_semTools"]
    table = fornell_larcker(ave, corr)
    diag = table[table["a"] == table["b"]].set_index("a")["value"]
    assert_allclose(diag.to_numpy(), np.sqrt([ave[n] for n in diag.index]), atol=1e-15)
    # only constructs in `ave`, in its order
    sub = fornell_larcker({"speed": ave["speed"], "visual": ave["visual"]}, corr)
    assert list(zip(sub["a"], sub["b"], strict=True)) == [
        ("speed", "speed"), ("speed", "visual"), ("visual", "visual")]
    assert fornell_larcker_passed({"speed": 0.5}, corr).to_dict() == {"speed": True}
    with pytest.raises(ValueError, match="correlation matrix"):
        fornell_larcker(ave, corr * 2.0)
    with pytest.raises(ValueError, match="nope"):
        fornell_larcker({"nope": 0.5}, corr)
    assert not fornell_larcker_passed({"visual": float("nan"), "speed": 0.5}, corr)["visual"]
