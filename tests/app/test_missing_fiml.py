"""``--missing fiml``: the CB models on every respondent with an answer, the coverage
and patterns section, what the run says, and the combinations it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support import cxsurvey_exe

from cxsurvey.app.pipeline import Options, run
from cxsurvey.errors import InputError
from cxsurvey.options import Estimator, Method, Missing, SeMethod
from cxsurvey.report.json_report import to_document

ROOT = Path(__file__).resolve().parents[2]
MESSY = ROOT / "sample_surveys" / "cx_journey_messy.xlsx"
MESSY_MODEL = ROOT / "sample_surveys" / "cx_journey_messy.toml"


def _survey(tmp_path: Path, n: int = 300, seed: int = 2) -> tuple[Path, Path]:
    """Two correlated constructs, 3 items each, about 15% of answers missing at random
    (the missingness of Sat3 depends on Sat1, which is observed: MAR)."""
    rng = np.random.default_rng(seed)
    eta = rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], size=n)
    cols = {}
    for c, name in enumerate(("Sat", "Loy")):
        for j in range(1, 4):
            cols[f"{name}{j}"] = 3 + 0.8 * eta[:, c] + 0.6 * rng.standard_normal(n)
    frame = pd.DataFrame(cols)
    frame.loc[rng.random(n) < 0.10, "Loy2"] = np.nan
    frame.loc[(frame["Sat1"] > 3.5) & (rng.random(n) < 0.4), "Sat3"] = np.nan
    frame.loc[rng.random(n) < 0.02, list(cols)] = np.nan  # a few answer nothing
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    model = tmp_path / "m.toml"
    model.write_text('[data]\nscale = [-10, 20]\n[model]\nsyntax = """\n'
                     "Sat =~ Sat1 + Sat2 + Sat3\nLoy =~ Loy1 + Loy2 + Loy3\n"
                     'Loy ~ Sat\n"""\n', encoding="utf-8")
    return path, model


def test_fiml_uses_every_respondent_with_an_answer(tmp_path: Path) -> None:
    path, model = _survey(tmp_path)
    frame = pd.read_csv(path)
    answered = int(frame.notna().any(axis=1).sum())
    complete = int(frame.notna().all(axis=1).sum())
    listwise = run(path, model, ["cfa", "paths"], Options())
    fiml = run(path, model, ["cfa", "paths"], Options(missing=Missing.fiml))
    assert listwise.cfa is not None and fiml.cfa is not None
    assert listwise.cfa.fit["n"] == complete < answered == fiml.cfa.fit["n"]
    assert fiml.cfa.missing == "fiml" and fiml.paths[0].missing == "fiml"
    assert fiml.paths[0].fit["n"] == answered
    # a mean structure: one intercept per item more than the listwise model
    assert fiml.cfa.fit["npar"] == listwise.cfa.fit["npar"] + 6
    assert fiml.cfa.fit["df"] == listwise.cfa.fit["df"]
    md = fiml.missing_data
    assert md is not None and md.n_used == answered and md.n_complete == complete
    assert md.n_rows == len(frame)
    said = [w for w in fiml.warnings if w.startswith("--missing fiml")]
    assert said and f"use {answered} of {len(frame)}" in said[0]
    doc = to_document(fiml)
    assert doc["meta"]["missing_policy"] == "fiml"
    assert doc["missing_data"]["n_patterns"] == md.n_patterns >= 3
    assert len(doc["missing_data"]["coverage"]) == 6
    assert doc["missing_data"]["patterns"][0]["pattern"] == "111111"
    # modification indices of the FIML likelihood
    mi = [r["mi"] for r in doc["modification_indices"]]
    assert mi and mi == sorted(mi, reverse=True)
    assert [r["item"] for r in doc["cfa"]["intercepts"]] == list(frame.columns)
    assert "intercepts" not in to_document(listwise)["cfa"]
    from cxsurvey.report.tables import build_tables

    keys = [t.key for t in build_tables(fiml)]
    assert {"missing_data", "missing_patterns", "cfa_intercepts"} <= set(keys)
    assert not {"missing_data", "cfa_intercepts"} & {t.key for t in build_tables(listwise)}
    fit_notes = next(t for t in build_tables(fiml) if t.key == "cfa_fit").notes
    assert fit_notes[0].startswith("FIML (lavaan missing = 'ml')")
    assert any(s.startswith("CFA fit (FIML") for s in fiml.summary)


def test_fiml_with_mlr_gives_the_scaled_and_robust_measures(tmp_path: Path) -> None:
    path, model = _survey(tmp_path)
    res = run(path, model, ["cfa"], Options(missing=Missing.fiml, estimator=Estimator.mlr))
    assert res.cfa is not None and res.cfa.estimator == "MLR"
    for key in ("chisq_scaled", "chisq_scaling_factor", "cfi_scaled", "cfi_robust",
                "rmsea_robust"):
        assert np.isfinite(res.cfa.fit[key]), key  # type: ignore[literal-required]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"estimator": Estimator.mlm}, "MLM needs complete data"),
    ({"method": Method.pls}, "PLS cannot use it"),
    ({"se": SeMethod.bootstrap, "bootstrap": 100}, "bootstrap cannot be combined"),
])
def test_refused_combinations(kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        Options(missing=Missing.fiml, **kwargs)


def test_fiml_allows_both_methods_and_ml_or_mlr() -> None:
    assert Options(missing="FIML", method=Method.both).missing is Missing.fiml
    assert Options(missing=Missing.fiml, estimator=Estimator.mlr).estimator is Estimator.mlr


@pytest.mark.slow
def test_cli_fiml_on_the_messy_sample() -> None:
    import subprocess

    out = subprocess.run([*cxsurvey_exe(), "cfa", str(MESSY), "--model", str(MESSY_MODEL),
                          "--missing", "fiml", "--estimator", "mlr", "--format", "json"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["meta"]["missing_policy"] == "fiml" and doc["meta"]["estimator"] == "MLR"
    assert doc["cfa"]["fit"]["n"] == doc["meta"]["n_rows"] == 157
    assert doc["missing_data"]["n_complete"] == 147
    assert doc["missing_data"]["n_patterns"] == 11
    table = subprocess.run([*cxsurvey_exe(), "cfa", str(MESSY), "--model", str(MESSY_MODEL),
                            "--missing", "fiml"], capture_output=True, text=True,
                           check=False)
    assert table.returncode == 0
    assert "Missing data: coverage" in table.stdout and "FIML (lavaan" in table.stdout
    bad = subprocess.run([*cxsurvey_exe(), "cfa", str(MESSY), "--model", str(MESSY_MODEL),
                          "--missing", "fiml", "--estimator", "mlm"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "MLM needs complete data" in bad.stderr
