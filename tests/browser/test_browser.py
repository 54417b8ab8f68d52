"""End-to-end: the pages in headless Chromium (Debian's, driven by Playwright's sync API).

The server is waitress in a thread over the session's real index. These tests must run
in CI: without chromium they fail, unless UNSEARCH_SKIP_BROWSER=1 says to skip them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
INSTALL_HINT = "install Debian's chromium: apt-get install chromium (make test does this as root)"
TIMEOUT_MS = 8000


def chromium_path() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path:
        return path
    if os.environ.get("UNSEARCH_SKIP_BROWSER") == "1":
        pytest.skip("chromium not found and UNSEARCH_SKIP_BROWSER=1")
    pytest.fail(f"chromium not found: {INSTALL_HINT}", pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'", pytrace=False)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def serve_index(index: Path) -> Iterator[str]:
    from web import create_app
    from web.server import ServerThread

    app = create_app({"INDEX_PATH": str(index), "WARM_UP": True})
    with ServerThread(app) as server:
        yield server.url


def page_without_errors(browser: Any, base_url: str, height: int = 720) -> Iterator[Any]:
    """A fresh context (no cookies) at desktop size; fails the test on any console error,
    which is where a Content-Security-Policy violation would show."""
    context = browser.new_context(viewport={"width": 1280, "height": height}, locale="en-US",
                                  base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield pg
        assert errors == [], errors
    finally:
        context.close()


@pytest.fixture(scope="module")
def base_url(real_index: Path) -> Iterator[str]:
    yield from serve_index(real_index)


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    yield from page_without_errors(browser, base_url)


def total(pg: Any) -> int:
    return int(pg.locator("#result-count").get_attribute("data-total"))


def test_search_from_the_home_box(page: Any) -> None:
    page.goto("/?ui=en")
    assert page.evaluate("document.activeElement.id") == "q"  # focused on load
    page.keyboard.type("安全理事会")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert total(page) > 10
    marks = page.locator(".hit .snippet mark")
    assert marks.count() > 0
    # The abbreviation 安理会 is searched and marked too, and the page says so.
    assert "安全理事会" in set(marks.all_inner_texts()) <= {"安全理事会", "安理会"}
    assert "安理会" in page.locator("#also-searched").inner_text()
    assert page.locator(".hit").first.get_attribute("data-lang") == "zh"
    assert page.input_value("#q") == "安全理事会"


def test_language_facet_narrows_the_results(page: Any) -> None:
    page.goto("/search?q=1540&ui=en")
    before = total(page)
    page.click('[data-facet="lang"] a[data-value="en"]')
    page.wait_for_url("**lang=en**")
    after = total(page)
    assert 0 < after < before
    langs = {h.get_attribute("data-lang") for h in page.locator(".hit").all()}
    assert langs == {"en"}
    assert page.locator('[data-facet="lang"] a[aria-current="true"]').count() == 1
    page.click('.chips a.chip')  # remove the filter again
    page.wait_for_url(lambda url: "lang=" not in url)
    assert total(page) == before


def test_document_opens_scrolled_to_the_paragraph(page: Any) -> None:
    page.goto("/search?q=冠状病毒病&ui=en")
    link = page.locator(".hit-title a").first
    href = link.get_attribute("href")
    assert "#p" in href
    n = int(href.rsplit("#p", 1)[1])
    assert n > 3  # far enough down that the page must scroll
    link.click()
    page.wait_for_url(f"**#p{n}")
    target = page.locator(f"#p{n}")
    target.wait_for()
    page.wait_for_function(f"document.getElementById('p{n}').classList.contains('is-target')")
    assert page.evaluate("window.scrollY") > 0
    box = target.bounding_box()
    height = page.viewport_size["height"]
    assert box and 0 <= box["y"] < height and box["y"] + min(box["height"], 100) <= height
    assert target.locator("mark").count() > 0
    background = page.evaluate(f"getComputedStyle(document.getElementById('p{n}')).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.click("#back-to-results")
    page.wait_for_url("**/search?q=**")
    assert total(page) >= 1


def test_switching_the_interface_language(page: Any) -> None:
    page.goto("/search?q=安全理事会&ui=en")
    assert page.inner_text(".search-form button") == "Search"
    assert page.get_attribute("html", "lang") == "en"
    page.click("#ui-switch")
    page.wait_for_url("**ui=zh**")
    assert page.inner_text(".search-form button") == "检索"
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "个结果" in page.inner_text("#result-count")
    page.goto("/")  # remembered by the cookie
    assert page.inner_text(".search-form button") == "检索"
    page.click("#ui-switch")
    page.wait_for_url("**ui=en**")
    assert page.inner_text(".search-form button") == "Search"


def test_slash_focuses_the_search_box(page: Any) -> None:
    page.goto("/search?q=1540&ui=en")
    page.locator("main").click(position={"x": 5, "y": 5})
    assert page.evaluate("document.activeElement.id") != "q"
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.input_value("#q") == "1540"  # the "/" was not typed into it
    page.keyboard.type("S/2015")  # inside the box, "/" is just a character
    assert page.input_value("#q") == "S/2015"


def test_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        pg = context.new_page()
        pg.goto("/?ui=en")
        pg.fill("#q", "1540")
        pg.select_option("#lang-select", "en")
        pg.click(".search-form button")
        pg.wait_for_url("**lang=en**")
        assert {h.get_attribute("data-lang") for h in pg.locator(".hit").all()} == {"en"}
        pg.locator(".hit-title a").first.click()
        pg.wait_for_url("**/documents/**")
        assert pg.locator(".para").count() > 0
    finally:
        context.close()


def test_phone_width_has_no_horizontal_scroll(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True, base_url=base_url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        pg = context.new_page()
        for url in ("/", "/search?q=安全理事会", "/search?q=冠状病毒病"):
            pg.goto(url)
            assert pg.get_attribute("html", "lang") == "zh-Hans"  # from Accept-Language
            assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
        pg.locator(".hit-title a").first.click()
        pg.wait_for_url("**/documents/**")
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


# -- the trends page, over three real General Debate sessions --------------------------


@pytest.fixture(scope="module")
def gd_url(gd_index: Path) -> Iterator[str]:
    yield from serve_index(gd_index)


@pytest.fixture
def gd_page(browser: Any, gd_url: str) -> Iterator[Any]:
    yield from page_without_errors(browser, gd_url, height=900)


def test_trend_chart_draws_one_line_per_query_with_a_point_per_year(gd_page: Any) -> None:
    pg = gd_page
    pg.goto("/trends?ui=en")
    inputs = pg.locator('.trend-queries input[name="q"]')
    inputs.nth(0).fill("climate change")
    inputs.nth(1).fill("nuclear weapons")
    inputs.nth(2).fill("apartheid")
    pg.click(".trends-form button")
    pg.wait_for_url("**/trends?q=climate+change&q=nuclear+weapons&q=apartheid**")
    chart = pg.locator("svg.trend-chart")
    chart.wait_for()
    lines = chart.locator(".plot .series path.line")
    assert lines.count() == 3
    for i in range(3):
        box = lines.nth(i).bounding_box()
        assert box and box["width"] > 300  # drawn across the chart, not collapsed
        stroke = lines.nth(i).evaluate("e => getComputedStyle(e).stroke")
        assert stroke not in ("none", "rgb(0, 0, 0)")  # coloured by our stylesheet
    # A point for each year that has statements (1946, 1975, 2019), in every series.
    dots = [chart.locator(f".plot.overlay .serie-{i} circle.dot") for i in range(3)]
    assert [d.count() for d in dots] == [3, 3, 3]
    strokes = {lines.nth(i).evaluate("e => getComputedStyle(e).stroke") for i in range(3)}
    assert len(strokes) == 3
    # Hovering shows the exact figures (a native SVG title on the point's link).
    point = chart.locator(".plot.overlay .serie-0 a").nth(2)
    assert point.locator("title").text_content().startswith("climate change – 2019: 168 of 195 documents")
    point.hover()
    # 2019's point sits far above 1975's (86% of statements against 4%).
    y1975 = dots[0].nth(1).bounding_box()["y"]
    y2019 = dots[0].nth(2).bounding_box()["y"]
    assert y2019 < y1975 - 100
    # The table says the same without JavaScript; clicking a point opens that year's search.
    assert pg.locator("#trend-table tbody tr").count() == 3
    point.locator("circle").click()
    pg.wait_for_url("**/search?**year_from=2019**")
    assert total(pg) == 168


def test_trends_page_at_phone_width_in_chinese(browser: Any, gd_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  base_url=gd_url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        pg = context.new_page()
        pg.goto("/trends?q=climate+change&q=nuclear+weapons")
        assert pg.inner_text("h1") == "历年趋势"
        assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        box = pg.locator("svg.trend-chart").bounding_box()
        assert box and 300 <= box["width"] <= 360
    finally:
        context.close()


def test_copy_citation_button(browser: Any, gd_url: str) -> None:
    context = browser.new_context(base_url=gd_url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        pg = context.new_page()
        pg.goto("/documents/CHN_74_2019-en?ui=en#p3")
        button = pg.locator("#p3 .cite-copy")
        assert button.is_visible()  # shown by cite.js: without JavaScript only the ¶ link is there
        button.click()
        pg.wait_for_function("document.querySelector('#p3 .cite-copy').hasAttribute('data-done')")
        copied = pg.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("General debate, 74th session (2019): China, General Assembly, 2019, "
                                 "para. 3, ")
        assert copied.endswith("/documents/CHN_74_2019-en#p3")
    finally:
        context.close()
