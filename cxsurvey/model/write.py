"""Write a model file (TOML) that a user can edit: used by ``cxsurvey init``."""

from __future__ import annotations

import json
import re

from cxsurvey.model.spec import SurveyModel


def _toml_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _items_table(model: SurveyModel) -> list[str]:
    """``[data.items]``: short name = exact header, or ``{ pattern = "..." }``."""
    items = model.data.items
    if not items:
        return []
    out = ["", "[data.items]                   # short item names -> the export's headers"]
    for name, ref in items.items():
        value = (f"{{ pattern = {_toml_value(ref.text)} }}" if ref.pattern
                 else _toml_value(ref.text))
        out.append(f"{_toml_key(name)} = {value}")
    return out


def model_to_toml(model: SurveyModel, header: str = "",
                  titles: dict[str, str] | None = None) -> str:
    """Render a :class:`SurveyModel` as a commented TOML model file.

    :func:`cxsurvey.model.load.load_model` reads the result back to the same
    ``[data]`` codebook (``[data.items]`` and ``[data.scales]`` included), constructs
    and ``[metrics]`` (``[population]`` is not written). ``titles`` (construct -> its
    question) become comments above ``[model]``.
    """
    d = model.data
    out: list[str] = []
    if header:
        out += [f"# {line}" if line else "#" for line in header.splitlines()]
        out.append("")
    out.append("[data]")
    if d.sheet is not None:
        out.append(f"sheet = {_toml_value(d.sheet)}")
    else:
        out.append('# sheet = "Responses"          # Excel sheet; default: the first')
    if d.header_row is not None:
        out.append(f"header_row = {d.header_row}")
    out.append(f"id = {_toml_value(d.id)}" if d.id else '# id = "RespondentID"')
    if d.scale:
        out.append(f"scale = {_toml_value(list(d.scale))}          # answers outside are errors")
    out.append(f"missing = {_toml_value(list(d.missing))}          # codes read as missing")
    out.append(f"reverse = {_toml_value(list(d.reverse))}          # reverse-coded items")
    out.append(f"drop = {_toml_value(list(d.drop))}             # items excluded from analysis")
    if d.delimiter:
        out.append(f"delimiter = {_toml_value(d.delimiter)}")
    if d.encoding:
        out.append(f"encoding = {_toml_value(d.encoding)}")
    if d.labels:
        out += ["", "[data.labels]                  # text answers -> scores"]
        out += [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in d.labels.items()]
    out += _items_table(model)
    if d.scales:
        out += ["", "[data.scales]                  # own answer ranges: construct or item"]
        out += [f"{_toml_key(k)} = {_toml_value(list(v))}" for k, v in d.scales.items()]
    if titles:
        out += ["", "# The constructs' questions:"]
        out += [f"# {c}: {' '.join(t.split())}" for c, t in titles.items()]
    syntax = model.model.syntax.strip("\n")
    # a basic string as in the docs; a literal one when the text has backslashes or
    # triple quotes, which a basic string would read as escapes or as its end
    quote = '"""'
    if "\\" in syntax or '"""' in syntax:
        if "'''" not in syntax:
            quote = "'''"
        else:
            syntax = syntax.replace("\\", "\\\\").replace('"""', '""\\"')
    out += ["", "[model]                        # lavaan syntax", f"syntax = {quote}"]
    out.append(syntax)
    out.append(quote)
    if model.metrics:
        out += ["", "[metrics]                      # nps / csat / ces -> the item"]
        out += [f"{k} = {_toml_value(v)}" for k, v in model.metrics.items()]
    return "\n".join(out) + "\n"
