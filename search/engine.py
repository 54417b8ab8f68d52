"""SearchEngine: the library API over an index built by :mod:`index`.

>>> from search import SearchEngine                                # doctest: +SKIP
>>> with SearchEngine.open("var/demo-index") as engine:             # doctest: +SKIP
...     for hit in engine.search("安全理事会", lang="zh"):
...         print(hit.symbol, hit.title, hit.snippet_html)
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
import sqlite3
import struct
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.scoring import BM25F

from index.analysis import fold
from index.columns import Columns, load_columns
from index.errors import IndexCorruptError, IndexNotFoundError, StoreLockedError
from index.layout import open_index, open_store, read_meta, resolve_generation
from index.postings import SegmentPostings
from index.store import STORE_FILE, Store, locked_error

from . import budget
from .cost import postings
from .countries import display_title, resolve_country
from .docids import DocIds
from .errors import DocumentNotFound, QueryError
from .highlight import highlight_all
from .idsets import term_cache
from .lru import LRU
from .parallel import Parallel, Translations, attach_aligned, parallel_document
from .plan import QueryPlan
from .query import Node, parse
from .rank import Ranker, filter_mask, keep
from .request import SearchRequest, check_limit, check_suggest, required_lang
from .results import DocumentView, Hit, SearchResults
from .settings import MAX_PER_PAGE, MAX_RESULT_WINDOW
from .spelling import FEW, correct_query, index_frequencies
from .suggest import Suggester, Suggestion
from .translate import QueryBuilder
from .trends import Trends, compute_trends
from .vector import Evaluator, Match, Segments

log = logging.getLogger("unsearch.search")

# What a damaged index file raises from deep inside Whoosh or SQLite (anything else
# is a bug here, and surfaces as itself).
_CORRUPTION = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, OSError,
               sqlite3.DatabaseError, UnicodeDecodeError)

WEIGHTING = BM25F(B=0.75, K1=1.2)
# Recent result pages (the key includes the index generation), within a memory budget:
# 512 pages by count held 17 MB per serving process on the full corpus; pickled, a page
# of ten hits with its facets is about 20 kB: 2 MB keep about a hundred (each serving
# process has its own, and every MB of it counts twice in the serving tree).
CACHE_BYTES = 2 << 20


class SearchEngine:
    """Search an unsearch index. Thread-safe: each search opens its own Whoosh searcher."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._gen: Path | None = None
        self._ix: Any = None
        self._meta: dict[str, Any] = {}
        self._columns: dict[tuple[str, int], Columns] = {}
        self._docids: dict[tuple[str, int], DocIds] = {}
        self._side: dict[tuple[str, str], SegmentPostings | None] = {}
        self._lengths: dict[tuple[str, int], dict[str, np.ndarray]] = {}
        self._pool: list[Any] = []
        self._known_terms: tuple[Any, dict[tuple[str, str], bool]] = (None, {})
        self._stores: list[Store] = []  # every thread's, so that close() closes them all
        # Pooled searchers hold open files: close them when the engine goes away.
        weakref.finalize(self, _close_searchers, self._pool)
        self._cache = LRU(CACHE_BYTES, weigh=_weight)
        self._terms = term_cache()
        self._reopen()

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> SearchEngine:
        """Open the index at ``path``; IndexNotFoundError if there is no usable index."""
        return cls(path)

    def __enter__(self) -> SearchEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's document store and the pooled searchers (a thread that
        searches again afterwards opens its own anew)."""
        with self._lock:
            stores, self._stores = self._stores, []
        for store in stores:
            with contextlib.suppress(Exception):
                store.close()
        if self._suggester is not None:
            self._suggester.close()
        _close_searchers(self._pool)

    # -- index generations ---------------------------------------------------

    def _reopen(self) -> None:
        gen, meta, ix = open_index(self.path)
        self._gen, self._meta, self._ix = gen, meta, ix
        self._columns = {}
        self._docids = {}
        self._side = {}
        self._lengths = {}
        _close_searchers(self._pool)

    @contextlib.contextmanager
    def _searcher(self) -> Iterator[Any]:
        """A searcher for one search: reused across searches, refreshed after an update.

        Opening a Whoosh searcher reads every segment's term and column
        headers (tens of ms on a large index), so searchers are pooled; each is
        used by one thread at a time and brought up to date before use.
        """
        self._check_generation()
        with self._lock:
            ix, gen = self._ix, self._gen
            searcher = self._pool.pop() if self._pool else None
        if searcher is None:
            searcher = ix.searcher(weighting=WEIGHTING)
        elif not searcher.up_to_date():
            searcher = searcher.refresh()
        # The generation this searcher reads: a rebuild may swap self._gen while it works,
        # and everything cached per index (columns, side arrays) must be its own.
        searcher._unsearch_gen = gen
        try:
            yield searcher
        finally:
            with self._lock:
                if ix is self._ix and len(self._pool) < 16:
                    self._pool.append(searcher)
                else:
                    searcher.close()

    def _known(self, searcher: Any) -> dict[tuple[str, str], bool]:
        """Whether the index has a term, as looked up by earlier searches of the index this
        searcher reads (emptied after an update, and when it holds ``KNOWN_TERMS``)."""
        key = _searcher_key(searcher)
        known = self._known_terms
        if known[0] != key or len(known[1]) >= KNOWN_TERMS:
            known = self._known_terms = (key, {})
        return known[1]

    def _check_generation(self) -> None:
        """Follow a rebuild: the ``current`` symlink moved to a new generation."""
        try:
            gen = resolve_generation(self.path)
        except IndexNotFoundError:
            if self._gen is not None and self._gen.exists():
                return  # keep serving what we have
            raise
        if gen != self._gen:
            with self._lock:
                if gen != self._gen:
                    self._reopen()

    def _store(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        gen = getattr(self._local, "gen", None)
        if store is None or gen != self._gen or store not in self._stores:
            if store is not None:
                with self._lock:
                    if store in self._stores:
                        self._stores.remove(store)
                with contextlib.suppress(Exception):
                    store.close()  # a second close (after close()) is harmless
            assert self._gen is not None
            store = open_store(self._gen)
            self._local.store, self._local.gen = store, self._gen
            with self._lock:
                self._stores.append(store)
        return store

    def _columns_for(self, searcher: Any) -> Columns:
        key = _searcher_key(searcher)
        cols = self._columns.get(key)
        if cols is None:
            with self._lock:
                cols = self._columns.get(key)
                if cols is None:
                    cols = load_columns(searcher.reader(), searcher._unsearch_gen)
                    self._columns = {key: cols}
        return cols

    def _doc_ids(self, searcher: Any, cols: Columns) -> DocIds:
        """Document ids by number for this reader, shared by every pooled searcher."""
        key = _searcher_key(searcher)
        ids = self._docids.get(key)
        if ids is None:
            with self._lock:
                ids = self._docids.get(key)
                if ids is None:  # one reader's at a time, as the columns
                    ids = DocIds(cols, self._ix.storage)
                    self._docids = {key: ids}
        return ids

    @staticmethod
    def _index_key(searcher: Any) -> tuple[str, int]:
        return _searcher_key(searcher)

    def _evaluator(self, searcher: Any, key: Any) -> Evaluator:
        """The numpy evaluator for this (pooled) searcher: its segments, their side arrays
        (memory-mapped once per generation, shared by all searchers) and length bytes."""
        segs = getattr(searcher, "_unsearch_segments", None)
        if segs is None or segs.reader is not searcher.reader():
            reader = searcher.reader()
            leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
            side = []
            gen = searcher._unsearch_gen
            for seg, _offset in leaves:
                sid = (str(gen), seg.segment().segment_id())
                if sid not in self._side:
                    self._side[sid] = SegmentPostings.load(gen, sid[1])
                side.append(self._side[sid])
            segs = Segments(reader, side)
            with self._lock:
                shared = self._lengths.setdefault(key, {})
                if len(self._lengths) > 1:
                    self._lengths = {key: shared}
            segs._lengths = shared
            searcher._unsearch_segments = segs
        return Evaluator(searcher, segs, self._terms, key, self._columns_for(searcher))

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self._meta)

    # -- searching -----------------------------------------------------------

    def search(self, query: str, *, lang: str | None = None, organ: str | None = None,
               year_from: int | None = None, year_to: int | None = None,
               sort: str = "relevance", group: str = "doc", page: int = 1,
               per_page: int = 10, country: str | None = None,
               with_lang: str | None = None,
               timeout: float | budget.Deadline | None = None) -> SearchResults:
        """Run ``query``; see the README for the query language. Raises QueryError, and
        QueryTimeout if ``timeout`` (seconds; None: no limit) runs out first.

        ``country`` is a code or a name in English or Chinese (CHN, China, 中国). With
        ``with_lang``, each hit carries its aligned passage in that language."""
        started = time.perf_counter()
        req = SearchRequest.check(query, lang=lang, organ=organ, year_from=year_from,
                                  year_to=year_to, sort=sort, group=group, page=page,
                                  per_page=per_page, country=country, with_lang=with_lang)
        if req.with_lang is not None:
            results = self.search(query, **req.with_(with_lang=None).engine_kwargs(),
                                  timeout=timeout)
            return attach_aligned(self.parallel(), results, req.with_lang, query)
        plan = QueryPlan.make(query)
        with budget.limit(timeout), self._guard(), self._searcher() as searcher:
            key = (*_searcher_key(searcher), req)
            cached = self._cache.get(key)
            if cached is not None:
                took = (time.perf_counter() - started) * 1000
                return dataclasses.replace(pickle.loads(cached), took_ms=round(took, 2))
            builder, ranker, _base, matched = self._matched(searcher, plan, req)
            # The query with its proximity bonus: the same matches, scored for the top
            # candidates only.
            full = builder.build(plan, proximity=True)
            found = ranker.collect(full, matched, req, scored=plan.scored, surface=plan.surface)
            hits = ranker.hits(found, plan.terms, query)
            suggestion = self._suggestion(searcher, query, found.total, req)
        took = (time.perf_counter() - started) * 1000
        results = SearchResults(query=query, total=found.total, page=req.page,
                                per_page=req.per_page, took_ms=round(took, 2), hits=hits,
                                facets=found.facets, sort=req.sort, group=req.group,
                                filters=req.filters, also_searched=plan.also_searched,
                                suggestion=suggestion)
        self._cache.put(key, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
        return results

    def _suggestion(self, searcher: Any, query: str, total: int,
                    req: SearchRequest) -> str | None:
        """"Did you mean" (search/spelling.py), for a query that finds little."""
        if total >= FEW:
            return None
        db = self._completions()._db()
        if db is None:
            return None

        def finds(q: str) -> int:
            return len(self._matched(searcher, QueryPlan.make(q), req, scored=False)[3])

        reader = searcher.reader()
        try:
            return correct_query(query, db, lambda w: index_frequencies(reader, w), finds)
        except (sqlite3.Error, QueryError) as e:  # a help, not the search
            log.warning("no spelling suggestion for %r: %s", query, e)
            return None

    def _verify(self, ranker: Ranker, ids: np.ndarray, phrases: list[Any]) -> np.ndarray:
        texts = ranker.texts(ids.tolist())
        keep_ = []
        for d in ids.tolist():
            budget.check()
            if d in texts and all(p.search(fold(texts[d]).text) for p in phrases):
                keep_.append(d)
        return np.asarray(keep_, dtype=np.int64)

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """A damaged index file surfaces as some low-level error deep in Whoosh:
        report it as IndexCorruptError (logged with its traceback), not a crash. A store
        locked by another process (found on opening it or on reading it) is logged on one
        line for the operator: the public answer does not name the path."""
        try:
            try:
                yield
            except sqlite3.OperationalError as e:
                locked = locked_error(self._gen / STORE_FILE if self._gen else self.path, e)
                if locked is None:
                    raise self._corrupt(e) from e
                raise locked from None
            except _CORRUPTION as e:
                raise self._corrupt(e) from e
        except StoreLockedError as e:
            log.warning("%s", str(e))
            raise

    def _corrupt(self, e: BaseException) -> IndexCorruptError:
        # One line for the operator: the cause is the index file, not this code.
        log.error("cannot read the index at %s: %s: %s", self.path, type(e).__name__, e)
        return IndexCorruptError(
            f"the index at {self.path} cannot be read ({type(e).__name__}: {e}); "
            "rebuild it with `unsearch index build`")

    # -- documents -----------------------------------------------------------

    def document(self, doc_id: str, *, query: str | None = None) -> DocumentView:
        """The whole document; with ``query``, its paragraphs highlighted. DocumentNotFound
        (a KeyError) if unknown."""
        self._check_generation()
        store = self._store()
        with self._guard():
            meta = store.meta(doc_id) if isinstance(doc_id, str) else None
            if meta is None:
                raise DocumentNotFound(doc_id)
            paragraphs = store.paragraphs(doc_id, meta["rev"])
        meta = {**meta, "title": display_title(meta.get("title") or "", meta.get("country"))}
        html_paragraphs = None
        if query:
            try:
                terms = QueryPlan.make(query).terms
                html_paragraphs = [highlight_all(p, terms, meta.get("lang")) for p in paragraphs]
            except QueryError:
                html_paragraphs = None
        versions = [{"doc_id": d, "lang": lg} for d, lg in store.by_symbol(meta["symbol"])
                    if d != doc_id] if meta.get("symbol") else []
        return DocumentView(meta=meta, paragraphs=paragraphs, paragraphs_html=html_paragraphs,
                            versions=versions)

    # -- parallel texts (search/parallel.py) ---------------------------------

    def parallel(self) -> Parallel:
        """The aligned-paragraph side of the served generation."""
        self._check_generation()
        assert self._gen is not None
        par: Parallel | None = getattr(self, "_par", None)
        if par is None or par.generation != self._gen:
            with self._lock:
                par = getattr(self, "_par", None)
                if par is None or par.generation != self._gen:
                    par = self._par = Parallel(self._gen)
        return par

    def translations(self, query: str, source: str, target: str, limit: int = 10) -> Translations:
        """How ``query`` (in language ``source``) was rendered in ``target``, from aligned
        paragraphs: the likeliest renderings with counts, shares and examples."""
        with self._guard():
            return self.parallel().translations(query, source, target, limit)

    def parallel_document(self, doc_id: str, with_lang: str, *, query: str | None = None
                          ) -> dict[str, Any]:
        """A document beside its version in ``with_lang``, paragraph against paragraph.
        DocumentNotFound (a KeyError) if there is no such document."""
        view = self.document(doc_id, query=query)
        lang = required_lang(with_lang, "with")
        with self._guard():
            return parallel_document(self, view, lang, query)

    def check(self) -> dict[str, Any]:
        """Read a little of every part of the index (a health check); IndexCorruptError if it
        cannot be read. Returns the index's counts."""
        with self._guard(), self._searcher() as searcher:
            reader = searcher.reader()
            n = reader.doc_count()
            for fieldname in ("doc_id", "lang"):
                for _i, _term in zip(range(3), reader.lexicon(fieldname), strict=False):
                    pass
            self._columns_for(searcher)
            store = self._store()
            docs = store.count()
        return {"generation": self._gen.name if self._gen else None,
                "documents": docs, "paragraphs": n}

    def info(self) -> dict[str, Any]:
        """The served generation's metadata (counts, languages, build time), as on disk now:
        an update rewrites it in place."""
        self._check_generation()
        assert self._gen is not None
        try:
            self._meta = read_meta(self._gen)
        except IndexNotFoundError:
            pass  # keep what we had: the generation is being replaced
        return {"generation": self._gen.name, **self._meta}

    def parse(self, query: str) -> Node:
        """Parse without searching (raises QueryError): for validating input early."""
        return parse(query)

    # -- trends and downloads (search/trends.py) -------------------------------

    def trends(self, queries: list[str], **filters: Any) -> Trends:
        """Matching documents and paragraphs per year for each query (at most 5), with their
        shares of the year; filters: lang, organ, country, year_from, year_to."""
        return compute_trends(self, queries, **filters)

    def export(self, query: str, *, limit: int = MAX_RESULT_WINDOW, lang: str | None = None,
               organ: str | None = None, year_from: int | None = None, year_to: int | None = None,
               country: str | None = None, sort: str = "relevance", group: str = "doc"
               ) -> SearchResults:
        """Up to ``limit`` (at most 10,000) hits in one page, for a download (CSV, JSON Lines).

        The same matches, total and facets as search(); the hits have no snippet (a download
        takes the whole paragraph: paragraph_texts()), and "relevance" is BM25 without the
        proximity and as-typed bonuses of a results page past its first 100 rows (those are
        in the pages' order): with them, 10,000 hits of a common word took half a minute
        (bench/trends.py)."""
        started = time.perf_counter()
        limit = check_limit(limit)
        req = SearchRequest.check(query, lang=lang, organ=organ, year_from=year_from,
                                  year_to=year_to, country=country, sort=sort, group=group)
        plan = QueryPlan.make(query)
        with self._guard(), self._searcher() as searcher:
            builder, ranker, base, matched = self._matched(searcher, plan, req)
            found = ranker.collect(base, matched, req, scored=plan.scored, surface=None,
                                   per_page=limit)
            if req.sort == "relevance" and plan.scored and found.raw:
                # The first rows in the order of the results pages (the word-order bonus
                # moves hits by a factor of 2): what the user saw comes first.
                head = ranker.top(builder.build(plan, proximity=True), matched, req.group,
                                  min(len(found.raw), MAX_PER_PAGE), plan.surface)
                docs = ranker.cols.doc
                unit = (lambda d: int(docs[d])) if req.group == "doc" else int
                taken = {unit(d) for d, _s in head}
                rest = [r for r in found.raw if unit(r[0]) not in taken]
                found = dataclasses.replace(found, raw=head + rest[:len(found.raw) - len(head)])
            hits = ranker.hits(found, plan.terms, query, snippets=False)
        took = round((time.perf_counter() - started) * 1000, 2)
        return SearchResults(query=query, total=found.total, page=1, per_page=limit, took_ms=took,
                             hits=hits, facets=found.facets, sort=req.sort, group=req.group,
                             filters=req.filters)

    def paragraph_texts(self, hits: list[Hit]) -> list[str]:
        """The whole paragraph of each hit, as plain text ("" if it has gone since)."""
        store = self._store()
        out = []
        for h in hits:
            rev = store.current_rev(h.doc_id)
            out.append((store.paragraph(h.doc_id, rev, h.paragraph) if rev else None) or "")
        return out

    def cost(self, query: str, *, lang: str | None = None, window: int = 10) -> int:
        """About how much work ``search(query)`` is (raises QueryError), before running it,
        for admission control (see :mod:`search.cost`): the postings it reads, and more for
        a deep page (``window`` = page × per_page), whose candidates are all ranked."""
        key = ("cost", str(self._gen), query, lang)
        cached = self._cache.get(key)
        if cached is not None:
            return int(cached) * (1 + window // 100)
        plan = QueryPlan.make(query)
        with self._guard(), self._searcher() as searcher:
            q = QueryBuilder(searcher.reader(), [lang] if lang else None, plan,
                             self._known(searcher)).build(plan, proximity=False)
            n = postings(searcher.reader(), q)
        self._cache.put(key, n)  # the same query with other pages or filters: known
        return n * (1 + window // 100)

    # -- completions ---------------------------------------------------------

    _suggester: Suggester | None = None

    def suggest(self, prefix: str, lang: str | None = None, limit: int = 8) -> list[Suggestion]:
        """Completions of ``prefix`` from the index's vocabulary, most frequent first
        (see :mod:`search.suggest`). Raises QueryError for a bad argument."""
        prefix, lang, limit = check_suggest(prefix, lang, limit)
        self._check_generation()
        suggester = self._completions()
        with self._guard():
            return suggester.suggest(prefix, lang, limit)

    def _completions(self) -> Suggester:
        """The served generation's completions (also the vocabulary of spelling suggestions)."""
        suggester = self._suggester
        if suggester is None or suggester.path.parent != self._gen:
            assert self._gen is not None
            suggester = self._suggester = Suggester(self._gen)
        return suggester

    def _matched(self, searcher: Any, plan: QueryPlan, req: SearchRequest, *,
                 scored: bool | None = None) -> tuple[QueryBuilder, Ranker, Any, Match]:
        """What search() matches under these arguments (its totals and facets), made the same
        way by export() and trends(): (the query builder, the ranker, the query without its
        proximity bonus, the match)."""
        cols = self._columns_for(searcher)
        builder = QueryBuilder(searcher.reader(), [req.lang] if req.lang else None, plan,
                               self._known(searcher))
        base = builder.build(plan, proximity=False)
        ev = self._evaluator(searcher, _searcher_key(searcher))
        ranker = Ranker(searcher, ev, cols, self._store(), self._doc_ids(searcher, cols))
        matched = ev.run(base, scored=plan.scored if scored is None else scored)
        mask = self._filter_mask(builder, cols, req)
        if mask is not None:
            matched = keep(matched, mask[matched.ids])
        # Quoted phrases match as typed through the form codes of index/surface.py; a
        # segment without them (written by an update) has its matches' text checked.
        phrases = plan.phrases
        if phrases and ev.unverified:
            check = matched.ids[np.isin(matched.ids, np.concatenate(ev.unverified))]
            failed = np.setdiff1d(check, self._verify(ranker, check, phrases))
            matched = keep(matched, ~np.isin(matched.ids, failed))
        ev.unverified = []
        return builder, ranker, base, matched

    @staticmethod
    def _filter_mask(builder: QueryBuilder, cols: Columns, req: SearchRequest) -> np.ndarray | None:
        """Which paragraphs the arguments let through (None: all)."""
        return filter_mask(cols, req, req.organ and builder.organ(req.organ),
                           resolve_country(req.country))


#: Terms whose presence in the index is remembered (about 150 bytes each), per index.
KNOWN_TERMS = 10_000


def _searcher_key(searcher: Any) -> tuple[str, int]:
    """What identifies the index a searcher reads: its generation folder and Whoosh's
    generation within it (an update)."""
    return str(searcher._unsearch_gen), searcher.reader().generation()


def _weight(value: Any) -> int:
    """The bytes a cache entry holds: pages of results are kept pickled (one block each,
    where the objects of a page held four times their size in scattered heap pages)."""
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, tuple):
        return sum(int(getattr(v, "nbytes", 64)) for v in value)
    return 64


def _close_searchers(pool: list[Any]) -> None:
    old = list(pool)
    pool.clear()
    for searcher in old:
        with contextlib.suppress(Exception):
            searcher.close()
