"""Structure of ``tests/data/ordinal_reference.json`` (lavaan / psych / semTools reference values
for polychoric correlations, WLSMV CFA / SEM and ordinal reliability).

The file is produced by ``tests/data/r/make_ordinal_reference.R`` (R 4.2.2, lavaan 0.6-14,
psych 2.2.9, semTools 0.5-6) from ``tests/data/bfi.csv`` and ``tests/data/cx_journey_items.csv``;
see the script's header for the layout. These tests need no R and no cxsurvey code: they check
that the file is complete and internally consistent (symmetric unit-diagonal matrices, increasing
thresholds, row counts, lavaan and psych agreeing with each other), so the ordinal features can
rely on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA, load_json

REF = "ordinal_reference.json"

BFI_ITEMS = [f"{s}{i}" for s in "ACENO" for i in range(1, 6)]
BFI_ROWS, BFI_COMPLETE = 2800, 2436
SAMPLE_ROWS = 157
SAMPLE_EMPTY_LOWEST = {"Att5", "Evalu1", "Evalu2"}  # nobody answered 1

POLYCHORIC = {  # key -> (nobs, item count)
    "bfi_polychoric_lavcor": (BFI_ROWS, 25),
    "bfi_polychoric_lavcor_listwise": (BFI_COMPLETE, 25),
    "bfi_polychoric_psych": (BFI_ROWS, 25),
    "bfi_polychoric_psych_listwise": (BFI_COMPLETE, 25),
    "sample_polychoric_lavcor": (SAMPLE_ROWS, 33),
    "sample_polychoric_psych": (SAMPLE_ROWS, 33),
}
FITS = {  # key -> (nobs, missing, observed variables, factors)
    "bfi_wlsmv_cfa": (BFI_COMPLETE, "listwise", 25, 5),
    "bfi_wlsmv_cfa_pairwise": (BFI_ROWS, "pairwise", 25, 5),
    "bfi_keyed_wlsmv_cfa": (BFI_COMPLETE, "listwise", 25, 5),
    "bfi_wlsmv_sem": (2481, "listwise", 20, 4),
    "sample_wlsmv_cfa": (SAMPLE_ROWS, "listwise", 33, 8),
    "sample_wlsmv_sem": (SAMPLE_ROWS, "listwise", 33, 8),
}
# the polychoric matrix each fit uses is the lavCor matrix on the same rows
FIT_POLYCHORIC = {
    "bfi_wlsmv_cfa": "bfi_polychoric_lavcor_listwise",
    "bfi_wlsmv_cfa_pairwise": "bfi_polychoric_lavcor",
    "sample_wlsmv_cfa": "sample_polychoric_lavcor",
    "sample_wlsmv_sem": "sample_polychoric_lavcor",
}


def ref() -> dict:
    return load_json(REF)


def matrix(block: dict) -> np.ndarray:
    m = np.array(block["matrix"], dtype=float)
    assert m.shape == (len(block["names"]), len(block["colnames"]))
    assert block["names"] == block["colnames"]
    return m


def assert_correlation_matrix(m: np.ndarray) -> None:
    assert np.isfinite(m).all()
    assert_allclose(m, m.T, atol=1e-12)
    assert_allclose(np.diag(m), 1.0, atol=1e-12)
    off = m[~np.eye(len(m), dtype=bool)]
    assert (np.abs(off) < 1).all()


def assert_thresholds(th: dict, items: list[str], sample: bool) -> None:
    assert list(th) == items
    for item, values in th.items():
        values = np.asarray(values, dtype=float)
        assert np.isfinite(values).all()
        assert (np.diff(values) > 0).all(), item
        if sample:
            assert len(values) == (3 if item in SAMPLE_EMPTY_LOWEST else 4), item
        else:
            assert len(values) == 5, item


def test_top_level_keys_and_meta():
    data = ref()
    expected = {"meta", "timing", "bfi_ordinal_alpha", "sample_ordinal_alpha"}
    expected |= set(POLYCHORIC) | set(FITS)
    assert expected <= set(data)
    meta = data["meta"]
    assert meta["lavaan"] == "0.6.14"
    assert meta["semTools"] == "0.5.6"
    assert meta["R"].startswith("R version")
    assert meta["bfi_rows"] == BFI_ROWS and meta["bfi_complete_rows"] == BFI_COMPLETE
    assert meta["sample_rows"] == SAMPLE_ROWS
    assert set(meta["sample_empty_categories"]) == SAMPLE_EMPTY_LOWEST
    assert len(meta["sample_constructs"]) == 8
    assert sum(len(v) for v in meta["sample_constructs"].values()) == 33


def test_sample_items_csv_matches_meta():
    items = pd.read_csv(DATA / "cx_journey_items.csv")
    meta = ref()["meta"]
    assert items.shape == (SAMPLE_ROWS, 33)
    assert not items.isna().any().any()
    assert list(items.columns) == [i for c in meta["sample_constructs"].values() for i in c]
    for item, counts in meta["sample_category_counts"].items():
        got = items[item].value_counts().reindex(range(1, 6), fill_value=0).tolist()
        assert got == counts, item


@pytest.mark.parametrize("key", sorted(POLYCHORIC))
def test_polychoric_entries(key):
    entry = ref()[key]
    nobs, p = POLYCHORIC[key]
    assert entry["call"]
    assert entry["nobs"] == nobs
    m = matrix(entry["cor"])
    assert m.shape == (p, p)
    assert_correlation_matrix(m)
    assert entry["names"] == entry["cor"]["names"]
    assert_thresholds(entry["thresholds"], entry["names"], key.startswith("sample"))
    if key.startswith("bfi"):
        assert entry["names"] == BFI_ITEMS
    if "lavcor" in key:
        est = pd.DataFrame(entry["estimates"])
        assert (est["se"] > 0).all()
        assert (est["op"] == "~~").sum() == p * (p - 1) // 2
    else:
        assert entry["smoothed"] is False and entry["min_eigenvalue"] > 0


@pytest.mark.parametrize(
    "prefix", ["bfi_polychoric", "bfi_polychoric_listwise", "sample_polychoric"]
)
def test_lavaan_and_psych_agree(prefix):
    data = ref()
    suffix = "_listwise" if prefix.endswith("_listwise") else ""
    base = prefix.removesuffix("_listwise")
    lav, psy = data[f"{base}_lavcor{suffix}"], data[f"{base}_psych{suffix}"]
    assert lav["names"] == psy["names"]
    assert_allclose(matrix(lav["cor"]), matrix(psy["cor"]), atol=1e-4)
    for item in lav["names"]:
        assert_allclose(lav["thresholds"][item], psy["thresholds"][item], atol=1e-10)


@pytest.mark.parametrize("key", sorted(FITS))
def test_wlsmv_fit_entries(key):
    data = ref()
    fit = data[key]
    nobs, missing, p, nfactors = FITS[key]
    assert fit["converged"] is True
    assert fit["nobs"] == nobs and fit["missing"] == missing
    assert (fit["estimator_requested"], fit["estimator"]) == ("WLSMV", "DWLS")
    assert (fit["se"], fit["test"]) == ("robust.sem", "scaled.shifted")
    assert key in data["timing"] and data["timing"][key]["elapsed"] >= 0

    st = fit["sampstat"]
    cor = matrix(st["cor"])
    assert cor.shape == (p, p)
    assert_correlation_matrix(cor)
    names = st["cor"]["names"]
    assert_thresholds(st["thresholds"], names, key.startswith("sample"))
    if key in FIT_POLYCHORIC:
        assert_allclose(cor, matrix(data[FIT_POLYCHORIC[key]]["cor"]), atol=1e-12)

    params = pd.DataFrame(fit["parameters"])
    th_rows = params[params["op"] == "|"]
    n_th = sum(len(v) for v in st["thresholds"].values())
    assert len(th_rows) == n_th
    loadings = params[params["op"] == "=~"]
    assert loadings["lhs"].nunique() == nfactors and len(loadings) == p
    assert (loadings["std.all"].abs() < 1).all()

    # gamma / wls.v follow lavaan's wls.obs order: thresholds, then the correlations
    n_stats = n_th + p * (p - 1) // 2
    gamma = fit["gamma"]
    assert len(gamma["names"]) == len(gamma["diagonal"]) == len(fit["wls_v_diagonal"]) == n_stats
    assert gamma["names"][:n_th] == [f"{i}|t{j + 1}" for i in names for j in
                                     range(len(st["thresholds"][i]))]
    assert gamma["names"][n_th] == f"{names[0]}~~{names[1]}"
    block = matrix(gamma["block_10x10"])
    assert block.shape == (10, 10)
    assert_allclose(block, block.T, atol=1e-12)
    assert_allclose(np.diag(block), gamma["diagonal"][:10])
    assert (np.asarray(gamma["diagonal"]) > 0).all()
    assert (np.asarray(fit["wls_v_diagonal"]) > 0).all()

    # the scaled-shifted statistic: T / scaling.factor + shift, on the same df
    fm = fit["fit_measures"]
    ts = fit["test_statistics"]
    std, ss = ts["standard"], ts["scaled.shifted"]
    assert fm["chisq"] == pytest.approx(std["stat"]) and fm["df"] == std["df"]
    assert fm["chisq.scaled"] == pytest.approx(ss["stat"])
    assert ss["stat"] == pytest.approx(std["stat"] / ss["scaling.factor"] + ss["shift.parameter"])
    for name in ("cfi.scaled", "tli.scaled", "cfi.robust", "rmsea.robust", "srmr"):
        assert fm[name] is not None, name
    assert "scaled.shifted" in fit["baseline_test_statistics"]


@pytest.mark.parametrize("key", sorted(FITS))
def test_wlsmv_reliability(key):
    fit = ref()[key]
    rel = fit["reliability"]
    factors = list(dict.fromkeys(p["lhs"] for p in fit["parameters"] if p["op"] == "=~"))
    assert list(rel["compRelSEM_ord_scale_true"]) == factors
    assert list(rel["compRelSEM_ord_scale_false"]) == factors
    for row in ("alpha", "alpha.ord", "omega", "omega2", "omega3", "avevar"):
        assert list(rel["semTools_reliability"][row]) == factors
    if key.startswith("sample") or "keyed" in key or key == "bfi_wlsmv_sem":
        for f in factors:
            omega_obs = rel["compRelSEM_ord_scale_true"][f]
            omega_lat = rel["compRelSEM_ord_scale_false"][f]
            # categorical omega of the observed sum is below the latent-response omega
            assert 0 < omega_obs < omega_lat < 1, f
    if key.endswith("_cfa") or key == "bfi_wlsmv_cfa_pairwise":
        # compRelSEM(ord.scale = TRUE) is reliability()'s omega3 for a CFA
        assert_allclose(list(rel["compRelSEM_ord_scale_true"].values()),
                        list(rel["semTools_reliability"]["omega3"].values()), rtol=1e-6)


@pytest.mark.parametrize("key", ["bfi_ordinal_alpha", "sample_ordinal_alpha"])
def test_ordinal_alpha_entries(key):
    data = ref()
    scales = data[key]
    constructs = (data["meta"]["bfi_scales"] if key.startswith("bfi")
                  else data["meta"]["sample_constructs"])
    assert list(scales) == list(constructs)
    for name, entry in scales.items():
        items = constructs[name]
        assert entry["items"] == items
        assert entry["nobs"] == (BFI_ROWS if key.startswith("bfi") else SAMPLE_ROWS)
        r = matrix(entry["polychoric"])
        assert entry["polychoric"]["names"] == items
        assert_correlation_matrix(r)
        k = len(items)
        avg_r = (r.sum() - k) / (k * (k - 1))
        tot = entry["total"]
        assert tot["average_r"] == pytest.approx(avg_r)
        # alpha of a correlation matrix: raw == standardised == k r / (1 + (k - 1) r)
        assert tot["raw_alpha"] == pytest.approx(tot["std.alpha"])
        assert tot["std.alpha"] == pytest.approx(k * avg_r / (1 + (k - 1) * avg_r))
        assert 0 < tot["raw_alpha"] < 1
        assert list(entry["alpha_drop"]) == items
    if key.startswith("bfi"):
        assert scales["agree"]["reversed"] == ["A1"]
        assert scales["neuro"]["reversed"] == []
