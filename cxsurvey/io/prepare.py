"""Turn a raw table into item scores: labels -> numbers, missing codes, scale, reverse keys.

This is the only place where answers are recoded; every analysis receives the same
numeric item frame (``float``, ``NaN`` for missing).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.labels import builtin_set, leading_number, normalise
from cxsurvey.io.readers import RawTable
from cxsurvey.model.infer import infer_model
from cxsurvey.model.spec import SurveyModel


@dataclass(frozen=True)
class Survey:
    """Item scores ready for analysis.

    Attributes
    ----------
    items : DataFrame
        One float column per model item (reverse keys applied, missing as NaN), one
        row per respondent, in file order.
    constructs : dict
        Construct -> its items (items listed in ``[data] drop`` removed).
    scale : tuple of int
        Likert range ``(min, max)``.
    scale_source : str
        ``"model"``, ``"value labels"`` or ``"inferred"`` (observed min/max).
    ids : Series, optional
        Respondent identifiers when ``[data] id`` names a column.
    raw : RawTable
        The table as read, for row numbers in messages.
    recoded : dict
        Facts for the report: text answers mapped, cells set missing, reversed items.
    warnings : list of str
        Problems worth telling the user about that do not stop the analysis.
    """

    items: pd.DataFrame
    constructs: dict[str, tuple[str, ...]]
    scale: tuple[int, int]
    scale_source: str
    raw: RawTable
    model: SurveyModel
    ids: pd.Series | None = None
    recoded: dict[str, object] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def n_rows(self) -> int:
        return int(self.items.shape[0])


def _suggest(name: str, columns: list[str]) -> str:
    close = difflib.get_close_matches(name, columns, n=3, cutoff=0.6)
    if close:
        return "Did you mean " + " or ".join(repr(c) for c in close) + "?"
    more = " ..." if len(columns) > 40 else ""
    return f"The file's columns are: {', '.join(columns[:40])}{more}."


def _check_columns(raw: RawTable, model: SurveyModel) -> None:
    cols = [str(c) for c in raw.frame.columns]
    colset = set(cols)
    needed = list(model.model.items) + list(model.data.reverse) + (
        [model.data.id] if model.data.id else [])
    for name in needed:
        if name not in colset:
            line = next((f.line for f in model.model.formulas
                         if name in {t.name for t in f.rhs}), None)
            where = Location(file=model.source, line=line) if model.source else Location()
            raise InputError(
                f"the model names column '{name}', which is not in "
                f"{raw.path}{f' (sheet {raw.sheet!r})' if raw.sheet else ''}",
                where, _suggest(name, cols),
            )


def _text_mapping(model: SurveyModel, answers: set[str],
                  scale: tuple[int, int] | None) -> dict[str, float]:
    mapping = builtin_set(answers, scale) if not model.data.labels else {}
    mapping.update({normalise(k): float(v) for k, v in model.data.labels.items()})
    return mapping


def _to_numeric(raw: RawTable, col: str, model: SurveyModel,
                scale: tuple[int, int] | None, counts: dict[str, int]) -> pd.Series:
    """One column as floats: numbers kept, text mapped, missing codes -> NaN."""
    s = raw.frame[col]
    missing_num = {float(m) for m in model.data.missing
                   if isinstance(m, (int, float)) and not isinstance(m, bool)}
    missing_txt = {normalise(m) for m in model.data.missing if isinstance(m, str)}
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype(float)
    else:
        values = s.astype(object)
        present = values[values.notna()]
        uniques = pd.unique(present)
        texts = {normalise(v) for v in uniques if isinstance(v, str)}
        mapping = _text_mapping(model, texts, scale)
        converted: dict[object, float] = {}
        for v in uniques:
            if isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
                converted[v] = float(v)
                continue
            key = normalise(v)
            if key == "" or key in missing_txt:
                converted[v] = np.nan
                continue
            try:
                converted[v] = float(key.replace(",", "."))
                continue
            except ValueError:
                pass
            if key in mapping:
                converted[v] = mapping[key]
                counts["text_answers_mapped"] = counts.get("text_answers_mapped", 0) + int(
                    (present == v).sum())
                continue
            lead = leading_number(key)
            if lead is not None:
                converted[v] = lead
                continue
            pos = int(np.flatnonzero((values == v).to_numpy())[0])
            raise InputError(
                f"the answer {str(v)!r} is text that no label mapping covers",
                raw.location(pos, col),
                "Map it to a score in the model file, e.g. [data.labels] "
                f'"{str(v).strip()}" = 4, or list it under [data] missing.',
            )
        out = values.map(converted).astype(float)
    if missing_num:
        hit = out.isin(list(missing_num))
        if hit.any():
            counts["missing_codes"] = counts.get("missing_codes", 0) + int(hit.sum())
            out = out.mask(hit)
    return out


def _infer_scale(frame: pd.DataFrame, raw: RawTable) -> tuple[tuple[int, int], str]:
    codes: set[float] = set()
    for col in frame.columns:
        codes |= set(raw.value_labels.get(col, {}))
    if codes:
        return (int(min(codes)), int(max(codes))), "value labels"
    values = frame.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise InputError("no item has any numeric answer", Location(file=raw.path))
    lo, hi = float(finite.min()), float(finite.max())
    lo = 1.0 if lo >= 1 else np.floor(lo)
    return (int(lo), int(np.ceil(hi))), "inferred"


def prepare(raw: RawTable, model: SurveyModel) -> Survey:
    """Recode ``raw`` into item scores following ``model``'s codebook.

    Steps: check that the model's columns exist; convert each item column to numbers
    (text answers through ``[data.labels]`` or the built-in agreement sets, SPSS codes as
    stored); set missing codes to NaN; check every answer lies on the scale; apply
    reverse keys (``min + max - x``).

    Raises
    ------
    InputError
        Unknown column, unmapped text, an answer outside the scale; the message names
        the file, sheet, row and column.
    """
    if not model.model.constructs:
        cols = [str(c) for c in raw.frame.columns]
        model = infer_model(cols, model.data, is_item=lambda c: _usable(raw, c, model),
                            source=model.source)
        if not model.model.constructs:
            raise InputError(
                "no item columns found: cxsurvey looks for names such as Att1, Att2 "
                "(a prefix and a number) holding numbers or agreement labels",
                Location(file=raw.path, sheet=raw.sheet),
                "Pass --model with the constructs and their items.",
            )
    _check_columns(raw, model)
    drop = set(model.data.drop)
    constructs = {c: tuple(i for i in its if i not in drop)
                  for c, its in model.model.constructs.items()}
    constructs = {c: its for c, its in constructs.items() if its}
    item_names = list(dict.fromkeys(i for its in constructs.values() for i in its))
    counts: dict[str, int] = {}
    scale = model.data.scale
    frame = pd.DataFrame({c: _to_numeric(raw, c, model, scale, counts) for c in item_names},
                         index=raw.frame.index)
    frame = frame.reset_index(drop=True)
    if scale is not None:
        scale_source = "model"
    else:
        scale, scale_source = _infer_scale(frame, raw)
    _check_range(frame, raw, scale, scale_source)
    reversed_items = [i for i in model.data.reverse if i in frame.columns]
    for item in reversed_items:
        frame[item] = scale[0] + scale[1] - frame[item]
    warnings: list[str] = []
    for item in model.data.reverse:
        if item not in frame.columns:
            warnings.append(f"reverse-coded item '{item}' is not in the model; ignored")
    ids = None
    if model.data.id:
        ids = raw.frame[model.data.id].reset_index(drop=True)
    recoded: dict[str, object] = {
        "text_answers_mapped": counts.get("text_answers_mapped", 0),
        "missing_code_cells": counts.get("missing_codes", 0),
        "missing_cells": int(frame.isna().sum().sum()),
        "reversed": reversed_items,
        "dropped": sorted(drop & set(model.model.items)),
    }
    return Survey(items=frame, constructs=constructs, scale=scale, scale_source=scale_source,
                  raw=raw, model=model, ids=ids, recoded=recoded, warnings=tuple(warnings))


def _usable(raw: RawTable, col: str, model: SurveyModel) -> bool:
    """Whether a column can serve as an item when the model is inferred."""
    s = raw.frame[col]
    if pd.api.types.is_numeric_dtype(s):
        return bool(s.notna().any())
    present = s.dropna().astype(str)
    if present.empty:
        return False
    texts = {normalise(v) for v in pd.unique(present)}
    mapping = _text_mapping(model, texts, model.data.scale)
    missing = {normalise(m) for m in model.data.missing if isinstance(m, str)}
    ok = 0
    for t in texts:
        if t in mapping or t in missing or t == "" or leading_number(t) is not None:
            ok += 1
            continue
        try:
            float(t.replace(",", "."))
            ok += 1
        except ValueError:
            return False
    return ok > 0


def _check_range(frame: pd.DataFrame, raw: RawTable, scale: tuple[int, int],
                 source: str) -> None:
    values = frame.to_numpy(dtype=float)
    bad = np.isfinite(values) & ((values < scale[0]) | (values > scale[1]))
    if not bad.any():
        return
    r, c = map(int, np.argwhere(bad)[0])
    col = str(frame.columns[c])
    value = values[r, c]
    shown = int(value) if float(value).is_integer() else value
    raise InputError(
        f"the answer {shown} is outside the scale {scale[0]}-{scale[1]} "
        f"({int(bad.sum())} such cell(s) in all)",
        raw.location(r, col),
        "Correct the answer, declare the code under [data] missing (e.g. missing = [99]), "
        "or set [data] scale in the model file.",
    )
