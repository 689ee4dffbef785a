"""The polychoric section of a run: lavaan's numbers on the sample, missing data, smoothing,
and the section in the JSON, console and CSV reports."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from support import SAMPLES, load_json

from cxsurvey.app.pipeline import analyse, read, run_command
from cxsurvey.app.plan import plan
from cxsurvey.options import Method, Options
from cxsurvey.report.console import render_console
from cxsurvey.report.csv_report import render_csv_stream
from cxsurvey.report.json_report import render_json
from cxsurvey.report.tables import build_tables

SURVEY = SAMPLES / "cx_journey.xlsx"
MODEL = SAMPLES / "cx_journey.toml"


@pytest.fixture(scope="module")
def sample():
    return run_command("polychoric", SURVEY, MODEL)


@pytest.fixture(scope="module")
def reference() -> dict:
    return load_json("ordinal_reference.json")["sample_polychoric_lavcor"]


def test_plan_runs_the_section_alone_or_opted_in() -> None:
    assert plan("polychoric").names == ("polychoric",)
    assert "polychoric" not in plan("analyze", "auto", True).names
    assert plan("analyze", "auto", True, extra=["polychoric"]).names[-1] == "polychoric"
    assert plan("analyze", "none", extra=["polychoric"]).method is Method.cb


def test_sample_matches_lavaan_lavcor(sample, reference) -> None:
    pc = sample.polychoric
    names = reference["cor"]["names"]
    assert list(pc.items) == names  # the model's items, in model order
    assert len(names) == 33 and len(names) * (len(names) - 1) // 2 == 528
    want = np.array(reference["cor"]["matrix"], dtype=float)
    got = pc.matrix.loc[names, names].to_numpy()
    assert np.max(np.abs(got - want)) < 1e-6
    for item, thresholds in reference["thresholds"].items():
        np.testing.assert_allclose(pc.thresholds[item], thresholds, rtol=0, atol=1e-10)
    assert (pc.n.to_numpy() == reference["nobs"]).all()
    assert not pc.smoothed
    assert len(pc.zero_cell_pairs) == reference["zero_cell_tables"]["tables_with_empty_cell"]


def test_sample_warnings_are_prefixed(sample) -> None:
    said = [w for w in sample.warnings if w.startswith("polychoric: ")]
    assert any("Att5: no responses at scale point(s) 1" in w for w in said)
    assert any("527 of 528 pairs with empty cells" in w for w in said)
    assert list(sample.polychoric.warnings) == [w.removeprefix("polychoric: ") for w in said]


def test_json_section(sample, reference) -> None:
    doc = json.loads(render_json(sample))
    pc = doc["polychoric"]
    assert list(pc)[:3] == ["items", "matrix", "thresholds"]
    assert {"n", "missing", "smoothed", "warnings"} <= set(pc)
    assert pc["items"] == reference["cor"]["names"]
    assert np.max(np.abs(np.array(pc["matrix"]) - np.array(reference["cor"]["matrix"]))) < 1e-6
    assert pc["thresholds"]["Att5"] == pytest.approx(reference["thresholds"]["Att5"], abs=1e-10)
    assert len(pc["thresholds"]["Att5"]) == 3  # the empty scale point 1 is no category
    assert pc["n"][0][1] == 157 and isinstance(pc["n"][0][1], int)
    assert pc["missing"] == "listwise" and pc["smoothed"] is False
    assert "cfa" not in doc and "reliability" not in doc


def test_display_tables_reach_console_and_csv(sample) -> None:
    keys = [t.key for t in build_tables(sample)]
    assert keys == ["polychoric", "polychoric_thresholds"]
    console = Console(width=80, record=True, force_terminal=False, color_system=None,
                      highlight=False, file=io.StringIO())
    render_console(sample, console)
    text = console.export_text()
    assert "Polychoric correlations" in text and "Polychoric thresholds" in text
    assert "Polychoric correlations (continued)" in text  # 33 columns in blocks
    assert "Olsson 1979" in text and "listwise; n = 157" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    csv = render_csv_stream(sample)
    assert "# polychoric: Polychoric correlations\nitem,Inf1,Inf2," in csv
    assert "# polychoric_thresholds: Polychoric thresholds\nitem,n,categories,t1,t2,t3,t4\n" \
        in csv


def _inconsistent_pairs(path) -> None:
    """Three items never answered together, each pair by its own 120 respondents: 1-2 and
    2-3 correlate positively, 1-3 negatively, so the pairwise matrix is not positive
    definite."""
    rng = np.random.default_rng(5)
    rows = []
    for a, b, sign in (("Sat1", "Sat2", 1), ("Sat2", "Sat3", 1), ("Sat1", "Sat3", -1)):
        z = rng.standard_normal(120)
        e = 0.3 * rng.standard_normal(120)
        for zi, ei in zip(z, e, strict=True):
            row: dict[str, object] = {"Sat1": None, "Sat2": None, "Sat3": None}
            row[a] = int(np.searchsorted([-1.2, -0.4, 0.4, 1.2], zi)) + 1
            row[b] = int(np.searchsorted([-1.2, -0.4, 0.4, 1.2], sign * zi + ei)) + 1
            rows.append(row)
    pd.DataFrame(rows).astype("Int64").to_csv(path, index=False)


def test_pairwise_non_positive_definite_matrix_is_smoothed(tmp_path) -> None:
    path = tmp_path / "pairs.csv"
    _inconsistent_pairs(path)
    res = analyse(read(path), ["polychoric"], Options(missing="pairwise"))
    pc = res.polychoric
    assert pc.smoothed
    assert (pc.n.to_numpy() == [[240, 120, 120], [120, 240, 120], [120, 120, 240]]).all()
    assert np.linalg.eigvalsh(pc.matrix.to_numpy()).min() > 0
    assert np.allclose(np.diag(pc.matrix.to_numpy()), 1.0)
    assert any(w.startswith("polychoric: the polychoric matrix is not positive definite")
               and "smoothed" in w for w in res.warnings)
    assert not any("smooth_correlation()" in w for w in res.warnings)
    doc = json.loads(render_json(res))["polychoric"]
    assert doc["smoothed"] is True and doc["missing"] == "pairwise"
    notes = next(t for t in build_tables(res) if t.key == "polychoric").notes
    assert any("pairwise" in n and "n = 120" in n for n in notes)
    assert any("smoothed" in n for n in notes)
    # listwise: no respondent answered all three items; undefined, not an error
    listwise = analyse(read(path), ["polychoric"], Options())
    assert listwise.polychoric.matrix.isna().to_numpy().sum() == 6
