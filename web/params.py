"""Request parameters → the library's arguments; the checks themselves are the library's.

``search.request`` checks every search argument, for the library and for the pages and
the API alike, so a bad value gets the same answer everywhere: a ``ParamError``, which the
one error handler (web/errors.py) turns into a 400.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from search.errors import ParamError
from search.request import SearchRequest, check_filters, check_lang, check_q, check_suggest


@dataclass(frozen=True)
class SearchParams(SearchRequest):
    """A search request as the pages keep it in their links."""

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


def parse_search(args: Mapping[str, str], *, default_per_page: int = 10) -> SearchParams:
    """Check every search parameter; ParamError names the first bad one."""
    return SearchParams.from_args(args, default_per_page=default_per_page)


def parse_filters(args: Mapping[str, str]
                  ) -> tuple[str | None, str | None, str | None, int | None, int | None]:
    """lang, organ, country, year_from, year_to: shared by searches and trends."""
    return check_filters(args.get("lang"), args.get("organ"), args.get("country"),
                         args.get("year_from"), args.get("year_to"))


def parse_q(args: Mapping[str, str], what: str) -> str:
    """The q parameter, stripped: present, not too long, no NUL."""
    return check_q(args.get("q"), what).strip()


def parse_lang(args: Mapping[str, str], name: str, *, required: bool = False) -> str | None:
    """A language code parameter (with=, from=, to=), checked."""
    return check_lang(args.get(name), name, required=required)


def text_arg(args: Mapping[str, str], name: str) -> str | None:
    """A parameter stripped; None when absent or blank."""
    value = (args.get(name) or "").strip()
    return value or None


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
        raise ParamError("q is required: the text typed so far", "missing_query")
    prefix, lang, limit = check_suggest(raw_q, args.get("lang"), text_arg(args, "limit") or 8)
    # Leading spaces never matter; a trailing one does ("united " asks for what follows).
    return SuggestParams(q=prefix.lstrip(), lang=lang, limit=limit)
