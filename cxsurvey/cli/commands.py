"""The ``cxsurvey`` commands: thin Typer wrappers over :mod:`cxsurvey.app.pipeline`.

Heavy libraries (pandas, scipy, semopy) are imported inside the commands, so
``cxsurvey --help`` stays fast. :func:`~cxsurvey.cli.runtime.guarded` turns
:class:`~cxsurvey.errors.CxSurveyError` into one stderr line and the documented exit code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cxsurvey import __version__
from cxsurvey.cli.params import (
    BatchFormat,
    BootOpt,
    CheckFormat,
    ConsistentOpt,
    CsvDirOpt,
    DropWeakOpt,
    EstimatorOpt,
    ExcelOpt,
    ExcludeFlaggedOpt,
    FailOnOpt,
    Format,
    FormatOpt,
    GroupOpt,
    HocMethodOpt,
    HtmlOpt,
    InteractionMethodOpt,
    IpmaTargetOpt,
    JunitOpt,
    MaxCellsOpt,
    MaxIterOpt,
    MaxSheetMbOpt,
    MinGroupSizeOpt,
    MissingOpt,
    ModelOpt,
    ModIndicesOpt,
    OrderedOpt,
    PlsBootOpt,
    PolychoricMissing,
    PolychoricMissingOpt,
    QuietOpt,
    RequiredModelOpt,
    RulesOpt,
    SchemeOpt,
    SeedOpt,
    SeOpt,
    SurveyArg,
    ThresholdOpt,
    invariance_level,
    limit,
    ordered_items,
    read_limits,
)
from cxsurvey.cli.runtime import (
    STATE,
    OneLineErrors,
    batch_progress,
    check_outputs,
    emit,
    emit_reports,
    guarded,
    n_boot,
    one_rule_set,
    progress_bar,
    resolved,
    stderr,
)
from cxsurvey.options import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_SHEET_MB,
    DEFAULT_MIN_GROUP_SIZE,
    DEFAULT_MODINDICES,
    DEFAULT_SEED,
    HOC_METHODS,
    INTERACTION_METHODS,
    Estimator,
    Method,
    Missing,
    Options,
    Scheme,
    SeMethod,
)

app = typer.Typer(
    name="cxsurvey",
    help="Psychometrics for Likert customer-experience surveys, from the raw export: "
         "descriptives, normality, reliability and validity, CFA and covariance-based SEM "
         "(lavaan's numbers), PLS-SEM with bootstrap (SmartPLS/seminr's numbers), quality "
         "gates for CI; as console tables, JSON, CSV, an Excel workbook and an HTML report.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    cls=OneLineErrors,
)


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
    STATE["debug"] = debug


def _run(command: str, survey: Path, model: Path | None, fmt: Format, quiet: bool,
         excel: Path | None, csv_dir: Path | None, options: Options,
         method: Method = Method.auto, html: Path | None = None, rules: str | None = None,
         fail_on: str | None = None, junit: Path | None = None, full: bool = False,
         extra: tuple[str, ...] = ()) -> None:
    from cxsurvey.app.pipeline import run_command

    check_outputs([survey, model], excel, csv_dir, html, junit)
    with progress_bar(quiet) as progress:
        results = run_command(command, survey, model, method=method, options=options,
                              rules=one_rule_set(rules, fail_on), gate=fail_on is not None,
                              progress=progress, extra=extra)
    emit(results, fmt, quiet, excel, csv_dir, [survey, model], html, junit,
         overview=command == "analyze", full=full or command != "analyze",
         modindices=options.modindices)
    if results.checks is not None and not results.checks.ok:
        raise typer.Exit(1)


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
            se: SeOpt = SeMethod.standard, bootstrap: BootOpt = None,
            estimator: EstimatorOpt = Estimator.ml, ordered: OrderedOpt = None,
            group: GroupOpt = None,
            consistent: ConsistentOpt = False,
            ipma_target: IpmaTargetOpt = None,
            interaction_method: InteractionMethodOpt = INTERACTION_METHODS[0],
            hoc_method: HocMethodOpt = HOC_METHODS[0],
            min_group_size: MinGroupSizeOpt = DEFAULT_MIN_GROUP_SIZE,
            max_iter: MaxIterOpt = 10_000,
            modindices: ModIndicesOpt = DEFAULT_MODINDICES,
            excel: ExcelOpt = None, html: HtmlOpt = None, csv_dir: CsvDirOpt = None,
            seed: SeedOpt = DEFAULT_SEED, rules: RulesOpt = None, fail_on: FailOnOpt = None,
            junit: JunitOpt = None, quiet: QuietOpt = False,
            exclude_flagged: ExcludeFlaggedOpt = False,
            max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
            max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB,
            full: Annotated[bool, typer.Option(
                "--full", help="Console: every table (descriptives, normality, item "
                "statistics, effects, ...), not only the summary and the key tables.")]
            = False,
            polychoric: Annotated[bool, typer.Option(
                "--polychoric", help="Also the polychoric correlations of the items and "
                "their thresholds (as the polychoric command; JSON key 'polychoric').")]
            = False) -> None:
    """Every analysis at once: descriptives, normality, reliability, CFA, validity, paths.

    The console shows the summary and warnings first, then the key tables (--full: all).

    With --fail-on, the results are also checked against a rule set and the command
    exits 1 when a check fails (as `cxsurvey check`).
    """
    options = Options(missing=missing, seed=seed, loading_threshold=loading_threshold,
                      drop_weak=drop_weak, se=se, scheme=scheme, max_iter=max_iter,
                      estimator=estimator, bootstrap=n_boot(se, bootstrap, resolved(method)),
                      exclude_flagged=exclude_flagged, modindices=modindices,
                      ordered=ordered_items(ordered), group=group,
                      consistent=consistent, ipma_target=ipma_target,
                      interaction_method=interaction_method, hoc_method=hoc_method,
                      min_group_size=min_group_size,
                      limits=read_limits(max_cells, max_sheet_mb))
    _run("analyze", survey, model, fmt, quiet, excel, csv_dir, options, method, html=html,
         rules=rules, fail_on=fail_on, junit=junit, full=full,
         extra=("polychoric",) if polychoric else ())


@app.command()
@guarded
def describe(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
             missing: MissingOpt = Missing.listwise, excel: ExcelOpt = None,
             csv_dir: CsvDirOpt = None, quiet: QuietOpt = False,
             max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
             max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB) -> None:
    """n, mean, SD, median, skewness, kurtosis and Likert answer percentages per item."""
    options = Options(missing=missing, limits=read_limits(max_cells, max_sheet_mb))
    _run("describe", survey, model, fmt, quiet, excel, csv_dir, options)


@app.command()
@guarded
def normality(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
              missing: MissingOpt = Missing.listwise, excel: ExcelOpt = None,
              csv_dir: CsvDirOpt = None, quiet: QuietOpt = False,
              max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
              max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB) -> None:
    """Kolmogorov-Smirnov (Lilliefors) and Shapiro-Wilk per item, Mardia per construct."""
    options = Options(missing=missing, limits=read_limits(max_cells, max_sheet_mb))
    _run("normality", survey, model, fmt, quiet, excel, csv_dir, options)


@app.command()
@guarded
def reliability(survey: SurveyArg, model: ModelOpt = None, fmt: FormatOpt = Format.table,
                missing: MissingOpt = Missing.listwise, excel: ExcelOpt = None,
                csv_dir: CsvDirOpt = None, quiet: QuietOpt = False,
                max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
                max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB) -> None:
    """Cronbach's alpha (95% CI), alpha if item deleted, item-total r, omega, CR, AVE."""
    options = Options(missing=missing, limits=read_limits(max_cells, max_sheet_mb))
    _run("reliability", survey, model, fmt, quiet, excel, csv_dir, options)


@app.command("polychoric")
@guarded
def polychoric_command(survey: SurveyArg, model: ModelOpt = None,
                       fmt: FormatOpt = Format.table,
                       missing: PolychoricMissingOpt = PolychoricMissing.listwise,
                       excel: ExcelOpt = None, csv_dir: CsvDirOpt = None,
                       quiet: QuietOpt = False, max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
                       max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB) -> None:
    """Polychoric correlations and thresholds of the items (two-step ML, as lavaan's lavCor).

    Each item's thresholds come from its answer proportions, then each pair's correlation
    maximises the likelihood of its two-way table (Olsson 1979). A matrix that is not
    positive definite is smoothed (psych's cor.smooth) and the warnings say so.
    """
    options = Options(missing=Missing(missing.value),
                      limits=read_limits(max_cells, max_sheet_mb))
    _run("polychoric", survey, model, fmt, quiet, excel, csv_dir, options)


@app.command()
@guarded
def cfa(survey: SurveyArg, model: RequiredModelOpt, fmt: FormatOpt = Format.table,
        loading_threshold: ThresholdOpt = 0.4, drop_weak: DropWeakOpt = False,
        se: SeOpt = SeMethod.standard, bootstrap: BootOpt = None, seed: SeedOpt = DEFAULT_SEED,
        estimator: EstimatorOpt = Estimator.ml, missing: MissingOpt = Missing.listwise,
        ordered: OrderedOpt = None,
        group: GroupOpt = None,
        min_group_size: MinGroupSizeOpt = DEFAULT_MIN_GROUP_SIZE,
    modindices: ModIndicesOpt = DEFAULT_MODINDICES,
        max_iter: MaxIterOpt = 10_000, excel: ExcelOpt = None, csv_dir: CsvDirOpt = None,
        quiet: QuietOpt = False, max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
        max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB) -> None:
    """Confirmatory factor analysis (ML, as lavaan): loadings, fit, CR/AVE, HTMT."""
    options = Options(missing=missing, seed=seed, loading_threshold=loading_threshold,
                      drop_weak=drop_weak, se=se, bootstrap=n_boot(se, bootstrap),
                      max_iter=max_iter, estimator=estimator, modindices=modindices,
                      ordered=ordered_items(ordered), group=group,
                      min_group_size=min_group_size,
                      limits=read_limits(max_cells, max_sheet_mb))
    _run("cfa", survey, model, fmt, quiet, excel, csv_dir, options)


@app.command()
@guarded
def paths(survey: SurveyArg, model: RequiredModelOpt, fmt: FormatOpt = Format.table,
          method: Annotated[Method, typer.Option(
              "--method", case_sensitive=False, help="cb: covariance-based SEM (ML, as "
              "lavaan); pls: PLS-SEM (SmartPLS defaults, bootstrap); both.")] = Method.cb,
          scheme: SchemeOpt = Scheme.path, missing: MissingOpt = Missing.listwise,
          se: SeOpt = SeMethod.standard, bootstrap: BootOpt = None, seed: SeedOpt = DEFAULT_SEED,
          loading_threshold: ThresholdOpt = 0.4, drop_weak: DropWeakOpt = False,
          estimator: EstimatorOpt = Estimator.ml, ordered: OrderedOpt = None,
          group: GroupOpt = None,
          consistent: ConsistentOpt = False,
          ipma_target: IpmaTargetOpt = None,
          interaction_method: InteractionMethodOpt = INTERACTION_METHODS[0],
          hoc_method: HocMethodOpt = HOC_METHODS[0],
          min_group_size: MinGroupSizeOpt = DEFAULT_MIN_GROUP_SIZE,
          modindices: ModIndicesOpt = DEFAULT_MODINDICES,
          max_iter: MaxIterOpt = 10_000, excel: ExcelOpt = None, csv_dir: CsvDirOpt = None,
          quiet: QuietOpt = False, max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
          max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB) -> None:
    """Structural paths with SE, z/T, p and 95% CI; R2; indirect and total effects."""
    if method in (Method.auto, Method.none):
        from cxsurvey.errors import InputError, Location

        raise InputError(f"paths --method must be cb, pls or both, got {method.value}",
                         Location(), "Use --method cb (lavaan's ML) or pls (SmartPLS).")
    options = Options(missing=missing, seed=seed, loading_threshold=loading_threshold,
                      drop_weak=drop_weak, se=se, scheme=scheme, max_iter=max_iter,
                      bootstrap=n_boot(se, bootstrap, method.value), estimator=estimator,
                      modindices=modindices, ordered=ordered_items(ordered), group=group,
                      consistent=consistent, ipma_target=ipma_target,
                      interaction_method=interaction_method, hoc_method=hoc_method,
                      min_group_size=min_group_size,
                      limits=read_limits(max_cells, max_sheet_mb))
    _run("paths", survey, model, fmt, quiet, excel, csv_dir, options, method)


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
    min_alpha: float | None = limit(
        "--min-alpha", "Cronbach's alpha >= this (Nunnally & Bernstein 1994: 0.70)."),
    min_rho_c: float | None = limit(
        "--min-rho-c", "Composite reliability >= this (Hair et al. 2019: 0.70)."),
    max_rho_c: float | None = limit(
        "--max-rho-c", "Composite reliability < this (Hair et al. 2019: 0.95)."),
    min_rho_a: float | None = limit(
        "--min-rho-a", "rho_A >= this (PLS; Dijkstra & Henseler 2015)."),
    min_ave: float | None = limit(
        "--min-ave", "AVE >= this (Fornell & Larcker 1981: 0.50)."),
    min_loading: float | None = limit(
        "--min-loading", "Standardised/outer loadings >= this (Hair et al. 2019: 0.708; "
        "Hulland 1999: 0.40)."),
    min_item_total_r: float | None = limit(
        "--min-item-total-r", "Corrected item-total r >= this (Nunnally & Bernstein 1994: "
        "0.30)."),
    max_htmt: float | None = limit(
        "--max-htmt", "HTMT <= this (Henseler et al. 2015: 0.85 or 0.90)."),
    min_cfi: float | None = limit(
        "--min-cfi", "CFI >= this (Hu & Bentler 1999: 0.95)."),
    min_tli: float | None = limit(
        "--min-tli", "TLI >= this (Hu & Bentler 1999: 0.95)."),
    max_rmsea: float | None = limit(
        "--max-rmsea", "RMSEA <= this (Hu & Bentler 1999: 0.06)."),
    max_srmr: float | None = limit(
        "--max-srmr", "SRMR <= this (Hu & Bentler 1999: 0.08)."),
    max_vif: float | None = limit(
        "--max-vif", "PLS outer/inner VIF < this (Hair et al. 2019: 5)."),
    max_fc_vif: float | None = limit(
        "--max-fc-vif", "Full collinearity VIF <= this (Kock 2015: 3.3)."),
    max_htmt_upper: float | None = limit(
        "--max-htmt-upper", "PLS: each HTMT's one-sided 95% bootstrap upper bound < this "
        "(Franke & Sarstedt 2019: 0.85 or 0.90)."),
    min_delta_cfi: float | None = limit(
        "--min-delta-cfi", "With --group: each measurement-invariance step's change of CFI "
        ">= this (Chen 2007: -0.010; judges the steps without this flag too)."),
    max_delta_rmsea: float | None = limit(
        "--max-delta-rmsea", "With --group: each step's change of RMSEA <= this (Chen "
        "2007: 0.015)."),
    min_invariance: Annotated[str | None, typer.Option(
        "--min-invariance", metavar="LEVEL", show_default=False,
        help="With --group: the measurement invariance the groups must reach: configural, "
        "metric, scalar or strict (or 1-4).")] = None,
    fmt: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="table (failed checks on the console), json (the run with "
        "its 'checks' list) or junit (JUnit XML on stdout for CI test reports).")]
    = CheckFormat.table,
    show_all: Annotated[bool, typer.Option("--all", help="Console: list passed checks "
                                           "too.")] = False,
    missing: MissingOpt = Missing.listwise, bootstrap: PlsBootOpt = None,
    seed: SeedOpt = DEFAULT_SEED, estimator: EstimatorOpt = Estimator.ml,
    ordered: OrderedOpt = None,
    group: GroupOpt = None,
    consistent: ConsistentOpt = False,
    ipma_target: IpmaTargetOpt = None,
    interaction_method: InteractionMethodOpt = INTERACTION_METHODS[0],
    hoc_method: HocMethodOpt = HOC_METHODS[0],
    min_group_size: MinGroupSizeOpt = DEFAULT_MIN_GROUP_SIZE,
    modindices: ModIndicesOpt = DEFAULT_MODINDICES,
    junit: JunitOpt = None, excel: ExcelOpt = None, html: HtmlOpt = None,
    max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
    max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB,
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
             "max_vif": max_vif, "max_fc_vif": max_fc_vif, "max_htmt_upper": max_htmt_upper,
             "min_delta_cfi": min_delta_cfi,
             "max_delta_rmsea": max_delta_rmsea,
             "min_invariance": invariance_level(min_invariance)}
    options = Options(missing=missing, seed=seed,
                      bootstrap=n_boot(SeMethod.standard, bootstrap, resolved(method)),
                      estimator=estimator, modindices=modindices,
                      ordered=ordered_items(ordered), group=group,
                      consistent=consistent, ipma_target=ipma_target,
                      interaction_method=interaction_method, hoc_method=hoc_method,
                      min_group_size=min_group_size,
                      limits=read_limits(max_cells, max_sheet_mb))
    check_outputs([survey, model], excel=excel, html=html, junit=junit)
    with progress_bar(fmt is not CheckFormat.table) as progress:
        results = run_command("check", survey, model, method=method, options=options,
                              rules=rules, flags=flags, gate=True, progress=progress)
    emit_reports(results, [survey, model], excel=excel, html=html, junit=junit)
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
        "--model", "-m", readable=False,
        help="Model file for every survey that has no sidecar model "
        "(wave1.toml next to wave1.xlsx). Default: inferred from the column names.")]
    = None,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, help="Files analysed at once (default: the CPU count).")]
    = None,
    method: Annotated[Method, typer.Option(
        "--method", case_sensitive=False, help="As in analyze: auto (CFA and CB paths for "
        "files with a model), cb, pls, both or none.")] = Method.auto,
    missing: MissingOpt = Missing.listwise, bootstrap: PlsBootOpt = None,
    seed: SeedOpt = DEFAULT_SEED, estimator: EstimatorOpt = Estimator.ml,
    ordered: OrderedOpt = None,
    group: GroupOpt = None,
    consistent: ConsistentOpt = False,
    ipma_target: IpmaTargetOpt = None,
    interaction_method: InteractionMethodOpt = INTERACTION_METHODS[0],
    hoc_method: HocMethodOpt = HOC_METHODS[0],
    min_group_size: MinGroupSizeOpt = DEFAULT_MIN_GROUP_SIZE,
    modindices: ModIndicesOpt = DEFAULT_MODINDICES,
    rules: RulesOpt = None, fail_on: FailOnOpt = None,
    exclude_flagged: ExcludeFlaggedOpt = False,
    excel: Annotated[bool, typer.Option(
        "--excel/--no-excel", help="An Excel report per file.")] = True,
    html: Annotated[bool, typer.Option("--html", help="Also an HTML report per file.")]
    = False,
    junit: JunitOpt = None,
    fmt: Annotated[BatchFormat, typer.Option(
        "--format", "-f", help="table (one line per file) or json (the summary).")]
    = BatchFormat.table,
    quiet: QuietOpt = False,
    max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
    max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB,
) -> None:
    """Analyse many survey files with one model; one summary across them.

    Each file gets NAME.json and NAME.xlsx (and NAME.html) in --out-dir; summary.xlsx
    and summary.json list every file with its n, alpha/rho_c/AVE per construct, fit,
    paths and failed checks, or its error. A bad file does not stop the others. Exit
    code: the highest of the files' codes: 0 all done, 1 a check failed (--fail-on),
    2 a file's input is wrong, 3 a file's analysis cannot be computed. Ctrl-C (SIGINT)
    or SIGTERM stops the run: the summary lists the files done and the rest as
    cancelled; exit code 130 or 143.
    """
    from cxsurvey.app.batch import Interrupts, expand_inputs, plan_jobs, run_batch
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
    check_outputs([*paths, model], junit=junit)
    out_dir.mkdir(parents=True, exist_ok=True)
    options = Options(missing=missing, seed=seed,
                      bootstrap=n_boot(SeMethod.standard, bootstrap,
                                        "cb" if method is Method.auto else method.value),
                      estimator=estimator, exclude_flagged=exclude_flagged,
                      modindices=modindices, ordered=ordered_items(ordered), group=group,
                      consistent=consistent, ipma_target=ipma_target,
                      interaction_method=interaction_method, hoc_method=hoc_method,
                      min_group_size=min_group_size,
                      limits=read_limits(max_cells, max_sheet_mb))
    # SIGINT/SIGTERM stop the run; the summary is then written for the files done, and
    # a further signal waits until it is complete (exit 128 + the signal's number)
    with Interrupts() as interrupts:
        with batch_progress(quiet or fmt is BatchFormat.json, len(job_list)) as progress:
            result = run_batch(job_list, method, options, one_rule_set(rules, fail_on),
                               fail_on is not None, jobs, progress, interrupts)
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
            stderr().print(f"[bold red]cxsurvey: error:[/bold red] {escape(f.error or f.file)}")
        if interrupts.signum is not None:  # during the run, or while writing the summary
            stderr().print(f"[bold yellow]cxsurvey: interrupted[/bold yellow] by "
                           f"{interrupts.name}: {len(result.done)} of {len(result.files)} "
                           f"files done; summary written to "
                           f"{escape(str(out_dir / 'summary.json'))}")
            raise typer.Exit(128 + interrupts.signum)
        raise typer.Exit(result.exit_code)


@app.command()
@guarded
def init(
    survey: SurveyArg,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Model file to write (default: print it).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    max_cells: MaxCellsOpt = DEFAULT_MAX_CELLS,
    max_sheet_mb: MaxSheetMbOpt = DEFAULT_MAX_SHEET_MB,
) -> None:
    """Write a model file inferred from the survey's columns, for you to edit."""
    from cxsurvey.app.pipeline import propose
    from cxsurvey.errors import InputError, Location
    from cxsurvey.model.write import model_to_toml
    from cxsurvey.report import files

    model, titles = propose(survey, read_limits(max_cells, max_sheet_mb))
    text = model_to_toml(model, titles=titles,
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
        readable=False,
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
