"""Whole-process timing of ``cxsurvey batch`` with 1 and 2 worker processes.

Draws 20 survey files from the sample's population model (157 respondents each, seeds
1..20, written once to benchmarks/_data/batch/ with ``cxsurvey simulate``), then times
``cxsurvey batch DIR --model sample_surveys/cx_journey.toml --out-dir TMP --jobs N`` for
N = 1 and 2: each file gets descriptives, normality, reliability, the CFA and the CB
paths, and a JSON and an Excel report. Prints median and range of the wall time and the
speed-up.

Usage: python benchmarks/bench_batch.py [--runs 3] [--files 20] [--html]
Target: --jobs 2 takes less wall time than --jobs 1.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import DATA, ROOT, bench, cxsurvey_cmd  # noqa: E402

POPULATION = ROOT / "sample_surveys" / "cx_journey_population.toml"
MODEL = ROOT / "sample_surveys" / "cx_journey.toml"


def make_files(n_files: int, n: int = 157) -> Path:
    folder = DATA / "batch"
    folder.mkdir(parents=True, exist_ok=True)
    for seed in range(1, n_files + 1):
        out = folder / f"wave{seed:02d}.xlsx"
        if not out.exists():
            subprocess.run([*cxsurvey_cmd(), "simulate", str(POPULATION), "--n", str(n),
                            "--seed", str(seed), "-o", str(out)], check=True,
                           stdout=subprocess.DEVNULL)
    for extra in sorted(folder.glob("wave*.xlsx"))[n_files:]:
        extra.unlink()
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--html", action="store_true", help="also write an HTML report per file")
    args = ap.parse_args()
    folder = make_files(args.files)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for jobs in (1, 2):
            cmd = [*cxsurvey_cmd(), "batch", str(folder), "--model", str(MODEL), "--out-dir",
                   str(Path(tmp) / f"out{jobs}"), "--jobs", str(jobs), "--quiet",
                   *(["--html"] if args.html else [])]
            rows[jobs] = bench(f"batch {args.files} files --jobs {jobs}", cmd, args.runs,
                               warmup=0)
    speedup = rows[1]["wall_median"] / rows[2]["wall_median"]
    print(f"speed-up with 2 workers: {speedup:.2f}x "
          f"({rows[1]['wall_median']:.1f} s -> {rows[2]['wall_median']:.1f} s)")


if __name__ == "__main__":
    main()
