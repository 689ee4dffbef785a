"""PLS quality criteria are the package's shared statistics under PLS conventions.

Alpha, rho_C, AVE and VIF come from ``cxsurvey.stats.items`` and
``cxsurvey.stats.validity``; the vectorised HTMT, total and specific indirect effects that
the bootstrap resamples must equal the shared per-model implementations
(``htmt_from_correlation``, ``effects``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA, load_json

from cxsurvey.stats.effects import effects
from cxsurvey.stats.items.collinearity import vif_from_correlation
from cxsurvey.stats.items.reliability import alpha_from_cov, cronbach_alpha
from cxsurvey.stats.paths import adjusted_r2
from cxsurvey.stats.pls.data import correlation, prepare_data
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.quality import batch_htmt, cohen_f2
from cxsurvey.stats.pls.specify import PlsModel, compile_model
from cxsurvey.stats.validity import (
    average_variance_extracted,
    composite_reliability,
    htmt_from_correlation,
)


@cache
def _ecsi() -> tuple[PlsFit, PlsModel, np.ndarray, np.ndarray]:
    """The ECSI model on mobi (seminr's reference model; Complaints is single-item)."""
    ref = load_json("pls/ecsi_mobi_seminr_reference.json")["model"]
    constructs = {c: tuple(v["indicators"]) for c, v in ref["constructs"].items()}
    paths = [(a, b) for a, b in (p.split(" -> ") for p in ref["paths"])]
    data = pd.read_csv(DATA / "pls" / "mobi.csv")
    model = compile_model(constructs, paths)
    z = prepare_data(data, model).z
    return fit_pls(data, constructs, paths), model, z, correlation(z)


def test_reliability_is_the_shared_alpha_rho_c_and_ave():
    fit, model, z, corr = _ecsi()
    rel = fit.reliability.set_index("construct")
    lam = fit.loadings.set_index("item")["est"]
    for j, name in enumerate(model.constructs):
        items, idx = list(model.blocks[j]), model.block_index(j)
        if len(items) == 1:  # a single item is perfectly reliable (SmartPLS, seminr)
            assert rel.loc[name, ["alpha", "rho_a", "rho_c", "ave"]].tolist() == [1.0] * 4
            continue
        assert rel.loc[name, "alpha"] == alpha_from_cov(corr[np.ix_(idx, idx)])
        assert rel.loc[name, "rho_c"] == composite_reliability(lam[items])
        assert rel.loc[name, "ave"] == average_variance_extracted(lam[items])
        # standardised alpha = Cronbach's alpha of the z-scored items
        alpha_z = cronbach_alpha(pd.DataFrame(z[:, idx]))[0]
        assert rel.loc[name, "alpha"] == pytest.approx(alpha_z, rel=1e-12)


def test_batch_htmt_is_the_shared_htmt_for_multi_item_constructs():
    fit, model, _, corr = _ecsi()
    items = list(model.items)
    shared = htmt_from_correlation(pd.DataFrame(corr, index=items, columns=items),
                                   dict(zip(model.constructs, model.blocks, strict=True)))
    ours = batch_htmt(corr[None], model)[0]
    multi = [j for j, block in enumerate(model.blocks) if len(block) > 1]
    single = [j for j, block in enumerate(model.blocks) if len(block) == 1]
    assert multi and single
    for i in multi:
        for j in multi:
            if i != j:
                assert ours[i, j] == pytest.approx(shared.iloc[i, j], rel=1e-13)
    # semTools leaves single-item constructs undefined; seminr takes their monotrait mean 1
    assert shared.iloc[single[0], multi].isna().all()
    assert np.isfinite(ours[single[0], multi]).all()
    table = {(a, b): v for a, b, v in fit.htmt.itertuples(index=False)}
    names = model.constructs
    assert all(table[(names[i], names[j])] == ours[i, j]
               for i in range(model.k) for j in range(i + 1, model.k))


def test_vif_from_correlation_is_one_over_one_minus_r2():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((200, 4))
    x[:, 3] += x[:, 0] - 0.5 * x[:, 1]
    vif = vif_from_correlation(np.corrcoef(x, rowvar=False))
    for j in range(4):
        design = np.column_stack([np.ones(200), np.delete(x, j, axis=1)])
        resid = x[:, j] - design @ np.linalg.lstsq(design, x[:, j], rcond=None)[0]
        r2 = 1.0 - resid @ resid / np.sum((x[:, j] - x[:, j].mean()) ** 2)
        assert vif[j] == pytest.approx(1.0 / (1.0 - r2), rel=1e-10)
    assert vif_from_correlation(np.ones((1, 1))).tolist() == [1.0]
    # singular: the duplicated variables are infinite, the other one keeps its VIF
    c = 0.3
    singular = np.array([[1.0, 1.0, c], [1.0, 1.0, c], [c, c, 1.0]])
    dup = vif_from_correlation(singular)
    assert np.isinf(dup[:2]).all() and dup[2] == pytest.approx(1.0 / (1.0 - c**2))


def test_item_and_inner_vif_are_the_shared_vif():
    fit, model, _, corr = _ecsi()
    item_vif = fit.item_vif.set_index("item")["vif"]
    for j in range(model.k):
        idx = model.block_index(j)
        expected = vif_from_correlation(corr[np.ix_(idx, idx)])
        assert item_vif[list(model.blocks[j])].tolist() == expected.tolist()
    scores = fit.construct_correlations
    inner = fit.inner_vif.set_index(["to", "from"])["vif"]
    preds = fit.paths[fit.paths["to"] == "Satisfaction"]["from"].tolist()
    expected = vif_from_correlation(scores.loc[preds, preds].to_numpy())
    assert [inner[("Satisfaction", p)] for p in preds] == expected.tolist()


def test_vectorised_effects_equal_path_tracing():
    fit, *_ = _ecsi()
    traced = effects(fit.paths)
    indirect = traced[traced["kind"] == "indirect"].set_index("path")["est"]
    specific = fit.specific_indirect_effects.set_index("path")["est"]
    assert list(specific.index) == list(indirect.index)
    assert_allclose(specific.to_numpy(), indirect.to_numpy(), rtol=1e-14)
    totals = traced[traced["kind"] == "total"].set_index(["from", "to"])["est"]
    ours = fit.total_effects.set_index(["from", "to"])["total"]
    assert_allclose(ours[totals.index].to_numpy(), totals.to_numpy(), rtol=1e-13)


def test_r2_adjusted_and_f2_formulas():
    assert adjusted_r2(np.array([0.5]), 101, np.array([4]))[0] == pytest.approx(
        1 - 0.5 * 100 / 96)
    assert np.isnan(adjusted_r2(np.array([0.5]), 5, np.array([4]))[0])
    assert cohen_f2(np.array([0.6]), np.array([0.5]))[0] == pytest.approx(0.25)
