"""SPSS .sav: codes are the scores, user-missing codes are NaN, value labels give the scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from cxsurvey.errors import InputError
from cxsurvey.io import load_survey
from cxsurvey.io.readers import read_table

AGREE = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree",
         4: "Agree", 5: "Strongly agree"}
ITEMS = ["Att1", "Att2", "Att3", "Sat1", "Sat2"]


def _sav(path: Path, frame: pd.DataFrame, labels: dict[int, str] | None = None,
         missing: list[object] | None = None) -> Path:
    labels = labels if labels is not None else {**AGREE, 9: "No answer"}
    pyreadstat.write_sav(
        frame, str(path),
        variable_value_labels={c: labels for c in ITEMS if c in frame.columns},
        missing_ranges={c: missing for c in ITEMS if c in frame.columns} if missing else None,
    )
    return path


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id": [101, 102, 103, 104, 105],
        "Att1": [1, 2, 9, 5, 4], "Att2": [2, 3, 4, 9, 4], "Att3": [1, 3, 4, 5, 4],
        "Sat1": [4, 4, 5, 2, 3], "Sat2": [5, 4, 4, 1, 3],
        "Gender": ["F", "M", "F", "M", "F"],
    })


def test_codes_are_scores_and_user_missing_is_nan(tmp_path: Path, frame: pd.DataFrame) -> None:
    path = _sav(tmp_path / "s.sav", frame, missing=[9])
    raw = read_table(path)
    assert raw.kind == "spss" and raw.first_data_row == 1
    assert np.isnan(raw.frame.at[2, "Att1"]) and np.isnan(raw.frame.at[3, "Att2"])
    assert raw.frame.at[0, "Att1"] == 1 and raw.frame.at[4, "Sat2"] == 3
    assert raw.details["user_missing_cells"] == 2
    # the label of the missing code is not part of the scale
    assert set(raw.value_labels["Att1"]) == {1.0, 2.0, 3.0, 4.0, 5.0}
    survey = load_survey(path)
    assert survey.scale == (1, 5) and survey.scale_source == "value labels"
    assert survey.constructs == {"Att": ("Att1", "Att2", "Att3"), "Sat": ("Sat1", "Sat2")}
    assert survey.items["Att1"].tolist()[:2] == [1.0, 2.0]
    assert int(survey.items.isna().sum().sum()) == 2
    assert survey.recoded["missing_code_cells"] == 2


def test_missing_range(tmp_path: Path, frame: pd.DataFrame) -> None:
    frame.loc[0, "Att3"] = 98
    path = _sav(tmp_path / "s.sav", frame, missing=[{"lo": 90, "hi": 99}, 9])
    survey = load_survey(path)
    assert np.isnan(survey.items.at[0, "Att3"]) and np.isnan(survey.items.at[2, "Att1"])
    assert survey.scale == (1, 5)


def test_scale_comes_from_the_value_labels(tmp_path: Path, frame: pd.DataFrame) -> None:
    seven = {i: f"label {i}" for i in range(1, 8)}
    frame = frame.replace(9, 3)
    survey = load_survey(_sav(tmp_path / "s.sav", frame, labels=seven))
    # the answers only reach 5, but the labelled codes run 1..7
    assert survey.scale == (1, 7)


def test_undeclared_code_outside_the_labels_is_an_error(tmp_path: Path,
                                                        frame: pd.DataFrame) -> None:
    frame.loc[3, "Att2"] = 7
    path = _sav(tmp_path / "s.sav", frame, labels=AGREE, missing=[9])
    with pytest.raises(InputError) as err:
        load_survey(path)
    loc = err.value.location
    assert (loc.file, loc.row, loc.column) == (str(path), 4, "Att2")
    assert "outside the scale 1-5" in str(err.value)
    assert "SPSS value labels" in str(err.value)


def test_corrupt_sav(tmp_path: Path) -> None:
    path = tmp_path / "bad.sav"
    path.write_bytes(b"$FL2 this is not really an SPSS file" * 10)
    with pytest.raises(InputError, match="not a readable SPSS file"):
        read_table(path)
