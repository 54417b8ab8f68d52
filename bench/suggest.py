"""Completion lookups: latency of ``SearchEngine.suggest`` as someone types, and the size of
the completions data.

    .venv/bin/python -m bench.suggest --index DIR

Every prefix of a fixed list of queries (as typed one character at a time, in the six
languages, symbols included), with and without the language filter, looked up 5 times:
p50/p95/p99/max. An index built before completions existed (no ``completions.sqlite`` in
its generation) is not modified: its completions are counted from its ``docs.sqlite`` into
a temporary folder first, and that counting time is reported too.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Target,
    dir_size,
    heading,
    machine,
    mb,
    percentiles,
    print_machine,
    save_targets,
    table,
    temp_dir,
)

TYPED = [
    ("sustainable development goals", "en"), ("international peace and security", "en"),
    ("Secretary-General", "en"), ("climate change", "en"), ("human rights", "en"),
    ("nuclear weapons", "en"), ("united nations", "en"),
    ("安全理事会", "zh"), ("可持续发展目标", "zh"), ("大规模毁灭性武器", "zh"), ("联合国", "zh"),
    ("安全理事會", "zh"),
    ("développement durable", "fr"), ("desarrollo sostenible", "es"),
    ("устойчивого развития", "ru"), ("الأمم المتحدة", "ar"),
    ("S/2015/", None), ("A/RES/69/", None),
]
REPEATS = 5
TARGET_MS = 30.0


def prefixes() -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for text, lang in TYPED:
        for i in range(1, len(text) + 1):
            out.append((text[:i], None))
            if lang:
                out.append((text[:i], lang))
    return out


def measure(suggest: Any) -> dict[str, Any]:
    suggest("联合国", None, 8)  # loads the folding tables and opens the database
    times: list[float] = []
    by_len: dict[str, list[float]] = {"1-2 chars": [], "3-5 chars": [], "6+ chars": []}
    empty = 0
    for prefix, lang in prefixes():
        for _ in range(REPEATS):
            t = time.perf_counter()
            found = suggest(prefix, lang, 8)
            ms = (time.perf_counter() - t) * 1000
            times.append(ms)
            n = len(prefix)
            by_len["1-2 chars" if n <= 2 else "3-5 chars" if n <= 5 else "6+ chars"].append(ms)
        empty += not found
    return {"lookups": len(times), "prefixes": len(prefixes()), "empty_prefixes": empty,
            "all": percentiles(times), **{k: percentiles(v) for k, v in by_len.items()}}


def run(index: Path) -> dict[str, Any]:
    from index.completions import COMPLETIONS_FILE, write_completions
    from index.layout import resolve_generation
    from index.store import STORE_FILE
    from search import SearchEngine
    from search.suggest import Suggester

    gen = resolve_generation(index)
    out: dict[str, Any] = {"index": str(index), "generation_bytes": dir_size(gen)}
    if (gen / COMPLETIONS_FILE).exists():
        out["completions_bytes"] = (gen / COMPLETIONS_FILE).stat().st_size
        with SearchEngine.open(index) as engine:
            out.update(measure(lambda p, lg, n: engine.suggest(p, lang=lg, limit=n)))
        return out
    print(f"{gen.name} has no {COMPLETIONS_FILE} (built before completions): counting them "
          "from its docs.sqlite into a temporary folder …", flush=True)
    with temp_dir("suggest") as tmp:
        t = time.perf_counter()
        rows = write_completions(tmp, gen / STORE_FILE)
        out["count_seconds"] = round(time.perf_counter() - t, 1)
        out["rows"] = rows
        out["completions_bytes"] = (tmp / COMPLETIONS_FILE).stat().st_size
        s = Suggester(tmp)
        out.update(measure(s.suggest))
        s.close()
    return out


def print_suggest(r: dict[str, Any]) -> None:
    # The generation without completions: as built before them.
    before = r["generation_bytes"] - (0 if "count_seconds" in r else r["completions_bytes"])
    growth = r["completions_bytes"] / max(1, before)
    print(f"completions: {mb(r['completions_bytes'])} MB, +{growth:.1%} of the index "
          f"({mb(before)} MB without them)" + (f"; counted in {r['count_seconds']} s, "
                                                  f"{r['rows']:,} rows" if "count_seconds" in r else ""))
    rows = [[k, r[k]["p50"], r[k]["p95"], r[k]["p99"], r[k]["max"]]
            for k in ("all", "1-2 chars", "3-5 chars", "6+ chars")]
    print(table(rows, ["prefixes", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                f"{r['lookups']:,} lookups of {r['prefixes']} prefixes ({r['empty_prefixes']} with none)"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, type=Path)
    args = ap.parse_args(argv)
    m = machine()
    print_machine(m)
    heading("Completions")
    r = run(args.index)
    print_suggest(r)
    t = [Target("completion lookup p99 ≤ 30 ms", r["all"]["p99"], TARGET_MS, "<=", "ms")]
    save_targets(m, "suggest", r, t)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
