"""The HTML report: one self-contained page to send to colleagues.

Design
------
The page is a single ``.html`` file that opens anywhere, offline, years later: the CSS
is inline, the charts are inline SVG drawn in Python (:mod:`cxsurvey.report.html.likert`,
:mod:`cxsurvey.report.html.diagram`),
the fonts are the reader's system fonts. There is no script, no ``<link>``, no image
file and no URL to fetch, so a reader's browser never contacts a server.

It shows the same tables as the console, CSV and Excel reports
(:func:`tables.build_tables`), formatted with :func:`formatting.format_value`, and cells
that breach a threshold are shaded light red (class ``flag``) with a legend. Before the
tables come the reading and the charts:

1. title, survey file and respondents;
2. the plain-language summary (``Results.summary``) and the warnings;
3. a diverging stacked bar chart of the answers to each item (``svg.likert-chart``);
   with ``--group``, the construct score means per group with 95% CIs
   (``svg.group-means-chart``);
4. a path diagram per structural estimation (``svg.path-diagram``, CB-SEM and/or
   PLS-SEM); with PLS, the importance-performance map of the target construct
   (``svg.ipma-chart``) and, with interaction terms, the simple slope plots
   (``svg.slope-chart``);
5. the measurement loadings with a bar each, weak loadings flagged (``table.loadings``);
6. every display table, each in its own ``<section>`` with title and notes;
7. "About this report": provenance from ``Results.meta``.

Sections of analyses that did not run are left out. Every text from the data (item,
construct and file names, warnings) goes through :func:`html.escape`.

Safety
------
* The file is written through :func:`files.atomic_write`: a failure leaves no partial
  page, and an existing report is replaced only by a complete one.
* A report is never written over the run's survey or model file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report import files
from cxsurvey.report.formatting import format_number, format_value, is_undefined
from cxsurvey.report.group_chart import group_means
from cxsurvey.report.html.diagram import path_diagram
from cxsurvey.report.html.group_chart import group_means_chart
from cxsurvey.report.html.ipma_chart import ipma_chart
from cxsurvey.report.html.likert import likert_chart
from cxsurvey.report.html.nps_chart import nps_chart
from cxsurvey.report.html.slope_chart import slope_section
from cxsurvey.report.ipma_chart import ipma_map
from cxsurvey.report.provenance import about_rows
from cxsurvey.report.tables import Column, Table, build_tables
from cxsurvey.results import Results
from cxsurvey.stats.paths import PathsResult

__all__ = ["cell_text", "loading_flagged", "loading_rows", "render_html", "render_table",
           "write_html"]

_SUFFIXES = (".html", ".htm")

FONT_STACK = ('system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
              '"Noto Sans", "Liberation Sans", sans-serif')
"""System fonts only: the page must not fetch a web font."""

CSS = """
:root { color-scheme: light; --text: #1f2328; --muted: #57606a; --line: #d0d7de;
  --head: #eef2f8; --accent: #2f5597; --flag-bg: #ffc7ce; --flag-text: #9c0006; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #f6f7f9; color: var(--text);
  font: 15px/1.55 FONTS; }
main { max-width: 1100px; margin: 0 auto; padding: 32px 28px 48px; background: #fff;
  min-height: 100vh; box-shadow: 0 0 0 1px #e6e8eb; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2.4rem 0 .6rem; padding-bottom: .3rem;
  border-bottom: 2px solid var(--accent); }
h3 { font-size: 1.05rem; margin: 1.8rem 0 .5rem; }
p { margin: .4rem 0; }
a { color: var(--accent); }
.lead { color: var(--muted); margin: 0; overflow-wrap: anywhere; }
nav.toc { margin: 1.2rem 0 0; font-size: .9rem; display: flex; flex-wrap: wrap;
  gap: .2rem .9rem; }
nav.toc a { white-space: nowrap; }
ul.summary { list-style: none; padding: 0; margin: 0; }
ul.summary li { background: #f0f5ff; border-left: 4px solid var(--accent);
  padding: .55rem .9rem; margin: .45rem 0; font-size: 1.02rem; border-radius: 0 6px 6px 0; }
ul.warnings { padding: 0; list-style: none; margin: 0; }
ul.warnings li { background: #fff8e1; border-left: 4px solid #d4a017; padding: .45rem .9rem;
  margin: .4rem 0; border-radius: 0 6px 6px 0; overflow-wrap: anywhere; }
.none { color: var(--muted); font-style: italic; }
figure { margin: 1rem 0 1.6rem; }
figure svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .88rem; margin-top: .4rem; }
svg text { font-family: FONTS; }
.table-wrap { overflow-x: auto; margin: .4rem 0; }
table { border-collapse: collapse; font-size: .86rem; font-variant-numeric: tabular-nums; }
th, td { padding: .28rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--head); text-align: left; font-weight: 600;
  border-bottom: 2px solid #b6c2d4; white-space: nowrap; }
th.num, td.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.flag, tbody tr:nth-child(even) td.flag { background: var(--flag-bg); color: var(--flag-text);
  font-weight: 600; }
.legend { font-size: .85rem; color: var(--muted); margin: .3rem 0; }
.swatch { display: inline-block; width: 1.1em; height: .9em; vertical-align: -0.1em;
  margin-right: .35em; border-radius: 2px; }
.swatch.flag { background: var(--flag-bg); border: 1px solid #e8a0aa; }
.notes { font-size: .85rem; color: var(--muted); margin: .3rem 0 0; padding-left: 1.1rem; }
.bar { position: relative; display: inline-block; width: 130px; height: .8em;
  background: #eef0f3; border-radius: 2px; vertical-align: middle; }
.bar .fill { position: absolute; left: 0; top: 0; bottom: 0; background: #6b8fc9;
  border-radius: 2px; }
.bar .fill.neg { background: #c98a6b; }
td.flag .bar .fill { background: #d0505f; }
.bar .cut { position: absolute; top: -3px; bottom: -3px; width: 2px; background: #333; }
dl.about { display: grid; grid-template-columns: minmax(12rem, max-content) 1fr;
  gap: .2rem 1.2rem; font-size: .88rem; }
dl.about dt { color: var(--muted); }
dl.about dd { margin: 0; overflow-wrap: anywhere; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .8rem; }
@media (max-width: 700px) { main { padding: 18px 12px; } dl.about { grid-template-columns: 1fr; } }
@media print {
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; box-shadow: none; }
  nav.toc { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
""".replace("FONTS", FONT_STACK)


def _e(value: object) -> str:
    """Escape a text for HTML content and attribute values."""
    return escape("" if value is None else str(value), quote=True)


def cell_text(value: object, col: Column, row: int = 0) -> str:
    """The displayed text of one table cell (empty when the value is missing)."""
    if is_undefined(value):
        return ""
    return format_value(value, col.kind_at(row), col.decimals)


def _anchor(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)


# ------------------------------------------------------------------------ sections


def _header(res: Results) -> str:
    m = res.meta
    file = m.get("file") or ""
    line = _e(file)
    if m.get("n_rows") is not None:
        line += (f": {_e(m.get('n_used'))} of {_e(m.get('n_rows'))} respondents used in "
                 "the analyses")
    if m.get("created"):
        line += f" &middot; created {_e(m.get('created'))} (UTC)"
    return (f'<header><h1>Customer-experience survey report</h1>'
            f'<p class="lead" id="run-line">{line}</p></header>')


def _toc(entries: list[tuple[str, str]]) -> str:
    links = "".join(f'<a href="#{_e(a)}">{_e(t)}</a>' for a, t in entries)
    return f'<nav class="toc" aria-label="Contents">{links}</nav>'


def _lines(items: Iterable[object], css: str, empty: str) -> str:
    lis = "".join(f"<li>{_e(x)}</li>" for x in items)
    return f'<ul class="{css}">{lis}</ul>' if lis else f'<p class="none">{_e(empty)}</p>'


def _summary(res: Results) -> str:
    return ('<section id="summary"><h2>Summary</h2>'
            + _lines(res.summary, "summary", "No summary.") + "</section>")


def _warnings(res: Results) -> str:
    return ('<section id="warnings"><h2>Warnings</h2>'
            + _lines(res.warnings, "warnings", "None.") + "</section>")


def _extra(extra_text: Mapping[str, Any] | None) -> list[tuple[str, str, str]]:
    out = []
    for i, (title, body) in enumerate((extra_text or {}).items()):
        lines = [body] if isinstance(body, str) or not isinstance(body, Iterable) else list(
            body)
        anchor = f"extra-{i + 1}"
        out.append((anchor, str(title),
                    f'<section id="{anchor}" class="extra"><h2>{_e(title)}</h2>'
                    + "".join(f"<p>{_e(x)}</p>" for x in lines) + "</section>"))
    return out


def _likert(res: Results) -> str:
    d = res.descriptives
    if d is None or not len(d.items) or not d.scale_points:
        return ""
    items, pts, other = d.items, d.scale_points, ""
    if d.scales:  # items on different scales: chart those on the most common one
        common = max(sorted(set(d.scales.values())), key=list(d.scales.values()).count)
        items = items[[d.scales.get(str(i)) == common for i in items["item"]]]
        pts = tuple(range(common[0], common[1] + 1))
        other = " Items on other scales: see the tables."
    chart = likert_chart(items, pts)
    mid = (f"; the midpoint ({pts[len(pts) // 2]}) is split half and half across it"
           if len(pts) % 2 else "")
    return ('<section id="likert"><h2>Answers per item</h2><figure>' + chart
            + f"<figcaption>Percent of each item's valid answers. Answers {pts[0]} "
            f"(lowest) to {pts[-1]} (highest): lower answers left of the centre line, "
            f"higher answers right{_e(mid)}. Hover over a bar for its "
            f"percentage.{other}</figcaption></figure></section>")


def _nps(res: Results) -> str:
    chart = nps_chart(res.metrics) if res.metrics is not None else ""
    return chart and ('<section id="nps"><h2>Net Promoter Score</h2><figure>' + chart
                      + "<figcaption>Percent of the item's valid answers; NPS = % promoters "
                      "- % detractors, 95% CI from the multinomial standard error "
                      "(Rocks 2016).</figcaption></figure></section>")


def _group_means(res: Results) -> str:
    sg = res.segments
    chart = group_means_chart(group_means(res)) if sg is not None else ""
    if sg is None or not chart:
        return ""
    return (
        f'<section id="group-means"><h2>Construct scores by {_e(sg.group)}</h2><figure>'
        + chart + "<figcaption>Mean construct score of each group (dot) with its 95% "
        "confidence interval (mean +/- t &times; SD / &radic;n, whisker); the construct "
        "score is the mean of a respondent's answers to the construct's items. The tests "
        "of the differences are in the segment tables below. Hover over a dot for its "
        "values.</figcaption></figure></section>")


def _ipma(res: Results) -> str:
    data = ipma_map(res)
    chart = ipma_chart(data) if data is not None else ""
    if data is None or not chart:
        return ""
    return (
        f'<section id="ipma"><h2>Importance-performance map ({_e(data.target)})</h2>'
        "<figure>" + chart + "<figcaption>Each construct that drives "
        f"{_e(data.target)}: importance (its total effect on {_e(data.target)}, rescaled "
        "0-100 scores) against performance (its mean rescaled score, 0-100). Dashed: the "
        f"mean importance ({data.mean_importance:.3f}) and mean performance "
        f"({data.mean_performance:.1f}). Red points: high importance and low performance "
        "(importance above, performance below the averages), the priorities (Ringle &amp; "
        f"Sarstedt 2016). Performance of {_e(data.target)}: "
        f"{data.target_performance:.1f}. Hover over a point for its values."
        "</figcaption></figure></section>")


def _method_label(p: PathsResult) -> str:
    return "CB-SEM" if p.method == "cb" else "PLS-SEM"


def _diagrams(res: Results) -> list[tuple[str, str, str]]:
    out = []
    for p in res.paths:
        if not len(p.paths):
            continue
        label = _method_label(p)
        anchor = f"paths-{_anchor(p.method)}"
        svg = path_diagram(p.paths, p.r2, diagram_id=f"path-diagram-{_anchor(p.method)}",
                           title=f"Path diagram ({label})")
        coef = ("standardised coefficients (Beta)" if p.method == "cb"
                else "path coefficients (standardised)")
        se = ("bootstrap" if p.se_method == "bootstrap" else "standard") + " errors"
        out.append((anchor, f"Paths ({label})",
                    f'<section id="{_e(anchor)}" class="paths">'
                    f"<h2>Path diagram ({_e(label)})</h2><figure>{svg}<figcaption>"
                    f"Arrows show {coef}, p from {_e(se)}: *** p &lt; .001, ** p &lt; .01, "
                    "* p &lt; .05, ns not significant (dashed arrow). R&sup2; (explained "
                    "variance) inside the boxes of the predicted constructs."
                    "</figcaption></figure></section>"))
    return out


def _construct_order(res: Results) -> list[str]:
    order = list((res.meta.get("constructs") or {}).keys())
    for frame in ((res.cfa.loadings if res.cfa is not None else None),
                  (res.pls.outer if res.pls is not None else None)):
        if frame is not None:
            order += [str(c) for c in frame["construct"]]
    return list(dict.fromkeys(order))


def loading_rows(res: Results) -> list[dict[str, Any]]:
    """The rows of the loadings table: construct, item, ``cfa`` and ``pls`` loadings.

    CFA: standardised loading (``std_all``); PLS: outer loading. A loading is missing
    (None) when that model did not estimate it. Rows follow the model's construct order.
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    sources = []
    if res.cfa is not None:
        sources.append(("cfa", res.cfa.loadings, "std_all"))
    if res.pls is not None:
        sources.append(("pls", res.pls.outer, "loading"))
    for key, frame, column in sources:
        for rec in frame.to_dict(orient="records"):
            k = (str(rec["construct"]), str(rec["item"]))
            row = rows.setdefault(k, {"construct": k[0], "item": k[1], "cfa": None,
                                      "pls": None, "pls_mode": None})
            row[key] = None if is_undefined(rec.get(column)) else float(rec[column])
            if key == "pls":
                row["pls_mode"] = str(rec.get("mode") or "A")
    order = {c: i for i, c in enumerate(_construct_order(res))}
    items = {it: i for i, it in enumerate(res.meta.get("items") or [])}
    return sorted(rows.values(), key=lambda r: (order.get(r["construct"], len(order)),
                                                items.get(r["item"], len(items))))


def loading_flagged(method: str, value: float | None, verdicts: Verdicts,
                    mode: str | None = "A") -> bool:
    """Whether a loading is flagged: it breaks the run's loading rule (reflective items
    only), or it is a CFA Heywood case."""
    if value is None:
        return False
    if method == "cfa" and verdicts.heywood(value):
        return True
    return mode in (None, "A") and verdicts.fails("loading", value)


def _bar(value: float, threshold: float | None) -> str:
    width = min(1.0, abs(value)) * 100
    neg = " neg" if value < 0 else ""
    tick = ("" if threshold is None else
            f'<span class="cut" style="left:{min(1.0, max(0.0, threshold)) * 100:.1f}%">'
            "</span>")
    return (f'<span class="bar" aria-hidden="true"><span class="fill{neg}" '
            f'style="width:{width:.1f}%"></span>{tick}</span>')


def _loadings(res: Results) -> str:
    rows = loading_rows(res)
    if not rows:
        return ""
    verdicts = res.verdicts
    cuts = verdicts.thresholds("loading")
    cut = cuts[0].value if cuts else None
    methods = []
    if res.cfa is not None:
        methods.append(("cfa", "CFA std. loading"))
    if res.pls is not None:
        methods.append(("pls", "PLS outer loading"))
    head = "".join(f'<th class="num">{_e(label)}</th><th></th>' for _, label in methods)
    body = []
    for row in rows:
        cells = [f"<td>{_e(row['construct'])}</td>", f"<td>{_e(row['item'])}</td>"]
        for key, _label in methods:
            v = row[key]
            flag = loading_flagged(key, v, verdicts, row["pls_mode"] if key == "pls" else None)
            cls = ' flag' if flag else ''
            attrs = f' data-method="{key}"' + (' data-flag="1"' if flag else "")
            cells.append(f'<td class="num{cls}"{attrs}>'
                         f'{"" if v is None else _e(format_number(v, 3))}</td>')
            bar = "" if v is None else _bar(v, cut)
            cells.append(f'<td class="flag">{bar}</td>' if flag else f"<td>{bar}</td>")
        body.append(f'<tr data-item="{_e(row["item"])}">' + "".join(cells) + "</tr>")
    rule = _e(verdicts.text("loading")) or f"no loading rule in the {verdicts.rules.name} set"
    notes = []
    if res.cfa is not None:
        notes.append(f"CFA: standardised loadings; flagged unless {rule}, and when "
                     "|loading| &gt; 1 (Heywood case).")
    if res.pls is not None:
        notes.append(f"PLS: outer loadings of reflective (mode A) constructs; flagged "
                     f"unless {rule}.")
    notes.append("Bars: size of the loading on a 0 to 1 scale"
                 + ("; the black tick marks the threshold." if cut is not None else "."))
    return ('<section id="loadings"><h2>Loadings</h2>'
            '<p class="legend"><span class="swatch flag"></span>Shaded red: loading '
            'outside the threshold below.</p>'
            '<div class="table-wrap"><table class="data loadings" id="loadings-table">'
            f"<thead><tr><th>Construct</th><th>Item</th>{head}</tr></thead>"
            f'<tbody>{"".join(body)}</tbody></table></div>'
            f'<ul class="notes">{"".join(f"<li>{n}</li>" for n in notes)}</ul></section>')


def render_table(table: Table) -> str:
    """One display table as an HTML ``<section>``: title, legend, table, notes."""
    cols = list(table.file_columns)
    frame = table.frame.reset_index(drop=True)
    head = "".join(f'<th class="{"text" if c.kind == "text" else "num"}" '
                   f'data-key="{_e(c.key)}">{_e(c.label)}</th>' for c in cols)
    body = []
    values = {c.key: frame[c.key].tolist() for c in cols}
    for i in range(len(frame)):
        cells = []
        for c in cols:
            classes = ["text" if c.kind == "text" else "num"]
            if (i, c.key) in table.flags:
                classes.append("flag")
            cells.append(f'<td class="{" ".join(classes)}">'
                         f"{_e(cell_text(values[c.key][i], c, i))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    legend = ('<p class="legend"><span class="swatch flag"></span>Shaded red: value outside '
              "the threshold named in the notes.</p>" if table.flags else "")
    notes = "".join(f"<li>{_e(n)}</li>" for n in table.notes)
    anchor = "table-" + _anchor(table.key)
    return (f'<section class="table" id="{_e(anchor)}"><h3>{_e(table.title)}</h3>{legend}'
            f'<div class="table-wrap"><table class="data" data-key="{_e(table.key)}">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            + (f'<ul class="notes">{notes}</ul>' if notes else "") + "</section>")


def _tables(tables: list[Table]) -> str:
    if not tables:
        return ""
    return ('<section id="tables"><h2>Tables</h2>'
            + "".join(render_table(t) for t in tables) + "</section>")


def _about_value(value: object) -> str:
    if is_undefined(value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_about_value(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _about(res: Results) -> str:
    rows = "".join(f"<dt>{_e(label)}</dt><dd>{_e(_about_value(value))}</dd>"
                   for label, value in about_rows(res))
    return f'<section id="about"><h2>About this report</h2><dl class="about">{rows}</dl></section>'


# ---------------------------------------------------------------------------- page


def render_html(results: Results, extra_text: Mapping[str, Any] | None = None) -> str:
    """The report of a run as one self-contained HTML page.

    Parameters
    ----------
    results : Results
        The run to report.
    extra_text : mapping, optional
        Extra sections after the warnings: heading -> text (a string or a list of
        lines), e.g. ``{"Command": "cxsurvey analyze survey.xlsx"}``. Escaped like every
        other text.

    Returns
    -------
    str
        The page (UTF-8 text, ``<!DOCTYPE html>``).
    """
    tables = build_tables(results)
    sections: list[tuple[str, str, str]] = [
        ("summary", "Summary", _summary(results)),
        ("warnings", "Warnings", _warnings(results)),
        *_extra(extra_text),
        ("likert", "Answers per item", _likert(results)),
        ("nps", "Net Promoter Score", _nps(results)),
        ("group-means", "Scores by group", _group_means(results)),
        *_diagrams(results),
        ("ipma", "Importance-performance map", _ipma(results)),
        ("slopes", "Simple slopes", slope_section(results)),
        ("loadings", "Loadings", _loadings(results)),
        ("tables", "Tables", _tables(tables)),
        ("about", "About", _about(results)),
    ]
    sections = [s for s in sections if s[2]]  # analyses that did not run are left out
    toc = [(anchor, label) for anchor, label, _ in sections]
    name = Path(str(results.meta.get("file") or "survey")).name
    version = results.meta.get("version")
    footer = (f"<footer>Made with cxsurvey{' ' + _e(version) if version else ''}. "
              "Self-contained page: no scripts, no external resources.</footer>")
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="generator" content="cxsurvey">'
            f"<title>Survey report: {_e(name)}</title><style>{CSS}</style></head>"
            f"<body><main>{_header(results)}{_toc(toc)}"
            + "".join(body for _, _, body in sections) + footer + "</main></body></html>\n")


def write_html(results: Results, path: str | Path,
               extra_text: Mapping[str, Any] | None = None) -> Path:
    """Write the HTML report of a run to ``path`` (an ``.html`` file), atomically.

    Parameters
    ----------
    results : Results
        The run to report.
    path : str or Path
        Output page, ending in ``.html`` or ``.htm``; its folder must exist. Replaced
        only once the new page is complete; never one of the run's input files.
    extra_text : mapping, optional
        Extra sections, as for :func:`render_html`.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    InputError
        The name does not end in ``.html``/``.htm``, the folder does not exist, or the
        path is the survey or model file.
    """
    target = files.check_output(path, (results.meta.get("file"), results.meta.get("model")),
                                suffixes=_SUFFIXES, what="an HTML report")
    page = render_html(results, extra_text)
    return files.atomic_write_text(target, page)
