"""Whole-process timings of reading large surveys: CSV at two shapes, and xlsx against CSV.

Times, as separate processes, ``cxsurvey analyze FILE --method none --format json`` (read,
recode, screen, descriptives, normality, reliability; no CFA) on simulated Likert
surveys written once to benchmarks/_data/:

- 100,000 respondents x 100 items (20 constructs x 5), CSV;
- 1,000,000 respondents x 30 items (6 constructs x 5), CSV;
- 50,000 x 40 as CSV and as xlsx (the same table), for the xlsx/CSV ratio;

and, as the floor a reader cannot beat, pandas' C parser reading the 1,000,000 x 30 CSV
alone (``python -c "import pandas; pandas.read_csv(FILE)"``). Prints median and range of
the wall time and the peak resident memory of each process (``ru_maxrss``).

Usage: python benchmarks/bench_readers.py [--runs 3] [--skip-million] [--skip-xlsx]
Targets: 100,000 x 100 under 4 s; 1,000,000 x 30 under 12 s and 600 MB; xlsx within 3x
of the same table as CSV.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import bench, cxsurvey_cmd, make_big  # noqa: E402


def make_xlsx_pair(n: int = 50_000, constructs: int = 8, per: int = 5) -> tuple[Path, Path]:
    """The same simulated table as CSV and as xlsx (openpyxl's write-only mode)."""
    import openpyxl
    import pandas as pd

    csv = make_big(n=n, constructs=constructs, per=per)
    xlsx = csv.with_suffix(".xlsx")
    if not xlsx.exists():
        frame = pd.read_csv(csv)
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Responses")
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            ws.append([int(v) for v in row])
        tmp = xlsx.with_name(xlsx.stem + ".tmp.xlsx")
        wb.save(tmp)
        os.replace(tmp, xlsx)
    return csv, xlsx


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-million", action="store_true")
    ap.add_argument("--skip-xlsx", action="store_true")
    args = ap.parse_args()
    exe = cxsurvey_cmd()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, command {' '.join(exe)}")

    def analyze(path: Path) -> list[str]:
        return [*exe, "analyze", str(path), "--method", "none", "--format", "json"]

    big = make_big()
    bench("analyze 100,000 x 100 csv", analyze(big), args.runs, warmup=0)
    if not args.skip_million:
        million = make_big(n=1_000_000, constructs=6, per=5)
        bench("analyze 1,000,000 x 30 csv", analyze(million), args.runs, warmup=0)
        bench("pandas.read_csv 1,000,000 x 30 (floor)",
              [sys.executable, "-c", f"import pandas; pandas.read_csv({str(million)!r})"],
              args.runs, warmup=0)
    if not args.skip_xlsx:
        csv, xlsx = make_xlsx_pair()
        a = bench("analyze 50,000 x 40 csv", analyze(csv), args.runs, warmup=0)
        b = bench("analyze 50,000 x 40 xlsx", analyze(xlsx), args.runs, warmup=0)
        print(f"xlsx / csv: {b['wall_median'] / a['wall_median']:.2f}x")


if __name__ == "__main__":
    main()
