"""The one check of search arguments, shared by the library and the web app.

The library is called with typed values (``page=2``), the web app with its query string
(``"2"``): both end in the same checks below, so a bad value gets the same message from
``SearchEngine.search`` as from ``/api/search`` (``ParamError``: a 400 ``bad_parameter``).

>>> SearchRequest.check("安全理事会", page=2, sort="-date").page
2
>>> SearchRequest.from_args({"q": " climate ", "per_page": "5"}).per_page
5
>>> SearchRequest.check("x", per_page=101)
Traceback (most recent call last):
search.errors.ParamError: per_page must be a whole number from 1 to 100
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any, Self

from index.model import LANGUAGES

from .countries import country_code
from .errors import ParamError
from .settings import (
    MAX_FILTER_CHARS,
    MAX_PER_PAGE,
    MAX_PREFIX_CHARS,
    MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW,
    MAX_SUGGESTIONS,
    MAX_TREND_QUERIES,
)

SORTS = ("relevance", "date", "-date")
GROUPS = ("doc", "para")
_DIGITS = re.compile(r"[0-9]{1,9}")  # int() would also take "٣", "1_0" and " 7 "
_YEAR = "a year such as 2015"


def whole(name: str, value: object, what: str, lo: int = 1, hi: int | None = None) -> int:
    """``value`` as a whole number from ``lo`` to ``hi``: an int, or its digits as typed in
    a URL; ParamError "{name} must be {what}" otherwise."""
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise ParamError(f"{name} must be {what}, not {value[:40]!r}")
        n = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        raise ParamError(f"{name} must be {what}")
    if n < lo or (hi is not None and n > hi):
        raise ParamError(f"{name} must be {what}")
    return n


def one_of(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ParamError(f"{name} must be one of {', '.join(choices)}, not {str(value)[:20]!r}")
    return value


def check_lang(value: object, name: str = "lang", *, required: bool = False) -> str | None:
    """A language code (lang, with, from, to), lower-cased; None when absent and not required."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ParamError(f"{name} is required: one of {', '.join(LANGUAGES)}")
        return None
    return one_of(name, value.strip().lower() if isinstance(value, str) else value, LANGUAGES)


def required_lang(value: object, name: str) -> str:
    """A language code that must be given (with, from, to)."""
    lang = check_lang(value, name)
    if lang is None:
        raise ParamError(f"{name} must be one of {', '.join(LANGUAGES)}, not {value!r}")
    return lang


def check_length(q: str, limit: int = MAX_QUERY_CHARS) -> None:
    """A query (or a prefix to complete) no longer than ``limit`` characters."""
    if len(q) > limit:
        raise ParamError(f"the query is too long: {len(q):,} characters, at most {limit:,}",
                         "query_too_long")


def check_q(value: object, what: str, *, limit: int = MAX_QUERY_CHARS) -> str:
    """A request's ``q`` (or a query of a trend), as typed: present, not too long, no NUL."""
    if not isinstance(value, str) or not value.strip():
        raise ParamError(f"q is required: {what}", "missing_query")
    check_length(value, limit)
    if "\x00" in value:
        raise ParamError("the query contains a NUL character", "bad_query")
    return value


def check_filters(lang: object = None, organ: object = None, country: object = None,
                  year_from: object = None, year_to: object = None
                  ) -> tuple[str | None, str | None, str | None, int | None, int | None]:
    """lang, organ, country, year_from, year_to: shared by searches, downloads and trends."""
    lang_ = check_lang(lang)
    organ_ = _text(organ)
    if organ_ is not None and len(organ_) > MAX_FILTER_CHARS:
        raise ParamError(f"organ is longer than {MAX_FILTER_CHARS} characters")
    country_ = _text(country)
    if country_ is not None and (len(country_) > MAX_FILTER_CHARS or not country_code(country_)):
        raise ParamError(f"unknown country {country_[:40]!r}: use a code such as CHN or a name "
                         "such as China or 中国")
    years = [None if _text(y) is None else whole(name, _text(y), _YEAR, 1, 9999)
             for name, y in (("year_from", year_from), ("year_to", year_to))]
    if years[0] is not None and years[1] is not None and years[0] > years[1]:
        raise ParamError("year_from is after year_to")
    return lang_, organ_, country_, years[0], years[1]


def check_limit(value: object, *, hi: int = MAX_RESULT_WINDOW) -> int:
    """The rows of a download (``limit``)."""
    return whole("limit", value, f"a whole number from 1 to {hi:,}", 1, hi)


def check_trend_queries(queries: object) -> list[str]:
    """One to five queries (a string is one); blank ones left out."""
    if isinstance(queries, str):
        queries = [queries]
    given = [q for q in queries if isinstance(q, str) and q.strip()] \
        if isinstance(queries, list | tuple) else []
    if not given:
        raise ParamError("give at least one query: q=…&q=…", "missing_query")
    if len(given) > MAX_TREND_QUERIES:
        raise ParamError(f"at most {MAX_TREND_QUERIES} queries in one trend, not {len(given)}")
    return given


def check_suggest(prefix: object, lang: object, limit: object) -> tuple[str, str | None, int]:
    """A completion lookup's arguments: the text typed so far, lang, limit."""
    if not isinstance(prefix, str):
        raise ParamError("the prefix must be text", "bad_query")
    check_length(prefix, MAX_PREFIX_CHARS)
    if "\x00" in prefix:
        raise ParamError("the query contains a NUL character", "bad_query")
    return (prefix, check_lang(lang),
            whole("limit", limit, f"a whole number from 1 to {MAX_SUGGESTIONS}", 1, MAX_SUGGESTIONS))


def _text(value: object) -> Any:
    """A string argument stripped (None when blank); anything else as it is."""
    if isinstance(value, str):
        return value.strip() or None
    return value


@dataclass(frozen=True)
class SearchRequest:
    """The arguments of one search, checked: what ``SearchEngine.search`` runs."""

    q: str
    lang: str | None = None
    organ: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    group: str = "doc"
    page: int = 1
    per_page: int = 10
    with_lang: str | None = None  # each hit beside its aligned passage in this language
    country: str | None = None

    @classmethod
    def check(cls, q: str, *, lang: object = None, organ: object = None,
              year_from: object = None, year_to: object = None, sort: object = "relevance",
              group: object = "doc", page: object = 1, per_page: object = 10,
              country: object = None, with_lang: object = None) -> Self:
        """Check every argument; ParamError names the first bad one."""
        lang_, organ_, country_, y_from, y_to = check_filters(lang, organ, country,
                                                               year_from, year_to)
        sort_ = one_of("sort", sort, SORTS)
        group_ = one_of("group", group, GROUPS)
        page_ = whole("page", page, "a whole number of at least 1")
        per_page_ = whole("per_page", per_page, f"a whole number from 1 to {MAX_PER_PAGE}", 1,
                          MAX_PER_PAGE)
        if page_ * per_page_ > MAX_RESULT_WINDOW:
            raise ParamError(f"results deeper than {MAX_RESULT_WINDOW:,} are not shown; "
                             "refine the query")
        return cls(q=q, lang=lang_, organ=organ_, year_from=y_from, year_to=y_to, sort=sort_,
                   group=group_, page=page_, per_page=per_page_, country=country_,
                   with_lang=check_lang(with_lang, "with"))

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, default_per_page: int = 10) -> Self:
        """The same from a query string (``?q=…&page=2``): blank values are absent."""
        q = check_q(args.get("q"), "the words to search for").strip()
        return cls.check(q, lang=args.get("lang"), organ=args.get("organ"),
                         year_from=args.get("year_from"), year_to=args.get("year_to"),
                         sort=_text(args.get("sort")) or "relevance",
                         group=_text(args.get("group")) or "doc",
                         page=_text(args.get("page")) or 1,
                         per_page=_text(args.get("per_page")) or default_per_page,
                         country=args.get("country"), with_lang=args.get("with"))

    def engine_kwargs(self) -> dict[str, Any]:
        """``SearchEngine.search``'s keyword arguments for this request."""
        d = asdict(self)
        del d["q"]
        return d

    def with_(self, **changes: Any) -> Self:
        return replace(self, **changes)

    @property
    def filters(self) -> dict[str, Any]:
        return {"lang": self.lang, "organ": self.organ, "year_from": self.year_from,
                "year_to": self.year_to, "country": self.country}
