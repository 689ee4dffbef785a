"""The data-quality screen: straightlining on raw answers, duplicates, speeders, attention."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsurvey.io.prepare import prepare
from cxsurvey.io.readers import RawTable
from cxsurvey.model.spec import DataSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.items.describe import describe
from cxsurvey.stats.items.screen import (
    LONG_RUN_SHARE,
    longest_runs,
    same_answer,
    screen,
    speeders,
)

ITEMS = [f"Anx{i}" for i in range(1, 9)]
REVERSED = ["Anx2", "Anx4", "Anx6", "Anx8"]


def _varied(n: int, seed: int = 0) -> pd.DataFrame:
    """Respondents with varied answers (no long runs, no duplicates)."""
    rng = np.random.default_rng(seed)
    rows = [np.roll([1, 2, 3, 4, 5, 2, 4, 1], rng.integers(8)) for _ in range(n)]
    frame = pd.DataFrame(rows, columns=ITEMS).astype(float)
    frame.iloc[:, 0] = np.arange(n) % 5 + 1  # rows differ from each other
    return frame


def _survey(answers: list[list[float]], **data: object):
    frame = pd.DataFrame(answers, columns=["id", *ITEMS, *[c for c in data.pop("extra", [])]])
    model = SurveyModel(data=DataSpec(scale=(1, 5), reverse=tuple(REVERSED), id="id",
                                      **data),  # type: ignore[arg-type]
                        model=parse_syntax("Anx =~ " + " + ".join(ITEMS)))
    return prepare(RawTable(frame=frame, path="s.csv", kind="text"), model)


def test_consistent_responder_with_reverse_keyed_items_is_not_a_straightliner() -> None:
    # 1 to every anxiety item, 4 to every reverse-keyed one: recoded, all 1 (or 2 on 1-5)
    consistent = [1, 1, 4, 1, 4, 1, 4, 1, 4]
    all_three = [2, 3, 3, 3, 3, 3, 3, 3, 3]
    other = [3, 2, 3, 4, 2, 5, 1, 3, 2]
    sv = _survey([consistent, all_three, other])
    assert sv.items.loc[0, "Anx2"] == 2  # reverse keys applied to the analysed items
    assert sv.answers is not None and sv.answers.loc[0, "Anx2"] == 4  # raw kept
    result = screen(sv.answers, np.asarray(sv.raw.file_rows()), sv.ids)
    flags = result.respondents.set_index("id")["straightliner"]
    assert not flags[1]
    assert flags[2]
    assert not flags[3]
    assert result.counts["straightliner"] == 1
    # describe's straightliners read the raw answers too
    desc = describe(sv.items, sv.constructs, sv.scale, np.asarray(sv.raw.file_rows()),
                    sv.ids, sv.answers)
    assert desc.straightliners["id"].tolist() == [2]
    assert desc.straightliners["answer"].tolist() == [3]
    assert desc.straightliners["row"].tolist() == [3]  # file row of the second respondent


def test_same_answer_needs_five_answers() -> None:
    values = np.array([[3, 3, 3, 3, np.nan, np.nan], [3, 3, 3, 3, 3, np.nan],
                       [3, 3, 3, 3, 3, 2]], dtype=float)
    mask, answer = same_answer(values)
    assert mask.tolist() == [False, True, False]
    assert answer[1] == 3


def test_longest_run_breaks_at_missing_and_long_strings_are_flagged() -> None:
    values = np.array([[1, 1, np.nan, 1, 1, 1, 2, 3, 4, 5],
                       [2, 2, 2, 2, 2, 2, 2, 2, 4, 1],
                       [1, 2, 1, 2, 1, 2, 1, 2, 1, 2]], dtype=float)
    assert longest_runs(values).tolist() == [3, 8, 1]
    result = screen(pd.DataFrame(values))
    assert result.longest_run["threshold"] == int(np.ceil(LONG_RUN_SHARE * 10))
    assert result.respondents["straightliner"].tolist() == [False, True, False]
    assert "8 of 10 items in a row" in result.respondents.loc[1, "reasons"]


def test_duplicates_by_id_and_by_identical_rows() -> None:
    base = _varied(6)
    answers = pd.concat([base, base.iloc[[2]]], ignore_index=True)  # row 7 copies row 3
    ids = pd.Series([10, 11, 12, 13, 14, 11, 99])  # the 6th reuses id 11
    wide = pd.concat([answers, answers.add_prefix("B")], axis=1)  # 16 items
    result = screen(wide, np.arange(2, 9), ids)
    r = result.respondents
    assert r["duplicate_of"].tolist()[5:] == [3, 4]
    assert r["duplicate_by"].tolist()[5:] == ["id", "answers"]
    assert r["duplicate_of"].isna().tolist()[:5] == [True] * 5  # first submissions kept
    assert result.counts["duplicate"] == 2


def test_identical_short_rows_are_not_duplicates() -> None:
    base = _varied(3)  # 8 items: fewer than needed for identity to mean a copy
    answers = pd.concat([base, base.iloc[[0]]], ignore_index=True)
    assert screen(answers).counts["duplicate"] == 0


def test_speeders_under_a_third_of_the_median() -> None:
    duration = pd.Series([300.0] * 10 + [99.0, 101.0, np.nan])
    mask, median = speeders(duration, 13)
    assert median == 300.0
    assert mask.tolist() == [False] * 10 + [True, False, False]
    result = screen(_varied(13), duration=duration)
    assert result.counts["speeder"] == 1
    assert "under 1/3 of the median 300" in result.flagged.loc[0, "reasons"]


def test_speed_rule_needs_enough_durations() -> None:
    mask, median = speeders(pd.Series([300.0] * 8 + [10.0]), 9)
    assert median is None and not mask.any()
    assert "not applied" in screen(_varied(3)).rules["speeder"]


def test_attention_check_from_the_model_and_duration_column() -> None:
    rows = [[i, *_varied(12).iloc[i - 1].tolist(), 4 if i != 3 else 2, 600 + i]
            for i in range(1, 13)]
    rows[5][-2] = np.nan  # a blank attention answer is not a failure
    sv = _survey(rows, extra=["Att_check", "Duration (in seconds)"],
                 attention={"Att_check": ("Agree",)})
    assert sv.attention_accepted == {"Att_check": (4.0,)}
    assert sv.duration is not None and sv.duration.name == "Duration (in seconds)"
    assert "Att_check" not in sv.items.columns
    result = screen(sv.answers, np.asarray(sv.raw.file_rows()), sv.ids, sv.duration,
                    sv.attention, sv.attention_accepted)
    assert result.flagged["id"].tolist() == [3]
    assert result.flagged.loc[0, "reasons"] == "attention check failed: Att_check = 2"
    assert result.counts["speeder"] == 0


def test_attention_check_must_not_be_an_item() -> None:
    from cxsurvey.errors import InputError

    with pytest.raises(InputError, match="an item of construct 'Anx'"):
        _survey([[1, *range(1, 9)]], attention={"Anx1": (4.0,)})
