"""Rich console tables: one per section, flagged cells in red, a plain-language summary."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from cxsurvey.report.formatting import format_value
from cxsurvey.report.tables import Table, build_tables
from cxsurvey.results import Results


def _rich_table(t: Table) -> RichTable:
    rt = RichTable(title=t.title, title_justify="left", title_style="bold",
                   header_style="bold cyan", show_lines=False, pad_edge=False,
                   box=box.SIMPLE_HEAD, padding=(0, 1), collapse_padding=True)
    rows = t.frame.to_dict(orient="records")
    # a column with no value at all (e.g. effect SEs before a bootstrap) is left out
    columns = tuple(c for c in t.console_columns
                    if any(format_value(r.get(c.key), c.kind, c.decimals) for r in rows))
    for col in columns:
        cells = [format_value(r.get(col.key), col.kind, col.decimals) for r in rows]
        widest = max([len(c) for c in cells] + [max(map(len, col.label.split()))])
        rt.add_column(col.label, justify="left" if col.kind == "text" else "right",
                      min_width=widest, overflow="fold")
    for i, values in enumerate(rows):
        shown: list[Text] = []
        for col in columns:
            text = format_value(values.get(col.key), col.kind, col.decimals)
            if (i, col.key) in t.flags:
                shown.append(Text(text + "*", style="bold red"))
            else:
                shown.append(Text(text))
        rt.add_row(*shown)
    return rt


def _print_table(t: Table, console: Console) -> None:
    console.print(_rich_table(t), crop=False)
    for note in t.notes:
        console.print(f"  [dim]{escape(note)}[/dim]")
    console.print()


def print_checks(t: Table, console: Console, show_all: bool = False) -> None:
    """The quality checks: the failed ones (all with ``show_all``), then the notes."""
    frame = t.frame
    bad = [i for i, p in enumerate(frame["passed"]) if not p]
    if not show_all:
        if not bad:
            console.print(f"[bold green]All {len(frame)} quality checks passed.[/bold green]")
            for note in t.notes[1:]:
                console.print(f"  [dim]{escape(note)}[/dim]")
            console.print()
            return
        keep = frame.iloc[bad].reset_index(drop=True)
        flags = frozenset((j, key) for j in range(len(keep)) for key in ("value", "result"))
        t = Table(t.key, f"Quality checks: {len(bad)} of {len(frame)} failed", keep,
                  t.columns, flags, t.notes)
    _print_table(t, console)


def render_checks(res: Results, console: Console, show_all: bool = False) -> None:
    """``cxsurvey check`` on the console: the file, the failed checks and the verdict."""
    meta = res.meta
    console.print(f"[bold]{escape(str(meta['file']))}[/bold]: {meta['n_rows']} rows, "
                  f"{len(meta['constructs'])} constructs")
    table = next((t for t in build_tables(res) if t.key == "checks"), None)
    if table is not None:
        print_checks(table, console, show_all)
    if res.warnings:
        console.print(Panel(Group(*[Text("- " + w) for w in res.warnings]),
                            title="Warnings", title_align="left", border_style="yellow"))
    if res.checks is not None:
        verdict = ("[bold green]PASS[/bold green]" if res.checks.ok
                   else "[bold red]FAIL[/bold red]")
        console.print(f"{verdict} {escape(res.summary[-1])}")


def render_console(res: Results, console: Console, quiet: bool = False) -> None:
    """Print every table, the warnings and the summary (only the summary when quiet)."""
    meta = res.meta
    if not quiet:
        head = (f"[bold]{escape(str(meta['file']))}[/bold]"
                + (f" (sheet {escape(str(meta['sheet']))})" if meta.get("sheet") else "")
                + f": {meta['n_rows']} rows, {meta['n_used']} complete; "
                + f"{len(meta['items'])} items in {len(meta['constructs'])} constructs; "
                + f"scale {meta['scale'][0]}-{meta['scale'][1]}; "
                + f"missing: {meta['missing_policy']}")
        console.print(head)
        console.print()
        tables = build_tables(res)
        # the quality checks come last, next to the summary
        tables = [t for t in tables if t.key != "checks"] + [
            t for t in tables if t.key == "checks"]
        for t in tables:
            frame = t.frame
            if t.key == "straightliners" and len(frame) > 20:
                t = Table(t.key, t.title + f" (first 20 of {len(frame)})", frame.head(20),
                          t.columns, t.flags, t.notes)
            if t.key == "checks":
                print_checks(t, console)
                continue
            _print_table(t, console)
    if res.warnings:
        console.print(Panel(Group(*[Text("- " + w) for w in res.warnings]),
                            title="Warnings", title_align="left", border_style="yellow"))
    if res.summary:
        console.print(Panel(Group(*[Text("- " + s) for s in res.summary]),
                            title="Summary", title_align="left", border_style="green"))
