"""Path tracing for indirect and total effects, against lavaan's defined parameters."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from support import DATA

from cxsurvey.stats.effects import chains, effects


def _pd_coefficients(key: str = "est") -> pd.DataFrame:
    ref = json.loads((DATA / "political_democracy_sem_reference.json").read_text())
    return pd.DataFrame([{"from": r["rhs"], "to": r["lhs"], "est": r[key]}
                         for r in ref["regressions"]])


def test_indirect_and_total_match_lavaan_defined_parameters():
    """lavaan ``ind := a*b`` and ``total := c + a*b`` on PoliticalDemocracy (R script in
    tests/data/r/make_pd_indirect_reference.R). Same arithmetic on lavaan's estimates, so
    only the 15-digit export separates them: 1e-12."""
    ref = {r["lhs"]: r for r in json.loads(
        (DATA / "pd_indirect_reference.json").read_text())["defined"]}
    out = effects(_pd_coefficients()).set_index("path")
    assert_allclose(out.loc["ind60 -> dem60 -> dem65", "est"], ref["ind"]["est"], atol=1e-12)
    assert_allclose(out.loc["ind60 => dem65", "est"], ref["total"]["est"], atol=1e-12)
    std = effects(_pd_coefficients("std.all"), value="est").set_index("path")
    assert_allclose(std.loc["ind60 -> dem60 -> dem65", "est"], ref["ind"]["std.all"], atol=1e-12)


def test_chains_of_a_journey():
    steps = ["Awareness", "Attention", "Assessment", "Decision"]
    paths = list(zip(steps, steps[1:], strict=False))
    found = chains(paths)
    assert ("Awareness", "Attention", "Assessment", "Decision") in found
    assert len(found) == 3  # A-At-As, At-As-D, A-At-As-D
    assert len(chains(paths, min_length=1)) == 6


def test_cycle_is_refused():
    with pytest.raises(ValueError, match="cycle"):
        chains([("A", "B"), ("B", "C"), ("C", "A")])
