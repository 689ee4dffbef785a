"""PLS multi-group analysis: seminr's estimate_pls_mga on the same resamples.

Reference: ``tests/data/pls/mga_seminr_reference.json``, written by
``tests/data/pls/make_mga_reference.py`` with seminr (Python) 0.2.1: the ECSI model on
mobi split by ``CUEX1 < 8`` (seminr's documentation example) and the cx_journey sample
model split by Channel (App = group 1). Both groups' bootstrap resamples (1000 each) are
rebuilt here with numpy from the seeds in the JSON and passed to ``pls_mga`` as
``boot_indices``; the 300 label permutations likewise.

Tolerance 1e-6; measured: <= 2e-15 for the group and pooled paths, bootstrap means and
SDs, Henseler's p (exactly equal), the parametric and Welch t, their p-values, the
permutation p-values (exactly equal) and the Holm adjustments.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA, load_json

from cxsurvey.errors import InputError
from cxsurvey.stats.pls.mga import PlsMga, henseler_p, pls_mga

TOL = 1e-6
COLUMNS = {"estimate": "est_pooled", "group1_beta": "est_g1", "group2_beta": "est_g2",
           "diff": "diff", "group1_beta_mean": "boot_mean_g1",
           "group2_beta_mean": "boot_mean_g2", "group1_boot_sd": "se_g1",
           "group2_boot_sd": "se_g2", "pls_mga_p": "p_mga", "p_mga_2sided": "p_mga_2sided",
           "p_mga_holm": "p_mga_holm", "t_param": "t_param", "df_param": "df_param",
           "p_param": "p_param", "p_param_holm": "p_param_holm", "t_welch": "t_welch",
           "df_welch": "df_welch", "p_welch": "p_welch", "p_welch_holm": "p_welch_holm",
           "p_perm": "p_perm", "p_perm_holm": "p_perm_holm"}


def _data(name: str, ref: dict) -> tuple[pd.DataFrame, np.ndarray]:
    if name == "cx_journey_channel":
        items = pd.read_csv(DATA / "cx_journey_items.csv")
        return items, np.where(np.array(ref["group_labels"]) == "App", "g1", "g2")
    mobi = pd.read_csv(DATA / "pls" / "mobi.csv")
    return mobi, np.where(mobi["CUEX1"] < 8, "g1", "g2")


@cache
def _run(name: str) -> tuple[PlsMga, dict]:
    ref = load_json("pls/mga_seminr_reference.json")["datasets"][name]
    data, labels = _data(name, ref)
    indices = tuple(np.random.Generator(np.random.PCG64(seed)).integers(0, n,
                                                                        size=(ref["nboot"], n))
                    for seed, n in zip(ref["index_seeds"], (ref["n1"], ref["n2"]), strict=True))
    assert [int(i.sum()) for i in indices] == ref["index_sums"]
    rng = np.random.Generator(np.random.PCG64(ref["perm_seed"]))
    perms = np.stack([rng.permutation(len(labels)) for _ in range(ref["n_perm"])])
    result = pls_mga(data, labels, ref["constructs"], [tuple(p) for p in ref["paths"]],
                     boot_indices=indices, permutations=perms)
    return result, ref


@pytest.mark.parametrize("name", ["mobi_ecsi_cuex1", "cx_journey_channel"])
def test_matches_seminr_on_the_same_resamples(name: str) -> None:
    result, ref = _run(name)
    expected = pd.DataFrame(ref["rows"])
    assert result.groups == ("g1", "g2")
    assert result.sizes == {"g1": ref["n1"], "g2": ref["n2"]}
    assert result.n_boot_used == {"g1": ref["boots"][0], "g2": ref["boots"][1]}
    assert result.paths[["from", "to"]].values.tolist() == expected[["from", "to"]].values.tolist()
    for theirs, ours in COLUMNS.items():
        assert_allclose(result.paths[ours], expected[theirs], rtol=0, atol=TOL, err_msg=ours)
    assert result.n_perm == result.n_perm_used == ref["n_perm"]


def test_sample_survey_purchase_use_differs_by_channel() -> None:
    result, _ = _run("cx_journey_channel")
    row = result.paths.set_index(["from", "to"]).loc[("Purchase", "Use")]
    # the App group's path is clearly smaller: Henseler's one-sided p is near 1
    assert row["diff"] < -0.2 and row["p_mga"] > 0.95
    assert row["p_param"] < 0.05 and row["p_param_holm"] > 0.05


def test_henseler_p_equals_the_full_pair_count() -> None:
    rng = np.random.default_rng(3)
    b1 = rng.normal(0.3, 0.1, size=(57, 2))
    b2 = rng.normal(0.2, 0.1, size=(43, 2))
    for i in range(2):
        grid = (2 * b1[:, i].mean() - b1[:, i][:, None] - 2 * b2[:, i].mean()
                + b2[:, i][None, :])
        assert henseler_p(b1, b2)[i] == pytest.approx(1 - (grid > 0).mean(), abs=1e-15)


def test_default_run_is_seeded_and_reproducible() -> None:
    mobi = pd.read_csv(DATA / "pls" / "mobi.csv")
    model = ({"Image": ["IMAG1", "IMAG2", "IMAG3"], "Loyalty": ["CUSL1", "CUSL2", "CUSL3"]},
             [("Image", "Loyalty")])
    labels = np.where(mobi["CUSCO"] > 7, "high", "low")
    first = pls_mga(mobi, labels, *model, n_boot=200, n_perm=100)
    again = pls_mga(mobi, labels, *model, n_boot=200, n_perm=100)
    other = pls_mga(mobi, labels, *model, n_boot=200, n_perm=100, seed=7)
    pd.testing.assert_frame_equal(first.paths, again.paths)
    assert not np.allclose(first.paths["se_g1"], other.paths["se_g1"])
    assert first.boot_seeds is not None and first.seed is not None
    flipped = pls_mga(mobi, labels, *model, n_boot=200, n_perm=100, order=["low", "high"])
    assert flipped.groups == ("low", "high")
    assert flipped.paths["diff"].iloc[0] == pytest.approx(-first.paths["diff"].iloc[0])


def test_group_errors() -> None:
    mobi = pd.read_csv(DATA / "pls" / "mobi.csv")
    model = ({"Image": ["IMAG1", "IMAG2"], "Loyalty": ["CUSL1", "CUSL2"]},
             [("Image", "Loyalty")])
    three = np.repeat(["a", "b", "c"], [80, 80, 90])
    with pytest.raises(InputError, match="exactly 2 groups"):
        pls_mga(mobi, three, *model, n_boot=10, n_perm=0)
    with pytest.raises(InputError, match="entries"):
        pls_mga(mobi, three[:10], *model, n_boot=10, n_perm=0)
    two = pls_mga(mobi, three, *model, n_boot=20, n_perm=0, order=["c", "a"])
    assert two.sizes == {"c": 90, "a": 80} and two.paths["p_perm"].isna().all()
