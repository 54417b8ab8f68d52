"""The index on disk, and the read side's one way in.

On disk an index is a folder::

    INDEX/
      current -> gen-20261201T193000-1234     symlink: the generation being served
      gen-20261201T193000-1234/               Whoosh segments + docs.sqlite + meta.json
      gen-20261130T020000-998/                the previous generation (kept one build)
      gen-…-4321.tmp/                         a build in progress (or one that was killed)
      .lock, .lock.json                       the writer lock and who holds it (index/lock.py)

A build (:mod:`index.build`) writes a new ``.tmp`` generation and, only once it is complete
and synced, renames it and swaps the ``current`` symlink with one ``rename(2)``: readers see
the old index or the new one, never half of one. Readers find the served generation with
:func:`resolve_generation` and open it with :func:`open_index`; nothing here writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from . import _whoosh
from .errors import IndexCorruptError, IndexNotFoundError, IndexVersionError
from .schema import SCHEMA_VERSION
from .settings import setting
from .store import STORE_FILE, Store, locked_error

CURRENT = "current"
META_FILE = "meta.json"


def default_index_dir() -> Path:
    """``UNSEARCH_INDEX``, else the per-user data directory."""
    env = setting("INDEX_PATH")
    if env:
        return Path(env)
    base = setting("DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "unsearch" / "index"


def resolve_generation(root: Path) -> Path:
    """The generation folder that ``root`` serves, or IndexNotFoundError."""
    root = Path(root)
    link = root / CURRENT
    if link.is_symlink() or link.is_dir():
        gen = root / os.readlink(link) if link.is_symlink() else link
        if not gen.is_dir():
            raise IndexCorruptError(f"index at {root} points to a missing generation {gen.name}; "
                                    "rebuild it with `unsearch index build`")
        return gen
    if not root.exists():
        raise IndexNotFoundError(f"no index at {root}; build one with `unsearch index build`")
    raise IndexNotFoundError(f"{root} is not an unsearch index; build one with `unsearch index build`")


def read_meta(gen: Path) -> dict[str, Any]:
    try:
        meta: dict[str, Any] = json.loads((gen / META_FILE).read_text("utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"index generation {gen} has no {META_FILE}; rebuild it with "
                                "`unsearch index build`") from None
    except (OSError, ValueError) as e:
        raise IndexCorruptError(f"cannot read {gen / META_FILE} ({e}); rebuild it with "
                                "`unsearch index build`") from None
    version = meta.get("schema_version")
    if version != SCHEMA_VERSION:
        raise IndexVersionError(
            f"the index at {gen.parent} has schema version {version}, this unsearch needs "
            f"{SCHEMA_VERSION}; rebuild it with `unsearch index build`"
        )
    return meta


def open_whoosh(gen: Path) -> Any:
    """The Whoosh index of one generation (with :func:`index._whoosh.apply`'s fixes)."""
    _whoosh.apply()
    try:
        # Not memory-mapped: Whoosh reads a compound segment file through a BytesIO
        # *copy* of the map, which cost ~700 MB per open searcher on the full corpus.
        return FileStorage(str(gen), supports_mmap=False).open_index()
    except whoosh_index.EmptyIndexError:
        raise IndexCorruptError(f"the index at {gen.parent} has no Whoosh segments; rebuild it "
                                "with `unsearch index build`") from None
    except Exception as e:  # Whoosh raises many kinds on a damaged TOC
        raise IndexCorruptError(f"the index at {gen.parent} is damaged ({type(e).__name__}: {e}); "
                                "rebuild it with `unsearch index build`") from None


def open_index(path: str | os.PathLike[str]) -> tuple[Path, dict[str, Any], Any]:
    """(generation folder, meta, Whoosh index) of the index at ``path``, checked to be
    complete; its documents are read with :func:`open_store`."""
    gen = resolve_generation(Path(path))
    meta = read_meta(gen)
    if not (gen / STORE_FILE).exists():
        raise IndexCorruptError(f"the index at {gen.parent} has no {STORE_FILE}; rebuild it with "
                                "`unsearch index build`")
    return gen, meta, open_whoosh(gen)


def open_store(gen: Path) -> Store:
    """The read-only document store of one generation."""
    try:
        return Store.open(gen, readonly=True)
    except sqlite3.OperationalError as e:
        # Locked by another process (its first read needs the lock): busy, not damaged.
        locked = locked_error(gen / STORE_FILE, e)
        if locked is not None:
            raise locked from None
        # Otherwise removed or replaced since resolve_generation().
        raise IndexCorruptError(f"cannot open {gen / STORE_FILE} ({e}); rebuild the index "
                                "with `unsearch index build`") from None


def index_info(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Counts, languages, size on disk, build time and schema version."""
    gen, meta, ix = open_index(path)
    size = sum(p.stat().st_size for p in gen.iterdir() if p.is_file())
    try:
        with ix.searcher() as s:
            segments = len(s.reader().leaf_readers()) if not s.reader().is_atomic() else 1
            whoosh_docs = s.doc_count()
    except (EOFError, OSError, ValueError, struct.error, zlib.error) as e:
        raise IndexCorruptError(f"the index at {path} cannot be read ({type(e).__name__}: "
                                f"{e}); rebuild it with `unsearch index build`") from None
    return {
        "path": str(Path(path)),
        "generation": gen.name,
        "schema_version": meta.get("schema_version"),
        "built": meta.get("built"),
        "updated": meta.get("updated"),
        "build_seconds": meta.get("build_seconds"),
        "documents": meta.get("documents"),
        "paragraphs": meta.get("paragraphs"),
        "indexed_paragraphs": whoosh_docs,
        "languages": meta.get("languages"),
        "segments": segments,
        "size_bytes": size,
        "sources": meta.get("sources"),
        "skipped": meta.get("skipped", []),
    }
