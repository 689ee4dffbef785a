"""Which quality gates apply: a named rule set, a rules file, ``[checks]`` and flags.

Resolution, each step overriding the one before:

1. the base set: ``--rules NAME`` (or the ``rules`` key of a rules file or of the model
   file's ``[checks]`` table); ``default`` when none is named;
2. the thresholds of a rules file (``--rules FILE``: a TOML file with a ``[checks]``
   table, or the same keys at its top level);
3. the model file's ``[checks]`` table;
4. command-line flags (``--min-alpha 0.8``).

A ``[checks]`` table::

    [checks]
    rules = "default"                 # base set (default, lenient, hu-bentler, saeedi2022)
    min_alpha = 0.8                   # a threshold (cited as set in this file) ...
    max_htmt = { value = 0.90, citation = "Henseler et al. 2015" }   # ... or with its source
    skip = ["max_rho_c"]              # rules to leave out
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cxsurvey.errors import InputError, Location
from cxsurvey.gates.invariance import INVARIANCE_LEVELS
from cxsurvey.gates.rules import RULE_KEYS, RULE_SETS, RuleSet
from cxsurvey.model.load import key_line
from cxsurvey.model.spec import SurveyModel

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_rules_file", "resolve_rules"]

_META_KEYS = {"rules", "skip"}


def _line(text: str | None, key: str) -> int | None:
    return key_line(text, "checks", key) or key_line(text, "", key)


def _bad(msg: str, source: str, text: str | None, key: str | None, hint: str) -> InputError:
    return InputError(msg, Location(file=source, line=_line(text, key) if key else None), hint)


def _base(name: Any, source: str, text: str | None) -> RuleSet:
    if not isinstance(name, str) or name not in RULE_SETS:
        close = difflib.get_close_matches(str(name), sorted(RULE_SETS), n=1)
        raise _bad(f"unknown rule set {name!r}", source, text, "rules",
                   (f"Did you mean {close[0]!r}? " if close else "")
                   + "Built-in sets: " + ", ".join(RULE_SETS) + ".")
    return RULE_SETS[name]


def apply_table(rules: RuleSet, table: Mapping[str, Any], source: str,
                text: str | None = None) -> RuleSet:
    """``rules`` with the thresholds and ``skip`` list of a ``[checks]`` table applied."""
    for key, value in table.items():
        if key in _META_KEYS:
            continue
        if key not in RULE_KEYS:
            close = difflib.get_close_matches(key, sorted(RULE_KEYS), n=1)
            raise _bad(f"[checks] has an unknown rule {key!r}", source, text, key,
                       (f"Did you mean {close[0]!r}? " if close else "")
                       + "Rules: " + ", ".join(RULE_KEYS) + ".")
        citation = f"set in {Path(source).name}"
        if isinstance(value, Mapping):
            extra = set(value) - {"value", "citation"}
            if extra or "value" not in value:
                raise _bad(f"[checks] {key} must be a number or {{ value = ..., citation = "
                           f"... }}", source, text, key, "Example: min_alpha = 0.7")
            citation = str(value.get("citation") or citation)
            value = value["value"]
        if key == "min_invariance" and isinstance(value, str):
            value = INVARIANCE_LEVELS.get(value.strip().lower(), value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            current = rules.get(key)
            raise _bad(f"[checks] {key} must be a number, got {value!r}", source, text, key,
                       f"Example: {key} = {current.threshold.value if current else 0.7:g}")
        rules = rules.with_value(key, float(value), citation)
    skip = table.get("skip", [])
    if isinstance(skip, str):
        skip = [skip]
    if not isinstance(skip, list) or not all(isinstance(s, str) for s in skip):
        raise _bad("[checks] skip must be a list of rule names", source, text, "skip",
                   'Example: skip = ["max_rho_c"]')
    unknown = [s for s in skip if s not in RULE_KEYS]
    if unknown:
        raise _bad(f"[checks] skip names unknown rule(s): {', '.join(unknown)}", source, text,
                   "skip", "Rules: " + ", ".join(RULE_KEYS) + ".")
    return rules.without(set(skip))


def load_rules_file(path: str | Path) -> tuple[dict[str, Any], str]:
    """The ``[checks]`` table of a rules file (or its top-level keys) and the file's text."""
    p = Path(path)
    where = Location(file=str(path))
    if not p.is_file():
        raise InputError("rules file not found" if not p.exists() else "not a file", where,
                         "Give a built-in rule set (" + ", ".join(RULE_SETS) + ") or a TOML "
                         "file with a [checks] table.")
    text = p.read_text(encoding="utf-8-sig")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the rules file is not valid TOML: {exc}", where,
                         "Write [checks] with keys such as min_alpha = 0.7.") from None
    table = doc.get("checks", doc)
    if not isinstance(table, dict):
        raise InputError("[checks] must be a table", where, "Write [checks] min_alpha = 0.7")
    return table, text


def resolve_rules(rules: str | None = None, model: SurveyModel | None = None,
                  flags: Mapping[str, float | None] | None = None) -> RuleSet:
    """The rule set a run checks (see the module docstring for the order).

    Parameters
    ----------
    rules : str, optional
        A built-in set's name or the path of a rules file.
    model : SurveyModel, optional
        Its ``[checks]`` table applies after the rules file.
    flags : mapping, optional
        Rule key -> threshold from the command line (``None`` = not given).
    """
    file_table: dict[str, Any] = {}
    file_text = None
    file_source = "--rules"
    base_name: Any = None
    if rules is not None:
        if rules in RULE_SETS:
            base_name = rules
        elif Path(rules).suffix.lower() == ".toml" or Path(rules).exists():
            file_table, file_text = load_rules_file(rules)
            file_source = str(rules)
            base_name = file_table.get("rules")
        else:
            close = difflib.get_close_matches(rules, sorted(RULE_SETS), n=1)
            raise InputError(f"unknown rule set {rules!r}", Location(),
                             (f"Did you mean {close[0]!r}? " if close else "")
                             + "Built-in sets: " + ", ".join(RULE_SETS)
                             + "; or give a .toml rules file.")
    model_table = (model.checks or {}) if model is not None else {}
    model_source = (model.source or "model file") if model is not None else ""
    model_text = model.text if model is not None else None
    if base_name is None and "rules" in model_table and rules is None:
        base = _base(model_table["rules"], model_source, model_text)
    elif base_name is None:
        base = RULE_SETS["default"]
    else:
        base = _base(base_name, file_source, file_text)
    out = apply_table(base, file_table, file_source, file_text) if file_table else base
    if model_table:
        out = apply_table(out, model_table, model_source, model_text)
    for key, value in (flags or {}).items():
        if value is not None:
            out = out.with_value(key, float(value), f"--{key.replace('_', '-')}")
    return out
