"""Population models for ``cxsurvey simulate``: the ``[population]`` table, parsed and checked.

A population model fixes every parameter of a recursive LISREL-type model with
standardized latents (Joreskog 1973): loadings, paths, exogenous correlations and the
cut points of the Likert categories. :func:`population_from_model` reads a model file's
``[population]`` table (lavaan syntax with numeric pre-multipliers, Rosseel 2012) into a
:class:`PopulationModel`, whose construction validates it; errors name file and line.
:func:`topological_order` and :func:`latent_structure` (Bollen 1989, ch. 4) serve both
the validation and the draws of :mod:`cxsurvey.simulate`.

Nothing here reads or writes a file; numpy is imported inside the functions that compute
with it, so importing :mod:`cxsurvey.model` stays light.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from cxsurvey.errors import InputError, Location
from cxsurvey.model.spec import Formula, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_THRESHOLDS",
    "PopulationModel",
    "default_thresholds",
    "latent_structure",
    "population_from_model",
    "topological_order",
]

#: Cut points of a 5-point scale when the population model gives none: equally spaced
#: in z units and symmetric, so categories 1..5 have probabilities .07 .24 .38 .24 .07.
DEFAULT_THRESHOLDS: tuple[float, ...] = (-1.5, -0.5, 0.5, 1.5)

_POPULATION_KEYS = {"syntax", "thresholds", "item_thresholds"}
_ID_COLUMN = "RespondentID"


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
        When the model is invalid: see :func:`population_from_model`.

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
    id_column: str = _ID_COLUMN

    def __post_init__(self) -> None:
        _Checker(self, _nowhere).run()

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


# ----------------------------------------------------------------------------- from file
class _Lines:
    """Line numbers of keys in a TOML model file, for error messages (best effort)."""

    def __init__(self, source: str | None, text: str | None) -> None:
        self.source = source
        self._text = text

    def _lines(self) -> list[str]:
        return (self._text or "").splitlines()

    def key(self, table: str, key: str) -> int | None:
        """Line of ``key = ...`` inside ``[table]``; the table header line as fallback."""
        current = None
        header_line = None
        for no, raw in enumerate(self._lines(), start=1):
            line = raw.strip()
            m = re.match(r"^\[\s*([^\[\]]+?)\s*\]", line)
            if m:
                current = m.group(1).replace(" ", "")
                if current == table and header_line is None:
                    header_line = no
                continue
            if current == table and key and re.match(
                    rf"^[\"']?{re.escape(key)}[\"']?\s*=", line):
                return no
        return header_line

    def syntax_start(self) -> int:
        """File line of the first line of ``[population] syntax``."""
        no = self.key("population", "syntax")
        if no is None:
            return 1
        after = self._lines()[no - 1].split("=", 1)[1].strip()
        return no + 1 if after in ('"""', "'''") else no

    def at(self, line: int | None) -> Location:
        return Location(file=self.source, line=line)


def _numbers(value: object, what: str, where: Location) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise InputError(f"{what} must be a list of numbers, got {value!r}", where,
                         "Example: thresholds = [-2.0, -1.4, -0.6, 0.35]")
    return tuple(float(v) for v in value)


def _population_syntax(model: SurveyModel, lines: _Lines, text: str | None,
                       ) -> tuple[dict[str, Any], ModelSpec]:
    """The ``[population]`` table, its keys checked, and its syntax parsed."""
    table = model.population
    if not isinstance(table, dict):
        raise InputError(
            "the model file has no [population] table", Location(file=model.source),
            'Add [population] with syntax = """ Awareness =~ 0.74*Inf1 + 0.69*Inf2 """ '
            "and thresholds = [-2.0, -1.4, -0.6, 0.35].")
    unknown = set(table) - _POPULATION_KEYS
    if unknown:
        raise InputError(f"unknown key(s) in [population]: {', '.join(sorted(unknown))}",
                         lines.at(lines.key("population", sorted(unknown)[0])),
                         f"Allowed keys: {', '.join(sorted(_POPULATION_KEYS))}.")
    syntax = table.get("syntax")
    if not isinstance(syntax, str) or not syntax.strip():
        raise InputError("[population] needs a syntax string with the numeric model",
                         lines.at(lines.key("population", "syntax")),
                         'Example: syntax = """ Awareness =~ 0.74*Inf1 + 0.69*Inf2 """')
    first = lines.syntax_start() if text is not None else 1
    return table, parse_syntax(syntax, source=model.source, first_line=first)


@dataclass
class _Parameters:
    """The numeric parameters of the population syntax, with the first line of each
    construct's loadings, each outcome's paths and each correlation's left side."""

    loadings: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    paths: list[tuple[str, str, float]] = field(default_factory=list)
    correlations: list[tuple[str, str, float]] = field(default_factory=list)
    construct_line: dict[str, int] = field(default_factory=dict)
    path_line: dict[str, int] = field(default_factory=dict)
    corr_line: dict[str, int] = field(default_factory=dict)

    def add(self, f: Formula, at: Location) -> None:
        """Take the fixed values of one formula (``=~``, ``~`` or ``~~``)."""
        if f.op == "=~":
            self._add_loadings(f, at)
        elif f.op == "~":
            self._add_paths(f, at)
        elif f.op == "~~":
            self._add_correlations(f, at)
        else:
            raise InputError(f"'{f.text}': the operator '{f.op}' is not supported in a "
                             "population model", at,
                             "Use '=~' (loadings), '~' (paths) and '~~' (correlations).")

    def _add_loadings(self, f: Formula, at: Location) -> None:
        pairs = list(self.loadings.get(f.lhs, ()))
        for t in f.rhs:
            if t.fixed is None:
                raise InputError(
                    f"the loading of '{t.name}' on '{f.lhs}' has no number", at,
                    f"A population model fixes every loading, e.g. 0.7*{t.name}.")
            pairs.append((t.name, t.fixed))
        self.loadings[f.lhs] = tuple(pairs)
        self.construct_line.setdefault(f.lhs, f.line)

    def _add_paths(self, f: Formula, at: Location) -> None:
        for t in f.rhs:
            if t.fixed is None:
                raise InputError(
                    f"the path {f.lhs} ~ {t.name} has no coefficient", at,
                    f"A population model fixes every path, e.g. {f.lhs} ~ 0.5*{t.name}.")
            self.paths.append((t.name, f.lhs, t.fixed))
        self.path_line.setdefault(f.lhs, f.line)

    def _add_correlations(self, f: Formula, at: Location) -> None:
        for t in f.rhs:
            if t.name == f.lhs:
                raise InputError(
                    f"'{f.text}': construct variances are fixed to 1 in a population "
                    "model", at, "Remove the line, or correlate two different constructs.")
            if t.fixed is None:
                raise InputError(f"the correlation {f.lhs} ~~ {t.name} has no number", at,
                                 f"Write e.g. {f.lhs} ~~ 0.3*{t.name}.")
            self.correlations.append((f.lhs, t.name, t.fixed))
        self.corr_line.setdefault(f.lhs, f.line)


def _parameters(spec: ModelSpec, source: str | None) -> _Parameters:
    """Loadings, paths and correlations of the parsed syntax, every one fixed."""
    params = _Parameters()
    for f in spec.formulas:
        params.add(f, Location(file=source, line=f.line or None))
    return params


def _thresholds(model: SurveyModel, table: dict[str, Any], lines: _Lines,
                ) -> tuple[tuple[int, int], tuple[float, ...], dict[str, tuple[float, ...]]]:
    """The scale, the common cut points and the per-item cut points."""
    scale = model.data.scale or (1, 5)
    if "thresholds" in table:
        thr_where = lines.at(lines.key("population", "thresholds"))
        thresholds = _numbers(table["thresholds"], "[population] thresholds", thr_where)
    else:
        thresholds = default_thresholds(scale)
    item_thr: dict[str, tuple[float, ...]] = {}
    raw_items = table.get("item_thresholds", {})
    if not isinstance(raw_items, dict):
        raise InputError("[population.item_thresholds] must map items to lists of numbers",
                         lines.at(lines.key("population", "item_thresholds")))
    for item, cuts in raw_items.items():
        item_thr[str(item)] = _numbers(
            cuts, f"[population.item_thresholds] {item}",
            lines.at(lines.key("population.item_thresholds", str(item))))
    return scale, thresholds, item_thr


def _file_where(lines: _Lines, params: _Parameters) -> Where:
    """``where(kind, key)`` for the checks: file lines of the model file's keys."""
    data_where = lines.at(lines.key("data", "scale"))

    def where(kind: str, key: str) -> Location:
        if kind == "construct":
            return lines.at(params.construct_line.get(key))
        if kind == "path":
            return lines.at(params.path_line.get(key))
        if kind == "correlation":
            return lines.at(params.corr_line.get(key))
        if kind == "thresholds":
            return lines.at(lines.key("population", "thresholds"))
        if kind == "item_thresholds":
            return lines.at(lines.key("population.item_thresholds", key))
        if kind in ("scale", "data"):
            return data_where if kind == "scale" else lines.at(lines.key("data", key))
        return lines.at(lines.key("population", "syntax"))

    return where


def population_from_model(model: SurveyModel, text: str | None = None) -> PopulationModel:
    """Build a :class:`PopulationModel` from a model file's ``[population]`` table.

    The table holds ``syntax`` (lavaan syntax whose terms carry numeric pre-multipliers:
    ``Awareness =~ 0.739*Inf1 + 0.687*Inf2``, ``Attention ~ 0.543*Awareness``, optionally
    ``A ~~ 0.3*B`` for correlated exogenous constructs), ``thresholds`` (increasing
    standard-normal cut points, one fewer than the scale has points; default
    :func:`default_thresholds`) and an optional ``[population.item_thresholds]`` table
    (item -> cut points). The scale comes from ``[data] scale`` (default ``[1, 5]``) and
    the id column name from ``[data] id`` (default ``RespondentID``).

    Parameters
    ----------
    model : SurveyModel
        A loaded model file (:func:`cxsurvey.model.load.load_model`).
    text : str, optional
        The file's text, used only to give file line numbers in error messages (this
        function reads no file); without it, lines are counted from the syntax's start.

    Returns
    -------
    PopulationModel

    Raises
    ------
    InputError
        When there is no ``[population]`` table, a loading or path has no number, a
        loading is not strictly between -1 and 1, the thresholds are not increasing or
        have the wrong count, an endogenous construct's implied residual variance is not
        positive, or the paths form a cycle; the message names file and line.

    References
    ----------
    Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
    Statistical Software, 48(2) (fixed-parameter syntax). Joreskog (1973), LISREL.
    """
    lines = _Lines(model.source, text)
    table, spec = _population_syntax(model, lines, text)
    params = _parameters(spec, model.source)
    scale, thresholds, item_thr = _thresholds(model, table, lines)
    values: dict[str, Any] = {
        "loadings": params.loadings,
        "paths": tuple(params.paths),
        "thresholds": thresholds,
        "item_thresholds": item_thr,
        "scale": scale,
        "correlations": tuple(params.correlations),
        "id_column": model.data.id or _ID_COLUMN,
    }
    _Checker(SimpleNamespace(**values), _file_where(lines, params)).run()  # with file lines
    return PopulationModel(**values)
