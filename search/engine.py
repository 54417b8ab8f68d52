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
import re
import sqlite3
import struct
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
from whoosh import query as wq
from whoosh.scoring import BM25F

from index.analysis import analyze, fold, stemmer
from index.build import open_index, read_meta, resolve_generation
from index.columns import Columns, lang_code, lang_name, load_columns, organ_key
from index.errors import IndexCorruptError, IndexNotFoundError
from index.model import LANGUAGES
from index.postings import SegmentPostings
from index.store import STORE_FILE, Store, locked_error

from . import budget
from .cost import postings
from .countries import country_facet, country_mask, display_title, resolve_country
from .docscore import doc_candidates, doc_scoring
from .highlight import Terms, highlight_all, snippet
from .idsets import term_cache
from .lru import LRU
from .parallel import Parallel, Translations, attach_aligned, check_lang, parallel_document
from .query import And, Node, QueryError, Text, clean_query, parse, positive_texts, symbol_query
from .results import DocumentView, Hit, SearchResults
from .suggest import Suggester, Suggestion, check_suggest_args
from .translate import Translator
from .trends import Trends, compute_trends
from .vector import Evaluator, Match, Segments, top
from .wordorder import BONUS as WORD_ORDER_BONUS
from .wordorder import typed_sequence

log = logging.getLogger("unsearch.search")

# What a damaged index file raises from deep inside Whoosh or SQLite (anything else
# is a bug here, and surfaces as itself).
_CORRUPTION = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, OSError,
               sqlite3.DatabaseError, UnicodeDecodeError)

SORTS = ("relevance", "date", "-date")
GROUPS = ("doc", "para")
MAX_PER_PAGE = 100
MAX_RESULT_WINDOW = 10_000  # page * per_page: deeper pages are refused, as in other engines
WEIGHTING = BM25F(B=0.75, K1=1.2)
CACHE_SIZE = 512  # recent result pages; the key includes the index generation


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
        self._side: dict[tuple[str, str], SegmentPostings | None] = {}
        self._lengths: dict[tuple[str, int], dict[str, np.ndarray]] = {}
        self._pool: list[Any] = []
        # Pooled searchers hold open files: close them when the engine goes away.
        weakref.finalize(self, _close_searchers, self._pool)
        self._cache = LRU(CACHE_SIZE)
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
        store = getattr(self._local, "store", None)
        if store is not None:
            store.close()
            self._local.store = None
        if self._suggester is not None:
            self._suggester.close()
        _close_searchers(self._pool)

    # -- index generations ---------------------------------------------------

    def _reopen(self) -> None:
        gen, meta, ix, store = open_index(self.path)
        store.close()
        self._gen, self._meta, self._ix = gen, meta, ix
        self._columns = {}
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
        if store is None or gen != self._gen:
            if store is not None:
                store.close()
            assert self._gen is not None
            store = Store.open(self._gen, readonly=True)
            self._local.store, self._local.gen = store, self._gen
        return store

    def _columns_for(self, searcher: Any) -> Columns:
        key = _searcher_key(searcher)
        cols = self._columns.get(key)
        if cols is None:
            with self._lock:
                cols = self._columns.get(key)
                if cols is None:
                    cols = load_columns(searcher.reader())
                    self._columns = {key: cols}
        return cols

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
        if with_lang is not None:
            results = self.search(query, lang=lang, organ=organ, year_from=year_from,
                                  year_to=year_to, sort=sort, group=group, page=page,
                                  per_page=per_page, country=country, timeout=timeout)
            return attach_aligned(self.parallel(), results, check_lang(with_lang, "with"), query)
        started = time.perf_counter()
        _check_params(lang, year_from, year_to, sort, group, page, per_page)
        countries = resolve_country(country)
        tree = parse(query)
        langs = [lang] if lang else None
        with budget.limit(timeout), self._guard(), self._searcher() as searcher:
            key = (*_searcher_key(searcher), query, lang, organ, year_from,
                   year_to, sort, group, page, per_page, country)
            cached = self._cache.get(key)
            if cached is not None:
                took = (time.perf_counter() - started) * 1000
                return dataclasses.replace(cached, took_ms=round(took, 2))
            texts = positive_texts(tree)
            scored = bool(texts) or symbol_query(query) is not None
            ev, _base, matched = self._matched(searcher, tree, query, lang, organ, year_from,
                                               year_to, countries, scored=scored)
            # The query with its proximity bonus: the same matches, scored for the top
            # candidates only.
            full = self._whoosh_query(searcher.reader(), tree, langs, symbol_query(query),
                                      proximity=True)
            cols = self._columns_for(searcher)
            surface = typed_sequence(texts)
            hits_raw, total, counts, facets = self._collect(searcher, ev, full, matched, cols, sort,
                                                            group, page, per_page, scored, surface)
            terms = Terms.from_texts(texts)
            hits = self._hits(searcher, cols, hits_raw, counts, terms, query)
        took = (time.perf_counter() - started) * 1000
        results = SearchResults(query=query, total=total, page=page, per_page=per_page,
                                took_ms=round(took, 2), hits=hits, facets=facets, sort=sort,
                                group=group, filters={"lang": lang, "organ": organ,
                                                      "year_from": year_from, "year_to": year_to,
                                                      "country": country})
        self._cache.put(key, results)
        return results

    @staticmethod
    def _whoosh_query(reader: Any, tree: Node, langs: list[str] | None, sym: str | None, *,
                      proximity: bool) -> wq.Query:
        translator = Translator(reader, langs, proximity=proximity)
        q = translator.translate(tree)
        if sym:
            q = translator.any_of([wq.Term("symbol", sym.lower(), boost=100.0), q])
        return q.normalize()

    def _top(self, searcher: Any, ev: Evaluator, full: wq.Query, matched: Match, cols: Columns,
             group: str, want: int, surface: re.Pattern[str] | None = None
             ) -> list[tuple[int, float]]:
        """The best ``want`` paragraphs (one per document with group="doc"), by relevance.

        Two phases: the query without its proximity bonus is scored for every match (numpy)
        and gives the candidates; only those are scored with the bonus. Candidates grow
        until enough documents are found.
        """
        k = max(want * 5, 50)
        assert matched.scores is not None
        # group="doc": what a document's other matching paragraphs add (search/docscore.py).
        factor, bonus = doc_scoring(ev, cols, matched.ids, matched.scores) \
            if group == "doc" else (None, None)
        first = matched.scores * factor + bonus if bonus is not None else matched.scores
        k_docs = max(want * 2, 20)
        while True:
            if bonus is not None:  # the best paragraphs of the best documents
                ids = matched.ids[doc_candidates(cols.doc_ord[matched.ids], first, cols.n_docs,
                                                 k_docs)]
            else:
                cand = top(matched.ids, first, k)
                ids = np.array(sorted(d for d, _s in cand), dtype=np.int64)
            rescored = ev.run(full, within=ids)
            scores = dict(zip(rescored.ids.tolist(), (rescored.scores if rescored.scores is not None
                                                      else np.zeros(len(rescored))).tolist(),
                              strict=True))
            # What ranks: the paragraph's score, or with group="doc" its document's
            # (search/docscore.py); which paragraph a document shows: its best paragraph score.
            ranking = dict(scores)
            if bonus is not None and factor is not None:
                rows = np.searchsorted(matched.ids, ids)
                for d, f, b in zip(ids.tolist(), factor[rows].tolist(), bonus[rows].tolist(),
                                   strict=True):
                    ranking[d] = scores.setdefault(d, 0.0) * f + b
            if surface is not None:
                # The words as typed score more (search/wordorder.py): "bringing the" before
                # "bring the" and "the bringing". Reading a paragraph's text costs a
                # decompression, so only the candidates that the bonus could lift into the
                # first ``want`` are read: the others stay below ``want`` candidates that
                # score more already.
                floor = _nth_best(ranking, cols, group, want)
                check = sorted(d for d, sc in ranking.items() if sc * WORD_ORDER_BONUS >= floor)
                for d, text in self._texts(searcher, cols, check).items():
                    if surface.search(fold(text).text):
                        scores[d] *= WORD_ORDER_BONUS
                        ranking[d] *= WORD_ORDER_BONUS
            ranked = sorted(ranking.items(), key=lambda kv: (-kv[1], kv[0]))
            if group == "doc":
                shown: dict[int, int] = {}
                for d in sorted(scores, key=lambda d: (-scores[d], d)):
                    shown.setdefault(int(cols.doc[d]), d)
                seen: set[int] = set()
                picked = []
                for d, sc in ranked:
                    doc = int(cols.doc[d])
                    if doc not in seen:
                        seen.add(doc)
                        picked.append((shown[doc], sc))
                ranked = picked
            if len(ranked) >= want or k >= len(matched):
                return ranked[:want]
            k, k_docs = k * 4, k_docs * 4

    def _texts(self, searcher: Any, cols: Columns, docnums: list[int]) -> dict[int, str]:
        """Paragraph text of these Whoosh documents (from the store)."""
        store = self._store()
        doc_ids, revs = _id_readers(searcher)
        out = {}
        for d in docnums:
            budget.check()
            text = store.paragraph(_text(doc_ids[d]), _text(revs[d]), int(cols.para[d]))
            if text is not None:
                out[d] = text
        return out

    def _verify(self, searcher: Any, cols: Columns, ids: np.ndarray,
                phrases: list[re.Pattern[str]]) -> np.ndarray:
        texts = self._texts(searcher, cols, ids.tolist())
        keep = []
        for d in ids.tolist():
            budget.check()
            if d in texts and all(p.search(fold(texts[d]).text) for p in phrases):
                keep.append(d)
        return np.asarray(keep, dtype=np.int64)

    def _collect(self, searcher: Any, ev: Evaluator, q: wq.Query, matched: Match, cols: Columns,
                 sort: str, group: str, page: int, per_page: int, scored: bool,
                 surface: re.Pattern[str] | None
                 ) -> tuple[list[tuple[int, float]], int, np.ndarray | None, dict[str, dict[str, int]]]:
        want = page * per_page
        ids = matched.ids
        per_doc: np.ndarray | None = None
        if group == "doc":
            ords = cols.doc_ord[ids]
            per_doc = np.bincount(ords, minlength=cols.n_docs)  # matching paragraphs per document
            first = np.full(cols.n_docs, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(first, ords, ids)
            rep = first[per_doc > 0]  # the first matching paragraph of each document
            total = len(rep)
        else:
            total = len(ids)
            rep = ids
        facets = _facets(cols, rep)
        if total == 0 or want - per_page >= total:
            return [], total, per_doc, facets
        if sort == "relevance" and not scored:
            sort = "-date"  # only filters: nothing to rank by, so newest first
        if sort == "relevance":
            raw = self._top(searcher, ev, q, matched, cols, group, want, surface)
            return raw[want - per_page: want], total, per_doc, facets
        reverse = sort == "-date"
        # Order documents (or paragraphs) by date with numpy; ties by position.
        order_ids = rep
        dates = cols.date[order_ids]
        # Undated documents go last in both directions.
        key = -dates if reverse else np.where(dates == 0, 2**40, dates)
        order = np.lexsort((order_ids, key))
        chosen = order_ids[order][want - per_page: want]
        if group == "doc" and scored:
            # The best-scoring paragraph of each of these documents.
            codes = cols.doc[chosen]
            restrict = ids[np.isin(cols.doc_ord[ids], cols.doc_ord[chosen])]
            best = ev.run(q, within=restrict)
            by_doc: dict[int, tuple[int, float]] = {}
            assert best.scores is not None
            for d, sc in top(best.ids, best.scores, len(best)):
                by_doc.setdefault(int(cols.doc[d]), (d, sc))
            raw = [by_doc.get(int(c), (int(d), 0.0)) for c, d in zip(codes, chosen, strict=True)]
        else:
            raw = [(int(d), 0.0) for d in chosen]
        return raw, total, per_doc, facets

    def _hits(self, s: Any, cols: Columns, raw: list[tuple[int, float]], per_doc: np.ndarray | None,
              terms: Terms, query: str, snippets: bool = True) -> list[Hit]:
        if not raw:
            return []
        store = self._store()
        hits: list[Hit] = []
        doc_ids, revs = _id_readers(s)
        for docnum, score in raw:
            doc_id = _text(doc_ids[docnum])
            rev = _text(revs[docnum])
            para = int(cols.para[docnum])
            meta = store.meta(doc_id, rev) or store.meta(doc_id)
            if meta is None:
                continue  # removed by an update between the search and now
            text = store.paragraph(doc_id, meta["rev"], para) or ""
            more = int(per_doc[cols.doc_ord[docnum]]) - 1 if per_doc is not None else 0
            hits.append(Hit(
                doc_id=doc_id, symbol=meta.get("symbol"),
                title=display_title(meta.get("title") or "", meta.get("country")),
                organ=meta.get("organ"), date=meta.get("date"), lang=meta.get("lang") or "",
                paragraph=para, score=round(float(score), 4),
                snippet_html=snippet(text, terms, meta.get("lang")) if snippets else "",
                url=document_url(doc_id, para, clean_query(query)), more=max(0, more),
                country=meta.get("country"), year=meta.get("year"),
            ))
        return hits

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """A damaged index file surfaces as some low-level error deep in Whoosh:
        report it as IndexCorruptError (logged with its traceback), not a crash."""
        try:
            yield
        except sqlite3.OperationalError as e:
            locked = locked_error(self._gen / STORE_FILE if self._gen else self.path, e)
            if locked is None:
                raise self._corrupt(e) from e
            log.warning("%s", str(locked))
            raise locked from None
        except _CORRUPTION as e:
            raise self._corrupt(e) from e

    def _corrupt(self, e: BaseException) -> IndexCorruptError:
        # One line for the operator: the cause is the index file, not this code.
        log.error("cannot read the index at %s: %s: %s", self.path, type(e).__name__, e)
        return IndexCorruptError(
            f"the index at {self.path} cannot be read ({type(e).__name__}: {e}); "
            "rebuild it with `unsearch index build`")

    # -- documents -----------------------------------------------------------

    def document(self, doc_id: str, *, query: str | None = None) -> DocumentView:
        """The whole document; with ``query``, its paragraphs highlighted. KeyError if unknown."""
        self._check_generation()
        store = self._store()
        with self._guard():
            meta = store.meta(doc_id) if isinstance(doc_id, str) else None
            if meta is None:
                raise KeyError(doc_id)
            paragraphs = store.paragraphs(doc_id, meta["rev"])
        meta = {**meta, "title": display_title(meta.get("title") or "", meta.get("country"))}
        html_paragraphs = None
        if query:
            try:
                terms = Terms.from_texts(positive_texts(parse(query)))
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
        KeyError if there is no such document."""
        view = self.document(doc_id, query=query)
        with self._guard():
            return parallel_document(self, view, check_lang(with_lang, "with"), query)

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
            docs = store.db.execute("SELECT count(*) FROM current").fetchone()[0]
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
        proximity and as-typed bonuses of a results page: with them, 10,000 hits of a common
        word took half a minute (bench/trends.py)."""
        started = time.perf_counter()
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_RESULT_WINDOW:
            raise QueryError(f"limit must be a whole number from 1 to {MAX_RESULT_WINDOW:,}")
        _check_params(lang, year_from, year_to, sort, group, 1, 1)
        tree = parse(query)
        countries = resolve_country(country)
        texts = positive_texts(tree)
        scored = bool(texts) or symbol_query(query) is not None
        with self._guard(), self._searcher() as searcher:
            cols = self._columns_for(searcher)
            ev, base, matched = self._matched(searcher, tree, query, lang, organ, year_from, year_to,
                                              countries, scored=scored)
            raw, total, per_doc, facets = self._collect(searcher, ev, base, matched, cols, sort, group,
                                                        1, limit, scored, None)
            hits = self._hits(searcher, cols, raw, per_doc, Terms.from_texts(texts), query,
                              snippets=False)
        took = round((time.perf_counter() - started) * 1000, 2)
        return SearchResults(query=query, total=total, page=1, per_page=limit, took_ms=took, hits=hits,
                             facets=facets, sort=sort, group=group,
                             filters={"lang": lang, "organ": organ, "year_from": year_from,
                                      "year_to": year_to, "country": country})

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
        tree = parse(query)
        with self._guard(), self._searcher() as searcher:
            q = self._whoosh_query(searcher.reader(), tree, [lang] if lang else None,
                                   symbol_query(query), proximity=False)
            n = postings(searcher.reader(), q)
        self._cache.put(key, n)  # the same query with other pages or filters: known
        return n * (1 + window // 100)

    # -- completions ---------------------------------------------------------

    _suggester: Suggester | None = None

    def suggest(self, prefix: str, lang: str | None = None, limit: int = 8) -> list[Suggestion]:
        """Completions of ``prefix`` from the index's vocabulary, most frequent first
        (see :mod:`search.suggest`). Raises QueryError for a bad argument."""
        check_suggest_args(prefix, lang, limit)
        self._check_generation()
        suggester = self._suggester
        if suggester is None or suggester.path.parent != self._gen:
            assert self._gen is not None
            suggester = self._suggester = Suggester(self._gen)
        with self._guard():
            return suggester.suggest(prefix, lang, limit)

    @staticmethod
    def _filter_mask(searcher: Any, cols: Columns, lang: str | None, organ: str | None,
                     year_from: int | None, year_to: int | None,
                     countries: list[str] | None) -> np.ndarray | None:
        """Which paragraphs the arguments let through (None: all)."""
        mask = _param_mask(cols, lang, organ and Translator(searcher.reader()).organ(organ),
                           year_from, year_to)
        return country_mask(cols, countries, mask) if countries is not None else mask

    def _matched(self, searcher: Any, tree: Node, query: str, lang: str | None, organ: str | None,
                 year_from: int | None, year_to: int | None, countries: list[str] | None, *,
                 scored: bool) -> tuple[Evaluator, wq.Query, Match]:
        """What search() matches under these arguments (its totals and facets), made the same
        way: (the evaluator, the query without its proximity bonus, the match)."""
        cols = self._columns_for(searcher)
        base = self._whoosh_query(searcher.reader(), tree, [lang] if lang else None,
                                  symbol_query(query), proximity=False)
        ev = self._evaluator(searcher, _searcher_key(searcher))
        matched = ev.run(base, scored=scored)
        mask = self._filter_mask(searcher, cols, lang, organ, year_from, year_to, countries)
        if mask is not None:
            matched = _keep(matched, mask[matched.ids])
        # Quoted phrases match as typed through the form codes of index/surface.py; a
        # segment without them (written by an update) has its matches' text checked.
        phrases = _phrases_to_verify(tree)
        if phrases and ev.unverified:
            check = matched.ids[np.isin(matched.ids, np.concatenate(ev.unverified))]
            failed = np.setdiff1d(check, self._verify(searcher, cols, check, phrases))
            matched = _keep(matched, ~np.isin(matched.ids, failed))
        ev.unverified = []
        return ev, base, matched


def _searcher_key(searcher: Any) -> tuple[str, int]:
    """What identifies the index a searcher reads: its generation folder and Whoosh's
    generation within it (an update)."""
    return str(searcher._unsearch_gen), searcher.reader().generation()


def _close_searchers(pool: list[Any]) -> None:
    old = list(pool)
    pool.clear()
    for searcher in old:
        with contextlib.suppress(Exception):
            searcher.close()


def document_url(doc_id: str, para: int, query: str | None = None) -> str:
    qs = f"?{urlencode({'q': query})}" if query else ""
    return f"/documents/{quote(doc_id, safe='')}{qs}#p{para}"


def _check_params(lang: str | None, year_from: int | None, year_to: int | None, sort: str,
                  group: str, page: int, per_page: int) -> None:
    if lang is not None and lang not in LANGUAGES:
        raise QueryError(f"unknown language {lang!r}: use one of {' '.join(LANGUAGES)}")
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    if group not in GROUPS:
        raise QueryError(f"group must be one of {', '.join(GROUPS)}")
    for name, v in (("page", page), ("per_page", per_page)):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise QueryError(f"{name} must be a whole number of at least 1")
    if per_page > MAX_PER_PAGE:
        raise QueryError(f"per_page must be at most {MAX_PER_PAGE}")
    if page * per_page > MAX_RESULT_WINDOW:
        raise QueryError(f"results deeper than {MAX_RESULT_WINDOW:,} are not shown; refine the query")
    for name, y in (("year_from", year_from), ("year_to", year_to)):
        if y is not None and (not isinstance(y, int) or isinstance(y, bool) or not 1 <= y <= 9999):
            raise QueryError(f"{name} must be a year such as 2015")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise QueryError("year_from is after year_to")


def _phrases_to_verify(tree: Node) -> list[re.Pattern[str]]:
    """Required quoted phrases with words a stemmer changes, as whole-word patterns."""
    items = tree.items if isinstance(tree, And) else (tree,)
    out = []
    for x in items:
        if not (isinstance(x, Text) and x.phrase and not x.field):
            continue
        toks = analyze(x.text, None, "query")
        if len(toks) < 2 or not any(t.kind == "word" for t in toks):
            continue
        if all(all(stemmer(lang) is None or stemmer(lang)(t.text) == t.text  # type: ignore[misc]
                   for lang in LANGUAGES) for t in toks if t.kind == "word"):
            continue  # no word changes under stemming: the index already matched exactly
        pieces = [re.escape(fold(x.text[t.start:t.end]).text) for t in toks]
        head = "" if toks[0].kind == "han" else r"(?<![^\W_])"
        tail = "" if toks[-1].kind == "han" else r"(?![^\W_])"
        out.append(re.compile(head + r"[\W_]{0,3}".join(pieces) + tail))
    return out


def _keep(m: Match, mask: np.ndarray) -> Match:
    return Match(m.ids[mask], m.scores[mask] if m.scores is not None else None)


def _param_mask(cols: Columns, lang: str | None, organ: str | None, year_from: int | None,
                year_to: int | None) -> np.ndarray | None:
    """Which paragraphs the lang/organ/year arguments let through (None: all)."""
    mask: np.ndarray | None = None

    def both(m: np.ndarray) -> None:
        nonlocal mask
        mask = m if mask is None else (mask & m)

    if lang:
        both(cols.lang == lang_code(lang))
    if organ:
        both(cols.organ == organ_key(organ))
    if year_from is not None:
        both(cols.year >= year_from)
    if year_to is not None:
        both((cols.year <= year_to) & (cols.year > 0))
    return mask

def _id_readers(searcher: Any) -> tuple[Any, Any]:
    """doc_id and rev column readers, made once per (pooled) searcher: opening one
    reads the column's offset table."""
    readers = getattr(searcher, "_unsearch_id_readers", None)
    if readers is None:
        r = searcher.reader()
        readers = (r.column_reader("doc_id"), r.column_reader("rev", translate=False))
        searcher._unsearch_id_readers = readers
    return readers  # type: ignore[no-any-return]


def _text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def _count(codes: np.ndarray, size: int, name: Any) -> dict[str, int]:
    """Counts of small integer codes, by name, most frequent first (code 0 = none)."""
    counts = np.bincount(codes, minlength=size) if len(codes) else np.zeros(size, np.int64)
    pairs = [(name(int(k)), int(counts[k])) for k in np.flatnonzero(counts).tolist()]
    return dict(sorted(((k, n) for k, n in pairs if k), key=lambda kv: (-kv[1], kv[0])))


def _facets(cols: Columns, rep: np.ndarray) -> dict[str, dict[str, int]]:
    years = cols.year[rep]
    years = years[years > 0]
    yc: dict[str, int] = {}
    if len(years):
        counts = np.bincount(years)
        yc = {str(y): int(counts[y]) for y in np.flatnonzero(counts)[::-1].tolist()}
    organs = cols.organ_keys
    return {"lang": _count(cols.lang[rep], len(LANGUAGES) + 1, lang_name),
            "organ": _count(cols.organ_ord[rep], len(organs),
                            lambda k: cols.organ_names.get(int(organs[k]), "") if organs[k] else ""),
            "year": yc, "country": country_facet(cols, rep)}


def _nth_best(scores: dict[int, float], cols: Columns, group: str, n: int) -> float:
    """The score of the ``n``-th best paragraph (with group="doc": of the best paragraph of
    the ``n``-th best document); minus infinity when there are fewer."""
    ranked = sorted(scores.values(), reverse=True) if group != "doc" else None
    if ranked is not None:
        return ranked[n - 1] if len(ranked) >= n else float("-inf")
    best: dict[int, float] = {}
    for d, sc in scores.items():
        key = int(cols.doc[d])
        if sc > best.get(key, float("-inf")):
            best[key] = sc
    per_doc = sorted(best.values(), reverse=True)
    return per_doc[n - 1] if len(per_doc) >= n else float("-inf")
