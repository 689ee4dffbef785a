"""Timings of the covariance-based analyses (CFA and CB path testing).

Whole processes: ``cxsurvey cfa`` and ``cxsurvey paths --method cb`` on the bundled sample
and on Holzinger-Swineford, and 1,000 bootstrap resamples of the sample's CFA. In-process:
the ML fit alone (``fit_cb``), median of repeated fits; lavaan's time for the same models
when ``Rscript`` with lavaan is available.

Usage: python benchmarks/bench_cb.py [--runs 5] [--boot 1000] [--skip-boot]
Targets: ``paths --method cb`` on the sample < 3 s; 1,000 CFA resamples < 60 s (2 cores).
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--skip-boot", action="store_true")
    args = ap.parse_args()
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
        bench(f"cfa sample --se bootstrap --bootstrap {args.boot}",
              [*exe, "cfa", str(SAMPLE), "-m", str(SAMPLE_MODEL), "--se", "bootstrap",
               "--bootstrap", str(args.boot), "--seed", "1", "-f", "json"], 1, warmup=0)


if __name__ == "__main__":
    main()
