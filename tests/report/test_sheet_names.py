"""Excel sheet names shortened from table titles (``excel.layout.short_sheet_name``)."""

from __future__ import annotations

import pytest

from cxsurvey.report.excel.layout import short_sheet_name


@pytest.mark.parametrize(("title", "name"), [
    ("HTMT (discriminant validity) (PLS)", "HTMT (PLS)"),
    ("Reliability and convergent validity", "Reliability & conv. validity"),
    ("Higher-order constructs (PLS, embedded two-stage)", "Higher-order constructs (PLS)"),
])
def test_short_names(title: str, name: str) -> None:
    assert short_sheet_name(title) == name
    assert len(short_sheet_name(title)) <= 31
