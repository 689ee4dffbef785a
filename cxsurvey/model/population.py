"""Population models for ``cxsurvey simulate``: the model, its checks and its structure.

A population model fixes every parameter of a recursive LISREL-type model with
standardized latents (Joreskog 1973): loadings, paths, exogenous correlations and the
cut points of the Likert categories. Constructing a :class:`PopulationModel` validates it
(:func:`validate_population`); :func:`cxsurvey.model.population_table.population_from_model`
reads a model file's ``[population]`` table into one, with errors that name file and
line. :func:`topological_order` and :func:`latent_structure` (Bollen 1989, ch. 4) serve
both the validation and the draws of :mod:`cxsurvey.simulate`.

Nothing here reads or writes a file; numpy is imported inside the functions that compute
with it, so importing :mod:`cxsurvey.model` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cxsurvey.errors import InputError, Location

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_ID_COLUMN",
    "DEFAULT_THRESHOLDS",
    "PopulationModel",
    "Where",
    "default_thresholds",
    "latent_structure",
    "topological_order",
    "validate_population",
]

#: Cut points of a 5-point scale when the population model gives none: equally spaced
#: in z units and symmetric, so categories 1..5 have probabilities .07 .24 .38 .24 .07.
DEFAULT_THRESHOLDS: tuple[float, ...] = (-1.5, -0.5, 0.5, 1.5)

#: Name of the respondent-number column of a simulated frame when ``[data] id`` gives none.
DEFAULT_ID_COLUMN = "RespondentID"


def default_thresholds(scale: tuple[int, int]) -> tuple[float, ...]:
    """Symmetric cut points one z unit apart for a ``(min, max)`` Likert scale.

    Parameters
    ----------
    scale : tuple of int
        Likert range; ``max - min`` cut points are returned.

    Returns
    -------
    tuple of float
        ``(-1.5, -0.5, 0.5, 1.5)`` for a 5-point scale.

    References
    ----------
    Rhemtulla, Brosseau-Liard & Savalei (2012), Psychological Methods 17(3), 354-373
    (symmetric threshold conditions).
    """
    k = scale[1] - scale[0] + 1
    return tuple(float(i - k / 2) for i in range(1, k))


@dataclass(frozen=True)
class PopulationModel:
    """A fully specified population model for :func:`cxsurvey.simulate.simulate`.

    Attributes
    ----------
    loadings : mapping
        Construct -> tuple of ``(item, loading)`` pairs, in model order. Loadings are
        standardized (the item-construct correlation), ``|l| < 1``; a negative loading
        makes a reverse-worded item.
    paths : tuple
        ``(predictor, outcome, beta)`` triples of standardized path coefficients; the
        path diagram must be acyclic (a recursive model).
    thresholds : tuple of float
        Increasing standard-normal cut points, ``max - min`` of them.
    item_thresholds : mapping
        Item -> its own cut points, overriding ``thresholds``.
    scale : tuple of int
        Likert range ``(min, max)``.
    correlations : tuple
        ``(a, b, r)`` correlations between exogenous constructs (default independent).
    id_column : str
        Name of the respondent-number column of the simulated frame.

    Raises
    ------
    InputError
        When the model is invalid: see :func:`validate_population`.

    References
    ----------
    Joreskog (1973), the LISREL model; Bollen (1989), Structural Equations with Latent
    Variables, ch. 4 and 7.
    """

    loadings: Mapping[str, tuple[tuple[str, float], ...]]
    paths: tuple[tuple[str, str, float], ...] = ()
    thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    item_thresholds: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    scale: tuple[int, int] = (1, 5)
    correlations: tuple[tuple[str, str, float], ...] = ()
    id_column: str = DEFAULT_ID_COLUMN

    def __post_init__(self) -> None:
        validate_population(self)

    @property
    def constructs(self) -> tuple[str, ...]:
        """Construct names in model order."""
        return tuple(self.loadings)

    @property
    def items(self) -> tuple[str, ...]:
        """Item names in model order (the columns of the simulated frame after the id)."""
        return tuple(item for pairs in self.loadings.values() for item, _ in pairs)

    def thresholds_of(self, item: str) -> tuple[float, ...]:
        """The cut points used for ``item``."""
        return tuple(self.item_thresholds.get(item, self.thresholds))


# ----------------------------------------------------------------------------- checks
#: ``where(kind, key)``: the location of a problem of a kind ("construct", "path", ...).
Where = Callable[[str, str], Location]


def _nowhere(kind: str, key: str) -> Location:
    """Location of a problem in a model built in code: none."""
    return Location()


def validate_population(pop: Any, where: Where = _nowhere) -> None:
    """Raise the first problem of a population model.

    The checks run in this order: the scale; the constructs, their items and loadings
    and the id column; the paths; the common and per-item thresholds; the causal order
    (no cycle, :func:`topological_order`); the exogenous correlations; the residual
    variances the paths imply (:func:`latent_structure`).

    Parameters
    ----------
    pop : PopulationModel or object
        The model, or any object with its attributes (so that a model file's values can
        be checked, with line numbers, before the model is built).
    where : callable
        ``where(kind, key)`` gives the :class:`~cxsurvey.errors.Location` of a problem of
        a kind: ``"construct"``, ``"path"`` (key: outcome), ``"correlation"``,
        ``"thresholds"``, ``"item_thresholds"`` (key: item), ``"scale"``, ``"data"`` or
        ``"syntax"``. Default: no location (a model built in code).

    Raises
    ------
    InputError
        The first problem found: e.g. a loading not strictly between -1 and 1, an item
        on two constructs, a path naming an unknown construct, thresholds not
        increasing or of the wrong count, paths forming a cycle, a correlation
        involving an endogenous construct, or a construct whose implied residual
        variance is not positive.
    """
    _Checker(pop, where).run()


class _Checker:
    """Validate a population model; ``where(kind, key)`` places each problem.

    ``kind`` is ``"construct"``, ``"path"`` (key: outcome), ``"correlation"``,
    ``"thresholds"`` or ``"item_thresholds"`` (key: item). ``pop`` is a
    :class:`PopulationModel` or any object with its attributes (so that a file's values
    can be checked, with line numbers, before the model is built).
    """

    def __init__(self, pop: Any, where: Where) -> None:
        self.pop = pop
        self.where = where

    def run(self) -> None:
        """Raise the first problem: scale, items, paths, thresholds, cycles, correlations."""
        pop = self.pop
        lo, hi = pop.scale
        if not (isinstance(lo, int) and isinstance(hi, int) and lo < hi):
            raise InputError(f"the scale must be two integers min < max, got {pop.scale!r}",
                             self.where("scale", ""))
        items = self._check_loadings()
        self._check_paths()
        self._check_thresholds(pop.thresholds, "thresholds", "")
        for item, cuts in pop.item_thresholds.items():
            if item not in items:
                raise InputError(f"item_thresholds names '{item}', which is not an item",
                                 self.where("item_thresholds", item))
            self._check_thresholds(cuts, "item_thresholds", item)
        order = topological_order(pop, self.where)
        self._check_correlations()
        latent_structure(pop, order, self.where)

    def _check_loadings(self) -> dict[str, str]:
        """Items, loadings and the id column; returns item -> its construct."""
        pop = self.pop
        if not pop.loadings:
            raise InputError("the population model has no constructs", self.where("syntax", ""),
                             "Write e.g. 'Awareness =~ 0.74*Inf1 + 0.69*Inf2'.")
        seen: dict[str, str] = {}
        for construct, pairs in pop.loadings.items():
            if not pairs:
                raise InputError(f"construct '{construct}' has no items",
                                 self.where("construct", construct))
            for item, loading in pairs:
                if item in seen:
                    raise InputError(
                        f"item '{item}' loads on both '{seen[item]}' and '{construct}'",
                        self.where("construct", construct),
                        "A population model gives each item one construct.")
                if item in pop.loadings:
                    raise InputError(f"'{item}' is both a construct and an item",
                                     self.where("construct", construct))
                seen[item] = construct
                if not (math.isfinite(loading) and abs(loading) < 1):
                    raise InputError(
                        f"the loading of '{item}' on '{construct}' is {loading:g}; "
                        "standardized loadings must lie strictly between -1 and 1",
                        self.where("construct", construct),
                        "Loadings are item-construct correlations, e.g. 0.7*item.")
        if pop.id_column in seen:
            raise InputError(f"the id column '{pop.id_column}' is also an item name",
                             self.where("data", "id"))
        return seen

    def _check_paths(self) -> None:
        pop = self.pop
        for pred, out, beta in pop.paths:
            for name in (pred, out):
                if name not in pop.loadings:
                    raise InputError(
                        f"the path {out} ~ {pred} names '{name}', which is not a construct "
                        "of the population model", self.where("path", out),
                        "Every construct in a path needs an '=~' line with its items.")
            if pred == out:
                raise InputError(f"'{out}' cannot predict itself", self.where("path", out))
            if not math.isfinite(beta):
                raise InputError(f"the path {out} ~ {pred} has no finite coefficient",
                                 self.where("path", out))

    def _check_correlations(self) -> None:
        pop = self.pop
        endogenous = {out for _, out, _ in pop.paths}
        for a, b, r in pop.correlations:
            for name in (a, b):
                if name not in pop.loadings:
                    raise InputError(f"the correlation {a} ~~ {b} names '{name}', which is "
                                     "not a construct", self.where("correlation", a))
                if name in endogenous:
                    raise InputError(
                        f"the correlation {a} ~~ {b} involves '{name}', which is predicted "
                        "by a path; only exogenous constructs may be correlated",
                        self.where("correlation", a))
            if a == b or not (math.isfinite(r) and abs(r) < 1):
                raise InputError(f"the correlation {a} ~~ {b} must be between two different "
                                 f"constructs and lie strictly between -1 and 1, got {r:g}",
                                 self.where("correlation", a))

    def _check_thresholds(self, cuts: tuple[float, ...], kind: str, item: str) -> None:
        import numpy as np

        lo, hi = self.pop.scale
        label = f"the thresholds of '{item}'" if item else "the thresholds"
        if len(cuts) != hi - lo:
            raise InputError(
                f"{label} have {len(cuts)} cut points; a {lo}-{hi} scale needs {hi - lo}",
                self.where(kind, item),
                f"Give {hi - lo} increasing standard-normal cut points, e.g. "
                f"{list(default_thresholds((lo, hi)))}.")
        arr = np.asarray(cuts, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(np.diff(arr) <= 0):
            raise InputError(f"{label} must be finite and strictly increasing, got {list(cuts)}",
                             self.where(kind, item))


def topological_order(pop: Any, where: Where = _nowhere) -> list[str]:
    """Constructs ordered so that every predictor comes before its outcomes.

    ``pop`` is a :class:`PopulationModel` or any object with its attributes; ``where``
    locates the error raised when the paths form a cycle.

    References
    ----------
    Bollen (1989), Structural Equations with Latent Variables, ch. 4 (recursive models).
    """
    preds: dict[str, set[str]] = {c: set() for c in pop.loadings}
    for pred, out, _ in pop.paths:
        preds[out].add(pred)
    order: list[str] = []
    done: set[str] = set()
    remaining = list(pop.loadings)
    while remaining:
        ready = [c for c in remaining if preds[c] <= done]
        if not ready:
            cycle = " -> ".join(remaining)
            raise InputError(
                f"the paths form a cycle among {cycle}", where("path", remaining[0]),
                "Simulation needs a recursive model: no construct may predict itself, "
                "directly or through others.")
        for c in ready:
            order.append(c)
            done.add(c)
        remaining = [c for c in remaining if c not in done]
    return order


def latent_structure(
    pop: Any, order: list[str], where: Where = _nowhere
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Implied latent correlation, path matrix and residual variances (model order).

    Returns ``(sigma, beta, psi)`` where ``beta[j, k]`` is the effect of construct k on
    j and ``psi`` the disturbance variances (the exogenous correlation block sits in
    ``sigma`` and ``psi`` is 1 for exogenous constructs). ``order`` is the causal order
    (:func:`topological_order`); ``where`` locates the error raised when the exogenous
    correlations are not positive definite or the paths into a construct explain all of
    its unit variance.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 4
    (covariance of a recursive model computed in causal order).
    """
    import numpy as np

    names = list(pop.loadings)
    idx = {c: i for i, c in enumerate(names)}
    m = len(names)
    beta = np.zeros((m, m))
    for pred, out, b in pop.paths:
        beta[idx[out], idx[pred]] += b
    endogenous = {out for _, out, _ in pop.paths}
    sigma = np.eye(m)
    for a, b, r in pop.correlations:
        sigma[idx[a], idx[b]] = sigma[idx[b], idx[a]] = r
    exo = [idx[c] for c in names if c not in endogenous]
    if exo and np.linalg.eigvalsh(sigma[np.ix_(exo, exo)]).min() <= 1e-10:
        a, b, _ = pop.correlations[0]
        raise InputError("the correlations among exogenous constructs are impossible "
                         "(their matrix is not positive definite)", where("correlation", a))
    psi = np.ones(m)
    placed = [idx[c] for c in order if c not in endogenous]
    for c in order:
        j = idx[c]
        if c not in endogenous:
            continue
        b = beta[j, placed]
        explained = float(b @ sigma[np.ix_(placed, placed)] @ b)
        if explained >= 1 - 1e-9:
            raise InputError(
                f"the paths into '{c}' explain {explained:.3f} of its variance; with "
                "standardized constructs that must stay below 1 (residual variance "
                f"{1 - explained:.3f} <= 0)", where("path", c),
                "Lower the coefficients of the paths into it.")
        psi[j] = 1 - explained
        cov = b @ sigma[np.ix_(placed, placed)]
        sigma[j, placed] = cov
        sigma[placed, j] = cov
        placed.append(j)
    return sigma, beta, psi
