"""lavaan model syntax translated into what semopy reads with lavaan's meaning.

:func:`prepare_model` writes out what lavaan implies and semopy would read otherwise:
the first loading of each factor fixed to 1 (lavaan's marker rule, also when the first
loading carries a label), ``NA*`` first loadings freed, the residual covariances of
every pair of pure outcomes freed (lavaan's ``auto.cov.y``; semopy leaves those of
latent outcomes at zero), ``start()`` modifiers and intercepts dropped (means are not
modelled). It lists the variables in order of
appearance, which fixes the order of the observed variables in the fit's matrices.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. Journal of
Statistical Software, 48(2), 1-36 (model syntax and its defaults).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cxsurvey.errors import InputError
from cxsurvey.model.spec import Formula, ModelSpec, Term
from cxsurvey.model.syntax import parse_syntax

__all__ = ["PreparedModel", "prepare_model"]

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


@dataclass(frozen=True)
class PreparedModel:
    """A lavaan-syntax model translated for semopy, with lavaan's ordering of things.

    Attributes
    ----------
    syntax : str
        Text handed to semopy: one formula per line, the first loading of each factor
        written as ``1*item`` (lavaan's marker rule; semopy's own rule differs when a
        label or a later fixed loading is present), ``start()`` modifiers and free
        intercepts removed, ``NA*`` first loadings freed.
    latent : tuple of str
        Latent variables (``=~`` left-hand sides), in order of appearance.
    observed : tuple of str
        Observed variables, in order of appearance.
    measurement : frozenset of (latent, indicator)
        The ``=~`` pairs.
    regressions : tuple of (outcome, predictor)
        ``~`` paths in order.
    covariances : tuple of (a, b)
        User-specified ``~~`` pairs in order.
    notes : tuple of str
        What was dropped or changed, for the user.
    freed : tuple of str
        Factors whose first loading the user freed with ``NA*``.
    """

    syntax: str
    latent: tuple[str, ...]
    observed: tuple[str, ...]
    measurement: frozenset[tuple[str, str]]
    regressions: tuple[tuple[str, str], ...]
    covariances: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()
    freed: tuple[str, ...] = ()


def _raw_terms(text: str, op: str) -> list[str]:
    rhs = text.split(op, 1)[1] if op in text else ""
    return [t.strip() for t in rhs.split("+")]


def _reflective_latents(spec: ModelSpec) -> tuple[str, ...]:
    """The ``=~`` constructs; composites (``<~``) are refused."""
    composites = [c for c, m in spec.modes.items() if m == "B"]
    if composites:
        raise InputError(
            f"composite constructs ({', '.join(composites)} <~ ...) cannot be estimated by "
            "the covariance-based engine",
            hint="Use '--method pls' for formative (Mode B) constructs, or declare them "
                 "reflective with '=~'.")
    return tuple(c for c, m in spec.modes.items() if m == "A")


def _marker_rule(spec: ModelSpec) -> tuple[set[str], set[str]]:
    """lavaan's marker rule: the first loading of each factor is fixed to 1 unless it
    carries a number or NA; a label on it stays, so every term sharing that label is 1.

    Returns the factors whose first loading is freed (``NA*``) and the labels fixed to 1.
    """
    free_first: set[str] = set()
    one_labels: set[str] = set()
    seen: set[str] = set()
    for f in spec.formulas:
        if f.op == "=~" and f.lhs not in seen and f.rhs:
            raw = _raw_terms(f.text, f.op)[0]
            if raw.split("*")[0].strip().upper() == "NA" and "*" in raw:
                free_first.add(f.lhs)
            elif f.rhs[0].fixed is None and f.rhs[0].label is not None:
                one_labels.add(f.rhs[0].label)
            seen.add(f.lhs)
    return free_first, one_labels


def _check_formula(f: Formula) -> None:
    if f.op in ("==", "<", ">"):
        raise InputError(
            f"the constraint '{f.text}' (line {f.line}) is not supported by the "
            "covariance-based engine", hint="Use shared labels (a*x1 + a*x2) for "
            "equality constraints, or remove the line.")


def _check_modifier(f: Formula, raw: str) -> None:
    mod = raw.split("*")[0].strip() if "*" in raw else ""
    if re.match(r"^(equal|c|label)\(", mod):
        raise InputError(
            f"the modifier '{mod}' in '{f.text}' (line {f.line}) is not supported "
            "by the covariance-based engine",
            hint="Write a label before the term instead (a*item); the same label "
                 "on two terms makes them equal.")


@dataclass
class _Translation:
    """The formulas translated so far, and what they name."""

    latent: frozenset[str]
    free_first: set[str]
    one_labels: set[str]
    observed: dict[str, None] = field(default_factory=dict)
    measurement: set[tuple[str, str]] = field(default_factory=set)
    regressions: list[tuple[str, str]] = field(default_factory=list)
    covariances: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    first_done: set[str] = field(default_factory=set)

    def note_var(self, name: str) -> None:
        if name not in self.latent and not _NUMBER.match(name):
            self.observed.setdefault(name, None)

    def add(self, f: Formula) -> None:
        """Translate one formula (after :func:`_check_formula`)."""
        if f.op == ":=":
            self.notes.append(f"defined parameter '{f.text}' is not part of the fit "
                              "(reported with the effects, delta-method SE)")
            return
        raws = _raw_terms(f.text, f.op)
        if len(raws) != len(f.rhs):
            raws = [t.name for t in f.rhs]
        if f.op != "=~":
            self.note_var(f.lhs)
        out: list[str] = []
        for i, (term, raw) in enumerate(zip(f.rhs, raws, strict=True)):
            _check_modifier(f, raw)
            text = self._term(f, i, term)
            if text is not None:
                out.append(text)
        if f.op == "=~":
            self.first_done.add(f.lhs)
        if out:
            self.lines.append(f"{f.lhs} {f.op} {' + '.join(out)}")

    def _term(self, f: Formula, i: int, term: Term) -> str | None:
        """semopy's text of the i-th right-hand term, or None for a dropped intercept."""
        name = term.name
        if f.op == "~" and (name == "1" or _NUMBER.match(name)):
            self.notes.append(f"intercept in '{f.text}' ignored (means are not modelled; "
                              "they do not change the covariance fit)")
            return None
        self.note_var(name)
        if term.fixed is not None:
            text = f"{term.fixed!r}*{name}"
        elif term.label in self.one_labels:
            text = f"1.0*{name}"
        elif term.label is not None:
            text = f"{term.label}*{name}"
        else:
            text = name
        if f.op == "=~":
            self.measurement.add((f.lhs, name))
            first = f.lhs not in self.first_done and i == 0
            if f.lhs in self.free_first:
                if term.fixed is None and term.label is None:
                    text = f"_cx_{f.lhs}_{name}*{name}"  # unique label: free
            elif first and term.fixed is None:
                text = f"1.0*{name}"  # lavaan: first loading fixed to 1
        elif f.op == "~":
            self.regressions.append((f.lhs, name))
        elif f.op == "~~":
            self.covariances.append((f.lhs, name))
        return text


def _outcome_covariances(tr: _Translation, latent: tuple[str, ...]
                         ) -> list[tuple[str, str]]:
    """lavaan's ``auto.cov.y``: a free residual covariance for every pair of pure
    outcomes (variables regressed on others that are neither indicators nor predictors:
    latent ones first, then observed ones), unless the model names that pair."""
    indicators = {i for _, i in tr.measurement}
    outcomes = {y for y, _ in tr.regressions}
    predictors = {x for _, x in tr.regressions}
    pure = [v for v in latent if v in outcomes and v not in indicators | predictors]
    pure += [v for v in tr.observed if v in outcomes and v not in indicators | predictors
             and v not in latent]
    named = {frozenset(pair) for pair in tr.covariances}
    return [(a, b) for i, a in enumerate(pure) for b in pure[i + 1:]
            if frozenset((a, b)) not in named]


def prepare_model(syntax: str | ModelSpec) -> PreparedModel:
    """Translate lavaan syntax into what semopy reads with lavaan's meaning.

    Parameters
    ----------
    syntax : str or ModelSpec
        lavaan model syntax, or its parsed form.

    Returns
    -------
    PreparedModel

    Raises
    ------
    InputError
        On syntax the parser rejects, composite (``<~``) blocks, constraint lines
        (``==``, ``<``, ``>``), modifiers the covariance-based engine cannot honour
        (``equal()``, ``c()``, ``label()``), and models without ``=~`` or ``~`` formulas.

    References
    ----------
    Rosseel, Y. (2012). Journal of Statistical Software, 48(2), 1-36 (lavaan's syntax
    and its marker-variable default).
    """
    spec = syntax if isinstance(syntax, ModelSpec) else parse_syntax(syntax)
    latent = _reflective_latents(spec)
    free_first, one_labels = _marker_rule(spec)
    tr = _Translation(latent=frozenset(latent), free_first=free_first,
                      one_labels=one_labels)
    for f in spec.formulas:
        _check_formula(f)
        tr.add(f)
    if not tr.measurement and not tr.regressions:
        raise InputError("the model has no '=~' or '~' formulas to estimate",
                         hint="Add lines such as 'Attention =~ Att1 + Att2 + Att3'.")
    tr.lines += [f"{a} ~~ {b}" for a, b in _outcome_covariances(tr, latent)]
    return PreparedModel(
        syntax="\n".join(tr.lines) + "\n", latent=latent, observed=tuple(tr.observed),
        measurement=frozenset(tr.measurement), regressions=tuple(tr.regressions),
        covariances=tuple(tr.covariances), notes=tuple(dict.fromkeys(tr.notes)),
        freed=tuple(sorted(free_first)))
