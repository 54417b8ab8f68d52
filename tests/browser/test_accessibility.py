"""The accessibility gate: axe-core on every page, both interface languages, desktop and phone.

axe-core (the engine of the browsers' accessibility dev tools) comes from the npm registry:
`make test` installs it into var/npm/ (git-ignored); UNSEARCH_AXE points to another copy.
It is evaluated through the DevTools protocol, which the pages' Content-Security-Policy
(no inline or injected script) does not apply to, so the pages are audited under their
real policy. Any WCAG 2.0/2.1 level A or AA violation fails the test.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from conftest import ROOT

pytestmark = pytest.mark.browser

browser = test_browser.browser
base_url = test_browser.base_url

AXE_JS = Path(os.environ.get("UNSEARCH_AXE") or ROOT / "var/npm/node_modules/axe-core/axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary)}));
}"""


@functools.cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        if os.environ.get("UNSEARCH_SKIP_BROWSER") == "1":
            pytest.skip("axe-core not installed and UNSEARCH_SKIP_BROWSER=1")
        pytest.fail(f"axe-core not found at {AXE_JS}: run `make axe` (make test does)", pytrace=False)
    return AXE_JS.read_text("utf-8")


def violations(pg: Any) -> list[dict[str, Any]]:
    pg.evaluate(axe_source())
    found: list[dict[str, Any]] = pg.evaluate(RUN_AXE, WCAG_TAGS)
    return found


@pytest.fixture(scope="module")
def document_url(browser: Any, base_url: str) -> str:
    pg = browser.new_page(base_url=base_url)
    try:
        pg.goto("/search?q=安全理事会&ui=en")
        href: str = pg.locator(".hit-title a").first.get_attribute("href")
        return href
    finally:
        pg.close()


@pytest.fixture(params=[(ui, vp) for ui in ("en", "zh") for vp in VIEWPORTS])
def page(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Any]:
    ui, vp = request.param
    context = browser.new_context(viewport=VIEWPORTS[vp], is_mobile=vp == "phone",
                                  locale="zh-CN" if ui == "zh" else "en-US", base_url=base_url)
    context.set_default_timeout(test_browser.TIMEOUT_MS)
    pg = context.new_page()
    pg.ui = ui
    try:
        yield pg
    finally:
        context.close()


PAGES = {
    "home": "/",
    "results": "/search?q=安全理事会",
    "results-filtered": "/search?q=1540&lang=en&sort=-date&group=para",
    "no-results": "/search?q=zzxq%20不存在",
    "bad-query": "/search?q=(",
    "not-found": "/no-such-page",
    # Parallel texts and the translation finder (aligned sources: unpc-dev, the Charter).
    "parallel-results": "/search?q=安全理事会&with=en",
    "parallel-results-rtl": "/search?q=安全理事会&with=ar",
    "parallel-document": "/documents/raw_un_charter_zh-zh?q=安全理事会&with=ar",
    "translations": "/translations?q=安全理事会&from=zh&to=en",
    "translations-empty": "/translations",
    # Trends: the chart (server-rendered SVG), its table and the form.
    "trends": "/trends?q=security+council&q=安全理事会",
    "trends-empty": "/trends",
    "trends-counts": "/trends?q=peace&measure=documents",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_wcag_violations(page: Any, name: str) -> None:
    url = PAGES[name]
    page.goto(f"{url}{'&' if '?' in url else '?'}ui={page.ui}")
    assert page.get_attribute("html", "lang") == ("zh-Hans" if page.ui == "zh" else "en")
    assert violations(page) == [], name


def test_document_page_has_no_wcag_violations(page: Any, document_url: str) -> None:
    page.goto(f"{document_url.split('#')[0]}&ui={page.ui}#{document_url.split('#')[1]}")
    assert page.locator(".para.is-target").count() == 1
    assert violations(page) == []


def test_open_completion_list_has_no_wcag_violations(page: Any) -> None:
    page.goto(f"/?ui={page.ui}")
    page.click("#q")
    page.keyboard.type("安全理" if page.ui == "zh" else "sustain")
    page.wait_for_selector("#q-listbox [role=option]", timeout=20_000)  # a busy machine is slow
    page.keyboard.press("ArrowDown")
    assert violations(page) == []


def test_the_gate_finds_the_old_low_contrast_text(browser: Any, base_url: str) -> None:
    """The secondary text used to be #8a93a3 on white (3.1:1): axe must say so."""
    pg = browser.new_page(base_url=base_url)
    try:
        pg.goto("/search?q=安全理事会&ui=en")
        pg.evaluate("document.documentElement.style.setProperty('--faint', '#8a93a3')")
        assert [v["id"] for v in violations(pg)] == ["color-contrast"]
    finally:
        pg.close()
