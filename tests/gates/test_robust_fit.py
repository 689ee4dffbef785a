"""After a robust estimator (MLM, MLR) the fit rules judge the robust CFI, TLI and RMSEA.

The CFA below passes every Hu & Bentler (1999) cut-off on its ML indices and fails CFI,
TLI and RMSEA on the robust ones, so judging the ML values would pass where the robust
judgement fails.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from cxsurvey.gates.evaluate import evaluate
from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.narrative import summarise
from cxsurvey.report.junit import render_junit
from cxsurvey.report.tables import build_tables
from cxsurvey.results import Results
from cxsurvey.stats.cb.results import CfaResult
from cxsurvey.stats.findings import Findings

_ML = {"n": 300.0, "chisq": 30.0, "df": 24.0, "pvalue": 0.18, "cfi": 0.990, "tli": 0.985,
       "rmsea": 0.030, "srmr": 0.040}
_ROBUST = {"chisq_scaled": 60.0, "df_scaled": 24.0, "pvalue_scaled": 0.0001,
           "chisq_scaling_factor": 0.5, "cfi_scaled": 0.960, "tli_scaled": 0.955,
           "rmsea_scaled": 0.055, "cfi_robust": 0.930, "tli_robust": 0.910,
           "rmsea_robust": 0.080, "rmsea_ci_lower_robust": 0.05,
           "rmsea_ci_upper_robust": 0.11}


def _cfa(fit: dict, estimator: str) -> CfaResult:
    empty = pd.DataFrame()
    loadings = pd.DataFrame({"construct": ["F"] * 3, "item": ["a", "b", "c"],
                             "est": [1.0, 0.9, 0.8], "se": [math.nan, 0.1, 0.1],
                             "z": [math.nan, 9.0, 8.0], "pvalue": [math.nan, 0.0, 0.0],
                             "ci_lower": [math.nan, 0.7, 0.6],
                             "ci_upper": [math.nan, 1.1, 1.0],
                             "std_all": [0.8, 0.75, 0.72]})
    rel = pd.DataFrame({"construct": ["F"], "n_items": [3], "rho_c": [0.8], "ave": [0.57],
                        "omega": [0.8], "ave_semtools": [0.57]})
    return CfaResult(fit=fit, loadings=loadings,  # type: ignore[arg-type]
                     factor_correlations=pd.DataFrame(columns=["a", "b", "est", "se", "z",
                                                               "pvalue", "std_all"]),
                     residual_variances=empty, reliability=rel,
                     htmt=pd.DataFrame(columns=["a", "b", "value"]),
                     fornell_larcker=pd.DataFrame(columns=["a", "b", "value"]),
                     estimator=estimator)


def _checks(cfa: CfaResult) -> pd.DataFrame:
    return evaluate(Findings(cfa=cfa), RULE_SETS["hu-bentler"]).checks.set_index("name")


def test_ml_fit_is_judged_on_the_ml_indices() -> None:
    checks = _checks(_cfa({**_ML, **_ROBUST}, "ML"))
    assert checks["passed"].all()
    assert checks.loc["min_cfi", "value"] == 0.990
    assert checks.loc["min_cfi", "message"].startswith("CFI of the CFA model = 0.990")
    assert set(checks["variant"]) == {""}


@pytest.mark.parametrize("estimator", ["MLR", "MLM"])
def test_robust_fit_is_judged_on_the_robust_indices(estimator: str) -> None:
    checks = _checks(_cfa({**_ML, **_ROBUST}, estimator))
    # the ML values all pass; the robust ones fail CFI, TLI and RMSEA
    assert not checks.loc["min_cfi", "passed"] and checks.loc["min_cfi", "value"] == 0.930
    assert not checks.loc["min_tli", "passed"] and checks.loc["min_tli", "value"] == 0.910
    assert not checks.loc["max_rmsea", "passed"]
    assert checks.loc["max_rmsea", "value"] == 0.080
    assert checks.loc["max_srmr", "passed"] and checks.loc["max_srmr", "value"] == 0.040
    msg = checks.loc["min_cfi", "message"]
    assert msg.startswith(f"CFI (robust, {estimator}) of the CFA model = 0.930, needs >= 0.95")
    assert checks.loc["max_srmr", "message"].startswith("SRMR of the CFA model")
    assert checks.loc["min_cfi", "variant"] == f"robust, {estimator}"


def test_scaled_index_when_the_robust_one_is_undefined() -> None:
    fit = {**_ML, **_ROBUST, "cfi_robust": math.nan, "tli_robust": None}
    assert judged_fit(fit, "cfi", "MLR").key == "cfi_scaled"
    assert judged_fit(fit, "tli", "mlr").label == "TLI (scaled, MLR)"
    assert judged_fit(fit, "rmsea", "MLR").label == "RMSEA (robust, MLR)"
    assert judged_fit(fit, "srmr", "MLR").label == "SRMR"
    assert judged_fit(fit, "cfi", "ML").key == "cfi"
    checks = _checks(_cfa(fit, "MLR"))
    assert checks.loc["min_cfi", "value"] == 0.960 and checks.loc["min_cfi", "passed"]
    assert checks.loc["min_cfi", "message"].startswith("CFI (scaled, MLR) of the CFA model")


def _results(estimator: str) -> Results:
    cfa = _cfa({**_ML, **_ROBUST}, estimator)
    verdicts = Verdicts(RULE_SETS["hu-bentler"])
    res = Results(cfa=cfa, meta={"file": "survey.csv", "n_rows": 300}, verdicts=verdicts)
    return Results(cfa=cfa, meta=res.meta, verdicts=verdicts,
                   checks=evaluate(res, verdicts.rules),
                   summary=tuple(summarise(res, verdicts, 300, 300)))


def test_junit_names_the_robust_index() -> None:
    root = ET.fromstring(render_junit([_results("MLR")]))
    cases = {c.get("classname"): c for c in root.iter("testcase")}
    cfi = cases["cxsurvey.min_cfi"]
    assert "CFI (robust, MLR)" in str(cfi.get("name"))
    failure = cfi.find("failure")
    assert failure is not None
    assert str(failure.get("message")).startswith("CFI (robust, MLR) of the CFA model = 0.930")
    assert "cfi (robust, MLR) = 0.93" in str(failure.text)
    srmr = cases["cxsurvey.max_srmr"]
    assert "robust" not in str(srmr.get("name")) and srmr.find("failure") is None


def test_tables_and_summary_agree_with_the_checks() -> None:
    res = _results("MLR")
    fit = next(t for t in build_tables(res) if t.key == "cfa_fit")
    flagged = {fit.frame["index"][i] for i, col in fit.flags if col == "value"}
    assert flagged == {"CFI (robust)", "TLI (robust)", "RMSEA (robust)"}
    cut = dict(zip(fit.frame["index"], fit.frame["cutoff"], strict=True))
    assert cut["CFI"] == "" and cut["CFI (robust)"].startswith(">= 0.95")
    assert cut["SRMR"].startswith("<= 0.08")
    assert any("the cut-offs judge the robust CFI, TLI and RMSEA" in n for n in fit.notes)
    sentence = next(s for s in res.summary if s.startswith("CFA fit (MLR)"))
    assert "misses the cut-offs on robust CFI, robust TLI, robust RMSEA" in sentence
    assert "ML CFI .99" in sentence  # the normal-theory values are named as such
    checks = next(t for t in build_tables(res) if t.key == "checks")
    assert "model (robust, MLR)" in set(checks.frame["where"])
    # the Excel report's live rules sit on the same rows
    from cxsurvey.report.excel.rules import CutBook, table_rules

    ruled = {fit.frame["index"][r.rows[0]] for r in table_rules(fit, CutBook.of(res))
             if r.rows}
    assert ruled == {"CFI (robust)", "TLI (robust)", "RMSEA (robust)", "SRMR"}
