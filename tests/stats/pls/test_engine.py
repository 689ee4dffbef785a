"""PLS engine internals: batched algebra, model checks, missing data, invariants.

The numbers against R seminr / ADANCO are in test_reference.py; these tests check the
engine's own contracts (errors, bookkeeping, batch = one-by-one, definitions of the
statistics recomputed directly from the construct scores).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.pls import engine
from cxsurvey.stats.pls.data import correlation, prepare_data
from cxsurvey.stats.pls.estimate import batch_structural, estimate_batch
from cxsurvey.stats.pls.fit import fit_pls
from cxsurvey.stats.pls.linalg import solve_spd
from cxsurvey.stats.pls.quality import batch_htmt
from cxsurvey.stats.pls.specify import compile_model

MOBI = DATA / "pls" / "mobi.csv"
M1 = {"Image": ("IMAG1", "IMAG2", "IMAG3", "IMAG4", "IMAG5"),
      "Expectation": ("CUEX1", "CUEX2", "CUEX3"),
      "Value": ("PERV1", "PERV2"),
      "Satisfaction": ("CUSA1", "CUSA2", "CUSA3"),
      "Complaints": ("CUSCO",)}
M1_PATHS = [("Image", "Satisfaction"), ("Expectation", "Satisfaction"),
            ("Value", "Satisfaction"), ("Satisfaction", "Complaints")]


@pytest.fixture(scope="module")
def mobi() -> pd.DataFrame:
    return pd.read_csv(MOBI)


def test_solve_spd_matches_numpy():
    rng = np.random.default_rng(0)
    for m in (1, 2, 3, 6):
        x = rng.standard_normal((50, 40, m))
        a = np.einsum("bni,bnj->bij", x, x) / 40
        b = rng.standard_normal((50, m))
        assert_allclose(solve_spd(a, b), np.linalg.solve(a, b[..., None])[..., 0],
                        rtol=1e-10, atol=1e-12)
        rhs = rng.standard_normal((50, m, 2))
        assert_allclose(solve_spd(a, rhs), np.linalg.solve(a, rhs), rtol=1e-10, atol=1e-12)


def test_solve_spd_singular_member_does_not_spoil_the_batch():
    a = np.stack([np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([[1.0, 1.0], [1.0, 1.0]])])
    b = np.array([[1.0, 2.0], [1.0, 2.0]])
    x = solve_spd(a, b)
    assert_allclose(x[0], np.linalg.solve(a[0], b[0]), atol=1e-14)
    assert not np.all(np.isfinite(x[1]))


def test_batch_equals_one_by_one(mobi):
    model = compile_model(M1, M1_PATHS, {"Value": "B"})
    z = prepare_data(mobi, model).z
    rng = np.random.default_rng(4)
    corrs = np.stack([np.corrcoef(z[rng.integers(0, 250, 250)], rowvar=False)
                      for _ in range(6)] + [correlation(z)])
    batch = estimate_batch(corrs, model)
    for b in range(len(corrs)):
        one = estimate_batch(corrs[b:b + 1], model)
        assert one.iterations[0] == batch.iterations[b]
        assert_allclose(one.weights[0], batch.weights[b], rtol=0, atol=1e-14)


def test_statistics_follow_their_definitions(mobi):
    fit = fit_pls(mobi, M1, M1_PATHS, modes={"Value": "B"})
    scores = fit.scores
    items = mobi[list(fit.weights["item"])]
    assert_allclose(scores.mean(), 0.0, atol=1e-12)
    assert_allclose(scores.std(ddof=1), 1.0, atol=1e-12)
    # loadings and cross-loadings are item-score correlations
    for _, row in fit.loadings.iterrows():
        r = np.corrcoef(items[row["item"]], scores[row["construct"]])[0, 1]
        assert row["est"] == pytest.approx(r, abs=1e-12)
        assert fit.cross_loadings.loc[row["item"], row["construct"]] == pytest.approx(r)
    # path coefficients are OLS on the scores; R^2 and adjusted R^2 too
    x = scores[["Image", "Expectation", "Value"]].to_numpy()
    y = scores["Satisfaction"].to_numpy()
    beta, *_ = np.linalg.lstsq(np.column_stack([np.ones(250), x]), y, rcond=None)
    paths = fit.paths.set_index(["from", "to"])["est"]
    assert_allclose([paths[("Image", "Satisfaction")], paths[("Expectation", "Satisfaction")],
                     paths[("Value", "Satisfaction")]], beta[1:], atol=1e-12)
    r2 = fit.r2.set_index("construct")
    resid = y - np.column_stack([np.ones(250), x]) @ beta
    r2_ols = 1 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))
    assert r2.loc["Satisfaction", "r2"] == pytest.approx(r2_ols, abs=1e-12)
    assert r2.loc["Satisfaction", "r2_adj"] == pytest.approx(
        1 - (1 - r2_ols) * 249 / 246, abs=1e-12)
    # single-item construct: weight = loading = 1, reliabilities 1, item VIF 1
    assert fit.weights.set_index("item").loc["CUSCO", "est"] == 1.0
    assert fit.loadings.set_index("item").loc["CUSCO", "est"] == pytest.approx(1.0)
    assert fit.item_vif.set_index("item").loc["CUSCO", "vif"] == 1.0
    # specific indirect effects are products of paths; effects() is the CB layout
    spec = fit.specific_indirect_effects.set_index("path")["est"]
    assert spec["Image -> Satisfaction -> Complaints"] == pytest.approx(
        paths[("Image", "Satisfaction")] * paths[("Satisfaction", "Complaints")])
    assert set(fit.effects["kind"]) == {"indirect", "total"}
    # f^2 from the same scores by its definition
    f2 = fit.f2.set_index(["from", "to"])
    x2 = scores[["Expectation", "Value"]].to_numpy()
    b2, *_ = np.linalg.lstsq(np.column_stack([np.ones(250), x2]), y, rcond=None)
    res2 = y - np.column_stack([np.ones(250), x2]) @ b2
    r2_without = 1 - res2 @ res2 / ((y - y.mean()) @ (y - y.mean()))
    assert f2.loc[("Image", "Satisfaction"), "f2_scores"] == pytest.approx(
        (r2_ols - r2_without) / (1 - r2_ols), abs=1e-12)


def test_htmt_single_item_pairs_use_absolute_correlation():
    corr = np.array([[1.0, -0.5, 0.2], [-0.5, 1.0, 0.3], [0.2, 0.3, 1.0]])
    model = compile_model({"A": ("a1", "a2"), "B": ("b1",)}, [("A", "B")])
    h = batch_htmt(corr[None], model)[0]
    assert h[0, 1] == pytest.approx(((0.2 + 0.3) / 2) / np.sqrt(0.5 * 1.0))
    model2 = compile_model({"A": ("a1",), "B": ("b1",)}, [("A", "B")])
    assert batch_htmt(np.array([[[1.0, -0.4], [-0.4, 1.0]]]), model2)[0, 0, 1] == 0.4


def test_structural_mask_drops_a_predictor():
    model = compile_model({"A": ("a",), "B": ("b",), "C": ("c",)},
                          [("A", "C"), ("B", "C")])
    corr = np.array([[[1.0, 0.3, 0.5], [0.3, 1.0, 0.4], [0.5, 0.4, 1.0]]])
    adj = model.adjacency.copy()[None]
    adj[0, 0, 2] = 0
    beta, r2 = batch_structural(corr, model, adj)
    assert beta[0, 0, 2] == 0.0 and beta[0, 1, 2] == pytest.approx(0.4)
    assert r2[0, 2] == pytest.approx(0.16)


def test_missing_values_listwise_and_mean(mobi):
    data = mobi.astype(float)
    data.loc[[0, 5], "IMAG1"] = np.nan
    data.loc[5, "CUEX1"] = np.nan
    data.loc[9, "PERQ1"] = np.nan  # not a model item: ignored
    listwise = fit_pls(data, M1, M1_PATHS)
    assert listwise.n == 248 and listwise.n_dropped == 2 and listwise.n_replaced == 0
    assert list(listwise.scores.index[:4]) == [1, 2, 3, 4]
    mean = fit_pls(data, M1, M1_PATHS, missing="mean")
    assert mean.n == 250 and mean.n_replaced == 3 and mean.replaced == {"IMAG1": 2,
                                                                        "CUEX1": 1}
    assert mean.missing == "mean" and listwise.missing == "listwise"


def test_non_convergence_is_reported(mobi):
    fit = fit_pls(mobi, M1, M1_PATHS, max_iter=1)
    assert not fit.converged and fit.iterations == 1
    assert any("did not converge" in w for w in fit.warnings)


def test_modes_accept_synonyms(mobi):
    a = fit_pls(mobi, M1, M1_PATHS, modes={"Value": "formative", "Image": "reflective"})
    b = fit_pls(mobi, M1, M1_PATHS, modes={"Value": "B"})
    assert a.modes["Value"] == "B" and a.modes["Image"] == "A"
    assert_allclose(a.paths["est"], b.paths["est"], atol=0)


@pytest.mark.parametrize("constructs, paths, modes, error, message", [
    ({}, [("A", "B")], None, InputError, "no constructs"),
    ({"A": ("a1",), "B": ("b1",)}, [], None, InputError, "no structural paths"),
    ({"A": ("a1",), "B": ("b1",)}, [("A", "C")], None, InputError, "not a construct"),
    ({"A": ("a1",), "B": ("b1",), "C": ("c1",)}, [("A", "B")], None, InputError,
     "'C' takes part in no structural path"),
    ({"A": ("a1",), "B": ("b1",)}, [("A", "B"), ("B", "A")], None, InputError, "cycle"),
    ({"A": ("a1",), "B": ("a1",)}, [("A", "B")], None, InputError, "measures both"),
    ({"A": ("a1",), "B": ()}, [("A", "B")], None, InputError, "no items"),
    ({"A": ("a1",), "B": ("b1",)}, [("A", "A")], None, InputError, "itself"),
    ({"A": ("a1",), "B": ("b1",)}, [("A", "B")], {"A": "C"}, ValueError, "mode"),
    ({"A": ("a1",), "B": ("b1",)}, [("A", "B")], {"Z": "A"}, InputError, "unknown"),
    ({"A": "a1", "B": ("b1",)}, [("A", "B")], None, ValueError, "sequence"),
])
def test_model_errors(constructs, paths, modes, error, message):
    with pytest.raises(error, match=message):
        compile_model(constructs, paths, modes)


def test_data_and_argument_errors(mobi):
    with pytest.raises(InputError, match="not a column"):
        fit_pls(mobi, {"A": ("NOPE",), "B": ("CUSA1",)}, [("A", "B")])
    flat = mobi.assign(CUSA1=5)
    with pytest.raises(AnalysisError, match="same answer"):
        fit_pls(flat, M1, M1_PATHS)
    with pytest.raises(ValueError, match="scheme"):
        fit_pls(mobi, M1, M1_PATHS, scheme="pathway")
    with pytest.raises(ValueError, match="missing"):
        fit_pls(mobi, M1, M1_PATHS, missing="pairwise")
    text = mobi.astype(object)
    text.loc[0, "CUSA1"] = "agree"
    with pytest.raises(InputError, match="numeric"):
        fit_pls(text, M1, M1_PATHS)
    empty = mobi.astype(float)
    empty["CUSCO"] = np.nan
    with pytest.raises(AnalysisError, match="no answers"):
        fit_pls(empty, M1, M1_PATHS, missing="mean")
    with pytest.raises(AnalysisError, match="at least 3"):
        fit_pls(empty, M1, M1_PATHS)
    collinear = mobi.assign(PERV2=mobi["PERV1"] * 2 + 1)
    with pytest.raises(AnalysisError, match="Mode B construct 'Value' are perfectly collinear"):
        fit_pls(collinear, M1, M1_PATHS, modes={"Value": "B"})
    mode_a = fit_pls(collinear, M1, M1_PATHS)  # Mode A copes; the item VIFs are infinite
    assert mode_a.converged
    assert np.isinf(mode_a.item_vif.set_index("item").loc[["PERV1", "PERV2"], "vif"]).all()


def test_engine_gathers_the_stage_modules_public_names():
    import importlib

    for name in engine.__all__:
        obj = getattr(engine, name)
        home = importlib.import_module(obj.__module__)
        assert getattr(home, name) is obj
        assert obj.__module__ != engine.__name__
