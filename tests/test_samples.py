"""End to end on the bundled sample surveys: JSON contract, messy export, report safety."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support import SAMPLES, cxsurvey_exe

pytestmark = pytest.mark.slow  # subprocess runs of the installed command on the whole sample

CLEAN = SAMPLES / "cx_journey.xlsx"
CLEAN_MODEL = SAMPLES / "cx_journey.toml"
MESSY = SAMPLES / "cx_journey_messy.xlsx"
MESSY_MODEL = SAMPLES / "cx_journey_messy.toml"
MESSY_CELLS = SAMPLES / "cx_journey_messy_cells.json"

NUMBER = (int, float)


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*cxsurvey_exe(), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def clean_doc() -> dict:
    proc = _run("analyze", str(CLEAN), "--model", str(CLEAN_MODEL), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _check_record(rec: dict, spec: dict[str, tuple]) -> None:
    for key, types in spec.items():
        assert key in rec, key
        value = rec[key]
        assert value is None or isinstance(value, types), (key, value)
        assert not isinstance(value, bool)


def test_json_has_contract_keys_and_types(clean_doc: dict) -> None:
    meta = clean_doc["meta"]
    _check_record(meta, {"file": (str,), "n_rows": (int,), "n_used": (int,),
                         "missing_policy": (str,), "version": (str,)})
    assert "seed" in meta and isinstance(meta["seed"], int)
    assert meta["n_rows"] == 157 and meta["n_used"] == 157
    assert len(meta["items"]) == 33 and len(meta["constructs"]) == 8
    assert meta["constructs"]["Attention"] == [f"Att{i}" for i in range(1, 9)]
    assert len(clean_doc["normality"]) == 33
    for rec in clean_doc["normality"]:
        _check_record(rec, {"item": (str,), "n": (int,), "ks_statistic": NUMBER,
                            "ks_df": (int,), "ks_pvalue": NUMBER, "sw_statistic": NUMBER,
                            "sw_df": (int,), "sw_pvalue": NUMBER})
        assert rec["n"] == rec["ks_df"] == rec["sw_df"] == 157
    assert [r["construct"] for r in clean_doc["reliability"]] == list(meta["constructs"])
    for rec in clean_doc["reliability"]:
        _check_record(rec, {"construct": (str,), "n_items": (int,), "alpha": NUMBER,
                            "alpha_ci_lower": NUMBER, "alpha_ci_upper": NUMBER,
                            "omega": NUMBER, "rho_a": NUMBER, "rho_c": NUMBER, "ave": NUMBER})
        assert rec["alpha_ci_lower"] < rec["alpha"] < rec["alpha_ci_upper"]
    assert len(clean_doc["item_stats"]) == 33
    for rec in clean_doc["item_stats"]:
        _check_record(rec, {"construct": (str,), "item": (str,), "mean": NUMBER, "sd": NUMBER,
                            "item_total_r": NUMBER, "alpha_if_deleted": NUMBER})


def test_sample_reproduces_the_reference_study_shape(clean_doc: dict) -> None:
    # the seed study: every item non-normal (SPSS Table 2: KS .229-.348, SW .706-.853)
    assert all(r["ks_pvalue"] < 0.001 and r["sw_pvalue"] < 0.001
               for r in clean_doc["normality"])
    assert clean_doc["normality_conclusion"].startswith("No item is normal (33/33")
    assert "PLS-SEM" in clean_doc["normality_conclusion"]
    # the weak 8th Attention item of the population model is the weakest item
    stats = {r["item"]: r for r in clean_doc["item_stats"]}
    assert min(stats, key=lambda k: stats[k]["item_total_r"]) == "Att8"


def _blank_clean_like_messy(tmp_path: Path) -> Path:
    frame = pd.read_excel(CLEAN, sheet_name="Responses", engine="openpyxl")
    for cell in json.loads(MESSY_CELLS.read_text()):
        frame.loc[cell["row_index"], cell["item"]] = None
    path = tmp_path / "clean_blanked.csv"
    frame.to_csv(path, index=False)
    return path


def _numbers(doc: dict) -> dict:
    return {k: doc[k] for k in ("normality", "reliability", "item_stats", "descriptives",
                                "multivariate_normality", "normality_constructs")}


def _assert_same(a: object, b: object, where: str = "") -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _assert_same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), (where, a, b)
    else:
        assert a == b, (where, a, b)


@pytest.mark.parametrize("missing", ["listwise", "pairwise"])
def test_messy_export_gives_the_same_numbers(tmp_path: Path, missing: str) -> None:
    blanked = _blank_clean_like_messy(tmp_path)
    messy = _run("analyze", str(MESSY), "--model", str(MESSY_MODEL), "-f", "json",
                 "--missing", missing)
    assert messy.returncode == 0, messy.stderr
    clean = _run("analyze", str(blanked), "--model", str(CLEAN_MODEL), "-f", "json",
                 "--missing", missing)
    assert clean.returncode == 0, clean.stderr
    m, c = json.loads(messy.stdout), json.loads(clean.stdout)
    assert m["meta"]["n_rows"] == c["meta"]["n_rows"] == 157
    assert m["meta"]["n_used"] == c["meta"]["n_used"] < 157
    assert m["meta"]["recoded"]["reversed"] == ["Use2"]
    assert m["meta"]["recoded"]["text_answers_mapped"] > 0
    assert m["meta"]["recoded"]["missing_code_cells"] == 6
    _assert_same(_numbers(m), _numbers(c))


def test_formula_text_from_a_survey_stays_text_in_excel(tmp_path: Path) -> None:
    """Respondent IDs and the file name come from the survey; both reach the report."""
    frame = pd.read_excel(CLEAN, sheet_name="Responses", engine="openpyxl")
    frame["RespondentID"] = frame["RespondentID"].astype(object)
    items = [c for c in frame.columns if c[-1].isdigit()]
    frame.loc[3, items] = 5  # a straightliner whose ID is a formula
    frame.loc[3, "RespondentID"] = '=HYPERLINK("http://example.invalid","x")'
    name = "=1+2.csv"
    frame.to_csv(tmp_path / name, index=False)
    model = tmp_path / "model.toml"
    shutil.copy(CLEAN_MODEL, model)
    proc = _run("analyze", name, "--model", "model.toml", "--excel", "report.xlsx",
                "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    texts = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value or c.value == "'=1+2.csv"]
    assert any("HYPERLINK" in str(c.value) for c in texts), "ID not shown in the report"
    assert any(c.value == "'=1+2.csv" for c in texts), "file name not in the About sheet"
    for c in texts:
        assert c.data_type == "s" and str(c.value).startswith("'=")
    assert not any(c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows()
                   for c in row)


def test_failed_report_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "missing_dir" / "report.xlsx"
    proc = _run("analyze", str(CLEAN), "--model", str(CLEAN_MODEL), "--excel", str(out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.rglob("*.tmp"))


def test_excel_report_of_the_sample(tmp_path: Path) -> None:
    out = tmp_path / "cx.xlsx"
    proc = _run("analyze", str(CLEAN), "--model", str(CLEAN_MODEL), "--excel", str(out),
                "--quiet")
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Summary" and wb.sheetnames[-1] == "About"
    assert "Tests of normality (items)" in wb.sheetnames
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r[0]}
    import hashlib
    assert hashlib.sha256(CLEAN.read_bytes()).hexdigest() in about.values()
