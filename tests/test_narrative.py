"""The plain-language summary is generated from the numbers: change them, it changes."""

from __future__ import annotations

import pandas as pd
import pytest

from cxsurvey.narrative import summarise
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


def _say(**kw) -> str:
    return "\n".join(summarise(None, None, kw.pop("rel", None), 100, 100, **kw))


def test_all_reliable_with_range_and_citation() -> None:
    text = _say(rel=_rel([0.83, 0.70, 0.78]))
    assert "All 3 constructs reliable (alpha .70-.83; >= .70, Nunnally & Bernstein 1994)" in text
    assert "at the limit: alpha of C1 .70" in text


def test_failures_are_named_with_their_values() -> None:
    text = _say(rel=_rel([0.83, 0.61, 0.78]))
    assert "2/3 constructs reach alpha >= .70" in text and "below: C1 .61" in text
    assert "All 3 constructs reliable" not in text


def test_ave_at_the_limit_and_below() -> None:
    text = _say(rel=_rel([0.8, 0.8, 0.8], rho_c=[0.85, 0.96, 0.8], ave=[0.50, 0.45, 0.6]))
    assert "AVE >= .50" in text and "below: C1 .45" in text
    assert "at the limit: AVE of C0 .50" in text
    assert "Fornell & Larcker 1981" in text and "Hair et al. 2019" in text


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
