"""The raw table every reader returns: a survey export as read, before any recoding."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cxsurvey.errors import Location

__all__ = ["RawTable"]


@dataclass(frozen=True)
class RawTable:
    """A survey export as read, before any recoding.

    Attributes
    ----------
    frame : DataFrame
        One column per file column, named by the header; one row per respondent.
    path : str
        The file as the user named it.
    kind : str
        ``"excel"``, ``"text"`` or ``"spss"``.
    sheet : str, optional
        The worksheet read (Excel only).
    first_data_row : int
        File row (1-based, as a spreadsheet or editor shows it) of ``frame``'s first row.
    row_numbers : tuple of int, optional
        File row of every row of ``frame`` when they are not consecutive (a text file
        with blank lines or answers that span lines); None means
        ``first_data_row + position``.
    value_labels : dict
        SPSS value labels per column (code -> label), empty for other files.
    details : dict
        How the file was read (delimiter, encoding, header row), for the report.
    descriptions : dict
        Column -> its question text: the row Qualtrics writes under the header and,
        for a column renamed by ``[data.items]``, its original header.
    duplicates : dict
        Column name -> 1-based file positions of every column of that name, for the
        names the header repeats; the repeats are read as ``name.1``, ``name.2``.
    """

    frame: pd.DataFrame
    path: str
    kind: str
    sheet: str | None = None
    first_data_row: int = 2
    value_labels: dict[str, dict[float, str]] = field(default_factory=dict)
    details: dict[str, object] = field(default_factory=dict)
    row_numbers: tuple[int, ...] | None = None
    descriptions: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def row_number(self, position: int) -> int:
        """File row number of the respondent at 0-based ``position``."""
        if self.row_numbers is not None:
            return self.row_numbers[int(position)]
        return self.first_data_row + int(position)

    def row_array(self) -> np.ndarray:
        """File row number of every row of ``frame``, as an integer array."""
        n = self.frame.shape[0]
        if self.row_numbers is not None:
            return np.asarray(self.row_numbers[:n], dtype=np.int64)
        return np.arange(self.first_data_row, self.first_data_row + n, dtype=np.int64)

    def file_rows(self) -> list[int]:
        """File row number of every row of ``frame``, in order."""
        if self.row_numbers is not None:
            return list(self.row_numbers[:self.frame.shape[0]])
        return list(range(self.first_data_row, self.first_data_row + self.frame.shape[0]))

    def location(self, position: int | None = None, column: str | None = None) -> Location:
        """Where the cell at 0-based ``position`` and ``column`` sits in the file."""
        row = None if position is None else self.row_number(position)
        return Location(file=self.path, sheet=self.sheet, row=row, column=column)
