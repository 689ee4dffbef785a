"""The summary of a batch: JSON, an Excel workbook and a console table.

The JSON (``summary.json``) has ``meta`` (cxsurvey version, options, jobs, seconds,
counts, exit code), ``interrupted`` (true when SIGINT or SIGTERM stopped the run, with
the signal's name in ``signal``), ``n_done`` (files analysed to the end) and ``files``:
per file its status (``cancelled``: not analysed, the run was interrupted), exit code,
error, n, the reliability per construct (alpha, rho_c, AVE ...), CFA fit indices, path
estimates and failed checks, and the reports written. The workbook (``summary.xlsx``) shows the same
in long, filterable sheets: Files, Reliability, Fit, Paths, Failed checks, About.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cxsurvey import __version__
from cxsurvey.gates.fit import ROBUST_ESTIMATORS, judged_fit
from cxsurvey.report import files
from cxsurvey.results import BatchResult

__all__ = ["batch_document", "render_batch_console", "render_batch_junit",
           "write_batch_excel", "write_batch_json"]


def batch_document(batch: BatchResult) -> dict[str, Any]:
    """The batch summary as a JSON-ready dict."""
    counts: dict[str, int] = {}
    for f in batch.files:
        counts[f.status] = counts.get(f.status, 0) + 1
    return {
        "meta": {"version": __version__, "n_files": len(batch.files), "counts": counts,
                 "exit_code": batch.exit_code, "jobs": batch.jobs,
                 "seconds": round(batch.seconds, 3), "out_dir": str(batch.out_dir),
                 "options": batch.options},
        "interrupted": batch.interrupted is not None,
        "signal": batch.interrupted,
        "n_done": len(batch.done),
        "files": [asdict(f) for f in batch.files],
    }


def write_batch_json(batch: BatchResult, path: Path) -> Path:
    """``summary.json`` (atomic: the file is complete or absent)."""
    text = json.dumps(batch_document(batch), indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"
    return files.atomic_write_text(path, text)


def _rows(batch: BatchResult) -> dict[str, tuple[list[str], list[list[Any]]]]:
    def name(f):
        return Path(f.file).name

    sheets: dict[str, tuple[list[str], list[list[Any]]]] = {}
    sheets["Files"] = (
        ["File", "Status", "Exit code", "Error", "Rows", "Rows used", "Model", "Model from",
         "Checks", "Failed checks", "Warnings", "Seconds", "Reports"],
        [[f.file, f.status, f.exit_code, f.error, f.n_rows, f.n_used, f.model,
          f.model_source, f.n_checks or None, len(f.failed_checks) if f.n_checks else None,
          len(f.warnings), round(f.seconds, 2), ", ".join(f.reports.values())]
         for f in batch.files])
    sheets["Reliability"] = (
        ["File", "Construct", "Items", "Alpha", "Omega", "rho_A", "CR (rho_c)", "AVE"],
        [[name(f), r.get("construct"), r.get("n_items"), r.get("alpha"), r.get("omega"),
          r.get("rho_a"), r.get("rho_c"), r.get("ave")] for f in batch.files
         for r in f.reliability])
    fit_keys = ["n", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "estimator",
                "missing", "chisq_scaled", "cfi_robust", "tli_robust", "rmsea_robust"]
    sheets["Fit"] = (["File", "N", "Chi-square", "df", "p", "CFI", "TLI", "RMSEA", "SRMR",
                      "Estimator", "Missing", "Chi-square (scaled)", "CFI (robust)",
                      "TLI (robust)", "RMSEA (robust)"],
                     [[name(f), *[f.fit.get(k) for k in fit_keys]] for f in batch.files
                      if f.fit])
    inv_keys = ["group", "groups", "reached", "delta_cfi_metric", "delta_cfi_scalar",
                "delta_cfi_strict"]
    if any(f.invariance for f in batch.files):
        sheets["Invariance"] = (
            ["File", "Group", "Groups", "Invariance reached", "Delta CFI metric",
             "Delta CFI scalar", "Delta CFI strict"],
            [[name(f), *[f.invariance.get(k) for k in inv_keys]] for f in batch.files
             if f.invariance])
    sheets["Paths"] = (
        ["File", "Method", "From", "To", "Estimate", "Std.", "SE", "z / T", "p",
         "95% CI low", "95% CI high"],
        [[name(f), p.get("method"), p.get("from"), p.get("to"), p.get("est"),
          p.get("std_all"), p.get("se"), p.get("t"), p.get("pvalue"), p.get("ci_lower"),
          p.get("ci_upper")] for f in batch.files for p in f.paths])
    sheets["Failed checks"] = (
        ["File", "Rule", "Construct", "Item", "With", "Source", "Value", "Cut-off",
         "Citation"],
        [[name(f), c.get("name"), c.get("construct"), c.get("item"), c.get("other"),
          c.get("source"), c.get("value"), f"{c.get('direction')} {c.get('threshold'):g}",
          c.get("citation")] for f in batch.files for c in f.failed_checks])
    return sheets


def write_batch_excel(batch: BatchResult, path: Path) -> Path:
    """The summary workbook (atomic; text cells neutralised against formulas)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", start_color="D9E1F2", end_color="D9E1F2")
    bad = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in _rows(batch).items():
        ws = wb.create_sheet(title)
        ws.append(header)
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            ws.append([files.neutralise(v) if isinstance(v, str) else v for v in row])
        if title == "Files":
            for r in range(2, ws.max_row + 1):
                if ws.cell(r, 2).value != "ok":
                    ws.cell(r, 2).fill = bad
        for col, head in enumerate(header, start=1):
            width = max([len(str(head))] + [len(str(row[col - 1])) for row in rows
                                           if row[col - 1] is not None])
            ws.column_dimensions[ws.cell(1, col).column_letter].width = min(width + 2, 60)
        ws.freeze_panes = "B2"
        if rows:
            ws.auto_filter.ref = ws.dimensions
    about = wb.create_sheet("About")
    doc = batch_document(batch)["meta"]
    for key, value in (("cxsurvey version", doc["version"]), ("Files", doc["n_files"]),
                       *([("Interrupted", f"by {batch.interrupted}: {len(batch.done)} of "
                                          f"{len(batch.files)} files done")]
                         if batch.interrupted else []),
                       ("Exit code", doc["exit_code"]), ("Worker processes", doc["jobs"]),
                       ("Seconds", doc["seconds"]), ("Output folder", doc["out_dir"]),
                       *[(f"Option: {k}", "none" if v is None else str(v))
                         for k, v in doc["options"].items()]):
        about.append([key, files.neutralise(value) if isinstance(value, str) else value])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60
    return files.atomic_write_workbook(path, wb)


def render_batch_console(batch: BatchResult, console) -> None:
    """One line per file: status, n, alpha range, CFI/RMSEA, failed checks or the error."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"cxsurvey batch: {len(batch.files)} file(s) in {batch.seconds:.1f} s "
                    f"({batch.jobs} worker(s))", title_justify="left", box=box.SIMPLE_HEAD,
              header_style="bold cyan")
    t.add_column("File", overflow="fold", ratio=1)
    t.add_column("Status", no_wrap=True, min_width=13)
    # after MLM/MLR the rules judge the robust CFI and RMSEA; the summary shows those
    if any(f.fit.get("estimator") in ROBUST_ESTIMATORS for f in batch.files):
        t.caption = "CFI, RMSEA: the robust indices (lavaan's .robust) the rules judge."
        t.caption_justify = "left"
    for col, width in (("N", 4), ("Alpha", 9), ("CFI", 5), ("RMSEA", 5), ("Failed", 9)):
        t.add_column(col, justify="right", no_wrap=True, min_width=width)
    for f in batch.files:
        alphas = [r["alpha"] for r in f.reliability if r.get("alpha") is not None]
        style = "green" if f.status == "ok" else "red"
        status = f.status if f.status != "error" else f"error: exit {f.exit_code}"
        t.add_row(Path(f.file).name, Text(status, style=style),
                  "" if f.n_used is None else str(f.n_used),
                  f"{min(alphas):.2f}-{max(alphas):.2f}" if alphas else "",
                  _judged(f.fit, "cfi"), _judged(f.fit, "rmsea"),
                  Text(f"{len(f.failed_checks)} of {f.n_checks}" if f.n_checks else "",
                       style=style))
    console.print(t)


def _judged(fit: dict, statistic: str) -> str:
    """The value of a fit index that the rules judged, for the summary table."""
    value = judged_fit(fit, statistic, str(fit.get("estimator", "ML"))).value
    return "" if value is None else f"{value:.3f}"


def render_batch_junit(batch: BatchResult) -> str:
    """JUnit XML over a batch: each file's checks (read back from its JSON report, which
    holds every check, not only the failed ones) and an error case per failed file."""
    import pandas as pd

    from cxsurvey.gates.results import ChecksResult
    from cxsurvey.report.junit import render_junit
    from cxsurvey.results import Results

    runs = []
    for f in batch.files:
        if f.status == "error" or "json" not in f.reports:
            continue
        doc = json.loads(Path(f.reports["json"]).read_text(encoding="utf-8"))
        if "checks" in doc:
            runs.append(Results(meta=doc["meta"], checks=ChecksResult(
                pd.DataFrame(doc["checks"]),
                pd.DataFrame(doc["checks_skipped"], columns=["name", "reason"]),
                doc["checks_summary"]["rule_set"])))
    return render_junit(runs, [(f.file, f.error or "") for f in batch.failed])
