"""HTMT inference (Franke & Sarstedt, 2019) against seminr's bootstrapped HTMT.

Reference: ``tests/data/pls/htmt_inference_seminr_reference.json``, written by
``tests/data/pls/make_htmt_inference_reference.py`` with seminr (Python port) 0.2.1:
``summary(boot, alpha = 0.05)`` and ``alpha = 0.10`` of ``bootstrapped_HTMT`` (the 95th
percentile of the latter is the one-sided upper bound of the test) for

- the ECSI model on mobi with R seminr's 100 resample rows
  (``boot_indices_mobi_ecsi_seminr.json``; the port's 95% interval equals R seminr's
  golden values to 4.4e-15);
- the extended corporate-reputation model (Mode B and single-item constructs) on the
  336 complete rows with 300 resamples drawn by numpy PCG64 with seed 20260, the draw of
  ``bootstrap_pls(seed=20260)``.

Tolerance 1e-6; measured: <= 1.8e-15 for HTMT, bootstrap mean, SD, 2.5%/97.5% and 95th
percentiles.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA, load_json

from cxsurvey.stats.pls.bootstrap import PlsBootstrap, bootstrap_pls
from cxsurvey.stats.pls.htmt_inference import (
    HtmtInference,
    htmt_inference,
    htmt_inference_from_draws,
    threshold_column,
)

TOL = 1e-6
PLS = DATA / "pls"
COLUMNS = {"est": "htmt", "boot_mean": "boot_mean", "boot_sd": "se", "q025": "ci_lower",
           "q975": "ci_upper", "q95": "upper_one_sided"}


def _ref(key: str) -> dict:
    return load_json("pls/htmt_inference_seminr_reference.json")["datasets"][key]


@cache
def _boot(key: str) -> PlsBootstrap:
    ref = _ref(key)
    paths = [(a, b) for a, b in ref["paths"]]
    if key == "mobi_ecsi_r_indices":
        raw = np.array(load_json("pls/boot_indices_mobi_ecsi_seminr.json")["indices"])
        return bootstrap_pls(pd.read_csv(PLS / "mobi.csv"), ref["constructs"], paths,
                             modes=ref["modes"], indices=raw - 1, bca=False)
    data = pd.read_csv(PLS / "corp_rep_data.csv").replace(-99, np.nan)
    return bootstrap_pls(data, ref["constructs"], paths, modes=ref["modes"],
                         missing="listwise", n_boot=ref["nboot"], seed=ref["seed"],
                         bca=False)


@pytest.mark.parametrize("key", ["mobi_ecsi_r_indices", "corp_rep_ext_pcg64"])
def test_seminr_bootstrapped_htmt_reproduced(key):
    ref = _ref(key)
    boot = _boot(key)
    assert boot.n_used == ref["boots"] == ref["nboot"]
    result = htmt_inference(boot)
    table = result.table.set_index(["a", "b"])
    assert len(table) == len(ref["htmt"])
    for row in ref["htmt"]:
        ours = table.loc[(row["a"], row["b"])]
        for ref_col, col in COLUMNS.items():
            assert ours[col] == pytest.approx(row[ref_col], abs=TOL), (row["a"], row["b"], col)


@pytest.mark.parametrize("key", ["mobi_ecsi_r_indices", "corp_rep_ext_pcg64"])
def test_threshold_tests_follow_the_one_sided_upper_bound(key):
    result = htmt_inference(_boot(key))
    table = result.table.set_index(["a", "b"])
    assert result.thresholds == (0.85, 0.90)
    assert result.level == 0.95 and result.ci == 0.95
    for row in _ref(key)["htmt"]:
        ours = table.loc[(row["a"], row["b"])]
        assert bool(ours["below_085"]) is (row["q95"] < 0.85)
        assert bool(ours["below_090"]) is (row["q95"] < 0.90)
    # both outcomes occur in these data, so the columns are not constant
    assert table["below_090"].any() and not table["below_090"].all()


def test_same_resamples_as_the_pls_bootstrap():
    boot = _boot("corp_rep_ext_pcg64")
    result = htmt_inference(boot)
    assert list(zip(result.table["a"], result.table["b"], strict=True)) == \
        list(zip(boot.htmt["a"], boot.htmt["b"], strict=True))
    for ours, theirs in [("htmt", "est"), ("boot_mean", "boot_mean"), ("se", "se"),
                         ("ci_lower", "ci_lower"), ("ci_upper", "ci_upper")]:
        assert_allclose(result.table[ours], boot.htmt[theirs], rtol=0, atol=1e-15)
    assert result.n_used == boot.n_used


def test_mode_b_pairs_flagged():
    table = htmt_inference(_boot("corp_rep_ext_pcg64")).table.set_index(["a", "b"])
    assert table.loc[("QUAL", "PERF"), "mode_b"]
    assert table.loc[("ATTR", "COMP"), "mode_b"]
    assert not table.loc[("COMP", "LIKE"), "mode_b"]
    assert not table.loc[("CUSA", "CUSL"), "mode_b"]
    assert not htmt_inference(_boot("mobi_ecsi_r_indices")).table["mode_b"].any()


def test_hand_computed_quantiles_and_other_thresholds():
    # draws 0.01, 0.02, ..., 1.01: type-7 quantile at 0.95 -> position 95 -> 0.96;
    # at 0.90 -> 0.91; two-sided 90% interval 0.06 .. 0.96
    draws = (np.arange(1, 102) / 100.0)[:, None]
    pairs = pd.DataFrame({"a": ["X"], "b": ["Y"]})
    out = htmt_inference_from_draws(pairs, np.array([0.5]), draws,
                                    thresholds=(0.95, 0.97), level=0.95, ci=0.90)
    row = out.table.iloc[0]
    assert row["upper_one_sided"] == pytest.approx(0.96, abs=1e-12)
    assert row["ci_lower"] == pytest.approx(0.06, abs=1e-12)
    assert row["ci_upper"] == pytest.approx(0.96, abs=1e-12)
    assert row["boot_mean"] == pytest.approx(0.51, abs=1e-12)
    assert row["se"] == pytest.approx(np.std(draws, ddof=1), abs=1e-12)
    assert not row[threshold_column(0.95)] and row[threshold_column(0.97)]
    assert threshold_column(0.85) == "below_085" and threshold_column(0.9) == "below_090"
    lower = htmt_inference_from_draws(pairs, np.array([0.5]), draws, level=0.90)
    assert lower.table["upper_one_sided"].iloc[0] == pytest.approx(0.91, abs=1e-12)


def test_too_few_draws_give_no_inference():
    pairs = pd.DataFrame({"a": ["X"], "b": ["Y"]})
    out = htmt_inference_from_draws(pairs, np.array([0.5]), np.array([[0.4]]))
    assert isinstance(out, HtmtInference)
    assert np.isnan(out.table["upper_one_sided"].iloc[0])
    assert not out.table["below_085"].iloc[0] and not out.table["below_090"].iloc[0]
    assert out.n_used == 1 and out.warnings


@pytest.mark.parametrize("kwargs", [{"level": 1.0}, {"level": 0.0}, {"ci": 1.5},
                                    {"thresholds": ()}, {"thresholds": (-0.85,)},
                                    {"thresholds": (float("nan"),)}])
def test_bad_options_raise(kwargs):
    pairs = pd.DataFrame({"a": ["X"], "b": ["Y"]})
    with pytest.raises(ValueError):
        htmt_inference_from_draws(pairs, np.array([0.5]), np.zeros((5, 1)), **kwargs)
