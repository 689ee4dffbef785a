"""Help texts state the real defaults: each ``--help`` default is the code's."""

from __future__ import annotations

import enum
import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cxsurvey.cli import app
from cxsurvey.options import Options

GROUP = get_command(app)
COMMANDS = sorted(GROUP.commands)  # type: ignore[attr-defined]
RUN_OPTIONS = {"--missing": "missing", "--seed": "seed", "--method": None,
               "--loading-threshold": "loading_threshold", "--drop-weak": "drop_weak",
               "--se": "se", "--max-iter": "max_iter", "--scheme": "scheme",
               "--estimator": "estimator", "--modindices": "modindices"}
"""Command-line flags whose default must be the run's (:class:`Options`) default."""


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _options(command: str) -> list:
    params = GROUP.commands[command].params  # type: ignore[attr-defined]
    return [p for p in params if p.param_type_name == "option"]


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in ("simulate", "init")])
def test_run_option_defaults_are_the_options_defaults(command) -> None:
    defaults = Options()
    checked = 0
    for p in _options(command):
        field = RUN_OPTIONS.get(max(p.opts, key=len))
        if field is None:
            continue
        want = _plain(getattr(defaults, field))
        if field == "missing" and command == "cfa":
            continue
        assert _plain(p.default) == want, (command, p.opts, p.default, want)
        checked += 1
    assert checked >= 1


@pytest.mark.parametrize("command", COMMANDS)
def test_every_default_shown_in_help_is_the_parameter_default(command) -> None:
    text = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250"}).stdout
    shown = {m.split(";")[0].strip() for m in re.findall(r"\[default: ([^\]]+)\]", text)}
    actual = set()
    for p in _options(command):
        if p.default is None:
            continue
        value = _plain(p.default)
        actual.add(str(value))
        if isinstance(value, bool):  # boolean flags show the flag's name
            actual |= {o.lstrip("-") for o in (*p.opts, *p.secondary_opts)}
    assert shown <= actual, (command, shown - actual)


def test_no_option_shows_a_misleading_zero() -> None:
    for command in ("analyze", "cfa", "paths", "check", "batch"):
        text = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "250"}).stdout
        line = next(x for x in text.splitlines() if "--bootstrap" in x)
        assert "[default: 0" not in line and "default 5000" in " ".join(text.split())


def test_top_level_help_names_every_analysis() -> None:
    text = " ".join(CliRunner().invoke(app, ["--help"]).stdout.split())
    for word in ("CFA", "SEM", "PLS-SEM", "HTML", "Excel", "JSON"):
        assert word in text
