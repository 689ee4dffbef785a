"""Vectorised PLS bootstrap: seminr's resamples reproduced, BCa, unusable resamples.

Reference: ``tests/data/pls/ecsi_mobi_seminr_reference.json`` (``bootstrap_seminr``: R
seminr ``bootstrap_model(nboot = 100, seed = 456)`` on the ECSI model) and
``boot_indices_mobi_ecsi_seminr.json``, the exact **1-based** rows R drew
(``set.seed(456 + i); sample.int(250, TRUE)``), passed here 0-based.

Tolerance 1e-6; measured: 4.7e-15 for estimates, bootstrap
means, SDs and 2.5%/97.5% percentiles of paths, total effects, loadings, weights and HTMT.
seminr's "Bootstrap P Val" is not a standard p-value and is not compared.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from support import DATA, load_json

from cxsurvey.stats.intervals import bca_interval, summarise_draws
from cxsurvey.stats.pls.bootstrap import PlsBootstrap, bootstrap_pls
from cxsurvey.stats.pls.fit import fit_pls
from cxsurvey.stats.pls.resample import jackknife_correlations, resample_correlations

TOL = 1e-6
PLS = DATA / "pls"
COLUMNS = {"Original Est.": "est", "Bootstrap Mean": "boot_mean", "Bootstrap SD": "se",
           "2.5% CI": "ci_lower", "97.5% CI": "ci_upper"}


def _json(name: str) -> dict:
    return load_json("pls/" + name)


@cache
def _mobi() -> pd.DataFrame:
    return pd.read_csv(PLS / "mobi.csv")


def _ecsi_model() -> tuple[dict[str, tuple[str, ...]], list[tuple[str, str]]]:
    ref = _json("ecsi_mobi_seminr_reference.json")["model"]
    constructs = {c: tuple(v["indicators"]) for c, v in ref["constructs"].items()}
    paths = [tuple(p.split(" -> ")) for p in ref["paths"]]
    return constructs, paths


@cache
def _seminr_boot() -> PlsBootstrap:
    raw = np.array(_json("boot_indices_mobi_ecsi_seminr.json")["indices"])
    assert raw.shape == (100, 250) and raw.min() == 1 and raw.max() == 250  # 1-based
    constructs, paths = _ecsi_model()
    return bootstrap_pls(_mobi(), constructs, paths, indices=raw - 1)


def _rows(table: pd.DataFrame, keys: list[str], symmetric: bool = False) -> dict:
    out = {}
    for _, row in table.iterrows():
        key = tuple(row[k] for k in keys)
        out[frozenset(key) if symmetric else key] = row
    return out


@pytest.mark.parametrize("kind, table, keys", [
    ("paths", "paths", ["from", "to"]),
    ("total_paths", "total_effects", ["from", "to"]),
    ("loadings", "loadings", ["item", "construct"]),
    ("weights", "weights", ["item", "construct"]),
    ("htmt", "htmt", ["a", "b"]),
])
def test_seminr_bootstrap_reproduced(kind, table, keys):
    boot = _seminr_boot()
    ref = _json("ecsi_mobi_seminr_reference.json")["bootstrap_seminr"][kind]
    rows = _rows(getattr(boot, table), keys, symmetric=kind == "htmt")
    assert len(rows) == len(ref)
    for ref_col, col in COLUMNS.items():
        diffs = []
        for key, values in ref.items():
            parts = tuple(key.split(" -> "))
            row = rows[frozenset(parts) if kind == "htmt" else parts]
            diffs.append(abs(row[col] - values[ref_col]))
        assert max(diffs) <= TOL, f"{kind} {col}: max |diff| = {max(diffs):.3g}"


def test_seminr_bootstrap_t_statistics():
    boot = _seminr_boot()
    ref = _json("ecsi_mobi_seminr_reference.json")["bootstrap_seminr"]
    paths = _rows(boot.paths, ["from", "to"])
    for key, values in ref["paths"].items():
        assert paths[tuple(key.split(" -> "))]["t"] == pytest.approx(values["T Stat."],
                                                                     abs=TOL)
    # seminr tests HTMT against 1: T = (1 - HTMT) / SD
    htmt = _rows(boot.htmt, ["a", "b"], symmetric=True)
    for key, values in ref["htmt"].items():
        row = htmt[frozenset(key.split(" -> "))]
        assert row["t_vs_1"] == pytest.approx(values["T Stat."], abs=TOL)
        assert row["pvalue_vs_1"] == pytest.approx(stats.t.sf(row["t_vs_1"], df=99))


def test_seminr_bootstrap_bookkeeping():
    boot = _seminr_boot()
    assert boot.n_boot == boot.n_used == 100
    assert boot.n_invalid == boot.n_not_converged == boot.n_failed == 0
    assert boot.n_jackknife == boot.n_jackknife_used == 250
    assert boot.draws["paths"].shape == (100, 12)
    info = boot.info()
    assert info["requested"] == 100 and info["used"] == 100 and info["failed"] == 0
    # the original estimates are the fit's
    fit = boot.fit
    assert_allclose(boot.paths["est"], fit.paths["est"], rtol=0, atol=0)
    # two-tailed p from Student t with n_used - 1 df
    t = boot.paths["t"].to_numpy()
    assert_allclose(boot.paths["pvalue"], 2 * stats.t.sf(np.abs(t), df=99), rtol=1e-12)
    assert "Student t with 99 df" in boot.pvalue_method


def test_single_item_statistics_are_constant():
    boot = _seminr_boot()
    w = boot.weights.set_index("item").loc["CUSCO"]
    assert w["est"] == 1.0 and w["se"] == 0.0
    assert np.isnan(w["t"]) and np.isnan(w["pvalue"])
    assert w["ci_lower"] == w["ci_upper"] == w["bca_lower"] == w["bca_upper"] == 1.0


def test_specific_indirect_effects_and_r2():
    boot = _seminr_boot()
    spec = boot.specific_indirect_effects
    assert list(spec.columns[:3]) == ["from", "to", "path"]
    assert_allclose(spec["est"], boot.fit.specific_indirect_effects["est"], atol=0)
    # each draw is the product of that resample's path coefficients
    paths = {(a, b): i for i, (a, b) in enumerate(zip(boot.paths["from"], boot.paths["to"],
                                                      strict=True))}
    for e, chain in enumerate(spec["path"]):
        nodes = chain.split(" -> ")
        product = np.prod([boot.draws["paths"][:, paths[(a, b)]]
                           for a, b in zip(nodes, nodes[1:], strict=False)], axis=0)
        assert_allclose(boot.draws["specific_indirect_effects"][:, e], product, rtol=1e-12)
    assert_allclose(boot.r2["est"], boot.fit.r2["r2"], atol=0)
    assert (boot.r2["se"] > 0).all()
    # total = direct + total indirect, draw by draw
    total = boot.total_effects.set_index(["from", "to"])
    indirect = boot.total_indirect_effects.set_index(["from", "to"])
    for key in indirect.index:
        assert total.loc[key, "est"] == pytest.approx(
            indirect.loc[key, "est"] + boot.fit.total_effects.set_index(["from", "to"])
            .loc[key, "direct"], abs=1e-14)


# ---------------------------------------------------------------------------------------
# BCa
# ---------------------------------------------------------------------------------------

def test_bca_matches_scipy_on_the_same_resamples():
    """scipy.stats.bootstrap(method="BCa") given our own resamples.

    ``bootstrap_result`` with ``n_resamples=0`` makes scipy compute its interval from the
    bootstrap distribution we pass, so both see the same draws whatever scipy's own
    resampling scheme; they share only the formula (Efron 1987), so 1e-12.
    """
    x = np.random.default_rng(3).gamma(2.0, size=40)
    idx = np.random.default_rng(7).integers(0, 40, size=(2000, 40))
    draws = x[idx].mean(axis=1)
    given = SimpleNamespace(bootstrap_distribution=draws)
    res = stats.bootstrap((x,), np.mean, n_resamples=0, method="BCa",
                          bootstrap_result=given, confidence_level=0.95)
    jack = np.array([np.delete(x, i).mean() for i in range(40)])[:, None]
    lower, upper = bca_interval(np.array([x.mean()]), draws[:, None], jack, 0.95)
    assert lower[0] == pytest.approx(res.confidence_interval.low, rel=1e-12)
    assert upper[0] == pytest.approx(res.confidence_interval.high, rel=1e-12)
    pct = np.percentile(draws, [2.5, 97.5])
    assert (lower[0], upper[0]) != pytest.approx(tuple(pct), rel=1e-6)  # skewed: BCa moves


def test_bca_reduces_to_percentile_without_bias_and_skew():
    draws = np.linspace(-1, 1, 1001)[:, None]
    jack = np.array([[-1.0], [1.0]])  # symmetric: acceleration 0
    lower, upper = bca_interval(np.array([0.0]), draws, jack, 0.9)
    pct = np.quantile(draws[:, 0], [0.05, 0.95])
    assert_allclose([lower[0], upper[0]], pct, atol=1e-12)


def test_bca_undefined_when_estimate_outside_the_draws():
    draws = np.linspace(1, 2, 50)[:, None]
    lower, upper = bca_interval(np.array([0.0]), draws, np.array([[0.1], [0.2]]), 0.95)
    assert np.isnan(lower[0]) and np.isnan(upper[0])


def test_summarise_draws_columns_and_degenerate_cases():
    table = summarise_draws(np.array([0.5, 1.0]), np.array([[0.4, 1.0], [0.6, 1.0],
                                                            [0.5, 1.0]]))
    assert list(table.columns) == ["est", "boot_mean", "se", "t", "pvalue", "ci_lower",
                                   "ci_upper", "bca_lower", "bca_upper"]
    assert table.loc[0, "se"] == pytest.approx(0.1)
    assert table.loc[0, "t"] == pytest.approx(5.0)
    assert table.loc[0, "pvalue"] == pytest.approx(2 * stats.t.sf(5.0, df=2))
    assert np.isnan(table.loc[1, "t"])
    assert table[["bca_lower", "bca_upper"]].isna().all().all()  # no jackknife given
    empty = summarise_draws(np.array([0.5]), np.empty((0, 1)))
    assert np.isnan(empty.loc[0, "se"])


# ---------------------------------------------------------------------------------------
# Correlations of resamples and jackknife samples
# ---------------------------------------------------------------------------------------

def test_resample_and_jackknife_correlations_match_direct_computation():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((30, 4))
    idx = rng.integers(0, 30, size=(5, 30))
    counts = np.stack([np.bincount(r, minlength=30) for r in idx])
    got = resample_correlations(z, counts)
    for b in range(5):
        assert_allclose(got[b], np.corrcoef(z[idx[b]], rowvar=False), atol=1e-13)
    jack = jackknife_correlations(z)
    for i in (0, 17, 29):
        assert_allclose(jack[i], np.corrcoef(np.delete(z, i, axis=0), rowvar=False),
                        atol=1e-13)


# ---------------------------------------------------------------------------------------
# Unusable resamples, reproducibility, arguments
# ---------------------------------------------------------------------------------------

def _likert(n: int = 40, seed: int = 5) -> tuple[pd.DataFrame, dict, list]:
    rng = np.random.default_rng(seed)
    f = rng.standard_normal(n)
    g = 0.6 * f + 0.8 * rng.standard_normal(n)
    cols = {}
    for name, eta in (("A", f), ("B", g)):
        for j in range(3):
            x = 0.8 * eta + 0.6 * rng.standard_normal(n)
            cols[f"{name}{j + 1}"] = np.digitize(x, [-1.0, -0.3, 0.3, 1.0]) + 1
    data = pd.DataFrame(cols)
    return data, {"A": ("A1", "A2", "A3"), "B": ("B1", "B2", "B3")}, [("A", "B")]


def test_zero_variance_resamples_are_counted_and_excluded():
    data, constructs, paths = _likert()
    data["A3"] = 3
    data.loc[7, "A3"] = 5  # one deviating answer: resamples without row 7 have A3 constant
    idx = np.random.default_rng(1).integers(0, len(data), size=(300, len(data)))
    boot = bootstrap_pls(data, constructs, paths, indices=idx)
    lacking = ~(idx == 7).any(axis=1)
    assert lacking.sum() > 0
    assert boot.n_invalid == int(lacking.sum())
    assert boot.invalid_resamples == tuple(int(i) for i in np.flatnonzero(lacking))
    assert boot.n_used == 300 - boot.n_invalid - boot.n_not_converged
    assert boot.draws["paths"].shape[0] == boot.n_used
    assert np.isfinite(boot.paths[["se", "ci_lower", "ci_upper"]]).all().all()
    assert any("could not be estimated" in w for w in boot.warnings)
    assert "excluded" in boot.handling
    # leaving row 7 out of the jackknife also removes A3's variance
    assert boot.n_jackknife_used == len(data) - 1


def test_seed_reproducible_and_independent_of_chunks_and_threads():
    data, constructs, paths = _likert(n=60)
    a = bootstrap_pls(data, constructs, paths, n_boot=300, seed=11, jobs=1)
    b = bootstrap_pls(data, constructs, paths, n_boot=300, seed=11, jobs=1)
    pd.testing.assert_frame_equal(a.paths, b.paths)
    c = bootstrap_pls(data, constructs, paths, n_boot=300, seed=11, jobs=2, chunk_size=37)
    for table in ("paths", "loadings", "weights", "htmt"):
        assert_allclose(getattr(c, table).select_dtypes("number"),
                        getattr(a, table).select_dtypes("number"), rtol=0, atol=1e-12)
    d = bootstrap_pls(data, constructs, paths, n_boot=300, seed=12, jobs=1)
    assert not np.allclose(d.paths["se"], a.paths["se"])
    # the seed draws integers(0, n, (n_boot, n)) from PCG64
    idx = np.random.Generator(np.random.PCG64(11)).integers(0, 60, size=(300, 60))
    e = bootstrap_pls(data, constructs, paths, indices=idx, jobs=1)
    pd.testing.assert_frame_equal(e.paths, a.paths)


def test_progress_callback():
    data, constructs, paths = _likert()
    calls: list[tuple[int, int]] = []
    bootstrap_pls(data, constructs, paths, n_boot=50, seed=1, chunk_size=20, jobs=1,
                  progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1] == 50 + len(data)  # resamples + jackknife
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_without_bca():
    data, constructs, paths = _likert()
    boot = bootstrap_pls(data, constructs, paths, n_boot=50, seed=1, bca=False)
    assert boot.n_jackknife == 0
    assert boot.paths[["bca_lower", "bca_upper"]].isna().all().all()
    assert boot.paths["se"].notna().all()


@pytest.mark.parametrize("indices, message", [
    (np.ones((3, 40)) * 0.5, "integer"),
    (np.zeros(40, dtype=int), "2-D"),
    (np.full((3, 40), 40), "0-based"),
    (np.full((3, 40), -1), "0-based"),
])
def test_bad_indices(indices, message):
    data, constructs, paths = _likert()
    with pytest.raises(ValueError, match=message):
        bootstrap_pls(data, constructs, paths, indices=indices)


def test_bad_arguments():
    data, constructs, paths = _likert()
    with pytest.raises(ValueError, match="ci"):
        bootstrap_pls(data, constructs, paths, n_boot=10, ci=95)
    with pytest.raises(ValueError, match="n_boot"):
        bootstrap_pls(data, constructs, paths, n_boot=1)


def test_mode_b_and_mean_replacement_bootstrap():
    model = _json("mobi_extra_models_seminr_reference.json")["models"]["M10_missing_meanrepl"]
    data = _mobi().astype(float)
    for item, rows in model["induced_missing_cells_1based_rows"].items():
        for row in rows:
            data.loc[row - 1, item] = np.nan
    constructs = {c: tuple(v) for c, v in model["blocks"].items()}
    paths = [tuple(p.split(" -> ")) for p in model["paths"]]
    boot = bootstrap_pls(data, constructs, paths, modes={"Value": "B"}, missing="mean",
                         n_boot=200, seed=3)
    fit = fit_pls(data, constructs, paths, modes={"Value": "B"}, missing="mean")
    assert boot.fit.n_replaced == fit.n_replaced == 5
    assert_allclose(boot.paths["est"], fit.paths["est"], atol=0)
    assert boot.n_used == 200
    assert (boot.paths["ci_lower"] < boot.paths["est"]).all()
    assert (boot.paths["est"] < boot.paths["ci_upper"]).all()


def test_non_converged_resamples_are_counted_and_excluded():
    data, constructs, paths = _likert()
    boot = bootstrap_pls(data, constructs, paths, n_boot=20, seed=2, max_iter=1)
    assert boot.n_not_converged == 20 and boot.n_used == 0 and boot.n_invalid == 0
    assert boot.not_converged_resamples == tuple(range(20))
    assert boot.paths["se"].isna().all() and boot.htmt["t_vs_1"].isna().all()
    assert any("did not converge" in w for w in boot.warnings)
    assert any("fewer than 2 usable" in w for w in boot.warnings)
    assert not boot.fit.converged
