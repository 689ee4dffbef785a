"""lavaan syntax of the measurement model (CFA) and of the full structural model, written
from a survey model's constructs (so that items dropped by ``--drop-weak`` stay out).

Constructs and their items are written in the model's declaration order; that order is
the order of the observed variables in the fit's matrices and tables.
"""

from __future__ import annotations

from collections.abc import Collection

from cxsurvey.model.spec import ModelSpec

__all__ = ["item_covariances", "measurement_syntax", "structural_syntax"]


def item_covariances(spec: ModelSpec | None, items: Collection[str]) -> list[str]:
    """The model's ``~~`` lines between indicators (correlated residuals).

    Parameters
    ----------
    spec : ModelSpec or None
        The user's model (None: no lines).
    items : collection of str
        The indicators kept; terms naming other variables are left out.

    Returns
    -------
    list of str
        ``a ~~ b + c`` lines in the model's order.
    """
    out = []
    for f in spec.formulas if spec is not None else ():
        if f.op == "~~" and f.lhs in items:
            rhs = [t.name for t in f.rhs if t.name in items and t.name != f.lhs]
            if rhs:
                out.append(f"{f.lhs} ~~ {' + '.join(rhs)}")
    return out


def measurement_syntax(constructs: dict[str, tuple[str, ...]],
                       spec: ModelSpec | None = None) -> str:
    """CFA syntax: one ``=~`` line per construct, plus the model's correlated residuals
    among the remaining items.

    The factors correlate freely (lavaan's ``cfa()`` default, which the fit applies).

    Parameters
    ----------
    constructs : dict
        Construct -> items, in declaration order.
    spec : ModelSpec, optional
        The user's model, for correlated residuals among items.

    Returns
    -------
    str
        lavaan syntax, one formula per line.
    """
    items = {i for its in constructs.values() for i in its}
    lines = [f"{c} =~ {' + '.join(its)}" for c, its in constructs.items()]
    return "\n".join(lines + item_covariances(spec, items)) + "\n"


def structural_syntax(constructs: dict[str, tuple[str, ...]], spec: ModelSpec) -> str:
    """The full model with the current item lists (so ``--drop-weak`` carries over).

    Parameters
    ----------
    constructs : dict
        Construct -> items, in declaration order.
    spec : ModelSpec
        The user's model: its regressions (labels kept, intercepts dropped), its
        covariances among kept items and constructs, and its ``:=`` definitions.

    Returns
    -------
    str
        lavaan syntax, one formula per line.
    """
    items = {i for its in constructs.values() for i in its}
    lines = [f"{c} =~ {' + '.join(its)}" for c, its in constructs.items()]
    for f in spec.formulas:
        if f.op == "~":
            rhs = [t for t in f.rhs if t.name != "1"]
            if rhs:
                terms = [(f"{t.label}*" if t.label else "") + t.name for t in rhs]
                lines.append(f"{f.lhs} ~ {' + '.join(terms)}")
        elif f.op == "~~":
            keep = [t.name for t in f.rhs if t.name in items or t.name in constructs]
            if (f.lhs in items or f.lhs in constructs) and keep:
                lines.append(f"{f.lhs} ~~ {' + '.join(keep)}")
        elif f.op == ":=":
            lines.append(f.text)
    return "\n".join(lines) + "\n"
