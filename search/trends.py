"""Trends: how many documents and paragraphs match a query, year by year, and their share.

The matches are the very set :meth:`SearchEngine.search` counts (its ``total`` and year
facet), taken once over the whole index as a numpy array of paragraph numbers; the
per-year figures are ``bincount`` over the index's year column, so a trend costs about
what one search's facets cost, however many years it spans.  The denominators (documents
and paragraphs of each year) come from the same columns, under the same lang / organ /
country / year arguments, so a share answers "of what was said that year, how much".
Filters written inside a query (``lang:en``) narrow only that query's matches.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from index.columns import Columns

from .countries import resolve_country
from .errors import QueryError
from .idsets import IdEvaluator
from .plan import QueryPlan
from .request import SearchRequest, check_trend_queries
from .translate import QueryBuilder

if TYPE_CHECKING:
    from .engine import SearchEngine

FILTERS = ("lang", "organ", "country", "year_from", "year_to")
CSV_COLUMNS = ("query", "year", "documents", "paragraphs", "documents_in_year",
               "paragraphs_in_year", "per_1000_documents", "per_10000_paragraphs")


@dataclass(frozen=True)
class TrendYear:
    year: int
    documents: int  # matching documents of this year
    paragraphs: int  # matching paragraphs
    documents_in_year: int  # all documents of this year (under the arguments' filters)
    paragraphs_in_year: int

    @property
    def per_1000_documents(self) -> float:
        return round(1000 * self.documents / self.documents_in_year, 3) if self.documents_in_year else 0.0

    @property
    def per_10000_paragraphs(self) -> float:
        return round(10000 * self.paragraphs / self.paragraphs_in_year, 3) \
            if self.paragraphs_in_year else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "documents": self.documents, "paragraphs": self.paragraphs,
                "documents_in_year": self.documents_in_year,
                "paragraphs_in_year": self.paragraphs_in_year,
                "per_1000_documents": self.per_1000_documents,
                "per_10000_paragraphs": self.per_10000_paragraphs}


@dataclass(frozen=True)
class TrendSeries:
    query: str
    total: int  # matching documents over all years (search()'s total with group="doc")
    paragraphs: int
    years: list[TrendYear]

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "paragraphs": self.paragraphs,
                "years": [y.to_dict() for y in self.years]}


@dataclass
class Trends:
    """One series per query; every year that has documents (under the filters) is in
    every series, with zeros where the query matches nothing."""

    series: list[TrendSeries]
    filters: dict[str, Any] = field(default_factory=dict)
    took_ms: float = 0.0
    unit: str = "year"

    def __iter__(self) -> Any:
        return iter(self.series)

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "filters": self.filters, "took_ms": self.took_ms,
                "series": [s.to_dict() for s in self.series]}

    def rows(self) -> list[dict[str, Any]]:
        """One row per query and year, the CSV's columns."""
        return [{"query": s.query, **y.to_dict()} for s in self.series for y in s.years]

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(self.rows())
        return out.getvalue()


def _per_year(years: np.ndarray, size: int) -> np.ndarray:
    years = years[(years > 0) & (years < size)]
    return np.bincount(years, minlength=size)


def _docs_and_paras(cols: Columns, ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Documents and paragraphs per year among these paragraphs."""
    if not len(ids):
        z = np.zeros(size, dtype=np.int64)
        return z, z
    _u, first = np.unique(cols.doc[ids], return_index=True)
    return _per_year(cols.year[ids[first]], size), _per_year(cols.year[ids], size)


def compute_trends(engine: SearchEngine, queries: list[str] | tuple[str, ...],
                   **filters: Any) -> Trends:
    started = time.perf_counter()
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise TypeError(f"unknown filter(s): {', '.join(sorted(unknown))}")
    queries = check_trend_queries(queries)
    req = SearchRequest.check("", **filters)
    lang, organ, year_from, year_to = req.lang, req.organ, req.year_from, req.year_to
    countries = resolve_country(req.country)
    plans = []
    for q in queries:
        try:
            plans.append(QueryPlan.make(q))
        except QueryError as e:
            raise QueryError(f"{q}: {e}") from e
    with engine._guard(), engine._searcher() as searcher:
        cols = engine._columns_for(searcher)
        size = int(cols.year.max()) + 1 if len(cols) else 1
        # Denominators: the live paragraphs the arguments let through.
        key = ("trends-base", *engine._index_key(searcher), lang, organ,
               tuple(countries or ()), year_from, year_to)
        base = engine._cache.get(key)
        if base is None:
            live = IdEvaluator(searcher).every()
            mask = engine._filter_mask(QueryBuilder(searcher.reader()), cols, req)
            if mask is not None:
                live = live[mask[live]]
            base = _docs_and_paras(cols, live, size)
            engine._cache.put(key, base)
        docs_in, paras_in = base
        years = np.flatnonzero(docs_in)
        series = []
        for q, plan in zip(queries, plans, strict=True):
            ids = engine._matched(searcher, plan, req, scored=False)[3].ids
            docs, paras = _docs_and_paras(cols, ids, size)
            total = len(np.unique(cols.doc[ids])) if len(ids) else 0
            series.append(TrendSeries(
                query=q, total=total, paragraphs=len(ids),
                years=[TrendYear(year=int(y), documents=int(docs[y]), paragraphs=int(paras[y]),
                                 documents_in_year=int(docs_in[y]),
                                 paragraphs_in_year=int(paras_in[y])) for y in years]))
    took = round((time.perf_counter() - started) * 1000, 2)
    return Trends(series=series, took_ms=took,
                  filters={k: filters.get(k) for k in FILTERS})
