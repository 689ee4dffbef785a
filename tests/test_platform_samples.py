"""The Google Forms, Qualtrics, SurveyMonkey, LimeSurvey, Microsoft Forms and Typeform
samples: ``init`` proposes the model, ``analyze`` runs on it, alpha equals a direct
computation on the recoded answers and the NPS of the 0-10 recommend question (kept out
of the constructs) equals a direct count."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support import SAMPLES, cxsurvey_exe

pytestmark = pytest.mark.slow  # subprocess runs of the installed command on whole samples

LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree")
GRIDS = {"Awareness": 4, "Attention": 8, "Assessment": 3, "Decision": 6, "Purchase": 3,
         "Use": 3, "Result": 3, "Loyalty": 3}
GRID_TITLES = {"Awareness": "Awareness of our e-services", "Attention": "Attention to our offers",
               "Assessment": "Assessment of the options", "Decision": "Decision to buy",
               "Purchase": "Purchase experience", "Use": "Use of the service",
               "Result": "Result of using the service", "Loyalty": "Loyalty to the company"}
RECOMMEND = "How likely are you to recommend us to a friend or colleague?"


def _run(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([*cxsurvey_exe(), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def _assert_nps(text: str, doc: dict, item: str, answers: list[object]) -> None:
    """``[metrics] nps`` names ``item`` (0-10) and its NPS equals 100 (share of 9-10 minus
    share of 0-6) of the file's ``answers``."""
    assert f'nps = "{item}"' in text and f"{item} = [0, 10]" in text
    assert all(item not in its for its in doc["meta"]["constructs"].values())
    x = np.array([float(str(a)) for a in answers])
    assert len(x) == 157 and x.min() >= 0 and x.max() <= 10
    direct = 100 * (np.mean(x >= 9) - np.mean(x <= 6))
    (record,) = [m for m in doc["metrics"] if m["name"] == "nps"]
    assert record["item"] == item and record["n"] == 157
    assert record["value"] == pytest.approx(direct, abs=1e-12)


def _init_and_analyze(survey: Path, tmp_path: Path) -> tuple[str, dict]:
    model = tmp_path / "model.toml"
    init = _run("init", survey, "-o", model, cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    assert "model with 8 constructs written" in init.stdout
    proc = _run("analyze", survey, "-m", model, "--format", "json", "--method", "none",
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return model.read_text(encoding="utf-8"), json.loads(proc.stdout)


def test_google_forms_init_then_analyze(tmp_path: Path) -> None:
    survey = SAMPLES / "google_forms.csv"
    text, doc = _init_and_analyze(survey, tmp_path)
    assert "[data.items]" in text and "# Awareness: Awareness of our e-services" in text
    assert doc["meta"]["n_rows"] == 157
    constructs = doc["meta"]["constructs"]
    assert {c: len(its) for c, its in constructs.items()} == GRIDS
    assert constructs["Use"] == ["Use1", "Use2", "Use3"]
    with open(survey, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(body) == 157
    _assert_nps(text, doc, "Recommend", [r[header.index(RECOMMEND)] for r in body])
    assert f'Recommend = "{RECOMMEND}"' in text
    scores = {h: np.array([LABELS.index(r[j]) + 1 for r in body], dtype=float)
              for j, h in enumerate(header) if "[" in h}
    alphas = {r["construct"]: r["alpha"] for r in doc["reliability"]}
    for title, construct in (("Awareness of our e-services", "Awareness"),
                             ("Decision to buy", "Decision"), ("Loyalty to the company",
                                                               "Loyalty")):
        x = np.column_stack([v for h, v in scores.items() if h.startswith(title + " [")])
        assert alphas[construct] == pytest.approx(_alpha(x), abs=1e-12)


def test_qualtrics_init_then_analyze(tmp_path: Path) -> None:
    survey = SAMPLES / "qualtrics.csv"
    text, doc = _init_and_analyze(survey, tmp_path)
    assert 'id = "ResponseId"' in text and "# Q5: Purchase experience" in text
    assert "[data.items]" not in text
    assert doc["meta"]["n_rows"] == 157
    constructs = doc["meta"]["constructs"]
    assert list(constructs) == [f"Q{q}" for q in range(1, 9)]
    assert constructs["Q2"] == [f"Q2_{k}" for k in range(1, 9)]
    with open(survey, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[3:]  # question-text and ImportId rows under the header
    assert len(body) == 157 and rows[1][header.index("Q9")] == RECOMMEND
    _assert_nps(text, doc, "Q9", [r[header.index("Q9")] for r in body])
    alphas = {r["construct"]: r["alpha"] for r in doc["reliability"]}
    for construct, items in constructs.items():
        x = np.array([[float(r[header.index(i)]) for i in items] for r in body])
        assert alphas[construct] == pytest.approx(_alpha(x), abs=1e-12)


def test_surveymonkey_init_then_analyze(tmp_path: Path) -> None:
    survey = SAMPLES / "surveymonkey.csv"
    text, doc = _init_and_analyze(survey, tmp_path)
    assert 'id = "Respondent ID"' in text and "# Purchase: Purchase experience" in text
    assert 'Use2 = "Use of the service | The service worked as promised"' in text
    assert doc["meta"]["n_rows"] == 157
    constructs = doc["meta"]["constructs"]
    assert {c: len(its) for c, its in constructs.items()} == GRIDS
    with open(survey, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    top, sub, body = rows[0], rows[1], rows[2:]  # question texts, then the row labels
    assert len(body) == 157 and sub[top.index(RECOMMEND)] == "Response"
    _assert_nps(text, doc, "Recommend", [r[top.index(RECOMMEND)] for r in body])
    alphas = {r["construct"]: r["alpha"] for r in doc["reliability"]}
    for construct, items in constructs.items():
        j = top.index(GRID_TITLES[construct])
        x = np.array([[LABELS.index(r[j + k]) + 1 for k in range(len(items))] for r in body],
                     dtype=float)
        assert sub[j] and all(not t for t in top[j + 1:j + len(items)])
        assert alphas[construct] == pytest.approx(_alpha(x), abs=1e-12)


def test_limesurvey_init_then_analyze(tmp_path: Path) -> None:
    survey = SAMPLES / "limesurvey.csv"
    text, doc = _init_and_analyze(survey, tmp_path)
    assert 'id = "id"' in text and 'G02Q06_2 = "G02Q06[SQ002]"' in text
    assert doc["meta"]["n_rows"] == 157
    constructs = doc["meta"]["constructs"]
    codes = [f"G0{1 if q <= 4 else 2}Q0{q}" for q in range(1, 9)]
    assert list(constructs) == codes
    assert [len(its) for its in constructs.values()] == list(GRIDS.values())
    with open(survey, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(body) == 157
    _assert_nps(text, doc, "NPS", [r[header.index("NPS")] for r in body])
    alphas = {r["construct"]: r["alpha"] for r in doc["reliability"]}
    for construct, items in constructs.items():
        cols = [header.index(f"{construct}[SQ{k:03d}]") for k in range(1, len(items) + 1)]
        x = np.array([[float(r[j]) for j in cols] for r in body])
        assert alphas[construct] == pytest.approx(_alpha(x), abs=1e-12)


def test_microsoft_forms_init_then_analyze(tmp_path: Path) -> None:
    survey = SAMPLES / "microsoft_forms.xlsx"
    text, doc = _init_and_analyze(survey, tmp_path)
    assert 'id = "ID"' in text and 'sheet = "Sheet1"' in text
    assert "# Loyalty: Loyalty to the company" in text
    assert doc["meta"]["n_rows"] == 157
    constructs = doc["meta"]["constructs"]
    assert {c: len(its) for c, its in constructs.items()} == GRIDS
    wb = openpyxl.load_workbook(survey, read_only=True)
    rows = [list(r) for r in wb["Sheet1"].iter_rows(values_only=True)]
    wb.close()
    header, body = [str(h) for h in rows[0]], rows[1:]
    assert len(body) == 157
    _assert_nps(text, doc, "Recommend", [r[header.index(RECOMMEND)] for r in body])
    alphas = {r["construct"]: r["alpha"] for r in doc["reliability"]}
    for construct in constructs:
        cols = [j for j, h in enumerate(header) if h.startswith(GRID_TITLES[construct] + ".")]
        x = np.array([[LABELS.index(str(r[j])) + 1 for j in cols] for r in body], dtype=float)
        assert alphas[construct] == pytest.approx(_alpha(x), abs=1e-12)


def test_typeform_init_then_analyze(tmp_path: Path) -> None:
    survey = SAMPLES / "typeform.csv"
    text, doc = _init_and_analyze(survey, tmp_path)
    assert 'id = "#"' in text and "# Decision: Decision to buy" in text
    assert doc["meta"]["n_rows"] == 157
    constructs = doc["meta"]["constructs"]
    assert {c: len(its) for c, its in constructs.items()} == GRIDS
    with open(survey, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    assert len(body) == 157 and header[-2:] == ["Network ID", "Tags"]
    _assert_nps(text, doc, "Recommend", [r[header.index(RECOMMEND)] for r in body])
    alphas = {r["construct"]: r["alpha"] for r in doc["reliability"]}
    for construct in constructs:
        cols = [j for j, h in enumerate(header) if h.startswith(GRID_TITLES[construct] + " - ")]
        x = np.array([[LABELS.index(r[j]) + 1 for j in cols] for r in body], dtype=float)
        assert alphas[construct] == pytest.approx(_alpha(x), abs=1e-12)
