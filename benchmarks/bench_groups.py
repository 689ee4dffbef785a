"""Group comparisons: ``cxsurvey cfa --group`` against lavaan's measurement-invariance
sequence.

Whole processes, paired (cxsurvey, lavaan, cxsurvey, ...; the ratio taken pair by pair),
BLAS pinned to one thread for both:

- the bundled sample by Channel (157 respondents, 33 items, App 73 / Web 84);
- psych's bfi by gender (2,800 rows, 2,436 complete, 25 six-point items, 5 factors).

cxsurvey runs ``cxsurvey cfa DATA --model MODEL --group G --format json`` (which also
fits the pooled CFA and compares the groups' scores); lavaan runs, in ``Rscript`` on the
same rows as CSV (start-up and package load included, as cxsurvey's), the configural,
metric, scalar and strict ``cfa(..., group = G, group.equal = ...)`` models,
``fitMeasures``, ``lavTestLRT`` and ``lavTestScore`` of the metric and scalar models.
Skips lavaan when ``Rscript`` or lavaan is absent.

Usage: python benchmarks/bench_groups.py [--runs 3]
Target (a benchmark figure, not a test): faster than lavaan on both.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_foundation import ROOT, cxsurvey_cmd, paired

SAMPLE = ROOT / "sample_surveys" / "cx_journey.xlsx"
MODEL = ROOT / "sample_surveys" / "cx_journey.toml"
BFI = ROOT / "tests" / "data" / "bfi.csv"
BFI_SYNTAX = """agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5
extra =~ E1 + E2 + E3 + E4 + E5
neuro =~ N1 + N2 + N3 + N4 + N5
open =~ O1 + O2 + O3 + O4 + O5
"""

LAVAAN = """
suppressMessages(library(lavaan))
d <- read.csv("{data}")
m <- paste(readLines("{model}"), collapse = "\\n")
steps <- list("", "loadings", c("loadings", "intercepts"),
              c("loadings", "intercepts", "residuals"))
fits <- lapply(steps, function(eq) cfa(m, data = d, group = "{group}", group.equal = eq))
for (f in fits) cat(fitMeasures(f, c("chisq", "cfi", "rmsea")), "\\n")
print(lavTestLRT(fits[[1]], fits[[2]], fits[[3]], fits[[4]]))
s2 <- lavTestScore(fits[[2]]); s3 <- lavTestScore(fits[[3]])
cat(nrow(s2$uni), nrow(s3$uni), "\\n")
"""


def bfi_files(tmp: Path) -> tuple[Path, Path, Path]:
    """bfi as a survey with its model file (items 1-6), and the model as lavaan syntax."""
    model = tmp / "bfi.toml"
    model.write_text('[data]\nscale = [1, 6]\n\n[model]\nsyntax = """\n' + BFI_SYNTAX
                     + '"""\n', encoding="utf-8")
    lav = tmp / "bfi.lav"
    lav.write_text(BFI_SYNTAX, encoding="utf-8")
    return BFI, model, lav


def sample_files(tmp: Path) -> tuple[Path, Path]:
    """The sample's items and Channel as CSV, and its measurement model."""
    from cxsurvey.app.pipeline import read
    from cxsurvey.stats.cb.syntax import measurement_syntax

    survey = read(SAMPLE, MODEL)
    frame = survey.items.assign(Channel=survey.raw.frame.loc[survey.items.index, "Channel"])
    csv = tmp / "sample.csv"
    frame.to_csv(csv, index=False)
    lav = tmp / "sample.lav"
    lav.write_text(measurement_syntax(survey.constructs), encoding="utf-8")
    return csv, lav


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    rscript = shutil.which("Rscript")
    if rscript and subprocess.run([rscript, "-e", "library(lavaan)"], capture_output=True,
                                  check=False).returncode != 0:
        rscript = None
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        csv, lav = sample_files(tmp)
        bfi, bfi_model, bfi_lav = bfi_files(tmp)
        for label, survey, model, data, syntax, group in (
                ("sample by Channel (157 x 33)", SAMPLE, MODEL, csv, lav, "Channel"),
                ("bfi by gender (2,436 x 25)", bfi, bfi_model, bfi, bfi_lav, "gender")):
            ours = [*cxsurvey_cmd(), "cfa", str(survey), "--model", str(model), "--group",
                    group, "--format", "json"]
            theirs = None
            if rscript:
                script = tmp / f"{group}.R"
                script.write_text(LAVAAN.format(data=data, model=syntax, group=group),
                                  encoding="utf-8")
                theirs = [rscript, str(script)]
            paired(f"invariance, {label}", ours, theirs, args.runs, width=40)
    if not rscript:
        print("lavaan: Rscript with lavaan not found, skipped")


if __name__ == "__main__":
    main()
