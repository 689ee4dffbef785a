"""``--estimator ml|mlm|mlr`` in the CB path: :func:`cxsurvey.stats.cb.cfa.run_cfa` and
:func:`cxsurvey.stats.cb.paths.run_cb_paths` (the functions the pipeline runs) against
lavaan's ``estimator = "MLM"`` / ``"MLR"`` (``tests/data/robust_reference.json``).

Tolerances as in ``test_robust.py`` ("as fitted"): our ML estimates differ from lavaan's
by ~1e-6, so robust SEs are held to 1e-5 relative, the scaled chi-square and scaling
factor to 1e-6 relative, robust CFI/TLI/RMSEA to 1e-6 relative and the robust RMSEA CI to
1e-6 absolute.
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import pytest
from support import DATA, load_csv, load_json
from typer.testing import CliRunner

from cxsurvey.errors import InputError
from cxsurvey.model import load_model
from cxsurvey.options import Estimator, Options
from cxsurvey.stats.cb.cfa import run_cfa
from cxsurvey.stats.cb.estimator import ROBUST_FIT_KEYS
from cxsurvey.stats.cb.paths import run_cb_paths

HS = {"visual": ("x1", "x2", "x3"), "textual": ("x4", "x5", "x6"),
      "speed": ("x7", "x8", "x9")}
_MEASURES = {"chisq_scaled": "chisq.scaled", "pvalue_scaled": "pvalue.scaled",
             "chisq_scaling_factor": "chisq.scaling.factor", "cfi_scaled": "cfi.scaled",
             "tli_scaled": "tli.scaled", "rmsea_scaled": "rmsea.scaled",
             "cfi_robust": "cfi.robust", "tli_robust": "tli.robust",
             "rmsea_robust": "rmsea.robust"}
_CI = {"rmsea_ci_lower_robust": "rmsea.ci.lower.robust",
       "rmsea_ci_upper_robust": "rmsea.ci.upper.robust"}


@cache
def _hs() -> pd.DataFrame:
    return load_csv("holzinger_swineford_1939.csv")


def _ref_se(section: dict) -> dict[tuple[str, str, str], float]:
    out = {}
    for row in section["parameters"]:
        if row["op"] in ("=~", "~", "~~") and row["se"]:
            out[(row["lhs"], row["op"], row["rhs"])] = float(row["se"])
            out[(row["rhs"], row["op"], row["lhs"])] = float(row["se"])
    return out


def _check_fit(fit: dict, section: dict) -> None:
    measures = section["fit_measures"]
    assert set(ROBUST_FIT_KEYS) <= set(fit)
    for mine, theirs in _MEASURES.items():
        assert fit[mine] == pytest.approx(float(measures[theirs]), rel=1e-6), mine
    for mine, theirs in _CI.items():
        assert fit[mine] == pytest.approx(float(measures[theirs]), abs=1e-6), mine
    assert fit["df_scaled"] == measures["df.scaled"]
    assert fit["chisq"] == pytest.approx(float(measures["chisq"]), rel=1e-6)


@pytest.mark.parametrize("estimator", ["MLM", "MLR", "mlr"])
def test_run_cfa_robust_matches_lavaan(estimator: str) -> None:
    section = load_json("robust_reference.json")[f"hs_{estimator.upper()}"]
    ref = _ref_se(section)
    res = run_cfa(_hs(), HS, estimator=estimator)
    assert res.estimator == estimator.upper()
    _check_fit(dict(res.fit), section)
    checked = 0
    for frame, cols in ((res.loadings, ("construct", "=~", "item")),
                        (res.factor_correlations, ("a", "~~", "b"))):
        for row in frame.itertuples(index=False):
            key = (getattr(row, cols[0]), cols[1], getattr(row, cols[2]))
            if key in ref:
                assert row.se == pytest.approx(ref[key], rel=1e-5), key
                assert row.z == pytest.approx(row.est / row.se)
                assert row.ci_upper - row.ci_lower == pytest.approx(2 * 1.959963984540054
                                                                   * row.se)
                checked += 1
    for row in res.residual_variances.itertuples(index=False):
        assert row.se == pytest.approx(ref[(row.item, "~~", row.item)], rel=1e-5)
        checked += 1
    # 6 free loadings, 3 factor covariances, 9 residual variances: every free parameter
    # of the HS CFA that a table shows (the 3 factor variances are in none)
    assert checked == 18


def test_run_cfa_ml_is_unchanged() -> None:
    ml = run_cfa(_hs(), HS)
    explicit = run_cfa(_hs(), HS, estimator="ML")
    assert ml.estimator == "ML"
    assert not set(ROBUST_FIT_KEYS) & set(ml.fit)
    pd.testing.assert_frame_equal(ml.loadings, explicit.loadings)
    robust = run_cfa(_hs(), HS, estimator="MLR")
    # same estimates and ML fit measures, other standard errors
    assert (robust.loadings["est"] == ml.loadings["est"]).all()
    assert robust.fit["chisq"] == ml.fit["chisq"]
    assert not (robust.loadings["se"].dropna() == ml.loadings["se"].dropna()).any()


def test_run_cb_paths_mlr_matches_lavaan() -> None:
    section = load_json("robust_reference.json")["pd_MLR"]
    ref = _ref_se(section)
    spec = load_model(DATA / "pd_sem_model.txt").model
    result, fit = run_cb_paths(load_csv("political_democracy.csv"), dict(spec.constructs),
                               spec, estimator="MLR")
    assert fit is not None and result.estimator == "MLR"
    _check_fit(dict(result.fit), section)
    assert len(result.paths) == 3
    for to, frm, se in result.paths[["to", "from", "se"]].itertuples(index=False):
        assert se == pytest.approx(ref[(to, "~", frm)], rel=1e-5)


def test_estimator_option() -> None:
    assert Options().estimator is Estimator.ml
    assert Options(estimator="MLR").estimator is Estimator.mlr  # type: ignore[arg-type]
    assert Estimator.mlm.lavaan == "MLM"
    assert "estimator" not in Options(estimator=Estimator.mlr).as_dict()
    assert Options(estimator="wlsmv").estimator is Estimator.wlsmv  # type: ignore[arg-type]
    with pytest.raises(InputError, match="estimator must be one of ml, mlm, mlr, wlsmv, auto"):
        Options(estimator="wls")  # type: ignore[arg-type]


@pytest.mark.slow
def test_cli_cfa_estimator_mlr_json() -> None:
    from cxsurvey.cli import app

    result = CliRunner().invoke(app, [
        "cfa", str(DATA / "holzinger_swineford_1939.csv"), "--model",
        str(DATA / "hs_cfa_model.txt"), "--estimator", "MLR", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["meta"]["estimator"] == "MLR"
    measures = load_json("robust_reference.json")["hs_MLR"]["fit_measures"]
    fit = doc["cfa"]["fit"]
    assert fit["chisq_scaled"] == pytest.approx(measures["chisq.scaled"], rel=1e-6)
    assert fit["chisq_scaling_factor"] == pytest.approx(measures["chisq.scaling.factor"],
                                                        rel=1e-6)
    assert fit["df_scaled"] == 24 and isinstance(fit["df_scaled"], int)
    assert list(fit)[-len(ROBUST_FIT_KEYS):] == list(ROBUST_FIT_KEYS)
    assert any(s.startswith("CFA fit (MLR)") and "scaling factor 0.979" in s
               for s in doc["summary"])
