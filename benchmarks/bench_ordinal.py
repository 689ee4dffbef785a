"""Ordinal items: ``cxsurvey polychoric`` against lavaan's ``lavCor``, and ``cxsurvey cfa
--estimator wlsmv`` against lavaan's ``cfa(..., ordered = TRUE, estimator = "WLSMV")``.

Whole processes, paired (cxsurvey, lavaan, cxsurvey, lavaan, ...; the ratio taken pair
by pair), BLAS pinned to one thread for both:

- the bundled sample (157 respondents, 33 five-point items, 528 pairs);
- a simulated survey of 100,000 respondents from the sample's population model
  (``cxsurvey simulate``, written once to ``benchmarks/_data/``).

The WLSMV CFA runs twice: every item ordinal, and with the first item of each construct
continuous (``--ordered`` listing the others; lavaan's ``ordered = c(...)``: polyserial
correlations and the mixed Gamma).

cxsurvey runs ``cxsurvey polychoric DATA --model MODEL --format json`` and ``cxsurvey cfa
DATA --model MODEL --estimator wlsmv --format json``; lavaan runs ``lavCor(d, ordered =
names(d))`` and the eight-construct ``cfa(..., ordered = TRUE, estimator = "WLSMV")`` with
``fitMeasures`` in ``Rscript`` on the same answers as CSV (its start-up and package load
included, as cxsurvey's). Skips lavaan when ``Rscript`` or lavaan is absent.

Usage: python benchmarks/bench_ordinal.py [--runs 3] [--n 100000]
Target (a benchmark figure, not a test): faster than lavaan on both, at both sizes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_foundation import DATA, ROOT, cxsurvey_cmd, paired

SAMPLE = ROOT / "sample_surveys" / "cx_journey.xlsx"
MODEL = ROOT / "sample_surveys" / "cx_journey.toml"
POPULATION = ROOT / "sample_surveys" / "cx_journey_population.toml"

LAVCOR = """
suppressMessages(library(lavaan))
d <- read.csv("{data}")
r <- lavCor(d, ordered = names(d))
cat(dim(r), "\\n")
"""


WLSMV = """
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- paste(readLines("{model}"), collapse = "\\n")
f <- cfa(m, data = d, ordered = names(d), estimator = "WLSMV")
cat(fitMeasures(f, "chisq.scaled"), "\\n")
"""

MIXED = """
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- paste(readLines("{model}"), collapse = "\\n")
f <- cfa(m, data = d, ordered = c({ordered}), estimator = "WLSMV")
cat(fitMeasures(f, "chisq.scaled"), "\\n")
"""


def first_items() -> list[str]:
    """The first item of each construct: continuous in the mixed benchmark."""
    from cxsurvey.app.pipeline import read

    return [its[0] for its in read(SAMPLE, MODEL).constructs.values()]


def measurement_model(path: Path) -> Path:
    """The sample's measurement model as lavaan syntax."""
    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.cb.syntax import measurement_syntax

    path.write_text(measurement_syntax(read(SAMPLE, MODEL).constructs), encoding="utf-8")
    return path


def items_csv(survey: Path, path: Path) -> Path:
    """The model's items as cxsurvey reads them, for lavaan."""
    from cxsurvey.app.pipeline import read

    read(survey, MODEL).items.to_csv(path, index=False)
    return path


def read_items(survey: Path) -> list[str]:
    """The model's items, in model order."""
    from cxsurvey.app.pipeline import read

    return list(read(survey, MODEL).items.columns)


def simulated(n: int) -> Path:
    out = DATA / f"ordinal_{n}.xlsx"
    if not out.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        subprocess.run([*cxsurvey_cmd(), "simulate", str(POPULATION), "--n", str(n),
                        "--seed", "1", "-o", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    rscript = shutil.which("Rscript")
    if rscript and subprocess.run([rscript, "-e", "library(lavaan)"], capture_output=True,
                                  check=False).returncode != 0:
        rscript = None
    with tempfile.TemporaryDirectory() as tmp:
        for label, survey in (("sample (157 x 33)", SAMPLE),
                              (f"simulated ({args.n:,} x 33)", simulated(args.n))):
            ours = [*cxsurvey_cmd(), "polychoric", str(survey), "--model", str(MODEL),
                    "--format", "json"]
            theirs = None
            if rscript:
                csv = items_csv(survey, Path(tmp) / f"{survey.stem}.csv")
                script = Path(tmp) / f"{survey.stem}.R"
                script.write_text(LAVCOR.format(data=csv), encoding="utf-8")
                theirs = [rscript, str(script)]
            paired(f"polychoric, {label}", ours, theirs, args.runs, width=52)
            ours = [*cxsurvey_cmd(), "cfa", str(survey), "--model", str(MODEL),
                    "--estimator", "wlsmv", "--format", "json"]
            theirs = None
            if rscript:
                script = Path(tmp) / f"{survey.stem}_wlsmv.R"
                script.write_text(WLSMV.format(
                    data=Path(tmp) / f"{survey.stem}.csv",
                    model=measurement_model(Path(tmp) / "model.lav")), encoding="utf-8")
                theirs = [rscript, str(script)]
            paired(f"WLSMV CFA, {label}", ours, theirs, args.runs, width=52)
            continuous = set(first_items())
            ordered = [c for c in read_items(survey) if c not in continuous]
            ours = [*cxsurvey_cmd(), "cfa", str(survey), "--model", str(MODEL),
                    "--estimator", "wlsmv", "--ordered", ",".join(ordered), "--format",
                    "json"]
            theirs = None
            if rscript:
                script = Path(tmp) / f"{survey.stem}_mixed.R"
                script.write_text(MIXED.format(
                    data=Path(tmp) / f"{survey.stem}.csv", model=Path(tmp) / "model.lav",
                    ordered=", ".join(f'"{c}"' for c in ordered)), encoding="utf-8")
                theirs = [rscript, str(script)]
            paired(f"WLSMV CFA, first items continuous, {label}", ours, theirs, args.runs,
                   width=52)
    if not rscript:
        print("lavaan: Rscript with lavaan not found, skipped")


if __name__ == "__main__":
    main()
