"""Screenshots of every page of the web interface, for looking at the UI.

Starts the server on the demo index (building it into var/demo-index if there is
none) and saves PNGs into ./screenshots/ (git-ignored) with headless Chromium:

    .venv/bin/python -m bench.screenshots [--index DIR] [--out DIR] [--query Q]

Chinese text needs a CJK font on the machine (Debian: fonts-noto-cjk or
fonts-wqy-microhei); without one Chromium draws boxes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


def ensure_index(path: Path) -> None:
    from index import build_index, index_info
    from index.errors import IndexNotFoundError
    from index.sources import DEMO_CORPUS

    try:
        index_info(path)
    except IndexNotFoundError:
        print(f"building the demo index in {path}", file=sys.stderr)
        build_index([DEMO_CORPUS], path)


def shoot(page: Any, url: str, out: Path, *, full_page: bool = True) -> Path:
    page.goto(url)
    page.wait_for_load_state("load")
    page.screenshot(path=str(out), full_page=full_page)
    print(out)
    return out


def shoot_typing(page: Any, url: str, typed: str, out: Path) -> Path:
    """The page with ``typed`` in the search box and its completion list open."""
    page.goto(url)
    page.click("#q")
    page.fill("#q", "")
    page.keyboard.type(typed)
    page.wait_for_selector("#q-listbox [role=option]")
    page.keyboard.press("ArrowDown")
    page.screenshot(path=str(out))
    print(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=ROOT / "var" / "demo-index")
    ap.add_argument("--out", type=Path, default=Path("screenshots"))
    ap.add_argument("--query", default="安全理事会")
    ap.add_argument("--trends", default="climate change|nuclear weapons|apartheid",
                    help="queries of the trends page, separated by |")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from web import create_app
    from web.server import ServerThread

    ensure_index(args.index)
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    started = time.perf_counter()
    app = create_app({"INDEX_PATH": str(args.index), "WARM_UP": True})
    with ServerThread(app) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            desk = browser.new_page(viewport=DESKTOP, locale="en-US")
            base = server.url
            q = args.query
            shoot(desk, f"{base}/?ui=en", args.out / "home.png")
            shoot(desk, f"{base}/search?q={q}&ui=en", args.out / "results.png")
            first = desk.locator(".hit-title a").first.get_attribute("href")
            shoot(desk, f"{base}/search?q=zzxq%20%E4%B8%8D%E5%AD%98%E5%9C%A8&lang=en&ui=en",
                  args.out / "no-results.png")
            if first:
                shoot(desk, base + first, args.out / "document.png", full_page=False)
            shoot(desk, f"{base}/search?q={q}&ui=zh", args.out / "results-zh.png")
            shoot(desk, f"{base}/?ui=zh", args.out / "home-zh.png")
            shoot(desk, f"{base}/search?q=%28&ui=en", args.out / "bad-query.png")
            phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                     has_touch=True, locale="zh-CN")
            shoot(phone, f"{base}/search?q={q}&ui=zh", args.out / "phone-results.png")
            if first:
                shoot(phone, base + first, args.out / "phone-document.png", full_page=False)
            shoot(phone, f"{base}/?ui=zh", args.out / "phone-home.png")
            shoot_typing(desk, f"{base}/?ui=en", "sustain", args.out / "suggest-en.png")
            shoot_typing(desk, f"{base}/search?q={q}&ui=zh", "安全理", args.out / "suggest-zh.png")
            shoot_typing(phone, f"{base}/?ui=zh", "可持续", args.out / "phone-suggest.png")
            shoot_typing(phone, f"{base}/search?q={q}&ui=en", "S/2015/",
                         args.out / "phone-suggest-symbol.png")
            # Parallel texts (an index with aligned sources: unpc-dev, un-charter).
            shoot(desk, f"{base}/search?q={q}&with=en&ui=en", args.out / "parallel-results.png")
            shoot(desk, f"{base}/search?q={q}&with=ar&ui=zh", args.out / "parallel-results-ar-zh.png")
            side = desk.locator("a.side-by-side").first
            if side.count():
                shoot(desk, base + (side.get_attribute("href") or ""), args.out / "parallel-document.png",
                      full_page=False)
            shoot(desk, f"{base}/translations?q={q}&from=zh&to=en&ui=en", args.out / "translations.png")
            shoot(desk, f"{base}/translations?q={q}&from=zh&to=fr&ui=zh", args.out / "translations-zh.png")
            shoot(phone, f"{base}/search?q={q}&with=en&ui=zh", args.out / "phone-parallel-results.png")
            shoot(phone, f"{base}/documents/raw_un_charter_zh-zh?q={q}&with=ar&ui=zh#p40",
                  args.out / "phone-parallel-document.png", full_page=False)
            trend = "&".join(f"q={quote(t)}" for t in args.trends.split("|"))
            shoot(desk, f"{base}/trends?{trend}&ui=en", args.out / "trends.png")
            shoot(desk, f"{base}/trends?{trend}&ui=zh", args.out / "trends-zh.png")
            shoot(phone, f"{base}/trends?{trend}&ui=zh", args.out / "phone-trends.png")
            first_q = quote(args.trends.split("|")[0])
            shoot(desk, f"{base}/search?q={first_q}&ui=zh", args.out / "results-countries-zh.png")
        finally:
            browser.close()
    print(f"{len(list(args.out.glob('*.png')))} screenshots in {args.out}/ "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
