"""The HTML report: sections, numbers, flags, charts, escaping, self-containment, writes."""

from __future__ import annotations

import dataclasses
import math
import os
import re
import xml.etree.ElementTree as ET
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from support import SAMPLES

from cxsurvey.app.pipeline import Options, run
from cxsurvey.errors import InputError
from cxsurvey.report.formatting import format_number, format_value
from cxsurvey.report.html import page as html_report
from cxsurvey.report.html.diagram import (
    layer_nodes,
    path_diagram,
    significance_mark,
    snake_layout,
)
from cxsurvey.report.html.likert import likert_chart, likert_colours
from cxsurvey.report.html.page import render_html, render_table, write_html
from cxsurvey.report.tables import Column, Table, build_tables
from cxsurvey.stats.paths import PathsResult

EVIL = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def full():
    """The sample study with every section: CFA, CB-SEM and PLS-SEM paths, bootstrap."""
    return run(SAMPLES / "cx_journey.xlsx", SAMPLES / "cx_journey.toml",
               ("describe", "normality", "reliability", "cfa", "paths"),
               Options(method="both", bootstrap=200, seed=1))


@pytest.fixture(scope="module")
def page(full):
    return render_html(full)


# ----------------------------------------------------------------------- parsing


class _Tables(HTMLParser):
    """Collects every ``<table data-key=...>``: rows of (text, classes) per cell."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, dict[str, list]] = {}
        self._key: str | None = None
        self._cell: list | None = None
        self._row: list | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("data-key"):
            self._key = a["data-key"]
            self.tables[self._key] = {"header": [], "rows": []}
        elif self._key is None:
            return
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ["", set((a.get("class") or "").split())]

    def handle_endtag(self, tag):
        if self._key is None:
            return
        if tag in ("td", "th") and self._cell is not None:
            self._row.append((self._cell[0], self._cell[1]))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self.tables[self._key]["header"] = [c[0] for c in self._row]
            else:
                self.tables[self._key]["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data


def _parse_tables(text: str) -> dict[str, dict[str, list]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables


def _svgs(text: str, cls: str) -> list[ET.Element]:
    found = re.findall(rf'<svg class="{cls}".*?</svg>', text, flags=re.S)
    return [ET.fromstring(s) for s in found]


def _section_ids(text: str) -> list[str]:
    return re.findall(r'<section[^>]*\bid="([^"]+)"', text)


def _expected(value, col: Column, row: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if not isinstance(value, str) and pd.isna(value):
        return ""
    return format_value(value, col.kind_at(row), col.decimals)


# ---------------------------------------------------------------------- the page


@pytest.mark.slow
def test_every_section_in_order(full, page):
    assert page.startswith("<!DOCTYPE html>")
    ids = _section_ids(page)
    main = ["summary", "warnings", "likert", "paths-cb", "paths-pls", "loadings", "tables",
            "about"]
    assert [i for i in ids if i in main] == main
    tables = build_tables(full)
    assert {t.key for t in tables} >= {"cfa_loadings", "paths_cb", "paths_pls", "pls_outer",
                                       "descriptives", "reliability", "normality"}
    table_ids = [i for i in ids if i.startswith("table-")]
    assert table_ids == [f"table-{t.key}" for t in tables]
    for t in tables:
        assert f"<h3>{escape(t.title)}</h3>" in page
        for note in t.notes:
            assert f"<li>{escape(note)}</li>" in page
    assert len(_svgs(page, "likert-chart")) == 1
    assert len(_svgs(page, "path-diagram")) == 2
    for anchor in main:  # the contents links point at existing sections
        assert f'href="#{anchor}"' in page
    # responsive charts, a readable width, print styles, system fonts only
    assert all(s.get("viewBox") for s in _svgs(page, "path-diagram"))
    assert "figure svg { display: block; width: 100%; height: auto; }" in page
    assert "max-width: 1100px" in page and "@media print" in page
    assert "system-ui" in page and "@font-face" not in page


@pytest.mark.slow
def test_title_line_and_summary(full, page):
    assert f"{full.meta['file']}: 157 of 157 respondents" in page
    summary = re.search(r'<ul class="summary">(.*?)</ul>', page, re.S).group(1)
    items = [unescape(s) for s in re.findall(r"<li>(.*?)</li>", summary, re.S)]
    assert items == list(full.summary)
    warnings = re.search(r'<ul class="warnings">(.*?)</ul>', page, re.S).group(1)
    assert [unescape(s) for s in re.findall(r"<li>(.*?)</li>", warnings)] == list(
        full.warnings)
    # summary and warnings come before the charts
    assert page.index('id="summary"') < page.index('id="warnings"') < page.index(
        'class="likert-chart"')


@pytest.mark.slow
def test_table_cells_are_the_formatted_results(full, page):
    parsed = _parse_tables(page)
    for table in build_tables(full):
        cols = table.file_columns
        got = parsed[table.key]
        assert got["header"] == [c.label for c in cols], table.key
        frame = table.frame.reset_index(drop=True)
        assert len(got["rows"]) == len(frame), table.key
        for i, row in enumerate(got["rows"]):
            texts = [c[0] for c in row]
            assert texts == [_expected(frame.loc[i, c.key], c, i) for c in cols], (table.key, i)
    # spot checks against the Results object itself
    rel = full.reliability.constructs
    row = parsed["reliability"]["rows"][0]
    assert row[0][0] == rel.loc[0, "construct"]
    assert row[3][0] == f"{rel.loc[0, 'alpha']:.3f}"
    pcb = parsed["paths_cb"]["rows"]
    assert pcb[0][6][0] == "< .001"  # p column formatted APA style
    assert "&lt; .001" in page


@pytest.mark.slow
def test_flagged_cells_are_marked(full, page):
    parsed = _parse_tables(page)
    n_flags = 0
    for table in build_tables(full):
        keys = [c.key for c in table.file_columns]
        for i, row in enumerate(parsed[table.key]["rows"]):
            for key, (_text, classes) in zip(keys, row, strict=True):
                assert ("flag" in classes) == ((i, key) in table.flags), (table.key, i, key)
                n_flags += "flag" in classes
        legend = "Shaded red: value outside the threshold"
        section = page[page.index(f'id="table-{table.key}"'):]
        section = section[:section.index("</section>")]
        assert (legend in section) == bool(table.flags)
    assert n_flags > 0
    assert "td.flag" in page and "#ffc7ce" in page.lower()  # a visible highlight


@pytest.mark.slow
def test_loadings_section(full, page):
    rows = html_report.loading_rows(full)
    cfa = full.cfa.loadings
    assert len(rows) == len(cfa) == len(full.pls.outer)
    section = page[page.index('id="loadings"'):page.index('id="tables"')]
    table = re.search(r'<table class="data loadings".*?</table>', section, re.S).group(0)
    body_rows = re.findall(r'<tr data-item="([^"]+)">(.*?)</tr>', table, re.S)
    assert [r[0] for r in body_rows] == list(cfa["item"])  # model order
    flagged = {"cfa": set(), "pls": set()}
    for item, cells in body_rows:
        for cls, method, value in re.findall(
                r'<td class="num( flag)?" data-method="(\w+)"[^>]*>([^<]*)</td>', cells):
            if cls:
                flagged[method].add(item)
            src = (cfa.set_index("item").loc[item, "std_all"] if method == "cfa"
                   else full.pls.outer.set_index("item").loc[item, "loading"])
            assert value == format_number(src, 3)
    (cut,) = full.verdicts.thresholds("loading")  # the default rule set: .708
    weak_cfa = {r.item for r in cfa.itertuples() if r.std_all < cut.value or
                abs(r.std_all) > 1}
    weak_pls = {r.item for r in full.pls.outer.itertuples() if r.loading < cut.value}
    assert flagged["cfa"] == weak_cfa and "Att8" in weak_cfa and len(weak_cfa) > 1
    assert flagged["pls"] == weak_pls and "Att8" in weak_pls and len(weak_pls) > 1
    assert "loading &gt;= 0.708 (Hair et al. 2019)" in section
    assert section.count('class="bar"') == 2 * len(rows)


# ------------------------------------------------------------------------- charts


def _likert_rows(svg: ET.Element):
    return [g for g in svg.iter("g") if g.get("class") == "likert-row"]


@pytest.mark.slow
def test_likert_chart_one_row_per_item_summing_to_100(full, page):
    (svg,) = _svgs(page, "likert-chart")
    items = full.descriptives.items
    rows = _likert_rows(svg)
    assert [g.get("data-item") for g in rows] == list(items["item"])
    scale = float(svg.get("data-px-per-pct"))
    centre = next(e for e in svg.iter("line") if e.get("class") == "centre-line")
    x0 = float(centre.get("x1"))
    points = full.descriptives.scale_points
    assert points == (1, 2, 3, 4, 5)
    for g, rec in zip(rows, items.to_dict(orient="records"), strict=True):
        segs = [r for r in g.iter("rect") if r.get("class") == "seg"]
        assert len(segs) == len(points) + 1  # the midpoint is drawn as two halves
        assert sum(float(r.get("data-pct")) for r in segs) == pytest.approx(100, abs=0.01)
        assert sum(float(r.get("width")) for r in segs) == pytest.approx(100 * scale,
                                                                         abs=0.05)
        for k in points:
            shown = sum(float(r.get("data-pct")) for r in segs if r.get("data-point") == str(k))
            assert shown == pytest.approx(rec[f"pct_{k}"], abs=1e-3)
        # disagree left of the centre line, agree right, the midpoint straddles it
        by_point = {}
        for r in segs:
            by_point.setdefault(int(r.get("data-point")), []).append(r)
        for k, rects in by_point.items():
            left = min(float(r.get("x")) for r in rects)
            right = max(float(r.get("x")) + float(r.get("width")) for r in rects)
            if k < 3:
                assert right <= x0 + 0.01
            elif k > 3:
                assert left >= x0 - 0.01
            else:
                assert left <= x0 + 0.01 and right >= x0 - 0.01
                first, second = rects
                assert float(first.get("x")) + float(first.get("width")) == pytest.approx(
                    x0, abs=0.02)
        tips = [t.text for t in g.iter("title")]
        assert any(f"answer 5 = {rec['pct_5']:.1f}%" in t for t in tips)
    legend = next(e for e in svg.iter("g") if e.get("class") == "likert-legend")
    assert [r.get("data-point") for r in legend.iter("rect")] == [str(k) for k in points]
    assert [r.get("fill") for r in legend.iter("rect")] == likert_colours(5)
    constructs = [t.text for t in svg.iter("text") if t.get("class") == "construct-label"]
    assert constructs == list(dict.fromkeys(items["construct"]))
    assert svg.get("viewBox").startswith("0 0 ")


def test_likert_even_scale_has_no_midpoint():
    items = pd.DataFrame({"construct": ["A", "A"], "item": ["a1", "a2"], "n": [10, 10],
                          "pct_1": [10.0, 0.0], "pct_2": [20.0, 50.0],
                          "pct_3": [30.0, 50.0], "pct_4": [40.0, 0.0]})
    svg = ET.fromstring(likert_chart(items, (1, 2, 3, 4)))
    x0 = float(next(e for e in svg.iter("line") if e.get("class") == "centre-line").get("x1"))
    for g in _likert_rows(svg):
        segs = [r for r in g.iter("rect") if r.get("class") == "seg"]
        assert len(segs) == 4
        lows = [r for r in segs if r.get("data-point") in ("1", "2")]
        assert max(float(r.get("x")) + float(r.get("width")) for r in lows) == pytest.approx(
            x0, abs=0.02)
    assert len(likert_colours(4)) == 4 and len(likert_colours(7)) == 7
    assert likert_colours(7)[3] == likert_colours(5)[2]  # grey midpoint


def _boxes(svg: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    out = {}
    for g in svg.iter("g"):
        if (g.get("class") or "").startswith("node"):
            r = g.find("rect")
            out[g.get("data-construct")] = tuple(
                float(r.get(k)) for k in ("x", "y", "width", "height"))
    return out


def _overlap(a, b) -> bool:
    return (a[0] < b[0] + b[2] and b[0] < a[0] + a[2]
            and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])


def _edge_points(g: ET.Element, n: int = 40) -> list[tuple[float, float]]:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", g.find("path").get("d"))]
    (x0, y0, cx, cy, x1, y1) = nums
    pts = []
    for i in range(1, n):
        t = i / n
        u = 1 - t
        pts.append((u * u * x0 + 2 * u * t * cx + t * t * x1,
                    u * u * y0 + 2 * u * t * cy + t * t * y1))
    return pts


@pytest.mark.slow
def test_path_diagram_of_the_chain(full, page):
    cb, pls = _svgs(page, "path-diagram")
    assert cb.get("id") != pls.get("id")
    for svg, res in ((cb, full.paths[0]), (pls, full.paths[1])):
        boxes = _boxes(svg)
        assert set(boxes) == set(res.paths["from"]) | set(res.paths["to"])
        assert len(boxes) == 8
        _, _, vw, vh = (float(v) for v in svg.get("viewBox").split())
        names = list(boxes)
        for i, a in enumerate(names):
            x, y, w, h = boxes[a]
            assert x >= 0 and y >= 0 and x + w <= vw and y + h <= vh
            for b in names[i + 1:]:
                assert not _overlap(boxes[a], boxes[b]), (a, b)
        # a chain of 8 does not fit one row: it wraps (a snake of two rows)
        assert len({round(b[1]) for b in boxes.values()}) == 2
        assert vw < 1200
        edges = [g for g in svg.iter("g") if (g.get("class") or "").startswith("edge ")
                 or g.get("class") == "edge"]
        labels = {(g.get("data-from"), g.get("data-to")): "".join(g.find("text").itertext())
                  for g in svg.iter("g") if g.get("class") == "edge-label"}
        assert len(edges) == len(res.paths) == len(labels) == 7
        for rec in res.paths.to_dict(orient="records"):
            coef = rec["std_all"] if res.method == "cb" else rec["est"]
            mark = significance_mark(rec["pvalue"])
            assert labels[(rec["from"], rec["to"])] == format_number(coef, 2) + mark
            assert mark in ("*", "**", "***")
        r2 = {g.get("data-construct"): "".join(g.find("text[@class='r2']").itertext())
              for g in svg.iter("g") if g.get("class") == "node endogenous"}
        assert r2 == {r.construct: f"R\u00b2 = {format_number(r.r2, 2)}"
                      for r in res.r2.itertuples()}
        assert "Awareness" not in r2
    # the layout follows the chain: Awareness first, Loyalty last in the snake
    boxes = _boxes(cb)
    assert boxes["Awareness"][1] == boxes["Decision"][1] < boxes["Purchase"][1]
    assert boxes["Awareness"][0] < boxes["Attention"][0] < boxes["Decision"][0]
    assert boxes["Loyalty"][0] < boxes["Purchase"][0]


def _diamond(extra_mid: bool = False) -> PathsResult:
    rows = [("A", "B", 0.5, 0.0001), ("A", "C", 0.3, 0.004), ("B", "D", 0.4, 0.03),
            ("C", "D", 0.2, 0.0002), ("A", "D", 0.05, 0.41)]
    if extra_mid:
        rows += [("A", "M", 0.3, 0.01), ("M", "D", 0.3, 0.01)]
    paths = pd.DataFrame(rows, columns=["from", "to", "est", "pvalue"])
    r2 = pd.DataFrame({"construct": ["B", "C", "D"], "r2": [0.25, 0.09, 0.41],
                       "r2_adj": [0.24, 0.08, 0.40]})
    return PathsResult(paths=paths, r2=r2, effects=pd.DataFrame(), method="pls")


@pytest.mark.parametrize("extra_mid", [False, True])
def test_diamond_layout(extra_mid):
    p = _diamond(extra_mid)
    svg = ET.fromstring(path_diagram(p.paths, p.r2, diagram_id="d"))
    boxes = _boxes(svg)
    assert boxes["A"][0] < boxes["B"][0] == boxes["C"][0] < boxes["D"][0]
    assert boxes["B"][1] != boxes["C"][1]
    assert len({round(b[1]) for b in boxes.values()}) >= 2
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not _overlap(boxes[a], boxes[b])
    edges = {(g.get("data-from"), g.get("data-to")): g for g in svg.iter("g")
             if (g.get("class") or "").startswith("edge") and g.find("path") is not None}
    assert len(edges) == len(p.paths)
    ns = edges[("A", "D")]
    assert ns.get("class") == "edge ns" and ns.find("path").get("stroke-dasharray")
    assert edges[("A", "B")].find("path").get("stroke-dasharray") is None
    assert edges[("A", "B")].find("path").get("marker-end") == "url(#d-arrow)"
    labels = {(g.get("data-from"), g.get("data-to")): "".join(g.find("text").itertext())
              for g in svg.iter("g") if g.get("class") == "edge-label"}
    assert labels[("A", "B")] == "0.50***" and labels[("A", "C")] == "0.30**"
    assert labels[("B", "D")] == "0.40*" and labels[("A", "D")] == "0.05 ns"
    # no arrow runs through a box it does not connect
    for (a, b), g in edges.items():
        for n, (x, y, w, h) in boxes.items():
            if n in (a, b):
                continue
            for px, py in _edge_points(g):
                assert not (x - 2 < px < x + w + 2 and y - 2 < py < y + h + 2), (a, b, n)
    r2 = {g.get("data-construct") for g in svg.iter("g") if g.get("class") == "node endogenous"}
    assert r2 == {"B", "C", "D"}


def test_layers_and_snake():
    assert layer_nodes(list("ABCD"), [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D")]) == [
        ["A"], ["B", "C"], ["D"]]
    # longest path decides the layer
    assert layer_nodes(list("ABC"), [("A", "B"), ("B", "C"), ("A", "C")]) == [
        ["A"], ["B"], ["C"]]
    # a feedback loop still places every node once
    layers = layer_nodes(list("ABC"), [("A", "B"), ("B", "C"), ("C", "B")])
    assert sorted(n for layer in layers for n in layer) == ["A", "B", "C"]
    assert snake_layout(8, 4) == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 3), (1, 2), (1, 1),
                                  (1, 0)]
    assert snake_layout(3, 4) == [(0, 0), (0, 1), (0, 2)]
    assert [significance_mark(p) for p in (0.0009, 0.001, 0.0099, 0.049, 0.05, None)] == [
        "***", "**", "**", "*", "ns", ""]


# ------------------------------------------------------------------ safety, files


def _evil_results(full):
    d = full.descriptives
    items = d.items.copy()
    items.loc[0, "item"] = EVIL
    items.loc[0, "construct"] = '"Aw" onmouseover="alert(1)'
    paths = full.paths[0]
    pframe = paths.paths.copy()
    pframe.loc[0, "from"] = "<b>Aw&</b>"
    meta = {**full.meta, "file": "<img src=x onerror=alert(1)>.xlsx"}
    return dataclasses.replace(
        full, meta=meta, warnings=(EVIL, *full.warnings), summary=("x < y & 'z'", EVIL),
        descriptives=dataclasses.replace(d, items=items),
        paths=(dataclasses.replace(paths, paths=pframe), *full.paths[1:]))


@pytest.mark.slow
def test_data_text_is_escaped(full):
    text = render_html(_evil_results(full))
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
    assert "<b>" not in text
    assert 'onmouseover="' not in text
    assert escape(EVIL) in text
    assert escape("<img src=x onerror=alert(1)>.xlsx") in text
    assert "x &lt; y &amp; &#x27;z&#x27;" in text
    # the charts stay well-formed XML with the names intact
    (likert,) = _svgs(text, "likert-chart")
    assert _likert_rows(likert)[0].get("data-item") == EVIL
    cb = _svgs(text, "path-diagram")[0]
    assert "<b>Aw&</b>" in _boxes(cb)


@pytest.mark.slow
def test_no_external_references(page):
    small = run(SAMPLES / "cx_journey.xlsx", SAMPLES / "cx_journey.toml", ("reliability",))
    for text in (page, render_html(small)):
        assert not re.search(r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//""",
                             text, re.I)
        assert not re.search(r"https?://", text)
        assert "<link" not in text.lower()
        assert "@import" not in text.lower()
        assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", text, re.I)
        assert "@font-face" not in text.lower()
        assert "<script" not in text.lower() and "<img" not in text.lower()
        for ref in re.findall(r"url\(([^)]*)\)", text):
            assert ref.startswith("#")  # only the arrowhead markers of the same page
        for ref in re.findall(r'href="([^"]*)"', text):
            assert ref.startswith("#")


def test_small_run_leaves_out_what_did_not_run(results, survey):
    text = render_html(results)
    ids = _section_ids(text)
    assert {"summary", "warnings", "likert", "tables", "about"} <= set(ids)
    assert not {"loadings", "paths-cb", "paths-pls"} & set(ids)
    assert 'class="path-diagram"' not in text
    only = render_html(run(survey, sections=("reliability",)))
    assert "likert-chart" not in only and 'id="table-reliability"' in only
    assert 'id="table-descriptives"' not in only
    assert str(survey) in only  # about: the input file


@pytest.mark.slow
def test_about_section(full, page):
    about = page[page.index('id="about"'):]
    m = full.meta
    for value in (m["file"], m["sha256"], m["sheet"], str(m["n_rows"]), m["missing_policy"],
                  m["version"], m["created"], str(m["seed"]), *m["dependencies"].values()):
        assert f"<dd>{escape(str(value))}</dd>" in about, value
    assert "<dt>Option: bootstrap</dt><dd>200</dd>" in about


def test_generic_table_rendering():
    frame = pd.DataFrame({"check": ["alpha >= .70", "<b>"], "value": [0.6512, float("nan")],
                          "p": [0.0004, 0.2], "n": [12, 13]})
    table = Table("checks", "Checks", frame,
                  (Column("check", "Check", "text"), Column("value", "Value", "num", 2),
                   Column("p", "p", "p"), Column("n", "N", "int"),
                   Column("hidden", "Not in the frame")),
                  frozenset({(0, "value")}), ("A note & more.",))
    text = render_table(table)
    parsed = _parse_tables(text)["checks"]
    assert parsed["header"] == ["Check", "Value", "p", "N"]
    assert [[c[0] for c in r] for r in parsed["rows"]] == [
        ["alpha >= .70", "0.65", "< .001", "12"], ["<b>", "", ".200", "13"]]
    assert "flag" in parsed["rows"][0][1][1] and "flag" not in parsed["rows"][1][1][1]
    assert "<li>A note &amp; more.</li>" in text and 'id="table-checks"' in text
    assert "Shaded red" in text


def test_write_html(results, tmp_path):
    out = write_html(results, tmp_path / "report.html")
    assert out == tmp_path / "report.html"
    text = out.read_text(encoding="utf-8")
    assert text == render_html(results)
    assert os.listdir(tmp_path) == ["report.html"]
    assert write_html(results, tmp_path / "Report.HTM").exists()
    out2 = write_html(results, tmp_path / "x.html", extra_text={"Command": ["cx <run>"]})
    assert "<h2>Command</h2><p>cx &lt;run&gt;</p>" in out2.read_text(encoding="utf-8")


def test_refuses_bad_targets(results, survey, tmp_path):
    with pytest.raises(InputError, match="html") as err:
        write_html(results, tmp_path / "report.pdf")
    assert err.value.location.file == str(tmp_path / "report.pdf")
    assert err.value.hint and ".html" in err.value.hint
    with pytest.raises(InputError, match="html"):
        write_html(results, tmp_path / "report")
    with pytest.raises(InputError, match="folder"):
        write_html(results, tmp_path / "missing" / "report.html")
    fake_input = tmp_path / "in.html"
    fake_input.write_text("survey")
    res = dataclasses.replace(results, meta={**results.meta, "file": str(fake_input)})
    with pytest.raises(InputError, match="input"):
        write_html(res, fake_input)
    res = dataclasses.replace(results, meta={**results.meta, "model": str(fake_input)})
    with pytest.raises(InputError, match="input"):
        write_html(res, fake_input)
    assert fake_input.read_text() == "survey"
    assert os.listdir(tmp_path) == ["in.html"]


def _fail_midway(monkeypatch):
    original = Path.write_text

    def write_text(self, data, *args, **kwargs):
        original(self, data[:100], *args, **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr("pathlib.Path.write_text", write_text)


def test_failed_write_keeps_the_old_report(results, tmp_path, monkeypatch):
    target = tmp_path / "report.html"
    write_html(results, target)
    before = target.read_bytes()
    _fail_midway(monkeypatch)
    with pytest.raises(InputError, match="cannot write the report: disk full"):
        write_html(results, target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["report.html"]
    with pytest.raises(InputError, match="cannot write the report: disk full"):
        write_html(results, tmp_path / "new.html")
    assert os.listdir(tmp_path) == ["report.html"]


@pytest.mark.slow
def test_fit_table_counts_are_integers(full, page):
    rows = {r[0][0]: r[1][0] for r in _parse_tables(page)["cfa_fit"]["rows"]}
    assert rows["N"] == "157" and rows["df"] == str(full.cfa.fit["df"])
    assert rows["p"] == format_value(full.cfa.fit["pvalue"], "p")  # APA: no leading zero
    assert rows["CFI"] == f"{full.cfa.fit['cfi']:.3f}"


def test_row_kinds_format_each_row():
    frame = pd.DataFrame({"index": ["N", "p", "CFI"], "value": [157.0, 0.0004, 0.9712]})
    table = Table("fit", "Fit", frame, (Column("index", "Index", "text"),
                                        Column("value", "Value",
                                               row_kinds=("int", "p", "num"))))
    cells = re.findall(r'<td class="num">([^<]*)</td>', render_table(table))
    assert cells == ["157", "&lt; .001", "0.971"]
