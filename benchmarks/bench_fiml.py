"""Full-information ML (``--missing fiml``) against lavaan's ``missing = "ml"``.

Whole processes, paired (cxsurvey, lavaan, cxsurvey, lavaan, ...; the ratio taken pair
by pair), BLAS pinned to one thread for both:

- ``psych::bfi``: 25 items, 2,800 respondents, 87 missing-data patterns, five-factor CFA,
  with ``--estimator ml`` and ``mlr`` (``tests/data/bfi.csv``);
- a simulated survey with many patterns: 1,000 respondents, 20 items in four factors,
  20% of the answers missing completely at random (about 880 patterns).

cxsurvey runs ``cxsurvey cfa DATA --model MODEL --missing fiml --format json``; lavaan
runs ``cfa(model, data, missing = "ml", estimator = ...)`` then ``fitMeasures`` and
``standardizedSolution`` in ``Rscript`` (its start-up and package load included, as
cxsurvey's). Skips lavaan when ``Rscript`` or lavaan is absent.

Usage: python benchmarks/bench_fiml.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_foundation import ROOT, cxsurvey_cmd, paired

BFI = ROOT / "tests" / "data" / "bfi.csv"
BFI_MODEL = "\n".join(f"{f} =~ " + " + ".join(f"{c}{i}" for i in range(1, 6))
                      for f, c in (("agree", "A"), ("consc", "C"), ("extra", "E"),
                                   ("neuro", "N"), ("open", "O")))

LAVAAN = """
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- paste(readLines("{model}"), collapse = "\\n")
f <- cfa(m, data = d, missing = "ml", estimator = "{estimator}")
invisible(fitMeasures(f)); invisible(standardizedSolution(f))
cat(fitMeasures(f, "chisq"), "\\n")
"""


def simulated(path: Path) -> str:
    """The many-patterns survey (seeded); returns its model."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    n, k = 1000, 4
    eta = rng.multivariate_normal(np.zeros(k), 0.5 * np.eye(k) + 0.5, size=n)
    cols = {f"F{c}_{j}": 0.8 * eta[:, c] + 0.6 * rng.standard_normal(n)
            for c in range(k) for j in range(5)}
    frame = pd.DataFrame(cols)
    frame.mask(rng.random(frame.shape) < 0.2).to_csv(path, index=False)
    return "\n".join(f"F{c} =~ " + " + ".join(f"F{c}_{j}" for j in range(5))
                     for c in range(k))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    rscript = shutil.which("Rscript")
    if rscript and subprocess.run([rscript, "-e", "library(lavaan)"], capture_output=True,
                                  check=False).returncode != 0:
        rscript = None
    with tempfile.TemporaryDirectory() as tmp:
        sim = Path(tmp) / "many_patterns.csv"
        cases = [("bfi", BFI, BFI_MODEL), ("many patterns", sim, simulated(sim))]
        for name, data, model_text in cases:
            model = Path(tmp) / f"{name.replace(' ', '_')}.lav"
            model.write_text(model_text + "\n", encoding="utf-8")
            for est in ("ML", "MLR"):
                ours = [*cxsurvey_cmd(), "cfa", str(data), "--model", str(model),
                        "--missing", "fiml", "--estimator", est.lower(), "--format", "json"]
                theirs = None
                if rscript:
                    script = Path(tmp) / f"{name.replace(' ', '_')}_{est}.R"
                    script.write_text(LAVAAN.format(data=data, model=model, estimator=est),
                                      encoding="utf-8")
                    theirs = [rscript, str(script)]
                paired(f"{name} CFA, FIML {est}", ours, theirs, args.runs)
    if not rscript:
        print("lavaan: Rscript with lavaan not found, skipped")


if __name__ == "__main__":
    main()
