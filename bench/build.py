"""Build benchmark: our build of a corpus, and our build against the naive baseline.

    .venv/bin/python -m bench.build [--quick] [--index DIR] [--no-corpus] [--no-baseline]

* **Corpus build**: ``unsearch index build`` of the full benchmark corpus (ungdc, unpc-dev,
  un-charter, statements; ``--quick``: a small subset) in a subprocess: wall seconds,
  paragraphs/s, MB/s of source text, peak memory of the whole process tree (the build and its
  writer processes, sampled with psutil every 0.5 s) and the index size on disk.
* **Baseline comparison**: the same subset (``BASELINE_SESSIONS`` plus unpc-dev, un-charter
  and statements: about 56k paragraphs) built by our ``unsearch index build`` and by the naive
  design (:mod:`bench.naive`): jieba's stock ``ChineseAnalyzer`` on a plain Whoosh schema
  (``id`` ID stored, ``content`` TEXT stored), one default writer, one Whoosh document per
  paragraph, run by *stock* Whoosh in a virtual environment of its own (bench/out/naive-venv,
  created on first use; see :mod:`bench.baseline`). Our readers (``index.sources.iter_sources``)
  dump the paragraphs once to a JSON Lines file, which the naive build reads, so the paragraphs
  are identical. Both timings are the wall time of a fresh process: interpreter start-up,
  reading, analysis, writing and commit are included on both sides (reading is our readers'
  parsing on our side, the dump's JSON on the naive side: slightly in the naive design's favour).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import baseline
from bench.common import (
    BASELINE_SESSIONS,
    CORPUS,
    FULL_SOURCES,
    QUICK_SESSIONS,
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
    run_sampled,
    save_results,
    subset_sources,
    table,
    temp_dir,
    unsearch_cmd,
)

QUICK_UNPC_LINES = 600


def quick_sources(tmp: Path) -> list[str]:
    """The --quick subset: two General Debate sessions, the first lines of unpc-dev (copied
    into ``tmp``, still line-aligned), un-charter and statements."""
    src = CORPUS / "unpc-dev"
    dst = tmp / "unpc-quick"
    dst.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.iterdir()):
        if f.name.startswith("UNv1.0.devset."):
            with open(f, encoding="utf-8") as fin, open(dst / f.name, "w", encoding="utf-8") as fout:
                for n, line in enumerate(fin):
                    if n >= QUICK_UNPC_LINES:
                        break
                    fout.write(line)
    return ([str(CORPUS / "ungdc" / s) for s in QUICK_SESSIONS] + [str(dst)]
            + corpus_paths(["un-charter", "statements"]))


def source_bytes(sources: Sequence[str]) -> int:
    from index.build import source_size

    return int(source_size(sources))


# ---------------------------------------------------------------------------
# Our build


def build_ours(sources: Sequence[str], index_dir: Path, procs: int | None = None) -> dict[str, Any]:
    """``unsearch index build SOURCES --index DIR --json`` in a subprocess, measured."""
    cmd = [*unsearch_cmd(), "index", "build", *sources, "--index", str(index_dir), "--json"]
    if procs:
        cmd += ["--procs", str(procs)]
    res, wall, mem = run_sampled(cmd)
    if res.returncode not in (0, 3):
        raise RuntimeError(f"build failed ({res.returncode}): {res.stderr.strip()[-2000:]}")
    report = json.loads(res.stdout)
    nbytes = source_bytes(sources)
    from index.layout import resolve_generation

    gen = resolve_generation(index_dir)
    size = dir_size(gen)
    sqlite = sum(p.stat().st_size for p in gen.iterdir() if p.name.startswith("docs.sqlite"))
    out = {
        "sources": [os.path.relpath(s, CORPUS) if s.startswith(str(CORPUS)) else s for s in sources],
        "documents": report["documents"],
        "paragraphs": report["paragraphs"],
        "skipped": len(report.get("skipped", [])),
        "languages": report.get("languages"),
        "wall_s": round(wall, 2),
        "in_process_s": report["seconds"],
        "paragraphs_per_s": round(report["paragraphs"] / wall, 1),
        "source_mb": mb(nbytes),
        "mb_per_s": round(nbytes / 1e6 / wall, 2),
        "procs": procs or min(os.cpu_count() or 1, 4),
        **mem,
        "index_mb": mb(size),
        "index_whoosh_mb": mb(size - sqlite),
        "index_sqlite_mb": mb(sqlite),
        "index_to_source": round(size / nbytes, 2) if nbytes else None,
        "index_dir": str(index_dir),
    }
    return out


# ---------------------------------------------------------------------------
# The naive baseline


def build_baseline(paragraphs: Path, index_dir: Path, source_mb: float) -> dict[str, Any]:
    """The naive design (:mod:`bench.naive`, stock Whoosh in its own environment) over the
    paragraphs our readers dumped to ``paragraphs``."""
    out = baseline.build(paragraphs, index_dir)
    out["source_mb"] = source_mb
    out["mb_per_s"] = round(source_mb / out["wall_s"], 2)
    return out


def compare(sources: Sequence[str], label: str, procs: int | None = None, repeats: int = 1) -> dict[str, Any]:
    """Our build and the baseline on the same sources, alternately ``repeats`` times each;
    the fastest run of each counts (the least disturbed by other work on the machine)."""
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "naive": []}
    baseline.python()  # created before any timing
    with temp_dir("paragraphs") as dd:
        # The naive side reads the paragraphs our readers produced (once, not timed), so both
        # index the same text; its wall time includes reading this file, not our readers' work.
        dump = baseline.dump_paragraphs(sources, dd / "paragraphs.jsonl")
        nbytes = source_bytes(sources)
        for n in range(1, repeats + 1):
            tag = f" (run {n} of {repeats})" if repeats > 1 else ""
            with temp_dir("ours") as d1, temp_dir("naive") as d2:
                print(f"building {label} with unsearch{tag} …", flush=True)
                o = build_ours(sources, d1 / "index", procs)
                print(f"  {o['paragraphs']:,} paragraphs in {o['wall_s']:.1f} s", flush=True)
                print(f"building {label} with the naive baseline (stock Whoosh, jieba ChineseAnalyzer, "
                      f"one writer){tag} …", flush=True)
                b = build_baseline(dd / "paragraphs.jsonl", d2 / "index", mb(nbytes))
                print(f"  {b['paragraphs']:,} paragraphs in {b['wall_s']:.1f} s", flush=True)
            runs["ours"].append(o)
            runs["naive"].append(b)
    ours = min(runs["ours"], key=lambda r: r["wall_s"])
    naive = min(runs["naive"], key=lambda r: r["wall_s"])
    ratio = ours["paragraphs_per_s"] / naive["paragraphs_per_s"] if naive["paragraphs_per_s"] else None
    cpu_ratio = naive["cpu_s"] / ours["cpu_s"] if ours.get("cpu_s") else None
    return {"subset": label, "paragraphs": ours["paragraphs"], "ours": ours, "baseline": naive,
            "repeats": repeats,
            "all_wall_s": {k: [r["wall_s"] for r in v] for k, v in runs.items()},
            "same_paragraphs": ours["paragraphs"] == naive["paragraphs"],
            "throughput_ratio": round(ratio, 2) if ratio else None,
            "cpu_efficiency_ratio": round(cpu_ratio, 2) if cpu_ratio else None,
            "paragraph_dump": dump,
            "timing": "wall time of a fresh process each; start-up, reading, analysis, writing and "
                      "commit included on both sides (the naive side reads the paragraphs our readers "
                      "dumped to JSON Lines, untimed)"
                      + (f"; fastest of {repeats} alternating runs each" if repeats > 1 else "")}


# ---------------------------------------------------------------------------
# Printing


def print_corpus(b: dict[str, Any]) -> None:
    rows = [
        ("documents", b["documents"]), ("paragraphs", b["paragraphs"]),
        ("source text (MB)", b["source_mb"]),
        ("wall time (s)", b["wall_s"]), ("  of which in build_index (s)", b["in_process_s"]),
        ("CPU time, all processes (s)", b.get("cpu_s")),
        ("paragraphs/s", b["paragraphs_per_s"]), ("MB/s", b["mb_per_s"]),
        ("writer processes", b["procs"]),
        ("peak RSS, process tree (MB)", b["peak_rss_mb"]), ("peak PSS, process tree (MB)", b["peak_pss_mb"]),
        ("index on disk (MB)", b["index_mb"]), ("  Whoosh segments (MB)", b["index_whoosh_mb"]),
        ("  docs.sqlite (MB)", b["index_sqlite_mb"]),
        ("index / source text", b["index_to_source"]),
    ]
    print(table(rows, ["build", "value"]))


def print_compare(c: dict[str, Any]) -> None:
    o, n = c["ours"], c["baseline"]
    rows = [
        ("paragraphs", o["paragraphs"], n["paragraphs"]),
        ("wall time (s)", o["wall_s"], n["wall_s"]),
        ("CPU time, all processes (s)", o.get("cpu_s"), n.get("cpu_s")),
        ("paragraphs/s", o["paragraphs_per_s"], n["paragraphs_per_s"]),
        ("MB/s (source)", o["mb_per_s"], n["mb_per_s"]),
        ("writer processes", o["procs"], n["procs"]),
        ("peak RSS, process tree (MB)", o["peak_rss_mb"], n["peak_rss_mb"]),
        ("index on disk (MB)", o["index_mb"], n["index_mb"]),
    ]
    print(table(rows, ["same subset", "unsearch", "naive"],
                f"subset: {c['subset']} ({c['paragraphs']:,} paragraphs, {o['source_mb']} MB)"))
    print(f"throughput ratio unsearch/naive: {c['throughput_ratio']}x  ({c['timing']}); "
          f"CPU seconds naive/unsearch: {c['cpu_efficiency_ratio']}x")
    if c.get("repeats", 1) > 1:
        print(f"all runs (wall s): unsearch {c['all_wall_s']['ours']}, naive {c['all_wall_s']['naive']}")
    if not c["same_paragraphs"]:
        print("WARNING: the two builds indexed different numbers of paragraphs")


def targets(build: dict[str, Any] | None, comparison: dict[str, Any] | None, *, quick: bool) -> list[Target]:
    out = []
    if comparison:
        out.append(Target("build throughput vs naive baseline", comparison["throughput_ratio"], 3, ">=", "x",
                          f"same {comparison['paragraphs']:,} paragraphs"))
    if build:
        note = "quick subset, not the full corpus" if quick else ""
        out.append(Target("full corpus build time", build["wall_s"], 300, "<=", "s", note))
        out.append(Target("index size / raw text", build["index_to_source"], 3, "<=", "x", note))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a small subset, for a smoke run")
    ap.add_argument("--index", help="build the corpus index here (kept); default: a temp dir, removed")
    ap.add_argument("--procs", type=int, default=None, help="writer processes (default: unsearch's)")
    ap.add_argument("--no-corpus", action="store_true", help="skip the corpus build")
    ap.add_argument("--no-baseline", action="store_true", help="skip the baseline comparison")
    ap.add_argument("--repeats", type=int, default=None,
                    help="alternating runs of each side of the comparison (default 1; quick 2)")
    ap.add_argument("--sources", nargs="+", metavar="SOURCE",
                    help="only compare unsearch and the naive baseline on these sources")
    args = ap.parse_args(argv)
    require_corpus()
    m = machine()
    print_machine(m)
    results: dict[str, Any] = {"machine": m}
    build: dict[str, Any] | None = None
    comparison: dict[str, Any] | None = None
    if args.sources:
        heading("Build: unsearch vs the naive baseline on the given sources")
        comparison = compare(args.sources, " ".join(args.sources), args.procs, args.repeats or 1)
        print_compare(comparison)
        results["baseline_sources"] = comparison
        print(f"\nwritten to {save_results(results)}")
        return
    with temp_dir("build") as tmp:
        sources = quick_sources(tmp) if args.quick else corpus_paths(FULL_SOURCES)
        if not args.no_corpus:
            heading("Build: " + ("quick subset" if args.quick else "the full corpus"))
            index_dir = Path(args.index) if args.index else tmp / "index"
            if args.index and index_dir.exists() and any(index_dir.iterdir()):
                shutil.rmtree(index_dir)
            build = build_ours(sources, index_dir, args.procs)
            print_corpus(build)
            results["build"] = build
        if not args.no_baseline:
            heading("Build: unsearch vs the naive baseline")
            repeats = args.repeats or (2 if args.quick else 1)
            if args.quick:
                comparison = compare(sources, "quick subset", args.procs, repeats)
            else:
                comparison = compare(subset_sources(BASELINE_SESSIONS),
                                     f"ungdc {', '.join(s.split(' - ')[1] for s in BASELINE_SESSIONS)}"
                                     " + unpc-dev + un-charter + statements", args.procs, repeats)
            print_compare(comparison)
            results["baseline"] = comparison
    heading("Build targets")
    t = targets(build, comparison, quick=args.quick)
    print_targets(t)
    results["build_targets"] = [x.to_dict() for x in t]
    print(f"\nwritten to {save_results(results)}")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
