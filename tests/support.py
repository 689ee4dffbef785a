"""Test helpers: paths to bundled data, the installed command, a small synthetic survey."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SAMPLES = ROOT / "sample_surveys"


def cxsurvey_exe() -> list[str]:
    """The installed console script next to this interpreter (a real subprocess)."""
    exe = Path(sys.executable).parent / "cxsurvey"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "cxsurvey"]


def make_survey(n: int = 80, seed: int = 3, constructs: int = 3, per: int = 4) -> pd.DataFrame:
    """Respondents answering ``constructs`` x ``per`` 5-point items with a one-factor
    structure per construct (prefixes Aa, Bb, Cc ...), plus id/age/comment columns."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {"id": np.arange(1, n + 1)}
    for c in range(constructs):
        eta = rng.standard_normal(n)
        name = chr(65 + c) + chr(97 + c)
        for j in range(per):
            x = 0.75 * eta + np.sqrt(1 - 0.75**2) * rng.standard_normal(n)
            cols[f"{name}{j + 1}"] = np.searchsorted([-1.5, -0.6, 0.2, 1.0], x) + 1
    cols["age"] = rng.integers(18, 70, n)
    cols["comment"] = ["fine"] * n
    return pd.DataFrame(cols)


@cache
def _read_json(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def load_json(name: str) -> dict:
    """A reference file under tests/data (parsed once per test session; do not mutate)."""
    return _read_json(name)


@cache
def _read_csv(name: str, index_col: int | None = None) -> pd.DataFrame:
    return pd.read_csv(DATA / name, index_col=index_col)


def load_csv(name: str, index_col: int | None = None) -> pd.DataFrame:
    """A data file under tests/data, as a fresh copy (tests may modify it)."""
    return _read_csv(name, index_col).copy()



def square_frame(nested: dict, order: list[str] | None = None) -> pd.DataFrame:
    """A reference matrix stored as ``{row: {column: value}}``, in ``order``."""
    frame = pd.DataFrame.from_dict(nested, orient="index").astype(float)
    if order is not None:
        frame = frame.loc[order, order]
    return frame


def at_lavaan_estimates(fit, parameters, chisq=None):  # type: ignore[no-untyped-def]
    """``fit`` (a ``CbFit``) with lavaan's estimates from reference ``parameters`` rows
    (``lhs, op, rhs, est``; a covariance matches either order), and lavaan's chi-square
    when given: the formulas are then checked apart from the optimiser's last digits."""
    import dataclasses

    est: dict[tuple[str, str, str], float] = {}
    for row in parameters:
        est[(row["lhs"], row["op"], row["rhs"])] = float(row["est"])
        est[(row["rhs"], row["op"], row["lhs"])] = float(row["est"])
    params = fit.params.assign(est=[est[key] for key in zip(
        fit.params["lhs"], fit.params["op"], fit.params["rhs"], strict=True)])
    if chisq is None:
        return dataclasses.replace(fit, params=params)
    return dataclasses.replace(fit, params=params, fit={**dict(fit.fit), "chisq": float(chisq)})
