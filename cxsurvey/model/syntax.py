"""A small parser for the lavaan model syntax that cxsurvey needs to understand.

It recognises the operators lavaan and semopy share (``=~``, ``<~``, ``~``, ``~~``,
``:=``) and constraint lines (``==``, ``<``, ``>``), term modifiers (``0.7*x``,
``a*x``, ``NA*x``, ``start(1)*x``), comments (``#`` and ``!``), ``;`` separators and
formulas continued on the next line (after a trailing ``+``, ``*`` or operator, or
before a leading ``+``). The text itself is passed
unchanged to semopy, so the parser only has to find constructs, items and paths and
reject what neither lavaan nor semopy would accept, with the line number: arrows
lavaan does not have (``->``, ``<-``, ``=>``, a lone ``=``), which would otherwise be read
as ``<``/``>`` constraints, and a variable regressed on itself.

Two PLS-SEM extensions are read as well. An interaction term ``X:M`` on the right of
``~`` (``Y ~ X + M + X:M``, the notation of R's model formulas that lavaan keeps for
observed variables) is a moderating effect, :func:`interaction_terms`; the covariance-based
side refuses it (:func:`check_cb_syntax`). A construct whose indicators are all constructs
(``Quality =~ Q1 + Q2`` and ``Overall =~ Image + Quality``, lavaan's second-order factor;
``Overall <~ Image + Quality`` for a formative one) is a higher-order construct,
:func:`higher_order_constructs`.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
Journal of Statistical Software, 48(2), 1-36. (model syntax, section 4)
"""

from __future__ import annotations

import re

from cxsurvey.errors import InputError, Location
from cxsurvey.model.spec import Formula, ModelSpec, Term

_OPERATORS = ("=~", "<~", "~~", ":=", "==", "~", "<", ">")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_OP_CHARS = set("<>=~-:")  # characters that lavaan's operators are made of


def _strip_comment(line: str) -> str:
    for mark in ("#", "!"):
        pos = line.find(mark)
        if pos >= 0:
            line = line[:pos]
    return line.strip()


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Split into statements with their first line number; join continued formulas.

    A statement continues on the next piece when it ends with ``+``, ``*`` or an
    operator (``Att =~`` with the items below), or when the next piece starts with ``+``
    (both styles are common in lavaan scripts).
    """
    out: list[tuple[int, str]] = []
    for no, raw in enumerate(text.splitlines(), start=1):
        for piece in _strip_comment(raw).split(";"):
            piece = piece.strip()
            if not piece:
                continue
            if out and (out[-1][1].endswith(("+", "*", "~")) or piece.startswith("+")):
                prev = out[-1][1]
                if prev.endswith("+") and piece.startswith("+"):
                    piece = piece[1:].lstrip()  # "a +" then "+ b": one '+'
                out[-1] = (out[-1][0], prev + " " + piece)
            else:
                out.append((no, piece))
    return out


def _split_op(stmt: str) -> tuple[str, str, str] | None:
    for op in _OPERATORS:
        pos = stmt.find(op)
        if pos >= 0:
            return stmt[:pos].strip(), op, stmt[pos + len(op):].strip()
    return None


def _operator_run(stmt: str, split: tuple[str, str, str] | None) -> str | None:
    """The whole operator as written around the one :func:`_split_op` found.

    ``Loy <- Sat`` splits at ``<`` and ``Sat -> Loy`` at ``>``, which would read them
    as inequality constraints; so the run of operator characters around the split is
    taken. A trailing ``-`` is a sign (``a <-0.5``, ``y ~ -1*x``) except in ``<-``
    followed by a name, R's arrow. Without any operator, a lone ``=`` is returned.
    """
    if split is None:
        return "=" if "=" in stmt else None
    op = split[1]
    start = stmt.find(op)
    end = start + len(op)
    while start > 0 and stmt[start - 1] in _OP_CHARS:
        start -= 1
    while end < len(stmt) and stmt[end] in _OP_CHARS:
        end += 1
    run = stmt[start:end]
    if run.endswith("-") and len(run) > 1:
        after = stmt[end:].lstrip()
        if run != "<-" or _NUMBER.match(after.split()[0] if after.split() else ""):
            run = run[:-1]
    return run


def _bad_operator(run: str, stmt: str, where: Location) -> InputError:
    """The error for an operator lavaan does not have, with the lavaan way to write it."""
    lhs, _, rhs = (p.strip() for p in stmt.partition(run))
    message = f"'{run}' is not a lavaan operator (in '{stmt}')"
    side_names = [t.strip() for t in (lhs + "+" + rhs).split("+") if t.strip()]
    constraint = bool(side_names) and any(_NUMBER.match(t) for t in side_names)
    arrow = run != run.strip("-=") and not constraint
    if arrow and run.endswith(">") and run.strip("-=") == ">":  # -> => ==> -->
        outcomes = [o.strip() for o in rhs.split("+") if o.strip()] or ["Outcome"]
        fix = "; ".join(f"{o} ~ {lhs or 'Predictor'}" for o in outcomes)
        return InputError(message, where, f"Write the outcome first: {fix}{_ineq(run)}")
    if arrow and run.startswith("<") and run.strip("-=") == "<":  # <- <= <== <--
        return InputError(message, where, "Write the outcome first: "
                          f"{lhs or 'Outcome'} ~ {rhs or 'Predictor'}{_ineq(run)}")
    if run == "=":
        return InputError(
            message, where,
            f"Write '{lhs} ~ {rhs}' for a path (outcome first), '{lhs} =~ {rhs}' for a "
            f"measurement model, '{lhs} == {rhs}' for an equality constraint or "
            f"'{lhs} := {rhs}' to define a parameter.")
    return InputError(message, where,
                      "Lavaan's operators are =~, <~, ~, ~~, :=, ==, < and > (inequality "
                      "constraints are written with '<' and '>', e.g. 'a < 0.5').")


def _ineq(run: str) -> str:
    """A note for ``<=``/``=>``: lavaan's inequality constraints are ``<`` and ``>``."""
    return (" (an inequality constraint between labels is written 'a < b' or 'a > b')"
            if "=" in run else "")


def _interaction_term(raw: str, where: Location, stmt: str, op: str) -> Term:
    """An interaction term ``X:M`` (only on the right of ``~``)."""
    if op != "~":
        raise InputError(f"the interaction term '{raw}' in '{stmt}' is not a regression "
                         "predictor", where,
                         "Interaction terms such as 'X:M' go on the right of '~': "
                         "'Y ~ X + M + X:M'.")
    parts = [p.strip() for p in raw.split(":")]
    if len(parts) != 2 or not all(_NAME.match(p) for p in parts):
        raise InputError(f"cannot read the interaction term '{raw}' in '{stmt}'", where,
                         "Write an interaction of two constructs as 'X:M'.")
    if parts[0] == parts[1]:
        raise InputError(f"the interaction term '{raw}' in '{stmt}' joins a construct "
                         "with itself", where, "Write an interaction of two different "
                         "constructs, e.g. 'X:M'.")
    return Term(name=f"{parts[0]}:{parts[1]}")


def _parse_term(raw: str, where: Location, stmt: str, op: str = "~") -> Term:
    raw = raw.strip()
    if ":" in raw and "*" not in raw and "(" not in raw:
        return _interaction_term(raw, where, stmt, op)
    if not raw:
        if stmt.rstrip().endswith("+"):
            raise InputError(f"'{stmt}' ends with '+' but no term follows", where,
                             "Remove the '+' or add the missing item.")
        raise InputError(f"an empty term (two '+' in a row?) in '{stmt}'", where,
                         "Write terms separated by one '+': 'item1 + item2'.")
    if len(raw.split()) > 1 and "*" not in raw and "(" not in raw:
        words = raw.split()
        raise InputError(f"missing '+' between '{words[0]}' and '{words[1]}' in '{stmt}'",
                         where, f"Write '{' + '.join(words)}'.")
    parts = [p.strip() for p in raw.split("*")]
    if any(not p for p in parts) or len(parts) > 2:
        raise InputError(
            f"cannot read the term '{raw}' in '{stmt}'", where,
            "Write terms as 'item', '0.7*item' or 'label*item'.",
        )
    name = parts[-1]
    fixed: float | None = None
    label: str | None = None
    if len(parts) == 2:
        mod = parts[0]
        if _NUMBER.match(mod):
            fixed = float(mod)
        elif mod.upper() == "NA" or re.match(r"^(start|equal|label|c)\(.*\)$", mod):
            pass
        elif _NAME.match(mod):
            label = mod
        else:
            raise InputError(f"cannot read the modifier '{mod}' in '{stmt}'", where,
                             "Use a number (0.7*item), a label (a*item), NA*item or "
                             "start(0.5)*item.")
    if not (_NAME.match(name) or _NUMBER.match(name)):
        raise InputError(
            f"'{name}' is not a valid variable name in '{stmt}'", where,
            "Names start with a letter and contain letters, digits, '_' or '.'.",
        )
    return Term(name=name, fixed=fixed, label=label)


def parse_syntax(text: str, source: str | None = None, first_line: int = 1) -> ModelSpec:
    """Parse lavaan model syntax into a :class:`ModelSpec`.

    Parameters
    ----------
    text : str
        The model text.
    source : str, optional
        File name, for error messages.
    first_line : int
        Line number in ``source`` where ``text`` starts (for TOML multi-line strings).

    Raises
    ------
    InputError
        On a statement without an operator, an empty side, a bad name or a construct
        defined twice; the message names the file and line.
    """
    formulas: list[Formula] = []
    constructs: dict[str, tuple[str, ...]] = {}
    modes: dict[str, str] = {}
    for line_no, stmt in _logical_lines(text):
        where = Location(file=source, line=line_no + first_line - 1)
        split = _split_op(stmt)
        run = _operator_run(stmt, split)
        if run is not None and (split is None or run != split[1]):
            raise _bad_operator(run, stmt, where)
        if split is None:
            raise InputError(
                f"no lavaan operator in '{stmt}'", where,
                "Use 'Construct =~ item1 + item2' for a measurement model and "
                "'Outcome ~ Predictor' for a path.",
            )
        lhs, op, rhs = split
        if op in ("==", "<", ">", ":="):
            formulas.append(Formula(lhs=lhs, op=op, rhs=(), line=where.line or 0, text=stmt))
            continue
        if not lhs or not rhs:
            raise InputError(f"'{stmt}' has an empty side of '{op}'", where)
        if not _NAME.match(lhs):
            raise InputError(f"'{lhs}' is not a valid name on the left of '{op}'", where)
        if "~" in rhs or ":=" in rhs:
            raise InputError(f"more than one operator in '{stmt}'", where,
                             "Write one formula per line (or separate them with ';').")
        terms = tuple(_parse_term(t, where, stmt, op) for t in rhs.split("+"))
        if op in ("~", "=~", "<~") and any(t.name == lhs for t in terms):
            verb = "regressed on" if op == "~" else "defined by"
            raise InputError(f"'{lhs}' is {verb} itself in '{stmt}'", where,
                             f"Remove '{lhs}' from the right of '{op}': a variable "
                             "cannot explain itself.")
        formulas.append(Formula(lhs=lhs, op=op, rhs=terms, line=where.line or 0, text=stmt))
        if op in ("=~", "<~"):
            names = tuple(t.name for t in terms if not _NUMBER.match(t.name))
            mode = "A" if op == "=~" else "B"
            if lhs in constructs:
                if modes[lhs] != mode:
                    raise InputError(f"construct '{lhs}' is declared both =~ and <~", where)
                names = constructs[lhs] + tuple(n for n in names if n not in constructs[lhs])
            constructs[lhs] = names
            modes[lhs] = mode
    if not formulas:
        raise InputError("the model has no formulas", Location(file=source),
                         "Add lines such as 'Attention =~ Att1 + Att2 + Att3'.")
    return ModelSpec(syntax=text, formulas=tuple(formulas), constructs=constructs, modes=modes)


def interaction_terms(spec: ModelSpec) -> tuple[tuple[str, str, str], ...]:
    """The interaction terms of the regressions as ``(iv, moderator, outcome)``.

    ``Y ~ X + M + X:M`` gives ``("X", "M", "Y")``: the first name of ``X:M`` is the
    independent variable, the second the moderator (as seminr's ``interaction_term(iv,
    moderator)``).
    """
    out: list[tuple[str, str, str]] = []
    for pred, outcome, _ in spec.regressions:
        if ":" in pred:
            iv, moderator = pred.split(":", 1)
            out.append((iv, moderator, outcome))
    return tuple(dict.fromkeys(out))


def higher_order_constructs(spec: ModelSpec) -> dict[str, tuple[str, ...]]:
    """Constructs measured by other constructs: name -> its lower-order constructs.

    Raises
    ------
    InputError
        For a construct measured by both constructs and items.
    """
    out: dict[str, tuple[str, ...]] = {}
    for name, members in spec.constructs.items():
        lower = [m for m in members if m in spec.constructs]
        if not lower:
            continue
        if len(lower) != len(members):
            items = [m for m in members if m not in spec.constructs]
            raise InputError(
                f"construct '{name}' is measured by constructs ({', '.join(lower)}) and "
                f"items ({', '.join(items)})",
                hint="A higher-order construct is measured by constructs only; give the "
                     "items a construct of their own.")
        out[name] = tuple(lower)
    return out


def check_cb_syntax(spec: ModelSpec) -> None:
    """Refuse what only the PLS-SEM side estimates: interaction terms (``X:M``).

    Raises
    ------
    InputError
        Naming the first interaction term.
    """
    for pred, outcome, _ in spec.regressions:
        if ":" in pred:
            line = next((f.line for f in spec.formulas
                         if f.op == "~" and f.lhs == outcome), None)
            raise InputError(
                f"the interaction term '{pred}' (in the regression of '{outcome}') is "
                "estimated by PLS-SEM only", Location(line=line),
                "Run the model with --method pls, or drop the interaction term for "
                "covariance-based SEM.")


def build_syntax(constructs: dict[str, tuple[str, ...]],
                 paths: list[tuple[str, str]] | None = None) -> str:
    """Write lavaan syntax for measurement blocks and ``(predictor, outcome)`` paths."""
    lines = [f"{c} =~ {' + '.join(items)}" for c, items in constructs.items()]
    by_outcome: dict[str, list[str]] = {}
    for pred, out in paths or []:
        by_outcome.setdefault(out, []).append(pred)
    lines += [f"{out} ~ {' + '.join(preds)}" for out, preds in by_outcome.items()]
    return "\n".join(lines) + "\n"
