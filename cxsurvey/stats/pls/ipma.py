"""Importance-performance map analysis (IPMA) of a PLS-SEM target construct.

Every item is rescaled to 0-100 with its scale's minimum and maximum,
``x' = 100 (x - min) / (max - min)``. A construct's outer weights are unstandardised on
that scale (the standardised weight divided by the SD of the rescaled item) and
normalised to sum 1, so its rescaled score, ``sum_i w'_i x'_i``, also lies between 0 and
100. Performance is the mean of the rescaled scores (of the rescaled items on the
indicator level); importance is the unstandardised total effect on the target (on the
indicator level the total effect times the item's rescaled weight).

The linear rescaling leaves the PLS estimation unchanged. With ``c_j = sum_i w_i / sd'_i``
over the items of construct j (standardised weights ``w``, SDs ``sd'`` of the rescaled
items), the standardised score of j is ``c_j`` times its centred rescaled score, so the
unstandardised total effect of i on the target t is the standardised one times
``c_i / c_t``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import AnalysisError, InputError
from cxsurvey.stats.pls.data import prepare_data
from cxsurvey.stats.pls.fit import PlsFit, fit_pls
from cxsurvey.stats.pls.specify import PlsModel, compile_model

__all__ = ["Ipma", "ipma", "ipma_from_fit", "item_scales"]

Scale = tuple[float, float]


@dataclass(frozen=True)
class Ipma:
    """An importance-performance map of a target construct.

    Attributes
    ----------
    target : str
    constructs : DataFrame
        One row per predecessor of the target (every construct with a chain of arrows to
        it), in model order: ``construct, importance`` (unstandardised total effect on
        the target, rescaled scores), ``performance`` (mean rescaled score, 0-100),
        ``total_effect`` (the standardised total effect of the PLS fit).
    indicators : DataFrame
        One row per item of the predecessors: ``construct, item, scale_min, scale_max,
        mean`` (on the original scale), ``weight`` (standardised outer weight),
        ``weight_rescaled`` (unstandardised on the 0-100 scale and normalised to sum 1
        per construct), ``importance`` (the construct's importance times
        ``weight_rescaled``) and ``performance`` (mean rescaled item, 0-100).
    target_performance : float
        Mean rescaled score of the target.
    target_indicators : DataFrame
        The target's items, columns as ``indicators`` but without ``importance``.
    scores : DataFrame
        Rescaled construct scores (0-100) of every construct, indexed like the rows used.
    warnings : tuple of str
        Negative rescaled weights (the IPMA presumes positive weights; Ringle &
        Sarstedt, 2016) and items coded outside their scale are reported here.
    """

    target: str
    constructs: pd.DataFrame
    indicators: pd.DataFrame
    target_performance: float
    target_indicators: pd.DataFrame
    scores: pd.DataFrame
    warnings: tuple[str, ...] = ()


def item_scales(items: Sequence[str],
                scales: Mapping[str, Sequence[float]] | Sequence[float]) -> np.ndarray:
    """The ``(p, 2)`` array of scale minimum and maximum per item.

    ``scales`` is one ``(min, max)`` pair for every item (e.g. ``(1, 7)``) or a mapping
    of item to pair.

    Raises
    ------
    InputError
        For an item without a scale, or a minimum not below the maximum.
    """
    if isinstance(scales, Mapping):
        absent = [i for i in items if i not in scales]
        if absent:
            raise InputError(f"no scale range given for item '{absent[0]}'",
                             hint="Give the minimum and maximum answer of every item, "
                                  "e.g. 1 and 7.")
        pairs = [tuple(scales[i]) for i in items]
    else:
        pairs = [tuple(scales)] * len(items)
    out = np.empty((len(items), 2))
    for row, (item, pair) in enumerate(zip(items, pairs, strict=True)):
        if len(pair) != 2:
            raise InputError(f"the scale of item '{item}' must be a (minimum, maximum) "
                             f"pair; got {pair!r}")
        lo, hi = float(pair[0]), float(pair[1])
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise InputError(f"the scale of item '{item}' needs a minimum below its "
                             f"maximum; got {pair!r}")
        out[row] = lo, hi
    return out


def _rescaled_weights(model: PlsModel, w: np.ndarray,
                      sd_rescaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Normalised unstandardised weights and ``sum_i w_i / sd'_i`` per construct."""
    raw = w / sd_rescaled
    sums = raw @ model.onehot
    for j, name in enumerate(model.constructs):
        if not abs(sums[j]) > 1e-12 * np.abs(raw[model.block_index(j)]).sum():
            raise AnalysisError(f"the unstandardised weights of '{name}' sum to zero, so "
                                "its scores cannot be rescaled to 0-100")
    return raw / sums[model.member], sums


def _warnings(model: PlsModel, weight: np.ndarray, outside: np.ndarray,
              used: np.ndarray) -> list[str]:
    warnings: list[str] = []
    negative = [model.items[i] for i in np.flatnonzero((weight < 0) & used)]
    if negative:
        warnings.append("negative rescaled outer weight(s) for " + ", ".join(negative)
                        + ": the IPMA presumes positive weights, so performances may fall "
                          "outside 0-100")
    if outside.any():
        warnings.append("answers outside the given scale for "
                        + ", ".join(model.items[i] for i in np.flatnonzero(outside))
                        + ": check the scale ranges")
    return warnings


def ipma_from_fit(fit: PlsFit, data: pd.DataFrame, target: str,
                  scales: Mapping[str, Sequence[float]] | Sequence[float]) -> Ipma:
    """The IPMA of ``target`` from a PLS fit and the data it was fitted to.

    Parameters
    ----------
    fit : PlsFit
        From :func:`~cxsurvey.stats.pls.fit.fit_pls` (or ``PlsBootstrap.fit``).
    data : DataFrame
        The data given to the fit; missing answers are handled as the fit did (with
        mean replacement the performances include the replaced answers, as SmartPLS).
    target : str
        The target construct; it needs at least one predecessor.
    scales : (min, max) or mapping of item to (min, max)
        The answer scale of the items (e.g. ``(1, 7)``), not the observed range.

    Returns
    -------
    Ipma

    Raises
    ------
    InputError
        For an unknown target, a target without predecessors, or a missing or
        malformed scale.
    AnalysisError
        When a construct's unstandardised weights sum to zero.

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: The
    importance-performance map analysis. Industrial Management & Data Systems, 116(9),
    1865-1886. Hair, J. F., Sarstedt, M., Ringle, C. M., & Gudergan, S. P. (2018). Advanced
    issues in partial least squares structural equation modeling (ch. 3). Sage. Martilla,
    J. A., & James, J. C. (1977). Importance-performance analysis. Journal of Marketing,
    41(1), 77-79.
    """
    model = compile_model(fit.constructs, fit.structure, fit.modes)
    if target not in model.constructs:
        raise InputError(f"IPMA target '{target}' is not a construct of the PLS model")
    t = model.constructs.index(target)
    reach = model.reachable()
    pred = [i for i in range(model.k) if reach[i, t]]
    if not pred:
        raise InputError(f"IPMA target '{target}' has no predecessor construct",
                         hint="Choose an endogenous construct as the target.")
    prep = prepare_data(data, model, fit.missing)
    if prep.z.shape[0] != fit.n:
        raise ValueError("data is not the data the PLS model was fitted to")
    bounds = item_scales(model.items, scales)
    lo, span = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
    x = prep.z * prep.sds + prep.means
    rescaled = 100.0 * (x - lo) / span
    w = fit.weights["est"].to_numpy(float)
    weight, sums = _rescaled_weights(model, w, prep.sds * 100.0 / span)
    scores = rescaled @ (weight[:, None] * model.onehot)
    total = fit.total_effects.set_index(["from", "to"])["total"]
    names = model.constructs
    std_total = np.array([total[(names[i], target)] for i in pred])
    importance = std_total * sums[pred] / sums[t]
    constructs = pd.DataFrame({"construct": [names[i] for i in pred], "importance": importance,
                               "performance": scores[:, pred].mean(axis=0),
                               "total_effect": std_total})
    items = pd.DataFrame({"construct": [names[j] for j in model.member],
                          "item": list(model.items), "scale_min": bounds[:, 0],
                          "scale_max": bounds[:, 1], "mean": prep.means, "weight": w,
                          "weight_rescaled": weight,
                          "performance": rescaled.mean(axis=0)})
    item_importance = dict(zip(constructs["construct"], importance, strict=True))
    pred_rows = np.isin(model.member, pred)
    indicators = items[pred_rows].reset_index(drop=True)
    indicators.insert(7, "importance", indicators["weight_rescaled"].to_numpy()
                      * indicators["construct"].map(item_importance).to_numpy(float))
    used = pred_rows | (model.member == t)
    slack = 1e-9 * span  # x is rebuilt from the standardised items
    outside = ((x < bounds[:, 0] - slack) | (x > bounds[:, 1] + slack)).any(axis=0)
    return Ipma(target=target, constructs=constructs, indicators=indicators,
                target_performance=float(scores[:, t].mean()),
                target_indicators=items[model.member == t].reset_index(drop=True),
                scores=pd.DataFrame(scores, index=prep.index, columns=list(names)),
                warnings=tuple(_warnings(model, weight, outside, used)))


def ipma(data: pd.DataFrame, constructs: Mapping[str, Sequence[str]],
         paths: Sequence[tuple[str, str]], target: str,
         scales: Mapping[str, Sequence[float]] | Sequence[float],
         modes: Mapping[str, str] | None = None, scheme: str = "path", max_iter: int = 300,
         tol: float = 1e-7, missing: str = "listwise") -> Ipma:
    """Fit a PLS path model and map the importance and performance of ``target``'s
    predecessors.

    Parameters
    ----------
    data, constructs, paths, modes, scheme, max_iter, tol, missing
        As :func:`cxsurvey.stats.pls.fit.fit_pls`.
    target, scales
        As :func:`ipma_from_fit`.

    Returns
    -------
    Ipma

    References
    ----------
    Ringle, C. M., & Sarstedt, M. (2016). Industrial Management & Data Systems, 116(9),
    1865-1886. Hair, J. F., Sarstedt, M., Ringle, C. M., & Gudergan, S. P. (2018). Advanced
    issues in partial least squares structural equation modeling (ch. 3). Sage.
    """
    fit = fit_pls(data, constructs, paths, modes=modes, scheme=scheme, max_iter=max_iter,
                  tol=tol, missing=missing)
    return ipma_from_fit(fit, data, target, scales)
