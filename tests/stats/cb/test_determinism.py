"""The covariance-based fit gives the same bits in every process.

semopy forms its default covariances (exogenous latent variables, lavaan's
``auto.cov.y``, ``fixed.x``) from Python sets, whose iteration order depends on
``PYTHONHASHSEED``; :mod:`cxsurvey.stats.cb.semopy_model` enters them in sorted order.
The checks run the same fits in processes with different hash seeds and compare the
output byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support import DATA, ROOT, SAMPLES, cxsurvey_exe

from cxsurvey.stats.cb.semopy_model import matrix_key, new_model
from cxsurvey.stats.cb.syntax import measurement_syntax

HASH_SEEDS = ("1", "2", "3")

# A CFA with three exogenous factors; an SEM with observed outcomes (auto.cov.y) and
# exogenous observed covariates (fixed.x); Bollen's SEM with user covariances.
FITS = r'''
import pandas as pd
from cxsurvey.stats.cb.ml_fit import fit_cb

hs = pd.read_csv(DATA / "holzinger_swineford_1939.csv")
pdem = pd.read_csv(DATA / "political_democracy.csv")
cases = [
    (hs, (DATA / "hs_cfa_model.txt").read_text()),
    (hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
         "x7 ~ visual + textual + ageyr + sex\nx8 ~ visual + textual + ageyr + grade\n"
         "x9 ~ visual + sex\n"),
    (pdem, (DATA / "pd_sem_model.txt").read_text()),
]
for data, syntax in cases:
    fit = fit_cb(data, syntax)
    for row in fit.params.itertuples(index=False):
        print(row.lhs, row.op, row.rhs, *(float(v).hex() for v in
              (row.est, row.se, row.pvalue, row.std_all)))
    print(*(f"{k}={float(v).hex()}" for k, v in fit.fit.items()))
    print(fit.iterations, fit.warnings)
'''


def _run(args: list[str], seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.slow
def test_fit_is_identical_under_different_hash_seeds() -> None:
    code = f"from pathlib import Path\nDATA = Path({str(DATA)!r})\n" + FITS
    outputs = {seed: _run([sys.executable, "-c", code], seed) for seed in HASH_SEEDS}
    assert outputs["1"].count("=~") > 20
    for seed in HASH_SEEDS[1:]:
        assert outputs[seed] == outputs["1"], f"PYTHONHASHSEED={seed} differs from 1"


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["cfa", str(SAMPLES / "cx_journey.xlsx"), "--model", str(SAMPLES / "cx_journey.toml")],
    ["cfa", str(DATA / "holzinger_swineford_1939.csv"), "--model",
     str(DATA / "hs_cfa_model.txt")],
], ids=["sample-cfa", "hs-cfa"])
def test_json_report_is_identical_under_different_hash_seeds(args: list[str]) -> None:
    command = [*cxsurvey_exe(), *args, "--format", "json"]
    first, second = (_run(command, seed) for seed in HASH_SEEDS[:2])
    assert '"loadings"' in first
    assert first == second


def test_default_covariances_enter_in_sorted_order() -> None:
    """Every covariance semopy adds is entered as (a, b) with a before b in semopy's
    (sorted) variable order, so its place in the parameter vector is fixed."""
    constructs = {"Zeta": ("z1", "z2", "z3"), "Alpha": ("a1", "a2", "a3"),
                  "Mid": ("m1", "m2", "m3"), "Beta": ("b1", "b2", "b3")}
    model = new_model(measurement_syntax(constructs) + "y2 ~ Alpha\ny1 ~ Zeta\n"
                      "y3 ~ Mid\n")
    cells = []
    for param in model.parameters.values():
        if not param.active:
            continue
        for loc in param.locations:
            i, j = (int(v) for v in loc.indices)
            if matrix_key(model, loc.matrix) in ("psi", "theta") and i != j:
                cells.append((matrix_key(model, loc.matrix), i, j))
    assert len(cells) == 6 + 3  # factor pairs, then outcome pairs (auto.cov.y)
    assert all(i < j for _, i, j in cells)
    assert cells == sorted(cells, key=lambda c: (c[0] != "psi", c[1], c[2]))
