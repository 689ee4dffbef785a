"""Which analyses a command runs: the one method -> sections plan of every command."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cxsurvey.gates.rules import RuleSet, needs
from cxsurvey.options import Method, Section, choice

__all__ = ["COMMANDS", "Plan", "plan"]

_ITEMS = (Section.describe, Section.normality, Section.reliability)
_STRUCTURAL = (Section.cfa, Section.paths)
_FIXED: dict[str, tuple[Section, ...]] = {
    "describe": (Section.describe,),
    "normality": (Section.normality,),
    "reliability": (Section.reliability,),
    "cfa": (Section.cfa,),
    "paths": (Section.paths,),
    "polychoric": (Section.polychoric,),
}
COMMANDS = ("analyze", "batch", "check", *_FIXED)
"""The commands :func:`plan` knows."""


@dataclass(frozen=True)
class Plan:
    """The analyses of one run.

    Attributes
    ----------
    sections : tuple of Section
        In report order.
    method : Method
        The structural estimator the run uses (``cb``, ``pls`` or ``both``; ``cb`` when
        no structural section runs, as recorded in ``meta.options``).
    """

    sections: tuple[Section, ...]
    method: Method

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.value for s in self.sections)

    @property
    def structural(self) -> bool:
        return any(s in _STRUCTURAL for s in self.sections)


def plan(command: str, method: Method | str = Method.auto, has_model: bool = False,
         rules: RuleSet | None = None, gate: bool = False,
         extra: Iterable[Section | str] = ()) -> Plan:
    """The sections ``command`` runs and the estimator it uses.

    Parameters
    ----------
    command : str
        ``analyze``, ``batch`` (one file of it), ``check``, or a single-section command
        (``describe``, ``normality``, ``reliability``, ``cfa``, ``paths``, ``polychoric``).
    method : Method
        ``auto``: CB models when a model file is given (``analyze``, ``batch``), or when
        the rules need loadings, HTMT or fit (``check``); ``none``: no model; ``cb``,
        ``pls``, ``both``: those models.
    has_model : bool
        Whether the user gave a model file (a sidecar model counts in ``batch``).
    rules : RuleSet, optional
        The run's rule set.
    gate : bool
        Whether the run is checked against ``rules`` (``check``, ``--fail-on``): ``check``
        and ``batch`` then add the CFA when a rule reads loadings, HTMT or fit; ``analyze``
        runs what ``--method`` asks for and lists the other rules as not checked.
    extra : iterable of Section
        Opt-in sections added after the command's own (``analyze --polychoric``).
    """
    method = choice(Method, method, "method")
    added = tuple(choice(Section, x, "section") for x in extra)
    if command in _FIXED:
        return Plan(_with(_FIXED[command], added),
                    Method.cb if method in (Method.auto, Method.none) else method)
    if command not in COMMANDS:
        raise ValueError(f"unknown command {command!r}; choose from {COMMANDS}")
    needed = needs(rules) if (gate and rules is not None) else set()
    if command == "check":
        sections: tuple[Section, ...] = (Section.describe, Section.reliability)
        if method is not Method.none and (needed & {"cfa", "pls"} or method.runs_pls):
            sections += (Section.cfa,)
    else:
        explicit = method in (Method.cb, Method.pls, Method.both)
        if command == "batch":  # a file without its own or a given model runs no model
            structural = has_model and method is not Method.none
        else:
            structural = explicit or (method is Method.auto and has_model)
        sections = _ITEMS + (_STRUCTURAL if structural else ())
        if command == "batch" and not structural and needed & {"cfa", "pls"}:
            sections += (Section.cfa,)
    chosen = Method.cb if method in (Method.auto, Method.none) else method
    return Plan(_with(sections, added), chosen)


def _with(sections: tuple[Section, ...], added: tuple[Section, ...]) -> tuple[Section, ...]:
    """``sections`` followed by those of ``added`` not among them."""
    return tuple(dict.fromkeys(sections + added))
