"""Under load: a time budget per query, heavy queries shed with 503 + Retry-After, cheap
ones never. Real servers on 127.0.0.1, real concurrent clients, bounded loops.

Speed is measured by ``bench/http.py --burst``; the only time bounds here are the
issue's own (a query stops at its budget; every request is answered within 3 s),
with room for a noisy machine.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from conftest import serving
from test_faults import HEAVY, get

from search import QueryTimeout, SearchEngine
from web.settings import resolve

SYMBOL = "S/2015/77"  # a symbol in statements/: the cheap query of the burst
# With the numpy fast path even an OR of 70 common words takes tens of milliseconds on the
# test index; what stays heavy is ranking a deep window of it (20 pages of 100 paragraphs).
DEEP = {"group": "para", "page": 20, "per_page": 100}


def test_library_stops_a_heavy_query_at_its_budget(engine: SearchEngine) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as info:
        engine.search(HEAVY, timeout=0.01, **DEEP)  # type: ignore[arg-type]
    held = time.monotonic() - started
    assert held < 0.01 + 1.0, held  # the issue: the budget plus 0.5 s (room for a busy CI)
    assert "0.01 s" in str(info.value)
    # Not cached as if it had finished: asked again, it times out again.
    with pytest.raises(QueryTimeout):
        engine.search(HEAVY, timeout=0.01, **DEEP)  # type: ignore[arg-type]
    # A symbol within a budget; no budget means no limit.
    assert engine.search(SYMBOL, timeout=2).total > 0
    assert engine.search(HEAVY, **DEEP).total > 0  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{}, {"sort": "-date"}, {"group": "para"}, {"page": 2},
                                    {"lang": "en", "year_from": 2000}])
def test_a_budget_changes_no_answer(real_index: Path, kwargs: dict[str, object]) -> None:
    """Under a budget, Whoosh's collector is wrapped to check the clock: same hits, same
    order, same totals and facets as without one (two engines: no shared result cache)."""
    with SearchEngine.open(real_index) as plain, SearchEngine.open(real_index) as timed:
        for q in ("peace", "安全理事会", '"Security Council" 1540', "human rights -women",
                  "nuclear OR chemical", SYMBOL):
            a, b = plain.search(q, **kwargs), timed.search(q, timeout=60, **kwargs)  # type: ignore[arg-type]
            assert (a.total, a.facets) == (b.total, b.facets), q
            assert [(h.doc_id, h.paragraph, h.score) for h in a] == \
                [(h.doc_id, h.paragraph, h.score) for h in b], q


def test_cost_estimate_tells_heavy_from_cheap(engine: SearchEngine) -> None:
    heavy_from = resolve({})["HEAVY_POSTINGS"]
    assert engine.cost(SYMBOL) < heavy_from < engine.cost(HEAVY, window=2000)
    assert engine.cost(HEAVY, window=10) < engine.cost(HEAVY, window=2000)
    assert engine.cost("大规模毁灭性武器") < heavy_from
    assert engine.cost("zzzzqqq") == 0


def test_a_query_over_its_budget_is_a_503_with_retry_after(real_index: Path) -> None:
    with serving(real_index, "--workers", "1", env={"UNSEARCH_QUERY_TIMEOUT": "0.01"}) as served:
        started = time.monotonic()
        status, body, headers = get(served.base + "/api/search?" + urllib.parse.urlencode(
            {"q": HEAVY, **DEEP}))
        assert time.monotonic() - started < 0.01 + 2.0
        assert status == 503 and body["error"]["code"] == "timeout", body
        assert "time budget" in body["error"]["message"] and headers.get("Retry-After") == "1"
        # The page says so in words, in both interface languages, with the search box.
        for ui, words in (("en", "That search took too long"), ("zh", "该检索耗时过长")):
            status, page, headers = get(served.base + "/search?" + urllib.parse.urlencode(
                {"q": HEAVY + f" OR {ui}x", "ui": ui, **DEEP}))
            assert status == 503 and headers.get("Retry-After")
            assert words in page["raw"] and "Traceback" not in page["raw"]
            assert "unsearch index build" not in page["raw"]  # not an operator's problem
        # The server is fine right after.
        assert get(served.base + "/healthz")[0] == 200
    assert "Traceback" not in served.output


def test_a_burst_of_heavy_queries_is_shed_and_cheap_queries_still_answer(real_index: Path) -> None:
    settings = {"UNSEARCH_QUERY_TIMEOUT": "1.5", "UNSEARCH_HEAVY_QUERIES": "1", "UNSEARCH_QUEUE": "0"}
    answers: list[tuple[str, int, str, float, str | None]] = []
    lock = threading.Lock()

    def client(kind: str, n: int, queries: list[str]) -> None:
        for i in range(n):  # bounded: stops by itself
            q = queries[i % len(queries)]
            args = {"q": q, "per_page": 1 + i % 9} if kind == "cheap" else \
                {"q": f"{q} OR w{n}x{i}", **DEEP}
            url = served.base + "/api/search?" + urllib.parse.urlencode(args)
            started = time.monotonic()
            status, body, headers = get(url, timeout=30)
            with lock:
                answers.append((kind, status, body.get("error", {}).get("code", "ok"),
                                time.monotonic() - started, headers.get("Retry-After")))

    with serving(real_index, "--workers", "2", "--threads", "8", env=settings) as served:
        threads = [threading.Thread(target=client, args=("heavy", 3 + k, [HEAVY])) for k in range(6)]
        threads.append(threading.Thread(target=client, args=("cheap", 12, [SYMBOL, "大规模毁灭性武器"])))
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert served.proc.poll() is None
    assert "Traceback" not in served.output

    heavy = [a for a in answers if a[0] == "heavy"]
    cheap = [a for a in answers if a[0] == "cheap"]
    assert len(heavy) == sum(3 + k for k in range(6)) and len(cheap) == 12
    # Beyond one running per worker (no queue), heavy queries are refused at once.
    shed = [a for a in heavy if a[2] == "overloaded"]
    assert shed and all(a[1] == 503 and a[4] for a in shed), heavy
    assert {a[2] for a in heavy} <= {"ok", "overloaded", "timeout"}, heavy
    # Cheap queries are never shed, whatever the heavy ones do.
    assert all(a[1] == 200 for a in cheap), cheap
    # The bound: every request is answered within 3 s.
    slowest = max(a[3] for a in answers)
    assert slowest < 3.0, sorted(answers, key=lambda a: -a[3])[:3]


def test_ordinary_searches_wait_for_a_turn_and_are_never_shed(real_index: Path,
                                                            engine: SearchEngine) -> None:
    """Common-word searches run a few at a time per worker (their numpy arrays are megabytes
    each); the others wait within their budget: all are answered, none refused."""
    # The test index is small: below the default, every word of it would be cheap.
    env = {"UNSEARCH_ORDINARY_QUERIES": "1", "UNSEARCH_CHEAP_POSTINGS": "100"}
    ordinary = ["united nations", "human rights", "peace and security", "development"]
    assert all(100 < engine.cost(q) <= resolve({})["HEAVY_POSTINGS"] for q in ordinary)
    answers: list[int] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        for i in range(6):  # bounded: stops by itself
            q = f"{ordinary[(k + i) % len(ordinary)]} w{k}x{i}"
            status, _body, _headers = get(served.base + "/api/search?" + urllib.parse.urlencode(
                {"q": q.rsplit(" ", 1)[0], "per_page": 1 + k + 8 * i}), timeout=30)
            with lock:
                answers.append(status)

    with serving(real_index, "--workers", "1", env=env) as served:
        threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert answers == [200] * 36, answers
    assert "Traceback" not in served.output
