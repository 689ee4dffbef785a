"""Per-item scales and CX metrics end to end: a 0-10 recommend item beside 5-point items."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support import cxsurvey_exe, make_survey
from typer.testing import CliRunner

from cxsurvey.app.pipeline import read
from cxsurvey.cli import app
from cxsurvey.errors import InputError

runner = CliRunner()

MODEL = '''[data]
id = "id"
reverse = ["Bb4", "Cc5"]
[data.scales]
Rec = [0, 10]
Cc5 = [0, 10]
[metrics]
nps = "Rec"
csat = "Sat"
ces = "Aa1"
'''


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    df = make_survey(n=90, seed=7)
    rng = np.random.default_rng(2)
    df["Rec"] = rng.integers(0, 11, len(df))
    df["Cc5"] = rng.integers(0, 11, len(df))
    df["Sat"] = rng.integers(1, 6, len(df))
    df.loc[4, "Rec"] = np.nan
    survey = tmp_path / "survey.csv"
    df.to_csv(survey, index=False)
    model = tmp_path / "model.toml"
    model.write_text(MODEL, encoding="utf-8")
    return survey, model


def _direct_nps(survey: Path) -> float:
    import pandas as pd

    x = pd.read_csv(survey)["Rec"].dropna()
    return 100 * (float((x >= 9).mean()) - float((x <= 6).mean()))


def test_each_item_has_its_own_scale(files: tuple[Path, Path]) -> None:
    survey, model = files
    sv = read(survey, model)
    assert sv.scale == (1, 5) and sv.scale_source == "inferred"
    assert sv.scales["Aa1"] == (1, 5) and sv.scales["Rec"] == (0, 10)
    # Cc5, an inferred item of construct Cc on 0-10, is reverse-keyed as 0 + 10 - x
    raw = __import__("pandas").read_csv(survey)
    assert (sv.items["Cc5"] == 10 - raw["Cc5"]).all()
    assert (sv.items["Bb4"] == 6 - raw["Bb4"]).all()
    # the NPS item stays out of the constructs but is read and range-checked
    assert "Rec" not in sv.items.columns and sv.extra_items is not None
    assert list(sv.extra_items.columns) == ["Rec", "Sat"]


def test_an_answer_outside_its_own_scale_is_an_input_error(
        files: tuple[Path, Path]) -> None:
    survey, model = files
    text = survey.read_text().splitlines()
    head = text[0].split(",")
    cells = text[3].split(",")
    cells[head.index("Rec")] = "11"
    text[3] = ",".join(cells)
    survey.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as err:
        read(survey, model)
    assert "outside the scale 0-10 (set by [data.scales] Rec" in str(err.value)
    assert err.value.location.column == "Rec" and err.value.location.row == 4


def test_a_construct_entry_and_an_item_entry(tmp_path: Path) -> None:
    df = make_survey(n=40, seed=1)
    df["Aa2"] = df["Aa2"] + 2  # 3..7
    df["Bb1"] = df["Bb1"] - 1  # 0..4
    df.to_csv(tmp_path / "s.csv", index=False)
    (tmp_path / "m.toml").write_text('[data]\nscale = [1, 5]\n[data.scales]\nAa = [1, 7]\n'
                                     'Aa1 = [1, 5]\nBb1 = [0, 4]\n', encoding="utf-8")
    sv = read(tmp_path / "s.csv", tmp_path / "m.toml")
    assert sv.scale == (1, 5)
    assert (sv.scales["Aa1"], sv.scales["Aa2"], sv.scales["Bb1"], sv.scales["Cc1"]) == (
        (1, 5), (1, 7), (0, 4), (1, 5))


@pytest.mark.parametrize(("extra", "fragment"), [
    ('[data.scales]\nRec = [1, 5]\n', "the Net Promoter Score needs a 0-10 item"),
    ('[data.scales]\nNope = [1, 5]\n', "[data.scales] names 'Nope'"),
])
def test_scale_errors(files: tuple[Path, Path], extra: str, fragment: str) -> None:
    survey, model = files
    model.write_text('[metrics]\nnps = "Rec"\n[data]\nid = "id"\n' + extra, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read(survey, model)
    assert fragment in str(err.value) and err.value.location.line == 6


def test_a_metric_column_must_exist(files: tuple[Path, Path]) -> None:
    survey, model = files
    model.write_text('[data]\nid = "id"\n[metrics]\ncsat = "Satisfaction"\n', encoding="utf-8")
    result = runner.invoke(app, ["describe", str(survey), "--model", str(model)])
    assert result.exit_code == 2
    assert "[metrics] csat names column 'Satisfaction'" in result.output


def test_describe_top_two_box_on_each_items_scale(files: tuple[Path, Path]) -> None:
    survey, model = files
    result = runner.invoke(app, ["describe", str(survey), "--model", str(model),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rows = {r["item"]: r for r in doc["descriptives"]}
    assert rows["Aa2"]["top2_box"] > 0 and rows["Aa2"]["pct_0"] is None
    assert rows["Aa2"]["pct_6"] is None and rows["Aa2"]["pct_5"] is not None
    assert sum(rows["Cc5"][f"pct_{k}"] for k in range(11)) == pytest.approx(100)
    assert doc["meta"]["scale"] == [1, 5]
    assert doc["meta"]["scales"]["Cc5"] == [0, 10] and doc["meta"]["scales"]["Aa1"] == [1, 5]


def test_analyze_reports_the_metrics(files: tuple[Path, Path]) -> None:
    survey, model = files
    result = runner.invoke(app, ["analyze", str(survey), "--model", str(model),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    metrics = {m["name"]: m for m in doc["metrics"]}
    assert set(metrics) == {"nps", "csat", "ces", "ces_top2"}
    assert metrics["nps"]["value"] == pytest.approx(_direct_nps(survey), abs=1e-9)
    assert metrics["nps"]["n"] == 89 and metrics["nps"]["item"] == "Rec"
    assert set(metrics["nps"]) >= {"name", "item", "value", "se", "ci_lower", "ci_upper", "n"}
    assert metrics["nps"]["ci_lower"] < metrics["nps"]["value"] < metrics["nps"]["ci_upper"]
    assert any(s.startswith("NPS ") and "95% CI" in s for s in doc["summary"])
    assert "Rec" not in {r["item"] for r in doc["normality"]}
    assert "Rec" not in {r["item"] for r in doc["item_stats"]}


def test_without_the_tables_no_new_keys(survey_csv: Path) -> None:
    result = runner.invoke(app, ["describe", str(survey_csv), "--format", "json"])
    doc = json.loads(result.stdout)
    assert "metrics" not in doc and "scales" not in doc["meta"]


def test_an_inferred_ten_point_scale_over_five_point_items_warns(tmp_path: Path) -> None:
    df = make_survey(n=40, seed=1)
    df["Cc5"] = np.arange(40) % 11
    df.to_csv(tmp_path / "s.csv", index=False)
    result = runner.invoke(app, ["describe", str(tmp_path / "s.csv"), "--format", "json"])
    doc = json.loads(result.stdout)
    assert any("inferred from all answers" in w and "[data.scales]" in w
               for w in doc["warnings"])


@pytest.mark.slow
def test_installed_command_prints_the_metrics_table(files: tuple[Path, Path]) -> None:
    survey, model = files
    out = subprocess.run([*cxsurvey_exe(), "describe", str(survey), "--model", str(model)],
                         capture_output=True, text=True, check=False,
                         env={"COLUMNS": "160", "PATH": str(Path(sys.executable).parent)})
    assert out.returncode == 0, out.stderr
    assert "CX metrics" in out.stdout and "Wald, multinomial SE" in out.stdout


def test_reports_carry_the_metrics_table_and_the_nps_chart(files: tuple[Path, Path],
                                                           tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    survey, model = files
    html = tmp_path / "r.html"
    result = runner.invoke(app, ["analyze", str(survey), "--model", str(model),
                                 "--format", "csv", "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "# metrics: CX metrics" in result.stdout
    page = html.read_text(encoding="utf-8")
    start = page.index('<svg class="nps-chart"')
    svg = ET.fromstring(page[start:page.index("</svg>", start) + 6])
    pcts = [float(r.get("data-pct") or 0) for r in svg.iter("rect") if r.get("data-pct")]
    assert len(pcts) == 3 and sum(pcts) == pytest.approx(100, abs=0.2)
