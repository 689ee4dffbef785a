"""``[data.items]``: long export headers renamed to short item names, and its errors."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support import cxsurvey_exe

from cxsurvey.errors import InputError
from cxsurvey.io import load_survey
from cxsurvey.model import load_model

HEADER = ["Timestamp", "Satisfaction [Delivery]", "Satisfaction [Support]",
          "Satisfaction [Price]"]
ROWS = [["2026/03/02 9:00:00 AM GMT+1", "Agree", "Strongly agree", "Agree"],
        ["2026/03/02 9:05:00 AM GMT+1", "Disagree", "Neither agree nor disagree", "Disagree"],
        ["2026/03/02 9:09:00 AM GMT+1", "Strongly agree", "Agree", "Agree"],
        ["2026/03/02 9:12:00 AM GMT+1", "Agree", "Disagree", "Strongly agree"]]


def _files(tmp_path: Path, items: str) -> tuple[Path, Path]:
    survey = tmp_path / "survey.csv"
    survey.write_text("\n".join(",".join(r) for r in [HEADER, *ROWS]) + "\n",
                      encoding="utf-8")
    model = tmp_path / "model.toml"
    model.write_text('[data]\nscale = [1, 5]\n\n[data.items]\n' + items
                     + '\n[model]\nsyntax = "Sat =~ Sat1 + Sat2 + Sat3"\n', encoding="utf-8")
    return survey, model


GOOD = ('Sat1 = "Satisfaction [Delivery]"\n'
        'Sat2 = { pattern = ".*\\\\[Support\\\\]" }\n'
        'Sat3 = { pattern = "Satisfaction \\\\[Pr.*" }\n')


def test_mapped_columns_get_short_names_and_keep_their_question(tmp_path: Path) -> None:
    survey, model = _files(tmp_path, GOOD)
    sv = load_survey(survey, load_model(model))
    assert list(sv.items.columns) == ["Sat1", "Sat2", "Sat3"]
    assert sv.items["Sat1"].tolist() == [4.0, 2.0, 5.0, 4.0]
    assert sv.items["Sat3"].tolist() == [4.0, 2.0, 4.0, 5.0]
    assert sv.questions == {"Sat1": "Satisfaction [Delivery]", "Sat2": "Satisfaction [Support]",
                            "Sat3": "Satisfaction [Price]"}


@pytest.mark.parametrize(("items", "line", "column", "words"), [
    ('Sat1 = "Satisfaction [Delivery]"\nSat2 = "Satisfaction [Speed]"\nSat3 = "x"\n',
     6, "Satisfaction [Speed]", "not in"),
    ('Sat1 = "Satisfaction [Delivery]"\nSat2 = { pattern = "Quality.*" }\n', 6,
     "Quality.*", "matches no column"),
    ('Sat1 = "Satisfaction [Delivery]"\n'
     'Sat2 = { pattern = "Satisfaction \\\\[(Support|Price)\\\\]" }\n',
     6, "Satisfaction [Support]", "matches 2 columns"),
    ('Sat1 = "Satisfaction [Delivery]"\nSat2 = { pattern = ".*Delivery.*" }\n', 6,
     "Satisfaction [Delivery]", "both name"),
])
def test_mapping_errors_name_file_line_and_column(tmp_path: Path, items: str, line: int,
                                                  column: str, words: str) -> None:
    survey, model = _files(tmp_path, items)
    with pytest.raises(InputError) as exc:
        load_survey(survey, load_model(model))
    loc = exc.value.location
    assert (loc.file, loc.line, loc.column) == (str(model), line, column)
    assert words in exc.value.message


def test_bad_entry_is_a_model_file_error(tmp_path: Path) -> None:
    _, model = _files(tmp_path, 'Sat1 = 3\n')
    with pytest.raises(InputError) as exc:
        load_model(model)
    assert exc.value.location.line == 5 and "[data.items] 'Sat1'" in exc.value.message


@pytest.mark.slow
def test_cli_exits_2_on_a_pattern_matching_two_columns(tmp_path: Path) -> None:
    survey, model = _files(tmp_path, 'Sat1 = { pattern = "Satisfaction.*" }\n')
    env = {**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run([*cxsurvey_exe(), "analyze", str(survey), "-m", str(model)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2
    assert f"{model}, column 'Satisfaction [Delivery]', line 5" in proc.stderr
    assert "matches 3 columns" in proc.stderr and "Traceback" not in proc.stderr
