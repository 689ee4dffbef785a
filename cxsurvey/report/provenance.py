"""A run's provenance as label/value rows, shared by the Excel About sheet and HTML."""

from __future__ import annotations

from pathlib import Path

from cxsurvey.results import Results

__all__ = ["about_rows"]


def _join(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _no_sheet(file: object) -> str:
    suffix = Path(str(file)).suffix.lower() if file else ""
    return "(first sheet)" if suffix.startswith(".xl") else "(not a workbook)"


def about_rows(res: Results) -> list[tuple[str, object]]:
    """``(label, value)`` rows of a run's provenance, for the About sheet and section.

    Input file and its SHA-256, sheet, date, rows read and used, missing values, scale,
    options, seed, model file, constructs, recodings, reader details, cxsurvey and
    dependency versions.
    """
    m = res.meta
    model = m.get("model")
    if not model:
        model = ("none: constructs inferred from the column names"
                 if m.get("model_inferred", True) else "")
    scale = m.get("scale")
    scale_text = (f"{scale[0]}-{scale[1]}" if isinstance(scale, (list, tuple))
                  and len(scale) == 2 else _join(scale))
    if m.get("scale_source"):
        scale_text += f" ({m['scale_source']})"
    rows: list[tuple[str, object]] = [
        ("Input file", m.get("file")),
        ("SHA-256 of the input file", m.get("sha256")),
        ("Sheet read", m.get("sheet") or _no_sheet(m.get("file"))),
        ("Created (UTC)", m.get("created")),
        ("Rows read", m.get("n_rows")),
        ("Rows complete on every item", m.get("n_used")),
        ("Missing values", m.get("missing_policy")),
        ("Scale", scale_text),
    ]
    for key, value in (m.get("options") or {}).items():
        rows.append((f"Option: {key}", "none" if value is None else value))
    if m.get("estimator"):
        rows.append(("Option: estimator", m.get("estimator")))
    if m.get("ordered"):
        rows.append(("Option: ordered (the other items continuous)", m.get("ordered")))
    rows += [
        ("Seed", "none" if m.get("seed") is None else m.get("seed")),
        ("Model file", model),
    ]
    for construct, items in (m.get("constructs") or {}).items():
        rows.append((f"Construct {construct}", items))
    for key, value in (m.get("recoded") or {}).items():
        rows.append((f"Recoded: {key.replace('_', ' ')}",
                     "none" if isinstance(value, (list, tuple)) and not value else value))
    for key, value in (m.get("read") or {}).items():
        rows.append((f"Read: {key.replace('_', ' ')}", value))
    rows.append(("cxsurvey version", m.get("version")))
    for name, version in (m.get("dependencies") or {}).items():
        rows.append((f"{name} version", version))
    return rows
