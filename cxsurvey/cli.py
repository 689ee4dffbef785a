"""The ``cxsurvey`` command line: thin Typer commands over :mod:`cxsurvey.app.pipeline`.

Heavy libraries (pandas, scipy, semopy) are imported inside the commands, so
``cxsurvey --help`` stays fast. One handler turns :class:`~cxsurvey.errors.CxSurveyError`
into one stderr line and the contract's exit code.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from cxsurvey import __version__
from cxsurvey.options import Method, Missing, Options, Scheme, SeMethod

app = typer.Typer(
    name="cxsurvey",
    help="Psychometrics for Likert customer-experience surveys: descriptives, normality, "
         "reliability and validity tables from a raw survey export, as console tables, "
         "JSON, CSV and Excel.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")
_STATE: dict[str, bool] = {"debug": False}


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


SurveyArg = Annotated[Path, typer.Argument(
    help="Survey export: .xlsx/.xlsm, .csv/.tsv or SPSS .sav.", show_default=False)]
ModelOpt = Annotated[Path | None, typer.Option(
    "--model", "-m", help="Model file (TOML or lavaan syntax). Default: inferred from "
    "column names (Att1, Att2 ... -> construct Att).")]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", case_sensitive=False, help="table (console), json (one object on "
    "stdout) or csv (all sections on stdout, each after a '# key: title' line).")]
MissingOpt = Annotated[Missing, typer.Option(
    "--missing", case_sensitive=False, help="listwise: rows complete on the items each "
    "analysis uses (SPSS default); pairwise: each item's / pair's available answers (psych "
    "default); mean: PLS replaces missing answers by item means (SmartPLS), the rest is "
    "listwise.")]
ExcelOpt = Annotated[Path | None, typer.Option(
    "--excel", help="Also write an Excel report (one sheet per section, About sheet).")]
HtmlOpt = Annotated[Path | None, typer.Option(
    "--html", help="Also write a self-contained HTML report (charts, path diagram, "
    "summary; no network needed to view it).")]
FailOnOpt = Annotated[str | None, typer.Option(
    "--fail-on", metavar="RULES", help="Judge and check the results against a rule set "
    "(default, lenient, hu-bentler, saeedi2022) or a TOML rules file, plus the model file's "
    "[checks]; exit 1 when a check fails.")]
RulesOpt = Annotated[str | None, typer.Option(
    "--rules", metavar="NAME|FILE", help="The rule set that judges every number (table "
    "flags, Excel highlights, HTML shading, summary): default, lenient, hu-bentler, "
    "saeedi2022 or a TOML rules file; the model file's [checks] apply on top. Default: "
    "default. Does not change the exit code; --fail-on does.")]
JunitOpt = Annotated[Path | None, typer.Option(
    "--junit", help="Also write the checks as JUnit XML (one test case per check).")]
CsvDirOpt = Annotated[Path | None, typer.Option(
    "--csv-dir", help="Also write one CSV per section into this folder.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Console: summary only.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed (recorded in meta).")]
RequiredModelOpt = Annotated[Path, typer.Option(
    "--model", "-m", help="Model file (TOML or lavaan syntax) with the constructs and, for "
    "paths, the structural regressions (Outcome ~ Predictor).", show_default=False)]
ThresholdOpt = Annotated[float, typer.Option(
    "--loading-threshold", min=0.0, max=1.0,
    help="Items with |standardised loading| below this are weak (Hulland 1999: 0.4).")]
DropWeakOpt = Annotated[bool, typer.Option(
    "--drop-weak", help="Refit without the weak items and say which were dropped.")]
SeOpt = Annotated[SeMethod, typer.Option(
    "--se", case_sensitive=False, help="standard: information-matrix SEs (lavaan default); "
    "bootstrap: percentile CIs from --bootstrap resamples, for non-normal items.")]
MaxIterOpt = Annotated[int, typer.Option(
    "--max-iter", min=1, help="Optimiser iteration limit (lavaan's iter.max).")]
BootOpt = Annotated[int, typer.Option(
    "--bootstrap", min=0, help="Bootstrap resamples: CB with --se bootstrap (default 1000); "
    "PLS always bootstraps (default 5000, as SmartPLS).")]
SchemeOpt = Annotated[Scheme, typer.Option(
    "--scheme", case_sensitive=False, help="PLS inner weighting scheme (SmartPLS default: path).")]


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(exc: BaseException, code: int) -> None:
    from rich.markup import escape

    _stderr().print(f"[bold red]cxsurvey: error:[/bold red] {escape(str(exc))}")
    raise typer.Exit(code)


def guarded(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn user errors into one stderr line and the contract's exit code."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        from cxsurvey.errors import CxSurveyError

        try:
            return fn(*args, **kwargs)
        except CxSurveyError as exc:
            if _STATE["debug"]:
                import traceback

                traceback.print_exc()
            _fail(exc, exc.exit_code)
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # e.g. `cxsurvey ... | head`
            sys.stderr.close()
            raise typer.Exit(0) from None
        except Exception as exc:
            if _STATE["debug"]:
                raise
            _stderr().print(
                f"[bold red]cxsurvey: internal error:[/bold red] {type(exc).__name__}: {exc}\n"
                "This is a bug in cxsurvey. Run again with --debug for the traceback "
                "and report it.")
            raise typer.Exit(70) from None
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cxsurvey {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """cxsurvey: survey psychometrics in one command."""
    _STATE["debug"] = debug


def _emit_reports(results: Any, inputs: list[Path | None], excel: Path | None = None,
                  csv_dir: Path | None = None, html: Path | None = None,
                  junit: Path | None = None) -> None:
    """Write the report files asked for (never over an input; each atomically)."""
    from cxsurvey.report import files

    for out in (excel, csv_dir, html, junit):
        if out is not None:
            files.ensure_not_input(out, [p for p in inputs if p is not None])
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


def _emit(results: Any, fmt: Format, quiet: bool, excel: Path | None,
          csv_dir: Path | None, inputs: list[Path | None], html: Path | None = None,
          junit: Path | None = None) -> None:
    _emit_reports(results, inputs, excel, csv_dir, html, junit)
    if fmt is Format.json:
        from cxsurvey.report.json_report import render_json

        sys.stdout.write(render_json(results))
    elif fmt is Format.csv:
        from cxsurvey.report.csv_report import render_csv_stream

        sys.stdout.write(render_csv_stream(results))
    else:
        from rich.console import Console

        from cxsurvey.report.console import render_console

        render_console(results, Console(highlight=False), quiet=quiet)
        for label, out in (("Excel report", excel), ("CSV tables", csv_dir),
                           ("HTML report", html), ("JUnit XML", junit)):
            if out is not None and not quiet:
                Console(highlight=False).print(f"{label} written to {out}")


def _progress_bar(quiet: bool):
    """A rich progress bar on stderr for long bootstraps (only on a terminal)."""
    import contextlib

    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.progress import BarColumn, Progress, TimeRemainingColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      "{task.completed}/{task.total}", TimeRemainingColumn(),
                      console=_stderr(), transient=True) as prog:
            task = prog.add_task("bootstrap", total=None)

            def update(done: int, total: int) -> None:
                prog.update(task, completed=done, total=total)

            yield update

    return bar()


def _n_boot(se: SeMethod, n: int, method: str = "cb") -> int:
    """Resamples: CB only with --se bootstrap (default 1000); PLS always (default 5000)."""
    if method in ("pls", "both") and n:
        return n
    return (n or 1000) if se is SeMethod.bootstrap else 0


def _run(command: str, survey: Path, model: Path | None, fmt: Format, quiet: bool,
         excel: Path | None, csv_dir: Path | None, options: Options,
         method: Method = Method.auto, html: Path | None = None, rules: str | None = None,
         fail_on: str | None = None, junit: Path | None = None) -> None:
    from cxsurvey.app.pipeline import run_command

    with _progress_bar(quiet) as progress:
        results = run_command(command, survey, model, method=method, options=options,
                              rules=_one_rule_set(rules, fail_on), gate=fail_on is not None,
                              progress=progress)
    _emit(results, fmt, quiet, excel, csv_dir, [survey, model], html, junit)
    if results.checks is not None and not results.checks.ok:
        raise typer.Exit(1)


def _one_rule_set(rules: str | None, fail_on: str | None) -> str | None:
    """``--rules`` judges, ``--fail-on`` judges and gates: one rule set per run."""
    if rules is not None and fail_on is not None and rules != fail_on:
        from cxsurvey.errors import InputError, Location

        raise InputError(f"--rules {rules} and --fail-on {fail_on} name two rule sets",
                         Location(), "Give one: --fail-on alone judges and gates the run.")
    return fail_on if fail_on is not None else rules


def _resolved(method: Method) -> str:
    return "cb" if method in (Method.auto, Method.none) else method.value


@app.command()
@guarded
def analyze(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
            missing: MissingOpt = Missing.listwise,
            method: Annotated[Method, typer.Option(
                "--method", case_sensitive=False, help="Structural analyses: cb (CFA and "
                "covariance-based paths), pls (PLS-SEM with bootstrap), both, none, or auto "
                "(cb when --model is given, none otherwise).")] = Method.auto,
            scheme: SchemeOpt = Scheme.path,
            loading_threshold: ThresholdOpt = 0.4, drop_weak: DropWeakOpt = False,
            se: SeOpt = SeMethod.standard, bootstrap: BootOpt = 0,
            max_iter: MaxIterOpt = 10_000,
            excel: ExcelOpt = None, html: HtmlOpt = None, csv_dir: CsvDirOpt = None,
            seed: SeedOpt = None, rules: RulesOpt = None, fail_on: FailOnOpt = None,
            junit: JunitOpt = None, quiet: QuietOpt = False) -> None:
    """Every table at once: descriptives, normality, reliability, CFA, validity, paths.

    With --fail-on, the results are also checked against a rule set and the command
    exits 1 when a check fails (as `cxsurvey check`).
    """
    options = Options(missing=missing, seed=seed, loading_threshold=loading_threshold,
                      drop_weak=drop_weak, se=se, scheme=scheme, max_iter=max_iter,
                      bootstrap=_n_boot(se, bootstrap, _resolved(method)))
    _run("analyze", survey, model, fmt, quiet, excel, csv_dir, options, method, html=html,
         rules=rules, fail_on=fail_on, junit=junit)


@app.command()
@guarded
def describe(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
             missing: MissingOpt = Missing.listwise, excel: ExcelOpt = None,
             csv_dir: CsvDirOpt = None, quiet: QuietOpt = False) -> None:
    """n, mean, SD, median, skewness, kurtosis and Likert answer percentages per item."""
    _run("describe", survey, model, fmt, quiet, excel, csv_dir, Options(missing=missing))


@app.command()
@guarded
def normality(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
              missing: MissingOpt = Missing.listwise, excel: ExcelOpt = None,
              csv_dir: CsvDirOpt = None, quiet: QuietOpt = False) -> None:
    """Kolmogorov-Smirnov (Lilliefors) and Shapiro-Wilk per item, Mardia per construct."""
    _run("normality", survey, model, fmt, quiet, excel, csv_dir, Options(missing=missing))


@app.command()
@guarded
def reliability(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
                missing: MissingOpt = Missing.listwise, excel: ExcelOpt = None,
                csv_dir: CsvDirOpt = None, quiet: QuietOpt = False) -> None:
    """Cronbach's alpha (95% CI), alpha if item deleted, item-total r, omega, CR, AVE."""
    _run("reliability", survey, model, fmt, quiet, excel, csv_dir, Options(missing=missing))


@app.command()
@guarded
def cfa(survey: SurveyArg, model: RequiredModelOpt, fmt: FormatOpt = Format.table,
        loading_threshold: ThresholdOpt = 0.4, drop_weak: DropWeakOpt = False,
        se: SeOpt = SeMethod.standard, bootstrap: BootOpt = 0, seed: SeedOpt = None,
        max_iter: MaxIterOpt = 10_000, excel: ExcelOpt = None, csv_dir: CsvDirOpt = None,
        quiet: QuietOpt = False) -> None:
    """Confirmatory factor analysis (ML, as lavaan): loadings, fit, CR/AVE, HTMT."""
    options = Options(seed=seed, loading_threshold=loading_threshold, drop_weak=drop_weak,
                      se=se, bootstrap=_n_boot(se, bootstrap), max_iter=max_iter)
    _run("cfa", survey, model, fmt, quiet, excel, csv_dir, options)


@app.command()
@guarded
def paths(survey: SurveyArg, model: RequiredModelOpt, fmt: FormatOpt = Format.table,
          method: Annotated[Method, typer.Option(
              "--method", case_sensitive=False, help="cb: covariance-based SEM (ML, as "
              "lavaan); pls: PLS-SEM (SmartPLS defaults, bootstrap); both.")] = Method.cb,
          scheme: SchemeOpt = Scheme.path, missing: MissingOpt = Missing.listwise,
          se: SeOpt = SeMethod.standard, bootstrap: BootOpt = 0, seed: SeedOpt = None,
          loading_threshold: ThresholdOpt = 0.4, drop_weak: DropWeakOpt = False,
          max_iter: MaxIterOpt = 10_000, excel: ExcelOpt = None, csv_dir: CsvDirOpt = None,
          quiet: QuietOpt = False) -> None:
    """Structural paths with SE, z/T, p and 95% CI; R2; indirect and total effects."""
    if method in (Method.auto, Method.none):
        from cxsurvey.errors import InputError, Location

        raise InputError(f"paths --method must be cb, pls or both, got {method.value}",
                         Location(), "Use --method cb (lavaan's ML) or pls (SmartPLS).")
    options = Options(missing=missing, seed=seed, loading_threshold=loading_threshold,
                      drop_weak=drop_weak, se=se, scheme=scheme, max_iter=max_iter,
                      bootstrap=_n_boot(se, bootstrap, method.value))
    _run("paths", survey, model, fmt, quiet, excel, csv_dir, options, method)


class CheckFormat(str, enum.Enum):
    table = "table"
    json = "json"
    junit = "junit"


def _limit(flag: str, help: str) -> Any:
    """A threshold flag of ``check`` (None: not given)."""
    return typer.Option(None, flag, help=help, show_default=False,
                        rich_help_panel="Thresholds")


@app.command()
@guarded
def check(
    survey: SurveyArg, model: ModelOpt = None,
    rules: Annotated[str | None, typer.Option(
        "--rules", metavar="NAME|FILE", help="Rule set: default (Hair et al. 2019, Hu & "
        "Bentler 1999, Henseler et al. 2015, Kock 2015), lenient, hu-bentler, saeedi2022, "
        "or a TOML file with a [checks] table. Default: the model file's [checks] rules, "
        "else default.")] = None,
    method: Annotated[Method, typer.Option(
        "--method", case_sensitive=False, help="Models whose statistics are checked: auto "
        "(CFA when a rule needs loadings, HTMT or fit), cb, pls (adds rho_A and VIF), both, "
        "none.")] = Method.auto,
    min_alpha: float | None = _limit(
        "--min-alpha", "Cronbach's alpha >= this (Nunnally & Bernstein 1994: 0.70)."),
    min_rho_c: float | None = _limit(
        "--min-rho-c", "Composite reliability >= this (Hair et al. 2019: 0.70)."),
    max_rho_c: float | None = _limit(
        "--max-rho-c", "Composite reliability < this (Hair et al. 2019: 0.95)."),
    min_rho_a: float | None = _limit(
        "--min-rho-a", "rho_A >= this (PLS; Dijkstra & Henseler 2015)."),
    min_ave: float | None = _limit(
        "--min-ave", "AVE >= this (Fornell & Larcker 1981: 0.50)."),
    min_loading: float | None = _limit(
        "--min-loading", "Standardised/outer loadings >= this (Hair et al. 2019: 0.708; "
        "Hulland 1999: 0.40)."),
    min_item_total_r: float | None = _limit(
        "--min-item-total-r", "Corrected item-total r >= this (Nunnally & Bernstein 1994: "
        "0.30)."),
    max_htmt: float | None = _limit(
        "--max-htmt", "HTMT <= this (Henseler et al. 2015: 0.85 or 0.90)."),
    min_cfi: float | None = _limit(
        "--min-cfi", "CFI >= this (Hu & Bentler 1999: 0.95)."),
    min_tli: float | None = _limit(
        "--min-tli", "TLI >= this (Hu & Bentler 1999: 0.95)."),
    max_rmsea: float | None = _limit(
        "--max-rmsea", "RMSEA <= this (Hu & Bentler 1999: 0.06)."),
    max_srmr: float | None = _limit(
        "--max-srmr", "SRMR <= this (Hu & Bentler 1999: 0.08)."),
    max_vif: float | None = _limit(
        "--max-vif", "PLS outer/inner VIF < this (Hair et al. 2019: 5)."),
    max_fc_vif: float | None = _limit(
        "--max-fc-vif", "Full collinearity VIF <= this (Kock 2015: 3.3)."),
    fmt: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="table (failed checks on the console), json (the run with "
        "its 'checks' list) or junit (JUnit XML on stdout for CI test reports).")]
    = CheckFormat.table,
    show_all: Annotated[bool, typer.Option("--all", help="Console: list passed checks "
                                           "too.")] = False,
    missing: MissingOpt = Missing.listwise, bootstrap: BootOpt = 0, seed: SeedOpt = None,
    junit: JunitOpt = None, excel: ExcelOpt = None, html: HtmlOpt = None,
) -> None:
    """CI gate: check reliability, validity and fit against cited thresholds.

    Exit 0 when every check passes, 1 when any fails, 2/3 on bad input or data. Rules
    come from --rules, the model file's [checks] table and the threshold flags (in that
    order, later ones win).
    """
    from cxsurvey.app.pipeline import run_command

    flags = {"min_alpha": min_alpha, "min_rho_c": min_rho_c, "max_rho_c": max_rho_c,
             "min_rho_a": min_rho_a, "min_ave": min_ave, "min_loading": min_loading,
             "min_item_total_r": min_item_total_r, "max_htmt": max_htmt, "min_cfi": min_cfi,
             "min_tli": min_tli, "max_rmsea": max_rmsea, "max_srmr": max_srmr,
             "max_vif": max_vif, "max_fc_vif": max_fc_vif}
    options = Options(missing=missing, seed=seed,
                      bootstrap=_n_boot(SeMethod.standard, bootstrap, _resolved(method)))
    with _progress_bar(fmt is not CheckFormat.table) as progress:
        results = run_command("check", survey, model, method=method, options=options,
                              rules=rules, flags=flags, gate=True, progress=progress)
    _emit_reports(results, [survey, model], excel=excel, html=html, junit=junit)
    if fmt is CheckFormat.json:
        from cxsurvey.report.json_report import render_json

        sys.stdout.write(render_json(results))
    elif fmt is CheckFormat.junit:
        from cxsurvey.report.junit import render_junit

        sys.stdout.write(render_junit([results]))
    else:
        from rich.console import Console

        from cxsurvey.report.console import render_checks

        render_checks(results, Console(highlight=False), show_all=show_all)
    if results.checks is not None and not results.checks.ok:
        raise typer.Exit(1)


class BatchFormat(str, enum.Enum):
    table = "table"
    json = "json"


@app.command()
@guarded
def batch(
    surveys: Annotated[list[str], typer.Argument(
        help="Survey files, folders (their .xlsx/.xlsm/.csv/.tsv/.sav files) or glob "
             "patterns.", show_default=False)],
    out_dir: Annotated[Path, typer.Option(
        "--out-dir", "-o", help="Folder for the per-file reports and summary.xlsx / "
        "summary.json (created when missing).", show_default=False)],
    model: Annotated[Path | None, typer.Option(
        "--model", "-m", help="Model file for every survey that has no sidecar model "
        "(wave1.toml next to wave1.xlsx). Default: inferred from the column names.")]
    = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Files analysed at once (default: the CPU count).")]
    = None,
    method: Annotated[Method, typer.Option(
        "--method", case_sensitive=False, help="As in analyze: auto (CFA and CB paths for "
        "files with a model), cb, pls, both or none.")] = Method.auto,
    missing: MissingOpt = Missing.listwise, bootstrap: BootOpt = 0, seed: SeedOpt = None,
    rules: RulesOpt = None, fail_on: FailOnOpt = None,
    excel: Annotated[bool, typer.Option(
        "--excel/--no-excel", help="An Excel report per file.")] = True,
    html: Annotated[bool, typer.Option("--html", help="Also an HTML report per file.")]
    = False,
    junit: JunitOpt = None,
    fmt: Annotated[BatchFormat, typer.Option(
        "--format", "-f", help="table (one line per file) or json (the summary).")]
    = BatchFormat.table,
    quiet: QuietOpt = False,
) -> None:
    """Analyse many survey files with one model; one summary across them.

    Each file gets NAME.json and NAME.xlsx (and NAME.html) in --out-dir; summary.xlsx
    and summary.json list every file with its n, alpha/rho_c/AVE per construct, fit,
    paths and failed checks, or its error. A bad file does not stop the others. Exit
    code: the highest of the files' codes: 0 all done, 1 a check failed (--fail-on),
    2 a file's input is wrong, 3 a file's analysis cannot be computed.
    """
    from cxsurvey.app.batch import expand_inputs, plan_jobs, run_batch
    from cxsurvey.report.batch_report import (
        batch_document,
        render_batch_console,
        render_batch_junit,
        write_batch_excel,
        write_batch_json,
    )

    paths = expand_inputs(surveys)
    if model is not None and not model.is_file():
        from cxsurvey.errors import InputError, Location

        raise InputError("model file not found", Location(file=str(model)))
    formats = ("json",) + (("xlsx",) if excel else ()) + (("html",) if html else ())
    job_list = plan_jobs(paths, model, out_dir, formats)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = Options(missing=missing, seed=seed,
                      bootstrap=_n_boot(SeMethod.standard, bootstrap,
                                        "cb" if method is Method.auto else method.value))
    with _batch_progress(quiet or fmt is BatchFormat.json, len(job_list)) as progress:
        result = run_batch(job_list, method, options, _one_rule_set(rules, fail_on),
                           fail_on is not None, jobs, progress)
    write_batch_json(result, out_dir / "summary.json")
    write_batch_excel(result, out_dir / "summary.xlsx")
    if junit is not None:
        from cxsurvey.report import files

        files.atomic_write_text(junit, render_batch_junit(result))
    if fmt is BatchFormat.json:
        import json

        sys.stdout.write(json.dumps(batch_document(result), indent=2, ensure_ascii=False)
                         + "\n")
    elif not quiet:
        from rich.console import Console

        console = Console(highlight=False)
        render_batch_console(result, console)
        console.print(f"Reports and summary.xlsx / summary.json written to {out_dir}")
    from rich.markup import escape

    for f in result.failed:  # the error names the file (and sheet, row, column)
        _stderr().print(f"[bold red]cxsurvey: error:[/bold red] {escape(f.error or f.file)}")
    raise typer.Exit(result.exit_code)


def _batch_progress(quiet: bool, total: int):
    """A rich progress bar over the files on stderr (on a terminal)."""
    import contextlib

    if quiet or not sys.stderr.isatty():
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=_stderr(),
                      transient=True) as prog:
            task = prog.add_task("surveys", total=total)

            def update(outcome: Any, done: int, n: int) -> None:
                prog.update(task, completed=done,
                            description=f"{Path(outcome.file).name}: {outcome.status}")

            yield update

    return bar()


@app.command()
@guarded
def init(
    survey: SurveyArg,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Model file to write (default: print it).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a model file inferred from the survey's columns, for you to edit."""
    from cxsurvey.app.pipeline import propose_model
    from cxsurvey.errors import InputError, Location
    from cxsurvey.model.write import model_to_toml
    from cxsurvey.report import files

    model = propose_model(survey)
    text = model_to_toml(model,
                         header=f"cxsurvey model for {survey}, inferred from its column names.\n"
                                "Check the constructs, the scale and the missing codes, add "
                                "reverse-coded items and paths (Outcome ~ Predictor).")
    if output is None:
        sys.stdout.write(text)
        return
    if output.exists() and not force:
        raise InputError("the model file exists already", Location(file=str(output)),
                         "Use --force to overwrite it or choose another name.")
    files.ensure_not_input(output, [survey])
    files.atomic_write_text(output, text)
    typer.echo(f"model with {len(model.model.constructs)} constructs written to {output}")


@app.command()
@guarded
def simulate(
    model: Annotated[Path, typer.Argument(
        help="Population model file: TOML with a [population] table (lavaan syntax with "
             "numeric loadings and betas, category thresholds).", show_default=False)],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of respondents.")] = 157,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same file).")]
    = 1,
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Survey file to write (.xlsx, .csv or .tsv).")]
    = Path("simulated_survey.xlsx"),
) -> None:
    """Draw a Likert survey from a population model (loadings, paths, thresholds)."""
    from cxsurvey.model import load_model, population_from_model
    from cxsurvey.report import files
    from cxsurvey.report.survey_export import write_survey
    from cxsurvey.simulate import simulate as draw

    files.ensure_not_input(output, [model])
    pop = population_from_model(load_model(model),
                                text=model.read_text(encoding="utf-8-sig"))
    frame = draw(pop, n=n, seed=seed)
    write_survey(frame, output)
    typer.echo(f"{n} respondents x {frame.shape[1] - 1} items written to {output} "
               f"(seed {seed})")


def main() -> None:
    """Entry point of the ``cxsurvey`` console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
