"""Many survey files in one run: ``cxsurvey batch``.

Each file is analysed like ``cxsurvey analyze`` (with its sidecar model file when one sits
next to it: ``wave1.xlsx`` + ``wave1.toml``, else the shared ``--model``, else a model
inferred from the column names), in worker processes, and gets its own reports in the
output folder. A file that cannot be read or analysed is recorded with its error and
exit code; the others go on. The result is a :class:`~cxsurvey.results.BatchResult`
with one :class:`~cxsurvey.results.FileOutcome` per input, which
:mod:`cxsurvey.report.batch_report` writes as the summary workbook and JSON.

Exit code of a batch: the highest of the files' codes (0 done, 1 a check failed, 2 the
file's input is wrong, 3 the analysis cannot be computed, 70 internal error).
"""

from __future__ import annotations

import glob
import os
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxsurvey.errors import CxSurveyError, InputError, Location
from cxsurvey.options import Method, Options
from cxsurvey.results import BatchResult, FileOutcome

__all__ = ["Job", "expand_inputs", "plan_jobs", "run_batch", "sidecar_model"]

SURVEY_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".sav")
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Job:
    """One file of a batch: where it is, which model and where its reports go."""

    survey: Path
    model: Path | None
    model_source: str  # "sidecar", "--model" or "inferred"
    reports: dict[str, Path]  # format ("json", "xlsx", "html") -> path


def expand_inputs(args: Iterable[str | Path]) -> list[Path]:
    """Survey files from paths, folders (their survey files, not recursive) and globs.

    A pattern the shell did not expand (quoted, or on Windows) is expanded here. A path
    that does not exist is kept, so that the batch reports it as a failed file. Excel's
    lock files (``~$name.xlsx``) are skipped; duplicates are dropped, order is kept.
    """
    out: list[Path] = []
    for arg in args:
        text = str(arg)
        p = Path(text)
        if p.is_dir():
            found = sorted(q for q in p.iterdir()
                           if q.is_file() and q.suffix.lower() in SURVEY_SUFFIXES)
        elif not p.exists() and _GLOB_CHARS & set(text):
            found = sorted(Path(g) for g in glob.glob(text)
                           if Path(g).is_file() and Path(g).suffix.lower() in SURVEY_SUFFIXES)
            if not found:
                raise InputError(f"no survey file matches {text!r}", Location(),
                                 "Check the pattern; survey files end in "
                                 + ", ".join(SURVEY_SUFFIXES) + ".")
        else:
            found = [p]
        for q in found:
            if q.name.startswith("~$"):
                continue
            if q.resolve() not in {o.resolve() for o in out}:
                out.append(q)
    return out


def sidecar_model(survey: Path) -> Path | None:
    """``wave1.toml`` next to ``wave1.xlsx`` (also ``wave1.model.toml``), if present."""
    for candidate in (survey.with_suffix(".toml"), survey.with_suffix(".model.toml")):
        if candidate.is_file():
            return candidate
    return None


def plan_jobs(surveys: list[Path], model: Path | None, out_dir: Path,
         formats: tuple[str, ...] = ("json", "xlsx")) -> list[Job]:
    """A :class:`Job` per survey with unique report names in ``out_dir``.

    Raises
    ------
    InputError
        A report or summary file would overwrite one of the inputs or models.
    """
    jobs: list[Job] = []
    used: set[str] = {"summary"}
    for s in surveys:
        side = sidecar_model(s)
        chosen, source = (side, "sidecar") if side else (
            (model, "--model") if model else (None, "inferred"))
        stem, k = s.stem, 2
        while stem.lower() in used:
            stem = f"{s.stem}-{k}"
            k += 1
        used.add(stem.lower())
        jobs.append(Job(s, chosen, source, {f: out_dir / f"{stem}.{f}" for f in formats}))
    inputs = {p.resolve() for j in jobs for p in (j.survey, j.model) if p is not None}
    outputs = [p for j in jobs for p in j.reports.values()] + [
        out_dir / "summary.json", out_dir / "summary.xlsx"]
    for out in outputs:
        if out.resolve() in inputs:
            raise InputError(f"the report {out.name} would overwrite an input file",
                             Location(file=str(out)),
                             "Choose an --out-dir that holds none of the survey or model "
                             "files, e.g. --out-dir reports.")
    return jobs


def _outcome(job: Job, res, seconds: float) -> FileOutcome:
    from cxsurvey.report.json_report import records

    out = FileOutcome(str(job.survey), str(job.model) if job.model else None,
                      job.model_source, seconds=seconds,
                      n_rows=res.meta.get("n_rows"), n_used=res.meta.get("n_used"),
                      warnings=list(res.warnings), summary=list(res.summary))
    if res.reliability is not None:
        out.reliability = records(res.reliability.constructs,
                                  ["construct", "n_items", "alpha", "omega", "rho_a", "rho_c",
                                   "ave"])
    if res.cfa is not None:
        import pandas as pd

        keys = ("n", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr")
        out.fit = records(pd.DataFrame([{k: res.cfa.fit[k] for k in keys
                                         if k in res.cfa.fit}]))[0]
    for p in res.paths:
        out.paths += records(p.paths, ["from", "to", "est", "std_all", "se", "t", "pvalue",
                                       "ci_lower", "ci_upper", "method"])
    if res.checks is not None:
        out.n_checks = len(res.checks.checks)
        failed = res.checks.failed
        out.failed_checks = records(failed.astype(object).where(failed.notna(), None),
                                    ["name", "construct", "item", "other", "source", "value",
                                     "threshold", "direction", "citation", "message"])
        if not res.checks.ok:
            out.status, out.exit_code = "checks failed", 1
    return out


def run_job(job: Job, method: Method, options: Options, rules: str | None = None,
            gate: bool = False) -> FileOutcome:
    """Analyse one file and write its reports; never raises (errors become the outcome).

    The file's rule set is ``rules`` (a built-in set or rules file) with the file's own
    model ``[checks]`` on top; with ``gate`` the file is checked against it.
    """
    start = time.perf_counter()
    try:
        from cxsurvey.app.pipeline import run_command

        res = run_command("batch", job.survey, job.model, method=method, options=options,
                          rules=rules, gate=gate)
        _write_reports(res, job)
        out = _outcome(job, res, time.perf_counter() - start)
        out.reports = {k: str(v) for k, v in job.reports.items()}
        return out
    except CxSurveyError as exc:
        return FileOutcome(str(job.survey), str(job.model) if job.model else None,
                           job.model_source, status="error", exit_code=exc.exit_code,
                           error=str(exc), seconds=time.perf_counter() - start)
    except Exception as exc:  # a bug must not stop the other files
        last = traceback.extract_tb(exc.__traceback__)[-1]
        return FileOutcome(str(job.survey), str(job.model) if job.model else None,
                           job.model_source, status="error", exit_code=70,
                           error=f"internal error {type(exc).__name__}: {exc} "
                                 f"({Path(last.filename).name}:{last.lineno})",
                           seconds=time.perf_counter() - start)


def _write_reports(res, job: Job) -> None:
    from cxsurvey.report import files

    for fmt, path in job.reports.items():
        if fmt == "json":
            from cxsurvey.report.json_report import render_json

            files.atomic_write_text(path, render_json(res))
        elif fmt == "xlsx":
            from cxsurvey.report.excel.workbook import write_excel

            write_excel(res, path)
        elif fmt == "html":
            from cxsurvey.report.html.page import write_html

            write_html(res, path)


def _worker_init() -> None:
    """Batch worker: one BLAS thread, bootstraps in-process (the batch owns the cores)."""
    os.environ["CXSURVEY_JOBS"] = "1"
    from cxsurvey.stats.threads import single_threaded_blas

    single_threaded_blas()


def _call(args: tuple) -> FileOutcome:
    return run_job(*args)


def run_batch(jobs: list[Job], method: Method, options: Options, rules: str | None = None,
              gate: bool = False, workers: int | None = None,
              progress: Callable[[FileOutcome, int, int], Any] | None = None) -> BatchResult:
    """Run every job, ``workers`` files at a time (default: the CPU count).

    ``progress(outcome, done, total)`` is called as each file finishes (in completion
    order); the result lists the files in input order.
    """
    start = time.perf_counter()
    n = len(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, n or 1))
    args = [(j, method, options, rules, gate) for j in jobs]
    outcomes: list[FileOutcome | None] = [None] * n
    if workers == 1:
        for i, a in enumerate(args):
            outcome = outcomes[i] = _call(a)
            if progress:
                progress(outcome, i + 1, n)
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_worker_init) as pool:
            futures = {pool.submit(_call, a): i for i, a in enumerate(args)}
            for done, fut in enumerate(as_completed(futures), start=1):
                i = futures[fut]
                try:
                    outcome = fut.result()
                except Exception as exc:  # the worker process itself died
                    j = jobs[i]
                    outcome = FileOutcome(str(j.survey), str(j.model) if j.model else None,
                                          j.model_source, status="error", exit_code=70,
                                          error=f"worker failed: {type(exc).__name__}: {exc}")
                outcomes[i] = outcome
                if progress:
                    progress(outcome, done, n)
    out_dir = next(iter(jobs[0].reports.values())).parent if jobs else Path(".")
    return BatchResult(tuple(o for o in outcomes if o is not None), out_dir,
                       options.as_dict(), workers, time.perf_counter() - start)
