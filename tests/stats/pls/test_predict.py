"""PLSpredict and CVPAT: seminr's predict_pls on the same folds.

Reference: ``tests/data/pls/predict_seminr_reference.json``, written by
``tests/data/pls/make_predict_reference.py`` with seminr (Python) 0.2.1 (a port that
matches R seminr to 1e-15): the ECSI model on mobi (3 repetitions) and the cx_journey
chain model (2 repetitions), 10 folds, direct (DA) and earliest (EA) antecedents. The
folds of every repetition are stored in the JSON and fed to ``pls_predict`` as
``fold_assignment``. RMSE and MAE (PLS and LM), composite predictions and the
head of the item predictions are seminr's; Q2_predict, the error skewness and CVPAT
are computed in the generator from seminr's predictions (scipy ``skew``, ``ttest_rel``).

Tolerance 1e-9; measured: <= 4e-14 for predictions and every
statistic.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA, ROOT, load_json

from cxsurvey.errors import AnalysisError
from cxsurvey.stats.pls.predict import (
    PlsPredictResult,
    pls_predict,
    pls_predict_techniques,
)
from cxsurvey.stats.pls.predict_cv import draw_assignment

TOL = 1e-9
CASES = [(d, t) for d in ("mobi_ecsi", "cx_journey_chain") for t in ("DA", "EA")]
TECHNIQUE = {"DA": "direct", "EA": "earliest"}


def _frame(name: str) -> pd.DataFrame:
    if name == "mobi_ecsi":
        return pd.read_csv(DATA / "pls" / "mobi.csv")
    return pd.read_csv(DATA / "cx_journey_items.csv")


@cache
def _reference() -> dict:
    return load_json("pls/predict_seminr_reference.json")


@cache
def _run(name: str, technique: str) -> tuple[PlsPredictResult, dict]:
    ref = _reference()["datasets"][name]
    result = pls_predict(_frame(name), ref["constructs"], [tuple(p) for p in ref["paths"]],
                         technique=TECHNIQUE[technique], folds=ref["folds"],
                         fold_assignment=np.array(ref["fold_assignment"]),
                         seed=ref["seed"], cvpat_boot=500)
    return result, ref


@pytest.mark.parametrize(("name", "technique"), CASES)
def test_item_metrics_match_seminr(name: str, technique: str) -> None:
    result, ref = _run(name, technique)
    expected = pd.DataFrame(ref[technique]["items"]).set_index("item")
    got = result.items.set_index("item").loc[expected.index]
    assert list(got["construct"]) == list(expected["construct"])
    assert len(result.items) == len(expected)
    for col in ("rmse_pls", "mae_pls", "rmse_lm", "mae_lm", "q2_predict", "skew_pls",
                "skew_lm"):
        assert_allclose(got[col], expected[col], rtol=0, atol=TOL, err_msg=col)


@pytest.mark.parametrize(("name", "technique"), CASES)
def test_predictions_match_seminr(name: str, technique: str) -> None:
    result, ref = _run(name, technique)
    items = [row["item"] for row in ref[technique]["items"]]
    head = len(ref[technique]["pls_head"])
    assert_allclose(result.pls_predictions[items].to_numpy()[:head],
                    ref[technique]["pls_head"], rtol=0, atol=TOL)
    assert_allclose(result.lm_predictions[items].to_numpy()[:head],
                    ref[technique]["lm_head"], rtol=0, atol=TOL)
    for construct, values in ref[technique]["composite_head"].items():
        assert_allclose(result.composite_predictions[construct].to_numpy()[:head], values,
                        rtol=0, atol=TOL, err_msg=construct)


@pytest.mark.parametrize(("name", "technique"), CASES)
def test_construct_q2_matches_reference(name: str, technique: str) -> None:
    result, ref = _run(name, technique)
    expected = pd.DataFrame(ref[technique]["constructs"]).set_index("construct")
    got = result.constructs.set_index("construct").loc[expected.index]
    assert len(result.constructs) == len(expected)
    for col in ("q2_predict", "rmse", "mae"):
        assert_allclose(got[col], expected[col], rtol=0, atol=TOL, err_msg=col)


@pytest.mark.parametrize(("name", "technique"), CASES)
def test_cvpat_matches_reference(name: str, technique: str) -> None:
    result, ref = _run(name, technique)
    expected = pd.DataFrame(ref[technique]["cvpat"]).set_index(["benchmark", "construct"])
    got = result.cvpat.set_index(["benchmark", "construct"]).loc[expected.index]
    assert len(result.cvpat) == len(expected)
    for col in ("loss_pls", "loss_benchmark", "diff", "t", "pvalue", "t_boot",
                "pvalue_boot"):
        assert_allclose(got[col], expected[col], rtol=1e-9, atol=TOL, err_msg=col)


@pytest.mark.parametrize("name", ["mobi_ecsi", "cx_journey_chain"])
def test_single_repetition_matches_seminr_item_metrics(name: str) -> None:
    """seminr's own RMSE/MAE table (item_metrics) for the first repetition alone."""
    ref = _reference()["datasets"][name]
    result = pls_predict(_frame(name), ref["constructs"], [tuple(p) for p in ref["paths"]],
                         fold_assignment=np.array(ref["fold_assignment"][0]), cvpat_boot=0)
    seminr = ref["DA"]["seminr_metrics_rep1"]
    got = result.items.set_index("item").loc[seminr["items"]]
    for col in ("rmse_pls", "mae_pls", "rmse_lm", "mae_lm"):
        assert_allclose(got[col], seminr[col], rtol=0, atol=TOL, err_msg=col)
    assert result.repetitions == 1
    assert result.cvpat["t_boot"].isna().all()


def _simulated(noise_y: float, related: bool, n: int = 300, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    xi = rng.standard_normal(n)
    eta = xi if related else rng.standard_normal(n)
    cols = {f"x{i}": xi + 0.3 * rng.standard_normal(n) for i in range(1, 4)}
    cols.update({f"y{i}": 3 + 2 * eta + noise_y * rng.standard_normal(n)
                 for i in range(1, 4)})
    return pd.DataFrame(cols)


SIM_MODEL = ({"X": ["x1", "x2", "x3"], "Y": ["y1", "y2", "y3"]}, [("X", "Y")])


def test_predictable_indicator_has_q2_near_one() -> None:
    data = _simulated(0.01, related=True)
    result = pls_predict(data, *SIM_MODEL, repetitions=3, cvpat_boot=0)
    # y = 3 + 2 xi; X's composite predicts xi with R^2 ~ 0.97
    assert (result.items["q2_predict"] > 0.95).all()
    assert (result.constructs["q2_predict"] > 0.95).all()
    assert result.counts.n_q2_positive == result.counts.n_indicators


def test_random_noise_has_q2_at_or_below_zero() -> None:
    data = _simulated(1.0, related=False)
    result = pls_predict(data, *SIM_MODEL, repetitions=3, cvpat_boot=200)
    assert (result.items["q2_predict"] < 0.02).all()
    assert result.items["q2_predict"].mean() < 0.0
    ia = result.cvpat[(result.cvpat["benchmark"] == "IA")
                      & (result.cvpat["construct"] == "Overall")].iloc[0]
    assert ia["pvalue"] > 0.05


def test_counts_follow_the_item_table() -> None:
    result, _ = _run("mobi_ecsi", "DA")
    items = result.items
    metric = result.metric
    assert metric == "rmse"
    lower = items[f"{metric}_pls"] < items[f"{metric}_lm"]
    assert result.counts.n_pls_lower == int(lower.sum())
    assert result.counts.n_indicators == len(items) == 19
    assert result.counts.n_q2_positive == int((items["q2_predict"] > 0).sum())
    assert sum(c.n_indicators for c in result.construct_counts.values()) == 19
    assert (items["pls_lower"] == lower).all()


def test_metric_switches_to_mae_for_skewed_errors() -> None:
    rng = np.random.default_rng(2)
    data = _simulated(0.5, related=True, seed=3)
    for col in ("y1", "y2", "y3"):
        data[col] = data[col] + rng.exponential(2.0, len(data))
    auto = pls_predict(data, *SIM_MODEL, repetitions=2, cvpat_boot=0)
    assert auto.n_skewed == 3
    assert auto.metric == "mae"
    forced = pls_predict(data, *SIM_MODEL, repetitions=2, cvpat_boot=0, metric="rmse")
    assert forced.metric == "rmse"


def test_seeded_folds_are_reproducible_and_balanced() -> None:
    a = draw_assignment(157, 10, 4, seed=11)
    assert_allclose(a, draw_assignment(157, 10, 4, seed=11))
    assert not np.array_equal(a, draw_assignment(157, 10, 4, seed=12))
    for row in a:
        sizes = np.bincount(row, minlength=10)
        assert sizes.max() - sizes.min() <= 1 and sizes.sum() == 157
    assert not np.array_equal(a[0], a[1])
    data = _frame("mobi_ecsi")
    ref = _reference()["datasets"]["mobi_ecsi"]
    args = (data, ref["constructs"], [tuple(p) for p in ref["paths"]])
    one = pls_predict(*args, repetitions=2, seed=3, cvpat_boot=50)
    two = pls_predict(*args, repetitions=2, seed=3, cvpat_boot=50)
    pd.testing.assert_frame_equal(one.items, two.items)
    pd.testing.assert_frame_equal(one.cvpat, two.cvpat)
    assert one.fold_assignment.shape == (2, 250)


def test_techniques_at_once_equal_their_own_runs() -> None:
    """Both techniques from one call (shared folds, training fits and CVPAT resamples)
    equal the two separate calls: to rounding, since batched products may sum in
    another order."""
    ref = _reference()["datasets"]["cx_journey_chain"]
    args = (_frame("cx_journey_chain"), ref["constructs"], [tuple(p) for p in ref["paths"]])
    both = pls_predict_techniques(*args, techniques=("direct", "earliest"), seed=7,
                                  cvpat_boot=300, repetitions=3)
    assert [r.technique for r in both] == ["direct", "earliest"]
    for joint in both:
        alone = pls_predict(*args, technique=joint.technique, seed=7, cvpat_boot=300,
                            repetitions=3)
        for table in ("items", "constructs", "cvpat", "pls_predictions", "lm_predictions",
                      "naive_predictions", "composite_predictions"):
            pd.testing.assert_frame_equal(getattr(joint, table), getattr(alone, table),
                                          rtol=0, atol=1e-12)
        assert joint.metric == alone.metric and joint.counts == alone.counts
    with pytest.raises(ValueError, match="technique"):
        pls_predict_techniques(*args, techniques=("direct", "sideways"))
    with pytest.raises(ValueError, match="at least one"):
        pls_predict_techniques(*args, techniques=())


def test_fold_chunks_and_loocv(monkeypatch: pytest.MonkeyPatch) -> None:
    """Training fits estimated in several batches give the same predictions; leave-one-
    out (folds = n) runs."""
    from cxsurvey.stats.pls import predict_cv

    data = _simulated(0.8, related=True, n=60)
    whole = pls_predict(data, *SIM_MODEL, folds=60, repetitions=1, cvpat_boot=0)
    monkeypatch.setattr(predict_cv, "FOLD_CHUNK", 7)
    chunked = pls_predict(data, *SIM_MODEL, folds=60, repetitions=1, cvpat_boot=0)
    pd.testing.assert_frame_equal(whole.pls_predictions, chunked.pls_predictions,
                                  rtol=0, atol=1e-13)
    pd.testing.assert_frame_equal(whole.items, chunked.items, rtol=0, atol=1e-13)
    assert (np.bincount(whole.fold_assignment[0]) == 1).all()


def test_lm_predictors_option() -> None:
    ref = _reference()["datasets"]["mobi_ecsi"]
    args = (_frame("mobi_ecsi"), ref["constructs"], [tuple(p) for p in ref["paths"]])
    folds = np.array(ref["fold_assignment"])
    da = pls_predict(*args, fold_assignment=folds, cvpat_boot=0)
    da_exo = pls_predict(*args, fold_assignment=folds, cvpat_boot=0,
                         lm_predictors="exogenous")
    ea, _ = _run("mobi_ecsi", "EA")
    # the exogenous-items benchmark is seminr's EA benchmark, whatever the technique
    assert_allclose(da_exo.items["rmse_lm"], ea.items["rmse_lm"], rtol=0, atol=1e-12)
    assert_allclose(da_exo.items["rmse_pls"], da.items["rmse_pls"], rtol=0, atol=1e-12)
    assert np.abs(da_exo.items["rmse_lm"] - da.items["rmse_lm"]).max() > 1e-3


def test_listwise_missing_rows_are_dropped() -> None:
    data = _simulated(0.5, related=True)
    data.loc[[3, 10], "x1"] = np.nan
    result = pls_predict(data, *SIM_MODEL, repetitions=1, cvpat_boot=0)
    assert result.n == 298 and result.n_dropped == 2
    assert 3 not in result.pls_predictions.index
    assert any("dropped" in w for w in result.warnings)


def test_invalid_options() -> None:
    data = _simulated(0.5, related=True, n=40)
    with pytest.raises(ValueError, match="technique"):
        pls_predict(data, *SIM_MODEL, technique="latest")
    with pytest.raises(ValueError, match="folds"):
        pls_predict(data, *SIM_MODEL, folds=1)
    with pytest.raises(ValueError, match="exceed"):
        pls_predict(data, *SIM_MODEL, folds=41)
    with pytest.raises(ValueError, match="labels"):
        pls_predict(data, *SIM_MODEL, folds=5, fold_assignment=np.arange(40) % 6)
    with pytest.raises(ValueError, match="shape"):
        pls_predict(data, *SIM_MODEL, fold_assignment=np.zeros((2, 39), dtype=int))
    with pytest.raises(ValueError, match="3 rows"):
        pls_predict(data, *SIM_MODEL, folds=2,
                    fold_assignment=np.r_[np.zeros(38, dtype=int), 1, 1])
    with pytest.raises(ValueError, match="cvpat_alternative"):
        pls_predict(data, *SIM_MODEL, cvpat_alternative="less")


def test_constant_item_in_a_training_fold_is_an_analysis_error() -> None:
    data = _simulated(0.5, related=True, n=40)
    data["y3"] = 2.0
    data.loc[0, "y3"] = 5.0  # varies in the sample, constant without row 0
    assignment = np.zeros(40, dtype=int)
    assignment[1:20] = 1  # fold 0's training rows are 1..19, where y3 is constant
    with pytest.raises(AnalysisError, match="y3"):
        pls_predict(data, *SIM_MODEL, folds=2, fold_assignment=assignment, cvpat_boot=0)


@pytest.mark.slow
def test_default_10x10_on_the_sample_survey() -> None:
    """The defaults (10 folds x 10 repetitions, CVPAT with 2000 resamples) on the sample
    survey's chain model: every endogenous indicator gets a finite row (timings are in
    benchmarks/bench_pls.py)."""
    from cxsurvey.app.pipeline import read

    survey = read(ROOT / "sample_surveys" / "cx_journey.xlsx",
                  ROOT / "sample_surveys" / "cx_journey.toml")
    chain = list(survey.constructs)
    cx = pls_predict(survey.items, dict(survey.constructs), list(zip(chain[:-1], chain[1:],
                                                                     strict=True)))
    assert cx.repetitions == 10 and cx.folds == 10 and cx.n == 157
    endogenous = {c for c in chain[1:]}
    assert set(cx.items["construct"]) == endogenous
    assert np.isfinite(cx.items[["rmse_pls", "rmse_lm", "q2_predict"]].to_numpy()).all()
    assert np.isfinite(cx.cvpat[["t", "t_boot"]].to_numpy()).all()


def test_cvpat_bootstrap_does_not_depend_on_its_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large samples draw CVPAT's resamples in smaller chunks of the same stream: the
    bootstrap standard errors are the same numbers."""
    from cxsurvey.stats.pls import predict_cvpat

    data = _simulated(0.8, related=True, n=90)
    whole = pls_predict(data, *SIM_MODEL, repetitions=2, cvpat_boot=40, seed=4)
    monkeypatch.setattr(predict_cvpat, "_CHUNK_BYTES", 8 * 90 * 3)  # 3 resamples a chunk
    chunked = pls_predict(data, *SIM_MODEL, repetitions=2, cvpat_boot=40, seed=4)
    pd.testing.assert_frame_equal(whole.cvpat, chunked.cvpat, rtol=0, atol=1e-15)
