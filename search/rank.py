"""From the matching paragraphs to a page of hits: top-k, grouping, facets, date order.

The engine matches (``SearchEngine._matched``); a :class:`Ranker` made for one search, over
one pooled searcher, then picks the page's paragraphs (:meth:`Ranker.collect`) and makes
them into hits (:meth:`Ranker.hits`). Counts come from the index's numpy columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np
from whoosh import query as wq

from index.analysis import fold
from index.columns import Columns, lang_code, lang_name, organ_key
from index.model import LANGUAGES
from index.store import Store

from . import budget
from .countries import country_facet, country_mask, display_title
from .docids import DocIds
from .docscore import doc_candidates, doc_scoring
from .highlight import Terms, snippet
from .query import clean_query
from .request import SearchRequest
from .results import Hit
from .vector import Evaluator, Match, top
from .wordorder import BONUS as WORD_ORDER_BONUS

Raw = list[tuple[int, float]]  # (Whoosh document number, score) of a page's paragraphs


@dataclass(frozen=True)
class Page:
    """What ``collect`` picked: the page's paragraphs, the total, matches per document."""

    raw: Raw
    total: int  # documents (group="doc") or paragraphs
    per_doc: np.ndarray | None  # with group="doc": matching paragraphs per document
    facets: dict[str, dict[str, int]]


@dataclass
class Ranker:
    """Ranking for one search: its searcher, evaluator, columns and document store."""

    searcher: Any
    ev: Evaluator
    cols: Columns
    store: Store
    ids: DocIds | None = None  # the engine's, shared by all searchers of this reader

    def doc_ids(self, docnums: list[int]) -> list[tuple[str, str]]:
        """(doc_id, rev) of these live Whoosh documents."""
        if self.ids is None:
            self.ids = DocIds(self.cols)
        return self.ids.get(self.searcher.reader(), docnums)

    def texts(self, docnums: list[int]) -> dict[int, str]:
        """Paragraph text of these Whoosh documents (from the store)."""
        cols = self.cols
        out = {}
        for d, (doc_id, rev) in zip(docnums, self.doc_ids(docnums), strict=True):
            budget.check()
            text = self.store.paragraph(doc_id, rev, int(cols.para[d]))
            if text is not None:
                out[d] = text
        return out

    def collect(self, q: wq.Query, matched: Match, req: SearchRequest, *, scored: bool,
                surface: re.Pattern[str] | None, per_page: int | None = None) -> Page:
        """The page ``req`` asks for (``per_page`` rows, by default the request's)."""
        cols = self.cols
        group, sort = req.group, req.sort
        per_page = per_page or req.per_page
        want = req.page * per_page
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
        found = facets(cols, rep)
        if total == 0 or want - per_page >= total:
            return Page([], total, per_doc, found)
        if sort == "relevance" and not scored:
            sort = "-date"  # only filters: nothing to rank by, so newest first
        if sort == "relevance":
            raw = self.top(q, matched, group, want, surface)
            return Page(raw[want - per_page: want], total, per_doc, found)
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
            best = self.ev.run(q, within=restrict)
            by_doc: dict[int, tuple[int, float]] = {}
            assert best.scores is not None
            for d, sc in top(best.ids, best.scores, len(best)):
                by_doc.setdefault(int(cols.doc[d]), (d, sc))
            raw = [by_doc.get(int(c), (int(d), 0.0)) for c, d in zip(codes, chosen, strict=True)]
        else:
            raw = [(int(d), 0.0) for d in chosen]
        return Page(raw, total, per_doc, found)

    def top(self, full: wq.Query, matched: Match, group: str, want: int,
            surface: re.Pattern[str] | None = None) -> Raw:
        """The best ``want`` paragraphs (one per document with group="doc"), by relevance.

        Two phases: the query without its proximity bonus is scored for every match (numpy)
        and gives the candidates; only those are scored with the bonus. Candidates grow
        until enough documents are found.
        """
        cols = self.cols
        k = max(want * 5, 50)
        assert matched.scores is not None
        # group="doc": what a document's other matching paragraphs add (search/docscore.py).
        factor, bonus = doc_scoring(self.ev, cols, matched.ids, matched.scores) \
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
            rescored = self.ev.run(full, within=ids)
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
                floor = nth_best(ranking, cols, group, want)
                check = sorted(d for d, sc in ranking.items() if sc * WORD_ORDER_BONUS >= floor)
                for d, text in self.texts(check).items():
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

    def hits(self, page: Page, terms: Terms, query: str, snippets: bool = True) -> list[Hit]:
        """The page's paragraphs as hits: metadata from the store, a highlighted snippet."""
        if not page.raw:
            return []
        cols, store, per_doc = self.cols, self.store, page.per_doc
        out: list[Hit] = []
        ids = self.doc_ids([docnum for docnum, _score in page.raw])
        for (docnum, score), (doc_id, rev) in zip(page.raw, ids, strict=True):
            para = int(cols.para[docnum])
            meta = store.meta(doc_id, rev) or store.meta(doc_id)
            if meta is None:
                continue  # removed by an update between the search and now
            text = store.paragraph(doc_id, meta["rev"], para) or ""
            more = int(per_doc[cols.doc_ord[docnum]]) - 1 if per_doc is not None else 0
            out.append(Hit(
                doc_id=doc_id, symbol=meta.get("symbol"),
                title=display_title(meta.get("title") or "", meta.get("country")),
                organ=meta.get("organ"), date=meta.get("date"), lang=meta.get("lang") or "",
                paragraph=para, score=round(float(score), 4),
                snippet_html=snippet(text, terms, meta.get("lang")) if snippets else "",
                url=document_url(doc_id, para, clean_query(query)), more=max(0, more),
                country=meta.get("country"), year=meta.get("year"),
            ))
        return out


def document_url(doc_id: str, para: int, query: str | None = None) -> str:
    qs = f"?{urlencode({'q': query})}" if query else ""
    return f"/documents/{quote(doc_id, safe='')}{qs}#p{para}"


def keep(m: Match, mask: np.ndarray) -> Match:
    return Match(m.ids[mask], m.scores[mask] if m.scores is not None else None)


def filter_mask(cols: Columns, req: SearchRequest, organ: str | None,
                countries: list[str] | None) -> np.ndarray | None:
    """Which paragraphs the request's lang, organ (as the index spells it), years and
    countries let through (None: all)."""
    mask: np.ndarray | None = None

    def both(m: np.ndarray) -> None:
        nonlocal mask
        mask = m if mask is None else (mask & m)

    if req.lang:
        both(cols.lang == lang_code(req.lang))
    if organ:
        both(cols.organ == organ_key(organ))
    if req.year_from is not None:
        both(cols.year >= req.year_from)
    if req.year_to is not None:
        both((cols.year <= req.year_to) & (cols.year > 0))
    return country_mask(cols, countries, mask) if countries is not None else mask


def count(codes: np.ndarray, size: int, name: Any) -> dict[str, int]:
    """Counts of small integer codes, by name, most frequent first (code 0 = none)."""
    counts = np.bincount(codes, minlength=size) if len(codes) else np.zeros(size, np.int64)
    pairs = [(name(int(k)), int(counts[k])) for k in np.flatnonzero(counts).tolist()]
    return dict(sorted(((k, n) for k, n in pairs if k), key=lambda kv: (-kv[1], kv[0])))


def facets(cols: Columns, rep: np.ndarray) -> dict[str, dict[str, int]]:
    years = cols.year[rep]
    years = years[years > 0]
    yc: dict[str, int] = {}
    if len(years):
        counts = np.bincount(years)
        yc = {str(y): int(counts[y]) for y in np.flatnonzero(counts)[::-1].tolist()}
    organs = cols.organ_keys
    return {"lang": count(cols.lang[rep], len(LANGUAGES) + 1, lang_name),
            "organ": count(cols.organ_ord[rep], len(organs),
                           lambda k: cols.organ_names.get(int(organs[k]), "") if organs[k] else ""),
            "year": yc, "country": country_facet(cols, rep)}


def nth_best(scores: dict[int, float], cols: Columns, group: str, n: int) -> float:
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
