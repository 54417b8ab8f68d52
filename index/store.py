"""Documents and paragraph text, in SQLite beside the Whoosh index.

Rows are keyed by (doc_id, rev) where rev is the document's content hash, so
an update can write a document's new revision before Whoosh switches to it
and a searcher still on the old Whoosh generation still finds the old text.
``current`` says which revision of each document is live.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import struct
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .errors import StoreLockedError
from .model import Document

# A document's paragraphs are a body of blocks (encode_body): UN text compresses 2.6x in
# blocks of 4 KB, and a hit reads only its paragraph's block.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    doc_id TEXT NOT NULL, rev TEXT NOT NULL, meta TEXT NOT NULL, n_paras INTEGER NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (doc_id, rev));
CREATE TABLE IF NOT EXISTS current (
    doc_id TEXT PRIMARY KEY, rev TEXT NOT NULL, source TEXT NOT NULL, symbol TEXT) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS current_symbol ON current (symbol);
"""

STORE_FILE = "docs.sqlite"


def locked_error(path: Path, e: sqlite3.OperationalError) -> StoreLockedError | None:
    """StoreLockedError naming ``path`` and who has it open, if ``e`` is SQLite's "locked"."""
    if "locked" not in str(e):
        return None
    return StoreLockedError(f"the document store {path} is locked by another process"
                            f"{_holders(path)}; try again when it has finished")


def _holders(path: Path) -> str:
    """" (open in pid 123: sqlite3)": the other processes with ``path`` open (Linux)."""
    me, found = os.getpid(), []
    target = os.path.realpath(path)
    with contextlib.suppress(OSError):
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == me:
                continue
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                            name = Path(f"/proc/{pid}/comm").read_text().strip()
                            found.append(f"pid {pid}: {name}")
                            break
    return f" (open in {', '.join(found[:3])})" if found else ""


#: A body of blocks begins with these bytes; a body without them is one zlib stream of the
#: whole JSON list (indexes built before blocks: read as they are, no rebuild needed).
BLOCKS_MAGIC = b"\x00UB1"
#: Paragraphs go into a block until it holds this many bytes of UTF-8. Whole documents in
#: one stream (the earlier body) made a hit's paragraph cost its document's decompression:
#: 0.1 ms on average, 16 % of a search's time over the bench mix (the as-typed bonus reads
#: dozens of candidates). 4 KB blocks: 76 → 89 MB for the full corpus.
BLOCK_BYTES = 4096
_HEADER = struct.Struct("<I")
_ENTRY = struct.Struct("<II")  # first paragraph (0-based), end offset of the block's bytes


def encode_body(paragraphs: list[str]) -> bytes:
    """The stored body of a document's paragraphs: ``BLOCKS_MAGIC``, the number of blocks,
    a (first paragraph, end offset) entry per block, then the blocks, each a zlib-compressed
    JSON list of consecutive paragraphs."""
    blocks: list[bytes] = []
    firsts: list[int] = []
    start = size = 0
    for i, p in enumerate(paragraphs):
        size += len(p.encode("utf-8"))
        if size >= BLOCK_BYTES or i == len(paragraphs) - 1:
            firsts.append(start)
            blocks.append(zlib.compress(json.dumps(paragraphs[start:i + 1], ensure_ascii=False)
                                        .encode("utf-8"), 6))
            start, size = i + 1, 0
    head = [BLOCKS_MAGIC, _HEADER.pack(len(blocks))]
    end = 0
    for first, block in zip(firsts, blocks, strict=True):
        end += len(block)
        head.append(_ENTRY.pack(first, end))
    return b"".join(head + blocks)


def _count(body: bytes) -> int:
    """How many blocks ``body`` has; struct.error if its header does not fit it (a damaged
    file, as struct says)."""
    (n,) = _HEADER.unpack_from(body, len(BLOCKS_MAGIC))
    if _BASE + n * _ENTRY.size > len(body):
        raise struct.error("a document body's block header is cut short")
    return int(n)


_BASE = len(BLOCKS_MAGIC) + _HEADER.size  # where the entries begin


def _block(body: bytes, k: int) -> tuple[int, list[str]]:
    """(first paragraph, paragraphs) of block ``k`` of a body of blocks."""
    data = _BASE + _count(body) * _ENTRY.size
    first, end = _ENTRY.unpack_from(body, _BASE + k * _ENTRY.size)
    start = _ENTRY.unpack_from(body, _BASE + (k - 1) * _ENTRY.size)[1] if k else 0
    paras: list[str] = json.loads(zlib.decompress(body[data + start:data + end]).decode("utf-8"))
    return first, paras


def _nth(paras: list[str], n: int, first: int = 0) -> str | None:
    """Paragraph ``n`` (1-based) of the document, from ``paras`` beginning at its ``first``."""
    i = n - 1 - first
    return paras[i] if 0 <= i < len(paras) else None


def decode_body(body: bytes) -> list[str]:
    """Every paragraph of a stored body (either format). zlib.error, struct.error or a
    UnicodeDecodeError if it is damaged."""
    if not body.startswith(BLOCKS_MAGIC):
        whole: list[str] = json.loads(zlib.decompress(body).decode("utf-8"))
        return whole
    out: list[str] = []
    for k in range(_count(body)):
        out.extend(_block(body, k)[1])
    return out


def body_paragraph(body: bytes, n: int) -> str | None:
    """Paragraph ``n`` (1-based) of a stored body, decompressing only its block."""
    if not body.startswith(BLOCKS_MAGIC):
        return _nth(decode_body(body), n)
    k = block_of(body, n)
    if k < 0:
        return None
    first, paras = _block(body, k)
    return _nth(paras, n, first)


def block_of(body: bytes, n: int) -> int:
    """The block of a body of blocks that holds paragraph ``n`` (1-based); -1 if none."""
    i = n - 1
    lo, hi = 0, _count(body)
    while lo < hi:  # the last block whose first paragraph is <= i
        mid = (lo + hi) // 2
        if _ENTRY.unpack_from(body, _BASE + mid * _ENTRY.size)[0] <= i:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1 if n >= 1 else -1


#: What a store keeps (each serving thread has a store): 4 whole documents decompressed
#: (16 held 25 MB per process), 4 blocks (4 KB of text each) and 4 compressed bodies (a large
#: document is some tens of KB).
BODY_CACHE = 4
BLOB_CACHE = 4
BLOCK_CACHE = 4


def _keep(cache: dict[Any, Any], key: Any, value: Any, size: int) -> None:
    """``cache[key] = value``, the oldest entry out beyond ``size``."""
    cache[key] = value
    if len(cache) > size:
        cache.pop(next(iter(cache)))


def doc_rev(doc: Document) -> str:
    return doc.content_hash()[:16]


class Store:
    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        # A few decompressed documents (consecutive hits are often in one document).
        self._bodies: dict[tuple[str, str], list[str]] = {}
        # For one paragraph at a time: the last bodies read (half of a search's paragraphs
        # are in a document it has just read) and their last blocks decompressed.
        self._blobs: dict[tuple[str, str], bytes] = {}
        self._blocks: dict[tuple[str, str, int], tuple[int, list[str]]] = {}
        if readonly:
            uri = f"file:{path}?mode=ro"
            # A reader waits at most a second for a lock: a request has a time budget.
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=1.0)
            # Reads are random paragraphs that the OS caches anyway; SQLite's own 2 MB page
            # cache per connection (one per serving thread) bought nothing measurable.
            self.db.execute("PRAGMA cache_size=-256")
        else:
            self.db = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
            try:
                self.db.executescript(_SCHEMA)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.OperationalError as e:
                self.db.close()
                raise locked_error(path, e) or e from None

    @classmethod
    def open(cls, directory: Path, *, readonly: bool = False) -> Store:
        return cls(directory / STORE_FILE, readonly=readonly)

    def close(self) -> None:
        if not self.readonly:
            # Leave a single file behind: readers may open it read-only, where a WAL
            # database would need to create its -shm file.
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.close()

    # -- writing -------------------------------------------------------------

    def add(self, doc: Document, rev: str) -> None:
        meta = doc.to_dict()
        paragraphs = meta.pop("paragraphs")
        body = encode_body(paragraphs)
        self.db.execute(
            "INSERT OR REPLACE INTO docs VALUES (?, ?, ?, ?, ?)",
            (doc.id, rev, json.dumps(meta, ensure_ascii=False), len(paragraphs), body),
        )

    def set_current(self, doc: Document, rev: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO current VALUES (?, ?, ?, ?)",
            (doc.id, rev, doc.source, doc.symbol),
        )

    def drop(self, doc_ids: Iterable[str]) -> None:
        ids = [(i,) for i in doc_ids]
        self.db.executemany("DELETE FROM current WHERE doc_id = ?", ids)

    def collect_garbage(self, doc_ids: list[str] | None = None) -> None:
        """Remove revisions that are not current (of these documents, or of all)."""
        stale = ("DELETE FROM docs WHERE doc_id = ? AND NOT EXISTS (SELECT 1 FROM current c "
                 "WHERE c.doc_id = docs.doc_id AND c.rev = docs.rev)")
        if doc_ids is not None:
            self.db.executemany(stale, ((d,) for d in doc_ids))
            return
        self.db.execute(
            "DELETE FROM docs WHERE NOT EXISTS (SELECT 1 FROM current c "
            "WHERE c.doc_id = docs.doc_id AND c.rev = docs.rev)"
        )

    def set_current_rev(self, doc_id: str, rev: str) -> None:
        self.db.execute("UPDATE current SET rev = ? WHERE doc_id = ?", (rev, doc_id))

    def commit(self) -> None:
        self.db.commit()

    # -- reading -------------------------------------------------------------

    def current(self) -> dict[str, tuple[str, str]]:
        """doc_id → (rev, source) of every live document."""
        return {d: (r, s) for d, r, s in self.db.execute("SELECT doc_id, rev, source FROM current")}

    def count(self) -> int:
        """How many documents are live."""
        return int(self.db.execute("SELECT count(*) FROM current").fetchone()[0])

    def totals(self) -> dict[str, Any]:
        """{"documents", "paragraphs", "languages": {lang: documents}} of the live documents."""
        langs: dict[str, int] = {}
        docs = paras = 0
        for lang, n, p in self.db.execute(
            "SELECT json_extract(d.meta, '$.lang'), count(*), sum(d.n_paras) FROM current c "
            "JOIN docs d ON d.doc_id = c.doc_id AND d.rev = c.rev GROUP BY 1"
        ):
            langs[lang] = n
            docs += n
            paras += p or 0
        return {"documents": docs, "paragraphs": paras, "languages": langs}

    def with_several_revisions(self) -> list[str]:
        """Documents with more than one revision stored (an update is under way, or was
        killed between Whoosh's commit and the store's)."""
        rows = self.db.execute("SELECT doc_id FROM docs GROUP BY doc_id HAVING count(*) > 1")
        return [r[0] for r in rows]

    def symbols(self) -> list[str]:
        """The distinct symbols of the live documents, sorted."""
        rows = self.db.execute(
            "SELECT DISTINCT symbol FROM current WHERE symbol IS NOT NULL ORDER BY symbol")
        return [r[0] for r in rows]

    def current_rev(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT rev FROM current WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def meta(self, doc_id: str, rev: str | None = None) -> dict[str, Any] | None:
        rev = rev or self.current_rev(doc_id)
        if rev is None:
            return None
        row = self.db.execute(
            "SELECT meta, n_paras FROM docs WHERE doc_id = ? AND rev = ?", (doc_id, rev)
        ).fetchone()
        if row is None:
            return None
        meta: dict[str, Any] = json.loads(row[0])
        meta["n_paragraphs"] = row[1]
        meta["rev"] = rev
        return meta

    def paragraphs(self, doc_id: str, rev: str) -> list[str]:
        key = (doc_id, rev)
        cached = self._bodies.get(key)
        if cached is not None:
            return cached
        row = self.db.execute(
            "SELECT body FROM docs WHERE doc_id = ? AND rev = ?", (doc_id, rev)
        ).fetchone()
        if row is None:
            return []
        paragraphs = decode_body(row[0])
        _keep(self._bodies, key, paragraphs, BODY_CACHE)
        return paragraphs

    def paragraph(self, doc_id: str, rev: str, n: int) -> str | None:
        """Paragraph ``n`` (1-based): only its block is decompressed."""
        key = (doc_id, rev)
        cached = self._bodies.get(key)
        if cached is not None:
            return _nth(cached, n)
        body = self._blobs.get(key)
        if body is None:
            row = self.db.execute(
                "SELECT body FROM docs WHERE doc_id = ? AND rev = ?", (doc_id, rev)
            ).fetchone()
            if row is None:
                return None
            body = row[0]
            if not body.startswith(BLOCKS_MAGIC):  # an older index: whole documents
                paragraphs = decode_body(body)
                _keep(self._bodies, key, paragraphs, BODY_CACHE)
                return _nth(paragraphs, n)
            _keep(self._blobs, key, body, BLOB_CACHE)
        k = block_of(body, n)
        if k < 0:
            return None
        block = self._blocks.get((doc_id, rev, k))
        if block is None:
            block = _block(body, k)
            _keep(self._blocks, (doc_id, rev, k), block, BLOCK_CACHE)
        first, paras = block
        return _nth(paras, n, first)

    def by_symbol(self, symbol: str) -> list[tuple[str, str]]:
        """(doc_id, lang) of the live documents with this symbol (case-insensitive)."""
        rows = self.db.execute(
            "SELECT c.doc_id, json_extract(d.meta, '$.lang') FROM current c "
            "JOIN docs d ON d.doc_id = c.doc_id AND d.rev = c.rev "
            "WHERE c.symbol = ? COLLATE NOCASE ORDER BY c.doc_id", (symbol,)
        )
        return [(r[0], r[1]) for r in rows]

    def documents(self) -> Iterator[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT d.meta, d.n_paras FROM current c JOIN docs d ON d.doc_id = c.doc_id AND d.rev = c.rev"
        )
        for meta, n in rows:
            m = json.loads(meta)
            m["n_paragraphs"] = n
            yield m
