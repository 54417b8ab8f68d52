"""Which document (doc_id, rev) a Whoosh document number belongs to, shared by all searchers.

Whoosh keeps doc_id and rev in byte columns; opening a column reader loads its
offset table (two arrays the size of the index: 4 MB for doc_id and rev on the
full corpus), and a reader kept by each pooled searcher cost 30 MB per serving
process. Every paragraph of a document has the same doc_id, and every *live*
paragraph of it the same rev (an update deletes the old paragraphs and adds the
new ones), so one pair per document ordinal is enough: filled on first use from
fresh, short-lived column readers (1.5 ms), then read from two small lists.
"""

from __future__ import annotations

import threading
from typing import Any

from index.columns import Columns


def _text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


class DocIds:
    """doc_id and rev of live document numbers of one reader (see the module docstring)."""

    def __init__(self, cols: Columns) -> None:
        self._cols = cols
        self._ids: list[tuple[str, str] | None] = [None] * max(cols.n_docs, 1)
        self._lock = threading.Lock()

    def get(self, reader: Any, docnums: list[int]) -> list[tuple[str, str]]:
        """(doc_id, rev) of each of ``docnums`` (live documents of ``reader``)."""
        ords = [int(o) for o in self._cols.doc_ord[docnums]] if docnums else []
        ids = self._ids
        missing = [(d, o) for d, o in zip(docnums, ords, strict=True) if ids[o] is None]
        if missing:
            doc_ids = reader.column_reader("doc_id")
            revs = reader.column_reader("rev", translate=False)
            found = [(o, (_text(doc_ids[d]), _text(revs[d]))) for d, o in missing]
            with self._lock:
                for o, pair in found:
                    ids[o] = pair
        return [ids[o] for o in ords]  # type: ignore[misc]
