"""Read a model file: TOML with ``[data]`` and ``[model]`` tables, or plain lavaan syntax."""

from __future__ import annotations

import codecs
import difflib
import re
import sys
from pathlib import Path
from typing import Any

from cxsurvey.errors import InputError, Location
from cxsurvey.model.cx_tables import parse_metrics, parse_scales
from cxsurvey.model.items_table import parse_items
from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_DATA_KEYS = {
    "sheet", "header_row", "id", "scale", "missing", "reverse", "drop", "labels",
    "delimiter", "encoding", "attention", "scales", "items",
}
_TOP_KEYS = {"data", "model", "population", "checks", "simulate", "metrics"}


_TOML_KEY = re.compile(r"""^\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
                       r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*\s*=(?!=)""")
_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_MULTI_QUOTES = ('"""', "'''")


def _looks_like_toml(text: str) -> bool:
    """Whether a model file without the .toml suffix is TOML rather than lavaan syntax.

    The first line that is not blank or a comment decides: a ``[table]`` header or a
    ``key = value`` pair (lavaan's ``=~``, ``:=`` and ``==`` do not count).
    """
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", "!")):
            continue
        return bool(_TABLE.match(line)) or (bool(_TOML_KEY.match(line)) and "~" not in line)
    return False


def _scan(text: str) -> list[tuple[int, str, str]]:
    """``(line number, table, line)`` for every line outside multi-line strings.

    ``table`` is the dotted name of the table the line belongs to (``""`` before the
    first header). A light scan for messages, not a TOML parser.
    """
    out: list[tuple[int, str, str]] = []
    table = ""
    quote: str | None = None
    for no, line in enumerate(text.splitlines(), start=1):
        if quote is None:
            m = _TABLE.match(line)
            if m:
                table = re.sub(r"\s+", "", m.group(1)).replace('"', "").replace("'", "")
            else:
                out.append((no, table, line))
            if line.lstrip().startswith("#"):
                continue  # quotes in a comment open no string
        for q in _MULTI_QUOTES:
            if line.count(q) % 2 == 1 and quote in (None, q):
                quote = q if quote is None else None
                break
    return out


def key_line(text: str | None, table: str, key: str | None) -> int | None:
    """Line of ``key = ...`` inside ``[table]`` of a TOML text (None when not found)."""
    if text is None or key is None:
        return None
    k = re.escape(key)
    pattern = re.compile(rf"""^\s*(?:{k}|"{k}"|'{k}')\s*=""")
    for no, tab, line in _scan(text):
        if tab == table and pattern.match(line):
            return no
    return None


def _str_list(value: Any, key: str, where: Location) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"[data] {key} must be a list of column names, got {value!r}", where,
                         f'Example: {key} = ["Att3", "Sat2"]')
    return tuple(value)


class _KeyAt:
    """Locations of the keys of a model file's text, for messages."""

    def __init__(self, file: str | None, text: str | None) -> None:
        self.file = file
        self.text = text

    def __call__(self, key: str | None, in_table: str = "data") -> Location:
        """The file and the line of ``key = ...`` inside ``[in_table]`` (no line if absent)."""
        return Location(file=self.file, line=key_line(self.text, in_table, key))


def parse_data_table(table: dict[str, Any], where: Location,
                     text: str | None = None) -> DataSpec:
    """Validate a ``[data]`` table into a :class:`DataSpec`.

    Parameters
    ----------
    table : dict
        The parsed ``[data]`` table.
    where : Location
        The model file, for messages.
    text : str, optional
        The file's text, so that messages name the line of a bad key.

    Raises
    ------
    InputError
        Unknown keys or values of the wrong type.
    """
    at = _KeyAt(where.file, text)
    if not isinstance(table, dict):
        raise InputError("[data] must be a table", where, "Write it as a [data] section.")
    _check_data_keys(table, at)
    scale = _data_scale(table.get("scale"), at)
    missing = _data_missing(table.get("missing", []), at)
    labels = _data_labels(table.get("labels", {}), at)
    _check_reading_keys(table, at)
    return DataSpec(
        sheet=table.get("sheet"),
        header_row=table.get("header_row"),
        id=table.get("id"),
        scale=scale,
        missing=tuple(missing),
        reverse=_str_list(table.get("reverse", []), "reverse", at("reverse")),
        drop=_str_list(table.get("drop", []), "drop", at("drop")),
        labels={str(k): float(v) for k, v in labels.items()},
        delimiter=table.get("delimiter"),
        encoding=table.get("encoding"),
        attention=_data_attention(table.get("attention", {}), at),
        scales=parse_scales(table.get("scales", {}),
                            lambda k: at(k, "data.scales") if k else at("scales")),
        items=parse_items(table.get("items", {}),
                          lambda k: at(k, "data.items") if k else at("items")),
    )


def _check_data_keys(table: dict[str, Any], at: _KeyAt) -> None:
    """Raise on the first key of ``[data]`` that is not a known one."""
    unknown = sorted(set(table) - _DATA_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(_DATA_KEYS), n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        raise InputError(
            f"unknown key(s) in [data]: {', '.join(unknown)}", at(unknown[0]),
            f"{hint}Allowed keys: {', '.join(sorted(_DATA_KEYS))}.",
        )


def _data_scale(scale: Any, at: _KeyAt) -> tuple[int, int] | None:
    """``[data] scale`` as ``(min, max)``: two whole numbers, min < max; None if absent."""
    if scale is None:
        return None
    ok = (isinstance(scale, list) and len(scale) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                  and float(v).is_integer() for v in scale)
          and scale[0] < scale[1])
    if not ok:
        raise InputError(
            f"[data] scale must be two integers [min, max] with min < max, got {scale!r}",
            at("scale"), "For a 5-point Likert scale write scale = [1, 5].")
    return int(scale[0]), int(scale[1])


def _data_missing(missing: Any, at: _KeyAt) -> list[Any]:
    """``[data] missing`` as a list of numbers and texts (a single code becomes a list)."""
    if not isinstance(missing, list):
        missing = [missing]
    for m in missing:
        if isinstance(m, bool) or not isinstance(m, (int, float, str)):
            raise InputError(f"[data] missing must list numbers or texts, got {m!r}",
                             at("missing"), 'Example: missing = [99, "N/A", ""]')
    return missing


def _data_labels(labels: Any, at: _KeyAt) -> dict[str, Any]:
    """``[data.labels]``: answer text -> number."""
    if not isinstance(labels, dict):
        raise InputError("[data] labels must be a table of answer text = score",
                         at("labels"), 'Write [data.labels] with lines such as '
                         '"Strongly agree" = 5.')
    for k, v in labels.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(f"[data.labels] must map answer texts to numbers; '{k}' = {v!r}",
                             at(k, "data.labels"), 'Example: "Strongly agree" = 5')
    return labels


def _data_attention(checks: Any, at: _KeyAt) -> dict[str, tuple[float | str, ...]]:
    """``[data.attention]``: attention-check column -> its accepted answers (one or a list)."""
    if not isinstance(checks, dict):
        raise InputError("[data] attention must be a table of column = expected answer",
                         at("attention"), "Write [data.attention] with lines such as "
                         "Att_check = 4 (or a list of accepted answers: Att_check = [4, 5]).")
    out: dict[str, tuple[float | str, ...]] = {}
    for column, expected in checks.items():
        values = expected if isinstance(expected, list) else [expected]
        ok = bool(values) and all(
            isinstance(v, str) and v.strip()
            or isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        if not ok:
            raise InputError(
                f"[data.attention] '{column}' must be the expected answer (a number or an "
                f"answer text) or a non-empty list of them, got {expected!r}",
                at(column, "data.attention"), "Example: Att_check = 4, or Att_check = [4, 5]")
        out[str(column)] = tuple(v if isinstance(v, str) else float(v) for v in values)
    return out


def _check_reading_keys(table: dict[str, Any], at: _KeyAt) -> None:
    """Check the keys that say how to read the file: sheet, header row, id, text format."""
    sheet = table.get("sheet")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, (str, int))):
        raise InputError("[data] sheet must be a sheet name or a 0-based index", at("sheet"),
                         'Example: sheet = "Responses"')
    header_row = table.get("header_row")
    if header_row is not None and (isinstance(header_row, bool)
                                   or not isinstance(header_row, int) or header_row < 1):
        raise InputError(f"[data] header_row must be a row number >= 1, got {header_row!r}",
                         at("header_row"), "Example: header_row = 2")
    for key in ("id", "delimiter", "encoding"):
        if table.get(key) is not None and not isinstance(table[key], str):
            raise InputError(f"[data] {key} must be a string, got {table[key]!r}", at(key))
    encoding = table.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"[data] encoding '{encoding}' is not a known text encoding",
                             at("encoding"), 'Examples: "utf-8", "cp1252", "latin-1".',
                             ) from None


def _syntax_start(text: str) -> tuple[int, bool] | None:
    """Where ``[model] syntax`` starts in the file: ``(line, multi-line string?)``.

    For a multi-line string this is the line of the string's first line (TOML drops a
    line break right after the opening quotes).
    """
    line = key_line(text, "model", "syntax")
    if line is None:
        return None
    after = text.splitlines()[line - 1].split("=", 1)[1].strip()
    for q in _MULTI_QUOTES:
        if after.startswith(q):
            return (line + 1 if not after[3:].strip() else line), True
    return line, False


def _toml_error(exc: Exception, text: str, where: Location) -> InputError:
    msg = str(exc)
    m = re.search(r"\(at line (\d+), column \d+\)", msg)
    line = int(m.group(1)) if m else getattr(exc, "lineno", None)
    if m:
        msg = msg[:m.start()].strip()
    elif "(at end of document)" in msg:  # e.g. an array or string never closed
        msg = msg.replace("(at end of document)", "").strip() + " before the end of the file"
        line = len(text.splitlines()) or None
    if "=~" in text and not re.search(r"^\s*\[model\]", text, flags=re.MULTILINE):
        hint = ("This looks like plain lavaan syntax: save it without the .toml suffix "
                '(e.g. model.lav), or put it under [model] syntax = """ ... """.')
    else:
        hint = ('Check the quotes, brackets and "=" on that line; lavaan syntax goes inside '
                '[model] syntax = """ ... """.')
    return InputError(f"the TOML is malformed: {msg}", Location(file=where.file, line=line),
                      hint)


def model_from_syntax(text: str, source: str | None = None) -> ModelSpec:
    """Parse lavaan syntax (a convenience for the API and tests)."""
    return parse_syntax(text, source=source)


def load_model(path: str | Path) -> SurveyModel:
    """Read a model file (TOML or plain lavaan syntax).

    A TOML file with ``[data]`` but no ``[model]`` is a codebook only: its model has no
    constructs, and :func:`cxsurvey.io.prepare.prepare` infers them from the columns.

    Raises
    ------
    InputError
        When the file is missing or unreadable, the TOML is malformed, a key is unknown
        or the lavaan syntax has an error; the message names file and line.
    """
    where = Location(file=str(path))
    text = _read_model_text(Path(path), where)
    if not _looks_like_toml(text):  # also a .toml file that holds only lavaan syntax
        return SurveyModel(data=DataSpec(), model=parse_syntax(text, source=str(path)),
                           source=str(path))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, text, where) from None
    _check_top_keys(doc, text, str(path))
    data = parse_data_table(doc.get("data", {}), where, text)
    spec = _model_spec(doc, text, str(path))
    checks = doc.get("checks")
    if checks is not None and not isinstance(checks, dict):
        raise InputError("[checks] must be a table", Location(file=str(path)),
                         "Write [checks] with keys such as min_alpha = 0.7.")
    return SurveyModel(data=data, model=spec, source=str(path), population=doc.get("population"),
                       checks=checks, text=text,
                       metrics=parse_metrics(doc.get("metrics", {}), lambda k: Location(
                           file=str(path), line=key_line(text, "metrics", k))))


def _read_model_text(p: Path, where: Location) -> str:
    """The text of the model file (a UTF-8 byte order mark dropped); not empty."""
    if not p.exists():
        raise InputError("model file not found", where, "Check the path given to --model.")
    if p.is_dir():
        raise InputError("is a folder, not a model file", where)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the model file is not UTF-8 text (byte {exc.start})", where,
                         "Save it as UTF-8 in your editor.") from None
    except OSError as exc:
        raise InputError(f"cannot read the model file ({exc.strerror or exc})", where,
                         ) from None
    if not text.strip():
        raise InputError("the model file is empty", where,
                         'Write [model] with syntax = """ Construct =~ item1 + item2 """.')
    return text


def _check_top_keys(doc: dict[str, Any], text: str, source: str) -> None:
    """Raise on the first top-level table or key that a model file does not have."""
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(_TOP_KEYS), n=1)
        line = next((no for no, line in enumerate(text.splitlines(), start=1)
                     if (m := _TABLE.match(line)) and m.group(1).split(".")[0] == unknown[0]),
                    None) or key_line(text, "", unknown[0])
        raise InputError(
            f"unknown table(s) or key(s): {', '.join(unknown)}",
            Location(file=source, line=line),
            (f"Did you mean [{close[0]}]? " if close else "")
            + "A model file has [data], [model] and optionally [population] and [checks].")


def _model_spec(doc: dict[str, Any], text: str, source: str) -> ModelSpec:
    """The parsed ``[model] syntax``; an empty model for a codebook-only file."""
    model_table = doc.get("model", {})
    population = doc.get("population")
    if not isinstance(model_table, dict):
        raise InputError("[model] must be a table", Location(file=source),
                         'Write [model] with syntax = """ Construct =~ item1 + item2 """.')
    syntax = model_table.get("syntax")
    if syntax is None and (model_table or ("data" not in doc and population is None)):
        # a [data]-only file is a codebook: the constructs are inferred from the columns
        others = ", ".join(sorted(model_table))
        raise InputError(
            "the file has no [model] syntax"
            + (f" ([model] has only: {others})" if others else ""),
            Location(file=source, line=key_line(text, "model", next(iter(model_table), None))
                     if model_table else None),
            'Add [model] with syntax = """ Construct =~ item1 + item2 """.')
    if syntax is not None and not isinstance(syntax, str):
        raise InputError("[model] syntax must be a string",
                         Location(file=source, line=key_line(text, "model", "syntax")),
                         'Write syntax = """ Construct =~ item1 + item2 """.')
    if syntax is None:
        return ModelSpec(syntax="")
    return _parse_model_syntax(syntax, text, source)


def _parse_model_syntax(syntax: str, text: str, source: str) -> ModelSpec:
    """Parse ``[model] syntax`` with the file's line numbers in error messages."""
    start = _syntax_start(text)
    first, multiline = start if start is not None else (1, True)
    try:
        return parse_syntax(syntax, source=source, first_line=first)
    except InputError as exc:
        if not multiline:  # a one-line string: all its lines are that file line
            exc.location.line = first
        raise
