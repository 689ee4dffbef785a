"""The plain-language summary is generated from the numbers: change them, it changes."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.narrative import summarise
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.findings import Findings
from cxsurvey.stats.items.results import ReliabilityResult
from cxsurvey.stats.paths import PathsResult


def _rel(alpha, rho_c=None, ave=None) -> ReliabilityResult:
    names = [f"C{i}" for i in range(len(alpha))]
    cons = pd.DataFrame({"construct": names, "alpha": alpha,
                         "rho_c": rho_c or [None] * len(alpha),
                         "ave": ave or [None] * len(alpha)})
    items = pd.DataFrame({"construct": ["C0"], "item": ["C0_1"], "item_total_r": [0.6],
                          "reverse_suspect": [False]})
    return ReliabilityResult(constructs=cons, items=items)


def _paths(p) -> PathsResult:
    frame = pd.DataFrame({"from": [f"X{i}" for i in range(len(p))],
                          "to": [f"Y{i}" for i in range(len(p))], "pvalue": p})
    return PathsResult(paths=frame, r2=pd.DataFrame(), effects=pd.DataFrame(), method="pls")


def _say(rules: str = "default", **kw) -> str:
    findings = Findings(reliability=kw.pop("rel", None), **kw)
    return "\n".join(summarise(findings, Verdicts(RULE_SETS[rules]), 100, 100))


def test_all_reliable_with_range_and_citation() -> None:
    text = _say(rel=_rel([0.83, 0.70, 0.78]))
    assert "All 3 constructs reliable (alpha .70-.83; >= .70, Nunnally & Bernstein 1994)" in text
    assert "at the limit: alpha of C1 .70" in text


def test_failures_are_named_with_their_values() -> None:
    text = _say(rel=_rel([0.83, 0.61, 0.78]))
    assert "2/3 constructs reach alpha >= .70 (alpha .61-.83" in text and "below: C1 .61" in text
    assert "All 3 constructs reliable" not in text


def test_ave_at_the_limit_and_below() -> None:
    text = _say(rel=_rel([0.8, 0.8, 0.8], rho_c=[0.85, 0.96, 0.8], ave=[0.50, 0.45, 0.6]))
    assert "AVE >= .50" in text and "below: C1 .45" in text
    assert "at the limit: AVE of C0 .50" in text
    assert "Fornell & Larcker 1981" in text and "Hair et al. 2019" in text
    # CR above the .95 ceiling is named as above it, not as below the floor
    assert "2/3 constructs reach CR >= .70 and < .95 (CR .80-.96" in text
    assert "above: C1 .96" in text


@pytest.mark.parametrize(("p", "expected"), [
    ([0.0001] * 7, "7/7 PLS-SEM paths supported at p < .001."),
    ([0.0001] * 6 + [0.003], "7/7 PLS-SEM paths supported at p < .05 (6 at p < .001, 1 at "
                             "p < .01)."),
    ([0.0001, 0.2], "1/2 PLS-SEM paths supported at p < .001; not supported: X1 -> Y1."),
])
def test_path_support_counts_by_level(p, expected) -> None:
    assert expected in _say(paths=(_paths(p),))


def test_full_collinearity_sentence() -> None:
    ok = _say(collinearity=pd.DataFrame({"construct": ["A", "B"], "vif": [1.4, 2.1]}))
    assert "No sign of common method bias" in ok and "2.10 (B; <= 3.3, Kock 2015)" in ok
    bad = _say(collinearity=pd.DataFrame({"construct": ["A", "B"], "vif": [1.4, 4.2]}))
    assert "B 4.20" in bad and "Kock 2015" in bad


def test_the_rule_set_decides_the_sentences() -> None:
    rel = _rel([0.83, 0.65, 0.78])
    assert "below: C1 .65" in _say(rel=rel)
    lenient = _say("lenient", rel=rel)
    assert "All 3 constructs reliable (alpha .65-.83; >= .60, Hair et al. 2019)" in lenient
    fit_only = _say("hu-bentler", rel=rel)
    assert "Cronbach's alpha .65-.83 across 3 constructs (not judged by the hu-bentler rules)" \
        in fit_only
    assert "below" not in fit_only


def _cfa(htmt: float, r: float) -> CfaResult:
    loadings = pd.DataFrame({"construct": ["A", "A", "B", "B"], "item": ["a1", "a2", "b1", "b2"],
                             "std_all": [0.8, 0.75, 0.9, 0.72]})
    fl = pd.DataFrame({"a": ["A", "B", "B"], "b": ["A", "A", "B"], "value": [0.78, r, 0.81]})
    return CfaResult(fit={"cfi": 0.97, "tli": 0.96, "rmsea": 0.04, "srmr": 0.05, "df": 1,
                          "chisq": 1.2},
                     loadings=loadings, factor_correlations=pd.DataFrame(),
                     residual_variances=pd.DataFrame(), reliability=pd.DataFrame(),
                     htmt=pd.DataFrame({"a": ["A"], "b": ["B"], "value": [htmt]}),
                     fornell_larcker=fl)


def test_discriminant_validity_covers_htmt_and_fornell_larcker() -> None:
    ok = _say(cfa=_cfa(0.60, 0.55))
    assert "Discriminant validity holds: HTMT at most .60 (A/B; <= .85" in ok
    assert "every sqrt(AVE) exceeds the construct's correlations" in ok
    fl_bad = _say(cfa=_cfa(0.60, 0.79))
    assert "Discriminant validity holds" not in fl_bad
    assert "Discriminant validity in doubt: Fornell-Larcker not met" in fl_bad
    assert "B/A |r| .79 > sqrt(AVE) .78" in fl_bad and "HTMT at most .60" in fl_bad
    htmt_bad = _say(cfa=_cfa(0.91, 0.55))
    assert "HTMT <= .85 not met (Henseler, Ringle & Sarstedt 2015): A/B .91" in htmt_bad
    assert "holds: HTMT at most .86 (A/B; <= .90, Henseler" in _say("lenient", cfa=_cfa(0.86, 0.55))


def test_cfa_loadings_are_judged_by_the_loading_rule() -> None:
    text = _say(cfa=_cfa(0.6, 0.5))
    assert "All 4 CFA loadings >= .708 (Hair et al. 2019)." in text
    lenient = _say("lenient", cfa=_cfa(0.6, 0.5))
    assert "All 4 CFA loadings >= .40 (Hulland 1999)." in lenient
    strict = "\n".join(summarise(Findings(cfa=_cfa(0.6, 0.5)), Verdicts(
        RULE_SETS["default"].with_value("min_loading", 0.74, "test")), 100, 100))
    assert "1/4 CFA loadings below .74 (test): b2 .72" in strict
    assert "CFA fit meets the cut-offs" in text and "Hu & Bentler 1999" in text


def test_weak_items_follow_the_item_total_rule() -> None:
    rel = _rel([0.8])
    items = pd.DataFrame({"construct": ["C0"] * 4, "item": ["a", "b", "c", "d"],
                          "item_total_r": [0.6, 0.2, -0.1, -0.5],
                          "reverse_suspect": [False, False, False, True]})
    rel = ReliabilityResult(constructs=rel.constructs, items=items)
    text = _say(rel=rel)
    assert "Items that run against their construct (reverse-coded but not declared?): d." \
        in text
    assert "Weak items (corrected item-total r >= .30 not met; Nunnally & Bernstein 1994): " \
           "b .20, c -.10." in text
    assert "Weak items" not in _say("hu-bentler", rel=rel)
