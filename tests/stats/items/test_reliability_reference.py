"""Reliability statistics compared with independent R reference values.

References (all in tests/data, generated in R 4.2.2, psych 2.2.9, GPArotation 2022.10.2):

* ``bfi_reliability_normality_reference.json`` (copy of /work/shared/reference):
  ``psych::alpha`` per bfi scale with reverse keys, once with psych's defaults
  (pairwise covariances over all 2800 rows, Feldt CI with n = 2800) and once on the rows
  complete on the scale; ``psych::omega(x, nfactors = 1)$omega.tot``.
* ``extra_reference.json`` (``tests/data/r/make_extra_reference.R``): the pairwise
  correlation matrix of each reverse-coded scale, ``psych::fa(r, nfactors = 1,
  fm = "minres")`` loadings and ``psych::omega(x, nfactors = 1)`` values.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import (
    DATA,  # noqa: E402
    load_json,
)

from cxsurvey.stats.items.reliability import omega_total, one_factor_minres, reliability

SCALES = {s: tuple(f"{s}{i}" for i in range(1, 6)) for s in "ACENO"}


def _json(name: str) -> dict:
    return load_json(name)


REF = _json("bfi_reliability_normality_reference.json")
EXTRA = _json("extra_reference.json")
# our missing= policy -> key of the R reference
MODES = {"pairwise": "psych_default_pairwise", "listwise": "listwise"}
CASES = [(m, s) for m in MODES for s in SCALES]
CASE_IDS = [f"{m}-{s}" for m, s in CASES]


@cache
def _recoded_items() -> pd.DataFrame:
    items = pd.read_csv(DATA / "bfi.csv")[[i for its in SCALES.values() for i in its]]
    items = items.astype(float)
    for it in REF["reverse_keyed"]:  # A1 C4 C5 E1 E2 O2 O5, 1..6 -> 7 - x
        items[it] = 7.0 - items[it]
    return items


@cache
def _result(missing: str):
    return reliability(_recoded_items(), SCALES, missing=missing)


@pytest.mark.parametrize(("missing", "scale"), CASES, ids=CASE_IDS)
def test_alpha_and_feldt_ci_match_psych(missing, scale):
    ref = REF["scales"][scale][MODES[missing]]
    row = _result(missing).constructs.set_index("construct").loc[scale]
    assert row["n_items"] == ref["n_items"]
    assert row["n"] == ref["feldt_ci95"]["n_obs_used_in_ci"]
    # tolerance: alpha within 1e-3 of psych::alpha
    assert_allclose(row["alpha"], ref["raw_alpha"], rtol=0, atol=1e-3)
    # tolerance: the CI within 2e-3; the Feldt formula is computed unrounded with
    # psych's n (measured difference 8e-16), so hold it to 1e-9
    assert_allclose([row["alpha_ci_lower"], row["alpha_ci_upper"]],
                    [ref["feldt_ci95"]["lower"], ref["feldt_ci95"]["upper"]], rtol=0, atol=1e-9)
    # standardised alpha from the same (cov2cor of the) covariance matrix: the same closed
    # form as psych, so only rounding separates them; 1e-6
    assert_allclose(row["std_alpha"], ref["std_alpha"], rtol=0, atol=1e-6)


@pytest.mark.parametrize(("missing", "scale"), CASES, ids=CASE_IDS)
def test_item_statistics_match_psych(missing, scale):
    ref = REF["scales"][scale][MODES[missing]]["items"]
    got = _result(missing).items.set_index("item").loc[[r["item"] for r in ref]]
    assert got["n"].tolist() == [r["n"] for r in ref]
    # tolerance: item mean/sd within 1e-6
    assert_allclose(got["mean"], [r["mean"] for r in ref], rtol=0, atol=1e-6)
    assert_allclose(got["sd"], [r["sd"] for r in ref], rtol=0, atol=1e-6)
    # tolerance: r.drop and alpha-if-deleted within 1e-3
    assert_allclose(got["item_total_r"], [r["r_drop"] for r in ref], rtol=0, atol=1e-3)
    assert_allclose(got["alpha_if_deleted"], [r["alpha_if_dropped_raw"] for r in ref],
                    rtol=0, atol=1e-3)


@pytest.mark.parametrize(("missing", "scale"), CASES, ids=CASE_IDS)
def test_omega_matches_psych_omega(missing, scale):
    ref = REF["scales"][scale]["omega"]["psych_omega_nfactors1"]["omega_total"]
    row = _result(missing).constructs.set_index("construct").loc[scale]
    # tolerance: within 5e-3 of psych::omega(nfactors = 1), which
    # always uses pairwise correlations over all rows (so listwise differs by sampling too)
    assert_allclose(row["omega"], ref, rtol=0, atol=5e-3)


# ----------------------------------------------------------------- minres (extra reference)

MINRES = EXTRA["minres"]
MINRES_IDS = [m["scale"] for m in MINRES]


def test_extra_reference_uses_the_same_reverse_keys():
    assert sorted(i for m in MINRES for i in m["reversed"]) == sorted(REF["reverse_keyed"])


@pytest.mark.parametrize("ref", MINRES, ids=MINRES_IDS)
def test_one_factor_minres_matches_psych_fa(ref):
    r = np.array(ref["r"])
    lam, converged = one_factor_minres(r)
    assert converged
    # Same correlation matrix (R's), same criterion. psych::fa minimises it with optim()
    # and stops at optim's default tolerance, so its loadings are only determined to about
    # 1e-5 (measured max difference 5.7e-6, scale E); 1e-4 bounds that with margin.
    assert_allclose(lam, ref["loadings"], rtol=0, atol=1e-4)
    # fa's communalities are the squared loadings of the same solution
    assert_allclose(lam**2, ref["communalities"], rtol=0, atol=2e-4)


@pytest.mark.parametrize("ref", MINRES, ids=MINRES_IDS)
def test_omega_total_formula(ref):
    r = np.array(ref["r"])
    lam, _ = one_factor_minres(r)
    # omega_total is psych's omega.tot = (sum R - sum u2) / sum R with u2 = 1 - lambda^2:
    # on psych's own loadings it reproduces R's value up to the 15-digit export (1e-10)
    assert_allclose(omega_total(r, np.array(ref["omega_schmid_loadings"])),
                    ref["omega_tot"], rtol=0, atol=1e-10)
    # on our minres loadings: they differ from psych's by < 1e-5 (see above), and
    # d omega / d lambda_i = 2 lambda_i / sum(R) < 1, so omega moves by < 1e-5
    assert_allclose(omega_total(r, lam), ref["omega_tot"], rtol=0, atol=1e-5)


@pytest.mark.parametrize("ref", MINRES, ids=MINRES_IDS)
def test_reliability_loadings_close_to_psych_fa(ref):
    got = _result("pairwise").items.set_index("item").loc[ref["items"], "loading"].to_numpy()
    # reliability() factors cor(use = "pairwise") like psych::fa / psych::omega; minres
    # agrees with psych's optimiser to 6e-6 on bfi (measured), so 1e-4 leaves room only
    # for optimiser stopping rules
    assert_allclose(got, ref["loadings"], rtol=0, atol=1e-4)
    omega = _result("pairwise").constructs.set_index("construct").loc[ref["scale"], "omega"]
    # omega.tot of psych::omega(nfactors = 1): measured difference 5e-8
    assert_allclose(omega, ref["omega_tot"], rtol=0, atol=1e-5)


@pytest.mark.parametrize(("missing", "scale"), CASES, ids=CASE_IDS)
def test_alpha_agrees_with_pingouin(missing, scale):
    """Cross-check with pingouin.cronbach_alpha (a test-only dependency).

    pingouin rounds the CI bounds to 3 decimals and, with nan_policy="listwise", takes n
    before dropping incomplete rows, so it is given the complete rows for the listwise case.
    """
    import pingouin as pg  # in the test extra: missing it must fail, not skip
    block = _recoded_items()[list(SCALES[scale])]
    data = block.dropna() if missing == "listwise" else block
    alpha, bounds = pg.cronbach_alpha(data=data, nan_policy="pairwise")
    row = _result(missing).constructs.set_index("construct").loc[scale]
    assert_allclose(row["alpha"], alpha, rtol=0, atol=1e-12)
    assert_allclose([row["alpha_ci_lower"], row["alpha_ci_upper"]], bounds, rtol=0, atol=5e-4)

