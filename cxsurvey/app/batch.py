"""Many survey files in one run: ``cxsurvey batch``.

Each file is analysed like ``cxsurvey analyze`` (with its sidecar model file when one sits
next to it: ``wave1.xlsx`` + ``wave1.toml``, else the shared ``--model``, else a model
inferred from the column names), in worker processes, and gets its own reports in the
output folder. A file that cannot be read or analysed is recorded with its error and
exit code; the others go on. The result is a :class:`~cxsurvey.results.BatchResult`
with one :class:`~cxsurvey.results.FileOutcome` per input, which
:mod:`cxsurvey.report.batch_report` writes as the summary workbook and JSON.

Exit code of a batch: the highest of the files' codes (0 done, 1 a check failed, 2 the
file's input is wrong, 3 the analysis cannot be computed, 70 internal error); 130 or 143
when SIGINT or SIGTERM stopped it (:class:`Interrupts`).
"""

from __future__ import annotations

import contextlib
import glob
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from cxsurvey.errors import CxSurveyError, InputError, Location
from cxsurvey.options import Method, Options
from cxsurvey.results import BatchResult, FileOutcome

__all__ = ["BatchInterrupt", "Interrupts", "Job", "expand_inputs", "plan_jobs", "run_batch",
           "sidecar_model", "stop_processes"]

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
    import pandas as pd

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
        keys = ("n", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "chisq_scaled",
                "cfi_robust", "tli_robust", "rmsea_robust")
        out.fit = records(pd.DataFrame([{k: res.cfa.fit[k] for k in keys  # type: ignore[literal-required]
                                         if k in res.cfa.fit}]))[0]
        out.fit.update(estimator=res.cfa.estimator, missing=res.cfa.missing)
    for p in res.paths:
        out.paths += records(p.paths, ["from", "to", "est", "std_all", "se", "t", "pvalue",
                                       "ci_lower", "ci_upper", "method"])
    if res.invariance is not None:
        from cxsurvey.gates.invariance import judge_invariance

        judged = judge_invariance(res.invariance, res.verdicts.rules)
        steps = judged.steps.set_index("step")
        out.invariance = records(pd.DataFrame([{
            "group": (res.meta.get("group") or {}).get("column"),
            "groups": ", ".join(map(str, res.invariance.groups)),
            "reached": judged.reached,
            **{f"delta_cfi_{s}": steps.loc[s, "delta_cfi"] for s in steps.index
               if s != "configural"}}]))[0]
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


class BatchInterrupt(BaseException):
    """A signal stopped the batch (raised in the main thread by :class:`Interrupts`).

    A ``BaseException``, like ``KeyboardInterrupt``: the per-file ``except Exception`` of
    :func:`run_job` must not turn it into a failed file.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Interrupts:
    """SIGINT and SIGTERM during a batch: the first one stops the run, later ones wait.

    A context manager for the main thread: on entry its handler replaces the process's
    handlers of SIGINT and SIGTERM, on exit the previous ones are restored (elsewhere
    than in the main thread it installs nothing). While *armed* (by :func:`run_batch`,
    as long as files are being analysed) the first signal terminates the processes the
    run started and raises :class:`BatchInterrupt`, which aborts the file being analysed
    in-process. Any other signal is only recorded, so that the summary written after
    the run is never cut off half-way. ``signum`` is the first signal received; the
    caller decides how to exit.

    A child forked while the handler is installed, before it set up its own, ignores
    SIGINT (the parent stops the run) and ends on SIGTERM as by default.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.signum: int | None = None
        self._pid = os.getpid()
        self._armed = False
        self._before: set[Any] = set()
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    @property
    def name(self) -> str | None:
        """The first signal's name (``"SIGINT"``), or None."""
        return None if self.signum is None else signal.Signals(self.signum).name

    def arm(self) -> None:
        """From now on the first signal stops the run (at once if one came already)."""
        self._before = set(multiprocessing.active_children())
        if self.signum is not None:
            raise BatchInterrupt(self.signum)
        self._armed = True

    def check(self) -> None:
        """Raise :class:`BatchInterrupt` if a signal came: the run's own test between
        files, for a signal whose exception was swallowed (raised while a finaliser
        ran)."""
        if self.signum is not None:
            raise BatchInterrupt(self.signum)

    def disarm(self) -> None:
        """From now on signals are only recorded."""
        self._armed = False

    def started(self) -> list[Any]:
        """The live child processes started since :meth:`arm` (workers, bootstrap pools)."""
        return [p for p in multiprocessing.active_children() if p not in self._before]

    def _handle(self, signum: int, frame: object) -> None:
        if os.getpid() != self._pid:
            if signum == signal.SIGTERM:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
            return
        if self.signum is None:
            self.signum = signum
        if self._armed:
            self._armed = False
            # before unwinding: a process pool of the file being analysed in-process
            # (the bootstrap's) would otherwise finish all its work on shutdown
            for child in self.started():
                with contextlib.suppress(OSError):
                    child.terminate()
            raise BatchInterrupt(signum)


_WRITING: list[Path] = []
"""In a worker: the reports of the file it is analysing."""


def _worker_sigterm(signum: int, frame: object) -> None:
    """SIGTERM in a worker: remove the temporary files of the reports being written, end.

    The handler runs between two bytecodes of the main thread, so no rename is under
    way; the process ends at once rather than unwinding the analysis (an exception
    raised while a finaliser runs, e.g. a zip archive's ``__del__``, would be swallowed
    and the worker would go on).
    """
    from cxsurvey.report import files

    with contextlib.suppress(Exception):
        files.remove_temp_files(_WRITING)
    os._exit(128 + signum)


def _worker_init() -> None:
    """Batch worker: one BLAS thread, bootstraps in-process (the batch owns the cores);
    SIGINT ignored (the parent process stops the run), SIGTERM ends it cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    os.environ["CXSURVEY_JOBS"] = "1"
    from cxsurvey.report import files  # noqa: F401  (imported before the handler needs it)
    from cxsurvey.stats.threads import single_threaded_blas

    single_threaded_blas()


def _call(args: tuple) -> FileOutcome:
    return run_job(*args)


def _worker_main(conn: Connection) -> None:
    """A worker process: ``(index, args)`` in, ``(index, outcome)`` out, ``None`` stops.

    It also stops when its parent is gone (the batch's process was killed), so that no
    worker outlives the run.
    """
    parent = os.getppid()
    _worker_init()
    try:
        while True:
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            task = conn.recv()
            if task is None:
                return
            index, args = task
            _WRITING[:] = args[0].reports.values()
            outcome = _call(args)
            _WRITING.clear()
            conn.send((index, outcome))
    except (EOFError, OSError):
        return


@dataclass
class _Slot:
    """A worker process of the pool and the file it is analysing."""

    process: Any
    conn: Connection
    index: int | None = None


def _start_worker(ctx: Any) -> _Slot:
    parent_end, child_end = ctx.Pipe()
    process = ctx.Process(target=_worker_main, args=(child_end,), name="cxsurvey-batch")
    process.start()
    child_end.close()
    return _Slot(process, parent_end)


def stop_processes(processes: Iterable[Any], grace: float = 2.0) -> None:
    """Terminate ``processes`` (SIGTERM), wait up to ``grace`` seconds, kill the rest.

    Returns when none of them is alive (each is joined, so none is left a zombie).
    """
    procs = list(processes)
    for p in procs:
        with contextlib.suppress(OSError, ValueError):
            p.terminate()
    deadline = time.monotonic() + grace
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
    for p in procs:
        if p.is_alive():
            with contextlib.suppress(OSError, ValueError):
                p.kill()
            p.join(5.0)


def _run_pool(args: list[tuple], workers: int, record: Callable[[int, FileOutcome], None],
              check: Callable[[], None]) -> None:
    """Analyse ``args`` in ``workers`` processes, calling ``record(index, outcome)`` as
    files finish and ``check()`` (which raises to stop) at least every half second.

    A pool of plain processes, one pipe each, driven from the main thread (no helper
    thread): an exception here (a :class:`BatchInterrupt`) stops the workers at once, and
    a worker that dies fails only the file it was analysing (it is replaced).
    """
    ctx = multiprocessing.get_context()
    pending = list(range(len(args)))[::-1]
    slots: list[_Slot] = []
    finished = False

    def dispatch(slot: _Slot) -> None:
        slot.index = None
        if pending:
            slot.index = pending.pop()
            slot.conn.send((slot.index, args[slot.index]))

    try:
        for _ in range(workers):
            slots.append(_start_worker(ctx))
            dispatch(slots[-1])
        while busy := [s for s in slots if s.index is not None]:
            check()
            ready = set(wait([s.conn for s in busy] + [s.process.sentinel for s in busy],
                             timeout=0.5))
            for k, slot in enumerate(slots):
                if slot.index is None or not {slot.conn, slot.process.sentinel} & ready:
                    continue
                index = slot.index
                try:
                    index, outcome = slot.conn.recv()
                except (EOFError, OSError):  # the worker process itself died
                    slot.process.join(5.0)
                    outcome = _failed(args[index][0], f"worker failed: process exited "
                                                      f"with code {slot.process.exitcode}")
                    slot.conn.close()
                    slot = slots[k] = _start_worker(ctx)
                record(index, outcome)
                dispatch(slot)
        finished = True
    finally:
        if finished:
            for slot in slots:
                with contextlib.suppress(OSError):
                    slot.conn.send(None)
            for slot in slots:
                slot.process.join(5.0)
        stop_processes(s.process for s in slots if s.process.is_alive())
        for slot in slots:
            slot.conn.close()


def _failed(job: Job, error: str) -> FileOutcome:
    return FileOutcome(str(job.survey), str(job.model) if job.model else None,
                       job.model_source, status="error", exit_code=70, error=error)


def run_batch(jobs: list[Job], method: Method, options: Options, rules: str | None = None,
              gate: bool = False, workers: int | None = None,
              progress: Callable[[FileOutcome, int, int], Any] | None = None,
              interrupts: Interrupts | None = None) -> BatchResult:
    """Run every job, ``workers`` files at a time (default: the CPU count).

    ``progress(outcome, done, total)`` is called as each file finishes (in completion
    order); the result lists the files in input order.

    SIGINT or SIGTERM stops the run (see :class:`Interrupts`; ``interrupts`` is the
    caller's, installed over the writing of the summary too, else the run installs its
    own): queued files are not started, the worker processes are terminated (killed
    when they do not end within 2 s), the file being analysed in-process is aborted,
    and the temporary files of unfinished reports are removed; reports already written
    stay. The result then names the signal in ``interrupted`` and lists the unfinished
    files with status ``cancelled``.
    """
    if interrupts is None:
        with Interrupts() as own:
            return run_batch(jobs, method, options, rules, gate, workers, progress, own)
    start = time.perf_counter()
    n = len(jobs)
    workers = max(1, min(workers or os.cpu_count() or 1, n or 1))
    args = [(j, method, options, rules, gate) for j in jobs]
    outcomes: list[FileOutcome | None] = [None] * n
    done = 0

    def record(i: int, outcome: FileOutcome) -> None:
        nonlocal done
        outcomes[i] = outcome
        done += 1
        if progress:
            progress(outcome, done, n)

    signum: int | None = None
    try:
        try:
            interrupts.arm()
            if workers == 1:
                for i, a in enumerate(args):
                    interrupts.check()
                    record(i, _call(a))
            else:
                _run_pool(args, workers, record, interrupts.check)
        finally:
            interrupts.disarm()
    except BatchInterrupt as exc:
        signum = exc.signum
        stop_processes(interrupts.started())
        from cxsurvey.report import files

        files.remove_temp_files([p for j in jobs for p in j.reports.values()])
    out_dir = next(iter(jobs[0].reports.values())).parent if jobs else Path(".")
    files_out = tuple(o if o is not None else FileOutcome(
        str(j.survey), str(j.model) if j.model else None, j.model_source,
        status="cancelled") for o, j in zip(outcomes, jobs, strict=True))
    return BatchResult(files_out, out_dir, options.as_dict(), workers,
                       time.perf_counter() - start,
                       None if signum is None else signal.Signals(signum).name)
