"""Reports carry the export's question text beside the short item name."""

from __future__ import annotations

import csv
import json

import numpy as np
from typer.testing import CliRunner

from cxsurvey.cli import app


def _qualtrics(path, n: int = 60) -> None:
    rng = np.random.default_rng(4)
    eta = rng.standard_normal(n)
    cols = {}
    for j in range(1, 5):
        x = 0.7 * eta + 0.7 * rng.standard_normal(n)
        cols[f"Q1_{j}"] = np.searchsorted([-1.2, -0.4, 0.4, 1.2], x) + 1
    header = ["ResponseId", *cols]
    texts = ["Response ID", *(f"Service quality - Statement {j}" for j in range(1, 5))]
    ids = ['{"ImportId":"_recordId"}', *(f'{{"ImportId":"QID1_{j}"}}' for j in range(1, 5))]
    rows = [header, texts, ids]
    rows += [[f"R_{i}", *(str(cols[c][i]) for c in cols)] for i in range(n)]
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)


def test_question_texts_in_json_and_tables(tmp_path) -> None:
    path = tmp_path / "qualtrics.csv"
    _qualtrics(path)
    doc = json.loads(CliRunner().invoke(app, ["describe", str(path), "--format",
                                              "json"]).stdout)
    assert doc["meta"]["items"] == ["Q1_1", "Q1_2", "Q1_3", "Q1_4"]
    assert doc["meta"]["questions"]["Q1_3"] == "Service quality - Statement 3"
    csv_text = CliRunner().invoke(app, ["describe", str(path), "--format", "csv"]).stdout
    block = csv_text.split("# descriptives:")[1].split("\n\n")[0].splitlines()
    assert block[1].split(",")[:3] == ["construct", "item", "question"]
    assert "Service quality - Statement 1" in block[2]


def test_no_question_key_when_the_headers_are_the_items(survey_csv) -> None:
    doc = json.loads(CliRunner().invoke(app, ["describe", str(survey_csv), "--format",
                                              "json"]).stdout)
    assert "questions" not in doc["meta"]
