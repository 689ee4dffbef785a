"""Recoding: text answers, missing codes, reverse keys, drop, scale checks, inference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxsurvey.errors import InputError
from cxsurvey.io.labels import builtin_set, leading_number, normalise
from cxsurvey.io.prepare import prepare
from cxsurvey.io.readers import RawTable, read_table
from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax


def _raw(columns: dict[str, list[object]], first_data_row: int = 2) -> RawTable:
    return RawTable(frame=pd.DataFrame(columns), path="survey.xlsx", kind="excel",
                    sheet="Responses", first_data_row=first_data_row)


def _model(syntax: str = "", **data: object) -> SurveyModel:
    spec = parse_syntax(syntax) if syntax else ModelSpec(syntax="")
    return SurveyModel(data=DataSpec(**data), model=spec)  # type: ignore[arg-type]


def test_normalise() -> None:
    assert normalise("  Strongly\u00a0 AGREE \t") == "strongly agree"
    assert normalise("Agree ") == normalise("agree") == "agree"


@pytest.mark.parametrize(("text", "value"), [
    ("5 - Strongly agree", 5.0), ("1 = Strongly disagree", 1.0), ("3: neutral", 3.0),
    ("4) agree", 4.0), ("2. disagree", 2.0), ("7 Strongly agree", 7.0),
    ("Strongly agree", None), ("5", None), ("5-", None),
])
def test_leading_number(text: str, value: float | None) -> None:
    assert leading_number(text) == value


def test_builtin_five_point_set_ignores_case_and_spaces() -> None:
    raw = _raw({
        "Att1": ["agree ", "STRONGLY DISAGREE", "Strongly\u00a0agree", " neutral"],
        "Att2": ["Disagree", "neither  agree nor disagree", "Agree", "strongly Agree"],
    })
    s = prepare(raw, _model("A =~ Att1 + Att2"))
    assert s.items["Att1"].tolist() == [4, 1, 5, 3]
    assert s.items["Att2"].tolist() == [2, 3, 4, 5]
    assert s.scale == (1, 5) and s.scale_source == "value labels"
    assert s.recoded["text_answers_mapped"] == 8


def test_seven_point_set_is_chosen_once_for_all_items() -> None:
    # only Att1 has a 7-point-only answer; "Agree" must still score 6 in Att2
    raw = _raw({"Att1": ["Somewhat agree", "Agree", "Strongly agree"],
                "Att2": ["Agree", "Strongly agree", "Disagree"]})
    s = prepare(raw, _model("A =~ Att1 + Att2"))
    assert s.items["Att1"].tolist() == [5, 6, 7]
    assert s.items["Att2"].tolist() == [6, 7, 2]
    assert s.scale == (1, 7)


def test_seven_point_set_from_the_scale() -> None:
    raw = _raw({"Att1": ["Agree", "Neutral"], "Att2": ["Strongly agree", "Disagree"]})
    s = prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 7)))
    assert s.items["Att1"].tolist() == [6, 4] and s.items["Att2"].tolist() == [7, 2]
    assert builtin_set({"agree"}, (1, 5))["agree"] == 4


def test_seven_point_answer_on_a_five_point_scale() -> None:
    raw = _raw({"Att1": ["Agree", "Somewhat agree"], "Att2": ["Agree", "Agree"]})
    with pytest.raises(InputError) as err:
        prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5)))
    assert (err.value.location.row, err.value.location.column) == (3, "Att1")
    assert "7-point" in str(err.value)


def test_user_labels_replace_the_builtin_sets() -> None:
    labels = {"Strongly agree": 1, "Agree": 2, "Neutral": 3, "Disagree": 4,
              "Strongly disagree": 5}
    raw = _raw({"Att1": ["agree", "STRONGLY AGREE ", "strongly disagree"],
                "Att2": ["Neutral", "Disagree", "Agree"]})
    s = prepare(raw, _model("A =~ Att1 + Att2", labels=labels))
    assert s.items["Att1"].tolist() == [2, 1, 5]
    assert s.items["Att2"].tolist() == [3, 4, 2]
    # an answer the user's labels do not list is not taken from the English default
    raw2 = _raw({"Att1": ["Agree", "Neither agree nor disagree"], "Att2": ["Agree", "Agree"]})
    with pytest.raises(InputError, match="no label mapping covers") as err:
        prepare(raw2, _model("A =~ Att1 + Att2", labels=labels))
    assert "replace the built-in" in str(err.value)


def test_user_labels_for_other_wordings() -> None:
    labels = {"Never": 1, "Rarely": 2, "Sometimes": 3, "Often": 4, "Always": 5}
    raw = _raw({"Fr1": ["never", "Always"], "Fr2": ["sometimes", "OFTEN"]})
    s = prepare(raw, _model("F =~ Fr1 + Fr2", labels=labels))
    assert s.items.to_numpy().tolist() == [[1, 3], [5, 4]]


def test_leading_numbers_are_scores() -> None:
    raw = _raw({"Att1": ["5 - Strongly agree", "1 - Strongly disagree", "3 - Neutral"],
                "Att2": ["4 = Agree", "2 = Disagree", "3 = Somewhat"]})
    s = prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5)))
    assert s.items["Att1"].tolist() == [5, 1, 3] and s.items["Att2"].tolist() == [4, 2, 3]


def test_numbers_stored_as_text_and_decimal_commas() -> None:
    raw = _raw({"Att1": ["4", " 5 ", "3,0"], "Att2": [1, "2", 3.0]})
    s = prepare(raw, _model("A =~ Att1 + Att2"))
    assert s.items["Att1"].tolist() == [4, 5, 3] and s.items["Att2"].tolist() == [1, 2, 3]


def test_missing_codes_numeric_and_text() -> None:
    raw = _raw({"Att1": [4, 99, 3, 2], "Att2": ["Agree", "N/A", "n/a ", "No answer"],
                "Att3": ["4", "99", None, "5"]})
    s = prepare(raw, _model("A =~ Att1 + Att2 + Att3", scale=(1, 5),
                            missing=(99, "N/A", "No answer", "")))
    assert s.items["Att1"].isna().tolist() == [False, True, False, False]
    assert s.items["Att2"].isna().tolist() == [False, True, True, True]
    assert s.items["Att3"].isna().tolist() == [False, True, True, False]
    assert s.recoded["missing_code_cells"] == 5
    assert s.recoded["missing_cells"] == 6


def test_numeric_missing_code_written_as_text() -> None:
    raw = _raw({"Att1": [4, 99, 3], "Att2": [2, 3, -9]})
    s = prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5), missing=("99", "-9")))
    assert int(s.items.isna().sum().sum()) == 2


def test_usual_no_value_texts_are_missing_without_declaring() -> None:
    raw = _raw({"Att1": [4, "NA", "#N/A", 3], "Att2": ["NULL", 2, 3, "nan"]})
    s = prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5)))
    assert int(s.items.isna().sum().sum()) == 4


def test_other_non_answers_must_be_declared() -> None:
    raw = _raw({"Att1": [4, "Don't know", 3], "Att2": [2, 3, 4]})
    with pytest.raises(InputError) as err:
        prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5)))
    text = str(err.value)
    assert "row 3" in text and "column 'Att1'" in text and "Don't know" in text
    assert "[data] missing" in text and "[data.labels]" in text


@pytest.mark.parametrize(("scale", "before", "after"), [
    ((1, 5), [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]),
    ((1, 7), [1, 4, 7, 2, 6], [7, 4, 1, 6, 2]),
    ((0, 10), [0, 3, 10, 5, 9], [10, 7, 0, 5, 1]),
])
def test_reverse_coding(scale: tuple[int, int], before: list[int], after: list[int]) -> None:
    raw = _raw({"Att1": before, "Att2": before, "Att3": [None, *before[1:]]})
    s = prepare(raw, _model("A =~ Att1 + Att2 + Att3", scale=scale, reverse=("Att2", "Att3")))
    assert s.items["Att1"].tolist() == before
    assert s.items["Att2"].tolist() == after
    assert np.isnan(s.items.at[0, "Att3"]) and s.items["Att3"].tolist()[1:] == after[1:]
    assert s.recoded["reversed"] == ["Att2", "Att3"]


def test_reverse_coding_after_text_mapping_and_missing() -> None:
    raw = _raw({"Att1": ["Agree", 99, "Strongly disagree"], "Att2": [4, 4, 1]})
    s = prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5), missing=(99,),
                            reverse=("Att1",)))
    assert s.items["Att1"].tolist()[0] == 2 and np.isnan(s.items.at[1, "Att1"])
    assert s.items["Att1"].tolist()[2] == 5


def test_reverse_names_a_column_not_in_the_file() -> None:
    raw = _raw({"Att1": [1, 2], "Att2": [2, 3]})
    with pytest.raises(InputError, match=r"\[data\] reverse names column 'Att9'"):
        prepare(raw, _model("A =~ Att1 + Att2", reverse=("Att9",)))


def test_reverse_item_outside_the_model_warns() -> None:
    raw = _raw({"Att1": [1, 2], "Att2": [2, 3], "Other": [1, 1]})
    s = prepare(raw, _model("A =~ Att1 + Att2", reverse=("Other",)))
    assert any("'Other'" in w for w in s.warnings)


def test_drop() -> None:
    raw = _raw({"Att1": [1, 2], "Att2": [2, 3], "Att3": ["x", "y"], "Sat1": [1, 2],
                "Sat2": [3, 3]})
    s = prepare(raw, _model("A =~ Att1 + Att2 + Att3\nS =~ Sat1 + Sat2", drop=("Att3",)))
    assert s.constructs == {"A": ("Att1", "Att2"), "S": ("Sat1", "Sat2")}
    assert list(s.items.columns) == ["Att1", "Att2", "Sat1", "Sat2"]
    assert s.recoded["dropped"] == ["Att3"]
    with pytest.raises(InputError, match="drop"):
        prepare(raw, _model("A =~ Att1 + Att2", drop=("Att1", "Att2")))


def test_out_of_range_names_the_cell_and_the_text() -> None:
    raw = _raw({"Att1": [1, 2, 3], "Att2": [4, 5, 6]}, first_data_row=3)
    with pytest.raises(InputError) as err:
        prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5)))
    loc = err.value.location
    assert (loc.file, loc.sheet, loc.row, loc.column) == ("survey.xlsx", "Responses", 5, "Att2")
    assert "the answer 6 is outside the scale 1-5" in str(err.value)
    raw = _raw({"Att1": ["Agree", "Strongly agree"], "Att2": [4, 7]})
    with pytest.raises(InputError, match="built-in agreement labels"):
        prepare(raw, _model("A =~ Att1 + Att2"))
    raw = _raw({"Att1": ["7 - Strongly agree", "4"], "Att2": [4, 3]})
    with pytest.raises(InputError, match=r"'7 - Strongly agree' \(score 7\)"):
        prepare(raw, _model("A =~ Att1 + Att2", scale=(1, 5)))


def test_out_of_range_can_be_collected_instead() -> None:
    raw = _raw({"Att1": ["Agree", 99, "Disagree"], "Att2": [4, 5, 99]})
    s = prepare(raw, _model("A =~ Att1 + Att2"), check_range=False)
    assert s.recoded["out_of_range_codes"] == [99]
    assert int(s.items.isna().sum().sum()) == 2
    assert any("99" in w for w in s.warnings)


def test_scale_inferred_from_the_answers() -> None:
    s = prepare(_raw({"Att1": [2, 3, 4], "Att2": [3, 4, 4]}), _model("A =~ Att1 + Att2"))
    assert s.scale == (1, 4) and s.scale_source == "inferred"
    s = prepare(_raw({"Att1": [0, 3, 10], "Att2": [3, 4, 4]}), _model("A =~ Att1 + Att2"))
    assert s.scale == (0, 10)


def test_model_names_an_absent_column() -> None:
    raw = _raw({"Att1": [1, 2], "Att2": [2, 3]})
    model = SurveyModel(data=DataSpec(), source="m.toml",
                        model=parse_syntax("A =~ Att1 + Att2\nS =~ Sat1 + Att3", first_line=5))
    with pytest.raises(InputError) as err:
        prepare(raw, model)
    assert (err.value.location.file, err.value.location.line) == ("m.toml", 6)
    assert "'Sat1'" in str(err.value) and "survey.xlsx" in str(err.value)


# ----------------------------------------------------------------------------- inference
def test_inferred_model_from_columns(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "id,age,Gender,Att1,Att2,Att3,Sat_1,Sat_2,Sat_3,Comment1,Comment2,Solo1\n"
        "1,34,F,4,Agree,5,Strongly agree,4,4,nice,good,3\n"
        "2,51,M,3,Disagree,2,Neutral,3,2,meh,ok,3\n"
        "3,29,F,5,Strongly agree,5,Agree,5,4,great,,4\n", encoding="utf-8")
    s = prepare(read_table(path), _model())
    assert s.constructs == {"Att": ("Att1", "Att2", "Att3"), "Sat": ("Sat_1", "Sat_2", "Sat_3")}
    assert s.model.inferred
    assert s.items["Att2"].tolist() == [4, 2, 5] and s.items["Sat_1"].tolist() == [5, 3, 4]


def test_inferred_model_keeps_a_column_with_a_stray_text() -> None:
    # one unmapped answer among numbers: the item is kept and the answer reported
    raw = _raw({"id": [1, 2, 3], "Att1": [4, 3, 2], "Att2": [5, "Sometimes", 2],
                "Att3": [4, 2, 1]})
    with pytest.raises(InputError) as err:
        prepare(raw, _model())
    assert (err.value.location.row, err.value.location.column) == (3, "Att2")


def test_no_item_columns() -> None:
    raw = _raw({"id": [1, 2], "Gender": ["F", "M"], "Comment": ["a", "b"]})
    with pytest.raises(InputError, match="no item columns found"):
        prepare(raw, _model())
