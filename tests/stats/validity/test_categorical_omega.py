"""Categorical omega (Green & Yang 2009) against R (lavaan 0.6-14, semTools 0.5-6).

Reference: tests/data/ordinal_reference.json, written by tests/data/r/make_ordinal_reference.R.
For every WLSMV fit it stores ``reliability.compRelSEM_ord_scale_true`` /
``compRelSEM_ord_scale_false`` (``compRelSEM(fit)``, whose denominator is the sample
polychoric matrix, ``obs.var = TRUE``) and ``semTools_reliability.omega2`` (the same
categorical omega with the model-implied denominator). The inputs are lavaan's own
estimates from the fit's ``parameters`` rows ("=~" loadings, "~~" between latent
variables, "~" between latent variables, "|" thresholds) and the polychoric matrix of
``sampstat.cor``.

Tolerance 1e-8; the measured maximum deviations are rounding-level (below 5e-15 with
numpy 2 / pandas 2 on this file) and are noted next to each test.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import load_json

from cxsurvey.stats.ordinal import rectangle_probability
from cxsurvey.stats.validity import categorical_omega, comp_rel_sem

TOL = 1e-8
CFA_FITS = ["bfi_keyed_wlsmv_cfa", "sample_wlsmv_cfa"]
ALL_FITS = CFA_FITS + ["bfi_wlsmv_cfa", "bfi_wlsmv_cfa_pairwise", "bfi_wlsmv_sem",
                       "sample_wlsmv_sem"]


class Fit:
    """lavaan's estimates of one WLSMV fit of the reference, as categorical_omega inputs."""

    def __init__(self, key: str) -> None:
        self.ref = load_json("ordinal_reference.json")[key]
        params = self.ref["parameters"]
        self.factors = list(dict.fromkeys(p["lhs"] for p in params if p["op"] == "=~"))
        self.items = list(dict.fromkeys(p["rhs"] for p in params if p["op"] == "=~"))
        lam = pd.DataFrame(0.0, index=self.items, columns=self.factors)
        psi = pd.DataFrame(0.0, index=self.factors, columns=self.factors)
        beta = pd.DataFrame(0.0, index=self.factors, columns=self.factors)
        thresholds: dict[str, list[float]] = {}
        for p in params:
            lhs, op, rhs, est = p["lhs"], p["op"], p["rhs"], p["est"]
            if op == "=~":
                lam.loc[rhs, lhs] = est
            elif op == "~~" and lhs in self.factors:
                psi.loc[lhs, rhs] = psi.loc[rhs, lhs] = est
            elif op == "~" and lhs in self.factors:
                beta.loc[lhs, rhs] = est
            elif op == "|":
                thresholds.setdefault(lhs, []).append(est)
        self.loadings = lam
        self.thresholds = {k: np.array(v) for k, v in thresholds.items()}
        # lavInspect(fit, "cov.lv") = (I - B)^-1 Psi (I - B)^-T (Psi itself for a CFA)
        inv = np.linalg.inv(np.eye(len(self.factors)) - beta.to_numpy())
        self.cov_lv = pd.DataFrame(inv @ psi.to_numpy() @ inv.T, index=self.factors,
                                   columns=self.factors)
        cor = self.ref["sampstat"]["cor"]
        self.polychoric = pd.DataFrame(cor["matrix"], index=cor["names"],
                                       columns=cor["colnames"])

    def reference(self, name: str) -> pd.Series:
        rel = self.ref["reliability"]
        values = rel[name] if name in rel else rel["semTools_reliability"][name]
        return pd.Series(values, dtype=float)


@cache
def fit(key: str) -> Fit:
    return Fit(key)


@pytest.mark.parametrize("key", CFA_FITS)
@pytest.mark.parametrize(("ord_scale", "ref_key"), [(True, "compRelSEM_ord_scale_true"),
                                                    (False, "compRelSEM_ord_scale_false")])
def test_matches_comp_rel_sem_on_wlsmv_cfa(key, ord_scale, ref_key):
    # measured max |diff|: bfi keyed 2.8e-15 (TRUE) / 3.1e-15 (FALSE), sample 4.2e-15 /
    # 4.1e-15; the sample has items with 3 thresholds (Att5, Evalu1, Evalu2) among 4
    f = fit(key)
    ref = f.reference(ref_key)
    got = categorical_omega(f.loadings, f.cov_lv, f.thresholds, latent_cor=f.polychoric,
                            ord_scale=ord_scale)
    assert list(got.index) == f.factors
    assert got.name == "omega"
    assert_allclose(got.to_numpy(), ref[f.factors].to_numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("key", ["bfi_wlsmv_cfa", "bfi_wlsmv_cfa_pairwise", "bfi_wlsmv_sem",
                                 "sample_wlsmv_sem"])
@pytest.mark.parametrize(("ord_scale", "ref_key"), [(True, "compRelSEM_ord_scale_true"),
                                                    (False, "compRelSEM_ord_scale_false")])
def test_matches_comp_rel_sem_on_other_wlsmv_fits(key, ord_scale, ref_key):
    # negative loadings (unkeyed bfi items), pairwise polychorics, and endogenous factors
    # (cov.lv from the structural paths); measured max |diff| below 1.7e-15
    f = fit(key)
    ref = f.reference(ref_key)
    got = categorical_omega(f.loadings, f.cov_lv, f.thresholds, latent_cor=f.polychoric,
                            ord_scale=ord_scale)
    assert_allclose(got.to_numpy(), ref[f.factors].to_numpy(), rtol=0, atol=TOL)


@pytest.mark.parametrize("key", ALL_FITS)
def test_model_implied_denominator_matches_semtools_omega2(key):
    # semTools::reliability()'s omega2: the denominator from the model-implied polychoric
    # matrix; measured max |diff| below 2.5e-15
    f = fit(key)
    ref = f.reference("omega2")
    got = categorical_omega(f.loadings, f.cov_lv, f.thresholds)
    assert_allclose(got.to_numpy(), ref[f.factors].to_numpy(), rtol=0, atol=TOL)


def test_ord_scale_false_is_continuous_omega_of_the_polychoric_matrix():
    f = fit("sample_wlsmv_cfa")
    got = categorical_omega(f.loadings, f.cov_lv, f.thresholds, latent_cor=f.polychoric,
                            ord_scale=False)
    continuous = comp_rel_sem(f.loadings, f.cov_lv, f.polychoric)
    assert_allclose(got.to_numpy(), continuous.to_numpy(), rtol=0, atol=1e-14)


def _score_cov_from_cells(tau_j, tau_k, rho):
    """Covariance of the integer scores 0..C-1 of two items from their cell probabilities."""
    a = np.concatenate([[-np.inf], tau_j, [np.inf]])
    b = np.concatenate([[-np.inf], tau_k, [np.inf]])
    cells = rectangle_probability(a[:-1, None], a[1:, None], b[None, :-1], b[None, 1:], rho)
    sj = np.arange(len(a) - 1)
    sk = np.arange(len(b) - 1)
    mean_j = cells.sum(axis=1) @ sj
    mean_k = cells.sum(axis=0) @ sk
    return float(sj @ cells @ sk - mean_j * mean_k)


def test_observed_score_variance_agrees_with_cell_probabilities():
    # the denominator is the variance of the sum of the integer scores; rebuild it from the
    # bivariate cell probabilities of each item pair (and the univariate ones on the
    # diagonal) and compare omega's numerator / denominator
    thresholds = {"a": np.array([-1.2, 0.1, 0.9]), "b": np.array([-0.4, 1.3]),
                  "c": np.array([-2.0, -0.7, 0.2, 1.1])}
    items = list(thresholds)
    lam = pd.DataFrame({"F": [0.8, 0.6, 0.7]}, index=items)
    phi = pd.DataFrame([[1.0]], index=["F"], columns=["F"])
    cor = pd.DataFrame([[1.0, 0.45, 0.6], [0.45, 1.0, 0.38], [0.6, 0.38, 1.0]],
                       index=items, columns=items)
    common = np.outer(lam["F"], lam["F"])
    num = 0.0
    den = 0.0
    for j, a in enumerate(items):
        for k, b in enumerate(items):
            # on the diagonal the true-score covariance is that of two latent responses
            # sharing only the factor: correlation lambda_j^2 phi
            num += _score_cov_from_cells(thresholds[a], thresholds[b], common[j, k])
            den += _score_cov_from_cells(thresholds[a], thresholds[b], cor.iloc[j, k])
    got = categorical_omega(lam, phi, thresholds, latent_cor=cor)
    assert got["F"] == pytest.approx(num / den, abs=1e-12)


def test_residual_covariances_enter_the_model_implied_denominator():
    f = fit("bfi_keyed_wlsmv_cfa")
    base = categorical_omega(f.loadings, f.cov_lv, f.thresholds)
    resid = pd.DataFrame(0.0, index=f.items, columns=f.items)
    resid.loc["A1", "A2"] = resid.loc["A2", "A1"] = 0.1
    resid.loc["A1", "A1"] = 5.0  # the diagonal is ignored (unit latent-response variances)
    moved = categorical_omega(f.loadings, f.cov_lv, f.thresholds, resid)
    assert moved["agree"] < base["agree"] - 1e-3
    assert_allclose(moved.drop("agree").to_numpy(), base.drop("agree").to_numpy(), rtol=0,
                    atol=1e-15)


def test_single_item_construct_is_nan_and_needs_no_thresholds():
    lam = pd.DataFrame({"F": [0.7, 0.6, 0.0], "G": [0.0, 0.0, 0.9]}, index=["a", "b", "c"])
    phi = pd.DataFrame([[1.0, 0.3], [0.3, 1.0]], index=["F", "G"], columns=["F", "G"])
    thresholds = {"a": [-0.5, 0.5], "b": [0.0]}
    got = categorical_omega(lam, phi, thresholds)
    assert np.isnan(got["G"])
    assert 0 < got["F"] < 1


def test_cross_loading_counts_only_in_the_denominator():
    items = ["a", "b", "c", "d"]
    lam = pd.DataFrame({"F": [0.7, 0.6, 0.5, 0.0], "G": [0.0, 0.0, 0.3, 0.8]}, index=items)
    phi = pd.DataFrame([[1.0, 0.4], [0.4, 1.0]], index=["F", "G"], columns=["F", "G"])
    thresholds = {i: [-0.8, 0.3, 1.0] for i in items}
    simple = lam.copy()
    simple.loc["c", "G"] = 0.0
    with_cross = categorical_omega(lam, phi, thresholds)
    without = categorical_omega(simple, phi, thresholds)
    # the cross-loading raises the total variance of F's sum but not its common part
    assert with_cross["F"] != pytest.approx(without["F"], abs=1e-6)


def test_bad_inputs_raise():
    f = fit("sample_wlsmv_cfa")
    partial = {k: v for k, v in f.thresholds.items() if k != "Inf1"}
    with pytest.raises(ValueError, match="Inf1"):
        categorical_omega(f.loadings, f.cov_lv, partial)
    unsorted = dict(f.thresholds, Inf1=f.thresholds["Inf1"][::-1])
    with pytest.raises(ValueError, match="increasing"):
        categorical_omega(f.loadings, f.cov_lv, unsorted)
    with pytest.raises(ValueError, match="factor_cov"):
        categorical_omega(f.loadings, f.cov_lv.drop(index="Use", columns="Use"), f.thresholds)
    with pytest.raises(ValueError, match="latent_cor"):
        categorical_omega(f.loadings, f.cov_lv, f.thresholds,
                          latent_cor=f.polychoric.drop(index="Rslt1", columns="Rslt1"))
    with pytest.raises(TypeError):
        categorical_omega(f.loadings.to_dict(), f.cov_lv, f.thresholds)  # type: ignore[arg-type]
