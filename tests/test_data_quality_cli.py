"""The data-quality screen through the command line: JSON, --exclude-flagged, bad checks."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from support import cxsurvey_exe, make_survey
from typer.testing import CliRunner

from cxsurvey.cli import app
from cxsurvey.errors import InputError
from cxsurvey.model import load_model

runner = CliRunner()

MODEL = """[data]
id = "id"
scale = [1, 5]

[data.attention]
Check = [4, "Strongly agree"]

[model]
syntax = \"\"\"
Aa =~ Aa1 + Aa2 + Aa3 + Aa4
Bb =~ Bb1 + Bb2 + Bb3 + Bb4
\"\"\"
"""


@pytest.fixture
def flagged_survey(tmp_path: Path) -> tuple[Path, Path]:
    """80 respondents: one all-3 straightliner (row 2), a resubmitted id (row 4 again at
    row 81), one failed attention check (row 6) and one speeder (row 8)."""
    frame = make_survey(n=80, constructs=2)
    items = [c for c in frame.columns if c[:2] in ("Aa", "Bb")]
    frame["Check"] = 4
    frame["Duration (in seconds)"] = 400 + frame.index.to_numpy() % 50
    frame.loc[0, items] = 3
    frame.loc[79, "id"] = frame.loc[2, "id"]
    frame.loc[4, "Check"] = 2
    frame.loc[6, "Duration (in seconds)"] = 60
    path = tmp_path / "survey.csv"
    frame.to_csv(path, index=False)
    model = tmp_path / "model.toml"
    model.write_text(MODEL)
    return path, model


def _json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--method", "none", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_flags_are_reported_and_nothing_is_dropped_by_default(flagged_survey) -> None:
    survey, model = flagged_survey
    doc = _json("analyze", str(survey), "-m", str(model))
    dq = doc["data_quality"]
    assert list(dq) == ["rules", "counts", "longest_run", "excluded", "flagged"]
    assert dq["counts"] == {"screened": 80, "straightliner": 1, "duplicate": 1, "speeder": 1,
                            "attention": 1, "flagged": 4}
    assert [r["row"] for r in dq["flagged"]] == [2, 6, 8, 81]
    assert dq["flagged"][3]["duplicate_of"] == 4 and dq["flagged"][3]["duplicate_by"] == "id"
    assert doc["meta"]["n_rows"] == 80 and doc["meta"]["excluded"] is None
    assert doc["straightliners"] == [{"row": 2, "id": 1, "answer": 3}]


def test_exclude_flagged_drops_them_and_says_so(flagged_survey) -> None:
    survey, model = flagged_survey
    doc = _json("analyze", str(survey), "-m", str(model), "--exclude-flagged")
    assert doc["meta"]["n_rows"] == 76 and doc["meta"]["n_used"] == 76
    assert doc["meta"]["excluded"] == {
        "n": 4, "of": 80, "rows": [2, 6, 8, 81],
        "by_rule": {"straightliner": 1, "duplicate": 1, "speeder": 1, "attention": 1}}
    assert doc["meta"]["options"]["exclude_flagged"] is True
    assert doc["data_quality"]["excluded"] is True
    assert doc["reliability"][0]["n"] == 76
    assert any("4 respondent(s) flagged by the data-quality screen were excluded" in w
               and "file row(s) 2, 6, 8, 81" in w for w in doc["warnings"])
    assert any(s.startswith("4 of 80 respondents flagged by the data-quality screen")
               for s in doc["summary"])
    assert doc["straightliners"] == []


def test_flagged_table_in_csv(flagged_survey) -> None:
    survey, model = flagged_survey
    result = runner.invoke(app, ["analyze", str(survey), "-m", str(model), "--method", "none",
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "# data_quality: Data quality: flagged respondents" in result.stdout
    assert "attention check failed: Check = 2" in result.stdout


def test_bad_attention_entry_names_file_and_line(tmp_path: Path) -> None:
    model = tmp_path / "m.toml"
    model.write_text(MODEL.replace('Check = [4, "Strongly agree"]', "Check = []"))
    with pytest.raises(InputError, match=r"\[data.attention\] 'Check'") as err:
        load_model(model)
    assert err.value.location.line == 6 and err.value.location.file == str(model)


@pytest.mark.slow
def test_bad_attention_entry_exits_2(flagged_survey) -> None:
    survey, model = flagged_survey
    model.write_text(MODEL.replace('Check = [4, "Strongly agree"]', "Check = true"))
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run([*cxsurvey_exe(), "analyze", str(survey), "-m", str(model)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert f"{model}, line 6" in proc.stderr and "[data.attention] 'Check'" in proc.stderr
    assert "Traceback" not in proc.stderr
