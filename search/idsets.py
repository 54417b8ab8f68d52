"""The set of paragraphs a query matches, as a sorted numpy array, fast.

Exact totals and facet counts need *every* matching paragraph, not just the
top ten.  Whoosh finds them by walking its matchers one document at a time in
Python (half a second for the 100k paragraphs of ``united nations``); here the
query tree is evaluated with numpy set operations over whole posting lists,
read block by block.  Phrases (which need positions) still go through Whoosh,
but only over the candidates that contain all their words.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher

from index import _whoosh

from . import budget
from .lru import LRU

EMPTY = np.zeros(0, dtype=np.int64)


def _union(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted union of sorted arrays (np.unique's hash path is 10x slower here)."""
    c = np.concatenate(parts)
    c.sort(kind="stable")
    keep = np.empty(len(c), dtype=bool)
    keep[:1] = True
    np.not_equal(c[1:], c[:-1], out=keep[1:])
    return c[keep]


def term_cache(budget_bytes: int = 8 << 20) -> LRU:
    """Posting-list id arrays of recently used terms, per index generation, within a
    memory budget (the arrays of common words are megabytes each). 8 MB, not 24: the
    frequent terms are read from the side arrays and not cached, and over the HTTP mix
    24 MB per process bought nothing measurable (113 against 111 requests/s) for 26 MB
    more in the serving tree."""
    return LRU(budget_bytes, weigh=lambda ids: int(ids.nbytes))


def _leaves(reader: Any) -> list[tuple[Any, int]]:
    return reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]


def _block_ids(m: Any) -> np.ndarray:
    """All remaining ids of a Whoosh 3 posting matcher, one block at a time."""
    parts = []
    for ids in _whoosh.block_ids(m):
        budget.check()
        parts.append(np.asarray(ids, dtype=np.int64))
    return np.concatenate(parts) if parts else EMPTY


def _segment_term_ids(seg: Any, fieldname: str, text: Any) -> np.ndarray:
    if (fieldname, text) not in seg:
        return EMPTY
    m = seg.postings(fieldname, text)
    while not isinstance(m, W3LeafMatcher) and hasattr(m, "child"):
        m = m.child  # the deleted-documents filter: applied below, with numpy
    if isinstance(m, W3LeafMatcher):
        ids = _block_ids(m)
    else:  # another codec: the general, slower way
        ids = np.fromiter(m.all_ids(), dtype=np.int64)
    if seg.has_deletions():
        ids = ids[~np.isin(ids, _deleted(seg))]
    return ids


def _deleted(seg: Any) -> np.ndarray:
    """Deleted document numbers of a segment (after an update)."""
    return np.asarray(_whoosh.deleted_docs(seg), dtype=np.int64)


class IdEvaluator:
    def __init__(self, searcher: Any, cache: LRU | None = None, key: Any = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.cache = cache
        self.key = key

    def term(self, fieldname: str, text: Any) -> np.ndarray:
        ck = (self.key, fieldname, text)
        if self.cache is not None:
            hit = self.cache.get(ck)
            if hit is not None:
                return hit
        parts = [_segment_term_ids(seg, fieldname, text) + offset
                 for seg, offset in _leaves(self.reader)]
        ids = np.concatenate(parts) if parts else EMPTY
        if len(ids) and ids[-1] < 2**31:
            ids = ids.astype(np.int32)  # half the memory in the cache
        if self.cache is not None:
            self.cache.put(ck, ids)
        return ids

    def every(self) -> np.ndarray:
        out = []
        for seg, offset in _leaves(self.reader):
            ids = np.arange(seg.doc_count_all(), dtype=np.int64)
            if seg.has_deletions():
                ids = ids[~np.isin(ids, _deleted(seg))]
            out.append(ids + offset)
        return np.concatenate(out) if out else EMPTY

    def whoosh(self, q: wq.Query, within: np.ndarray | None = None) -> np.ndarray:
        """Let Whoosh match ``q``; with ``within``, only those candidates are looked at
        (the matcher skips straight to each one)."""
        if within is None:
            return np.fromiter(self.searcher.docs_for_query(q), dtype=np.int64)
        found = [d for d, _m in matching(self.searcher, q, within, None)]
        return np.asarray(found, dtype=np.int64)

    def ids(self, q: wq.Query) -> np.ndarray:
        """Sorted, unique document numbers matching ``q``."""
        budget.check()
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return EMPTY
        if isinstance(q, wq.Term):
            return self.term(q.fieldname, q.text if not isinstance(q.text, str) else
                             self.reader.schema[q.fieldname].to_bytes(q.text))
        if isinstance(q, wq.Every):
            return self.every()
        if isinstance(q, wq.ConstantScoreQuery):
            return self.ids(q.child)
        if isinstance(q, wq.AndMaybe):
            return self.ids(q.a)
        if isinstance(q, wq.AndNot):
            return np.setdiff1d(self.ids(q.a), self.ids(q.b), assume_unique=True)
        if isinstance(q, wq.Not):
            return np.setdiff1d(self.every(), self.ids(q.query), assume_unique=True)
        if isinstance(q, wq.And):
            parts = sorted((self.ids(s) for s in q.subqueries), key=len)
            return reduce(lambda a, b: np.intersect1d(a, b, assume_unique=True), parts) \
                if parts else EMPTY
        if isinstance(q, (wq.Or, wq.DisjunctionMax)):
            parts = [self.ids(s) for s in q.subqueries]
            parts = [p for p in parts if len(p)]
            if not parts:
                return EMPTY
            return parts[0] if len(parts) == 1 else _union(parts)
        if isinstance(q, wq.Phrase):
            # Candidates have every word; Whoosh checks the positions of those only.
            words = [wq.Term(q.fieldname, w) for w in q.words]
            cand = self.ids(wq.And(words)) if len(words) > 1 else self.ids(words[0])
            return self.whoosh(q, cand) if len(words) > 1 else cand
        if isinstance(q, (wq.Prefix, wq.Wildcard)):
            return self.ids(q.simplify(self.reader))
        # Numeric and term ranges: Whoosh's own matcher (simplify() loses the range's
        # last tier of terms in this Whoosh version).
        return self.whoosh(q)


def matching(searcher: Any, q: wq.Query, docnums: np.ndarray,
             context: Any) -> Iterator[tuple[int, Any]]:
    """(document, matcher on it) for each of these sorted documents that ``q`` matches;
    the matcher skips straight from one to the next instead of walking every match."""
    for sub, offset in searcher.leaf_searchers():
        n = sub.reader().doc_count_all()
        local = docnums[(docnums >= offset) & (docnums < offset + n)] - offset
        if not len(local):
            continue
        m = q.matcher(sub, context) if context is not None else q.matcher(sub)
        for d in local.tolist():
            budget.check()
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                yield d + offset, m


def score_subset(searcher: Any, q: wq.Query, docnums: np.ndarray) -> dict[int, float]:
    """BM25F scores of ``q`` for just these documents (sorted): proximity clauses are
    costly, so they are only evaluated for the top candidates."""
    return {d: float(m.score()) for d, m in matching(searcher, q, docnums, searcher.context())}
