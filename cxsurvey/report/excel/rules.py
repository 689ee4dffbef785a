"""Conditional formatting of threshold cells: live Excel rules instead of static shading.

A cell that breaches a conventional cut-off (alpha below .70, HTMT above .85, ...) is
highlighted by a real conditional-formatting rule (:class:`~openpyxl.formatting.rule.
FormulaRule`), so a reader who edits a value sees the highlight follow. The cut-off values
live in visible cells of a "Thresholds" block on the Summary sheet, each with a workbook
name (``cut_alpha``, ``cut_htmt``, ...) that the rules reference: an analyst who prefers
another cut-off changes one cell and every rule of the workbook follows.

Rules are written as ``AND(ISNUMBER(D3),D3<cut_alpha)`` for the top-left cell of the
range (Excel shifts the references for the other cells); ``ISNUMBER`` keeps empty cells
(a missing statistic) from being highlighted. The header cell of each thresholded column
carries a cell note with the cut-off and its citation.

The values come from the run's rule set (:class:`~cxsurvey.gates.verdicts.Verdicts`, the
same object that flags the console tables and writes the summary) and, for the fixed
criteria, from the run itself (the normality tests' significance level, the paths'
significance level, |loading| > 1 for a Heywood case); no number is repeated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from cxsurvey.gates.rules import RULE_KEYS, Rule
from cxsurvey.report.excel.cells import BOLD, FLAG_FONT, HEADER_FILL, NOTE_FONT, text
from cxsurvey.report.tables import Table
from cxsurvey.results import Results

__all__ = ["ColumnRule", "Cut", "CutBook", "RULE_FILL", "cuts_for", "table_rules"]

RULE_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE",
                        bgColor="FFC7CE")
"""The rules' highlight: light red, like the static flags (Excel's "Bad" style)."""

_FAILS = {">=": "<", "<=": ">", ">": "<=", "<": ">="}
"""A threshold's direction (how a value passes) -> how a value breaches it."""
_PASSES = {v: k for k, v in _FAILS.items()}
_AUTHOR = "cxsurvey"


@dataclass(frozen=True)
class Cut:
    """A cut-off as the workbook uses it.

    Attributes
    ----------
    key : str
        Short id; the workbook name of its cell is ``cut_<key>``.
    label : str
        What is compared, e.g. ``"Cronbach's alpha"``.
    value : float
        The cut-off.
    fails_if : str
        ``"<"``, ``"<="``, ``">"`` or ``">="``: how a value breaches it (``x < value``
        ...).
    citation : str
        The source analysts cite for it.
    absolute : bool
        Compare ``|x|`` (loadings).
    """

    key: str
    label: str
    value: float
    fails_if: str
    citation: str
    absolute: bool = False

    @property
    def name(self) -> str:
        """The workbook (defined) name of the cut-off's cell."""
        return f"cut_{self.key}"

    @property
    def passes_if(self) -> str:
        return _PASSES[self.fails_if]

    @property
    def text(self) -> str:
        """``"Cronbach's alpha >= 0.7 (Nunnally & Bernstein 1994)"``."""
        what = f"|{self.label}|" if self.absolute else self.label
        return f"{what} {self.passes_if} {self.value:g} ({self.citation})"

    def fails(self, x: float) -> bool:
        """Whether ``x`` breaches the cut-off (what the rule highlights)."""
        v = abs(x) if self.absolute else x
        return {"<": v < self.value, "<=": v <= self.value, ">": v > self.value,
                ">=": v >= self.value}[self.fails_if]

    def formula(self, ref: str) -> str:
        """The rule's formula for the cell ``ref`` (top-left cell of the range)."""
        x = f"ABS({ref})" if self.absolute else ref
        return f"AND(ISNUMBER({ref}),{x}{self.fails_if}{self.name})"


FIXED = ("heywood", "p", "normality_p")
"""Cut-offs that are not rules of the rule set but criteria of the run itself."""


def cut_key(rule_key: str) -> str:
    """The workbook key of a rule's cut-off: ``min_alpha`` -> ``alpha``, ``max_htmt`` ->
    ``htmt``, ``max_rho_c`` -> ``rho_c_max`` (beside ``min_rho_c``)."""
    stat = rule_key[4:]
    if rule_key.startswith("max_") and f"min_{stat}" in RULE_KEYS:
        return f"{stat}_max"
    return stat


def _from_rule(rule: Rule) -> Cut:
    t = rule.threshold
    return Cut(cut_key(rule.key), t.name, t.value, _FAILS[t.direction], t.citation)


def cuts_for(res: Results) -> dict[str, Cut]:
    """The cut-offs a report of ``res`` can use, by key: one per rule of the run's rule
    set, and the fixed criteria."""
    v = res.verdicts
    cuts = [_from_rule(r) for r in v.rules.rules]
    cuts += [Cut("heywood", "standardised loading", 1.0, ">",
                 "Heywood case: an improper solution", absolute=True),
             Cut("p", "p", v.significance, ">=", "two-tailed significance level")]
    if res.normality is not None:
        cuts.append(Cut("normality_p", "Sig.", res.normality.alpha, "<",
                        "normality test; below: not normally distributed"))
    return {c.key: c for c in cuts}


def _statistic_keys(rules: tuple[Rule, ...]) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in rules:
        out.setdefault(RULE_KEYS[r.key].statistic, []).append(cut_key(r.key))
    return {k: tuple(v) for k, v in out.items()}


@dataclass
class CutBook:
    """The run's cut-offs and which of them the workbook's rules reference.

    ``statistics`` maps a statistic (``alpha``, ``rho_c``, ``loading`` ...) to the keys of
    the cut-offs that judge it (``rho_c`` -> ``rho_c``, ``rho_c_max``).
    """

    cuts: dict[str, Cut]
    statistics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    used: dict[str, Cut] = field(default_factory=dict)

    @classmethod
    def of(cls, res: Results) -> CutBook:
        """The cut-offs of a run (its rule set and fixed criteria)."""
        cuts = cuts_for(res)
        return cls(cuts, _statistic_keys(res.verdicts.rules.rules))

    def keys(self, name: str) -> tuple[str, ...]:
        """Cut-off keys for a statistic or a fixed criterion (none when not judged)."""
        if name in FIXED:
            return (name,) if name in self.cuts else ()
        return tuple(k for k in self.statistics.get(name, ()) if k in self.cuts)

    def use(self, key: str) -> Cut:
        cut = self.cuts[key]
        self.used.setdefault(key, cut)
        return cut

    def write_block(self, ws: Worksheet, row: int) -> int:
        """Write the "Thresholds" block (label | value | source) at ``row`` of ``ws`` and
        name each value cell ``cut_<key>`` for the rules; returns the next free row."""
        if not self.used:
            return row
        ws.cell(row=row, column=1, value="Thresholds").font = BOLD
        ws.cell(row=row + 1, column=1, value=text(
            "Cut-offs used by the highlight rules of every sheet; edit a value to "
            "change them.")).font = NOTE_FONT
        row += 2
        for j, label in enumerate(("Highlighted when", "Cut-off", "Source"), start=1):
            cell = ws.cell(row=row, column=j, value=label)
            cell.font = BOLD
            cell.fill = HEADER_FILL
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="right")
        row += 1
        wb = ws.parent
        for cut in (c for k, c in self.cuts.items() if k in self.used):
            what = f"|{cut.label}|" if cut.absolute else cut.label
            label = ws.cell(row=row, column=1, value=text(f"{what} {cut.fails_if}"))
            label.alignment = Alignment(horizontal="right")
            value = ws.cell(row=row, column=2, value=float(cut.value))
            value.number_format = "0.000"
            value.font = FLAG_FONT
            ws.cell(row=row, column=3, value=text(cut.citation))
            ref = f"'{ws.title}'!$B${row}"
            wb.defined_names[cut.name] = DefinedName(cut.name, attr_text=ref)
            row += 1
        ws.column_dimensions["B"].width = max(ws.column_dimensions["B"].width or 0, 10)
        ws.column_dimensions["C"].width = max(ws.column_dimensions["C"].width or 0, 40)
        return row + 1


@dataclass(frozen=True)
class ColumnRule:
    """A rule on one column of a table: ``rows`` (positions) or every row when None."""

    key: str
    cut: str
    rows: tuple[int, ...] | None = None


_COLUMN_CUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "normality": {"ks_pvalue": ("normality_p",), "sw_pvalue": ("normality_p",)},
    "normality_constructs": {"ks_pvalue": ("normality_p",), "sw_pvalue": ("normality_p",)},
    "multivariate_normality": {"skewness_pvalue": ("normality_p",),
                               "kurtosis_pvalue": ("normality_p",)},
    "reliability": {"alpha": ("alpha",), "rho_c": ("rho_c",), "ave": ("ave",)},
    "item_stats": {"item_total_r": ("item_total_r",), "loading": ("loading",)},
    "cfa_loadings": {"std_all": ("loading", "heywood")},
    "cfa_reliability": {"rho_c": ("rho_c",), "ave": ("ave",)},
    "pls_outer": {"loading": ("loading",)},
    "pls_reliability": {"alpha": ("alpha",), "rho_a": ("rho_a",), "rho_c": ("rho_c",),
                        "ave": ("ave",)},
    "pls_vif": {"vif": ("vif",)},
    "pls_htmt_inference": {"upper_one_sided": ("htmt_upper",)},
    "collinearity": {"vif": ("fc_vif",)},
}
"""Per table: column -> the statistics (or fixed criteria) its cells are judged by."""
_FIT_CUTS = {"CFI": "cfi", "TLI": "tli", "RMSEA": "rmsea", "SRMR": "srmr"}


def table_rules(table: Table, book: CutBook) -> list[ColumnRule]:
    """The rules for a registry table: which columns (and rows) get which cut-off."""
    key = table.key
    keys = {c.key for c in table.file_columns}
    if re.fullmatch(r"(pls_)?htmt", key):
        return [ColumnRule(c.key, cut) for c in table.file_columns if c.kind != "text"
                for cut in book.keys("htmt")]
    if re.fullmatch(r"paths_\w+", key):
        return [ColumnRule("pvalue", "p")] if "pvalue" in keys else []
    if key == "cfa_fit" or key.startswith("sem_fit_"):
        # the judged rows carry the cut-off text: "CFI", or "CFI (robust)" after MLM/MLR
        labels = table.frame["index"].tolist() if "index" in table.frame else []
        judged = (table.frame["cutoff"].tolist() if "cutoff" in table.frame
                  else [""] * len(labels))
        return [ColumnRule("value", cut, (i,))
                for i, (lab, text) in enumerate(zip(labels, judged, strict=True))
                if text and (base := str(lab).split(" (")[0]) in _FIT_CUTS
                and "value" in keys
                for cut in book.keys(_FIT_CUTS[base])]
    rows = None
    if key == "pls_outer" and "mode" in table.frame:  # reflective loadings only
        modes = list(table.frame["mode"])
        if any(m != "A" for m in modes):
            rows = tuple(i for i, m in enumerate(modes) if m == "A")
    return [ColumnRule(col, cut, rows if key == "pls_outer" else None)
            for col, names in _COLUMN_CUTS.get(key, {}).items() if col in keys
            for name in names for cut in book.keys(name)]


def covered(rules: Iterable[ColumnRule], n_rows: int) -> set[tuple[int, str]]:
    """The ``(row, column key)`` cells a set of rules highlights when they breach."""
    out: set[tuple[int, str]] = set()
    for r in rules:
        out |= {(i, r.key) for i in (range(n_rows) if r.rows is None else r.rows)}
    return out


def add_rule(ws: Worksheet, column: int, first_row: int, last_row: int, cut: Cut) -> None:
    """Highlight the cells of ``column`` from ``first_row`` to ``last_row`` that breach
    ``cut`` (a live rule referencing the cut-off's named cell)."""
    if last_row < first_row:
        return
    letter = get_column_letter(column)
    top = f"{letter}{first_row}"
    ws.conditional_formatting.add(
        f"{top}:{letter}{last_row}",
        FormulaRule(formula=[cut.formula(top)], fill=RULE_FILL, font=FLAG_FONT))


def note_header(cell: Cell, cuts: Iterable[Cut]) -> None:
    """Put the cut-offs and their citations in a cell note on a header cell."""
    lines = [f"Highlighted unless {c.text}." for c in cuts]
    if not lines:
        return
    body = "\n".join(dict.fromkeys(lines)) + "\nCut-off values: Summary sheet, Thresholds."
    comment = Comment(body, _AUTHOR)
    comment.width, comment.height = 320, 40 + 20 * len(lines)
    cell.comment = comment


def rules_note(cuts: Iterable[Cut]) -> str:
    """The sheet note listing the rules' cut-offs."""
    texts = list(dict.fromkeys(c.text for c in cuts))
    return ("Highlighted (live conditional formatting; cut-offs editable on the Summary "
            "sheet): values that do not meet " + "; ".join(texts) + ".")


def apply_table_rules(ws: Worksheet, rules: list[ColumnRule], book: CutBook,
                      columns: dict[str, int], header_row: int, first_row: int,
                      n_rows: int) -> list[Cut]:
    """Add ``rules`` to a table of ``n_rows`` rows written with its header at
    ``header_row`` and data from ``first_row``; ``columns`` maps column keys to sheet
    column numbers. Returns the cut-offs used (for the sheet's notes)."""
    by_column: dict[str, list[Cut]] = {}
    for rule in rules:
        if rule.key not in columns:
            continue
        cut = book.use(rule.cut)
        col = columns[rule.key]
        if rule.rows is None:
            add_rule(ws, col, first_row, first_row + n_rows - 1, cut)
        else:
            for i in rule.rows:
                add_rule(ws, col, first_row + i, first_row + i, cut)
        by_column.setdefault(rule.key, []).append(cut)
    for key, cuts in by_column.items():
        note_header(ws.cell(row=header_row, column=columns[key]), cuts)
    return [c for cuts in by_column.values() for c in cuts]
