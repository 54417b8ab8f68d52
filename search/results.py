"""The typed results of the library API; ``to_dict()`` is the JSON API's shape."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One result: a paragraph (with group="doc", the best paragraph of its document)."""

    doc_id: str
    symbol: str | None
    title: str
    organ: str | None
    date: str | None
    lang: str
    paragraph: int  # 1-based number of the paragraph in its document
    score: float
    snippet_html: str  # escaped text, <mark> around the matched words only
    url: str  # the document page, anchored at the paragraph
    more: int = 0  # with group="doc": other matching paragraphs of this document
    country: str | None = None
    year: int | None = None
    # With search(..., with_lang=…): {"lang", "doc_id", "paragraph", "text", "snippet_html", …}
    # of the aligned passage, or None where the document has no version in that language.
    aligned: dict[str, Any] | None = None
    with_lang: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "doc_id": self.doc_id, "symbol": self.symbol, "title": self.title,
            "organ": self.organ, "date": self.date, "lang": self.lang,
            "paragraph": self.paragraph, "score": self.score,
            "snippet_html": self.snippet_html, "url": self.url,
            "more": self.more, "country": self.country, "year": self.year,
        }
        if self.with_lang is not None:
            d["aligned"] = self.aligned
        return d

    def snippet_text(self, *, color: bool = False) -> str:
        """The snippet for a terminal: matches in bold yellow, or [brackets] when piped."""
        if color:
            s = self.snippet_html.replace("<mark>", "\x1b[1;33m").replace("</mark>", "\x1b[0m")
        else:
            s = self.snippet_html.replace("<mark>", "[").replace("</mark>", "]")
        return html.unescape(re.sub(r"<(?!/?mark>)[^>]*>", "", s))


@dataclass
class SearchResults:
    """A page of results; iterate for the hits."""

    query: str
    total: int  # documents (group="doc") or paragraphs (group="para") that match
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    sort: str = "relevance"
    group: str = "doc"
    filters: dict[str, Any] = field(default_factory=dict)
    # The other forms of abbreviations in the query that were searched too (search/synonyms.py)
    also_searched: list[str] = field(default_factory=list)
    # "Did you mean": a corrected query, for one with rare words that finds little
    suggestion: str | None = None

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query, "total": self.total, "page": self.page,
            "per_page": self.per_page, "took_ms": self.took_ms,
            "sort": self.sort, "group": self.group,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets,
            "also_searched": self.also_searched, "suggestion": self.suggestion,
        }


@dataclass
class DocumentView:
    """A whole document: its metadata, paragraphs and other-language versions."""

    meta: dict[str, Any]
    paragraphs: list[str]
    paragraphs_html: list[str] | None = None  # highlighted for a query, when asked
    versions: list[dict[str, str]] = field(default_factory=list)

    @property
    def doc_id(self) -> str:
        return str(self.meta["id"])

    def to_dict(self) -> dict[str, Any]:
        m = {k: v for k, v in self.meta.items() if k not in ("rev", "source")}
        m["doc_id"] = m.pop("id")
        m["paragraphs"] = self.paragraphs
        m["versions"] = self.versions
        return m
