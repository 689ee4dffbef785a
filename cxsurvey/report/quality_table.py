"""The words of the data-quality table: what was flagged, what became of it, by which rule."""

from __future__ import annotations

from cxsurvey.stats.items.screen import ScreenResult

__all__ = ["data_quality_notes"]


def data_quality_notes(dq: ScreenResult) -> tuple[str, ...]:
    """The table's notes: counts per rule, whether the flagged were excluded, each rule."""
    c = dq.counts
    done = ("excluded before the analyses (--exclude-flagged)" if dq.excluded else
            "kept in the analyses; --exclude-flagged drops them")
    return (f"{c['flagged']} of {c['screened']} respondents flagged, {done}: "
            f"{c['straightliner']} straightlining, {c['duplicate']} duplicate, "
            f"{c['speeder']} speeding, {c['attention']} failed attention check.",
            *(f"{rule.capitalize()}: {text}." for rule, text in dq.rules.items()))
