"""The read side's way in (index/layout.py), the document store's counts, and Whoosh's fixes
applied by the entry points only (index/_whoosh.py), on the real index."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, charter_paragraphs
from helpers import write_jsonl

from index import _whoosh, build_index, index_info, open_index
from index.layout import open_store, read_meta, resolve_generation
from index.store import STORE_FILE


def _open_files() -> set[str]:
    out = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_open_index_opens_whoosh_but_no_store(tmp_path: Path) -> None:
    # An index of its own: the session's real index is held open by the session's `engine`
    # once any test has used it (tests/http/ run before tests/integration/).
    index = tmp_path / "index"
    source = write_jsonl(tmp_path / "src" / "charter.jsonl",
                         [{"id": "charter-en", "lang": "en", "paragraphs": charter_paragraphs("en")[:20]}])
    build_index([source], index, procs=1)
    gen, meta, ix = open_index(index)
    assert gen == resolve_generation(index)
    assert meta == read_meta(gen)
    with ix.searcher() as s:
        assert s.doc_count() == meta["paragraphs"]
    store_file = str((gen / STORE_FILE).resolve())
    assert store_file not in _open_files()  # the documents are opened by whoever reads them
    store = open_store(gen)
    try:
        assert store_file in _open_files()
        assert store.count() == meta["documents"]
    finally:
        store.close()
    assert store_file not in _open_files()


def test_store_totals_are_the_meta_counts(real_index: Path) -> None:
    gen = resolve_generation(real_index)
    info = index_info(real_index)
    store = open_store(gen)
    try:
        totals = store.totals()
        symbols = store.symbols()
        several = store.with_several_revisions()
    finally:
        store.close()
    assert totals == {k: info[k] for k in ("documents", "paragraphs", "languages")}
    assert totals["paragraphs"] == info["indexed_paragraphs"]
    assert "S/PRST/2015/5" in symbols and symbols == sorted(set(symbols))
    assert several == []  # no update under way


def _run(code: str) -> None:
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "ok"


_STOCK_AFTER_IMPORTS = (
    "import index, index.sources, search, web, web.app\n"
    "from index import _whoosh\n"
    "assert not _whoosh.applied(), 'patched on import'\n"
)


def test_opening_applies_the_fixes_importing_does_not(real_index: Path) -> None:
    """The fixes are applied by the entry points that open or build an index, not by an
    import: a process that only imports (the bench's baseline, a reader) runs stock Whoosh."""
    _run(_STOCK_AFTER_IMPORTS
         + "from search import SearchEngine\n"
         + f"engine = SearchEngine.open({str(real_index)!r})\n"
         + "assert len(engine.search('安全理事会').hits) > 0\n"
         + "assert _whoosh.applied(), 'not patched by open'\n"
         + "print('ok')\n")


def test_building_applies_the_fixes(tmp_path: Path) -> None:
    src = tmp_path / "doc.jsonl"
    src.write_text('{"id": "x", "paragraphs": ["安全理事会"], "lang": "zh"}\n', "utf-8")
    _run(_STOCK_AFTER_IMPORTS
         + f"index.build_index([{str(src)!r}], {str(tmp_path / 'ix')!r}, procs=1)\n"
         + "assert _whoosh.applied(), 'not patched by build'\n"
         + "print('ok')\n")


def test_eval_baseline_refuses_patched_whoosh(engine: object) -> None:
    """bench.eval_known_item runs the baseline in its own process: in one that has opened an
    index (``engine`` has), it refuses rather than measure patched Whoosh."""
    from bench.eval_known_item import evaluate

    assert _whoosh.applied()
    with pytest.raises(RuntimeError, match="stock Whoosh"):
        evaluate(n=1, seed=1, baseline=True)


def test_search_reads_the_index_through_layout_not_build() -> None:
    """search/ imports index.layout to read an index, never the write side."""
    for path in sorted((ROOT / "search").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module not in ("index.build", "index.lock", "index.durable"), path.name


def test_bodies_are_blocks_and_every_paragraph_reads_alone(real_index: Path) -> None:
    """A document's paragraphs are stored in blocks (index.store.encode_body): one paragraph
    is read by decompressing its block only, and reads the same as the whole document."""
    import json
    import sqlite3
    import struct
    import zlib

    from index.store import BLOCK_BYTES, BLOCKS_MAGIC, body_paragraph, decode_body, encode_body

    gen = resolve_generation(real_index)
    db = sqlite3.connect(f"file:{gen / STORE_FILE}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT body, n_paras FROM docs ORDER BY length(body) DESC LIMIT 40").fetchall()
    finally:
        db.close()
    several = 0
    for body, n in rows:
        assert body.startswith(BLOCKS_MAGIC)
        paras = decode_body(body)
        assert len(paras) == n
        blocks = int.from_bytes(body[len(BLOCKS_MAGIC):len(BLOCKS_MAGIC) + 4], "little")
        several += blocks > 1
        assert blocks <= max(1, len("".join(paras).encode("utf-8")) // BLOCK_BYTES + 1)
        for i in (1, 2, n // 2, n - 1, n):
            if 1 <= i <= n:
                assert body_paragraph(body, i) == paras[i - 1]
        assert body_paragraph(body, 0) is None and body_paragraph(body, n + 1) is None
        # An index built before blocks holds one zlib stream per document: read as it is.
        old = zlib.compress(json.dumps(paras, ensure_ascii=False).encode("utf-8"))
        assert decode_body(old) == paras and body_paragraph(old, n) == paras[-1]
        assert encode_body(paras) == body
    assert several >= 5  # the largest documents really are several blocks
    assert decode_body(encode_body([])) == []
    with pytest.raises((struct.error, zlib.error)):
        decode_body(rows[0][0][:200])  # cut short: an error, never wrong text
