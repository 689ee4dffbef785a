"""The command line's parameters: output formats and the options the commands share.

Choices come from :mod:`cxsurvey.options` (validated, case-insensitive); this module
imports nothing heavy.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any

import typer

from cxsurvey.options import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_SHEET_MB,
    HOC_METHODS,
    INTERACTION_METHODS,
    MAX_BOOTSTRAP,
    Estimator,
    Missing,
    ReadLimits,
    Scheme,
    SeMethod,
)


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"



class CheckFormat(str, enum.Enum):
    table = "table"
    json = "json"
    junit = "junit"



class BatchFormat(str, enum.Enum):
    table = "table"
    json = "json"


class PolychoricMissing(str, enum.Enum):
    """The missing-data handling of ``polychoric`` (lavaan's ``lavCor`` has these two)."""

    listwise = "listwise"
    pairwise = "pairwise"



SurveyArg = Annotated[Path, typer.Argument(
    help="Survey export: .xlsx/.xlsm, .csv/.tsv or SPSS .sav.", show_default=False,
    readable=False)]
"""Input paths are not checked here (``readable=False``): the readers refuse a missing,
unreadable or wrong file with the one-line message naming it."""
ModelOpt = Annotated[Path | None, typer.Option(
    "--model", "-m", readable=False,
    help="Model file (TOML or lavaan syntax). Default: inferred from "
    "column names (Att1, Att2 ... -> construct Att).")]
FormatOpt = Annotated[Format, typer.Option(
    "--format", "-f", case_sensitive=False, help="table (console), json (one object on "
    "stdout) or csv (all sections on stdout, each after a '# key: title' line).")]
MissingOpt = Annotated[Missing, typer.Option(
    "--missing", case_sensitive=False, help="listwise: rows complete on the items each "
    "analysis uses (SPSS default); pairwise: each item's / pair's available answers (psych "
    "default); mean: PLS replaces missing answers by item means (SmartPLS), the rest is "
    "listwise; fiml: CB models by full-information ML on every respondent with an answer "
    "(lavaan missing = 'ml'; ML or MLR), with a coverage table; the item analyses are "
    "listwise.")]
PolychoricMissingOpt = Annotated[PolychoricMissing, typer.Option(
    "--missing", case_sensitive=False, help="listwise: rows answering every item; "
    "pairwise: each item's thresholds from its own answers, each pair's "
    "correlation from the rows answering both (lavaan's lavCor missing = 'pairwise').")]
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
SeedOpt = Annotated[int, typer.Option(
    "--seed", min=0, help="Random seed of the bootstraps (recorded in meta); the same seed "
    "gives the same numbers.")]
RequiredModelOpt = Annotated[Path, typer.Option(
    "--model", "-m", readable=False,
    help="Model file (TOML or lavaan syntax) with the constructs and, for "
    "paths, the structural regressions (Outcome ~ Predictor).", show_default=False)]
ThresholdOpt = Annotated[float, typer.Option(
    "--loading-threshold", min=0.0, max=1.0,
    help="Items with |standardised loading| below this are weak (Hulland 1999: 0.4).")]
DropWeakOpt = Annotated[bool, typer.Option(
    "--drop-weak", help="Refit without the weak items and say which were dropped.")]
ExcludeFlaggedOpt = Annotated[bool, typer.Option(
    "--exclude-flagged", help="Drop the respondents the data-quality screen flags "
    "(straightlining, duplicate, speeding, failed attention check) before the analyses; "
    "without it they are only reported.")]
SeOpt = Annotated[SeMethod, typer.Option(
    "--se", case_sensitive=False, help="standard: information-matrix SEs (lavaan default); "
    "bootstrap: percentile CIs from --bootstrap resamples, for non-normal items.")]
EstimatorOpt = Annotated[Estimator, typer.Option(
    "--estimator", case_sensitive=False, help="CB estimator (lavaan's estimator): ml "
    "(normal theory); mlm (robust SEs, Satorra-Bentler scaled chi-square) or mlr "
    "(Huber-White SEs, Yuan-Bentler scaled chi-square), with scaled and robust "
    "CFI/TLI/RMSEA, for non-normal Likert items (same estimates; the CB bootstrap "
    "refits by ML); wlsmv treats every model item as ordinal (lavaan's ordered = TRUE, "
    "estimator = 'WLSMV': DWLS on polychoric correlations, robust SEs, scaled-shifted "
    "test, thresholds), with --missing listwise or pairwise and --se standard; auto "
    "picks ml or mlr from Mardia's test.")]
OrderedOpt = Annotated[str | None, typer.Option(
    "--ordered", metavar="all|ITEM,...", show_default=False, help="Items to treat as "
    "ordinal (lavaan's ordered), with --estimator wlsmv: 'all' (every model item; WLSMV "
    "does so anyway) or a comma-separated list; the model's other items are then "
    "continuous indicators (polyserial and Pearson correlations, free intercepts and "
    "residual variances).")]
ConsistentOpt = Annotated[bool, typer.Option(
    "--consistent", help="PLS: consistent PLS (PLSc, Dijkstra & Henseler 2015) for the "
    "reflective constructs' loadings, reliabilities, paths and R2, with its bootstrap; the "
    "model fit is then the common-factor model's.")]
InteractionMethodOpt = Annotated[str, typer.Option(
    "--interaction-method", metavar="|".join(INTERACTION_METHODS), help="PLS: how an "
    "interaction term X:M of the model is built: two-stage (SmartPLS's default: the "
    "product of the construct scores) or product indicators (products of the "
    "standardised items).")]
HocMethodOpt = Annotated[str, typer.Option(
    "--hoc-method", metavar="|".join(HOC_METHODS),
    help="PLS: how a higher-order construct (H =~ A + B, with A and B constructs) is "
    "estimated.")]
IpmaTargetOpt = Annotated[str | None, typer.Option(
    "--ipma-target", metavar="CONSTRUCT", show_default=False, help="PLS: the target "
    "construct of the importance-performance map (default: the model's last final "
    "outcome).")]
GroupOpt = Annotated[str | None, typer.Option(
    "--group", metavar="COLUMN", show_default=False, help="Compare the customer groups of "
    "this column (channel, region, wave): per group descriptives, top-2 box and CX "
    "metrics with Welch and rank tests of the construct scores and items; with CB models "
    "measurement invariance (configural, metric, scalar, strict) and group-wise paths; "
    "with PLS, MICOM and multi-group analysis of the paths. JSON keys 'segments', "
    "'invariance', 'group_paths', 'mga'.")]
MinGroupSizeOpt = Annotated[int, typer.Option(
    "--min-group-size", min=2, metavar="N", help="Groups with fewer respondents are "
    "reported and left out of the --group comparisons.")]
ModIndicesOpt = Annotated[int, typer.Option(
    "--modindices", min=0, metavar="K", help="Console: the K largest modification indices "
    "of the CB model (lavaan's modindices: mi, epc, sepc.all), 0 for none; the JSON, CSV, "
    "Excel and HTML reports list them all.")]
MaxIterOpt = Annotated[int, typer.Option(
    "--max-iter", min=1, help="Optimiser iteration limit (lavaan's iter.max).")]
BootOpt = Annotated[int | None, typer.Option(
    "--bootstrap", min=2, max=MAX_BOOTSTRAP, show_default=False, help="Bootstrap resamples: "
    "CB with --se bootstrap (default 1000); PLS always bootstraps (default 5000, as SmartPLS); "
    "at most 100000.")]
PlsBootOpt = Annotated[int | None, typer.Option(
    "--bootstrap", min=2, max=MAX_BOOTSTRAP, show_default=False, help="PLS bootstrap "
    "resamples with --method pls|both (default 5000, as SmartPLS); at most 100000.")]
SchemeOpt = Annotated[Scheme, typer.Option(
    "--scheme", case_sensitive=False, help="PLS inner weighting scheme (SmartPLS default: path).")]

MaxCellsOpt = Annotated[int, typer.Option(
    "--max-cells", min=1, metavar="N", rich_help_panel="Input limits",
    help="Refuse an Excel sheet with more cells than this (rows x columns), checked before "
    "it is read: a guard against decompression bombs; raise it for a larger survey.")]
MaxSheetMbOpt = Annotated[int, typer.Option(
    "--max-sheet-mb", min=1, metavar="MB", rich_help_panel="Input limits",
    help="Refuse an Excel sheet (or its shared strings) that expands to more MB of XML "
    "than this, checked before it is read.")]


def read_limits(max_cells: int = DEFAULT_MAX_CELLS,
                max_sheet_mb: int = DEFAULT_MAX_SHEET_MB) -> ReadLimits:
    """The :class:`~cxsurvey.options.ReadLimits` of ``--max-cells`` and ``--max-sheet-mb``."""
    return ReadLimits(max_cells=max_cells, max_sheet_mb=max_sheet_mb)


def ordered_items(text: str | None) -> tuple[str, ...]:
    """The ``ordered`` option of ``--ordered``: ``()`` when not given, ``("all",)`` for
    ``all`` (any case), else the comma-separated item names.

    Parameters
    ----------
    text : str or None

    Returns
    -------
    tuple of str
    """
    if text is None:
        return ()
    names = tuple(x.strip() for x in text.split(",") if x.strip())
    if not names:
        from cxsurvey.errors import InputError, Location

        raise InputError("--ordered needs 'all' or item names, got an empty value",
                         Location(), "Use --ordered all or --ordered ITEM,ITEM,...")
    return ("all",) if len(names) == 1 and names[0].lower() == "all" else names


def limit(flag: str, help: str) -> Any:
    """A threshold flag of ``check`` (None: not given)."""
    return typer.Option(None, flag, help=help, show_default=False,
                        rich_help_panel="Thresholds")


def invariance_level(text: str | None) -> float | None:
    """``--min-invariance``: a level's name (``configural``, ``metric``, ``scalar``,
    ``strict``, any case) or its number 1-4, as the ``min_invariance`` rule counts it."""
    if text is None:
        return None
    from cxsurvey.errors import InputError, Location
    from cxsurvey.gates.invariance import INVARIANCE_LEVELS

    key = text.strip().lower()
    if key in INVARIANCE_LEVELS and key != "none":
        return float(INVARIANCE_LEVELS[key])
    if key in {"1", "2", "3", "4"}:
        return float(key)
    raise InputError(f"--min-invariance must be configural, metric, scalar or strict (or "
                     f"1-4), got {text!r}", Location(), "Example: --min-invariance scalar")
