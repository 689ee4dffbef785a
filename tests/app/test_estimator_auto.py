"""``--estimator auto``: MLR when Mardia's test rejects multivariate normality, else ML,
said in the warnings and recorded as ``meta.estimator``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsurvey.app.pipeline import Options, run
from cxsurvey.options import Estimator

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_surveys" / "cx_journey.xlsx"
MODEL = ROOT / "sample_surveys" / "cx_journey.toml"


@pytest.mark.slow
def test_auto_picks_mlr_on_the_sample_and_says_why() -> None:
    res = run(SAMPLE, MODEL, ["normality", "cfa"], Options(estimator=Estimator.auto))
    assert res.meta["estimator"] == "MLR"
    said = [w for w in res.warnings if w.startswith("--estimator auto")]
    assert said == ["--estimator auto chose MLR: Mardia's test rejects multivariate "
                    "normality for 8/8 construct(s) (p < 0.05)"]
    assert res.cfa is not None and res.cfa.fit.get("chisq_scaled") is not None
    # the normality verdict names the robust estimator the run used, not a flag to try
    verdict = next(s for s in res.summary if s.startswith("No item is normal"))
    assert verdict.endswith("The CB models here use MLR (Huber-White SEs, Yuan-Bentler "
                            "scaled test).")
    assert "--estimator" not in verdict


def test_auto_keeps_ml_for_multivariate_normal_answers(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    eta = rng.standard_normal((400, 2))
    cols = {}
    for c, name in enumerate(("Sat", "Loy")):
        for j in range(1, 4):
            cols[f"{name}{j}"] = 3 + 0.8 * eta[:, c] + 0.6 * rng.standard_normal(400)
    path = tmp_path / "normal.csv"
    pd.DataFrame(cols).to_csv(path, index=False)
    model = tmp_path / "m.toml"
    model.write_text('[data]\nscale = [-10, 20]\n[model]\nsyntax = """\n'
                     "Sat =~ Sat1 + Sat2 + Sat3\nLoy =~ Loy1 + Loy2 + Loy3\n\"\"\"\n")
    res = run(path, model, ["cfa"], Options(estimator=Estimator.auto))
    assert res.meta["estimator"] == "ML"
    assert any(w.startswith("--estimator auto chose ML: Mardia's test does not reject")
               for w in res.warnings)
    assert res.cfa is not None and res.cfa.fit.get("chisq_scaled") is None
