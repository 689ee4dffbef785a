"""The run's polychoric correlations: the model's items under the run's missing policy.

A matrix estimated pair by pair need not be positive definite; one that is not is smoothed
(:func:`~cxsurvey.stats.ordinal.smooth_correlation`, as ``psych::cor.smooth``) and the
run says so. Every warning of the estimation goes to the run's warnings, prefixed
``polychoric:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from cxsurvey.io.prepare import Survey
from cxsurvey.stats.ordinal import PolychoricResult, polychoric, smooth_correlation

__all__ = ["NOT_PD", "model_items", "polychoric_section"]

NOT_PD = "the polychoric matrix is not positive definite"
"""How :func:`~cxsurvey.stats.ordinal.polychoric` starts its non-positive-definite warning
(replaced here by the one that says the matrix was smoothed)."""


def model_items(survey: Survey) -> list[str]:
    """The items of the model's constructs, in model order (each once)."""
    present = set(map(str, survey.items.columns))
    ordered = [i for its in dict(survey.constructs).values() for i in its]
    return [i for i in dict.fromkeys(ordered) if i in present]


def scale_points(survey: Survey, items: list[str] | None = None
                 ) -> dict[str, Sequence[float]]:
    """Each item's declared scale points (its own scale, else the survey's), so that a
    point nobody chose can be named."""
    return {i: [float(p) for p in range(lo, hi + 1)]
            for i in (model_items(survey) if items is None else items)
            for lo, hi in [survey.scales.get(i, survey.scale)]}


def polychoric_section(survey: Survey, missing: str = "listwise",
                       ) -> tuple[PolychoricResult, list[str]]:
    """The polychoric matrix of the model's items and the warnings the run shows.

    Parameters
    ----------
    survey : Survey
        The recoded survey; its items' declared scales name the empty scale points.
    missing : {"listwise", "pairwise"}
        lavaan's ``missing`` of ``lavCor``: complete rows only, or each item's thresholds
        from its own answers and each pair's table from the rows answering both.

    Returns
    -------
    result : PolychoricResult
        With the smoothed matrix (``smoothed=True``) when the estimates are not positive
        definite.
    warnings : list of str
        The estimation's warnings, each prefixed ``polychoric:``.

    References
    ----------
    Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika*, 44(4), 443-460.
    Wothke, W. (1993). Nonpositive definite matrices in structural modeling. In K. A.
    Bollen & J. S. Long (Eds.), *Testing structural equation models* (pp. 256-293). Sage.
    """
    items = model_items(survey)
    scales = scale_points(survey, items)
    mode: Literal["pairwise", "listwise"] = (
        "pairwise" if missing == "pairwise" else "listwise")
    result = polychoric(survey.items, items, mode, scales)
    said = [w for w in result.warnings if not w.startswith(NOT_PD)]
    matrix = result.matrix.to_numpy(dtype=float)
    if items and np.all(np.isfinite(matrix)):
        smallest = float(np.linalg.eigvalsh(matrix).min())
        if smallest < np.finfo(float).eps:
            smoothed = pd.DataFrame(np.asarray(smooth_correlation(matrix)),
                                    index=result.matrix.index, columns=result.matrix.columns)
            said.append(f"{NOT_PD} (smallest eigenvalue {smallest:.3g}); it was smoothed "
                        "(eigenvalues below 1e-12 raised, rescaled to a unit diagonal, as "
                        "psych::cor.smooth), and the smoothed matrix is reported")
            result = replace(result, matrix=smoothed, smoothed=True)
    result = replace(result, warnings=tuple(said))
    return result, [f"polychoric: {w}" for w in said]
