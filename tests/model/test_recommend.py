"""The likelihood-to-recommend question: detection by header and answers, its model
entries, and ``[data.scales]`` / ``[metrics]`` written so that ``load_model`` reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsurvey.model import load_model
from cxsurvey.model.recommend import (
    answers_are_0_10,
    find_recommend,
    is_recommend_header,
    recommend_entries,
    recommend_name,
)
from cxsurvey.model.spec import DataSpec, ItemColumn, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.model.write import model_to_toml

TEXT = "How likely are you to recommend us to a friend or colleague?"


@pytest.mark.parametrize("header", [
    TEXT, "HOW LIKELY IS IT THAT YOU WOULD RECOMMEND OUR APP?", "Likelihood to recommend",
    "NPS", "nps_score", "Recommend", "recommend rating", "LTR"])
def test_recommend_headers(header: str) -> None:
    assert is_recommend_header(header)


@pytest.mark.parametrize("header", [
    "Loyalty to the company [I recommend the company to others]", "Recommend2", "Q9",
    "Lylt2", "I would recommend this", "Recommended products"])
def test_other_headers(header: str) -> None:
    assert not is_recommend_header(header)


def test_question_text_under_a_short_header() -> None:
    assert is_recommend_header("Q9", TEXT) and not is_recommend_header("Q9", "Age")


@pytest.mark.parametrize(("values", "expected"), [
    ([0, 7, 10, None, float("nan"), " "], True),
    (["9", "10", "3"], True),
    ([1, 2, 5, 4], False),          # a 1-5 item
    ([3, 11], False),               # outside 0-10
    ([8.5, 9], False),              # not whole numbers
    (["Strongly agree", 9], False),
    ([None, ""], False),
])
def test_answers_are_0_10(values: list[object], expected: bool) -> None:
    assert answers_are_0_10(values) is expected


def test_find_recommend_needs_header_and_answers() -> None:
    answers = {"Lylt2": [4, 5, 3], "NPS": ["x", "y"], TEXT: [9, 6, 10], "Q9": [0, 8]}
    assert find_recommend(answers, answers.__getitem__) == TEXT
    del answers[TEXT]
    assert find_recommend(answers, answers.__getitem__) is None
    assert find_recommend(answers, answers.__getitem__, {"Q9": TEXT}) == "Q9"


def test_names_and_entries() -> None:
    assert recommend_name("NPS") == "NPS" and recommend_name(TEXT) == "Recommend"
    assert recommend_name(TEXT, ["recommend"]) == "Recommend2"
    cols = {"Att1": [4, 5], TEXT: [10, 3]}
    assert recommend_entries(cols, cols.__getitem__) == (
        {"Recommend": ItemColumn(TEXT)}, {"nps": "Recommend"}, {"Recommend": (0, 10)})
    short = {"Att1": [4, 5], "NPS": [10, 3]}
    assert recommend_entries(short, short.__getitem__) == (
        {}, {"nps": "NPS"}, {"NPS": (0, 10)})
    assert recommend_entries({"Att1": [4]}, lambda c: [4]) == ({}, {}, {})


def test_written_scales_and_metrics_read_back(tmp_path: Path) -> None:
    data = DataSpec(scale=(1, 5), items={"Recommend": ItemColumn(TEXT)},
                    scales={"Recommend": (0, 10)})
    model = SurveyModel(data=data, model=parse_syntax("Att =~ Att1 + Att2"),
                        metrics={"nps": "Recommend"})
    path = tmp_path / "m.toml"
    path.write_text(model_to_toml(model), encoding="utf-8")
    back = load_model(path)
    assert back.data.scales == {"Recommend": (0, 10)}
    assert back.metrics == {"nps": "Recommend"}
    assert back.data.items == {"Recommend": ItemColumn(TEXT)}
    assert "[metrics]" not in model_to_toml(SurveyModel(data=DataSpec(),
                                                        model=ModelSpec(syntax="")))
