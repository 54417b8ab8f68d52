"""What "Did you mean" costs and how often it is right (search/spelling.py).

The 100 misspelt queries of the known-item evaluation's ``misspellings`` class (seed 1)
through ``SearchEngine.search``: how many get a suggestion, how many the right one, and the
time of the suggestion step itself (run only for queries finding fewer than 5 results)
beside the whole search, after one warm-up query.

    .venv/bin/python -m bench.spelling --index /work/ix/bench
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * p) - 1)]


def run(index: Path, n: int = 100, seed: int = 1) -> dict[str, Any]:
    from bench.eval_known_item import DEFAULT_CORPUS, draw_queries, load_paragraphs
    from index.analysis import fold
    from search import SearchEngine
    from search.engine import SearchEngine as Engine

    queries = draw_queries(load_paragraphs(DEFAULT_CORPUS), n, seed, ("misspellings",))
    spent: list[float] = []
    plain = Engine._suggestion

    def timed(self: Any, *args: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return plain(self, *args, **kw)
        finally:
            spent.append((time.perf_counter() - t) * 1000)

    Engine._suggestion = timed  # type: ignore[method-assign]
    try:
        engine = SearchEngine.open(index)
        engine.search("Secutiry Council")  # the completions connection, the first automata
        spent.clear()
        whole, offered, right = [], 0, 0
        for q in queries:
            t = time.perf_counter()
            r = engine.search(q.text, group="para")
            whole.append((time.perf_counter() - t) * 1000)
            offered += r.suggestion is not None
            right += r.suggestion is not None and fold(r.suggestion).text == fold(q.drawn).text
    finally:
        Engine._suggestion = plain  # type: ignore[method-assign]
    return {"queries": len(queries), "offered": offered, "right": right,
            "step_ms": {"p50": statistics.median(spent), "p95": _pct(spent, 0.95), "max": max(spent)},
            "search_ms": {"p50": statistics.median(whole), "p95": _pct(whole, 0.95), "max": max(whole)}}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, type=Path)
    args = ap.parse_args(argv)
    r = run(args.index)
    print(f"{r['queries']} misspelt queries: a suggestion for {r['offered']}, the right one for {r['right']}")
    for name in ("step_ms", "search_ms"):
        v = r[name]
        print(f"{name}: p50 {v['p50']:.1f}, p95 {v['p95']:.1f}, max {v['max']:.1f}")


if __name__ == "__main__":
    main()
