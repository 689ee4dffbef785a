"""Readers: survey exports -> raw table -> item scores."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxsurvey.io.prepare import Survey
    from cxsurvey.model.spec import SurveyModel
    from cxsurvey.options import ReadLimits


def load_survey(path: str | Path, model: SurveyModel | None = None,
                check_range: bool = True, limits: ReadLimits | None = None) -> Survey:
    """Read ``path`` and recode it with ``model`` (inferred from columns when None).

    ``check_range=False`` sets answers outside the scale missing instead of raising
    (see :func:`cxsurvey.io.prepare.prepare`); ``limits`` bound a workbook (see
    :func:`cxsurvey.io.readers.read_table`).
    """
    from cxsurvey.io.prepare import prepare
    from cxsurvey.io.readers import read_table
    from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel

    if model is None:
        model = SurveyModel(data=DataSpec(), model=ModelSpec(syntax=""), inferred=True)
    raw = read_table(path, model.data, limits)
    return prepare(raw, model, check_range=check_range)


__all__ = ["load_survey"]
