"""Verdicts: the one place a number is judged against the run's rule set."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.gates.verdicts import Verdicts

DEFAULT = Verdicts()


@pytest.mark.parametrize(("statistic", "value", "fails"), [
    ("alpha", 0.699, True), ("alpha", 0.70, False),
    ("rho_c", 0.69, True), ("rho_c", 0.949, False), ("rho_c", 0.95, True),  # < .95
    ("rho_a", 0.69, True), ("ave", 0.4999, True), ("ave", 0.5, False),
    ("loading", 0.707, True), ("loading", -0.9, True), ("loading", 0.708, False),
    ("item_total_r", 0.29, True), ("htmt", 0.851, True), ("htmt", 0.85, False),
    ("cfi", 0.94, True), ("rmsea", 0.061, True), ("srmr", 0.08, False),
    ("vif", 5.0, True), ("fc_vif", 3.3, False), ("fc_vif", 3.31, True),
])
def test_default_rules(statistic, value, fails) -> None:
    assert DEFAULT.fails(statistic, value) is fails


@pytest.mark.parametrize("value", [None, math.nan, float("inf"), "0.5", True])
def test_undefined_values_never_fail(value) -> None:
    assert not DEFAULT.fails("alpha", value)
    assert not DEFAULT.at_limit("alpha", value)


def test_the_rule_set_decides() -> None:
    lenient = Verdicts(RULE_SETS["lenient"])
    assert DEFAULT.fails("alpha", 0.65) and not lenient.fails("alpha", 0.65)
    fit_only = Verdicts(RULE_SETS["hu-bentler"])
    assert not fit_only.judged("alpha") and not fit_only.fails("alpha", 0.1)
    assert fit_only.text("alpha") == ""
    assert fit_only.note(("alpha", "ave")) == "Not judged by the hu-bentler rules."
    custom = Verdicts(RULE_SETS["default"].with_value("min_ave", 0.35, "set in a.toml"))
    assert not custom.fails("ave", 0.386) and DEFAULT.fails("ave", 0.386)
    assert custom.text("ave") == "AVE >= 0.35 (set in a.toml)"


def test_both_rules_of_a_statistic_are_read() -> None:
    assert [r.key for r in DEFAULT.failed("rho_c", 0.97)] == ["max_rho_c"]
    assert [r.key for r in DEFAULT.failed("rho_c", 0.60)] == ["min_rho_c"]
    assert DEFAULT.text("rho_c") == ("composite reliability >= 0.7 (Hair et al. 2019); "
                                     "composite reliability < 0.95 (Hair et al. 2019)")
    with pytest.raises(KeyError):
        DEFAULT.fails("omega", 0.5)


def test_at_the_limit_is_on_the_passing_side_only() -> None:
    assert DEFAULT.at_limit("alpha", 0.715) and not DEFAULT.at_limit("alpha", 0.69)
    assert not DEFAULT.at_limit("alpha", 0.80)
    assert DEFAULT.at_limit("rho_c", 0.94)  # near the .95 ceiling


def test_fixed_criteria() -> None:
    assert DEFAULT.heywood(1.02) and DEFAULT.heywood(-1.1) and not DEFAULT.heywood(1.0)
    assert DEFAULT.significant(0.049) and not DEFAULT.significant(0.05)
    assert not DEFAULT.significant(None)
    assert Verdicts(significance=0.01).significant(0.005)
    assert DEFAULT.alpha_raised(0.81, 0.80) and not DEFAULT.alpha_raised(0.80, 0.80)
    fl = pd.DataFrame({"a": ["A", "B", "B", "C", "C", "C"], "b": ["A", "A", "B", "A", "B", "C"],
                       "value": [0.70, 0.72, 0.80, -0.75, 0.10, 0.90]})
    assert DEFAULT.fornell_larcker_pairs(fl) == [("B", "A", 0.72, 0.70),
                                                 ("C", "A", -0.75, 0.70)]
    assert DEFAULT.fornell_larcker_pairs(None) == []
