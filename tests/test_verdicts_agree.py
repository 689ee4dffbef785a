"""Every place that judges a number agrees: console flags, summary, Excel rules, HTML
shading and the checks read one rule set.

Each case runs ``cxsurvey analyze`` on the bundled sample (CFA and CB paths) once, with
``--format table`` (the console), ``--excel``, ``--html`` and ``--junit``, and once more
with ``--format json`` for the checks, then collects the verdict on every AVE, alpha,
CFA loading and HTMT from each output and asserts they are the same sets.
"""

from __future__ import annotations

import json
import operator
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from support import SAMPLES
from typer.testing import CliRunner

from cxsurvey.cli import app

pytestmark = pytest.mark.slow

SURVEY = SAMPLES / "cx_journey.xlsx"
MODEL = SAMPLES / "cx_journey.toml"
CONSTRUCTS = ["Awareness", "Attention", "Assessment", "Decision", "Purchase", "Use",
              "Result", "Loyalty"]


def _cases(tmp: Path) -> dict[str, list[str]]:
    rules = tmp / "ave35.toml"
    rules.write_text("[checks]\nmin_ave = 0.35\nmin_alpha = 0.75\nmax_htmt = 0.65\n")
    return {
        "rules-file": ["--fail-on", str(rules)],
        "lenient": ["--fail-on", "lenient"],
        "rules-lenient": ["--rules", "lenient"],
        "default": [],
    }


# -- collecting verdicts -------------------------------------------------------------------

def _console_table(text: str, title: str) -> list[list[str]]:
    """The rows of the rich table printed under ``title``, split on whitespace (names in
    the sample have no spaces; empty cells, such as the HTMT diagonal, print nothing)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    rows = []
    for line in lines[start + 4:]:  # title, blank, header, rule
        if not line.strip():
            break
        rows.append(line.split())
    return rows


def _console(text: str) -> dict[str, set]:
    rel = _console_table(text, "Reliability and convergent validity")
    loadings = _console_table(text, "CFA loadings")
    htmt = _console_table(text, "HTMT (discriminant validity)")
    pairs = set()
    for row in htmt:
        others = [c for c in CONSTRUCTS if c != row[0]]
        pairs |= {frozenset((row[0], b)) for b, cell in zip(others, row[1:], strict=True)
                  if cell.endswith("*")}
    return {"ave": {r[0] for r in rel if r[-1].endswith("*")},
            "alpha": {r[0] for r in rel if r[3].endswith("*")},
            "loading": {r[1] for r in loadings if r[-1].endswith("*")},
            "htmt": pairs}


def _summary(sentences: list[str]) -> dict[str, set]:
    """The failures the summary names (AVE, alpha, HTMT) and its count of weak loadings."""
    text = "\n".join(sentences)

    def listed(pattern: str, item: str = r"([A-Za-z]+) [.\d]+") -> set:
        m = re.search(pattern + r"([^;\n]*)", text)
        return set(re.findall(item, m.group(1))) if m else set()

    loading = re.search(r"(\d+)/33 CFA loadings below", text)
    return {"ave": listed(r"constructs reach AVE [^(]*\([^)]*\); below: "),
            "alpha": listed(r"constructs reach alpha [^(]*\([^)]*\); below: "),
            "loading_count": {int(loading.group(1))} if loading else {0},
            "htmt": {frozenset(p.split("/")) for p in listed(
                r"HTMT [^:\n]* not met \([^)]*\): ", r"(\w+/\w+) [.\d]+")}}


OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
RULE = re.compile(r"AND\(ISNUMBER\(([A-Z]+\d+)\),(ABS\()?([A-Z]+\d+)\)?(<=|>=|<|>)(cut_\w+)\)")


def _cut(wb, name: str) -> float:
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")].value


def _highlighted(wb, ws, cell) -> bool:
    """Whether the sheet's conditional-formatting rules (or a fixed fill) mark ``cell``."""
    if cell.fill.fill_type == "solid":
        return True
    for cf in ws.conditional_formatting:
        if cell.coordinate in cf.sqref:
            for rule in cf.rules:
                m = RULE.fullmatch(rule.formula[0])
                if m and isinstance(cell.value, (int, float)):
                    x = abs(cell.value) if m.group(2) else cell.value
                    if OPS[m.group(4)](x, _cut(wb, m.group(5))):
                        return True
    return False


def _sheet(wb, title: str):
    return next(ws for ws in wb if ws["A1"].value == title)


def _excel(path: Path) -> dict[str, set]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, set] = {"ave": set(), "alpha": set(), "loading": set(), "htmt": set()}
    ws = _sheet(wb, "Reliability and convergent validity")
    head = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3, max_row=2 + len(CONSTRUCTS)):
        name = row[0].value
        for key, label in (("ave", "AVE"), ("alpha", "Alpha")):
            if _highlighted(wb, ws, row[head.index(label)]):
                out[key].add(name)
    ws = _sheet(wb, "CFA loadings")
    head = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3, max_row=ws.max_row):
        if row[1].value and _highlighted(wb, ws, row[head.index("Std. loading")]):
            out["loading"].add(row[1].value)
    ws = _sheet(wb, "HTMT (discriminant validity)")
    head = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3, max_row=2 + len(CONSTRUCTS)):
        for b in CONSTRUCTS:
            cell = row[head.index(b)]
            if cell.value is not None and _highlighted(wb, ws, cell):
                out["htmt"].add(frozenset((row[0].value, b)))
    return out


class _Tables(HTMLParser):
    """The report's tables: key -> rows of {column key: (text, flagged)}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, tuple[str, bool]]]] = {}
        self._key: str | None = None
        self._cols: list[str] = []
        self._row: list[tuple[str, bool]] | None = None
        self._cell: list[str] | None = None
        self._flag = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-key" in a:
            self._key, self._cols = a["data-key"], []
            self.tables[self._key] = []
        elif self._key and tag == "th" and "data-key" in a:
            self._cols.append(a["data-key"])
        elif self._key and tag == "tr":
            self._row = []
        elif self._key and tag == "td" and self._row is not None:
            self._cell, self._flag = [], "flag" in (a.get("class") or "").split()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append(("".join(self._cell).strip(), self._flag))
            self._cell = None
        elif tag == "tr" and self._row:
            self.tables[self._key].append(dict(zip(self._cols, self._row, strict=True)))
            self._row = None
        elif tag == "table":
            self._key = None


def _html(path: Path) -> dict[str, set]:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    t = parser.tables
    pairs = {frozenset((r["construct"][0], b)) for r in t["htmt"] for b in CONSTRUCTS
             if b in r and r[b][1]}
    return {"ave": {r["construct"][0] for r in t["reliability"] if r["ave"][1]},
            "alpha": {r["construct"][0] for r in t["reliability"] if r["alpha"][1]},
            "loading": {r["item"][0] for r in t["cfa_loadings"] if r["std_all"][1]},
            "htmt": pairs}


def _checks(doc: dict) -> dict[str, set]:
    failed = [c for c in doc["checks"] if not c["passed"]]
    return {"ave": {c["construct"] for c in failed if c["name"] == "min_ave"},
            "alpha": {c["construct"] for c in failed if c["name"] == "min_alpha"},
            "loading": {c["item"] for c in failed if c["name"] == "min_loading"},
            "htmt": {frozenset((c["construct"], c["other"])) for c in failed
                     if c["name"] == "max_htmt"}}


def _judged(doc: dict, rules: dict[str, float]) -> dict[str, set]:
    """The verdicts recomputed from the JSON numbers and the expected cut-offs."""
    rel = doc["reliability"]
    return {"ave": {r["construct"] for r in rel if r["ave"] < rules["ave"]},
            "alpha": {r["construct"] for r in rel if r["alpha"] < rules["alpha"]},
            "loading": {r["item"] for r in doc["cfa"]["loadings"]
                        if r["std_all"] < rules["loading"] or abs(r["std_all"]) > 1},
            "htmt": {frozenset((r["a"], r["b"])) for r in doc["validity"]["htmt"]
                     if r["value"] > rules["htmt"]}}


EXPECTED_CUTS = {
    "rules-file": {"ave": 0.35, "alpha": 0.75, "loading": 0.708, "htmt": 0.65},
    "lenient": {"ave": 0.50, "alpha": 0.60, "loading": 0.40, "htmt": 0.90},
    "rules-lenient": {"ave": 0.50, "alpha": 0.60, "loading": 0.40, "htmt": 0.90},
    "default": {"ave": 0.50, "alpha": 0.70, "loading": 0.708, "htmt": 0.85},
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("agree")
    out = {}
    for name, extra in _cases(tmp).items():
        excel, html, junit = tmp / f"{name}.xlsx", tmp / f"{name}.html", tmp / f"{name}.xml"
        base = ["analyze", str(SURVEY), "--model", str(MODEL), *extra]
        reports = ["--excel", str(excel), "--html", str(html)]
        if "--fail-on" in extra:
            reports += ["--junit", str(junit)]
        console = CliRunner().invoke(app, [*base, *reports], env={"COLUMNS": "250"})
        doc = CliRunner().invoke(app, [*base, "--format", "json"])
        out[name] = {"console": console, "json": json.loads(doc.stdout), "doc": doc,
                     "excel": excel, "html": html, "gated": "--fail-on" in extra,
                     "cuts": EXPECTED_CUTS[name]}
    return out


@pytest.mark.parametrize("case", sorted(EXPECTED_CUTS))
def test_console_summary_excel_html_and_checks_agree(runs, case) -> None:
    r = runs[case]
    doc = r["json"]
    expected = _judged(doc, r["cuts"])
    assert expected["loading"] and (expected["ave"] or case == "rules-file")
    if case == "rules-file":
        assert expected["htmt"] and expected["alpha"]
    console = _console(r["console"].stdout)
    excel = _excel(r["excel"])
    html = _html(r["html"])
    summary = _summary(doc["summary"])
    for key in ("ave", "alpha", "loading", "htmt"):
        assert console[key] == expected[key], (case, key, "console")
        assert excel[key] == expected[key], (case, key, "excel")
        assert html[key] == expected[key], (case, key, "html")
    assert summary["ave"] == expected["ave"]
    assert summary["alpha"] == expected["alpha"]
    assert summary["htmt"] == expected["htmt"]
    heywood = {r_["item"] for r_ in doc["cfa"]["loadings"] if abs(r_["std_all"]) > 1}
    assert summary["loading_count"] == {len(expected["loading"] - heywood)}
    if r["gated"]:
        assert _checks(doc) == {**expected, "loading": expected["loading"] - heywood}
        assert r["console"].exit_code == r["doc"].exit_code == (
            1 if any(not c["passed"] for c in doc["checks"]) else 0)
    else:
        assert "checks" not in doc and r["console"].exit_code == 0


@pytest.mark.parametrize("case", sorted(EXPECTED_CUTS))
def test_excel_cut_off_cells_hold_the_rule_set(runs, case) -> None:
    wb = openpyxl.load_workbook(runs[case]["excel"])
    cuts = runs[case]["cuts"]
    for key in ("ave", "alpha", "loading", "htmt"):
        assert _cut(wb, f"cut_{key}") == pytest.approx(cuts[key])


def test_a_rules_file_moves_every_ave_verdict(runs) -> None:
    """AVE .37-.44 fail .50 (default) but pass .35 (rules file): every output says so."""
    strict, loose = runs["default"], runs["rules-file"]
    low = {"Awareness", "Attention", "Decision"}
    assert _console(strict["console"].stdout)["ave"] == low
    assert _console(loose["console"].stdout)["ave"] == set()
    text = "\n".join(loose["json"]["summary"])
    assert "All 8 constructs reach AVE >= .35" in text and "set in ave35.toml" in text
    assert "AVE >= 0.35 (set in ave35.toml)" in loose["console"].stdout
    assert all(c["passed"] for c in loose["json"]["checks"] if c["name"] == "min_ave")
