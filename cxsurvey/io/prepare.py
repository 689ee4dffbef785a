"""Turn a raw table into item scores: labels -> numbers, missing codes, scale, reverse keys.

This is the only place where answers are recoded; every analysis receives the same
numeric item frame (``float``, ``NaN`` for missing).
"""

from __future__ import annotations

import contextlib
import difflib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.io.columns import rename_items, repeated_columns
from cxsurvey.io.item_scales import check_range as check_answers
from cxsurvey.io.item_scales import explicit_scales, mask_out_of_range
from cxsurvey.io.labels import (
    MISSING_TEXT,
    builtin_set,
    in_seven_point_set_only,
    leading_number,
    normalise,
)
from cxsurvey.io.readers import RawTable
from cxsurvey.io.screening import attention_answers, find_duration
from cxsurvey.model.infer import infer_model
from cxsurvey.model.load import key_line
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
        Likert range ``(min, max)`` of the file (``[data] scale`` or inferred from the
        items without a ``[data.scales]`` entry).
    scales : dict
        Item (and metric column) -> its own ``(min, max)``: its ``[data.scales]`` entry,
        its construct's, or ``scale``.
    extra_items : DataFrame, optional
        Scored ``[metrics]`` columns that are not items of a construct, range-checked on
        their own scale; no construct-level analysis uses them.
    scale_source : str
        ``"model"`` (``[data] scale``), ``"value labels"`` (SPSS value labels, or the
        label set that mapped text answers) or ``"inferred"`` (observed min/max).
    ids : Series, optional
        Respondent identifiers when ``[data] id`` names a column.
    raw : RawTable
        The table as read, for row numbers in messages.
    answers : DataFrame, optional
        The items' answers before reverse keying (labels mapped, missing codes NaN), in
        the file's column order: what a respondent actually ticked, for the data-quality
        screen.
    attention : DataFrame, optional
        Answers to the ``[data.attention]`` columns, read as the items are.
    attention_accepted : dict
        Attention-check column -> its accepted scores.
    duration : Series, optional
        Completion time per respondent from a column named like a duration (see
        :data:`cxsurvey.io.screening.DURATION_NAME`), named by that column.
    recoded : dict
        Facts for the report: text answers mapped, cells set missing, reversed items.
    questions : dict
        Item -> its question text where the export has one: the original header of a
        column renamed by ``[data.items]``, or the text under a Qualtrics header.
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
    answers: pd.DataFrame | None = None
    attention: pd.DataFrame | None = None
    attention_accepted: dict[str, tuple[float, ...]] = field(default_factory=dict)
    duration: pd.Series | None = None
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)
    extra_items: pd.DataFrame | None = None
    questions: dict[str, str] = field(default_factory=dict)

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
    in_file = f"{raw.path}{f' (sheet {raw.sheet!r})' if raw.sheet else ''}"
    for name in model.model.items:
        if name not in colset:
            line = next((f.line for f in model.model.formulas
                         if name in {t.name for t in f.rhs}), None)
            where = Location(file=model.source, line=line) if model.source else Location()
            raise InputError(
                f"the model names column '{name}', which is not in {in_file}",
                where, _suggest(name, cols),
            )
    known = set(model.model.constructs) | set(model.model.items)
    for predictor, outcome, _ in model.model.regressions:  # constructs or items only
        for name in (outcome, predictor):
            if name in known or (":" in name and all(
                    part in model.model.constructs for part in name.split(":"))):
                continue  # an interaction term of two constructs (PLS moderation)
            formula = next(f for f in model.model.formulas
                           if f.op == "~" and f.lhs == outcome
                           and predictor in {t.name for t in f.rhs})
            where = (Location(file=model.source, line=formula.line or None)
                     if model.source else Location())
            what = (f"a column of {in_file} but no construct's item" if name in colset
                    else f"neither a construct of the model nor a column of {in_file}")
            raise InputError(
                f"'{name}' in '{formula.text or outcome + ' ~ ' + predictor}' is {what}",
                where, "A path joins constructs (or their items): check the spelling"
                + (f"; the model's constructs are {', '.join(model.model.constructs)}."
                   if not difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
                   else ". " + _suggest(name, sorted(known))))
    named = [("reverse", n) for n in model.data.reverse]
    named += [("id", model.data.id)] if model.data.id else []
    for key, name in named:
        if name not in colset:
            where = Location(file=model.source) if model.source else Location()
            raise InputError(f"[data] {key} names column '{name}', which is not in {in_file}",
                             where, _suggest(name, cols))
    for key, name in model.metrics.items():
        if name not in colset:
            where = Location(file=model.source, line=key_line(model.text, "metrics", key))
            raise InputError(f"[metrics] {key} names column '{name}', which is not in "
                             f"{in_file}", where, _suggest(name, cols))
    for name in model.data.attention:
        where = Location(file=model.source, line=key_line(model.text, "data.attention", name))
        if name not in colset:
            raise InputError(f"[data.attention] names column '{name}', which is not in "
                             f"{in_file}", where, _suggest(name, cols))
        if name in model.model.items:
            raise InputError(f"[data.attention] names '{name}', an item of construct "
                             f"'{model.model.construct_of(name)}'",
                             where, "An attention check is not an item: take it out of the "
                             "model's constructs.")


def _text_answers(raw: RawTable, columns: list[str]) -> set[str]:
    """Normalised text answers of all ``columns`` (to pick one label set for all)."""
    texts: set[str] = set()
    for col in columns:
        s = raw.frame[col]
        if pd.api.types.is_numeric_dtype(s):
            continue
        texts |= {normalise(v) for v in pd.unique(s.dropna()) if isinstance(v, str)}
    return texts


def _text_mapping(model: SurveyModel, answers: set[str],
                  scale: tuple[int, int] | None) -> dict[str, float]:
    """The user's ``[data.labels]``, or else the built-in set that fits ``answers``.

    User labels replace the built-in sets rather than extend them: a codebook that
    numbers "Strongly agree" as 1 must not be mixed with the English default.
    """
    if model.data.labels:
        return {normalise(k): float(v) for k, v in model.data.labels.items()}
    return builtin_set(answers, scale)


def _missing_codes(model: SurveyModel) -> tuple[set[float], set[str]]:
    """``[data] missing`` split into numbers and normalised texts (numeric texts both)."""
    numbers: set[float] = set()
    texts: set[str] = set(MISSING_TEXT)
    for m in model.data.missing:
        if isinstance(m, bool):
            continue
        if isinstance(m, (int, float)):
            numbers.add(float(m))
        elif isinstance(m, str):
            texts.add(normalise(m))
            with contextlib.suppress(ValueError):
                numbers.add(float(m.strip()))
    return numbers, texts


def _to_numeric(raw: RawTable, col: str, model: SurveyModel, mapping: dict[str, float],
                counts: dict[str, int]) -> pd.Series:
    """One column as floats: numbers kept, text mapped, missing codes -> NaN."""
    s = raw.frame[col]
    missing_num, missing_txt = _missing_codes(model)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        out = s.astype(float)
    else:
        values = s.astype(object)
        present = values[values.notna()]
        converted: dict[object, float] = {}
        for v in pd.unique(present):
            if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)):
                converted[v] = float(v)
                continue
            key = normalise(v)
            if key in missing_txt:
                converted[v] = np.nan
                counts["missing_codes"] = counts.get("missing_codes", 0) + int(
                    (present == v).sum())
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
                f"the answer {str(v).strip()!r} is text that no label mapping covers",
                raw.location(pos, col), _unmapped_hint(str(v), model, mapping),
            )
        out = values.map(converted).astype(float)
    if missing_num:
        hit = out.isin(list(missing_num))
        if hit.any():
            counts["missing_codes"] = counts.get("missing_codes", 0) + int(hit.sum())
            out = out.mask(hit)
    return out


def _unmapped_hint(answer: str, model: SurveyModel, mapping: dict[str, float]) -> str:
    shown = " ".join(answer.split())
    example = f'Map it to a score in the model file, e.g. [data.labels] "{shown}" = 3, ' \
              f'or list it under [data] missing (missing = ["{shown}"]).'
    if model.data.labels:
        return example + " Your [data.labels] replace the built-in English sets, so " \
                         "list every answer text there."
    scale = model.data.scale
    if scale is not None and in_seven_point_set_only(normalise(answer)):
        return (f"It is a 7-point answer but [data] scale is {scale[0]}-{scale[1]}; "
                "set scale = [1, 7], or " + example[0].lower() + example[1:])
    return example


def _label_range(mapping: dict[str, float]) -> tuple[int, int] | None:
    if not mapping:
        return None
    lo, hi = min(mapping.values()), max(mapping.values())
    if not (float(lo).is_integer() and float(hi).is_integer()) or lo >= hi:
        return None
    return int(lo), int(hi)


def _infer_scale(frame: pd.DataFrame, raw: RawTable,
                 label_range: tuple[int, int] | None) -> tuple[tuple[int, int], str]:
    codes: set[float] = set()
    for col in frame.columns:
        codes |= set(raw.value_labels.get(col, {}))
    if len(codes) >= 2:
        return (int(np.floor(min(codes))), int(np.ceil(max(codes)))), "value labels"
    if label_range is not None:
        return label_range, "value labels"
    values = frame.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):  # fmin/fmax skip NaN
        lo, hi = float(np.fmin.reduce(values, axis=None)), float(np.fmax.reduce(values, axis=None))
    if np.isinf(lo) or np.isinf(hi):  # an infinite answer is checked against the scale later
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (np.nan,) * 2
    if not np.isfinite(lo):
        raise InputError("no item has any answer (every item cell is empty or missing)",
                         Location(file=raw.path, sheet=raw.sheet),
                         "Check [data] missing and that the right sheet is read.")
    lo = 1.0 if lo >= 1 else np.floor(lo)
    hi = max(np.ceil(hi), lo + 1)
    return (int(lo), int(hi)), "inferred"


def prepare(raw: RawTable, model: SurveyModel, check_range: bool = True) -> Survey:
    """Recode ``raw`` into item scores following ``model``'s codebook.

    Steps: rename the ``[data.items]`` columns to their short names; check that the
    model's columns exist; convert each item column to numbers
    (text answers through ``[data.labels]`` or one built-in agreement set chosen for
    all items, SPSS codes as stored); set missing codes to NaN (``[data] missing``, plus
    empty cells and the texts "NA", "N/A", "#N/A", "NaN", "NULL"); check every answer
    lies on the scale; apply reverse keys (``min + max - x``).

    Parameters
    ----------
    raw : RawTable
        The table as read.
    model : SurveyModel
        Codebook and constructs; constructs are inferred from the columns when the
        model has none.
    check_range : bool
        True (default): an answer outside the scale is an :class:`InputError`. False:
        such answers are set missing and listed in ``recoded["out_of_range_codes"]``
        and a warning (for ``cxsurvey init``, which proposes them as missing codes).

    Raises
    ------
    InputError
        Unknown column, unmapped text, an answer outside the scale; the message names
        the file, sheet, row and column.
    """
    raw = rename_items(raw, model)
    model = _with_constructs(raw, model)
    warnings = repeated_columns(raw, model)
    _check_columns(raw, model)
    constructs = _kept_constructs(model)
    item_names = list(dict.fromkeys(i for its in constructs.values() for i in its))
    counts: dict[str, int] = {}
    mapping = _text_mapping(model, _text_answers(raw, item_names), model.data.scale)
    # one float block filled column by column: no second copy of the answers
    block = np.empty((raw.frame.shape[0], len(item_names)), dtype=float, order="F")
    for j, c in enumerate(item_names):
        block[:, j] = _to_numeric(raw, c, model, mapping, counts).to_numpy(dtype=float)
    frame = pd.DataFrame(block, columns=item_names, copy=False)
    extra_cols = [m for m in dict.fromkeys(model.metrics.values()) if m not in frame.columns]
    extra = pd.DataFrame({c: _to_numeric(raw, c, model, mapping, counts).reset_index(drop=True)
                          for c in extra_cols}, index=frame.index)
    own = explicit_scales(model, constructs, item_names + extra_cols,
                          [str(c) for c in raw.frame.columns])
    rest = [c for c in item_names if c not in own]
    scale, scale_source, origin = _scale_of(model, frame[rest or item_names], raw, mapping,
                                            counts)
    scales = {c: own[c][0] if c in own else scale for c in item_names + extra_cols}
    out_of_range: list[float] | None = None
    if check_range:
        check_answers(pd.concat([frame, extra], axis=1), raw, scales,
                      {c: own[c][1] if c in own else origin for c in scales})
    else:
        frame, out_of_range, warning = mask_out_of_range(frame, scales)
        extra, _, _ = mask_out_of_range(extra, scales)
        if warning:
            warnings.append(warning)
    in_file_order = [str(c) for c in raw.frame.columns if str(c) in frame.columns]
    reversing = any(i in frame.columns for i in model.data.reverse)
    # without reverse keys the answers are the item scores: one frame, not two
    answers = (frame if not reversing and in_file_order == item_names
               else frame[in_file_order].copy())
    reversed_items = _apply_reverse_keys(frame, model, scales, warnings)
    ids = None
    if model.data.id:
        ids = raw.frame[model.data.id].reset_index(drop=True)
    recoded = _recoded(raw, model, frame, counts, reversed_items, out_of_range)
    attention, accepted = attention_answers(
        raw, model, mapping,
        lambda c: _to_numeric(raw, c, model, mapping, {}).reset_index(drop=True))
    taken = set(item_names) | set(model.data.attention) | {model.data.id or ""}
    return Survey(items=frame, constructs=constructs, scale=scale, scale_source=scale_source,
                  raw=raw, model=model, ids=ids, recoded=recoded, warnings=tuple(warnings),
                  answers=answers, attention=attention if len(attention.columns) else None,
                  attention_accepted=accepted, duration=find_duration(raw, taken),
                  scales=scales, extra_items=extra if extra_cols else None,
                  questions={i: raw.descriptions[i] for i in item_names
                             if i in raw.descriptions})


def _with_constructs(raw: RawTable, model: SurveyModel) -> SurveyModel:
    """``model``, or when it has no constructs, one inferred from the item-like columns."""
    if model.model.constructs:
        return model
    cols = [str(c) for c in raw.frame.columns]
    # the 0-10 recommend item of an NPS is not an item of an inferred construct
    cols = [c for c in cols if c != model.data.id and c not in model.data.attention
            and c != model.metrics.get("nps")]
    inferred = infer_model(cols, model.data, is_item=lambda c: _usable(raw, c, model),
                           source=model.source)
    inferred = replace(inferred, metrics=model.metrics, text=model.text)
    if not inferred.model.constructs:
        raise InputError(
            "no item columns found: cxsurvey looks for names such as Att1, Att2 "
            "(a prefix and a number) holding numbers or agreement labels",
            Location(file=raw.path, sheet=raw.sheet),
            "Pass --model with the constructs and their items.",
        )
    return inferred


def _kept_constructs(model: SurveyModel) -> dict[str, tuple[str, ...]]:
    """Construct -> its items without those listed in ``[data] drop``; emptied ones left out."""
    drop = set(model.data.drop)
    # the item-level analyses see the constructs measured by items; a higher-order
    # construct (measured by constructs) is the PLS model's business
    constructs = {c: tuple(i for i in its if i not in drop)
                  for c, its in model.model.first_order.items()}
    constructs = {c: its for c, its in constructs.items() if its}
    if not constructs:
        raise InputError("every item of the model is listed under [data] drop",
                         Location(file=model.source) if model.source else Location(),
                         "Remove items from [data] drop.")
    return constructs


def _scale_of(model: SurveyModel, frame: pd.DataFrame, raw: RawTable,
              mapping: dict[str, float], counts: dict[str, int],
              ) -> tuple[tuple[int, int], str, str]:
    """The scale, its source (:attr:`Survey.scale_source`) and its origin as messages say it."""
    if model.data.scale is not None:
        return model.data.scale, "model", "set by [data] scale"
    used = _label_range(mapping) if counts.get("text_answers_mapped") else None
    scale, scale_source = _infer_scale(frame, raw, used)
    origin = {"inferred": "seen in the answers"}.get(scale_source,
                                                     "from the SPSS value labels")
    if scale_source == "value labels" and not raw.value_labels:
        origin = ("from [data.labels]" if model.data.labels
                  else "of the built-in agreement labels")
    return scale, scale_source, origin


def _apply_reverse_keys(frame: pd.DataFrame, model: SurveyModel,
                        scales: dict[str, tuple[int, int]], warnings: list[str]) -> list[str]:
    """Reverse the ``[data] reverse`` items in place (``min + max - x`` of the item's own
    scale); those reversed.

    A reverse-keyed item that is not an item of the model adds a warning.
    """
    reversed_items = [i for i in model.data.reverse if i in frame.columns]
    for item in reversed_items:
        frame[item] = scales[item][0] + scales[item][1] - frame[item]
    for item in model.data.reverse:
        if item not in frame.columns:
            warnings.append(f"reverse-coded item '{item}' is not in the model; ignored")
    return reversed_items


def _recoded(raw: RawTable, model: SurveyModel, frame: pd.DataFrame, counts: dict[str, int],
             reversed_items: list[str], out_of_range: list[float] | None,
             ) -> dict[str, object]:
    """Facts of the recoding for the report; ``out_of_range`` when answers were masked."""
    user_missing = raw.details.get("user_missing_cells", 0)
    recoded: dict[str, object] = {
        "text_answers_mapped": counts.get("text_answers_mapped", 0),
        "missing_code_cells": counts.get("missing_codes", 0)
        + (int(user_missing) if isinstance(user_missing, int) else 0),
        "missing_cells": int(frame.isna().sum().sum()),
        "reversed": reversed_items,
        "dropped": sorted(set(model.data.drop) & set(model.model.items)),
    }
    if out_of_range is not None:
        recoded["out_of_range_codes"] = [int(v) if v.is_integer() else v for v in out_of_range]
    return recoded


def _usable(raw: RawTable, col: str, model: SurveyModel) -> bool:
    """Whether a column can serve as an item when the model is inferred.

    Numeric columns with an answer qualify; a text column qualifies when most of its
    answers are numbers or texts a label set maps, ties included (a stray unmapped
    answer then stops the run with a message naming its cell, rather than silently
    leaving the item out); free text and categories such as "F"/"M" do not.
    """
    s = raw.frame[col]
    if pd.api.types.is_bool_dtype(s):
        return False
    if pd.api.types.is_numeric_dtype(s):
        return bool(s.notna().any())
    present = s.dropna()
    if present.empty:
        return False
    texts = {normalise(v) for v in pd.unique(present) if isinstance(v, str)}
    mapping = _text_mapping(model, texts, model.data.scale)
    _, missing = _missing_codes(model)
    ok = bad = answered = 0
    for v, n in present.value_counts().items():
        if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)):
            ok += int(n)
            answered += int(n)
            continue
        t = normalise(v)
        if t in missing:
            continue
        if t in mapping or leading_number(t) is not None:
            ok += int(n)
        else:
            try:
                float(t.replace(",", "."))
                ok += int(n)
            except ValueError:
                bad += int(n)
        answered += int(n)
    return answered > 0 and ok > 0 and ok >= bad
