"""PLS model fit (SRMR, d_ULS, d_G; Bollen-Stine HI95/HI99) against ADANCO 2.2.1 and a
base-R reference.

References:

- ``satisfaction_adanco_reference.json``: ADANCO 2.2.1, satisfaction data, centroid
  scheme. ``common_factor_model_PLSc.model_fit_{saturated,estimated}``: SRMR, dULS and dG
  of the common-factor model (all Mode A, PLSc); ``composite_model_modeB``: the same for
  the all-Mode-B composite model. ADANCO gives no bootstrap quantiles. Its d_G uses the
  base-10 logarithm (the natural-log value would be 5.3 times larger and does not match).
- ``plsc_fit_reference.json`` (``tests/data/r/make_plsc_fit_reference.R``, base R): the
  three measures of both models for M3, M1 (Mode B Value inside a common-factor model),
  the ECSI model and satisfaction, and their Bollen-Stine bootstrap mean, 95% and 99%
  quantiles (type 7) over seminr's 100 resample rows
  (``boot_indices_mobi_ecsi_seminr.json``), inadmissible resamples dropped.

Tolerance: 1e-6 for ADANCO (measured 8.7e-8, d_ULS of the composite estimated model;
ADANCO stops at 1e-6); 1e-8 (relative to max(1, |value|)) for the R reference (measured
3.6e-9 for values at the default stop criterion 1e-7 against R's 1e-12, 8e-10 for
bootstrap quantiles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import load_csv, load_json

from cxsurvey.stats.pls.bootstrap import bootstrap_pls
from cxsurvey.stats.pls.model_fit import (
    MEASURES,
    PlsModelFit,
    batch_discrepancies,
    model_fit,
)

TOL_ADANCO = 1e-6
TOL = 1e-8
ADANCO_KEYS = {"SRMR": "SRMR", "d_ULS": "dULS", "d_G": "dG"}


def _arrow(key: str) -> tuple[str, str]:
    a, b = key.split(" -> ")
    return a, b


def _data(name: str) -> pd.DataFrame:
    return load_csv("pls/satisfaction.csv", index_col=0) if name == "satisfaction" \
        else load_csv("pls/mobi.csv")


def _seminr_indices() -> np.ndarray:
    return np.asarray(load_json("pls/boot_indices_mobi_ecsi_seminr.json")["indices"]) - 1


def _spec(spec: dict) -> tuple[dict[str, tuple[str, ...]], list[tuple[str, str]], dict]:
    blocks = {c: tuple(v) if isinstance(v, list) else (v,) for c, v in spec["blocks"].items()}
    return blocks, [_arrow(p) for p in spec["paths"]], {"modes": spec["modes"],
                                                         "scheme": spec["scheme"]}


@pytest.mark.parametrize(("kind", "key", "mode"), [
    ("common_factor", "common_factor_model_PLSc", "A"),
    ("composite", "composite_model_modeB", "B")])
def test_adanco_fit_measures(kind, key, mode):
    ref = load_json("pls/satisfaction_adanco_reference.json")
    blocks = {c: tuple(v) for c, v in ref["model"]["blocks"].items()}
    fit = model_fit(_data("satisfaction"), blocks, [_arrow(p) for p in ref["model"]["paths"]],
                    modes=dict.fromkeys(blocks, mode), scheme="centroid", kind=kind)
    assert fit.n_boot == 0
    assert fit.table[["hi95", "hi99", "boot_mean"]].isna().all().all()
    for variant in ("saturated", "estimated"):
        want = ref[key][f"model_fit_{variant}"]
        for measure in MEASURES:
            got = fit.value(variant, measure)
            assert abs(got - want[ADANCO_KEYS[measure]]) <= TOL_ADANCO, (variant, measure)


def _r_cases() -> list[tuple[str, str]]:
    models = load_json("pls/plsc_fit_reference.json")["models"]
    return [(name, kind) for name, entry in models.items() for kind in entry["fit"]]


@pytest.mark.parametrize(("name", "kind"), _r_cases())
def test_bollen_stine_quantiles_against_base_r(name, kind):
    entry = load_json("pls/plsc_fit_reference.json")["models"][name]
    blocks, paths, kw = _spec(entry["spec"])
    fit = model_fit(_data(entry["spec"]["data"]), blocks, paths, kind=kind,
                    indices=_seminr_indices(), jobs=1, **kw)
    table = fit.table.set_index(["model", "measure"])
    for variant, ref in entry["fit"][kind].items():
        assert fit.n_used[variant] == ref["n_used"], variant
        assert len(fit.draws[variant]) == ref["n_used"]
        for measure in MEASURES:
            for column in ("value", "boot_mean", "hi95", "hi99"):
                want = ref[measure][column]
                got = table.loc[(variant, measure), column]
                assert abs(got - want) <= TOL * max(1.0, abs(want)), \
                    (variant, measure, column, got, want)


def test_implied_matrices_and_discrepancies():
    entry = load_json("pls/plsc_fit_reference.json")["models"]["mobi_m1"]
    blocks, paths, kw = _spec(entry["spec"])
    fit = model_fit(_data("mobi"), blocks, paths, kind="common_factor", **kw)
    s = fit.observed.to_numpy()
    for variant in ("saturated", "estimated"):
        sigma = fit.implied[variant].to_numpy()
        assert np.allclose(np.diag(sigma), 1.0)
        assert np.allclose(sigma, sigma.T)
        # the Mode B block (Value) reproduces its observed correlation
        assert sigma[fit.implied[variant].index.get_loc("PERV1"),
                     fit.implied[variant].index.get_loc("PERV2")] == \
            s[fit.observed.index.get_loc("PERV1"), fit.observed.index.get_loc("PERV2")]
        got = batch_discrepancies(s[None], sigma[None])[0]
        assert np.allclose(got, [fit.value(variant, m) for m in MEASURES], rtol=0,
                           atol=1e-15)
    # a perfect fit has zero discrepancies
    assert np.allclose(batch_discrepancies(s[None], s[None]), 0.0, atol=1e-12)


def test_seeded_bootstrap_and_quantile_columns():
    entry = load_json("pls/plsc_fit_reference.json")["models"]["mobi_m3"]
    blocks, paths, kw = _spec(entry["spec"])
    data = _data("mobi")
    a = model_fit(data, blocks, paths, kind="composite", n_boot=150, seed=4, jobs=1, **kw)
    b = model_fit(data, blocks, paths, kind="composite", n_boot=150, seed=4, jobs=1,
                  quantiles=(0.9, 0.95, 0.99), **kw)
    c = model_fit(data, blocks, paths, kind="composite", n_boot=150, seed=5, jobs=1, **kw)
    assert isinstance(a, PlsModelFit) and a.n_boot == 150 and a.seed == 4
    assert np.array_equal(a.draws["saturated"], b.draws["saturated"])
    assert not np.array_equal(a.draws["saturated"], c.draws["saturated"])
    assert list(b.table.columns) == ["model", "measure", "value", "boot_mean", "hi90",
                                     "hi95", "hi99"]
    assert (b.table["hi90"] <= b.table["hi95"]).all()


@pytest.mark.parametrize("kind", ["composite", "common_factor"])
def test_reused_bootstrap_resamples_give_the_seeded_bootstrap(kind):
    """The Bollen-Stine resamples formed from a PLS bootstrap's kept moments (the same
    seed's resamples of Z, transformed) equal those of the transformed data drawn anew,
    and a seeded run equals its explicit index matrix at any number of threads."""
    entry = load_json("pls/plsc_fit_reference.json")["models"]["mobi_m3"]
    blocks, paths, kw = _spec(entry["spec"])
    data = _data("mobi")
    seeded = model_fit(data, blocks, paths, kind=kind, n_boot=120, seed=9, jobs=2,
                       chunk_size=17, **kw)
    explicit = model_fit(data, blocks, paths, kind=kind,
                         indices=np.random.Generator(np.random.PCG64(9)).integers(
                             0, len(data), size=(120, len(data))), jobs=1, **kw)
    boot = bootstrap_pls(data, blocks, paths, n_boot=120, seed=9, bca=False,
                         keep_moments=True, **kw)
    assert boot.moments is not None and len(boot.moments) == 120
    reused = model_fit(data, blocks, paths, kind=kind, moments=boot.moments, jobs=2, **kw)
    assert reused.n_boot == 120 and reused.seed == 9
    for variant in ("saturated", "estimated"):
        assert seeded.n_used[variant] == explicit.n_used[variant] == reused.n_used[variant]
        np.testing.assert_allclose(seeded.draws[variant], explicit.draws[variant],
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(reused.draws[variant], explicit.draws[variant],
                                   rtol=1e-9, atol=1e-12)
    other = bootstrap_pls(data.iloc[:200], blocks, paths, n_boot=20, seed=9, bca=False,
                          keep_moments=True, **kw)
    with pytest.raises(ValueError, match="same items and rows"):
        model_fit(data, blocks, paths, kind=kind, moments=other.moments, **kw)


def test_errors():
    entry = load_json("pls/plsc_fit_reference.json")["models"]["mobi_m3"]
    blocks, paths, kw = _spec(entry["spec"])
    with pytest.raises(ValueError, match="kind"):
        model_fit(_data("mobi"), blocks, paths, kind="factor", **kw)
    with pytest.raises(ValueError, match="quantiles"):
        model_fit(_data("mobi"), blocks, paths, quantiles=(95,), **kw)


def test_fewer_rows_than_items_leaves_d_g_undefined():
    entry = load_json("pls/plsc_fit_reference.json")["models"]["mobi_ecsi"]
    blocks, paths, kw = _spec(entry["spec"])
    data = _data("mobi").iloc[:20]  # 20 rows, 24 items: S is singular
    fit = model_fit(data, blocks, paths, kind="composite", n_boot=20, seed=1, **kw)
    assert np.isnan(fit.value("saturated", "d_G"))
    assert np.isfinite(fit.value("saturated", "SRMR"))
    assert fit.n_used == {"saturated": 0, "estimated": 0}
    assert any("singular" in w for w in fit.warnings)
