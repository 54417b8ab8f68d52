"""Request parameters → the library's arguments, or a 400 with a message that says why.

The pages and the API share this, so a bad value gets the same answer in both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from index import LANGUAGES
from search import country_code
from search.suggest import MAX_LIMIT, MAX_PREFIX_CHARS

from .settings import MAX_PER_PAGE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW

SORTS = ("relevance", "date", "-date")
GROUPS = ("doc", "para")
_DIGITS = re.compile(r"[0-9]{1,9}")  # int() would also take "٣", "1_0" and " 7 "
MAX_ORGAN_CHARS = 200


class ParamError(ValueError):
    """A request parameter that cannot be used: a 400, with ``code`` for the JSON body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SearchParams:
    q: str
    lang: str | None = None
    organ: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    group: str = "doc"
    page: int = 1
    per_page: int = 10
    with_lang: str | None = None  # ?with=en: each hit beside its aligned translation
    country: str | None = None

    def engine_kwargs(self) -> dict[str, Any]:
        d = asdict(self)
        del d["q"]
        return d

    def with_(self, **changes: Any) -> SearchParams:
        return replace(self, **changes)

    def query_args(self, default_per_page: int) -> dict[str, str]:
        """The URL parameters that give these params back (defaults left out)."""
        out: dict[str, str] = {"q": self.q}
        for key, value, default in (
            ("lang", self.lang, None), ("organ", self.organ, None),
            ("year_from", self.year_from, None), ("year_to", self.year_to, None),
            ("sort", self.sort, "relevance"), ("group", self.group, "doc"),
            ("page", self.page, 1), ("per_page", self.per_page, default_per_page),
            ("with", self.with_lang, None),
            ("country", self.country, None),
        ):
            if value is not None and value != default:
                out[key] = str(value)
        return out


def _text(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _int(args: Mapping[str, str], name: str, default: int | None, what: str) -> int | None:
    raw = _text(args, name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):
        raise ParamError("bad_parameter", f"{name} must be {what}, not {raw[:40]!r}")
    return int(raw)


def _lang(args: Mapping[str, str]) -> str | None:
    lang = _text(args, "lang")
    if lang is not None:
        lang = lang.lower()
        if lang not in LANGUAGES:
            raise ParamError("bad_parameter",
                             f"lang must be one of {', '.join(LANGUAGES)}, not {lang[:20]!r}")
    return lang


def parse_search(args: Mapping[str, str], *, default_per_page: int = 10) -> SearchParams:
    """Check every search parameter; ParamError names the first bad one."""
    q = parse_q(args, "the words to search for")

    lang, organ, country, year_from, year_to = parse_filters(args)
    sort = _text(args, "sort") or "relevance"
    if sort not in SORTS:
        raise ParamError("bad_parameter", f"sort must be one of {', '.join(SORTS)}, not {sort[:20]!r}")
    group = _text(args, "group") or "doc"
    if group not in GROUPS:
        raise ParamError("bad_parameter", f"group must be one of {', '.join(GROUPS)}, not {group[:20]!r}")

    page = _int(args, "page", 1, "a whole number of at least 1")
    per_page = _int(args, "per_page", default_per_page, f"a whole number from 1 to {MAX_PER_PAGE}")
    assert page is not None and per_page is not None
    if page < 1:
        raise ParamError("bad_parameter", "page must be a whole number of at least 1")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ParamError("bad_parameter", f"per_page must be a whole number from 1 to {MAX_PER_PAGE}")
    if page * per_page > MAX_RESULT_WINDOW:
        raise ParamError("bad_parameter",
                         f"results deeper than {MAX_RESULT_WINDOW:,} are not shown; refine the query")

    with_lang = parse_lang(args, "with")
    return SearchParams(q=q, lang=lang, organ=organ, year_from=year_from, year_to=year_to,
                        sort=sort, group=group, page=page, per_page=per_page, country=country,
                        with_lang=with_lang)


def parse_filters(args: Mapping[str, str]
                  ) -> tuple[str | None, str | None, str | None, int | None, int | None]:
    """lang, organ, country, year_from, year_to: shared by searches and trends."""
    lang = _lang(args)
    organ = _text(args, "organ")
    if organ is not None and len(organ) > MAX_ORGAN_CHARS:
        raise ParamError("bad_parameter", f"organ is longer than {MAX_ORGAN_CHARS} characters")
    country = parse_country(args)
    year_from = _int(args, "year_from", None, "a year such as 2015")
    year_to = _int(args, "year_to", None, "a year such as 2015")
    for name, year in (("year_from", year_from), ("year_to", year_to)):
        if year is not None and not 1 <= year <= 9999:
            raise ParamError("bad_parameter", f"{name} must be a year such as 2015")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ParamError("bad_parameter", "year_from is after year_to")
    return lang, organ, country, year_from, year_to


def parse_q(args: Mapping[str, str], what: str) -> str:
    """The q parameter, stripped: present, not too long, no NUL."""
    raw_q = args.get("q")
    if raw_q is None or not raw_q.strip():
        raise ParamError("missing_query", f"q is required: {what}")
    if len(raw_q) > MAX_QUERY_CHARS:
        raise ParamError("query_too_long",
                         f"the query is {len(raw_q):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
    if "\x00" in raw_q:
        raise ParamError("bad_query", "the query contains a NUL character")
    return raw_q.strip()


def parse_lang(args: Mapping[str, str], name: str, *, required: bool = False) -> str | None:
    """A language code parameter (with=, from=, to=), checked."""
    value = _text(args, name)
    if value is None:
        if required:
            raise ParamError("bad_parameter", f"{name} is required: one of {', '.join(LANGUAGES)}")
        return None
    value = value.lower()
    if value not in LANGUAGES:
        raise ParamError("bad_parameter",
                         f"{name} must be one of {', '.join(LANGUAGES)}, not {value[:20]!r}")
    return value

def parse_country(args: Mapping[str, str]) -> str | None:
    """``country=``: a code or a name in English or Chinese; a 400 if it is neither."""
    country = _text(args, "country")
    if country is None:
        return None
    if len(country) > MAX_ORGAN_CHARS or not country_code(country):
        raise ParamError("bad_parameter", f"unknown country {country[:40]!r}: use a code such as "
                         "CHN or a name such as China or 中国")
    return country


def valid_doc_id(doc_id: str) -> bool:
    """False for ids no index can hold: path tricks and control characters are a 404."""
    if not doc_id or len(doc_id) > 512 or doc_id != doc_id.strip():
        return False
    if any(ord(c) < 32 or c == "\x7f" for c in doc_id):
        return False
    return not any(part in ("", ".", "..") for part in re.split(r"[/\\]", doc_id))



@dataclass(frozen=True)
class SuggestParams:
    q: str
    lang: str | None = None
    limit: int = 8


def parse_suggest(args: Mapping[str, str]) -> SuggestParams:
    """The completion request's parameters: q (the text typed so far), lang, limit."""
    raw_q = args.get("q")
    if raw_q is None or not raw_q.strip():
        raise ParamError("missing_query", "q is required: the text typed so far")
    if len(raw_q) > MAX_PREFIX_CHARS:
        raise ParamError("query_too_long",
                         f"q is {len(raw_q):,} characters long; completions take at most "
                         f"{MAX_PREFIX_CHARS}")
    if "\x00" in raw_q:
        raise ParamError("bad_query", "the query contains a NUL character")
    lang = _lang(args)
    limit = _int(args, "limit", 8, f"a whole number from 1 to {MAX_LIMIT}")
    assert limit is not None
    if not 1 <= limit <= MAX_LIMIT:
        raise ParamError("bad_parameter", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    # Leading spaces never matter; a trailing one does ("united " asks for what follows).
    return SuggestParams(q=raw_q.lstrip(), lang=lang, limit=limit)
