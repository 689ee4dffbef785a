"""Read a model file: TOML with ``[data]`` and ``[model]`` tables, or plain lavaan syntax."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from cxsurvey.errors import InputError, Location
from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.model.syntax import parse_syntax

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_DATA_KEYS = {
    "sheet", "header_row", "id", "scale", "missing", "reverse", "drop", "labels",
    "delimiter", "encoding",
}
_TOP_KEYS = {"data", "model", "population", "checks", "simulate"}


def _looks_like_toml(text: str) -> bool:
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        return line.startswith("[") or ("=" in line and "=~" not in line and "~" not in line)
    return False


def _str_list(value: Any, key: str, where: Location) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"[data] {key} must be a list of column names", where)
    return tuple(value)


def parse_data_table(table: dict[str, Any], where: Location) -> DataSpec:
    """Validate a ``[data]`` table into a :class:`DataSpec`."""
    unknown = set(table) - _DATA_KEYS
    if unknown:
        raise InputError(
            f"unknown key(s) in [data]: {', '.join(sorted(unknown))}", where,
            f"Allowed keys: {', '.join(sorted(_DATA_KEYS))}.",
        )
    scale = table.get("scale")
    if scale is not None:
        ok = (isinstance(scale, list) and len(scale) == 2
              and all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
              and scale[0] < scale[1])
        if not ok:
            raise InputError(f"[data] scale must be two integers [min, max], got {scale!r}",
                             where, "For a 5-point Likert scale write scale = [1, 5].")
        scale = (int(scale[0]), int(scale[1]))
    missing = table.get("missing", [])
    if not isinstance(missing, list):
        missing = [missing]
    labels = table.get("labels", {})
    if not isinstance(labels, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in labels.values()
    ):
        raise InputError("[data.labels] must map answer texts to numbers", where,
                         'Example: "Strongly agree" = 5')
    sheet = table.get("sheet")
    if sheet is not None and not isinstance(sheet, (str, int)):
        raise InputError("[data] sheet must be a sheet name or a 0-based index", where)
    header_row = table.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise InputError("[data] header_row must be a row number >= 1", where)
    for key in ("id", "delimiter", "encoding"):
        if table.get(key) is not None and not isinstance(table[key], str):
            raise InputError(f"[data] {key} must be a string", where)
    return DataSpec(
        sheet=sheet,
        header_row=header_row,
        id=table.get("id"),
        scale=scale,
        missing=tuple(missing),
        reverse=_str_list(table.get("reverse", []), "reverse", where),
        drop=_str_list(table.get("drop", []), "drop", where),
        labels={str(k): float(v) for k, v in labels.items()},
        delimiter=table.get("delimiter"),
        encoding=table.get("encoding"),
    )


def _syntax_first_line(text: str) -> int:
    """Line of the file where the ``syntax`` string's first model line sits."""
    for no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("syntax") and "=" in stripped:
            after = stripped.split("=", 1)[1].strip()
            return no + 1 if after in ('"""', "'''") else no
    return 1


def model_from_syntax(text: str, source: str | None = None) -> ModelSpec:
    """Parse lavaan syntax (a convenience for the API and tests)."""
    return parse_syntax(text, source=source)


def load_model(path: str | Path) -> SurveyModel:
    """Read a model file (TOML or plain lavaan syntax).

    Raises
    ------
    InputError
        When the file is missing or unreadable, the TOML is malformed, a key is unknown
        or the lavaan syntax has an error; the message names file and line.
    """
    p = Path(path)
    where = Location(file=str(path))
    if not p.exists():
        raise InputError("model file not found", where, "Check the path given to --model.")
    if p.is_dir():
        raise InputError("is a folder, not a model file", where)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the model file ({exc})", where) from None
    if not text.strip():
        raise InputError("the model file is empty", where)
    if not (p.suffix.lower() == ".toml" or _looks_like_toml(text)):
        return SurveyModel(data=DataSpec(), model=parse_syntax(text, source=str(path)),
                           source=str(path))
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"the TOML is malformed ({exc})", where) from None
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise InputError(f"unknown table(s): {', '.join(sorted(unknown))}", where,
                         "A model file has [data], [model] and optionally [population].")
    data = parse_data_table(doc.get("data", {}), where)
    model_table = doc.get("model", {})
    population = doc.get("population")
    syntax = model_table.get("syntax") if isinstance(model_table, dict) else None
    if syntax is None and population is None:
        raise InputError("the file has no [model] syntax", where,
                         'Add [model] with syntax = """ Construct =~ item1 + item2 """.')
    if syntax is not None and not isinstance(syntax, str):
        raise InputError("[model] syntax must be a string", where)
    if syntax is not None:
        spec = parse_syntax(syntax, source=str(path), first_line=_syntax_first_line(text))
    else:
        spec = ModelSpec(syntax="")
    return SurveyModel(data=data, model=spec, source=str(path), population=population)
