"""compRelSEM omega and AVE against R (lavaan 0.6-14, semTools 0.5-6).

References:
- tests/data/hs_cfa_reference.json, tests/data/political_democracy_sem_reference.json
  (copies of /work/shared/reference, described in its README, section 1 and 2:
  ``reliability`` entries, lavaan parameter estimates);
- tests/data/validity_reference.json, written by tests/data/r/make_validity_reference.R
  (a Holzinger-Swineford CFA with a cross-loading; AVE with obs.var = FALSE; lavaan's
  Lambda / Theta / cov.lv / sample covariance matrices).

Tolerance: omega/AVE 2e-3; the measured maximum deviations are rounding-level (all below
4e-15 when measured with numpy 2 / pandas 2 on these files) and are noted next to each
test.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import load_csv, load_json, square_frame

from cxsurvey.stats.validity import ave_semtools, comp_rel_sem, theta_matrix

REL_TOL = 2e-3

FILES = {
    "hs": ("hs_cfa_reference.json", "holzinger_swineford_1939.csv"),
    "pd": ("political_democracy_sem_reference.json", "political_democracy.csv"),
}





class Estimates:
    """lavaan estimates of a reference JSON (``all_parameters``) in the validity inputs."""

    def __init__(self, key: str) -> None:
        ref_name, csv_name = FILES[key]
        self.ref = load_json(ref_name)
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
        data = load_csv(csv_name)[self.indicators]
        # lavaan's sample covariance: divisor N
        self.sample_cov = data.cov(ddof=0)


@cache
def estimates(key: str) -> Estimates:
    return Estimates(key)


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
    extra = load_json("validity_reference.json")["hs_cfa" if key == "hs" else "political_democracy"]
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
    ref = square_frame(load_json("validity_reference.json")["political_democracy"]["cov_lv"],
                  est.factors)
    assert_allclose(est.cov_lv.to_numpy(), ref.to_numpy(), rtol=1e-9, atol=0)


def test_cross_loading_model_matches_semtools():
    # visual =~ x1 + x2 + x3 + x9; speed =~ x7 + x8 + x9. Inputs are lavaan's matrices.
    # measured max |diff|: omega TRUE 1.1e-15, FALSE 6.7e-16; AVE TRUE 1.9e-15, FALSE 7.8e-16
    ref = load_json("validity_reference.json")["hs_crossloading"]
    lam = pd.DataFrame.from_dict(ref["lambda"], orient="index").astype(float)
    theta = square_frame(ref["theta"])
    cov_lv = square_frame(ref["cov_lv"])
    hs = load_csv("holzinger_swineford_1939.csv")[list(lam.index)]
    sample_cov = hs.cov(ddof=0)
    assert_allclose(sample_cov.to_numpy(), square_frame(ref["sample_cov"]).to_numpy(), rtol=1e-12)
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
