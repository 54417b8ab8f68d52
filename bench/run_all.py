"""All the benchmarks, one command: build, queries, cold start, HTTP, a burst, update; then the targets.

    .venv/bin/python -m bench.run_all [--index DIR] [--reuse DIR] [--quick]      (or: make bench)

* default: build the full benchmark corpus (../shared/corpus: ungdc, unpc-dev, un-charter,
  statements, plus a small folder the benchmark writes for the update test) into a temp dir
  (``--index DIR``: there, and kept), compare our build with the naive jieba+Whoosh baseline on
  a ~56k-paragraph subset, then query, load and update that index;
* ``--reuse DIR``: skip the corpus build and use the existing full index at DIR (never modified:
  the update test runs on a copy); the baseline comparison still runs (``--no-baseline`` skips it);
* ``--quick``: a smoke run on a small subset (a few thousand paragraphs), 10 s of HTTP load.

The query mix also runs on the naive baseline (stock Whoosh with jieba's ``ChineseAnalyzer``,
in its own virtual environment, :mod:`bench.naive`) built over the same sources as the
queried index, the full corpus in a full run (about 11 minutes of one core to build;
``--naive-index NDIR`` keeps it for the next run, ``--no-naive`` skips it).

Prints a table per part and the targets with PASS/FAIL; writes every figure to
bench/out/results.json. It takes about half an hour on 2 cores with today's code (``--reuse``:
about 12 minutes, ``--quick``: about 4).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import build as build_mod
from bench import burst as burst_mod
from bench import http as http_mod
from bench import query as query_mod
from bench import update as update_mod
from bench.common import (
    BASELINE_SESSIONS,
    FULL_SOURCES,
    OUT,
    ROOT,
    Target,
    corpus_paths,
    dir_size,
    heading,
    machine,
    mb,
    print_machine,
    print_targets,
    require_corpus,
    save_results,
    subset_sources,
    temp_dir,
)


def reused_build(index: Path) -> dict[str, Any]:
    """What can be said about an existing index's build (from its meta; not measured here)."""
    from index import index_info
    from index.layout import resolve_generation

    info = index_info(index)
    gen = resolve_generation(index)
    size = dir_size(gen)
    sources = [s for s in (info.get("sources") or []) if os.path.exists(s)]
    nbytes = build_mod.source_bytes(sources) if sources else 0
    return {"reused": str(index), "documents": info["documents"], "paragraphs": info["paragraphs"],
            "build_seconds_from_meta": info.get("build_seconds"), "sources": info.get("sources"),
            "source_mb": mb(nbytes), "index_mb": mb(size),
            "index_to_source": round(size / nbytes, 2) if nbytes else None}


def _section(name: str, fn: Any, results: dict[str, Any], failures: list[str]) -> Any:
    """Run one part; a part that fails is reported and the others still run."""
    try:
        return fn()
    except Exception as e:
        failures.append(f"{name}: {type(e).__name__}: {e}")
        traceback.print_exc()
        results.setdefault("failures", []).append(failures[-1])
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", help="build the corpus index here and keep it (default: a temp dir)")
    ap.add_argument("--reuse", metavar="DIR", help="skip the build; use the existing full index at DIR")
    ap.add_argument("--quick", action="store_true", help="smoke run on a small subset")
    ap.add_argument("--duration", type=float, default=None,
                    help="seconds of HTTP load (default 30; quick 10)")
    ap.add_argument("--no-baseline", action="store_true", help="skip the naive-baseline comparison")
    ap.add_argument("--repeats", type=int, default=None,
                    help="alternating runs of each side of the baseline comparison; the fastest counts "
                         "(default 1; quick 2)")
    ap.add_argument("--naive-index", metavar="NDIR",
                    help="keep the naive baseline's query index (the same corpus) in NDIR; reuse it if there")
    ap.add_argument("--no-naive", action="store_true",
                    help="skip the naive baseline's query comparison (the build comparison still runs)")
    ap.add_argument("--workers", type=int, default=None,
                    help="`unsearch serve --workers N` for the HTTP part, if serve has that option")
    args = ap.parse_args(argv)
    require_corpus()
    started = time.perf_counter()
    m = machine()
    mode = "quick" if args.quick else ("reuse" if args.reuse else "full")
    print_machine(m)
    results: dict[str, Any] = {"machine": m, "mode": mode}
    failures: list[str] = []
    duration = args.duration or (10.0 if args.quick else 30.0)
    targets: list[Target] = []

    with temp_dir("run") as tmp:
        # The same folder (and the same text: make_extra is seeded) on every run, so that a naive
        # baseline index kept with --naive-index is of the same sources next time.
        extra = update_mod.make_extra(OUT / "update-extra")
        # -- build -------------------------------------------------------------
        build = None
        if args.reuse:
            index = Path(args.reuse)
            heading(f"Build: reusing {index}")
            build = _section("build", lambda: reused_build(index), results, failures)
            if build:
                print(f"{build['documents']:,} documents, {build['paragraphs']:,} paragraphs, "
                      f"index {build['index_mb']} MB ({build['index_to_source']}x the source text); "
                      f"built in {build['build_seconds_from_meta']} s (from its meta, not measured here)")
        else:
            index = Path(args.index) if args.index else tmp / "index"
            sources = build_mod.quick_sources(tmp) if args.quick else corpus_paths(FULL_SOURCES)
            heading("Build: " + ("quick subset" if args.quick else "the full corpus")
                    + " + the update test's folder")
            print(f"building into {index} …", flush=True)
            build = _section("build", lambda: build_mod.build_ours([*sources, str(extra)], index), results,
                             failures)
            if build:
                build_mod.print_corpus(build)
        results["build"] = build
        comparison = None
        if not args.no_baseline:
            heading("Build: unsearch vs the naive baseline, same subset")
            if args.quick:
                subset, label = build_mod.quick_sources(tmp / "q"), "quick subset"
            else:
                subset = subset_sources(BASELINE_SESSIONS)
                label = (f"ungdc {', '.join(s.split(' - ')[1] for s in BASELINE_SESSIONS)}"
                         " + unpc-dev + un-charter + statements")
            repeats = args.repeats or (2 if args.quick else 1)
            comparison = _section("baseline", lambda: build_mod.compare(subset, label, repeats=repeats),
                                  results, failures)
            if comparison:
                build_mod.print_compare(comparison)
        results["baseline"] = comparison
        if comparison:
            targets.append(Target("build throughput vs naive baseline", comparison["throughput_ratio"], 3,
                                  ">=", "x", f"same {comparison['paragraphs']:,} paragraphs, same run"))
        if build and not args.reuse:
            note = ("quick subset, not the full corpus" if args.quick
                    else f"{build['paragraphs']:,} paragraphs")
            targets.append(Target("full corpus build time", build["wall_s"], 300, "<=", "s", note))
            targets.append(Target("index size / raw text", build["index_to_source"], 3, "<=", "x", note))
        elif build:
            targets.append(Target("full corpus build time", build["build_seconds_from_meta"], 300, "<=", "s",
                                  "from the reused index's meta, not measured here"))
            targets.append(Target("index size / raw text", build["index_to_source"], 3, "<=", "x",
                                  "reused index"))

        if not (index / "current").exists():
            print(f"\nno index at {index}: skipping the query, HTTP and update parts")
        else:
            # -- queries -------------------------------------------------------
            heading("Queries through the library API, warm")
            warm = _section("query", lambda: query_mod.warm_queries(str(index)), results, failures)
            if warm:
                query_mod.print_warm(warm)
            heading("Cold start: a new process to its first answer")
            cold = _section("cold start", lambda: query_mod.cold_start(str(index)), results, failures)
            if cold:
                query_mod.print_cold(cold)
            results["query"], results["cold_start"] = warm, cold
            targets += query_mod.targets(warm, cold)
            # -- the same mix on the naive baseline ------------------------------
            if not args.no_naive:
                heading("Queries: the naive baseline (stock Whoosh) on the same paragraphs and mix")
                naive = _section("naive queries",
                                 lambda: query_mod.naive_queries(str(index), args.naive_index), results,
                                 failures)
                if warm and naive:
                    query_mod.print_compare(warm, naive)
                    results["query_vs_naive"] = query_mod.compare(warm, naive)
                    targets += query_mod.naive_targets(warm, naive)
                results["query_naive"] = naive
            # -- HTTP ----------------------------------------------------------
            heading(f"HTTP: unsearch serve under load, concurrency 8, {duration:.0f} s")
            h = _section("http", lambda: http_mod.run(str(index), duration, workers=args.workers), results,
                         failures)
            if h:
                http_mod.print_http(h)
                note = f"index of {warm['index_paragraphs']:,} paragraphs" if warm else ""
                targets += http_mod.targets(h, note)
            results["http"] = h
            heading(f"A burst: 8 heavy clients and a symbol client, {duration:.0f} s")
            burst = _section("burst", lambda: burst_mod.run(str(index), duration), results, failures)
            if burst:
                burst_mod.print_burst(burst)
                targets += burst_mod.targets(burst)
            results["burst"] = burst
            # -- update (last: it changes the index) ---------------------------
            heading("Update: one changed document")
            if args.reuse:
                u = _section("update", lambda: update_mod.run(index), results, failures)
            else:
                u = _section("update", lambda: update_mod.measure(index, extra), results, failures)
            if u:
                update_mod.print_update(u)
                targets += update_mod.targets(u)
            results["update"] = u

    heading("Targets" + (" (QUICK SMOKE RUN: small subset, not the full corpus)" if args.quick else ""))
    print_targets(targets, "")
    results["targets"] = [t.to_dict() for t in targets]
    results["failures"] = failures
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    from bench.common import available_cores

    results["available_cores_end"] = available_cores()
    path = save_results(results, replace=True)
    passed = sum(1 for t in targets if t.passed)
    print(f"\n{passed}/{len(targets)} targets met; {len(failures)} part(s) failed; "
          f"load average at the end {results['load_avg_end']}, cores free "
          f"{results['available_cores_end']} of {m['cores']}; {results['total_s']:.0f} s in all")
    print(f"all figures: {path}")
    for f in failures:
        print("FAILED", f)
    return 1 if failures else 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
