"""Rich console output: the verdicts first, then tables that fit the console's width.

``analyze`` opens with the plain-language summary and the warnings, then the key tables
(:data:`KEY_TABLES`); the other tables follow with ``--full``. The section commands
(``describe``, ``normality``, ...) print all their tables, then warnings and summary.
Every table is fitted to the console by :func:`~cxsurvey.report.console_layout.fit_table`;
flagged cells are marked ``*`` in red, notes wrap under their table.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from cxsurvey.options import DEFAULT_MODINDICES
from cxsurvey.report.console_layout import fit_table
from cxsurvey.report.group_tables import CONSOLE_SCORE_TESTS
from cxsurvey.report.tables import Table, build_tables
from cxsurvey.report.tables_models import MODINDICES_KEYS
from cxsurvey.results import Results

KEY_TABLES = ("reliability", "pls_reliability", "cfa_fit", "htmt", "pls_htmt", "paths_cb",
              "r2_cb", "paths_pls", "r2_pls", "pls_moderation", "pls_simple_slopes",
              "pls_hoc_measurement", "pls_hoc_reliability", "pls_predict_verdict_direct",
              "pls_model_fit", "ipma", "cfa_loadings", "pls_outer", "item_stats",
              *MODINDICES_KEYS, "polychoric", "polychoric_thresholds", "invariance",
              "invariance_score_tests", "segment_tests", "group_paths", "micom", "pls_mga")
"""The tables ``analyze`` prints without ``--full``, in this order.

What a CX analyst reports and acts on, in the order of the two-step approach (Anderson &
Gerbing 1988), construct-level verdicts before item-level detail: reliability and
convergent validity (alpha, CR, AVE; rho_A with PLS), whether the measurement model fits
(CFA fit), discriminant validity (HTMT), then the drivers: the structural paths and how
much of each outcome they explain (R2); a PLS model's interaction terms (with their
simple slopes) and higher-order constructs (measurement and reliability) come next;
with PLS, the guidelines' verdicts follow
(Hair et al. 2019): PLSpredict's predictive power per construct (direct antecedents),
the model fit (SRMR, d_ULS, d_G against their bootstrap quantiles) and the
importance-performance map of the target construct, while PLSpredict's indicator rows,
the earliest-antecedent run, CVPAT and the IPMA's indicators wait for ``--full``; the
loadings, one row per item, come last. When a
CFA ran, the PLS outer loadings and PLS HTMT repeat its measurement verdicts and wait for
``--full``; the item-total statistics are the item-level verdicts only when no model ran.
Descriptives, normality, effects, cross-loadings, VIF, Fornell-Larcker and the structural
model's fit are for ``--full``. The largest modification indices close the list (as many
as ``--modindices`` asks for, with their caution). The polychoric tables run only when
asked for (``analyze --polychoric``), so they are shown when present. With ``--group``
the group comparisons follow: the measurement-invariance steps with their verdict and the
score tests of the first step that fails (the :data:`CONSOLE_SCORE_TESTS` largest), the
tests of the construct scores between the groups, the group-wise CB paths, then MICOM and
the PLS multi-group analysis; the groups, scores per group, item tests, CX metrics per
group and MICOM's item checks wait for ``--full``.
"""

_UNLESS = {"pls_htmt": ("htmt",), "pls_outer": ("cfa_loadings",),
           "item_stats": ("cfa_loadings", "pls_outer")}
"""Key tables left out when one of these tables is there (they say the same)."""


def _notes(notes: Sequence[str], console: Console) -> None:
    for note in notes:
        console.print(Padding(Text(note, style="dim"), (0, 0, 0, 2), expand=False))


def _print_table(t: Table, console: Console) -> None:
    """Title, the table (as column blocks when too wide), its notes and a blank line."""
    for i, block in enumerate(fit_table(t, console)):
        title = t.title if i == 0 else f"{t.title} (continued)"
        console.print(Text(title, style="bold"))
        console.print(block)
    _notes(t.notes, console)
    console.print()


def print_checks(t: Table, console: Console, show_all: bool = False) -> None:
    """The quality checks: the failed ones (all with ``show_all``), then the notes."""
    frame = t.frame
    bad = [i for i, p in enumerate(frame["passed"]) if not p]
    if not show_all:
        if not bad:
            console.print(Text(f"All {len(frame)} quality checks passed.", style="bold green"))
            _notes(t.notes[1:], console)
            console.print()
            return
        keep = frame.iloc[bad].reset_index(drop=True)
        flags = frozenset((j, key) for j in range(len(keep)) for key in ("value", "result"))
        t = Table(t.key, f"Quality checks: {len(bad)} of {len(frame)} failed", keep,
                  t.columns, flags, t.notes)
    _print_table(t, console)


def _bullets(lines: Sequence[str], title: str, style: str) -> Panel:
    """A titled panel of bullet points; a wrapped sentence hangs under its first word."""
    grid = RichTable.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for line in lines:
        grid.add_row("-", Text(line))
    return Panel(grid, title=title, title_align="left", border_style=style)


def _warnings(res: Results) -> RenderableType | None:
    return _bullets(res.warnings, "Warnings", "yellow") if res.warnings else None


def render_checks(res: Results, console: Console, show_all: bool = False) -> None:
    """``cxsurvey check`` on the console: the file, the failed checks and the verdict."""
    meta = res.meta
    console.print(f"[bold]{escape(str(meta['file']))}[/bold]: {meta['n_rows']} rows, "
                  f"{len(meta['constructs'])} constructs")
    table = next((t for t in build_tables(res) if t.key == "checks"), None)
    if table is not None:
        print_checks(table, console, show_all)
    warnings = _warnings(res)
    if warnings is not None:
        console.print(warnings)
    if res.checks is not None:
        verdict = ("[bold green]PASS[/bold green]" if res.checks.ok
                   else "[bold red]FAIL[/bold red]")
        console.print(f"{verdict} {escape(res.summary[-1])}")


def _head(res: Results, console: Console) -> None:
    meta = res.meta
    console.print(f"[bold]{escape(str(meta['file']))}[/bold]"
                  + (f" (sheet {escape(str(meta['sheet']))})" if meta.get("sheet") else "")
                  + f": {meta['n_rows']} rows, {meta['n_used']} complete; "
                  + f"{len(meta['items'])} items in {len(meta['constructs'])} constructs; "
                  + f"scale {meta['scale'][0]}-{meta['scale'][1]}; "
                  + f"missing: {meta['missing_policy']}")
    console.print()


def _shown(t: Table) -> Table:
    """The table as printed: a long straightliner list is cut to its first 20 rows, the
    score tests of partial invariance to their :data:`CONSOLE_SCORE_TESTS` largest."""
    if t.key == "straightliners" and len(t.frame) > 20:
        return Table(t.key, t.title + f" (first 20 of {len(t.frame)})", t.frame.head(20),
                     t.columns, t.flags, t.notes)
    top = CONSOLE_SCORE_TESTS
    if t.key == "invariance_score_tests" and len(t.frame) > top:
        return Table(t.key, t.title, t.frame.head(top), t.columns,
                     frozenset(f for f in t.flags if f[0] < top),
                     (f"The {top} largest of {len(t.frame)} (all of them in the JSON, CSV, "
                      "Excel and HTML reports).", *t.notes))
    return t


def _limited(tables: list[Table], modindices: int) -> list[Table]:
    """``tables`` with the modification indices cut to their ``modindices`` largest rows
    (left out when 0); the files list them all."""
    out = []
    for t in tables:
        if t.key not in MODINDICES_KEYS or len(t.frame) <= modindices:
            out.append(t)
        elif modindices > 0:
            out.append(Table(t.key, t.title, t.frame.head(modindices), t.columns, t.flags,
                             (f"The {modindices} largest of {len(t.frame)} (--modindices K; "
                              "all of them in the JSON, CSV, Excel and HTML reports).",
                              *t.notes)))
    return out


def key_tables(tables: list[Table]) -> list[Table]:
    """The :data:`KEY_TABLES` among ``tables``, in that order."""
    keys = {t.key for t in tables}
    wanted = [k for k in KEY_TABLES if not keys & set(_UNLESS.get(k, ()))]
    by_key = {t.key: t for t in tables}
    return [by_key[k] for k in wanted if k in by_key]


def _overview(res: Results, console: Console, quiet: bool, full: bool,
              modindices: int = DEFAULT_MODINDICES) -> None:
    """``analyze``: summary, warnings, failed checks, key tables, then the rest (full)."""
    if res.summary:
        console.print(_bullets(res.summary, "Summary", "green"))
    warnings = _warnings(res)
    if warnings is not None:
        console.print(warnings)
    if quiet:
        return
    console.print()
    tables = _limited(build_tables(res), modindices)
    for t in tables:
        if t.key == "checks":
            print_checks(t, console)
    key = key_tables(tables)
    for t in key:
        _print_table(_shown(t), console)
    shown = {t.key for t in key} | {"checks"}
    rest = [t for t in tables if t.key not in shown]
    if full:
        for t in rest:
            _print_table(_shown(t), console)
    elif rest:
        console.print(Text(f"{len(rest)} more tables with --full (every table is in the "
                           "--excel, --html, --format json and csv reports): "
                           + "; ".join(t.title for t in rest) + ".", style="dim"))


def render_console(res: Results, console: Console, quiet: bool = False,
                   overview: bool = False, full: bool = True,
                   modindices: int = DEFAULT_MODINDICES) -> None:
    """Print the run on the console.

    Parameters
    ----------
    res : Results
    console : Console
        Tables are fitted to its width.
    quiet : bool
        Only the summary (and the warnings).
    overview : bool
        ``analyze``'s layout: summary and warnings first, then the key tables
        (:data:`KEY_TABLES`). Otherwise every table in report order, then the warnings
        and the summary (the section commands).
    full : bool
        With ``overview``, also print the tables that are not key ones.
    modindices : int
        How many modification indices (largest first) to print; 0: none.
    """
    if not quiet:
        _head(res, console)
    if overview:
        _overview(res, console, quiet, full, modindices)
        return
    if not quiet:
        tables = _limited(build_tables(res), modindices)
        # the quality checks come last, next to the summary
        for t in [t for t in tables if t.key != "checks"]:
            _print_table(_shown(t), console)
        for t in tables:
            if t.key == "checks":
                print_checks(t, console)
    warnings = _warnings(res)
    if warnings is not None:
        console.print(warnings)
    if res.summary:
        console.print(_bullets(res.summary, "Summary", "green"))
