"""Translation finder benchmark: time per query and quality per language pair.

    .venv/bin/python -m bench.translations --index DIR [--repeats 3]

DIR must hold the aligned sources (an index built from statements + unpc-dev + un-charter,
or the full corpus, built with alignment). The queries are the terms of
tests/data/un_term_renderings.tsv. Prints the time to load every language's tokens (what
`unsearch serve` does in the background at start), then, with the result cache cleared
before each query, p50/p95/max per query and the share of terms whose top rendering is the
expected one, per language pair. A cold process (`unsearch translate`) is timed too.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from pathlib import Path

from bench.common import (
    Target,
    child_env,
    machine,
    percentiles,
    print_machine,
    print_targets,
    save_results,
    table,
    unsearch_cmd,
)
from tests.helpers import TERMS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)

    from index.align_tokens import tokens
    from search import SearchEngine
    from search.lru import LRU

    rows = [line.split("\t") for line in TERMS.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    m = machine()
    print_machine(m)
    with SearchEngine.open(args.index) as engine:
        par = engine.parallel()
        t0 = time.perf_counter()
        par.warm()
        load_s = time.perf_counter() - t0
        times: list[float] = []
        ok: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for rep in range(args.repeats):
            for s, t, q, r in rows:
                par._cache = LRU(256)  # uncached: every query computed
                t1 = time.perf_counter()
                tr = engine.translations(q, s, t, limit=10)
                times.append((time.perf_counter() - t1) * 1000)
                if rep == 0:
                    top = tr.renderings[0].text if tr.renderings else ""
                    total[f"{s}->{t}"] += 1
                    ok[f"{s}->{t}"] += [k[0] for k in tokens(top, t)[0]] == [k[0] for k in tokens(r, t)[0]]
    pct = percentiles(times)
    cold = []
    for s, t, q, _r in rows[:3]:
        t1 = time.perf_counter()
        subprocess.run([*unsearch_cmd(), "translate", q, "--from", s, "--to", t, "--index", str(args.index)],
                       env=child_env(), capture_output=True, check=True)
        cold.append(time.perf_counter() - t1)
    print(table([(k, ok[k], n, round(100 * ok[k] / n, 1)) for k, n in total.items()]
                + [("all", sum(ok.values()), len(rows), round(100 * sum(ok.values()) / len(rows), 1))],
                ["pair", "right", "terms", "%"], "Top rendering right, per language pair"))
    print()
    print(table([("load six languages (s)", round(load_s, 2)), ("queries", pct["n"]),
                 ("p50 ms", pct["p50"]), ("p95 ms", pct["p95"]), ("max ms", pct["max"]),
                 ("cold `unsearch translate` (s, median of 3)", round(sorted(cold)[1], 2))],
                ["figure", "value"], "Translation queries (uncached)"))
    targets = [Target("translation query p95", pct["p95"], 200, "<=", "ms"),
               Target("top rendering right", 100 * sum(ok.values()) / len(rows), 90, ">=", "%")]
    print()
    print_targets(targets)
    save_results({"translations": {"machine": m, "load_s": load_s, "query_ms": pct,
                                   "cold_cli_s": cold, "right": dict(ok), "terms": dict(total),
                                   "targets": [x.to_dict() for x in targets]}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
