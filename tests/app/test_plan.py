"""One plan: which sections each command runs for each method."""

from __future__ import annotations

import pytest

from cxsurvey.app.plan import plan
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.options import Method

ITEMS = ("describe", "normality", "reliability")
STRUCTURAL = ("cfa", "paths")


@pytest.mark.parametrize(("method", "has_model", "sections", "chosen"), [
    ("auto", False, ITEMS, "cb"),
    ("auto", True, ITEMS + STRUCTURAL, "cb"),
    ("none", True, ITEMS, "cb"),
    ("cb", False, ITEMS + STRUCTURAL, "cb"),
    ("pls", True, ITEMS + STRUCTURAL, "pls"),
    ("both", True, ITEMS + STRUCTURAL, "both"),
])
def test_analyze(method, has_model, sections, chosen) -> None:
    p = plan("analyze", method, has_model)
    assert p.names == sections and p.method is Method(chosen)
    # gating adds nothing to analyze: rules without their statistic are "not checked"
    assert plan("analyze", method, has_model, RULE_SETS["default"], gate=True) == p


@pytest.mark.parametrize(("method", "has_model", "rules", "sections"), [
    ("auto", True, "default", ITEMS + STRUCTURAL),
    ("cb", False, "default", ITEMS + ("cfa",)),  # no model file: CFA only when gated
    ("auto", False, "hu-bentler", ITEMS + ("cfa",)),  # fit indices need a CFA
    ("auto", False, "saeedi2022", ITEMS),  # its loadings can be one-factor loadings
    ("none", True, "default", ITEMS + ("cfa",)),
])
def test_batch_adds_the_cfa_its_rules_need(method, has_model, rules, sections) -> None:
    assert plan("batch", method, has_model, RULE_SETS[rules], gate=True).names == sections
    assert plan("batch", method, False).names == ITEMS


@pytest.mark.parametrize(("method", "rules", "sections", "chosen"), [
    ("auto", "default", ("describe", "reliability", "cfa"), "cb"),
    ("auto", "hu-bentler", ("describe", "reliability", "cfa"), "cb"),
    ("none", "default", ("describe", "reliability"), "cb"),
    ("pls", "default", ("describe", "reliability", "cfa"), "pls"),
])
def test_check(method, rules, sections, chosen) -> None:
    p = plan("check", method, True, RULE_SETS[rules], gate=True)
    assert p.names == sections and p.method is Method(chosen)


def test_check_without_structural_rules_runs_reliability_only() -> None:
    rules = RULE_SETS["default"].without({"min_loading", "max_htmt", "min_cfi", "min_tli",
                                          "max_rmsea", "max_srmr", "min_rho_a", "max_vif",
                                          "max_htmt_upper"})
    assert plan("check", "auto", True, rules, gate=True).names == ("describe", "reliability")


@pytest.mark.parametrize("command", ["describe", "normality", "reliability", "cfa", "paths",
                                     "polychoric"])
def test_single_section_commands(command) -> None:
    assert plan(command).names == (command,)
    assert plan(command, "pls").method is Method.pls


def test_unknown_command_and_method() -> None:
    with pytest.raises(ValueError, match="unknown command"):
        plan("fit")
    with pytest.raises(Exception, match="method must be one of"):
        plan("analyze", "sem")
