"""Regenerate the bundled sample surveys from the population model, deterministically.

Run from anywhere with the project's Python::

    python sample_surveys/make_samples.py

It reads ``cx_journey_population.toml`` next to this script
(:func:`cxsurvey.model.population_table.population_from_model`), draws n = 157 respondents
with seed 20220401 using cxsurvey's own :func:`cxsurvey.simulate.simulate_sample`
and writes, next to this script (each file atomically: a temporary file in the same
folder, then ``os.replace``):

- ``cx_journey.xlsx``: sheet "Responses", RespondentID, the 33 items, Age, Gender,
  Channel (the demographics are drawn with the same generator after the items);
- ``cx_journey.toml``: the analysis model file for it;
- ``cx_journey_messy.xlsx``: the same answers as a messy export (title row, header in row
  2, text labels, a reverse-stored item, 99 and blank cells, formula-like comments);
- ``cx_journey_messy.toml``: the model file that reads the messy export;
- ``cx_journey_messy_cells.json``: the cells that are missing in the messy export;
- ``google_forms.csv``, ``qualtrics.csv``, ``surveymonkey.csv``, ``limesurvey.csv``,
  ``microsoft_forms.xlsx`` and ``typeform.csv``: the same answers as these platforms
  export them (their metadata is drawn with a second generator, seed 20220402, anew for
  each file, so the files above do not change), each with one more question, the 0-10
  "How likely are you to recommend us to a friend or colleague?", drawn once from the
  respondents' Loyalty answers with a third generator, seed 20220403 (:func:`recommend`).

The workbooks are byte-for-byte reproducible: the zip entries and document properties
carry a fixed timestamp instead of the time of the run.

References
----------
Saeedi, Danaei & Zargar (2022), Customer Experience of Electronic Services in Information
Technology Organizations Based on Digital Developments, IJDCM 2(4), 207-234 (the study
whose shape the population model reproduces).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Font

from cxsurvey.model.load import load_model
from cxsurvey.model.population import PopulationModel
from cxsurvey.model.population_table import population_from_model
from cxsurvey.simulate import make_rng, simulate_sample

HERE = Path(__file__).resolve().parent
POPULATION = HERE / "cx_journey_population.toml"
N = 157
SEED = 20220401
STAMP = dt.datetime(2026, 3, 2, 9, 0, 0)  # fixed document timestamp (reproducible bytes)
ZIP_TIME = (2026, 3, 2, 9, 0, 0)

LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree")
LABEL_CONSTRUCTS = ("Awareness", "Attention", "Loyalty")  # stored as text in the export
REVERSED = "Use2"  # stored as 6 - x in the export
MESSY_NOTE = ("Customer experience survey export - generated 2026-03-02 09:00 by the "
              "feedback platform; confidential, do not forward")

#: Cells that are missing in the messy export: (0-based respondent row, item, kind).
#: "99" is the missing-value code, "blank" an empty cell ("blank " with a space: a cell
#: holding only a space, which a reader must treat as empty too).
MESSY_CELLS: tuple[tuple[int, str, str], ...] = (
    (3, "Decis2", "99"),
    (22, "Att2", "99"),
    (41, "Purch1", "99"),
    (77, "Use2", "99"),
    (118, "Rslt3", "99"),
    (150, "Evalu1", "99"),
    (9, "Inf3", "blank"),
    (41, "Att5", "blank"),
    (63, "Lylt2", "blank"),
    (96, "Decis5", "blank"),
    (133, "Use1", "blank"),
)
#: The one blank cell that holds a single space rather than nothing.
SPACE_CELL = (96, "Decis5")

#: Free-text comments (non-item column); two start like spreadsheet formulas and must be
#: stored as text, never as formulas.
COMMENTS: dict[int, str] = {
    1: "Very quick checkout.",
    5: '=HYPERLINK("http://example.com/ticket/4711","ticket 4711")',
    12: "Delivery was late but support helped.",
    17: "+1 555 0100, please call me back",
    30: "@support the app logs me out",
    58: "=1+1",
    104: "Great service overall",
}


# ----------------------------------------------------------------------------- writing
def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; use the usual file mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_text(path: Path, text: str) -> None:
    _atomic_write_bytes(path, text.encode("utf-8"))


def _workbook_bytes(wb: openpyxl.Workbook) -> bytes:
    """Serialise ``wb`` with fixed timestamps so that the bytes are reproducible."""
    wb.properties.creator = "cxsurvey sample_surveys/make_samples.py"
    wb.properties.created = STAMP
    buf = io.BytesIO()
    wb.save(buf)
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _text_cell(cell: openpyxl.cell.cell.Cell, text: str) -> None:
    """Store ``text`` as a string even when it starts with '=' (openpyxl would make it a
    formula)."""
    cell.value = text
    cell.data_type = "s"


# ----------------------------------------------------------------------------- content
def draw(pop: PopulationModel) -> tuple[pd.DataFrame, np.random.Generator]:
    """The clean survey: items from ``simulate_sample``, then demographics, same rng."""
    rng = make_rng(SEED)
    frame = simulate_sample(pop, N, rng).responses.copy()
    age = np.clip(np.rint(rng.normal(38.0, 11.0, N)), 18, 70).astype(np.int64)
    gender = rng.choice(np.array(["Female", "Male", "Other"]), size=N, p=[0.49, 0.48, 0.03])
    channel = rng.choice(np.array(["Web", "App"]), size=N, p=[0.55, 0.45])
    frame["Age"] = age
    frame["Gender"] = gender
    frame["Channel"] = channel
    return frame, rng


def clean_workbook(frame: pd.DataFrame) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([v.item() if isinstance(v, np.generic) else v for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 13
    return wb


def _label_variant(label: str, pick: int) -> str:
    """A case/space variant of an answer label, as exports from survey tools produce."""
    variants = (label, label, label, label, label.lower() + " ", label.upper(),
                label.lower(), label + "  ", " " + label)
    return variants[pick % len(variants)]


def messy_workbook(frame: pd.DataFrame, pop: PopulationModel,
                   rng: np.random.Generator) -> openpyxl.Workbook:
    lo, hi = pop.scale
    label_items = {it for c in LABEL_CONSTRUCTS for it, _ in pop.loadings[c]}
    picks = rng.integers(0, 9, size=(N, len(pop.items)))
    missing = {(r, it): kind for r, it, kind in MESSY_CELLS}

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    ws["A1"] = MESSY_NOTE
    header = [*frame.columns, "Comment"]
    ws.append(header)
    for r in range(N):
        values: list[object] = []
        for col in frame.columns:
            v = frame.at[r, col]
            v = v.item() if isinstance(v, np.generic) else v
            if col in pop.items:
                kind = missing.get((r, col))
                if kind == "99":
                    v = 99
                elif kind == "blank":
                    v = " " if (r, col) == SPACE_CELL else None
                elif col == REVERSED:
                    v = lo + hi - int(v)
                elif col in label_items:
                    j = pop.items.index(col)
                    v = _label_variant(LABELS[int(v) - lo], int(picks[r, j]))
            values.append(v)
        values.append(None)
        ws.append(values)
        if r in COMMENTS:
            _text_cell(ws.cell(row=r + 3, column=len(header)), COMMENTS[r])
    return wb


def _syntax(pop: PopulationModel) -> str:
    width = max(len(c) for c in pop.constructs)
    lines = [f"{c:<{width}} =~ {' + '.join(it for it, _ in pairs)}"
             for c, pairs in pop.loadings.items()]
    lines += [f"{out:<{width}} ~ {pred}" for pred, out, _ in pop.paths]
    return "\n".join(lines) + "\n"


def clean_toml(pop: PopulationModel) -> str:
    return f'''# Analysis model of the sample survey cx_journey.xlsx (written by make_samples.py).
#   cxsurvey analyze cx_journey.xlsx --model cx_journey.toml

[data]
sheet = "Responses"
id = "RespondentID"
scale = [1, 5]

[model]
syntax = """
{_syntax(pop)}"""
'''


def messy_toml(pop: PopulationModel) -> str:
    labels = "\n".join(f'"{label}" = {i}' for i, label in enumerate(LABELS, start=pop.scale[0]))
    return f'''# Model file for the messy export cx_journey_messy.xlsx (written by make_samples.py).
# The export has a title row above the header, text answers for Awareness, Attention and
# Loyalty, 99 for "no answer" and Use2 stored reverse-coded. With this file it gives the
# same item scores as cx_journey.xlsx (cells listed in cx_journey_messy_cells.json are
# missing).
#   cxsurvey analyze cx_journey_messy.xlsx --model cx_journey_messy.toml

[data]
sheet = "Export"
header_row = 2
id = "RespondentID"
scale = [1, 5]
missing = [99]
reverse = ["{REVERSED}"]

# Text answers -> scores. The built-in 5-point English set already covers these labels
# (matched ignoring case and spaces); the table is spelled out for documentation.
[data.labels]
{labels}

[model]
syntax = """
{_syntax(pop)}"""
'''


def messy_cells_json() -> str:
    cells = [{"row_index": r, "item": it, "kind": kind}
             for r, it, kind in sorted(MESSY_CELLS)]
    return "[\n" + ",\n".join("  " + json.dumps(c) for c in cells) + "\n]\n"


# ----------------------------------------------------------------------------- platforms
#: Question (grid) title and row labels per construct, as the two platforms show them.
QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Awareness": ("Awareness of our e-services", (
        "I saw the e-services on our website", "Colleagues told me about them",
        "Our newsletter explained them", "I knew what each service offers")),
    "Attention": ("Attention to our offers", (
        "The offers caught my eye", "I read the offer details", "The offers were relevant",
        "I compared the offers", "The offers were clear", "I remembered the offers later",
        "I looked for more offers", "I followed the offers on social media")),
    "Assessment": ("Assessment of the options", (
        "I could compare prices", "I could compare features", "The options were easy to judge")),
    "Decision": ("Decision to buy", (
        "Choosing was easy", "I felt sure of my choice", "The advice helped me decide",
        "I had enough information", "I decided quickly", "I would decide the same again")),
    "Purchase": ("Purchase experience", (
        "Paying was simple", "The order went through without problems",
        "The confirmation came at once")),
    "Use": ("Use of the service", (
        "The service was easy to use", "The service worked as promised",
        "Support answered my questions")),
    "Result": ("Result of using the service", (
        "The service saved me time", "The service met my needs", "The results were worth it")),
    "Loyalty": ("Loyalty to the company", (
        "I will use the company again", "I recommend the company to others",
        "I prefer this company to others")),
}
QUALTRICS_META = (
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/Berlin"}'),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/Berlin"}'),
    ("Status", "Response Type", '{"ImportId":"status"}'),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
    ("Progress", "Progress", '{"ImportId":"progress"}'),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}'),
    ("Finished", "Finished", '{"ImportId":"finished"}'),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/Berlin"}'),
    ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}'),
    ("RecipientFirstName", "Recipient First Name", '{"ImportId":"recipientFirstName"}'),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}'),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}'),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}'),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}'),
)

SURVEYMONKEY_META = ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                     "Email Address", "First Name", "Last Name", "Custom Data 1")
MSFORMS_META = ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time")
TYPEFORM_META = ("Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)",
                 "Network ID", "Tags")
#: The likelihood-to-recommend question every platform export ends its questions with.
RECOMMEND_TEXT = "How likely are you to recommend us to a friend or colleague?"
#: Its question code in the LimeSurvey export (codes there are chosen by the author).
LIMESURVEY_RECOMMEND = "NPS"
LIMESURVEY_META = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                   "datestamp", "ipaddr", "refurl")


def recommend(items: pd.DataFrame, pop: PopulationModel, seed: int) -> np.ndarray:
    """0-10 answers to the recommend question, one per respondent, from the Loyalty answers.

    A monotone map of the respondent's Loyalty mean ``m`` (1-5) plus normal noise,
    rounded and clipped: ``clip(rint(2 + 2 (m - 1) + N(0, 1.2)), 0, 10)``, so that "4
    on average" gives about 8 and "5 throughout" about 10.
    """
    rng = make_rng(seed)
    loyal = items[[it for it, _ in pop.loadings["Loyalty"]]].to_numpy(dtype=float).mean(axis=1)
    raw = 2.0 + 2.0 * (loyal - pop.scale[0]) + rng.normal(0.0, 1.2, size=len(loyal))
    return np.clip(np.rint(raw), 0, 10).astype(np.int64)


def _csv_text(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _times(rng: np.random.Generator) -> tuple[list[dt.datetime], np.ndarray]:
    """Start times (over the four weeks after STAMP, in order) and durations in seconds."""
    starts = np.sort(rng.integers(0, 28 * 24 * 3600, size=N))
    durations = np.rint(rng.lognormal(np.log(420.0), 0.45, size=N)).astype(np.int64)
    return [STAMP + dt.timedelta(seconds=int(s)) for s in starts], durations


def _row_headers(pop: PopulationModel, template: str) -> list[object]:
    """One header per matrix row, ``template`` filled with the question ``title`` and
    ``row`` label."""
    return [template.format(title=QUESTIONS[c][0], row=QUESTIONS[c][1][k])
            for c, pairs in pop.loadings.items() for k in range(len(pairs))]


def _labels(items: pd.DataFrame, pop: PopulationModel, r: int) -> list[object]:
    """Respondent ``r``'s answers as the text labels."""
    return [LABELS[int(items.at[r, it]) - pop.scale[0]] for it in pop.items]


def google_forms_csv(items: pd.DataFrame, pop: PopulationModel, seed: int,
                     rec: np.ndarray) -> str:
    """The answers as a Google Forms response CSV: Timestamp, Email Address, one column
    ``Title [Row]`` per grid row, answers as the grid's column labels, then the 0-10
    recommend question (a linear scale, headed by its text)."""
    starts, durations = _times(make_rng(seed))
    out = [["Timestamp", "Email Address", *_row_headers(pop, "{title} [{row}]"),
            RECOMMEND_TEXT]]
    for r in range(N):
        end = starts[r] + dt.timedelta(seconds=int(durations[r]))
        stamp = end.strftime("%Y/%m/%d %I:%M:%S %p").replace(" 0", " ") + " GMT+1"
        out.append([stamp, f"respondent{r + 1:03d}@example.com", *_labels(items, pop, r),
                    int(rec[r])])
    return _csv_text(out)


def qualtrics_csv(items: pd.DataFrame, pop: PopulationModel, seed: int,
                  rec: np.ndarray) -> str:
    """The answers as a Qualtrics CSV export (numeric values): ``Q1_1 ...`` per matrix
    row, the metadata columns first, the question-text and ImportId rows under the
    header; the recommend question last, ``Q9``."""
    rng = make_rng(seed)
    starts, durations = _times(rng)
    ids = rng.integers(0, 62, size=(N, 15))
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    names, texts, imports = (list(col) for col in zip(*QUALTRICS_META, strict=True))
    for q, (construct, pairs) in enumerate(pop.loadings.items(), start=1):
        title, rows = QUESTIONS[construct]
        for k in range(1, len(pairs) + 1):
            names.append(f"Q{q}_{k}")
            texts.append(f"{title} - {rows[k - 1]}")
            imports.append(f'{{"ImportId":"QID{q}_{k}"}}')
    q = len(pop.loadings) + 1
    names.append(f"Q{q}")
    texts.append(RECOMMEND_TEXT)
    imports.append(f'{{"ImportId":"QID{q}"}}')
    out: list[list[object]] = [names, texts, imports]
    for r in range(N):
        end = starts[r] + dt.timedelta(seconds=int(durations[r]))
        fmt = "%Y-%m-%d %H:%M:%S"
        row: list[object] = [
            starts[r].strftime(fmt), end.strftime(fmt), 0, f"203.0.113.{r % 250 + 1}", 100,
            int(durations[r]), 1, end.strftime(fmt),
            "R_" + "".join(alphabet[int(i)] for i in ids[r]), "", "", "", "",
            "52.5200", "13.4050", "anonymous", "EN"]
        row += [int(items.at[r, it]) for it in pop.items]
        out.append([*row, int(rec[r])])
    return _csv_text(out)


def surveymonkey_csv(items: pd.DataFrame, pop: PopulationModel, seed: int,
                     rec: np.ndarray) -> str:
    """The answers as a SurveyMonkey "all responses" CSV (actual answer text): the
    question text over the first of its columns, the row labels in the second header
    row, the metadata columns (blank in the second row) first; the recommend question
    last, ``Response`` under its text, answers 0-10."""
    rng = make_rng(seed)
    starts, durations = _times(rng)
    ids = rng.integers(10**10, 10**11, size=N)
    top: list[object] = list(SURVEYMONKEY_META)
    for construct, pairs in pop.loadings.items():
        top += [QUESTIONS[construct][0]] + [""] * (len(pairs) - 1)
    top.append(RECOMMEND_TEXT)
    out = [top, [""] * len(SURVEYMONKEY_META) + _row_headers(pop, "{row}") + ["Response"]]
    fmt = "%m/%d/%Y %I:%M:%S %p"
    for r in range(N):
        end = starts[r] + dt.timedelta(seconds=int(durations[r]))
        row: list[object] = [int(ids[r]), 431234567, starts[r].strftime(fmt),
                             end.strftime(fmt), f"203.0.113.{r % 250 + 1}", "", "", "", ""]
        out.append([*row, *_labels(items, pop, r), int(rec[r])])
    return _csv_text(out)


def limesurvey_csv(items: pd.DataFrame, pop: PopulationModel, seed: int,
                   rec: np.ndarray) -> str:
    """The answers as a LimeSurvey CSV export with question codes and answer codes
    (every field quoted): the metadata columns, then ``G01Q01[SQ001]`` ... one array
    question per construct (questions 1-4 in group 1, 5-8 in group 2), answers 1-5,
    then the recommend question, code ``NPS``, answers 0-10."""
    rng = make_rng(seed)
    starts, durations = _times(rng)
    seeds = rng.integers(10**8, 10**9, size=N)
    header: list[object] = list(LIMESURVEY_META)
    for q, (_, pairs) in enumerate(pop.loadings.items(), start=1):
        group = 1 if q <= 4 else 2
        header += [f"G{group:02d}Q{q:02d}[SQ{k:03d}]" for k in range(1, len(pairs) + 1)]
    out = [[*header, LIMESURVEY_RECOMMEND]]
    fmt = "%Y-%m-%d %H:%M:%S"
    for r in range(N):
        end = (starts[r] + dt.timedelta(seconds=int(durations[r]))).strftime(fmt)
        row: list[object] = [r + 1, end, 2, "en", int(seeds[r]), starts[r].strftime(fmt),
                             end, "", ""]
        row += [int(items.at[r, it]) for it in pop.items]
        out.append([*row, int(rec[r])])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(out)
    return buf.getvalue()


def msforms_workbook(items: pd.DataFrame, pop: PopulationModel, seed: int,
                     rec: np.ndarray) -> openpyxl.Workbook:
    """The answers as a Microsoft Forms response workbook (sheet "Sheet1"): ``ID``,
    ``Start time``, ``Completion time``, ``Email``, ``Name``, ``Last modified time``,
    then one column per Likert statement headed ``Question title.Statement``, answers as
    the option labels, then the Net Promoter question headed by its text, answers 0-10."""
    starts, durations = _times(make_rng(seed))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([*MSFORMS_META, *_row_headers(pop, "{title}.{row}"), RECOMMEND_TEXT])
    for r in range(N):
        end = starts[r] + dt.timedelta(seconds=int(durations[r]))
        ws.append([r + 1, starts[r], end, "anonymous", None, None, *_labels(items, pop, r),
                   int(rec[r])])
    return wb


def typeform_csv(items: pd.DataFrame, pop: PopulationModel, seed: int,
                 rec: np.ndarray) -> str:
    """The answers as a Typeform response CSV: ``#`` (the response token), one column per
    matrix row headed ``Question text - Row label`` (answers as the choice labels), the
    Net Promoter question headed by its text (answers 0-10), then ``Response Type``,
    ``Start Date (UTC)``, ``Stage Date (UTC)``, ``Submit Date (UTC)``, ``Network ID``
    and ``Tags``."""
    rng = make_rng(seed)
    starts, durations = _times(rng)
    tokens = rng.integers(0, 36, size=(N, 32))
    networks = rng.integers(0, 16, size=(N, 10))
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = [["#", *_row_headers(pop, "{title} - {row}"), RECOMMEND_TEXT, *TYPEFORM_META]]
    fmt = "%Y-%m-%d %H:%M:%S"
    for r in range(N):
        end = (starts[r] + dt.timedelta(seconds=int(durations[r]))).strftime(fmt)
        out.append(["".join(alphabet[int(i)] for i in tokens[r]), *_labels(items, pop, r),
                    int(rec[r]), "completed", starts[r].strftime(fmt), "", end,
                    "".join(alphabet[int(i)] for i in networks[r]), ""])
    return _csv_text(out)


def main() -> None:
    pop = population_from_model(load_model(POPULATION))
    frame, rng = draw(pop)
    _atomic_write_bytes(HERE / "cx_journey.xlsx", _workbook_bytes(clean_workbook(frame)))
    _atomic_write_text(HERE / "cx_journey.toml", clean_toml(pop))
    _atomic_write_bytes(HERE / "cx_journey_messy.xlsx",
                        _workbook_bytes(messy_workbook(frame, pop, rng)))
    _atomic_write_text(HERE / "cx_journey_messy.toml", messy_toml(pop))
    _atomic_write_text(HERE / "cx_journey_messy_cells.json", messy_cells_json())
    items = frame[list(pop.items)]
    rec = recommend(items, pop, SEED + 2)
    _atomic_write_text(HERE / "google_forms.csv", google_forms_csv(items, pop, SEED + 1, rec))
    _atomic_write_bytes(HERE / "qualtrics.csv",
                        qualtrics_csv(items, pop, SEED + 1, rec).encode("utf-8-sig"))
    _atomic_write_text(HERE / "surveymonkey.csv",
                       surveymonkey_csv(items, pop, SEED + 1, rec))
    _atomic_write_text(HERE / "limesurvey.csv", limesurvey_csv(items, pop, SEED + 1, rec))
    _atomic_write_bytes(HERE / "microsoft_forms.xlsx",
                        _workbook_bytes(msforms_workbook(items, pop, SEED + 1, rec)))
    _atomic_write_text(HERE / "typeform.csv", typeform_csv(items, pop, SEED + 1, rec))
    print(f"wrote 11 files to {HERE} (n = {N}, seed = {SEED})")


if __name__ == "__main__":
    main()
