"""Whole-process timings of the foundation commands (the foundation commands).

Times, as separate processes, ``cxsurvey --help``, ``cxsurvey analyze`` on the bundled
157-respondent sample, and ``cxsurvey analyze`` on a simulated 100,000 x 100-item survey
(20 constructs x 5 items, written once as CSV to benchmarks/_data/). Reports the median
and range of wall time over repeated runs and the peak resident memory of each process
(``ru_maxrss`` from ``os.wait4``).

Usage: python benchmarks/bench_foundation.py [--runs 5] [--big-runs 3] [--skip-big]
Targets: --help < 0.3 s; sample < 2 s; 100,000 x 100 < 20 s and < 2 GiB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "_data"


def cxsurvey_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "cxsurvey"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("cxsurvey")
    return [found] if found else [sys.executable, "-m", "cxsurvey"]


def time_process(cmd: list[str]) -> tuple[float, float, int]:
    """(wall seconds, cpu seconds, peak RSS bytes) of one run of ``cmd``."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {err[-2000:]}")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return wall, usage.ru_utime + usage.ru_stime, rss



def paired(label: str, ours: list[str], theirs: list[str] | None, runs: int,
           width: int = 44) -> None:
    """Whole processes in turn (ours, theirs, ours, ...; one unmeasured warm-up each):
    both medians and the median of the pair-by-pair ratio, on one line."""
    time_process(ours)
    if theirs:
        time_process(theirs)
    a, b, ratio = [], [], []
    for _ in range(runs):
        wa = time_process(ours)[0]
        a.append(wa)
        if theirs:
            wb = time_process(theirs)[0]
            b.append(wb)
            ratio.append(wa / wb)
    line = f"{label:<{width}} cxsurvey median {statistics.median(a):6.2f} s"
    if theirs:
        line += (f" | lavaan median {statistics.median(b):6.2f} s | paired ratio "
                 f"{statistics.median(ratio):.2f}")
    print(line + f" (n={runs})", flush=True)

def bench(label: str, cmd: list[str], runs: int, warmup: int = 1) -> dict:
    for _ in range(warmup):
        time_process(cmd)
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        w, c, r = time_process(cmd)
        walls.append(w)
        cpus.append(c)
        rss.append(r)
    row = {"label": label, "runs": runs, "wall_median": statistics.median(walls),
           "wall_min": min(walls), "wall_max": max(walls),
           "cpu_median": statistics.median(cpus), "peak_rss_mib": max(rss) / 2**20}
    print(f"{label:<44} wall median {row['wall_median']:7.3f} s "
          f"(min {row['wall_min']:.3f}, max {row['wall_max']:.3f}; n={runs})  "
          f"cpu {row['cpu_median']:6.2f} s  peak RSS {row['peak_rss_mib']:7.1f} MiB",
          flush=True)
    return row


def make_big(n: int = 100_000, constructs: int = 20, per: int = 5, seed: int = 7) -> Path:
    """A 100,000 x 100-item Likert survey: one factor per construct, skewed answers."""
    import numpy as np

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"survey_{n}x{constructs * per}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal((n, constructs))
    cols, blocks = [], []
    cuts = np.array([-2.0, -1.3, -0.5, 0.4])
    for c in range(constructs):
        lam = rng.uniform(0.55, 0.85, per)
        x = eta[:, [c]] * lam + rng.standard_normal((n, per)) * np.sqrt(1 - lam**2)
        blocks.append(np.searchsorted(cuts, x) + 1)
        cols += [f"Q{chr(65 + c)}{j + 1}" for j in range(per)]
    data = np.hstack(blocks)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("id," + ",".join(cols) + "\n")
        ids = np.arange(1, n + 1)[:, None]
        np.savetxt(fh, np.hstack([ids, data]), fmt="%d", delimiter=",")
    os.replace(tmp, path)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big-runs", type=int, default=3)
    ap.add_argument("--skip-big", action="store_true")
    args = ap.parse_args()
    exe = cxsurvey_cmd()
    sample = ROOT / "sample_surveys" / "cx_journey.xlsx"
    model = ROOT / "sample_surveys" / "cx_journey.toml"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, command {' '.join(exe)}")
    bench("cxsurvey --help", [*exe, "--help"], args.runs)
    bench("cxsurvey analyze --help", [*exe, "analyze", "--help"], args.runs)
    bench("analyze sample (157 x 33, table)",
          [*exe, "analyze", str(sample), "--model", str(model), "--method", "none"], args.runs)
    bench("analyze sample (157 x 33, json)",
          [*exe, "analyze", str(sample), "--model", str(model), "--method", "none",
           "--format", "json"], args.runs)
    if not args.skip_big:
        big = make_big()
        bench("analyze 100,000 x 100 csv (json)",
              [*exe, "analyze", str(big), "--format", "json"], args.big_runs, warmup=0)


if __name__ == "__main__":
    main()
