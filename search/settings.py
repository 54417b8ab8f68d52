"""The library's limits, ``Setting(name, default, help)`` of index/settings.py without a variable.

The limits here are the library's and the JSON API's contract (README, "GET /api/search"):
``search.request`` checks every argument against them, and the web app lists them beside
its own settings and the index layer's (web/settings.py). A limit cannot be changed.
"""

from __future__ import annotations

from index.completions import HEAD_ITEMS
from index.settings import Setting

LIMITS = (
    Setting("MAX_QUERY_CHARS", 1000, "Characters of one query (q)."),
    Setting("MAX_PER_PAGE", 100, "Hits on one page (per_page)."),
    Setting("MAX_RESULT_WINDOW", 10_000,
            "page × per_page, and the rows of one download: deeper pages are refused, as in "
            "other engines."),
    Setting("MAX_FILTER_CHARS", 200, "Characters of an organ or country argument."),
    Setting("MAX_PREFIX_CHARS", 100, "Characters of a prefix to complete (/api/suggest q)."),
    Setting("MAX_SUGGESTIONS", HEAD_ITEMS,
            "Completions of one lookup: the index stores this many per frequent prefix."),
    Setting("MAX_TREND_QUERIES", 5, "Queries in one trend."),
    Setting("MAX_RENDERINGS", 100, "Renderings of one translation lookup."),
)
_LIMIT = {s.name: s.default for s in LIMITS}
MAX_QUERY_CHARS: int = _LIMIT["MAX_QUERY_CHARS"]
MAX_PER_PAGE: int = _LIMIT["MAX_PER_PAGE"]
MAX_RESULT_WINDOW: int = _LIMIT["MAX_RESULT_WINDOW"]
MAX_FILTER_CHARS: int = _LIMIT["MAX_FILTER_CHARS"]
MAX_PREFIX_CHARS: int = _LIMIT["MAX_PREFIX_CHARS"]
MAX_SUGGESTIONS: int = _LIMIT["MAX_SUGGESTIONS"]
MAX_TREND_QUERIES: int = _LIMIT["MAX_TREND_QUERIES"]
MAX_RENDERINGS: int = _LIMIT["MAX_RENDERINGS"]
