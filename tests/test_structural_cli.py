"""The bundled sample end to end: CFA, CB paths, --drop-weak, seeded bootstrap."""

from __future__ import annotations

import json
import subprocess

import pytest
from support import SAMPLES, cxsurvey_exe

pytestmark = pytest.mark.slow  # subprocess runs of the installed command on the whole sample

SURVEY = str(SAMPLES / "cx_journey.xlsx")
MODEL = str(SAMPLES / "cx_journey.toml")
CHAIN = ["Awareness", "Attention", "Assessment", "Decision", "Purchase", "Use", "Result",
         "Loyalty"]


def _json(*args: str) -> dict:
    proc = subprocess.run([*cxsurvey_exe(), *args, "--format", "json"], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def cfa_doc() -> dict:
    return _json("cfa", SURVEY, "--model", MODEL)


def test_cfa_flags_the_weak_attention_item(cfa_doc: dict) -> None:
    cfa = cfa_doc["cfa"]
    assert cfa["weak_items"] == ["Att8"]
    att8 = next(r for r in cfa["loadings"] if r["item"] == "Att8")
    assert abs(att8["std_all"]) < 0.4
    assert set(cfa["fit"]) >= {"n", "chisq", "df", "pvalue", "cfi", "tli", "rmsea",
                               "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "aic", "bic"}
    assert cfa["fit"]["n"] == 157
    assert {r["a"] for r in cfa_doc["validity"]["htmt"]} <= set(CHAIN)
    assert any("Att8" in w for w in cfa_doc["warnings"])


def test_drop_weak_refits_without_the_item() -> None:
    doc = _json("cfa", SURVEY, "--model", MODEL, "--drop-weak")
    assert doc["cfa"]["dropped"] == ["Att8"]
    assert "Att8" not in {r["item"] for r in doc["cfa"]["loadings"]}
    assert any("dropped" in w and "Att8" in w for w in doc["warnings"])


def test_seven_chain_paths_positive_and_significant() -> None:
    doc = _json("paths", SURVEY, "--model", MODEL, "--method", "cb")
    paths = {(p["from"], p["to"]): p for p in doc["paths"]}
    assert set(paths) == set(zip(CHAIN, CHAIN[1:], strict=False))
    for p in paths.values():
        assert p["method"] == "cb"
        assert p["est"] > 0 and p["std_all"] > 0 and p["pvalue"] < 0.05
        assert p["ci_lower"] > 0
        assert p["t"] == pytest.approx(p["est"] / p["se"], rel=1e-9)
    assert {r["construct"] for r in doc["r2"]} == set(CHAIN[1:])
    chain = next(e for e in doc["effects"] if e["path"] == " -> ".join(CHAIN))
    product = 1.0
    for a, b in zip(CHAIN, CHAIN[1:], strict=False):
        product *= paths[(a, b)]["est"]
    assert chain["est"] == pytest.approx(product, rel=1e-12)


def test_seeded_bootstrap_gives_identical_json() -> None:
    args = ("paths", SURVEY, "--model", MODEL, "--se", "bootstrap", "--bootstrap", "30",
            "--seed", "7")
    first, second = _json(*args), _json(*args)
    assert first == second
    info = first["structural"][0]["bootstrap"]
    assert info["requested"] == 30 and info["used"] + info["failed"] == 30
    for p in first["paths"]:
        assert p["ci_lower"] < p["est"] < p["ci_upper"]
    other = _json("paths", SURVEY, "--model", MODEL, "--se", "bootstrap", "--bootstrap", "30",
                  "--seed", "8")
    assert other["paths"] != first["paths"]


DATA = SAMPLES.parent / "tests" / "data"


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*cxsurvey_exe(), *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_under_identified_model_exits_3(tmp_path) -> None:
    model = tmp_path / "under.txt"
    model.write_text("F =~ x1 + x2\n")
    proc = _run("cfa", str(DATA / "holzinger_swineford_1939.csv"), "-m", str(model))
    assert proc.returncode == 3
    assert "not identified" in proc.stderr and "df = -1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_non_convergence_exits_3() -> None:
    proc = _run("paths", str(SURVEY), "-m", MODEL, "--max-iter", "3")
    assert proc.returncode == 3
    assert "did not converge" in proc.stderr and "Traceback" not in proc.stderr


def test_heywood_case_warned_in_console_json_and_excel(tmp_path) -> None:
    import openpyxl

    model = tmp_path / "heywood.txt"
    model.write_text("A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\n")
    data = str(DATA / "heywood_cfa.csv")
    console = _run("cfa", data, "-m", str(model), "--excel", str(tmp_path / "h.xlsx"))
    assert console.returncode == 0, console.stderr
    assert "Heywood" in console.stdout
    doc = json.loads(_run("cfa", data, "-m", str(model), "-f", "json").stdout)
    assert any("Heywood" in w for w in doc["warnings"])
    assert any("Heywood" in w for w in doc["cfa"]["warnings"])
    wb = openpyxl.load_workbook(tmp_path / "h.xlsx")
    texts = [str(c.value) for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert any("Heywood" in t for t in texts)
    assert any(abs(r["std_all"]) > 1 for r in doc["cfa"]["loadings"])
