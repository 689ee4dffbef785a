"""Polychoric correlations against lavaan 0.6-14, psych 2.2.9 and polycor 0.8.1.

Reference: tests/data/polychoric_small.json, written by tests/data/r/make_polychoric_small.R
from bfi items A1, A2, C4, E3, O5 (6 categories each):

* ``complete`` -- the first 500 rows complete on the five items; ``lavCor(ordered = ...)``
  matrix and thresholds, ``psych::polychoric`` rho and tau, ``polycor::polychor(ML = FALSE)``
  per pair;
* ``pairwise`` -- the first 500 rows with their missing values, ``lavCor(missing =
  "pairwise")``: confirms that lavaan takes each item's thresholds from all rows where that
  item is observed, and each pair's table from the rows where both are.

Measured agreement (max abs difference over the 10 pairs):

* lavaan, complete: rho 1.9e-9, thresholds 4.4e-15; pairwise: rho 7.9e-10, thresholds
  3.3e-15. The rho residual is lavaan's ``nlminb`` stopping rule: our estimates have a
  log-likelihood at least as high and a zero gradient (checked below);
* psych (rho) and polycor (ML = FALSE): 2.0e-5 -- both maximise with ``optimize()`` at its
  default tolerance; psych's tau equals our thresholds to 1e-15.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize_scalar
from support import load_csv, load_json, square_frame

from cxsurvey.stats.ordinal import polychoric, rectangle_probability, smooth_correlation

REF = load_json("polychoric_small.json")
ITEMS = REF["items"]


def _complete_rows() -> pd.DataFrame:
    bfi = load_csv("bfi.csv")
    return bfi.loc[[r - 1 for r in REF["complete"]["rows"]], ITEMS]


def _loglik(table: np.ndarray, th1: np.ndarray, th2: np.ndarray, rho: float) -> float:
    a = np.concatenate([[-np.inf], th1, [np.inf]])
    b = np.concatenate([[-np.inf], th2, [np.inf]])
    pi = rectangle_probability(a[:-1, None], a[1:, None], b[None, :-1], b[None, 1:], rho)
    return float(np.sum(table * np.log(pi)))


def _table(frame: pd.DataFrame, x: str, y: str) -> np.ndarray:
    both = frame[[x, y]].dropna()
    return pd.crosstab(both[x], both[y]).to_numpy().astype(float)


@pytest.mark.parametrize(("section", "missing"), [("complete", "listwise"),
                                                   ("pairwise", "pairwise")])
def test_matrix_and_thresholds_match_lavcor(section, missing):
    frame = _complete_rows() if section == "complete" else load_csv("bfi.csv")[ITEMS].head(500)
    got = polychoric(frame, ITEMS, missing=missing)
    ref = REF[section]["lavaan"]
    assert_allclose(got.matrix.to_numpy(), square_frame(ref["matrix"], ITEMS).to_numpy(),
                    rtol=0, atol=1e-8)
    for item in ITEMS:
        assert_allclose(got.thresholds[item], ref["thresholds"][item], rtol=0, atol=1e-12)
    assert sorted(f"{a}_{b}" for a, b in got.zero_cell_pairs) == sorted(ref["zero_cell_tables"])
    assert any("pairs with empty cells in the bivariate table" in w for w in got.warnings)
    assert got.converged is not None and bool(got.converged.to_numpy().all())


def test_pairwise_counts_rows_where_both_items_are_observed():
    got = polychoric(load_csv("bfi.csv")[ITEMS].head(500), ITEMS, missing="pairwise")
    want = square_frame(REF["pairwise"]["n_pair"], ITEMS).to_numpy()
    assert (got.n.to_numpy() == want).all()


def test_estimates_maximise_the_likelihood_at_least_as_well_as_lavaan():
    frame = _complete_rows()
    got = polychoric(frame, ITEMS, missing="listwise")
    lav = square_frame(REF["complete"]["lavaan"]["matrix"], ITEMS)
    for i, x in enumerate(ITEMS):
        for y in ITEMS[i + 1:]:
            table = _table(frame, x, y)
            th1, th2 = got.thresholds[x], got.thresholds[y]
            ours = float(got.matrix.loc[x, y])
            assert _loglik(table, th1, th2, ours) >= _loglik(table, th1, th2, lav.loc[x, y]) - 1e-9
            # an independent bounded scalar maximisation agrees
            best = minimize_scalar(lambda r, t=table, a=th1, b=th2: -_loglik(t, a, b, r),
                                   bounds=(-0.999, 0.999), method="bounded",
                                   options={"xatol": 1e-10})
            assert ours == pytest.approx(best.x, abs=1e-7)


def test_psych_and_polycor_agree_to_their_optimiser_tolerance():
    got = polychoric(_complete_rows(), ITEMS, missing="listwise")
    psych = square_frame(REF["complete"]["psych"]["rho"], ITEMS)
    assert_allclose(got.matrix.to_numpy(), psych.to_numpy(), rtol=0, atol=1e-4)
    for item in ITEMS:
        assert_allclose(got.thresholds[item], REF["complete"]["psych"]["tau"][item],
                        rtol=0, atol=1e-12)
    for pair in REF["complete"]["polycor"]:
        assert float(got.matrix.loc[pair["item1"], pair["item2"]]) == pytest.approx(
            pair["rho"], abs=1e-4)


def test_empty_scale_points_and_single_category_items_are_reported():
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=300)
    frame = pd.DataFrame({"a": np.digitize(z[:, 0], [-1, 0, 1]) + 1,  # 1..4
                          "b": np.digitize(z[:, 1], [-0.5, 0.5]) * 2 + 1,  # 1, 3, 5
                          "c": np.full(300, 3)})
    got = polychoric(frame)
    assert got.categories["b"] == (1.0, 3.0, 5.0)
    assert any(w.startswith("b: no responses at scale point(s) 2, 4") for w in got.warnings)
    assert any(w.startswith("c: fewer than two observed categories") for w in got.warnings)
    assert np.isnan(got.matrix.loc["a", "c"]) and 0.3 < got.matrix.loc["a", "b"] < 0.7


def test_two_by_two_tables_follow_lavaans_special_cases():
    def frame(cells: dict[tuple[int, int], int]) -> pd.DataFrame:
        rows = [pair for pair, n in cells.items() for _ in range(n)]
        return pd.DataFrame(rows, columns=["x", "y"])

    perfect = polychoric(frame({(0, 0): 30, (1, 1): 20}))
    assert perfect.matrix.loc["x", "y"] == 1.0
    assert any("nearly) 1.0" in w for w in perfect.warnings)
    independent = polychoric(frame({(0, 0): 10, (0, 1): 20, (1, 0): 15, (1, 1): 30}))
    assert independent.matrix.loc["x", "y"] == 0.0
    median = polychoric(frame({(0, 0): 30, (0, 1): 20, (1, 0): 20, (1, 1): 30}))
    assert median.matrix.loc["x", "y"] == pytest.approx(-np.cos(2 * np.pi * 0.3), abs=1e-15)


def test_smoothing_repairs_a_non_positive_definite_matrix_like_psych():
    m = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.8], [0.1, 0.8, 1.0]])
    assert np.linalg.eigvalsh(m).min() < 0
    smoothed = smooth_correlation(m)
    assert isinstance(smoothed, np.ndarray)
    assert np.linalg.eigvalsh(smoothed).min() > 0
    assert_allclose(np.diag(smoothed), 1.0, rtol=0, atol=1e-15)
    # psych::cor.smooth(m) in R 4.2.2, psych 2.2.9
    want = np.array([[1.0, 0.792539789813411, 0.132013631601975],
                     [0.792539789813411, 1.0, 0.709109053138601],
                     [0.132013631601975, 0.709109053138601, 1.0]])
    assert_allclose(smoothed, want, rtol=0, atol=1e-12)
    pd_matrix = np.array([[1.0, 0.3], [0.3, 1.0]])
    assert_allclose(smooth_correlation(pd_matrix), pd_matrix, rtol=0, atol=0)
