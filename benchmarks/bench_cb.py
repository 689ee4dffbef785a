"""Timings of the covariance-based analyses (CFA and CB path testing).

Whole processes: ``cxsurvey cfa`` and ``cxsurvey paths --method cb`` on the bundled sample
and on Holzinger-Swineford, and 1,000 bootstrap resamples of the sample's CFA. In-process:
the ML fit alone (``fit_cb``), median of repeated fits, and one bootstrap refit (the fast
compiled refit against a whole ``fit_cb`` refit); lavaan's time for the same models when
``Rscript`` with lavaan is available.

Bootstrap against lavaan, paired, one core each: ``cxsurvey cfa HS --se bootstrap
--bootstrap 1000`` and ``Rscript`` running lavaan's ``cfa(..., se = "bootstrap",
bootstrap = 1000)``, each a whole process (start-up, reading, the full-sample fit and the
resamples) pinned to one CPU with BLAS/OpenMP threads at 1 and ``CXSURVEY_JOBS=1``; wall
times from ``os.wait4``, the pair repeated ``--boot-pairs`` times, medians and their
ratio printed. Skipped when ``Rscript`` (or lavaan) is absent.

Usage: python benchmarks/bench_cb.py [--runs 5] [--boot 1000] [--boot-pairs 3]
                                     [--skip-boot] [--only-lavaan-pair]
Targets: ``paths --method cb`` on the sample < 3 s; 1,000 CFA resamples < 60 s (2 cores);
1,000 HS resamples at least 3x faster than lavaan.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_foundation import ROOT, bench, cxsurvey_cmd

SAMPLE = ROOT / "sample_surveys" / "cx_journey.xlsx"
SAMPLE_MODEL = ROOT / "sample_surveys" / "cx_journey.toml"
HS = ROOT / "tests" / "data" / "holzinger_swineford_1939.csv"
HS_MODEL = ROOT / "tests" / "data" / "hs_cfa_model.txt"


def in_process_fit(runs: int) -> None:
    import pandas as pd

    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.cb.ml_fit import fit_cb
    from cxsurvey.stats.cb.syntax import measurement_syntax, structural_syntax

    sv = read(SAMPLE, SAMPLE_MODEL)
    hs = pd.read_csv(HS)
    cases = [("HS 3-factor CFA", hs, HS_MODEL.read_text()),
             ("sample CFA (8 factors, 33 items)", sv.items, measurement_syntax(sv.constructs)),
             ("sample SEM (7 paths)", sv.items,
              structural_syntax(sv.constructs, sv.model.model))]
    for label, data, syntax in cases:
        fit_cb(data, syntax)  # warm-up: semopy import, first-call costs
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fit_cb(data, syntax)
            times.append(time.perf_counter() - t)
        print(f"in-process fit_cb {label:<34} median {statistics.median(times) * 1000:7.1f} ms "
              f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f}; n={runs})",
              flush=True)


LAVAAN = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- readLines("{model}")
m <- paste(m, collapse = "\n")
fit <- cfa(m, data = d)
t <- replicate({runs}, system.time({{f <- cfa(m, data = d); fitMeasures(f);
                                    standardizedSolution(f)}})[["elapsed"]])
cat(sprintf("lavaan %s: median %.1f ms (n=%d)\n", "{label}", median(t) * 1000, {runs}))
"""


def lavaan_times(runs: int) -> None:
    if not shutil.which("Rscript"):
        print("lavaan: Rscript not found, skipped")
        return
    import pandas as pd

    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.cb.syntax import measurement_syntax

    with tempfile.TemporaryDirectory() as tmp:
        sv = read(SAMPLE, SAMPLE_MODEL)
        data = Path(tmp) / "sample.csv"
        sv.items.to_csv(data, index=False)
        model = Path(tmp) / "sample_cfa.txt"
        model.write_text(measurement_syntax(sv.constructs))
        pd.read_csv(HS)  # checks the file exists
        for label, d, m in (("HS CFA", HS, HS_MODEL), ("sample CFA", data, model)):
            script = LAVAAN.format(data=d, model=m, runs=runs, label=label)
            proc = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
            print(proc.stdout.strip() or f"lavaan {label}: failed: {proc.stderr[-300:]}")


ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1", "CXSURVEY_JOBS": "1"}

LAVAAN_BOOT = r"""
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- paste(readLines("{model}"), collapse = "\n")
set.seed(1)
fit <- cfa(m, data = d, se = "bootstrap", bootstrap = {boot})
invisible(parameterEstimates(fit))
"""


def _one_core() -> None:
    """Pin the child process to the first CPU it may use (inherited by its threads)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def time_one_core(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``cmd`` on one core with one BLAS thread."""
    env = {**os.environ, **ONE_THREAD}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            preexec_fn=_one_core)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed: {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def bootstrap_vs_lavaan(boot: int, pairs: int) -> None:
    """cxsurvey's and lavaan's 1,000-resample bootstrap of the HS CFA, paired runs."""
    exe = cxsurvey_cmd()
    ours = [*exe, "cfa", str(HS), "--model", str(HS_MODEL), "--se", "bootstrap",
            "--bootstrap", str(boot), "--seed", "1", "-f", "json"]
    rscript = shutil.which("Rscript")
    if rscript:
        check = subprocess.run([rscript, "-e", "library(lavaan)"], capture_output=True)
        rscript = rscript if check.returncode == 0 else None
    if not rscript:
        print("bootstrap vs lavaan: Rscript with lavaan not found, skipped")
        return
    theirs = [rscript, "-e", LAVAAN_BOOT.format(data=HS, model=HS_MODEL, boot=boot)]
    time_one_core(ours)  # warm-up: file caches, byte code
    a, b = [], []
    for _ in range(pairs):
        a.append(time_one_core(ours))
        b.append(time_one_core(theirs))
    for k, what in ((0, "wall"), (1, "cpu")):
        xa, xb = [x[k] for x in a], [x[k] for x in b]
        ma, mb = statistics.median(xa), statistics.median(xb)
        print(f"HS CFA, {boot} bootstrap resamples, whole process, 1 core, {what}: cxsurvey "
              f"median {ma:.2f} s ({', '.join(f'{x:.2f}' for x in xa)}); lavaan median "
              f"{mb:.2f} s ({', '.join(f'{x:.2f}' for x in xb)}); lavaan / cxsurvey = "
              f"{mb / ma:.2f}x", flush=True)


def refit_times(runs: int) -> None:
    """One bootstrap refit of the HS CFA: fast compiled refit against ``fit_cb``."""
    import warnings

    import numpy as np
    import pandas as pd

    from cxsurvey.stats.cb.bootstrap import bootstrap_fit
    from cxsurvey.stats.cb.ml_fit import fit_cb

    hs = pd.read_csv(HS)
    syntax = HS_MODEL.read_text()
    fit = fit_cb(hs, syntax)
    data = hs[list(fit.observed)]
    keys = list(fit.params[["lhs", "op", "rhs"]].drop_duplicates().itertuples(index=False,
                                                                              name=None))
    n = len(data)
    idx = np.random.default_rng(1).integers(0, n, size=(200, n))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, fast, count in (("fast compiled refit", True, 200),
                                   ("fit_cb refit (before)", False, 20)):
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                bootstrap_fit(data, syntax, keys, jobs=1, indices=idx[:count], start=fit,
                              fast=fast)
                times.append((time.perf_counter() - t) / count)
            print(f"HS CFA bootstrap, {label:<22} median {statistics.median(times) * 1000:7.2f}"
                  f" ms per resample (n={runs} x {count})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--skip-boot", action="store_true")
    ap.add_argument("--boot-pairs", type=int, default=3)
    ap.add_argument("--only-lavaan-pair", action="store_true",
                    help="only the paired bootstrap timing against lavaan")
    args = ap.parse_args()
    if args.only_lavaan_pair:
        bootstrap_vs_lavaan(args.boot, args.boot_pairs)
        return
    exe = cxsurvey_cmd()
    print(f"python {sys.version.split()[0]}, command {' '.join(exe)}")
    bench("cfa sample (json)", [*exe, "cfa", str(SAMPLE), "-m", str(SAMPLE_MODEL),
                                "-f", "json"], args.runs)
    bench("paths --method cb sample (json)",
          [*exe, "paths", str(SAMPLE), "-m", str(SAMPLE_MODEL), "--method", "cb",
           "-f", "json"], args.runs)
    bench("cfa HS (json)", [*exe, "cfa", str(HS), "-m", str(HS_MODEL), "-f", "json"],
          args.runs)
    in_process_fit(max(args.runs, 10))
    lavaan_times(max(args.runs, 10))
    if not args.skip_boot:
        refit_times(3)
        bench(f"cfa sample --se bootstrap --bootstrap {args.boot}",
              [*exe, "cfa", str(SAMPLE), "-m", str(SAMPLE_MODEL), "--se", "bootstrap",
               "--bootstrap", str(args.boot), "--seed", "1", "-f", "json"], 1, warmup=0)
        bootstrap_vs_lavaan(args.boot, args.boot_pairs)


if __name__ == "__main__":
    main()
