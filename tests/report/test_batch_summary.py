"""The batch summary shows the fit values the rules judge: the robust CFI and RMSEA
after MLM/MLR (said in a caption), the ML ones otherwise; the Fit sheet has both."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from cxsurvey.report.batch_report import _rows, render_batch_console
from cxsurvey.results import BatchResult, FileOutcome

FIT = {"n": 157, "chisq": 529.7, "df": 467, "pvalue": 0.02, "cfi": 0.931, "tli": 0.92,
       "rmsea": 0.061, "srmr": 0.057}


def _batch(estimator: str) -> BatchResult:
    fit = {**FIT, "estimator": estimator, "missing": "listwise"}
    if estimator != "ML":
        fit.update(chisq_scaled=511.0, cfi_robust=0.982, tli_robust=0.98,
                   rmsea_robust=0.021)
    f = FileOutcome("wave1.xlsx", None, "sidecar", fit=fit, n_rows=157, n_used=157)
    return BatchResult(files=(f,), out_dir=Path("out"), options={}, jobs=1, seconds=1.0)


def _console_text(batch: BatchResult) -> str:
    console = Console(record=True, width=100)
    render_batch_console(batch, console)
    return console.export_text()


def test_robust_estimator_shows_the_robust_values_and_says_so() -> None:
    text = _console_text(_batch("MLR"))
    assert "0.982" in text and "0.021" in text and "0.931" not in text
    assert "robust indices" in text


def test_ml_shows_the_ml_values() -> None:
    text = _console_text(_batch("ML"))
    assert "0.931" in text and "0.061" in text and "robust" not in text


def test_fit_sheet_has_both() -> None:
    header, rows = _rows(_batch("MLR"))["Fit"]
    row = dict(zip(header, rows[0], strict=True))
    assert (row["CFI"], row["CFI (robust)"], row["Estimator"]) == (0.931, 0.982, "MLR")
