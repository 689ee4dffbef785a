"""Paper-ready sheets: Tables 2-5 of the reference study, laid out as analysts paste them.

``Table 2 Normality``
    SPSS's "Tests of Normality": a two-row header ("Kolmogorov-Smirnov^a" and
    "Shapiro-Wilk" merged over Statistic | df | Sig.), one row per item, Sig. printed
    as SPSS does (``.000``), footnote "a. Lilliefors Significance Correction".
``Table 3 Loadings``
    Construct | Item | Loading, construct named once per group: PLS outer loadings when
    PLS ran, else CFA standardised loadings, else the one-factor loadings.
``Table 4 Reliability``
    Construct | Cronbach's alpha | rho_A | Composite reliability | AVE, then the
    Fornell-Larcker and HTMT matrices.
``Table 5 Paths``
    One block per estimation method: # | Hypothesis | coefficient | SD/SE | T/z | p |
    95% CI | Supported, then R².

The tables use academic rules (a line above and below the header and below the body, no
vertical lines); numbers stay numbers, number formats do the rounding, and threshold cells
carry live conditional-formatting rules (:mod:`excel_rules`). Only the sheets whose
analyses ran are written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Alignment, Border
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.excel import layout
from cxsurvey.report.excel.cells import (
    BOLD,
    FLAG_FILL,
    FLAG_FONT,
    NOTE_FONT,
    P_FORMAT,
    SPSS_FORMAT,
    THIN,
    TITLE_FONT,
    cell_value,
    text,
)
from cxsurvey.report.excel.rules import Cut, CutBook, add_rule, note_header, rules_note
from cxsurvey.report.tables import Table
from cxsurvey.results import Results
from cxsurvey.stats.paths import PathsResult

__all__ = ["PAPER_NAMES", "PaperSheet", "paper_sheets"]

PAPER_NAMES = ("Table 2 Normality", "Table 3 Loadings", "Table 4 Reliability",
               "Table 5 Paths")
"""The paper sheets' names, in workbook order."""

NUM = "0.000"
TEXT = "text"


@dataclass(frozen=True)
class PaperSheet:
    """A paper sheet to write: its name, its title (for the Summary's contents) and the
    function that fills it."""

    name: str
    title: str
    write: Callable[[Worksheet, CutBook], None]


@dataclass(frozen=True)
class PCol:
    """A column of a paper table.

    ``fmt`` is the number format (``"text"`` for text); ``group`` the key of a spanning
    header above the label (two-row header); ``cuts`` the keys of the cut-offs whose rules
    highlight the column.
    """

    key: str
    label: str
    fmt: str = NUM
    group: str | None = None
    width: float = 11
    cuts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """Where a written table sits: header label row, first data row, next free row."""

    label_row: int
    first: int
    next_row: int


def _border(cell: Cell | MergedCell, top: bool = False, bottom: bool = False) -> None:
    old = cell.border
    cell.border = Border(top=THIN if top else old.top, bottom=THIN if bottom else old.bottom)


def _title(ws: Worksheet, title: str) -> int:
    ws.cell(row=1, column=1, value=text(title)).font = TITLE_FONT
    return 3


def _subtitle(ws: Worksheet, row: int, title: str) -> int:
    ws.cell(row=row, column=1, value=text(title)).font = BOLD
    return row + 1


def _notes(ws: Worksheet, row: int, notes: Sequence[str], first_plain: bool = False) -> int:
    for i, note in enumerate(notes):
        cell = ws.cell(row=row, column=1, value=text(note))
        if not (first_plain and i == 0):
            cell.font = NOTE_FONT
        layout.wrap_note(ws, row, ws.max_column)
        row += 1
    return row + 1


def _header(ws: Worksheet, row: int, cols: Sequence[PCol],
            groups: Mapping[str, object]) -> int:
    """Write the (one- or two-row) header at ``row``; returns the last header row.

    In a two-row header an ungrouped column's label is merged over both rows (the label
    cell is on the first); a grouped column's label is on the second row under the
    merged group label."""
    two = any(c.group for c in cols)
    label_row = row + 1 if two else row
    j = 1
    while j <= len(cols):
        col = cols[j - 1]
        if col.group is None:
            cell = ws.cell(row=row, column=j, value=text(col.label))
            if two:
                ws.merge_cells(start_row=row, start_column=j, end_row=label_row, end_column=j)
            cell.alignment = Alignment(horizontal="left" if col.fmt == TEXT else "center",
                                       vertical="bottom", wrap_text=True)
            if not two:
                layout.fit_height(ws, row, col.label, col.width)
            j += 1
            continue
        end = j
        while end < len(cols) and cols[end].group == col.group:
            end += 1
        label = groups.get(col.group, col.group)
        ws.cell(row=row, column=j, value=label if isinstance(label, CellRichText)
                else text(label)).alignment = Alignment(horizontal="center")
        if end > j:
            ws.merge_cells(start_row=row, start_column=j, end_row=row, end_column=end)
        for k in range(j, end + 1):
            _border(ws.cell(row=row, column=k), bottom=True)
            ws.cell(row=label_row, column=k, value=text(cols[k - 1].label)).alignment = \
                Alignment(horizontal="center", wrap_text=True)
            layout.fit_height(ws, label_row, cols[k - 1].label, cols[k - 1].width)
        j = end + 1
    for k in range(1, len(cols) + 1):
        _border(ws.cell(row=row, column=k), top=True)
        _border(ws.cell(row=label_row, column=k), bottom=True)
        ws.column_dimensions[get_column_letter(k)].width = max(
            ws.column_dimensions[get_column_letter(k)].width or 0, cols[k - 1].width)
    return label_row


def _block(ws: Worksheet, row: int, cols: Sequence[PCol], records: Sequence[Mapping],
           book: CutBook, groups: Mapping[str, object] | None = None,
           flags: frozenset[tuple[int, str]] = frozenset(),
           bold: frozenset[tuple[int, str]] = frozenset()) -> tuple[Block, list[Cut]]:
    """Write a header and body with academic rules; returns the layout and the cut-offs
    whose rules were added."""
    label_row = _header(ws, row, cols, groups or {})
    first = label_row + 1
    for i, rec in enumerate(records):
        for j, col in enumerate(cols, start=1):
            kind = TEXT if col.fmt == TEXT else ("int" if col.fmt == "0" else "num")
            value = cell_value(rec.get(col.key), kind)
            cell = ws.cell(row=first + i, column=j, value=value)
            if kind != TEXT:
                cell.number_format = col.fmt
            if (i, col.key) in flags:
                cell.fill, cell.font = FLAG_FILL, FLAG_FONT
            elif (i, col.key) in bold:
                cell.font = BOLD
    last = first + len(records) - 1 if records else label_row
    for k in range(1, len(cols) + 1):
        _border(ws.cell(row=last, column=k), bottom=True)
    used: list[Cut] = []
    for j, col in enumerate(cols, start=1):
        cuts = [book.use(key) for name in col.cuts for key in book.keys(name)]
        for cut in cuts:
            add_rule(ws, j, first, last, cut)
        if cuts and records:
            note_header(ws.cell(row=label_row if col.group else row, column=j), cuts)
        used += cuts
    return Block(label_row, first, last + 2), used


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.reset_index(drop=True).to_dict("records")


# -- Table 2 -----------------------------------------------------------------------------

def _superscript(base: str, mark: str) -> CellRichText:
    return CellRichText([text(base), TextBlock(InlineFont(vertAlign="superscript"), mark)])


def write_normality(res: Results, ws: Worksheet, book: CutBook) -> None:
    """``Table 2 Normality``: SPSS's "Tests of Normality" layout."""
    nr = res.normality
    assert nr is not None
    row = _title(ws, "Table 2. Tests of Normality")
    cols = [PCol("item", "Item", TEXT, width=12)]
    for g, short in (("ks", "ks"), ("sw", "sw")):
        cols += [PCol(f"{short}_statistic", "Statistic", SPSS_FORMAT, g, 10),
                 PCol(f"{short}_df", "df", "0", g, 7),
                 PCol(f"{short}_pvalue", "Sig.", SPSS_FORMAT, g, 8, ("normality_p",))]
    groups = {"ks": _superscript("Kolmogorov-Smirnov", "a"), "sw": "Shapiro-Wilk"}
    block, cuts = _block(ws, row, cols, _records(nr.items), book, groups)
    notes = ["a. Lilliefors Significance Correction",
             "Sig. .000 means p < .0005, as SPSS prints it; each cell holds the exact p.",
             *([rules_note(cuts)] if cuts else []), nr.conclusion]
    _notes(ws, block.next_row - 1, [n for n in notes if n], first_plain=True)
    ws.freeze_panes = ws.cell(row=block.first, column=2)
    ws.print_title_rows = f"{row}:{block.label_row}"


# -- Table 3 -----------------------------------------------------------------------------

def _ordered(frame: pd.DataFrame, res: Results) -> pd.DataFrame:
    """Rows grouped by construct, constructs in the model's order."""
    order = list((res.meta.get("constructs") or {}).keys())
    seen = list(dict.fromkeys(frame["construct"]))
    rank = {c: i for i, c in enumerate(order + [c for c in seen if c not in order])}
    key = frame["construct"].map(rank)
    return frame.assign(_rank=key).sort_values("_rank", kind="stable").drop(columns="_rank")


def _fit_kind(estimator: str) -> str:
    """How a CB estimate was obtained: ``ML`` (also under MLM/MLR, which keep the ML
    estimates), or ``WLSMV`` (DWLS on polychoric correlations)."""
    return "WLSMV" if estimator == "WLSMV" else "ML"


def loading_source(res: Results) -> tuple[pd.DataFrame, tuple[str, ...], str] | None:
    """The loadings for Table 3: (frame with construct, item, loading; cut-off keys;
    a note naming the source), or None when no analysis produced loadings."""
    if res.pls is not None and len(res.pls.outer):
        frame = res.pls.outer[["construct", "item", "loading"]]
        return frame, ("loading",), (
            "Source: PLS-SEM outer loadings. Items below .40 are candidates for removal "
            "(Hulland 1999); items between .40 and .708 are kept when CR and AVE are "
            "adequate (Hair et al. 2019).")
    if res.cfa is not None and len(res.cfa.loadings):
        frame = res.cfa.loadings[["construct", "item", "std_all"]].rename(
            columns={"std_all": "loading"})
        return frame, ("loading", "heywood"), (
            f"Source: CFA standardised loadings ({_fit_kind(res.cfa.estimator)}); a loading "
            "above 1 is a Heywood case.")
    if res.reliability is not None and "loading" in res.reliability.items:
        frame = res.reliability.items[["construct", "item", "loading"]]
        return frame, ("loading",), (
            "Source: one-factor (minres) loadings of each construct's items.")
    return None


def write_loadings(res: Results, ws: Worksheet, book: CutBook) -> None:
    """``Table 3 Loadings``: construct | item | loading, construct named once."""
    source = loading_source(res)
    assert source is not None
    frame, cut_keys, note = source
    row = _title(ws, "Table 3. Outer loadings" if note.startswith("Source: PLS")
                 else "Table 3. Factor loadings")
    records = _records(_ordered(frame, res))
    previous = None
    for rec in records:
        name = rec["construct"]
        rec["construct"] = None if name == previous else name
        previous = name
    cols = [PCol("construct", "Construct", TEXT, width=16),
            PCol("item", "Item", TEXT, width=10),
            PCol("loading", "Loading", NUM, width=10, cuts=cut_keys)]
    block, cuts = _block(ws, row, cols, records, book)
    _notes(ws, block.next_row - 1, [note, *([rules_note(cuts)] if cuts else [])])
    ws.freeze_panes = ws.cell(row=block.first, column=1)
    ws.print_title_rows = f"{row}:{block.label_row}"


# -- Table 4 -----------------------------------------------------------------------------

def _matrix(ws: Worksheet, row: int, title: str, table: Table, book: CutBook,
            cut: str | None) -> int:
    """A square registry table (Fornell-Larcker, HTMT) with its diagonal in bold."""
    row = _subtitle(ws, row, title)
    names = [c.key for c in table.file_columns if c.kind != "text"]
    cols = [PCol("construct", "", TEXT, width=16),
            *(PCol(n, n, NUM, width=max(11, len(n) + 2), cuts=(cut,) if cut else ())
              for n in names)]
    records = _records(table.frame)
    diagonal = frozenset((i, r["construct"]) for i, r in enumerate(records)
                         if r["construct"] in names)
    flags = frozenset() if cut else table.flags
    block, cuts = _block(ws, row, cols, records, book, flags=flags, bold=diagonal)
    notes = list(table.notes)
    if flags:
        notes.insert(0, "Shaded red: the criterion is not met (a fixed highlight: the test "
                        "compares cells with each other).")
    if cuts:
        notes.append(rules_note(cuts))
    return _notes(ws, block.next_row - 1, notes)


def write_reliability(res: Results, ws: Worksheet, book: CutBook,
                      tables: Sequence[Table]) -> None:
    """``Table 4 Reliability``: reliability and convergent validity, then discriminant
    validity (Fornell-Larcker, HTMT) when available."""
    pls = res.pls is not None and len(res.pls.reliability) > 0
    if pls:
        frame = res.pls.reliability  # type: ignore[union-attr]
        source = "Source: PLS-SEM (rho_A: Dijkstra & Henseler 2015; CR = rho_c)."
    else:
        assert res.reliability is not None
        frame = res.reliability.constructs
        source = ("Source: CR and AVE from the CFA's standardised loadings."
                  if res.reliability.composite_source == "cfa" else
                  "Source: CR and AVE from a one-factor (minres) model of each construct.")
    row = _title(ws, "Table 4. Reliability and convergent validity")
    cols = [PCol("construct", "Construct", TEXT, width=16),
            PCol("alpha", "Cronbach's alpha", cuts=("alpha",), width=11)]
    if "rho_a" in frame and frame["rho_a"].notna().any():
        cols.append(PCol("rho_a", "rho_A", cuts=("rho_a",)))
    cols += [PCol("rho_c", "Composite reliability", cuts=("rho_c",), width=13),
             PCol("ave", "AVE", cuts=("ave",))]
    block, cuts = _block(ws, row, cols, _records(frame), book)
    row = _notes(ws, block.next_row - 1, [source, rules_note(cuts)])
    prefix = "pls_" if pls else ""
    by_key = {t.key: t for t in tables}
    for key, title, cut in (
            ("fornell_larcker", "Discriminant validity: Fornell-Larcker criterion", None),
            ("htmt", "Discriminant validity: heterotrait-monotrait ratio (HTMT)", "htmt")):
        table = by_key.get(prefix + key)
        if table is not None and len(table.frame):
            row = _matrix(ws, row, title, table, book, cut)
    ws.freeze_panes = ws.cell(row=block.first, column=2)


# -- Table 5 -----------------------------------------------------------------------------

def _paths_block(ws: Worksheet, row: int, p: PathsResult, book: CutBook,
                 verdicts: Verdicts) -> int:
    label = "CB-SEM" if p.method == "cb" else "PLS-SEM"
    how = (f"bootstrap, {p.bootstrap['used']} resamples, seed {p.bootstrap['seed']}"
           if p.bootstrap else "standard errors" if p.se_method != "bootstrap" else "bootstrap")
    row = _subtitle(ws, row, f"{label} ({how})")
    frame = p.paths.reset_index(drop=True)
    records = []
    for i, rec in enumerate(_records(frame), start=1):
        pv = rec.get("pvalue")
        rec.update({"n": i, "hypothesis": f"{rec['from']} \u2192 {rec['to']}",
                    "supported": "" if pd.isna(pv) else
                    ("Yes" if verdicts.significant(pv) else "No")})
        records.append(rec)
    boot = p.se_method == "bootstrap"
    cols = [PCol("n", "#", "0", width=5), PCol("hypothesis", "Hypothesis", TEXT, width=26)]
    if p.method == "cb":
        cols += [PCol("est", "Estimate"), PCol("std_all", "\u03b2 (std.)")]
    else:
        cols.append(PCol("est", "Path coefficient (\u03b2)", width=13))
    cols += [PCol("se", "SD (bootstrap)" if boot else "SE", width=12),
             PCol("t", "z" if p.method == "cb" else "T", "0.000", width=9),
             PCol("pvalue", "p", P_FORMAT, width=9, cuts=("p",)),
             PCol("ci_lower", "LL", group="ci", width=9),
             PCol("ci_upper", "UL", group="ci", width=9),
             PCol("supported", "Supported", TEXT, width=11)]
    block, cuts = _block(ws, row, cols, records, book, {"ci": "95% CI"})
    notes = [f"Supported: p < {verdicts.significance:g} (two-tailed). "
             + ("T = coefficient / bootstrap SD; percentile CIs."
                if boot else "z = estimate / SE; CI = estimate +/- 1.96 SE.")]
    if p.method == "cb":
        notes.append(f"Estimate: unstandardised {_fit_kind(p.estimator)} estimate (SE, z, "
                     "p and CI refer to it); "
                     "\u03b2 (std.): standardised coefficient.")
    if cuts:
        notes.append(rules_note(cuts))
    row = _notes(ws, block.next_row - 1, notes)
    if len(p.r2):
        row = _subtitle(ws, row, f"Explained variance ({label})")
        block, _ = _block(ws, row, [PCol("construct", "Construct", TEXT),
                                    PCol("r2", "R\u00b2"), PCol("r2_adj", "Adjusted R\u00b2")],
                          _records(p.r2), book)
        row = block.next_row
    return row


def write_paths(res: Results, ws: Worksheet, book: CutBook) -> None:
    """``Table 5 Paths``: one block per estimation method, R² below each."""
    row = _title(ws, "Table 5. Structural model: path coefficients and hypothesis tests")
    for p in res.paths:
        row = _paths_block(ws, row, p, book, res.verdicts)


def paper_sheets(res: Results, tables: Sequence[Table]) -> list[PaperSheet]:
    """The paper sheets for the analyses that ran, in workbook order."""
    out: list[PaperSheet] = []
    if res.normality is not None and len(res.normality.items):
        out.append(PaperSheet(PAPER_NAMES[0], "Table 2. Tests of Normality (SPSS layout)",
                              lambda ws, book: write_normality(res, ws, book)))
    if loading_source(res) is not None:
        out.append(PaperSheet(PAPER_NAMES[1], "Table 3. Loadings",
                              lambda ws, book: write_loadings(res, ws, book)))
    if (res.pls is not None and len(res.pls.reliability)) or res.reliability is not None:
        out.append(PaperSheet(PAPER_NAMES[2], "Table 4. Reliability and validity",
                              lambda ws, book: write_reliability(res, ws, book, tables)))
    if any(len(p.paths) for p in res.paths):
        out.append(PaperSheet(PAPER_NAMES[3], "Table 5. Structural paths",
                              lambda ws, book: write_paths(res, ws, book)))
    return out
