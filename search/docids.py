"""Which document (doc_id, rev) a Whoosh document number belongs to, shared by all searchers.

Whoosh keeps doc_id and rev in byte columns; opening a column reader loads its
offset table (two arrays the size of the index: 4 MB for doc_id and rev on the
full corpus), and a pair kept by each pooled searcher cost 30 MB per serving
process. Here one pair serves every searcher of a reader, on a reader of its own
(its files are not shared with any searcher's thread), under a lock; and the
answers are kept per document ordinal: every paragraph of a document has the same
doc_id, and every *live* paragraph of it the same rev (an update deletes the old
paragraphs and adds the new ones).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from index import _whoosh
from index.columns import Columns


def _text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


class DocIds:
    """doc_id and rev of the live document numbers of one reader."""

    def __init__(self, cols: Columns, storage: Any = None) -> None:
        self._cols = cols
        self._storage = storage  # None: read through the caller's reader each time
        self._ids: list[tuple[str, str] | None] = [None] * max(cols.n_docs, 1)
        self._columns: tuple[Any, Any] | None = None
        self._lock = threading.Lock()

    def get(self, reader: Any, docnums: list[int]) -> list[tuple[str, str]]:
        """(doc_id, rev) of each of ``docnums`` (live documents of ``reader``)."""
        ords = [int(o) for o in self._cols.doc_ord[docnums]] if docnums else []
        ids = self._ids
        missing = [(d, o) for d, o in zip(docnums, ords, strict=True) if ids[o] is None]
        if missing:
            with self._lock:
                doc_ids, revs = self._readers(reader)
                for d, o in missing:
                    ids[o] = (_text(doc_ids[d]), _text(revs[d]))
        return [ids[o] for o in ords]  # type: ignore[misc]

    def _readers(self, reader: Any) -> tuple[Any, Any]:
        if self._columns is not None:
            return self._columns
        if self._storage is not None:
            own = _whoosh.own_reader(reader, self._storage)
            weakref.finalize(self, own.close)
            self._columns = (own.column_reader("doc_id"),
                             own.column_reader("rev", translate=False))
            return self._columns
        return reader.column_reader("doc_id"), reader.column_reader("rev", translate=False)
