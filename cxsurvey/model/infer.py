"""Infer a measurement model from column names: ``Att1, Att2, ...`` -> construct ``Att``.

Two survey platforms' export layouts are recognised here (SurveyMonkey's and
LimeSurvey's short item names come from :mod:`cxsurvey.model.platform_items`):

- Qualtrics names the rows of a matrix question ``Q5_1, Q5_2, ...`` (question id, row
  number); they form construct ``Q5`` (any code ending in a digit works alike:
  ``G01Q01_1`` -> ``G01Q01``). Its metadata columns (``StartDate`` ...
  ``UserLanguage``, and the ``Q_`` quality fields) are never items.
- Google Forms heads each row of a grid question ``Question title [Row label]`` and
  starts with ``Timestamp`` (and ``Email Address`` when it collects e-mails). Such
  headers cannot be lavaan names, so
  :func:`cxsurvey.model.platform_items.google_forms_items` proposes short names for them
  (``[data.items]``), one construct per grid title.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable

from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.model.syntax import build_syntax, parse_syntax

_ITEM = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z]*?)[_.]?(?P<num>\d+)$")
#: A question code ending in a digit, ``_``, a row number: Qualtrics' ``Q5_1`` and the
#: short names ``G01Q01_1`` proposed for LimeSurvey sub-questions.
_QUALTRICS_ITEM = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9]*\d)_(?P<num>\d+)$")
_NOT_ITEMS = {"id", "age", "q", "year", "wave", "group"}
#: A Google Forms grid row's header: ``Question title [Row label]``.
GRID_HEADER = re.compile(r"^(?P<title>.*\S)\s*\[(?P<row>[^\[\]]*\S[^\[\]]*)\]$", re.DOTALL)

#: Columns a Google Forms response sheet or CSV adds before the questions.
GOOGLE_FORMS_METADATA = frozenset({"timestamp", "email address", "email", "score"})
#: Columns of a Qualtrics response export that describe the response, not answers.
QUALTRICS_METADATA = frozenset({
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)",
    "finished", "recordeddate", "responseid", "recipientlastname", "recipientfirstname",
    "recipientemail", "externalreference", "externaldatareference", "locationlatitude",
    "locationlongitude", "distributionchannel", "userlanguage", "responseset",
})
#: Columns of a SurveyMonkey export that describe the response, not answers.
SURVEYMONKEY_METADATA = frozenset({
    "respondent id", "collector id", "start date", "end date", "ip address",
    "email address", "first name", "last name", "custom data 1", "custom data",
})
#: Columns of a LimeSurvey response export that describe the response, not answers.
LIMESURVEY_METADATA = frozenset({
    "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp",
    "ipaddr", "refurl", "token", "interviewtime",
})
#: Columns of a Microsoft Forms response workbook that describe the response.
MSFORMS_METADATA = frozenset({
    "id", "start time", "completion time", "email", "name", "last modified time",
})
#: Columns of a Typeform response CSV that describe the response, not answers.
TYPEFORM_METADATA = frozenset({
    "#", "network id", "start date (utc)", "stage date (utc)", "submit date (utc)",
    "tags", "response type",
})
_TITLE_STOP = frozenset(re.findall(r"\w+", """
    a an and are as at be by can could did do does for from how i in is it its me my of on
    or our please rate the these this to us was we were what which with would you your
    following statements statement much well overall extent agree disagree"""))


def is_metadata(column: str) -> bool:
    """Whether a column is a metadata column of a supported platform (never an item)."""
    name = " ".join(column.split()).lower()
    return (name in GOOGLE_FORMS_METADATA or name in QUALTRICS_METADATA
            or name in SURVEYMONKEY_METADATA or name in LIMESURVEY_METADATA
            or name in MSFORMS_METADATA or name in TYPEFORM_METADATA
            or column.startswith("Q_"))


def item_prefix(column: str) -> str | None:
    """The construct prefix of an item-like column name, or None.

    ``Att1`` and ``Att_1`` -> ``Att``; Qualtrics' ``Q5_1`` -> ``Q5``; ``id``, ``age``,
    ``Q1_text`` -> None.
    """
    m = _QUALTRICS_ITEM.match(column.strip())
    if m:
        return m.group("prefix")
    m = _ITEM.match(column.strip())
    if not m:
        return None
    prefix = m.group("prefix")
    return None if prefix.lower() in _NOT_ITEMS else prefix


def infer_constructs(columns: Iterable[str],
                     is_item: Callable[[str], bool] = lambda c: True,
                     min_items: int = 2) -> dict[str, tuple[str, ...]]:
    """Group item-like columns by prefix.

    Parameters
    ----------
    columns : iterable of str
        Column names in file order.
    is_item : callable
        Says whether a column's answers are usable as item scores (numeric, or text
        covered by a label mapping); other columns are ignored.
    min_items : int
        Prefix groups with fewer items are ignored (a one-item "construct" has no
        reliability); default 2.
    """
    groups: dict[str, list[str]] = {}
    for col in columns:
        prefix = item_prefix(str(col))
        if prefix is not None and not is_metadata(str(col)) and is_item(col):
            groups.setdefault(prefix, []).append(str(col))
    return {p: tuple(items) for p, items in groups.items() if len(items) >= min_items}


def infer_model(columns: Iterable[str], data: DataSpec | None = None,
                is_item: Callable[[str], bool] = lambda c: True,
                source: str | None = None) -> SurveyModel:
    """A :class:`SurveyModel` whose measurement model is inferred from ``columns``."""
    data = data or DataSpec()
    drop = set(data.drop)
    constructs = infer_constructs([c for c in columns if c not in drop], is_item)
    if not constructs:
        return SurveyModel(data=data, model=ModelSpec(syntax=""), source=source, inferred=True)
    spec = parse_syntax(build_syntax(constructs), source=source)
    return SurveyModel(data=data, model=spec, source=source, inferred=True)


def construct_name(title: str, taken: set[str]) -> str:
    """A short construct name from a question title's words, not in ``taken`` (lower case).

    The first content word, capitalised (``"Satisfaction with our service"`` ->
    ``Satisfaction``); the next words are added while the name is taken. Letters only,
    so that ``<name><k>`` reads back as construct ``<name>``.
    """
    words = re.findall(r"[A-Za-z]+", title)
    content = [w for w in words if w.lower() not in _TITLE_STOP] or words or ["Grid"]
    name = ""
    for word in content[:4]:
        name += word[:1].upper() + word[1:].lower()
        if name.lower() not in taken and name.lower() not in _NOT_ITEMS:
            return name
    base, suffix = name, "B"
    while name.lower() in taken or name.lower() in _NOT_ITEMS:
        name, suffix = base + suffix, chr(ord(suffix) + 1)
    return name


def construct_titles(constructs: dict[str, tuple[str, ...]],
                     questions: dict[str, str]) -> dict[str, str]:
    """Construct -> the question its items share, from the items' question texts.

    A grid's ``Title [Row]``, SurveyMonkey's ``Question | Row`` and Qualtrics'
    ``Question text - Row`` all give the title; otherwise the texts' common beginning
    (constructs without texts are left out).
    """
    out: dict[str, str] = {}
    for construct, items in constructs.items():
        texts = [questions[i] for i in items if questions.get(i)]
        if not texts:
            continue
        heads = []
        for text in texts:
            m = GRID_HEADER.match(text)
            if m:
                heads.append(m.group("title"))
            elif " | " in text:
                heads.append(text.split(" | ", 1)[0])
            else:
                heads.append(text.rsplit(" - ", 1)[0])
        common = heads[0] if len(set(heads)) == 1 else os.path.commonprefix(heads)
        common = " ".join(common.split()).rstrip(" -:[")
        if common:
            out[construct] = common
    return out
