"""Everything one run produced: the container that the renderers read."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

from cxsurvey.gates.results import ChecksResult
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.stats.findings import Findings

__all__ = ["BatchResult", "FileOutcome", "Results", "RunMeta"]


class RunMeta(TypedDict, total=False):
    """What a run read and how (the JSON ``meta``; the About sheet).

    ``file``, ``n_rows``, ``n_used``, ``missing_policy``, ``items``, ``constructs``,
    ``version`` and ``seed`` are the stable keys; ``sha256`` fingerprints the input,
    ``recoded`` counts recoded and missing cells, ``read`` says how the file was read
    (delimiter, encoding, header row, sheet), ``options`` are the run's options,
    ``estimator`` the CB estimator as lavaan writes it (``ML``, ``MLM``, ``MLR``,
    ``WLSMV``), ``ordered`` WLSMV's ordinal items when ``--ordered`` lists some of them,
    ``group`` the grouping column and smallest group compared (``--group``),
    ``excluded`` the respondents ``--exclude-flagged`` dropped (count, by rule, file rows) and
    ``created`` its UTC time (left out of the JSON so that reruns give the same bytes).
    """

    file: str
    sha256: str
    sheet: str | None
    n_rows: int
    n_used: int
    missing_policy: str
    items: list[str]
    constructs: dict[str, list[str]]
    questions: dict[str, str]
    scale: list[int]
    scale_source: str
    scales: dict[str, list[int]]
    model: str | None
    model_inferred: bool
    recoded: dict[str, Any]
    read: dict[str, Any]
    version: str
    estimator: str
    ordered: list[str]
    group: dict[str, Any]
    seed: int
    options: dict[str, Any]
    excluded: dict[str, Any]
    created: str
    dependencies: dict[str, str]


@dataclass(frozen=True)
class Results(Findings):
    """Everything one run produced; renderers read this and nothing else.

    The statistics are the fields of :class:`~cxsurvey.stats.findings.Findings`.
    ``meta`` holds the JSON ``meta`` keys (plus ``sha256``, ``sheet``,
    ``scale``, ``options``, ``dependencies``). ``warnings`` are problems in the data the
    user must see; ``summary`` is the plain-language reading. ``verdicts`` is the run's
    rule set: every flag, highlight, summary sentence and check judges a number through
    it. ``checks`` holds the quality gates' verdicts when the run was gated.
    """

    meta: RunMeta = field(default_factory=lambda: RunMeta())
    warnings: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    checks: ChecksResult | None = None
    verdicts: Verdicts = field(default_factory=Verdicts)


@dataclass
class FileOutcome:
    """What became of one file: status, exit code, key numbers, reports written."""

    file: str
    model: str | None
    model_source: str
    status: str = "ok"  # ok | checks failed | error | cancelled (an interrupted batch)
    exit_code: int = 0
    error: str | None = None
    n_rows: int | None = None
    n_used: int | None = None
    seconds: float = 0.0
    reliability: list[dict] = field(default_factory=list)
    fit: dict = field(default_factory=dict)
    paths: list[dict] = field(default_factory=list)
    invariance: dict = field(default_factory=dict)
    failed_checks: list[dict] = field(default_factory=list)
    n_checks: int = 0
    warnings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    reports: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    """All files of a batch, in input order.

    ``interrupted`` names the signal (``"SIGINT"``, ``"SIGTERM"``) that stopped the run
    before every file was analysed; the files it stopped are listed with status
    ``cancelled``.
    """

    files: tuple[FileOutcome, ...]
    out_dir: Path
    options: dict
    jobs: int
    seconds: float
    interrupted: str | None = None

    @property
    def exit_code(self) -> int:
        """The highest of the files' codes; 128 + the signal's number when interrupted
        (130 for SIGINT, 143 for SIGTERM, as a shell reports a process a signal ended)."""
        if self.interrupted is not None:
            return 128 + signal.Signals[self.interrupted].value
        return max((f.exit_code for f in self.files), default=0)

    @property
    def done(self) -> list[FileOutcome]:
        """The files that were analysed to the end (with or without an error)."""
        return [f for f in self.files if f.status != "cancelled"]

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "error"]
