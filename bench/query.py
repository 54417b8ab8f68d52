"""Query benchmark: a fixed mix of queries through the library API, warm; and cold start.

    .venv/bin/python -m bench.query --index DIR [--passes N] [--no-cold]

Every query runs as the web page runs it: grouped by document (``group="doc"``), first page
of 10, with highlighted snippets and the lang/organ/year facets, and the result is turned
into its JSON shape (``to_dict()``). The mix is fixed (the same queries in the same order on
every run; the symbol lookups are the first symbols of the index in sorted order):

* ``zh_word``   Chinese words and terms (安全理事会, 可持续发展 …)
* ``zh_phrase`` Chinese phrases: quoted, several words, substrings of longer words
* ``en_word``   English words, single and pairs
* ``en_phrase`` quoted English phrases
* ``filter``    words with language, organ, year-range and country filters (arguments and syntax)
* ``symbol``    document symbol lookups (``S/2015/77``) and symbol prefixes (``symbol:A/69/*``)
* ``common``    very common words (on the full corpus each matches over 100k paragraphs),
                also sorted by date and on page 5

Warm: one untimed pass of the whole mix with ``per_page=11`` (the same postings, pages and
columns are read, but the exact requests are not seen yet, so the engine's result cache cannot
answer the timed pass), then the timed pass(es) with the real parameters: ``uncached`` is the
first time each request is seen, the figure the targets use; ``repeat`` runs the same mix again
and shows what the result cache (if any) gives a repeated request. Cold start: a new
process from start to its first answer, the median of 5 runs, two ways: the ``unsearch
search`` command, and ``python -c "from search import SearchEngine; ..."``. The files of the
index are in the page cache (the warm pass read them): cold means a new process, not a cold
disk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Target,
    child_env,
    heading,
    machine,
    median,
    percentiles,
    print_machine,
    print_targets,
    save_results,
    table,
    unsearch_cmd,
)

CLASSES = ("zh_word", "zh_phrase", "en_word", "en_phrase", "filter", "symbol", "common")

ZH_WORDS = [
    "安全理事会", "大会", "秘书长", "联合国", "会员国", "决议", "发展", "可持续发展", "人权", "和平",
    "安全", "裁军", "核武器", "大规模毁灭性武器", "恐怖主义", "难民", "妇女", "儿童", "教育", "卫生",
    "气候变化", "贫穷", "经济", "预算", "维持和平", "国际法", "主权", "合作", "援助", "选举",
    "冲突", "制裁", "报告", "委员会", "会议", "宪章", "国际法院", "经济及社会理事会", "托管理事会", "秘书处",
    "不扩散", "出口管制", "生物武器", "化学武器", "海洋法", "移民", "粮食", "水资源", "能源", "技术",
    "古特雷斯", "非洲", "亚洲", "欧洲", "拉丁美洲", "中东", "巴勒斯坦", "阿富汗", "叙利亚", "伊拉克",
]
ZH_PHRASES = [
    '"大规模毁灭性武器"', '"联合国宪章"', '"可持续发展目标"', '"安全理事会决议"', '"国际和平与安全"',
    '"人民共和国"', '"毁灭性武器"', '"维持和平行动"', '"发展中国家"', '"基本自由"',
    "安全理事会 决议", "核武器 不扩散", "妇女 儿童", "气候变化 发展", "人权 理事会",
    "和平 安全 发展", "难民 移民", "联合国 改革", "会员国 预算", "秘书长 报告",
    "国际合作", "经济发展", "人道主义援助", "国际社会", "法治",
    '"第1540(2004)号决议"', "第１５４０（２００４）号决议", '"安全理事會"', "联合国大会", "和平解决争端",
    '"国际法院"', '"会员国主权平等"', "不使用武力", "区域组织", "行政和预算问题",
]
EN_WORDS = [
    "peace", "security", "development", "nuclear", "terrorism", "refugees", "climate", "poverty",
    "disarmament", "sovereignty", "democracy", "independence", "colonialism", "apartheid",
    "globalization", "pandemic", "vaccine", "migration", "famine", "drought", "oceans", "women",
    "children", "education", "health", "trade", "debt", "sanctions", "veto", "reform",
    "Palestine", "Israel", "Afghanistan", "Iraq", "Syria", "Korea", "Cuba", "Namibia", "Cyprus",
    "Kashmir", "Charter", "Secretary-General", "multilateralism", "decolonization", "genocide",
    "COVID-19", "Ebola", "HIV/AIDS", "biodiversity", "desertification",
]
EN_PAIRS = [
    "nuclear disarmament", "climate change", "human rights", "economic development", "arms race",
    "developing countries", "peace process", "cold war", "middle east", "international law",
    "sustainable development", "weapons of mass destruction", "security council reform",
    "rule of law", "small island states", "least developed countries", "food security",
    "gender equality", "self-determination", "peaceful settlement of disputes",
]
EN_PHRASES = [
    '"Security Council"', '"human rights"', '"climate change"', '"sustainable development"',
    '"nuclear weapons"', '"weapons of mass destruction"', '"Charter of the United Nations"',
    '"international peace and security"', '"General Assembly"', '"developing countries"',
    '"rule of law"', '"Millennium Development Goals"', '"arms race"', '"cold war"',
    '"self-determination"', '"New International Economic Order"', '"peaceful coexistence"',
    '"Non-Aligned Movement"', '"United Nations Charter"', '"international community"',
    '"Secretary-General"', '"Member States"', '"least developed countries"',
    '"small island developing States"',
    '"resolution 1540 (2004)"', '"Paris Agreement"', '"2030 Agenda"', '"Sustainable Development Goals"',
    '"peacekeeping operations"', '"Treaty on the Non-Proliferation of Nuclear Weapons"',
    '"South Africa"', '"Middle East"', '"Latin America"', '"Soviet Union"', '"United States"',
    '"economic and social development"', '"the right to development"', '"terrorist attacks"',
    '"climate change" adaptation', '"nuclear weapons" -treaty',
]
COMMON = ["the", "united nations", "nations", "international", "world", "countries", "people",
          "peace", "development", "states", "united", "government"]
FILTER_WORDS = ["peace", "development", "security", "nuclear", "human rights", "refugees",
                "economic", "independence", "terrorism", "climate"]
FILTER_ZH = ["发展", "和平", "安全", "人权", "会员国"]
YEAR_RANGES = [(1946, 1960), (1961, 1975), (1976, 1990), (1991, 2005), (2006, 2021), (1980, 1989),
               (2000, 2000), (2015, 2021)]
COUNTRIES = ["FRA", "CHN", "USA", "IND", "BRA", "NGA", "EGY", "JPN", "RUS", "GBR"]


@dataclass
class Q:
    cls: str
    q: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.q} {extra}".strip()


def _symbols(index_path: str, n: int = 60) -> list[str]:
    """The first ``n`` document symbols of the index in sorted order, spread over all of them."""
    from index import open_index

    _gen, _meta, _ix, store = open_index(index_path)
    try:
        rows = [r[0] for r in store.db.execute(
            "SELECT DISTINCT symbol FROM current WHERE symbol IS NOT NULL ORDER BY symbol")]
    finally:
        store.close()
    if len(rows) <= n:
        return rows
    step = len(rows) / n
    return [rows[int(i * step)] for i in range(n)]


def query_mix(index_path: str) -> list[Q]:
    """The fixed mix (at least 500 queries)."""
    mix: list[Q] = []
    mix += [Q("zh_word", w) for w in ZH_WORDS]
    mix += [Q("zh_word", f"{a} {b}") for a, b in zip(ZH_WORDS[::3], ZH_WORDS[1::3], strict=False)][:20]
    mix += [Q("zh_phrase", p) for p in ZH_PHRASES]
    mix += [Q("zh_phrase", f"{a}{b}") for a, b in zip(ZH_WORDS[:25:2], ZH_WORDS[1:26:2], strict=False)]
    mix += [Q("en_word", w) for w in EN_WORDS]
    mix += [Q("en_word", w.lower()) for w in EN_WORDS[:30]]
    mix += [Q("en_word", p) for p in EN_PAIRS]
    mix += [Q("en_phrase", p) for p in EN_PHRASES]
    mix += [Q("en_phrase", f'"{p}"') for p in EN_PAIRS]
    # Filters: as arguments (the web form) and as query syntax.
    for i, w in enumerate(FILTER_WORDS):
        y0, y1 = YEAR_RANGES[i % len(YEAR_RANGES)]
        mix.append(Q("filter", w, {"lang": "en"}))
        mix.append(Q("filter", w, {"organ": "General Assembly"}))
        mix.append(Q("filter", w, {"year_from": y0, "year_to": y1}))
        mix.append(Q("filter", w, {"lang": "en", "year_from": y0}))
        mix.append(Q("filter", f"{w} year:[{y0} TO {y1}]"))
        mix.append(Q("filter", f"{w} country:{COUNTRIES[i]}"))
        mix.append(Q("filter", f'{w} organ:"General Assembly" lang:en'))
        mix.append(Q("filter", w, {"lang": "fr"}))
    for i, w in enumerate(FILTER_ZH):
        mix.append(Q("filter", w, {"lang": "zh"}))
        mix.append(Q("filter", f"{w} lang:zh"))
        mix.append(Q("filter", w, {"lang": "zh", "year_from": 2015}))
        mix.append(Q("filter", f"{w} -lang:en"))
        mix.append(Q("filter", w, {"organ": "Security Council", "lang": "zh"}))
        mix.append(Q("filter", f"{w} year:{2015 if i % 2 else 2020}"))
    mix.append(Q("filter", "peace", {"sort": "-date"}))
    mix.append(Q("filter", "development", {"sort": "date"}))
    # Symbols: exact lookups, with the symbol: field, and prefixes.
    syms = _symbols(index_path)
    mix += [Q("symbol", s) for s in syms]
    mix += [Q("symbol", f"symbol:{s}") for s in syms[:20]]
    prefixes = sorted({s.rsplit("/", 1)[0] + "/*" for s in syms if "/" in s})
    mix += [Q("symbol", f"symbol:{p}") for p in prefixes[:20]]
    mix += [Q("symbol", q) for q in ("1540(2004)", '"1540 (2004)"', "resolution 1540", "A/RES/70/1",
                                     "S/2020/405", "第1540(2004)号决议")]
    # Very common words: page 1, sorted by date, and a deep page.
    for w in COMMON:
        mix.append(Q("common", w))
        mix.append(Q("common", w, {"sort": "-date"}))
        mix.append(Q("common", w, {"page": 5}))
        mix.append(Q("common", w, {"lang": "en"}))
    return mix


def run_one(engine: Any, q: Q) -> tuple[float, int, str | None]:
    t0 = time.perf_counter()
    try:
        r = engine.search(q.q, **q.kwargs)
        r.to_dict()
    except Exception as e:  # a query of the mix that fails is a bug: count it, keep going
        return (time.perf_counter() - t0) * 1000, 0, f"{type(e).__name__}: {e}"
    return (time.perf_counter() - t0) * 1000, r.total, None


def warm_queries(index_path: str, passes: int = 1) -> dict[str, Any]:
    from index import index_info
    from search import SearchEngine

    info = index_info(index_path)
    mix = query_mix(index_path)
    t0 = time.perf_counter()
    engine = SearchEngine.open(index_path)
    open_ms = (time.perf_counter() - t0) * 1000
    print(f"{len(mix)} queries; warm-up pass …", flush=True)
    t0 = time.perf_counter()
    for q in mix:
        run_one(engine, Q(q.cls, q.q, {**q.kwargs, "per_page": 11}))
    warm_s = time.perf_counter() - t0
    # Paragraph counts of the "common" class (the issue asks for words matching >100k paragraphs).
    common_paras = {q.q: engine.search(q.q, group="para", per_page=1).total
                    for q in mix if q.cls == "common" and not q.kwargs}
    times: dict[str, list[float]] = defaultdict(list)
    repeat: list[float] = []
    slow: list[tuple[float, str, str]] = []
    errors: list[str] = []
    totals: dict[int, int] = {}
    print("timed pass (uncached) …", flush=True)
    for i, q in enumerate(mix):
        ms, total, err = run_one(engine, q)
        totals[i] = total
        if err:
            errors.append(f"{q.label()}: {err}")
            continue
        times[q.cls].append(ms)
        times["all"].append(ms)
        slow.append((ms, q.cls, q.label()))
    print(f"repeat pass(es): {passes} …", flush=True)
    for _ in range(passes):
        for q in mix:
            ms, _total, err = run_one(engine, q)
            if not err:
                repeat.append(ms)
    engine.close()
    slow.sort(reverse=True)
    per_class = {c: percentiles(times[c]) for c in (*CLASSES, "all") if times[c]}
    counts: dict[str, int] = defaultdict(int)
    for q in mix:
        counts[q.cls] += 1
    zero = sum(1 for i in totals if totals[i] == 0)
    return {
        "index_paragraphs": info.get("indexed_paragraphs") or info.get("paragraphs"),
        "index_documents": info.get("documents"),
        "queries": len(mix), "per_class_queries": dict(counts), "repeat_passes": passes,
        "options": "group=doc, per_page=10, highlighted snippets, lang/organ/year facets, to_dict()",
        "open_ms": round(open_ms, 1), "warmup_pass_s": round(warm_s, 2),
        "latency_ms": per_class, "repeat_latency_ms": percentiles(repeat),
        "errors": errors[:20], "error_count": len(errors),
        "zero_result_queries": zero,
        "common_word_paragraphs": common_paras,
        "slowest": [{"ms": round(ms, 1), "class": c, "query": label} for ms, c, label in slow[:15]],
    }


def cold_start(index_path: str, runs: int = 5, query: str = "安全理事会") -> dict[str, Any]:
    """Wall time of a new process from start to its first answer (median of ``runs``)."""
    env = child_env()
    cli = [*unsearch_cmd(), "search", query, "--index", index_path]
    code = ("from search import SearchEngine; "
            f"SearchEngine.open({index_path!r}).search({query!r})")
    lib = [sys.executable, "-c", code]
    cli_en = [*unsearch_cmd(), "search", "security council", "--index", index_path]
    bare = [sys.executable, "-c", "pass"]
    out: dict[str, Any] = {"query": query, "runs": runs}
    for name, cmd in (("cli", cli), ("library", lib), ("cli_english", cli_en), ("python_startup", bare)):
        walls = []
        for _ in range(runs):
            t0 = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT))
            walls.append(time.perf_counter() - t0)
            if res.returncode != 0:
                raise RuntimeError(f"{name} cold start failed: {res.stderr.strip()[-1000:]}")
        out[name] = {"median_s": round(median(walls), 3), "min_s": round(min(walls), 3),
                     "max_s": round(max(walls), 3)}
    return out


def print_warm(w: dict[str, Any]) -> None:
    rows = []
    for c, p in w["latency_ms"].items():
        rows.append((c, w["per_class_queries"].get(c, w["queries"]), p["n"], p["p50"], p["p95"], p["p99"],
                     p["max"]))
    print(table(rows, ["class", "queries", "timed", "p50 ms", "p95 ms", "p99 ms", "max ms"],
                f"warm queries, uncached ({w['options']})"))
    r = w["repeat_latency_ms"]
    if r.get("n"):
        print(f"repeat of the same requests ({w['repeat_passes']} pass(es), result cache): "
              f"p50 {r['p50']} ms, p95 {r['p95']} ms, p99 {r['p99']} ms")
    print(f"errors: {w['error_count']}; queries with no result: {w['zero_result_queries']}; "
          f"engine open: {w['open_ms']} ms")
    cp = w["common_word_paragraphs"]
    if cp:
        print("paragraphs matched by the common words: "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(cp.items(), key=lambda kv: -kv[1])))
    print(table([(s["query"], s["class"], s["ms"]) for s in w["slowest"][:10]],
                ["slowest queries", "class", "ms"]))
    for e in w["errors"][:5]:
        print("ERROR", e)


def print_cold(c: dict[str, Any]) -> None:
    rows = [(f"unsearch search {c['query']} --index DIR", c["cli"]["median_s"], c["cli"]["min_s"],
             c["cli"]["max_s"]),
            ("python -c 'SearchEngine.open(p).search(q)'", c["library"]["median_s"], c["library"]["min_s"],
             c["library"]["max_s"]),
            ("the same, English query 'security council'", c["cli_english"]["median_s"],
             c["cli_english"]["min_s"], c["cli_english"]["max_s"]),
            ("python -c pass (interpreter alone)", c["python_startup"]["median_s"],
             c["python_startup"]["min_s"], c["python_startup"]["max_s"])]
    print(table(rows, ["cold start to first answer", "median s", "min s", "max s"],
                f"cold start, {c['runs']} runs each, query {c['query']!r}"))


def targets(w: dict[str, Any] | None, c: dict[str, Any] | None, note: str = "") -> list[Target]:
    if w and not note:
        note = f"index of {w['index_paragraphs']:,} paragraphs"
    out = []
    if w:
        a = w["latency_ms"]["all"]
        out.append(Target("query p50 (grouped, highlighted, facets)", a["p50"], 10, "<=", "ms", note))
        out.append(Target("query p95 (grouped, highlighted, facets)", a["p95"], 50, "<=", "ms", note))
    if c:
        out.append(Target("cold start to first answer (CLI)", c["cli"]["median_s"], 1, "<=", "s", note))
        out.append(Target("cold start to first answer (library)", c["library"]["median_s"], 1, "<=", "s",
                          note))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", required=True, help="the index to query")
    ap.add_argument("--passes", type=int, default=1, help="repeat passes over the mix (default 1)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold-start measurement")
    ap.add_argument("--list", action="store_true", help="print the query mix and exit")
    args = ap.parse_args(argv)
    if args.list:
        for q in query_mix(args.index):
            print(f"{q.cls}\t{q.label()}")
        return
    m = machine()
    print_machine(m)
    heading("Queries, warm")
    w = warm_queries(args.index, args.passes)
    print_warm(w)
    c = None
    if not args.no_cold:
        heading("Cold start")
        c = cold_start(args.index)
        print_cold(c)
    heading("Query targets")
    t = targets(w, c)
    print_targets(t)
    path = save_results({"machine": m, "query": w, "cold_start": c,
                         "query_targets": [x.to_dict() for x in t]})
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.path.insert(0, str(Path(ROOT)))
    main()
