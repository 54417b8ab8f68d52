"""Burst benchmark: 8 clients sending heavy queries, a ninth looking up document symbols.

    .venv/bin/python -m bench.burst --index DIR [--duration 30] [--heavy 8]

Starts ``unsearch serve --index DIR`` (gunicorn, its default workers and threads, the
default time budget and admission settings), then for ``--duration`` seconds keeps
``--heavy`` client threads sending heavy queries (common phrases and words, and ORs of
70 common words; each with its own page size so that no request repeats and the
result cache cannot answer) as fast as answers come back, and one more client sending
symbol lookups (the symbols of the index, each with its own page size). A 503 answer
is counted by its code (``overloaded``: shed at once; ``timeout``: stopped at the time
budget) and the client goes on, as a well-behaved client would after ``Retry-After``
(no wait here: the heaviest load). Prints the symbol client's p50/p95/max, every
request's max, the status counts and the peak PSS and RSS of the serving process tree
(psutil, every 0.5 s). Then, through the library, each heavy query with six kinds of
arguments under a 0.5 s budget: how long past the budget it held its thread.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time
from typing import Any
from urllib.parse import urlencode

from bench.common import (
    ROOT,
    Target,
    TreeSampler,
    heading,
    machine,
    percentiles,
    print_machine,
    save_targets,
    table,
)
from bench.http import Server, request
from bench.query import _symbols

COMMON_OR = " OR ".join(
    "the of and to in is that for on with as by this are be it at from have which we our has "
    "not all its international peace security development human rights united nations states "
    "council general assembly countries world people government support cooperation economic "
    "social political global national region efforts community process must also important "
    "role new including years future conflict women children climate change sustainable "
    "agenda".split())
HEAVY = ('"United Nations"', '"international peace and security"', "of the", "the",
         '"human rights"', "development", '"Member States"', "peace and security", COMMON_OR)


def _client(port: int, make_path: Any, stop_at: float, out: list[tuple[float, int, str]]) -> None:
    conn: http.client.HTTPConnection | None = None
    i = 0
    while time.perf_counter() < stop_at:
        path = make_path(i)
        i += 1
        t0 = time.perf_counter()
        try:
            conn, status, body = request(conn, port, path)
        except (OSError, http.client.HTTPException) as e:
            out.append(((time.perf_counter() - t0) * 1000, 0, type(e).__name__))
            conn = None
            continue
        code = "ok"
        if status != 200:
            try:
                code = json.loads(body)["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = f"http {status}"
        out.append(((time.perf_counter() - t0) * 1000, status, code))
    if conn is not None:
        conn.close()


def run(index_path: str, duration: float = 30, heavy: int = 8) -> dict[str, Any]:
    symbols = _symbols(index_path, 200)

    def heavy_path(k: int) -> Any:
        return lambda i: "/api/search?" + urlencode(
            {"q": HEAVY[(i + k) % len(HEAVY)], "per_page": 1 + (k * 97 + i) % 100})

    def symbol_path(i: int) -> str:
        return "/api/search?" + urlencode({"q": symbols[i % len(symbols)],
                                           "per_page": 1 + (i // len(symbols)) % 100})

    server = Server(index_path)
    try:
        ready = server.wait_ready()
        print(f"server up in {ready:.2f} s (pid {server.proc.pid}); a burst of {heavy} heavy "
              f"clients and 1 symbol client for {duration:.0f} s …", flush=True)
        sampler = TreeSampler(server.proc.pid, interval=0.5, pss=True)
        heavy_out: list[list[tuple[float, int, str]]] = [[] for _ in range(heavy)]
        sym_out: list[tuple[float, int, str]] = []
        stop_at = time.perf_counter() + duration
        threads = [threading.Thread(target=_client, args=(server.port, heavy_path(k), stop_at, heavy_out[k]),
                                    daemon=True) for k in range(heavy)]
        # The symbol client starts once the heavy ones are under way.
        threads.append(threading.Thread(target=lambda: (time.sleep(1.0), _client(
            server.port, symbol_path, stop_at, sym_out)), daemon=True))
        sampler.start()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        sampler.stop()
    finally:
        server.stop()
    allh = [x for part in heavy_out for x in part]
    codes: dict[str, int] = {}
    for _ms, _s, code in allh + sym_out:
        codes[code] = codes.get(code, 0) + 1
    mem = sampler.figures()
    return {
        "duration_s": duration, "heavy_clients": heavy, "server_ready_s": round(ready, 2),
        "symbol_requests": len(sym_out), "symbol_latency_ms": percentiles([x[0] for x in sym_out]),
        "symbol_not_ok": sum(1 for x in sym_out if x[1] != 200),
        "heavy_requests": len(allh), "heavy_latency_ms": percentiles([x[0] for x in allh]),
        "answers": codes, "shed": codes.get("overloaded", 0), "timed_out": codes.get("timeout", 0),
        "max_any_ms": round(max((x[0] for x in allh + sym_out), default=0.0), 1),
        "failed_connections": sum(1 for x in allh + sym_out if x[1] == 0),
        "peak_pss_mb": mem["peak_pss_mb"], "peak_rss_mb": mem["peak_rss_mb"],
        "peak_processes": mem["peak_processes"],
    }


def overshoot(index_path: str, seconds: float = 0.5) -> dict[str, Any]:
    """How long past its budget a heavy query holds its thread: every heavy query with six
    kinds of arguments through the library, each with a budget of ``seconds``."""
    from search import SearchEngine
    from search.budget import QueryTimeout

    kinds: list[dict[str, Any]] = [{}, {"sort": "-date"}, {"group": "para"}, {"page": 5},
                                   {"lang": "en"}, {"year_from": 2000}]
    held: list[float] = []
    stopped = 0
    with SearchEngine.open(index_path) as engine:
        engine.search("peace", per_page=1)  # warm: columns and analysers loaded
        for q in HEAVY:
            for kw in kinds:
                t0 = time.perf_counter()
                try:
                    engine.search(q, timeout=seconds, **kw)
                except QueryTimeout:
                    stopped += 1
                held.append(time.perf_counter() - t0)
    return {"budget_s": seconds, "queries": len(held), "stopped_at_budget": stopped,
            "max_held_s": round(max(held), 3), "worst_overshoot_s": round(max(held) - seconds, 3)}


def print_burst(b: dict[str, Any]) -> None:
    s, h = b["symbol_latency_ms"], b["heavy_latency_ms"]
    rows = [("symbol lookups", b["symbol_requests"]), ("symbol p50 (ms)", s.get("p50")),
            ("symbol p95 (ms)", s.get("p95")), ("symbol max (ms)", s.get("max")),
            ("symbol lookups not answered 200", b["symbol_not_ok"]),
            ("heavy requests", b["heavy_requests"]), ("heavy p50 (ms)", h.get("p50")),
            ("heavy max (ms)", h.get("max")), ("shed (503 overloaded)", b["shed"]),
            ("stopped at the budget (503 timeout)", b["timed_out"]),
            ("answers by code", ", ".join(f"{k} {v}" for k, v in sorted(b["answers"].items()))),
            ("slowest answer of all (ms)", b["max_any_ms"]),
            ("failed connections", b["failed_connections"]),
            ("serving tree peak PSS (MB)", b["peak_pss_mb"]),
            ("serving tree peak RSS (MB)", b["peak_rss_mb"]),
            ("processes in the tree", b["peak_processes"])]
    print(table(rows, ["burst", "value"]))


def targets(b: dict[str, Any]) -> list[Target]:
    s = b["symbol_latency_ms"]
    return [
        Target("burst: symbol lookup p50", s.get("p50"), 100, "<=", "ms"),
        Target("burst: symbol lookup max", s.get("max"), 1000, "<=", "ms"),
        Target("burst: every request answered within", b["max_any_ms"], 3000, "<=", "ms"),
        Target("burst: serving tree PSS", b["peak_pss_mb"], 600, "<=", "MB"),
        Target("burst: failed connections", b["failed_connections"], 0, "<="),
    ]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--heavy", type=int, default=8)
    args = ap.parse_args(argv)
    m = machine()
    print_machine(m)
    heading("A burst of heavy queries")
    b = run(args.index, args.duration, args.heavy)
    print_burst(b)
    heading("Time budget: how long past it a heavy query runs (library)")
    b["overshoot"] = o = overshoot(args.index)
    print(table([(k, v) for k, v in o.items()], ["budget", "value"]))
    t = targets(b)
    t.append(Target("heavy query held past its budget", o["worst_overshoot_s"], 0.5, "<=", "s"))
    save_targets(m, "burst", b, t, "Burst targets")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
