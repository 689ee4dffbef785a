"""Rich console tables: one per section, flagged cells in red, a plain-language summary."""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from cxsurvey.analysis.results import Results
from cxsurvey.report.formatting import format_value
from cxsurvey.report.tables import Table, build_tables


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
        cells = []
        for col in columns:
            text = format_value(values.get(col.key), col.kind, col.decimals)
            if (i, col.key) in t.flags:
                cells.append(Text(text + "*", style="bold red"))
            else:
                cells.append(Text(text))
        rt.add_row(*cells)
    return rt


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
        for t in build_tables(res):
            frame = t.frame
            if t.key == "straightliners" and len(frame) > 20:
                t = Table(t.key, t.title + f" (first 20 of {len(frame)})", frame.head(20),
                          t.columns, t.flags, t.notes)
            console.print(_rich_table(t), crop=False)
            for note in t.notes:
                console.print(f"  [dim]{escape(note)}[/dim]")
            console.print()
    if res.warnings:
        console.print(Panel(Group(*[Text("- " + w) for w in res.warnings]),
                            title="Warnings", title_align="left", border_style="yellow"))
    if res.summary:
        console.print(Panel(Group(*[Text("- " + s) for s in res.summary]),
                            title="Summary", title_align="left", border_style="green"))
