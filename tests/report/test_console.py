"""The console: every line within the width, verdicts first, folded tables keep every value.

Renders with a fixed-width rich console (no terminal, no colour) at 80 and 120 columns:
a small synthetic survey with a CB and PLS model (fast) and the bundled sample with
``--method both`` (slow).
"""

from __future__ import annotations

import io
import sys

import pandas as pd
import pytest
from rich.console import Console
from support import SAMPLES
from typer.testing import CliRunner

from cxsurvey.app.pipeline import run_command
from cxsurvey.cli import app
from cxsurvey.cli.runtime import progress_bar
from cxsurvey.options import Options
from cxsurvey.report.console import key_tables, render_console
from cxsurvey.report.console_layout import fit_table
from cxsurvey.report.formatting import format_value
from cxsurvey.report.tables import Column, Table, build_tables
from cxsurvey.results import Results

WIDTHS = (80, 120)
LAYOUTS = {"analyze": {"overview": True, "full": False},
           "analyze --full": {"overview": True, "full": True},
           "section": {"overview": False}}


def _console(width: int) -> Console:
    return Console(width=width, record=True, force_terminal=False, color_system=None,
                   highlight=False, file=io.StringIO())


def _render(res: Results, width: int, **kwargs: bool) -> str:
    console = _console(width)
    render_console(res, console, **kwargs)
    return console.export_text()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def _titles(text: str, res: Results) -> list[str]:
    """The table titles printed, in order."""
    titles = {t.title for t in build_tables(res)}
    return [line for line in _lines(text) if line in titles]


@pytest.fixture(scope="module")
def modelled(survey, tmp_path_factory) -> Results:
    """The renderer tests' survey with a measurement and a structural model, CB and PLS."""
    model = tmp_path_factory.mktemp("model") / "model.toml"
    model.write_text('[model]\nsyntax = """\nAtt =~ Att1 + Att2 + Att3 + Att4\n'
                     'Sat =~ Sat1 + Sat2 + Sat3 + Sat4\nLoy =~ Loy1 + Loy2 + Loy3 + Loy4\n'
                     'Sat ~ Att\nLoy ~ Att + Sat\n"""\n')
    return run_command("analyze", survey, model, method="both",
                       options=Options(bootstrap=200, seed=1))


def _check_layout(res: Results, width: int, layout: str) -> str:
    text = _render(res, width, **LAYOUTS[layout])
    too_long = [line for line in text.splitlines() if len(line) > width]
    assert not too_long, (width, layout, too_long[:3])
    return text


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_no_line_wider_than_the_console(modelled, results, width, layout) -> None:
    _check_layout(modelled, width, layout)
    _check_layout(results, width, layout)


def _summary_first(res: Results, text: str) -> None:
    lines = text.splitlines()
    summary = next(i for i, line in enumerate(lines) if "Summary" in line)
    warnings = [i for i, line in enumerate(lines) if "Warnings" in line]
    first_table = lines.index(next(line for line in lines
                                   if line.strip() in {t.title for t in build_tables(res)}))
    assert summary < first_table
    assert all(summary < i < first_table for i in warnings)
    assert res.summary[0] in " ".join(_lines(text)[summary:first_table])


@pytest.mark.parametrize("width", WIDTHS)
def test_analyze_prints_the_summary_before_the_key_tables(modelled, width) -> None:
    text = _render(modelled, width, overview=True, full=False)
    _summary_first(modelled, text)
    shown = _titles(text, modelled)
    assert shown == [t.title for t in key_tables(build_tables(modelled))]
    assert shown[:2] == ["Reliability and convergent validity", "Reliability and validity (PLS)"]
    assert "Structural paths (CB-SEM)" in shown and "CFA loadings" in shown
    assert "PLS outer loadings and weights" not in shown  # the CFA's loadings say it


def test_full_adds_the_tables_the_default_leaves_out(modelled) -> None:
    default = _titles(_render(modelled, 120, overview=True, full=False), modelled)
    full = _titles(_render(modelled, 120, overview=True, full=True), modelled)
    every = [t.title for t in build_tables(modelled) if t.key != "checks"]
    assert sorted(full) == sorted(every)
    assert full[:len(default)] == default
    left_out = set(every) - set(default)
    assert {"Item descriptives", "Tests of normality (items)", "Item-total statistics",
            "Effects (CB-SEM)", "Cross-loadings (PLS)"} <= left_out
    hint = " ".join(_lines(_render(modelled, 120, overview=True, full=False)))
    assert f"{len(left_out)} more tables with --full" in hint


def test_without_a_model_the_item_statistics_are_key(results) -> None:
    text = _render(results, 80, overview=True, full=False)
    assert _titles(text, results) == ["Reliability and convergent validity",
                                      "Item-total statistics"]
    _summary_first(results, text)


def test_quiet_prints_the_summary_only(modelled) -> None:
    for layout in ({"overview": True}, {"overview": False}):
        text = _render(modelled, 80, quiet=True, **layout)
        assert "Summary" in text and not _titles(text, modelled)


def test_section_commands_print_every_table_then_the_summary(results) -> None:
    text = _render(results, 80)
    titles = _titles(text, results)
    assert titles == [t.title for t in build_tables(results)]
    last = max(i for i, line in enumerate(text.splitlines()) if line.strip() in titles)
    summary = next(i for i, line in enumerate(text.splitlines()) if "Summary" in line)
    assert summary > last


def _flagged(res: Results) -> list[str]:
    out = []
    for t in build_tables(res):
        columns = {c.key: c for c in t.console_columns}
        for i, key in t.flags:
            if key in columns:
                c = columns[key]
                out.append(format_value(t.frame.iloc[i][key], c.kind, c.decimals) + "*")
    return out


@pytest.mark.parametrize("width", WIDTHS)
def test_flagged_cells_keep_their_star(modelled, width) -> None:
    text = _render(modelled, width, overview=True, full=True)
    flagged = _flagged(modelled)
    assert flagged  # Loy has no common factor: its alpha, AVE and loadings are flagged
    words = text.split()
    for cell in flagged:
        assert cell.split()[-1] in words, cell


def _assert_every_value_kept(t: Table, width: int) -> int:
    """Render ``t`` at ``width``; every cell sits on a line beside its row's first cell."""
    console = _console(width)
    blocks = fit_table(t, console)
    for block in blocks:
        console.print(block)
    lines = console.export_text().splitlines()
    assert all(len(line) <= width for line in lines)
    first = t.console_columns[0]
    for i in range(len(t.frame)):
        row = t.frame.iloc[i]
        ident = format_value(row[first.key], first.kind, first.decimals)
        for c in t.console_columns[1:]:
            value = format_value(row[c.key], c.kind, c.decimals)
            if value and c.wrap:  # long text wraps in its cell: its words are all there
                assert set(value.split()) <= set(" ".join(lines).split()), value
            elif value:
                shown = value + ("*" if (i, c.key) in t.flags else "")
                assert any(ident in line and shown in line for line in lines), (ident, shown)
    return len(blocks)


@pytest.mark.parametrize("key", ["descriptives", "normality", "reliability", "item_stats",
                                 "paths_pls", "cfa_loadings"])
def test_a_folded_table_keeps_every_value_and_its_identifying_columns(modelled, key) -> None:
    table = next(t for t in build_tables(modelled) if t.key == key)
    assert _assert_every_value_kept(table, 40) >= 2
    for block in fit_table(table, _console(40)):
        assert block.columns[0].header == table.console_columns[0].label


def test_long_text_wraps_inside_its_cell() -> None:
    path = " -> ".join(["Awareness", "Attention", "Assessment", "Decision", "Purchase",
                        "Use", "Result", "Loyalty"])
    frame = pd.DataFrame({"kind": ["indirect", "total"], "path": [path, "Use -> Result"],
                          "est": [0.0123, 0.5], "pvalue": [0.2, 0.0001]})
    t = Table("effects", "Effects", frame,
              (Column("kind", "Effect", "text"), Column("path", "Path", "text", wrap=True),
               Column("est", "Estimate"), Column("pvalue", "p", "p")),
              notes=("A note long enough to wrap: " + "word " * 40,))
    console = _console(50)
    blocks = fit_table(t, console)
    assert len(blocks) == 1  # the path wraps in its cell, the numbers stay beside it
    console.print(blocks[0])
    text = console.export_text()
    assert all(len(line) <= 50 for line in text.splitlines())
    assert not any(path in line for line in text.splitlines())
    assert [w for w in text.split() if w in path.split()][:15] == path.split()
    assert "0.012" in text and "< .001" in text


def test_the_progress_bar_waits_for_a_bootstrap(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with progress_bar(False) as update:
        assert update is not None
    assert capsys.readouterr().err == ""
    with progress_bar(True) as update:
        assert update is None


def test_analyze_cli_at_80_columns_is_fitted(survey) -> None:
    result = CliRunner().invoke(app, ["analyze", str(survey)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    head = "\n".join(lines[:60])
    assert "Summary" in head and "Reliability and convergent validity" in head


# -- the bundled sample, CB and PLS ---------------------------------------------------------

@pytest.fixture(scope="module")
def sample() -> Results:
    return run_command("analyze", SAMPLES / "cx_journey.xlsx", SAMPLES / "cx_journey.toml",
                       method="both")


@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_sample_fits_the_console(sample, width, layout) -> None:
    text = _check_layout(sample, width, layout)
    if layout != "section":
        _summary_first(sample, text)


@pytest.mark.slow
def test_sample_full_adds_tables_and_keeps_flags(sample) -> None:
    default = _titles(_render(sample, 80, overview=True, full=False), sample)
    full_text = _render(sample, 80, overview=True, full=True)
    full = _titles(full_text, sample)
    assert full[:len(default)] == default and len(full) > len(default)
    assert {"Effects (CB-SEM)", "Cross-loadings (PLS)", "Tests of normality (items)"} \
        <= set(full) - set(default)
    words = full_text.split()
    for cell in _flagged(sample):
        assert cell.split()[-1] in words, cell


@pytest.mark.slow
@pytest.mark.parametrize("key", ["htmt", "fornell_larcker", "pls_cross_loadings",
                                 "effects_cb", "paths_pls", "descriptives"])
def test_sample_folded_tables_keep_every_value(sample, key) -> None:
    table = next(t for t in build_tables(sample) if t.key == key)
    _assert_every_value_kept(table, 80)


@pytest.mark.slow
def test_sample_analyze_cli_first_screen() -> None:
    result = CliRunner().invoke(app, ["analyze", str(SAMPLES / "cx_journey.xlsx"), "--model",
                                      str(SAMPLES / "cx_journey.toml")],
                                env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    head = lines[:60]
    assert "cx_journey.xlsx" in head[0]
    assert any("Summary" in line for line in head[:5])
    assert any("Warnings" in line for line in head)
    assert "Reliability and convergent validity" in [line.strip() for line in head]
    assert len(lines) < 250  # the full wall is behind --full
    assert "Item descriptives" not in [line.strip() for line in lines]
