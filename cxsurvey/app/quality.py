"""The data-quality screen of a run: flag respondents on their raw answers, and drop the
flagged ones when ``--exclude-flagged`` asks for it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from cxsurvey.io.prepare import Survey
from cxsurvey.stats.items.screen import ScreenResult, screen

__all__ = ["exclusion_meta", "exclusion_warning", "screen_survey", "without_flagged"]

_RULE_WORDS = {"straightliner": "straightlining", "duplicate": "duplicate submission",
               "speeder": "speeding", "attention": "failed attention check"}


def screen_survey(survey: Survey) -> ScreenResult:
    """The screen of ``survey``'s raw answers, durations and attention checks."""
    answers = survey.answers if survey.answers is not None else survey.items
    return screen(answers, survey.raw.row_array(), survey.ids, survey.duration,
                  survey.attention, survey.attention_accepted)


def without_flagged(survey: Survey, quality: ScreenResult) -> Survey:
    """``survey`` without the respondents ``quality`` flags (file row numbers kept)."""
    keep = ~quality.respondents["flagged"].to_numpy(dtype=bool)
    if keep.all():
        return survey
    raw = survey.raw
    rows = tuple(int(r) for r in raw.row_array()[keep])
    kept_raw = replace(raw, frame=raw.frame.iloc[np.flatnonzero(keep)], row_numbers=rows)

    def subset(frame: Any) -> Any:
        return None if frame is None else frame[keep].reset_index(drop=True)

    return replace(survey, items=subset(survey.items), raw=kept_raw, ids=subset(survey.ids),
                   answers=subset(survey.answers), attention=subset(survey.attention),
                   duration=subset(survey.duration),
                   extra_items=subset(survey.extra_items))


def _by_rule(quality: ScreenResult) -> str:
    return ", ".join(f"{quality.counts[k]} {w}" for k, w in _RULE_WORDS.items()
                     if quality.counts.get(k))


def exclusion_warning(quality: ScreenResult) -> list[str]:
    """The warning that says who was dropped and why (none when nothing was)."""
    flagged = quality.flagged
    if not quality.excluded or not len(flagged):
        return []
    rows = ", ".join(str(int(r)) for r in flagged["row"].head(10))
    more = " ..." if len(flagged) > 10 else ""
    return [f"{len(flagged)} respondent(s) flagged by the data-quality screen were excluded "
            f"before the analyses (--exclude-flagged; {_by_rule(quality)}): file row(s) "
            f"{rows}{more}"]


def exclusion_meta(quality: ScreenResult | None) -> dict[str, Any] | None:
    """``meta.excluded``: how many respondents were dropped, by rule, and their rows."""
    if quality is None or not quality.excluded:
        return None
    flagged = quality.flagged
    return {"n": len(flagged), "of": quality.counts["screened"],
            "by_rule": {k: quality.counts[k] for k in _RULE_WORDS},
            "rows": [int(r) for r in flagged["row"]]}
