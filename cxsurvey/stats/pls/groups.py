"""The PLS group comparison of a run: MICOM and the multi-group analysis of the paths."""

from __future__ import annotations

from dataclasses import dataclass, field

from cxsurvey.stats.pls.mga import PlsMga
from cxsurvey.stats.pls.micom import Micom

__all__ = ["PlsGroups"]


@dataclass(frozen=True)
class PlsGroups:
    """MICOM across the groups and the multi-group analysis of each pair of groups.

    Attributes
    ----------
    micom : Micom, optional
        Measurement invariance of composites (None when it could not be run: see
        ``warnings``).
    mga : tuple of PlsMga
        One multi-group analysis of the structural paths per pair of groups (none
        without structural paths).
    warnings : tuple of str
    """

    micom: Micom | None
    mga: tuple[PlsMga, ...] = ()
    warnings: tuple[str, ...] = field(default=())
