"""The HTML report in a real browser: headless Chromium through Playwright.

The page must load from a ``file://`` URL without a console error or warning, without
a page error and without a single request that is not ``file:`` or ``data:``; the charts
must be laid out with a non-zero size. Screenshots of the whole page and of the charts
are kept under ``build/test-artifacts/`` for a person to look at.

Chromium comes from ``CXSURVEY_CHROMIUM`` or ``chromium`` on the PATH (Debian:
``apt-get install chromium``); without it this test fails rather than skips.
"""

from __future__ import annotations

import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from support import ROOT, SAMPLES

from cxsurvey.app.pipeline import Options, run
from cxsurvey.report.html.page import write_html

pytestmark = pytest.mark.slow  # a headless Chromium and a whole-sample run

ARTIFACTS = ROOT / "build" / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _chromium() -> str:
    path = os.environ.get("CXSURVEY_CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not path or not Path(path).exists():
        pytest.fail("no Chromium found for the HTML report test: apt-get install chromium "
                    "(or set CXSURVEY_CHROMIUM to a Chromium executable)", pytrace=False)
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    res = run(SAMPLES / "cx_journey.xlsx", SAMPLES / "cx_journey.toml",
              ("describe", "normality", "reliability", "cfa", "paths"),
              Options(method="both", bootstrap=200, seed=1))
    return write_html(res, tmp_path_factory.mktemp("html") / "report.html")


@pytest.fixture(scope="module")
def loaded(report):
    """The report open in one headless Chromium for the whole module, with what it logged."""
    log: dict[str, list[str]] = {"console": [], "errors": [], "requests": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: log["errors"].append(str(e)))

            def route(r):
                url = r.request.url
                if url.startswith(("file:", "data:")):
                    r.continue_()
                else:
                    log["requests"].append(url)
                    r.abort()

            page.route("**/*", route)
            page.on("request", lambda req: None if req.url.startswith(("file:", "data:"))
                    else log["requests"].append(req.url))
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(200)
            yield page, log
        finally:
            browser.close()


def _png_pixels_vary(path: Path) -> int:
    """The number of distinct byte values in a PNG's decoded scanlines (1 = one colour)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    assert width > 0 and height > 0 and len(raw) > height
    stride = len(raw) // height
    # skip each scanline's filter byte; count colour-channel values across the image
    values = set()
    for row in range(0, height, max(1, height // 50)):
        values.update(raw[row * stride + 1:(row + 1) * stride])
    return len(values)


def test_loads_without_errors_or_network(loaded):
    page, log = loaded
    assert log["console"] == []
    assert log["errors"] == []
    assert log["requests"] == []
    assert page.title().startswith("Survey report: cx_journey.xlsx")
    # no scripts at all, no external stylesheet, fonts from the system
    assert page.evaluate("document.scripts.length") == 0
    assert page.evaluate("document.styleSheets.length") == 1
    assert page.evaluate("document.styleSheets[0].href") is None


def test_charts_render_with_a_size(loaded):
    page, _ = loaded
    likert = page.locator("svg.likert-chart")
    assert likert.count() == 1
    box = likert.bounding_box()
    assert box and box["width"] > 400 and box["height"] > 400
    rows = page.locator("svg.likert-chart g.likert-row")
    assert rows.count() == 33
    row_box = rows.first.bounding_box()
    assert row_box and row_box["width"] > 100 and row_box["height"] > 5
    diagrams = page.locator("svg.path-diagram")
    assert diagrams.count() == 2
    for i in range(2):
        b = diagrams.nth(i).bounding_box()
        assert b and b["width"] > 400 and b["height"] > 100
        assert diagrams.nth(i).locator("g.node").count() == 8
        node = diagrams.nth(i).locator("g.node").first.bounding_box()
        assert node and node["width"] > 50 and node["height"] > 20
    loadings = page.locator("table.loadings").bounding_box()
    assert loadings and loadings["height"] > 300
    # the page is not wider than the window (charts scale down with the viewBox)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_flag_highlight_is_visible(loaded):
    page, _ = loaded
    flagged = page.locator("td.flag").first
    colour = flagged.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(255, 199, 206)"
    plain = page.locator("table.data td.num:not(.flag)").first
    assert plain.evaluate("e => getComputedStyle(e).backgroundColor") != colour


def test_screenshots(loaded):
    page, _ = loaded
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shots = {
        "html_report.png": lambda p: page.screenshot(path=p, full_page=True),
        "html_report_likert.png": lambda p: page.locator("svg.likert-chart").screenshot(
            path=p),
        "html_report_paths.png": lambda p: page.locator("svg.path-diagram").first.screenshot(
            path=p),
    }
    for name, take in shots.items():
        target = ARTIFACTS / name
        target.unlink(missing_ok=True)
        take(str(target))
        assert target.exists() and target.stat().st_size > 10_000, name
        assert _png_pixels_vary(target) > 16, name
