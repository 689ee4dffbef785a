"""A model file's ``[population]`` table, read into a :class:`PopulationModel`.

:func:`population_from_model` takes the table of a loaded model file: its ``syntax``
(lavaan syntax with numeric pre-multipliers, Rosseel 2012), ``thresholds`` and
``[population.item_thresholds]``, and the ``[data]`` scale and id column. It checks the
table's keys, collects the fixed loadings, paths and correlations with the line each
comes from, and validates the values with :func:`validate_population`, so that every
error names the file and line of the value at fault.

Nothing here reads a file: the model file's text, when given, serves only to find the
line numbers of its keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from cxsurvey.errors import InputError, Location
from cxsurvey.model.population import (
    DEFAULT_ID_COLUMN,
    PopulationModel,
    Where,
    default_thresholds,
    validate_population,
)
from cxsurvey.model.spec import Formula, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax

__all__ = ["population_from_model"]

_POPULATION_KEYS = {"syntax", "thresholds", "item_thresholds"}


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
        "id_column": model.data.id or DEFAULT_ID_COLUMN,
    }
    validate_population(SimpleNamespace(**values), _file_where(lines, params))  # with file lines
    return PopulationModel(**values)
