"""Quality checks as JUnit XML, so CI systems list each check as a test case.

One ``<testsuite>`` per survey file, one ``<testcase>`` per comparison (rule x construct,
item or pair): a failed check carries a ``<failure>`` with the value, the cut-off and its
citation; a rule that could not be checked (its analysis did not run) is a test case with
``<skipped>``. The layout follows the JUnit XML that Jenkins, GitLab, GitHub Actions
reporters and pytest's ``--junitxml`` read: ``testsuites > testsuite > testcase >
failure|skipped``, with ``tests``, ``failures``, ``errors`` and ``skipped`` counts. The
output holds no time stamp, so the same run gives the same bytes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from cxsurvey.results import Results

__all__ = ["render_junit"]


def _case_name(r) -> str:
    if isinstance(r.other, str) and r.other:
        where = f"{r.construct} / {r.other}"
    elif isinstance(r.item, str) and r.item:
        where = f"{r.item} ({r.construct})"
    elif isinstance(r.construct, str) and r.construct:
        where = r.construct
    else:
        where = "model"
    variant = getattr(r, "variant", "")
    if isinstance(variant, str) and variant:  # a robust fit index was judged
        where = f"{str(r.statistic).upper()} ({variant}) of the {where}"
    src = f" [{r.source}]" if isinstance(r.source, str) and r.source not in ("items",) else ""
    return f"{r.name} {r.direction} {r.threshold:g}: {where}{src}"


def _suite(res: Results) -> ET.Element:
    ch = res.checks
    file = str(res.meta.get("file", ""))
    suite = ET.Element("testsuite", name=f"cxsurvey check: {file}")
    props = ET.SubElement(suite, "properties")
    for key, value in (("file", file), ("sha256", res.meta.get("sha256")),
                       ("rule_set", ch.rule_set if ch else ""),
                       ("n_rows", res.meta.get("n_rows")),
                       ("cxsurvey_version", res.meta.get("version"))):
        ET.SubElement(props, "property", name=key, value="" if value is None else str(value))
    tests = failures = skipped = 0
    if ch is not None:
        for r in ch.checks.itertuples(index=False):
            case = ET.SubElement(suite, "testcase", classname=f"cxsurvey.{r.name}",
                                 name=_case_name(r), time="0")
            tests += 1
            if not r.passed:
                failures += 1
                fail = ET.SubElement(case, "failure", type="threshold", message=r.message)
                variant = getattr(r, "variant", "")
                statistic = (f"{r.statistic} ({variant})" if isinstance(variant, str)
                             and variant else r.statistic)
                fail.text = (f"{statistic} = {r.value:.6g}, cut-off {r.direction} "
                             f"{r.threshold:g} ({r.citation}); source: {r.source}")
        for r in ch.skipped.drop_duplicates("name").itertuples(index=False):
            case = ET.SubElement(suite, "testcase", classname=f"cxsurvey.{r.name}",
                                 name=f"{r.name}: not checked", time="0")
            ET.SubElement(case, "skipped", message=str(r.reason))
            tests += 1
            skipped += 1
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    suite.set("time", "0")
    return suite


def _error_suite(file: str, message: str) -> ET.Element:
    """A file that could not be analysed: one test case with an ``<error>``."""
    suite = ET.Element("testsuite", name=f"cxsurvey check: {file}", tests="1", failures="0",
                       errors="1", skipped="0", time="0")
    case = ET.SubElement(suite, "testcase", classname="cxsurvey.read", name=f"analyse {file}",
                         time="0")
    err = ET.SubElement(case, "error", type="input", message=message)
    err.text = message
    return suite


def render_junit(runs: Iterable[Results], errors: Iterable[tuple[str, str]] = ()) -> str:
    """JUnit XML for the checks of one or more runs (and files that failed to run).

    Parameters
    ----------
    runs : iterable of Results
        Runs with ``checks`` (runs without are listed with no test cases).
    errors : iterable of (file, message)
        Files that could not be analysed; each becomes a test case with an ``<error>``.
    """
    root = ET.Element("testsuites", name="cxsurvey check")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in [_suite(r) for r in runs] + [_error_suite(f, m) for f, m in errors]:
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode") + "\n"
