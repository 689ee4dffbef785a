"""Write a survey data set (``cxsurvey simulate``) as .xlsx or .csv, atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cxsurvey.errors import InputError, Location
from cxsurvey.report.files import atomic_write, neutralise


def write_survey(frame: pd.DataFrame, path: str | Path, sheet: str = "Responses") -> Path:
    """Write respondents x columns to ``path`` (.xlsx: bold frozen header; .csv/.tsv).

    Text cells are neutralised against formula injection.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        def write(tmp: Path) -> None:
            from openpyxl import Workbook
            from openpyxl.styles import Font

            wb = Workbook()
            ws = wb.active
            ws.title = sheet
            ws.append([str(c) for c in frame.columns])
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for row in frame.itertuples(index=False):
                ws.append([None if (not isinstance(v, str) and pd.isna(v))
                           else neutralise(v.item() if hasattr(v, "item") else v)
                           for v in row])
            ws.freeze_panes = "A2"
            wb.save(tmp)
        return atomic_write(p, write)
    if suffix in {".csv", ".tsv"}:
        sep = "\t" if suffix == ".tsv" else ","
        safe = frame.map(neutralise) if hasattr(frame, "map") else frame.applymap(neutralise)
        return atomic_write(p, lambda tmp: safe.to_csv(tmp, index=False, sep=sep))
    raise InputError(f"cannot write survey data as '{suffix or '(none)'}'",
                     Location(file=str(path)), "Use an .xlsx, .csv or .tsv output name.")
