"""SurveyMonkey's two header rows, LimeSurvey's sub-question codes, Microsoft Forms'
``Title.Statement`` and Typeform's ``Question - Row`` headers: column names the reader
builds and the ``[data.items]`` map ``init`` proposes for them."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from cxsurvey.app.pipeline import propose
from cxsurvey.io.layout import find_header, two_row_header, two_row_names, typed_cell
from cxsurvey.io.readers import read_table
from cxsurvey.model.infer import is_metadata, item_prefix
from cxsurvey.model.platform_items import limesurvey_items, msforms_items, platform_items

TOP = ["Respondent ID", "Collector ID", "Start Date", "How satisfied are you?", "", "",
       "Your age"]
SUB = ["", "", "", "Delivery", "Support", "Price", "Response"]
ANSWERS = [["1001", "77", "03/02/2026 09:00:00 AM", "Agree", "Strongly agree", "Agree", "41"],
           ["1002", "77", "03/02/2026 09:05:00 AM", "Disagree", "Agree", "Disagree", "29"],
           ["1003", "77", "03/02/2026 09:09:00 AM", "Agree", "Agree", "Strongly agree", "55"]]
NAMES = ["Respondent ID", "Collector ID", "Start Date", "How satisfied are you? | Delivery",
         "How satisfied are you? | Support", "How satisfied are you? | Price", "Your age"]


def test_two_row_names_carry_the_question_and_drop_response() -> None:
    assert two_row_names(TOP, SUB) == NAMES
    assert two_row_names(["", "Q  text", ""], ["x", "a", "b"]) == ["x", "Q text | a",
                                                                   "Q text | b"]

def test_two_row_header_needs_surveymonkey_columns_and_text_labels() -> None:
    rows = [[typed_cell(c) for c in r] for r in [TOP, SUB, *ANSWERS]]
    assert two_row_header(rows, 0) and find_header(rows) == 0
    assert not two_row_header(rows, 1)
    assert not two_row_header([rows[0], rows[2]], 0)  # a data row is not a label row
    assert not two_row_header([["id", "Att1"], ["Agree", "Agree"]], 0)


def test_surveymonkey_csv_and_xlsx_read_with_joined_names(tmp_path: Path) -> None:
    survey = tmp_path / "sm.csv"
    survey.write_text("\n".join(",".join(r) for r in [TOP, SUB, *ANSWERS]) + "\n",
                      encoding="utf-8")
    raw = read_table(survey)
    assert list(raw.frame.columns) == NAMES and raw.frame.shape[0] == 3
    assert raw.first_data_row == 3
    book = tmp_path / "sm.xlsx"
    wb = openpyxl.Workbook()
    for r in [TOP, SUB, *ANSWERS]:
        wb.active.append([v or None for v in r])
    wb.save(book)
    raw = read_table(book)
    assert list(raw.frame.columns) == NAMES and raw.first_data_row == 3
    model, titles = propose(survey)
    assert model.data.id == "Respondent ID"
    assert {k: v.text for k, v in model.data.items.items()} == {
        "Satisfied1": NAMES[3], "Satisfied2": NAMES[4], "Satisfied3": NAMES[5]}
    assert titles == {"Satisfied": "How satisfied are you?"}


def test_limesurvey_codes_become_code_underscore_k() -> None:
    cols = ["id", "submitdate", "lastpage", "G01Q01[SQ001]", "G01Q01[SQ002]",
            "G01Q01[other]", "G01Q01[SQ001comment]", "SAT[SQ001]", "SAT[SQ002]",
            "Q1A[SQ001]", "Q1A[SQ002]", "G01Q02[SQ001]"]
    items, titles = platform_items(cols)
    assert {k: v.text for k, v in items.items()} == {
        "G01Q01_1": "G01Q01[SQ001]", "G01Q01_2": "G01Q01[SQ002]",
        "SAT_1": "SAT[SQ001]", "SAT_2": "SAT[SQ002]",
        "QB1": "Q1A[SQ001]", "QB2": "Q1A[SQ002]"}  # Q1A_1 would not read back as Q1A
    assert titles == {"G01Q01": "G01Q01", "SAT": "SAT", "QB": "Q1A"}
    assert [item_prefix(n) for n in items] == ["G01Q01"] * 2 + ["SAT"] * 2 + ["QB"] * 2
    taken, _ = limesurvey_items(["G01Q01_1", "G01Q01[SQ001]", "G01Q01[SQ002]"])
    assert list(taken) == ["G01Q01x2_1", "G01Q01x2_2"]
    assert all(is_metadata(c) for c in ("submitdate", "startlanguage", "Collector ID",
                                        "Custom Data 1"))


def test_msforms_statements_sharing_a_title_form_a_construct() -> None:
    cols = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
            "Service quality.Staff were friendly", "Service quality.Waiting was short",
            "Comment", "Comment.1", "Comment.2", "Single.Only one statement"]
    items, titles = platform_items(cols)
    assert {k: v.text for k, v in items.items()} == {
        "Service1": cols[6], "Service2": cols[7]}
    assert titles == {"Service": "Service quality"}
    assert msforms_items(["Comment.1", "Comment.2"]) == ({}, {})
    assert all(is_metadata(c) for c in cols[:6])


def test_typeform_matrix_rows_sharing_a_question_form_a_construct() -> None:
    cols = ["#", "How easy was paying?", "Our app - Loads fast", "Our app - Never crashes",
            "Our app - Looks good", "Other - thing", "Response Type", "Start Date (UTC)",
            "Stage Date (UTC)", "Submit Date (UTC)", "Network ID", "Tags"]
    items, titles = platform_items(cols)
    assert {k: v.text for k, v in items.items()} == {
        "App1": cols[2], "App2": cols[3], "App3": cols[4]}
    assert titles == {"App": "Our app"}
    assert all(is_metadata(c) for c in [cols[0], *cols[6:]])
