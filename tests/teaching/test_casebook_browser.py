"""The casebook in a real browser: Debian's Chromium (``/usr/bin/chromium``) driven by the
``playwright`` package (its own browser download is never used).

Every student case page and the index are opened from ``file://``: the chart is drawn
(non-zero box) with one point per recorded night, one marker per night with awakenings or
cramps and one hatched band per night not recorded; every section is there and not empty;
no request leaves ``file://`` and the console stays clean; a screenshot is a non-blank
PNG. Skipped when Chromium or playwright is missing, unless ``LEGACHE_REQUIRE_BROWSER=1``
(``.ci/run`` sets it), which makes a missing browser a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from sim.teaching import casebook as cb
from tests.teaching.conftest import NIGHTS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRED = os.environ.get("LEGACHE_REQUIRE_BROWSER") == "1"


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing (pip install playwright; no browser download)"
    return None


@pytest.fixture(scope="session")  # session: set up before the casebook, so a skip is quick
def browser():
    reason = _unavailable()
    if reason:
        if REQUIRED:
            pytest.fail(f"LEGACHE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


class Visit:
    """One page opened in a fresh context that lets nothing but ``file://`` through."""

    def __init__(self, browser, path: Path) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1000, "height": 1200})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.goto(path.as_uri(), wait_until="load")

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def close(self) -> None:
        assert self.outside == [], f"requests outside file://: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"
        self.context.close()


def _expected_marks(student: dict[str, pl.DataFrame], pid: int) -> dict[str, int]:
    diary = student["nights"].filter(pl.col("patient_id") == pid)
    scored = diary.filter(pl.col("pain_score").is_not_null())
    return {
        "circle.pain-point": scored.height,
        "path.awakening-marker": diary.filter(pl.col("awakenings") > 0).height,
        "path.cramp-marker": diary.filter(pl.col("cramp_count") > 0).height,
        "rect.not-recorded": NIGHTS - scored.height,
        "text.not-recorded-label": NIGHTS - scored.height,
    }


def _not_blank(png: Path) -> None:
    from matplotlib.image import imread

    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = imread(png)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1]).round(2), axis=0)
    assert len(colours) > 8, "the screenshot is (almost) one colour"


def test_case_pages_draw_the_chart_and_every_section(
    browser, casebook, teaching_tables, tmp_path
) -> None:
    student = teaching_tables.student
    marks_seen = dict.fromkeys(_expected_marks(student, casebook.ids[0]), 0)
    for pid in casebook.ids:
        visit = Visit(browser, casebook.student / cb.case_file(pid))
        page = visit.page
        chart = page.locator("svg.diary-chart")
        assert chart.count() == 1
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, box
        for selector, n in _expected_marks(student, pid).items():
            assert page.locator(f"svg.diary-chart {selector}").count() == n, (pid, selector)
            marks_seen[selector] += n
        if page.locator("svg.diary-chart polyline.pain-line").count():
            line = page.locator("svg.diary-chart polyline.pain-line").first.bounding_box()
            assert line is not None and line["width"] > 0
        assert page.locator("svg.diary-chart text.legend-label").count() == 4
        ids = page.eval_on_selector_all("section", "els => els.map(e => e.id)")
        assert tuple(ids) == cb.SECTIONS, pid
        for section in cb.SECTIONS:
            heading = page.locator(f"section#{section} h2").inner_text()
            content = page.locator(f"section#{section}").inner_text()
            assert heading and len(content) > len(heading) + 10, (pid, section)
        text = page.locator("body").inner_text()
        assert not re.search(r"\b(None|nan|NaN|null|undefined)\b", text), pid
        assert page.locator("table.diary tbody tr").count() == NIGHTS
        visit.close()
    # The draw had every kind of mark somewhere (else the counts above prove little).
    assert all(marks_seen.values()), marks_seen

    visit = Visit(browser, casebook.student / cb.case_file(casebook.ids[0]))
    shot = tmp_path / "case.png"
    visit.page.screenshot(path=str(shot), full_page=True)
    _not_blank(shot)
    chart_shot = tmp_path / "chart.png"
    visit.page.locator("svg.diary-chart").screenshot(path=str(chart_shot))
    _not_blank(chart_shot)
    visit.close()


def test_index_links_every_case(browser, casebook) -> None:
    visit = Visit(browser, casebook.student / "index.html")
    page = visit.page
    assert page.locator("section#cases table tbody tr").count() == len(casebook.ids)
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [cb.case_file(i) for i in casebook.ids]
    for href in hrefs:
        assert (casebook.student / href).is_file()
    page.locator(f'a[href="{hrefs[0]}"]').click()
    page.wait_for_load_state("load")
    assert page.url.endswith(hrefs[0]) and page.locator("svg.diary-chart").count() == 1
    visit.close()


def test_instructor_page_shades_the_nights(browser, casebook, teaching_tables) -> None:
    nights = teaching_tables.instructor["nights"]
    for pid in casebook.ids[:4]:
        visit = Visit(browser, casebook.instructor / cb.case_file(pid))
        shaded = nights.filter(
            (pl.col("patient_id") == pid) & pl.col("dominant_mechanism").is_not_null()
        ).height
        bands = visit.page.locator("svg.diary-chart rect.mechanism-band")
        assert bands.count() == shaded
        if shaded:
            box = bands.first.bounding_box()
            assert box is not None and box["width"] > 0 and box["height"] > 0
        assert visit.page.locator("section#answer").inner_text().strip()
        visit.close()
