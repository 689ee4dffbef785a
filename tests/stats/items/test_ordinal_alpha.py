"""Ordinal alpha (Zumbo, Gadermann & Zeisser 2007) compared with psych and lavaan.

Reference: ``tests/data/ordinal_reference.json`` (``tests/data/r/make_ordinal_reference.R``,
R 4.2.2, psych 2.2.9, lavaan 0.6-14). ``bfi_ordinal_alpha`` and ``sample_ordinal_alpha``
hold ``psych::alpha(psych::polychoric(x[, items])$rho)`` per construct: psych's polychoric
on all rows (pairwise; bfi 2800 rows, the sample 157 complete rows), bfi reverse-keyed with
``7 - x`` for A1, C4, C5, E1, E2, O2, O5 (psych's ``bfi.keys``). ``*_polychoric_lavcor``
hold ``lavaan::lavCor(..., missing = "pairwise")`` on all items.

The ordinal alpha ``reliability(..., missing="pairwise")`` reports differs from psych's for
two reasons, checked separately:

1. the alpha of a correlation matrix: the formula applied to *psych's own* polychoric
   matrix reproduces psych's ``raw_alpha`` and ``alpha.drop`` to < 1e-15 (tested to 1e-12);
2. the polychoric estimates: cxsurvey's are lavaan's ML estimates (agreeing with
   ``lavCor`` to ~3e-8), psych's stop at ``optimize()``'s default tolerance and differ
   from lavaan's by up to 2e-5. Ordinal alpha from the lavCor matrix agrees with
   cxsurvey's to < 4.1e-9 (alpha-if-deleted < 8.5e-9; tested to 2e-8); against psych's
   end to end the differences are up to 3.6e-6 (alpha) and 1.1e-5 (alpha-if-deleted),
   tested to 5e-6 and 2e-5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import load_csv, load_json

from cxsurvey.stats.items.reliability import (
    alpha_from_cov,
    item_total,
    ordinal_alpha,
    reliability,
)
from cxsurvey.stats.missing import complete_cases
from cxsurvey.stats.ordinal import polychoric

REF = "ordinal_reference.json"
CASES = {"bfi": ("bfi_ordinal_alpha", "bfi_polychoric_lavcor"),
         "sample": ("sample_ordinal_alpha", "sample_polychoric_lavcor")}


def _data(which: str) -> pd.DataFrame:
    ref = load_json(REF)
    if which == "sample":
        return load_csv("cx_journey_items.csv").astype(float)
    frame = load_csv("bfi.csv")
    for item in ref["meta"]["bfi_reversed"]:
        frame[item] = 7 - frame[item]
    return frame


def _constructs(which: str) -> dict[str, tuple[str, ...]]:
    ref = load_json(REF)[CASES[which][0]]
    return {c: tuple(e["items"]) for c, e in ref.items()}


def _lavcor_matrix(which: str, items: tuple[str, ...]) -> np.ndarray:
    """The construct's block of lavCor's matrix, keyed as the data (lavCor ran unkeyed)."""
    ref = load_json(REF)
    cor = ref[CASES[which][1]]["cor"]
    full = pd.DataFrame(cor["matrix"], index=cor["names"], columns=cor["colnames"])
    reversed_ = set(ref["meta"]["bfi_reversed"]) if which == "bfi" else set()
    sign = np.array([-1.0 if i in reversed_ else 1.0 for i in items])
    return full.loc[list(items), list(items)].to_numpy() * np.outer(sign, sign)


@pytest.mark.parametrize("which", sorted(CASES))
def test_alpha_of_psychs_own_matrix_is_psychs_alpha(which: str) -> None:
    for entry in load_json(REF)[CASES[which][0]].values():
        r = np.array(entry["polychoric"]["matrix"])
        _, drop = item_total(r)
        assert_allclose(alpha_from_cov(r), entry["total"]["raw_alpha"], rtol=0, atol=1e-12)
        assert_allclose(entry["total"]["raw_alpha"], entry["total"]["std.alpha"], atol=1e-12)
        want = [entry["alpha_drop"][i]["raw_alpha"] for i in entry["items"]]
        assert_allclose(drop, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("which", sorted(CASES))
def test_ordinal_alpha_agrees_with_lavcor_and_psych(which: str) -> None:
    rel = reliability(_data(which), _constructs(which), missing="pairwise")
    table = rel.constructs.set_index("construct")
    for c, entry in load_json(REF)[CASES[which][0]].items():
        items = tuple(entry["items"])
        got = float(table.loc[c, "alpha_ordinal"])
        got_drop = rel.items.loc[rel.items["construct"] == c,
                                 "alpha_ordinal_if_deleted"].to_numpy()
        lav = _lavcor_matrix(which, items)
        assert_allclose(got, alpha_from_cov(lav), rtol=0, atol=2e-8, err_msg=c)
        assert_allclose(got_drop, item_total(lav)[1], rtol=0, atol=2e-8, err_msg=c)
        assert_allclose(got, entry["total"]["raw_alpha"], rtol=0, atol=5e-6, err_msg=c)
        want = [entry["alpha_drop"][i]["raw_alpha"] for i in items]
        assert_allclose(got_drop, want, rtol=0, atol=2e-5, err_msg=c)
        assert int(table.loc[c, "n"]) == entry["nobs"]
    assert rel.notes == ()


def test_listwise_uses_the_pearson_alphas_rows() -> None:
    data = _data("bfi")
    rel = reliability(data, _constructs("bfi"), missing="listwise")
    table = rel.constructs.set_index("construct")
    for c, items in _constructs("bfi").items():
        rows = complete_cases(data[list(items)])
        assert int(table.loc[c, "n"]) == len(rows) < len(data)
        r = polychoric(rows).matrix.to_numpy()
        assert_allclose(table.loc[c, "alpha_ordinal"], alpha_from_cov(r), rtol=0, atol=1e-14)
    # no missing answers: listwise and pairwise are the same rows
    sample = _data("sample")
    a = reliability(sample, _constructs("sample"), "listwise").constructs["alpha_ordinal"]
    b = reliability(sample, _constructs("sample"), "pairwise").constructs["alpha_ordinal"]
    assert_allclose(a, b, rtol=0, atol=0)


def test_ordinal_alpha_is_above_alpha_on_the_sample() -> None:
    table = reliability(_data("sample"), _constructs("sample")).constructs
    assert (table["alpha_ordinal"] > table["alpha"]).all()


def _frame(seed: int = 5, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal(n)
    cols = {f"X{j}": np.searchsorted([-1.0, 0.0, 1.0], 0.7 * eta + 0.7 * rng.standard_normal(n))
            + 1.0 for j in range(1, 4)}
    return pd.DataFrame(cols)


def test_not_computed_for_items_that_do_not_look_ordinal() -> None:
    frame = _frame()
    alpha, drop, notes = ordinal_alpha(frame)
    assert np.isfinite(alpha) and np.all(np.isfinite(drop)) and notes == ()
    fractional = frame.assign(X2=frame["X2"] + 0.5 * (frame.index % 2))
    alpha, drop, notes = ordinal_alpha(fractional)
    assert np.isnan(alpha) and np.all(np.isnan(drop))
    assert "X2" in notes[0]
    eleven = frame.assign(X3=np.arange(len(frame)) % 11)  # a 0-10 rating
    alpha, _, notes = ordinal_alpha(eleven)
    assert np.isnan(alpha) and "X3" in notes[0] and "10" in notes[0]
    ten = frame.assign(X3=np.arange(len(frame)) % 10 + 1.0)
    assert np.isfinite(ordinal_alpha(ten)[0])


def test_undefined_cases_are_nan() -> None:
    frame = _frame()
    assert np.isnan(ordinal_alpha(frame[["X1"]])[0])
    assert np.isnan(ordinal_alpha(frame.iloc[:2])[0])
    constant = frame.assign(X1=3.0)
    alpha, _, notes = ordinal_alpha(constant)
    assert np.isnan(alpha) and "undefined" in notes[0]
    rel = reliability(constant.assign(Y1=1.0), {"X": ("X1", "X2", "X3"), "Y": ("Y1",)})
    assert rel.constructs["alpha_ordinal"].isna().all()
    assert any(n.startswith("X: ordinal alpha") for n in rel.notes)
    assert rel.items["alpha_ordinal_if_deleted"].isna().all()


def test_two_items_have_no_alpha_if_deleted() -> None:
    alpha, drop, _ = ordinal_alpha(_frame()[["X1", "X2"]])
    assert np.isfinite(alpha) and np.all(np.isnan(drop))


def test_json_rows_and_table_show_ordinal_alpha() -> None:
    import json

    from support import SAMPLES
    from typer.testing import CliRunner

    from cxsurvey.cli import app

    args = ["reliability", str(SAMPLES / "cx_journey.xlsx"), "--model",
            str(SAMPLES / "cx_journey.toml")]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["reliability"]
    contract = ["construct", "n_items", "alpha", "alpha_ci_lower", "alpha_ci_upper", "omega",
                "rho_a", "rho_c", "ave"]
    for row in rows:
        keys = list(row)
        assert keys[-1] == "alpha_ordinal"
        assert [k for k in keys if k in contract] == contract
    want = reliability(_data("sample"), _constructs("sample")).constructs
    assert_allclose([r["alpha_ordinal"] for r in rows], want["alpha_ordinal"], rtol=1e-12)
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0
    assert "Ordinal" in table.stdout and "Zumbo, Gadermann & Zeisser, 2007" in \
        " ".join(table.stdout.split())
