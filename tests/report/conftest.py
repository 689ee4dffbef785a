"""Fixtures shared by the renderer tests: one small survey and its results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxsurvey.app.pipeline import run


def _survey(path, n=60, seed=7):
    """3 constructs x 4 items, answers 1..5, plus a free-text column with formula-like text.

    ``Att`` has a strong common factor, ``Sat`` a ceiling item, ``Loy`` no factor at all
    (so its alpha is flagged); p-values of the ceiling item are far below .001.
    """
    rng = np.random.default_rng(seed)
    cols = {}
    for name, weight in (("Att", 0.9), ("Sat", 0.7), ("Loy", 0.0)):
        factor = rng.normal(size=n)
        for i in range(1, 5):
            x = weight * factor + rng.normal(size=n)
            cols[f"{name}{i}"] = np.clip(np.round(3 + 1.2 * x), 1, 5).astype(int)
    frame = pd.DataFrame(cols)
    frame["Sat4"] = np.where(rng.random(n) < 0.85, 5, 4)
    frame["Comment"] = ["=1+1", "+call", "-x", "@SUM(A1)", "fine"] * (n // 5)
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    return _survey(tmp_path_factory.mktemp("survey") / "survey.csv")


@pytest.fixture(scope="module")
def results(survey):
    return run(survey)
