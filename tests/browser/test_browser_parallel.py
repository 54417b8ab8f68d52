"""Parallel texts in headless Chromium: side by side, Arabic right to left, no sideways
scroll on a phone, the "Show translation" control and the translation finder's page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser import CHROMIUM_ARGS, TIMEOUT_MS, base_url, browser, page  # noqa: F401

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Any, base_url: str) -> Iterator[Any]:  # noqa: F811
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                  locale="zh-CN", base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def no_sideways_scroll(pg: Any) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= pg.evaluate("window.innerWidth"), width


def test_hits_side_by_side_source_left(page: Any) -> None:  # noqa: F811
    page.goto("/search?q=大规模毁灭性武器&with=en&ui=en")
    # (The first hit, the statement about weapons of mass destruction, has no English version.)
    pair = page.locator(".hit .pair:has(.pair-target[lang=en])").first
    source, target = pair.locator(".pair-source"), pair.locator(".pair-target")
    sb, tb = source.bounding_box(), target.bounding_box()
    assert sb["x"] + sb["width"] <= tb["x"] + 1, (sb, tb)  # source left, translation right
    assert abs(sb["y"] - tb["y"]) < 5  # on the same line
    assert target.get_attribute("lang") == "en"
    marks = page.locator(".pair-target mark").all_inner_texts()
    assert "weapons of mass destruction" in marks, marks


def test_arabic_translation_is_right_to_left(page: Any) -> None:  # noqa: F811
    page.goto("/search?q=安全理事会&with=ar&ui=en")
    target = page.locator(".hit .pair-target[lang=ar]").first
    assert target.get_attribute("dir") == "rtl"
    assert target.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert target.evaluate("el => getComputedStyle(el).textAlign") in ("start", "right")


def test_show_translation_control(page: Any) -> None:  # noqa: F811
    page.goto("/search?q=安全理事会&ui=en")
    assert page.locator(".pair").count() == 0
    page.select_option("#with-select", "fr")
    page.locator(".with-form button").click()
    page.wait_for_url("**with=fr**")
    assert page.locator(".hit .pair-target[lang=fr]").count() >= 5
    assert "Conseil de sécurité" in page.locator(".pair-target mark").first.inner_text()


def test_side_by_side_document_scrolled_to_hit(page: Any) -> None:  # noqa: F811
    page.goto("/search?q=第五十一条&with=en&ui=en")
    page.locator("a.side-by-side").first.click()
    page.wait_for_url("**/documents/**with=en**")
    target = page.locator(".prow.is-target")
    assert target.count() == 1
    assert target.evaluate("el => { const r = el.getBoundingClientRect();"
                           " return r.top >= 0 && r.top < window.innerHeight; }")
    cells = target.locator(".pcell")
    a, b = cells.nth(0).bounding_box(), cells.nth(1).bounding_box()
    assert a["x"] < b["x"] and abs(a["y"] - b["y"]) < 5
    assert cells.nth(1).get_attribute("lang") == "en"
    # The Chinese column gets a CJK font first.
    font = cells.nth(0).evaluate("el => getComputedStyle(el).fontFamily")
    assert font.split(",")[0].strip().strip('"') in ("Noto Sans CJK SC", "Noto Sans SC")


def test_translation_finder_page_from_a_hit(page: Any) -> None:  # noqa: F811
    page.goto("/search?q=可持续发展目标&with=en&ui=en")
    page.locator("a.how-translated").first.click()
    page.wait_for_url("**/translations?**")
    assert page.locator(".rendering-text").first.inner_text() == "Sustainable Development Goals"
    assert int(page.locator("#tr-pairs").get_attribute("data-pairs")) >= 10
    page.locator(".rendering .pair-links a").first.click()
    page.wait_for_url("**/documents/**")
    assert page.locator(".parallel-text").count() == 1


@pytest.mark.parametrize("url", [
    "/search?q=安全理事会&with=ar&ui=zh",
    "/search?q=human rights&with=zh&ui=en",
    "/documents/raw_un_charter_zh-zh?q=安全理事会&with=ar#p160",
    "/translations?q=安全理事会&from=zh&to=ru",
])
def test_phone_width_no_sideways_scroll(phone: Any, url: str) -> None:
    phone.goto(url)
    phone.wait_for_load_state("load")
    no_sideways_scroll(phone)
