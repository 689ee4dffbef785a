"""What every command shares: one error handler (stderr line and exit code), report
writing, console output and progress bars."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import typer
from typer.core import TyperGroup

from cxsurvey.cli.params import Format
from cxsurvey.options import Method, SeMethod

T = TypeVar("T")
STATE: dict[str, bool] = {"debug": False}
"""``--debug``: show tracebacks."""

def stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(exc: BaseException, code: int) -> None:
    from rich.markup import escape

    stderr().print(f"[bold red]cxsurvey: error:[/bold red] {escape(str(exc))}")
    raise typer.Exit(code)


class OneLineErrors(TyperGroup):
    """The command group, whose usage errors (a bad option value, an unknown option, a
    missing argument) print the one ``cxsurvey: error:`` line of every other input error,
    with exit code 2, instead of click's usage block."""

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        try:  # recent typer releases carry their own copy of click
            from typer._click import exceptions as clicks
        except ImportError:  # pragma: no cover
            from click import exceptions as clicks  # type: ignore[no-redef]
        help_error = getattr(clicks, "NoArgsIsHelpError", ())  # click >= 8.2

        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args,
                                **extra)
        try:
            rv = super().main(args, prog_name, complete_var, False, windows_expand_args,
                              **extra)
        except help_error as exc:  # `cxsurvey` alone prints the help
            exc.show()
            sys.exit(exc.exit_code)
        except clicks.UsageError as exc:
            from rich.markup import escape

            where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            message = " ".join(exc.format_message().replace("Value error, ", "").split())
            stderr().print(f"[bold red]cxsurvey: error:[/bold red] {escape(message)}{where}")
            sys.exit(exc.exit_code)
        except clicks.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except typer.Abort:
            print("Aborted!", file=sys.stderr)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def guarded(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn user errors into one stderr line and the documented exit code."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        from cxsurvey.errors import CxSurveyError

        try:
            return fn(*args, **kwargs)
        except CxSurveyError as exc:
            if STATE["debug"]:
                import traceback

                traceback.print_exc()
            fail(exc, exc.exit_code)
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # e.g. `cxsurvey ... | head`
            sys.stderr.close()
            raise typer.Exit(0) from None
        except Exception as exc:
            if STATE["debug"]:
                raise
            stderr().print(
                f"[bold red]cxsurvey: internal error:[/bold red] {type(exc).__name__}: {exc}\n"
                "This is a bug in cxsurvey. Run again with --debug for the traceback "
                "and report it.")
            raise typer.Exit(70) from None
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def check_outputs(inputs: list[Path | None], excel: Path | None = None,
                  csv_dir: Path | None = None, html: Path | None = None,
                  junit: Path | None = None) -> None:
    """Refuse unwritable report paths before any analysis runs."""
    from cxsurvey.report import files

    if excel is not None:
        files.check_output(excel, inputs, suffixes=(".xlsx",), what="an Excel report")
    if html is not None:
        files.check_output(html, inputs, suffixes=(".html", ".htm"), what="an HTML report")
    if junit is not None:
        files.check_output(junit, inputs, what="a JUnit report")
    if csv_dir is not None:
        files.check_output_folder(csv_dir, inputs)


def emit_reports(results: Any, inputs: list[Path | None], excel: Path | None = None,
                  csv_dir: Path | None = None, html: Path | None = None,
                  junit: Path | None = None) -> None:
    """Write the report files asked for (never over an input; each atomically)."""
    from cxsurvey.report import files

    for out in (excel, csv_dir, html, junit):
        if out is not None:
            files.ensure_not_input(out, [p for p in inputs if p is not None])
    # a failed run leaves none of its reports: those written before the failure go too
    new_files = [out for out in (excel, html, junit) if out is not None and not out.exists()]
    try:
        _write_reports(results, excel, csv_dir, html, junit)
    except BaseException:
        import contextlib

        for out in new_files:
            with contextlib.suppress(OSError):
                out.unlink()
        raise


def _write_reports(results: Any, excel: Path | None, csv_dir: Path | None,
                   html: Path | None, junit: Path | None) -> None:
    from cxsurvey.report import files

    if excel is not None:
        from cxsurvey.report.excel.workbook import write_excel

        write_excel(results, excel)
    if html is not None:
        from cxsurvey.report.html.page import write_html

        write_html(results, html)
    if junit is not None:
        from cxsurvey.report.junit import render_junit

        files.atomic_write_text(junit, render_junit([results]))
    if csv_dir is not None:
        from cxsurvey.report.csv_report import write_csv_dir

        csv_dir.mkdir(parents=True, exist_ok=True)
        write_csv_dir(results, csv_dir)


def emit(results: Any, fmt: Format, quiet: bool, excel: Path | None,
          csv_dir: Path | None, inputs: list[Path | None], html: Path | None = None,
          junit: Path | None = None, overview: bool = False, full: bool = True,
          modindices: int | None = None) -> None:
    """Write the reports, then print the run (``overview``/``full``/``modindices``: see
    render_console; ``modindices`` None: its default)."""
    emit_reports(results, inputs, excel, csv_dir, html, junit)
    if fmt is Format.json:
        from cxsurvey.report.json_report import render_json

        sys.stdout.write(render_json(results))
    elif fmt is Format.csv:
        from cxsurvey.report.csv_report import render_csv_stream

        sys.stdout.write(render_csv_stream(results))
    else:
        from rich.console import Console

        from cxsurvey.report.console import render_console

        render_console(results, Console(highlight=False), quiet=quiet, overview=overview,
                       full=full, **({} if modindices is None else {"modindices": modindices}))
        for label, out in (("Excel report", excel), ("CSV tables", csv_dir),
                           ("HTML report", html), ("JUnit XML", junit)):
            if out is not None and not quiet:
                Console(highlight=False).print(f"{label} written to {out}")


def progress_bar(quiet: bool):
    """A rich progress bar on stderr for long bootstraps (only on a terminal)."""
    import contextlib

    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar() -> Iterator[Callable[[int, int], None]]:
        from rich.progress import BarColumn, Progress, TaskID, TimeRemainingColumn

        prog = Progress("[progress.description]{task.description}", BarColumn(),
                        "{task.completed}/{task.total}", TimeRemainingColumn(),
                        console=stderr(), transient=True)
        task: list[TaskID] = []

        def update(done: int, total: int) -> None:
            # the bar appears with the first report of a running bootstrap, never before
            if not task:
                prog.start()
                task.append(prog.add_task("bootstrap", total=total))
            prog.update(task[0], completed=done, total=total)

        try:
            yield update
        finally:
            if task:
                prog.stop()

    return bar()


def n_boot(se: SeMethod, n: int | None, method: str = "cb") -> int:
    """Resamples: CB only with --se bootstrap (default 1000); PLS always (default 5000,
    which the pipeline applies when this returns 0)."""
    if method in ("pls", "both") and n:
        return n
    return (n or 1000) if se is SeMethod.bootstrap else 0


def one_rule_set(rules: str | None, fail_on: str | None) -> str | None:
    """``--rules`` judges, ``--fail-on`` judges and gates: one rule set per run."""
    if rules is not None and fail_on is not None and rules != fail_on:
        from cxsurvey.errors import InputError, Location

        raise InputError(f"--rules {rules} and --fail-on {fail_on} name two rule sets",
                         Location(), "Give one: --fail-on alone judges and gates the run.")
    return fail_on if fail_on is not None else rules


def resolved(method: Method) -> str:
    return "cb" if method in (Method.auto, Method.none) else method.value


def batch_progress(quiet: bool, total: int):
    """A rich progress bar over the files on stderr (on a terminal)."""
    import contextlib

    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=stderr(),
                      transient=True) as prog:
            task = prog.add_task("surveys", total=total)

            def update(outcome: Any, done: int, n: int) -> None:
                prog.update(task, completed=done,
                            description=f"{Path(outcome.file).name}: {outcome.status}")

            yield update

    return bar()
