"""The search box's completions in headless Chromium: keyboard, mouse, IME, requests.

The same real index, server and browser set-up as test_browser.py.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import test_browser

pytestmark = pytest.mark.browser

browser = test_browser.browser
base_url = test_browser.base_url


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh desktop page that records its /api/suggest requests in ``page.suggests``
    and fails the test on any console error (a CSP violation shows there)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="en-US",
                                  base_url=base_url)
    context.set_default_timeout(test_browser.TIMEOUT_MS)
    pg = context.new_page()
    errors: list[str] = []
    suggests: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("request", lambda r: suggests.append(r.url) if "/api/suggest" in r.url else None)
    pg.suggests = suggests
    try:
        yield pg
        assert errors == [], errors
    finally:
        context.close()


def options(pg: Any) -> list[str]:
    return [o.get_attribute("data-text") for o in pg.locator("#q-listbox [role=option]").all()]


def asked(pg: Any) -> list[str]:
    """The q of each completion request so far."""
    return [parse_qs(urlsplit(u).query)["q"][0] for u in pg.suggests]


def wait_for_list(pg: Any) -> None:
    # Generous: on a loaded CI machine the first lookups of a new server can take seconds.
    try:
        pg.wait_for_selector("#q-listbox [role=option]", timeout=20_000)
    except Exception:
        pytest.fail(f"no completion list for {pg.input_value('#q')!r}; asked: {asked(pg)}")
    assert pg.get_attribute("#q", "aria-expanded") == "true"


def home(pg: Any, ui: str) -> None:
    pg.goto(f"/?ui={ui}")
    pg.click("#q")  # autofocused, but not necessarily yet on a busy machine


def test_keyboard_picks_a_completion_and_lands_on_its_results(page: Any) -> None:
    home(page, "en")
    page.keyboard.type("sustain", delay=30)
    wait_for_list(page)
    shown = options(page)
    assert "sustainable development" in shown
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-activedescendant") is None
    want = shown.index("sustainable development")
    for _ in range(want + 1):
        page.keyboard.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.get_attribute(f"#{active}", "aria-selected") == "true"
    assert page.get_attribute(f"#{active}", "data-text") == "sustainable development"
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["sustainable development"]
    assert int(page.locator("#result-count").get_attribute("data-total")) > 10
    assert page.input_value("#q") == "sustainable development"


def test_chinese_completion_by_keyboard(page: Any) -> None:
    home(page, "zh")
    page.keyboard.type("安全理")
    wait_for_list(page)
    assert options(page)[0] == "安全理事会"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")  # wraps to the last …
    page.keyboard.press("ArrowDown")  # … and back to the first
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["安全理事会"]
    # with 安理会, the abbreviation searched too (search/synonyms.py)
    marked = set(page.locator(".hit .snippet mark").all_inner_texts())
    assert "安全理事会" in marked <= {"安全理事会", "安理会"}


def test_the_mouse_picks_a_symbol(page: Any) -> None:
    home(page, "en")
    page.keyboard.type("S/2015/")
    wait_for_list(page)
    second = page.locator("#q-listbox [role=option]").nth(1)
    symbol = second.get_attribute("data-text")
    assert symbol.startswith("S/2015/")
    second.hover()
    assert page.get_attribute("#q", "aria-activedescendant") == second.get_attribute("id")
    second.click()
    page.wait_for_url("**/search?**")
    assert page.locator(".hit .symbol").first.inner_text() == symbol


def test_escape_closes_and_enter_searches_what_was_typed(page: Any) -> None:
    page.goto("/search?q=1540&ui=en")
    page.fill("#q", "")
    page.locator("#q").type("united n")
    wait_for_list(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.locator("#q-listbox").is_hidden()
    assert page.get_attribute("#q", "aria-expanded") == "false"
    assert page.get_attribute("#q", "aria-activedescendant") is None
    assert page.input_value("#q") == "united n"  # Escape closed the list, kept the text
    page.keyboard.press("Enter")
    page.wait_for_url("**q=united+n**")


def test_requests_wait_for_a_pause_and_none_for_an_empty_box(page: Any) -> None:
    home(page, "en")
    page.keyboard.type("international")  # 13 keys, faster than the debounce
    wait_for_list(page)
    first = asked(page)
    # Not one request per key (a busy machine may pause between two keys, so maybe two).
    assert first[-1] == "international" and len(first) <= 3, first
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    page.keyboard.type("   ")
    time.sleep(0.5)
    assert asked(page) == first  # nothing for an empty (or blank) box
    assert page.locator("#q-listbox").is_hidden()
    page.keyboard.press("Control+a")
    page.keyboard.type("inter")
    wait_for_list(page)
    assert asked(page)[-1] == "inter"
    n = len(asked(page))
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("international")  # asked before: answered from the page's cache
    page.wait_for_function("document.querySelector('#q-listbox [role=option]')"
                           ".getAttribute('data-text') === 'international'")
    time.sleep(0.3)
    assert len(asked(page)) == n
    assert "international community" in options(page)


def test_no_requests_while_an_input_method_composes(page: Any) -> None:
    page.goto("/?ui=zh")
    page.click("#q")
    cdp = page.context.new_cdp_session(page)
    # What a pinyin input method does: the composition shows the Latin letters first.
    for text in ("an", "anquan", "anquanli"):
        cdp.send("Input.imeSetComposition", {"text": text, "selectionStart": len(text),
                                             "selectionEnd": len(text)})
        time.sleep(0.05)
    time.sleep(0.4)  # longer than the debounce
    assert page.input_value("#q") == "anquanli"
    assert asked(page) == []
    cdp.send("Input.insertText", {"text": "安全理"})  # the candidate is chosen: composition ends
    wait_for_list(page)
    assert asked(page) == ["安全理"]
    assert options(page)[0] == "安全理事会"
    cdp.detach()


def test_without_javascript_the_box_is_a_plain_form(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url, locale="en-US")
    try:
        pg = context.new_page()
        pg.goto("/?ui=en")
        assert pg.get_attribute("#q", "role") is None
        assert pg.locator("#q-listbox").count() == 0
        pg.fill("#q", "sustainable development")
        pg.keyboard.press("Enter")
        pg.wait_for_url("**/search?**")
        assert pg.locator(".hit").count() > 0
    finally:
        context.close()
