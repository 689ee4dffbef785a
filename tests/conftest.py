"""Shared fixtures (helpers live in support.py, importable as ``support``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_survey


@pytest.fixture
def survey_csv(tmp_path: Path) -> Path:
    """A clean 80-respondent survey: constructs Aa, Bb, Cc with 4 items each."""
    path = tmp_path / "survey.csv"
    make_survey().to_csv(path, index=False)
    return path
