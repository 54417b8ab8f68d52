"""The naive baseline: stock Whoosh with jieba's ``ChineseAnalyzer``, nothing of unsearch.

    naive-venv/bin/python -I bench/naive.py build PARAGRAPHS.jsonl INDEX_DIR
    naive-venv/bin/python -I bench/naive.py query INDEX_DIR MIX.json

This script is the design a user could pick instead of unsearch, and it must run *stock*
Whoosh: our ``index`` package patches Whoosh when it opens or builds an index, so this file
imports only the standard library, ``whoosh`` and ``jieba``, and is run (by
:mod:`bench.baseline`) with the interpreter of a virtual environment of its own
(``bench/out/naive-venv``: only ``Whoosh-Reloaded==2.7.5`` and ``jieba==0.42.1``) in isolated
mode (``-I``: no PYTHONPATH, no script folder on ``sys.path``). Its JSON report names the
``whoosh`` it ran and any module of ours that got imported anyway (there must be none; the
caller checks).

* ``build``: reads the paragraphs our readers dumped (one JSON object a line, ``{"id", "text"}``)
  and indexes them as Whoosh documents of a stock schema: ``id`` (ID, stored) and ``content``
  (TEXT with ``jieba.analyse.ChineseAnalyzer()``, stored, so that hits can be highlighted),
  one default ``ix.writer()``, one ``commit()``.
* ``query``: the mix (a JSON list of ``{"q", "page", "per_page"}``) through Whoosh's default
  ``QueryParser("content", schema)``. An untimed warm-up pass asks every query with another
  page size; then each query is timed once: parse, ``searcher.search_page`` (exact total, as
  ``len()`` of the page is), the stored ids of the page's hits (``search_ms``), then their
  highlighted snippets (``page_ms``: the same plus ``hit.highlights("content")``). Whoosh keeps
  no result cache, so every timed query is computed.

The figures are printed as one JSON object on stdout; percentiles are the caller's.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

OURS = ("index", "search", "web", "bench")


def _provenance() -> dict[str, Any]:
    import jieba
    import whoosh

    return {"whoosh_file": whoosh.__file__, "whoosh_version": whoosh.versionstring(),
            "jieba_version": jieba.__version__, "python": sys.executable,
            "our_modules": sorted(m for m in sys.modules if m.split(".")[0] in OURS)}


def build(paragraphs: str, index_dir: str) -> dict[str, Any]:
    started = time.perf_counter()
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(id=ID(stored=True), content=TEXT(analyzer=ChineseAnalyzer(), stored=True))
    os.makedirs(index_dir, exist_ok=True)
    ix = whoosh_index.create_in(index_dir, schema)
    writer = ix.writer()  # one writer, default settings
    n = text_bytes = 0
    with open(paragraphs, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            writer.add_document(id=p["id"], content=p["text"])
            n += 1
            text_bytes += len(p["text"].encode("utf-8"))
    writer.commit()
    ix.close()
    return {"paragraphs": n, "text_bytes": text_bytes, "seconds": round(time.perf_counter() - started, 3),
            **_provenance()}


def _run(searcher: Any, parser: Any, q: dict[str, Any], per_page: int) -> dict[str, Any]:
    t0 = time.perf_counter()
    try:
        page = searcher.search_page(parser.parse(q["q"]), q.get("page", 1), pagelen=per_page)
        total = len(page)
        ids = [hit["id"] for hit in page]
        t1 = time.perf_counter()
        for hit in page:
            hit.highlights("content")
        t2 = time.perf_counter()
    except Exception as e:  # a query the naive design cannot run: counted by the caller
        return {"error": f"{type(e).__name__}: {e}", "ms": (time.perf_counter() - t0) * 1000}
    return {"search_ms": round((t1 - t0) * 1000, 3), "page_ms": round((t2 - t0) * 1000, 3),
            "total": total, "hits": len(ids)}


def query(index_dir: str, mix_file: str) -> dict[str, Any]:
    from whoosh import index as whoosh_index
    from whoosh.qparser import QueryParser

    with open(mix_file, encoding="utf-8") as f:
        mix: list[dict[str, Any]] = json.load(f)
    t0 = time.perf_counter()
    ix = whoosh_index.open_dir(index_dir)
    parser = QueryParser("content", ix.schema)
    with ix.searcher() as searcher:
        open_ms = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        for q in mix:
            _run(searcher, parser, q, q.get("per_page", 10) + 1)
        warm_s = time.perf_counter() - t0
        runs = [_run(searcher, parser, q, q.get("per_page", 10)) for q in mix]
        paragraphs = searcher.doc_count()
    return {"paragraphs": paragraphs, "open_ms": round(open_ms, 1), "warmup_pass_s": round(warm_s, 2),
            "runs": runs, **_provenance()}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("build", "query"):
        print(__doc__, file=sys.stderr)
        return 2
    out = build(argv[1], argv[2]) if argv[0] == "build" else query(argv[1], argv[2])
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
