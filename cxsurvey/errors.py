"""Exceptions that carry an exit code and a location the user can act on.

The CLI turns every :class:`CxSurveyError` into one stderr message and the exit code
named in the shared contract: 2 for the user's input, 3 for analyses that cannot be
computed on the data. Anything else is a bug and keeps its traceback under ``--debug``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_INPUT = 2
EXIT_ANALYSIS = 3


@dataclass
class Location:
    """Where in the user's files a problem sits (all parts optional).

    ``row`` is the row number as the user sees it in the file (1-based, spreadsheet
    or text-editor numbering, header included); ``line`` is a line of a model file.
    """

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None

    def describe(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass
class CxSurveyError(Exception):
    """Base class of errors the user should see as a message, not a traceback."""

    message: str
    location: Location = field(default_factory=Location)
    hint: str | None = None
    exit_code: int = EXIT_INPUT

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        where = self.location.describe()
        text = _one_line(self.message)
        if where:
            text = f"{where}: {text}"
        if self.hint:
            if not text.endswith((".", "?", "!", ":")):
                text += "."
            text += f" {_one_line(self.hint)}"
        return text


def _one_line(text: str) -> str:
    """Collapse line breaks (e.g. from a library's message) so the error stays one line."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


@dataclass
class InputError(CxSurveyError):
    """The user's input is wrong (missing file, bad model, bad answers): exit code 2."""

    exit_code: int = EXIT_INPUT


@dataclass
class AnalysisError(CxSurveyError):
    """The analysis cannot be computed on these data: exit code 3."""

    exit_code: int = EXIT_ANALYSIS
