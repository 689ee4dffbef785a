"""The display tables and the slope plot of PLS moderation and higher-order constructs.

The tables compute no statistic: their cells must be the numbers of
:class:`~cxsurvey.stats.pls.moderation.ModerationBootstrap` and
:class:`~cxsurvey.stats.pls.higher_order.HigherOrderBootstrap` (tested against seminr in
tests/stats/pls), their flags the run's verdicts. The simple slopes and the plot's points
are checked against the run's structural paths (b_X + b_XM m; Y = b_X X + b_M m + b_XM X m,
Aiken & West 1991), worked out here from the paths table, not from the slopes table.
"""

from __future__ import annotations

import dataclasses
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from openpyxl.chart import ScatterChart
from rich.console import Console
from support import SAMPLES

from cxsurvey.app.pipeline import run_command
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.options import Options
from cxsurvey.report.console import render_console
from cxsurvey.report.excel.workbook import build_workbook
from cxsurvey.report.html.page import render_html
from cxsurvey.report.html.slope_chart import slope_chart
from cxsurvey.report.pls_model_tables import (
    higher_order_tables,
    moderation_tables,
    pls_model_tables,
)
from cxsurvey.report.slope_chart import level_label, slope_plots
from cxsurvey.report.tables import build_tables

_HEAD = '''[data]
sheet = "Responses"
id = "RespondentID"
scale = [1, 5]
[model]
syntax = """
Purchase =~ Purch1 + Purch2 + Purch3
Use =~ Use1 + Use2 + Use3
Result =~ Rslt1 + Rslt2 + Rslt3
Loyalty =~ Lylt1 + Lylt2 + Lylt3
'''
_MODERATION = _HEAD + 'Loyalty ~ Result + Use + Result:Use\nResult ~ Purchase\n"""\n'
_HIGHER = _HEAD + 'Experience =~ Purchase + Use\nLoyalty ~ Experience + Result\n"""\n'


def _run(tmp_path_factory, name: str, text: str):
    model = tmp_path_factory.mktemp(name) / f"{name}.toml"
    model.write_text(text, encoding="utf-8")
    return run_command("paths", SAMPLES / "cx_journey.xlsx", model, method="pls",
                       options=Options(bootstrap=100))


@pytest.fixture(scope="module")
def moderated(tmp_path_factory):
    return _run(tmp_path_factory, "moderation", _MODERATION)


@pytest.fixture(scope="module")
def higher(tmp_path_factory):
    return _run(tmp_path_factory, "higher", _HIGHER)


def _by_key(res):
    return {t.key: t for t in build_tables(res)}


def _paths(res) -> dict[tuple[str, str], float]:
    """The run's structural paths (interaction terms on the product scale)."""
    p = next(p for p in res.paths if p.method == "pls").paths
    return {(a, b): float(x) for a, b, x in zip(p["from"], p["to"], p["est"], strict=True)}


# ---------------------------------------------------------------- moderation


def test_moderation_table_shows_the_runs_interaction(moderated):
    t = _by_key(moderated)["pls_moderation"]
    mod = moderated.pls.moderation
    assert t.title == "Moderation (PLS, two-stage)"
    assert list(t.frame["term"]) == ["Result:Use"] and list(t.frame["outcome"]) == ["Loyalty"]
    for col in ("est", "est_std", "se", "t", "pvalue", "ci_lower", "ci_upper", "f2"):
        assert np.allclose(t.frame[col], mod.interactions[col], rtol=0, atol=0), col
    full = mod.moderation.interactions
    for col in ("r2_included", "r2_excluded"):
        assert np.allclose(t.frame[col], full[col], rtol=0, atol=0), col
    # the product-scale path is the paths table's interaction row
    assert t.frame["est"].iloc[0] == pytest.approx(_paths(moderated)[("Result:Use", "Loyalty")],
                                                   abs=1e-12)
    shown = {c.key for c in t.console_columns}
    assert {"est", "est_std", "se", "pvalue", "ci_lower", "ci_upper", "f2", "r2_included",
            "r2_excluded"} <= shown


def test_moderation_p_is_flagged_by_the_runs_significance(moderated):
    mod = moderated.pls.moderation
    p = float(mod.interactions["pvalue"].iloc[0])
    strict, loose = Verdicts(significance=p / 2), Verdicts(significance=min(1.0, p * 2))
    assert (0, "pvalue") in moderation_tables(mod, strict)[0].flags
    assert (0, "pvalue") not in moderation_tables(mod, loose)[0].flags
    assert moderation_tables(mod, loose)[0].frame["supported"].iloc[0] == "yes"
    # f2 is a reading, never a flag, however small
    for v in (strict, loose):
        assert not {f for f in moderation_tables(mod, v)[0].flags if f[1] == "f2"}
    notes = " ".join(moderation_tables(mod, loose)[0].notes)
    assert ".005" in notes and ".025" in notes and "Kenny" in notes and "Cohen 1988" in notes


def test_simple_slopes_follow_the_paths(moderated):
    t = _by_key(moderated)["pls_simple_slopes"]
    est = _paths(moderated)
    b_x, b_xm = est[("Result", "Loyalty")], est[("Result:Use", "Loyalty")]
    assert list(t.frame["moderator_value"]) == [-1.0, 0.0, 1.0]
    assert list(t.frame["level_text"]) == ["low (-1 SD)", "mean", "high (+1 SD)"]
    assert np.allclose(t.frame["slope"], [b_x - b_xm, b_x, b_x + b_xm], rtol=0, atol=1e-12)
    slopes = moderated.pls.moderation.slopes
    for col in ("se", "t", "pvalue", "ci_lower", "ci_upper"):
        assert np.allclose(t.frame[col], slopes[col], rtol=0, atol=0), col
    v = moderated.verdicts
    assert t.flags == {(i, "pvalue") for i, p in enumerate(slopes["pvalue"])
                       if not p < v.significance}
    tiny = Verdicts(significance=1e-300)
    assert moderation_tables(moderated.pls.moderation, tiny)[1].flags == {
        (i, "pvalue") for i in range(3)}


def test_slope_plot_points_are_the_models_predictions(moderated):
    (plot,) = slope_plots(moderated)
    est = _paths(moderated)
    b_x, b_m, b_xm = (est[("Result", "Loyalty")], est[("Use", "Loyalty")],
                      est[("Result:Use", "Loyalty")])
    assert (plot.iv, plot.moderator, plot.outcome) == ("Result", "Use", "Loyalty")
    for m, r in zip((-1.0, 0.0, 1.0), plot.lines.itertuples(index=False), strict=True):
        assert r.moderator_value == m
        # Y = b_X X + b_M m + b_XM X m at X = -1 and X = +1
        assert r.y_low == pytest.approx(-b_x + b_m * m - b_xm * m, abs=1e-12)
        assert r.y_high == pytest.approx(b_x + b_m * m + b_xm * m, abs=1e-12)
        assert (r.y_high - r.y_low) / 2 == pytest.approx(r.slope, abs=1e-12)


def test_slope_chart_draws_three_lines_on_one_scale(moderated):
    (plot,) = slope_plots(moderated)
    svg = ET.fromstring(slope_chart(plot))
    lines = [e for e in svg.iter("line") if e.get("class") == "slope"]
    assert [e.get("data-level") for e in lines] == ["low (-1 SD)", "mean", "high (+1 SD)"]
    # every line spans the same x range; its pixel rise is proportional to its y change
    assert len({(e.get("x1"), e.get("x2")) for e in lines}) == 1
    rises = [(float(e.get("y1")) - float(e.get("y2"))) for e in lines]
    changes = list(plot.lines["y_high"] - plot.lines["y_low"])
    scale = [r / c for r, c in zip(rises, changes, strict=True)]
    assert max(scale) - min(scale) < 0.2 / min(abs(c) for c in changes)
    # higher predicted Y is drawn higher (smaller SVG y)
    for e, r in zip(lines, plot.lines.itertuples(index=False), strict=True):
        assert float(e.get("data-y-low")) == pytest.approx(r.y_low, abs=1e-4)
        assert (float(e.get("y1")) < float(e.get("y2"))) == (r.y_low > r.y_high)
    texts = " ".join(t.text or "" for t in svg.iter("text"))
    assert "Result (SD units)" in texts and "Loyalty (predicted, std.)" in texts
    assert "Use (moderator)" in texts and "high (+1 SD): slope" in texts
    assert slope_chart(dataclasses.replace(plot, lines=plot.lines.iloc[0:0])) == ""


def test_html_has_the_slopes_section_and_the_tables(moderated, higher):
    page = render_html(moderated)
    assert '<section id="slopes">' in page
    section = re.search(r'<section id="slopes">.*?</section>', page, re.S).group(0)
    assert section.count('<svg class="slope-chart"') == 1
    assert "Moderation (PLS, two-stage)" in page and "Simple slopes (PLS)" in page
    assert '<section id="slopes">' not in render_html(higher)


def test_excel_slopes_sheet_holds_the_chart_and_its_data(moderated, higher):
    wb = build_workbook(moderated)
    assert "Slopes" in wb.sheetnames
    ws = wb["Slopes"]
    (chart,) = ws._charts
    assert isinstance(chart, ScatterChart) and len(chart.series) == 3
    (plot,) = slope_plots(moderated)
    values = {}
    for row in ws.iter_rows():
        for c in row:
            values[c.coordinate] = c.value
    for j, s in enumerate(chart.series):
        ref = s.yVal.numRef.f.split("!")[1].replace("$", "")
        first, last = ref.split(":")
        assert [values[first], values[last]] == pytest.approx(
            [plot.lines["y_low"].iloc[j], plot.lines["y_high"].iloc[j]], abs=1e-12)
        xref = s.xVal.numRef.f.split("!")[1].replace("$", "")
        assert [values[c] for c in xref.split(":")] == [-1.0, 1.0]
        label = s.tx.strRef.f.split("!")[1].replace("$", "")
        assert values[label] == f"Use {plot.lines['level'].iloc[j]}"
    assert not any(str(v).startswith("'") for v in values.values() if v is not None)
    assert "Slopes" not in build_workbook(higher).sheetnames


# ------------------------------------------------------------- higher order


def test_higher_order_tables_show_the_run(higher):
    tables = _by_key(higher)
    fit = higher.pls.higher_order.higher_order
    m, r = tables["pls_hoc_measurement"], tables["pls_hoc_reliability"]
    assert m.title == "Higher-order constructs (PLS, embedded two-stage)"
    assert list(m.frame["loc"]) == ["Purchase", "Use"]
    for col in ("loading", "weight", "vif"):
        assert np.allclose(m.frame[col], fit.hoc_measurement[col], rtol=0, atol=0)
    for col in ("alpha", "rho_c", "ave"):
        assert np.allclose(r.frame[col], fit.hoc_reliability[col], rtol=0, atol=0)
    assert "pls_moderation" not in tables and "Slopes" not in render_html(higher)


def test_higher_order_flags_are_the_rule_sets(higher):
    hoc = higher.pls.higher_order
    rel = hoc.higher_order.hoc_reliability
    alpha = float(rel["alpha"].iloc[0])
    strict = Verdicts(RULE_SETS["default"].with_value("min_alpha", alpha + 0.01, "test")
                      .with_value("min_ave", 0.99, "test"))
    loose = Verdicts(RULE_SETS["default"].with_value("min_alpha", alpha - 0.01, "test")
                     .with_value("min_ave", 0.01, "test"))
    assert higher_order_tables(hoc, strict)[1].flags == {(0, "alpha"), (0, "ave")}
    assert not higher_order_tables(hoc, loose)[1].flags
    # a Mode B HOC's reliability is not judged; its VIFs are, a Mode A HOC's are not
    fit = hoc.higher_order
    meas = fit.hoc_measurement.assign(vif=[10.0, 1.2])
    as_b = dataclasses.replace(hoc, higher_order=dataclasses.replace(
        fit, hoc_measurement=meas.assign(mode="B"), hoc_reliability=rel.assign(mode="B")))
    as_a = dataclasses.replace(hoc, higher_order=dataclasses.replace(
        fit, hoc_measurement=meas))
    assert not higher_order_tables(as_b, strict)[1].flags
    assert (0, "vif") in higher_order_tables(as_b, loose)[0].flags
    assert not {f for f in higher_order_tables(as_a, loose)[0].flags if f[1] == "vif"}
    low = dataclasses.replace(hoc, higher_order=dataclasses.replace(
        fit, hoc_measurement=fit.hoc_measurement.assign(loading=[0.5, 0.9])))
    assert {f for f in higher_order_tables(low, loose)[0].flags} == {(0, "loading")}


def test_console_prints_them_as_key_tables(moderated, higher):
    for res, titles in ((moderated, ("Moderation (PLS, two-stage)", "Simple slopes (PLS)")),
                        (higher, ("Higher-order constructs (PLS, embedded two-stage)",
                                  "Higher-order construct reliability"))):
        buf = io.StringIO()
        render_console(res, Console(file=buf, width=160), overview=True, full=False)
        out = buf.getvalue()
        head = out.split("more tables with --full")[0]
        for title in titles:
            assert title in head


def test_no_tables_without_moderation_or_higher_order(results):
    assert pls_model_tables(results) == [] and slope_plots(results) == []


def test_level_labels():
    assert [level_label(x) for x in ("-1 SD", "mean", "+1 SD", "other")] == [
        "low (-1 SD)", "mean", "high (+1 SD)", "other"]
