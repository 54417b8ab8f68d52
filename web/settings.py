"""The web app's settings, in one table: name, default, environment variable, help.

Precedence: the default, then the ``UNSEARCH_*`` variable, then the dict given to
``create_app``. Read when an app is made, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The JSON API's limits (the contract in DESIGN.md); the library checks them too.
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 1000
MAX_RESULT_WINDOW = 10_000
UI_LANGS = ("en", "zh")


def _ui_lang(value: str) -> str:
    value = value.strip().lower()
    if value not in UI_LANGS:
        raise ValueError(f"must be one of {', '.join(UI_LANGS)}")
    return value


def _seconds(value: str) -> float:
    n = float(value)
    if not 0 < n <= 3600:
        raise ValueError("must be a number of seconds, more than 0")
    return n


def _count(value: str) -> int:
    n = int(value)
    if n < 0:
        raise ValueError("must be a whole number, 0 or more")
    return n


def _per_page(value: str) -> int:
    n = int(value)
    if not 1 <= n <= MAX_PER_PAGE:
        raise ValueError(f"must be between 1 and {MAX_PER_PAGE}")
    return n


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    env: str | None
    help: str
    parse: Callable[[str], Any] = str


SETTINGS = (
    Setting("INDEX_PATH", None, "UNSEARCH_INDEX",
            "Index directory; unset: the per-user data directory (see `unsearch index build`)."),
    Setting("DEFAULT_UI_LANG", "en", "UNSEARCH_UI_LANG",
            "Interface language when neither ?ui=, the cookie nor Accept-Language picks one.",
            _ui_lang),
    Setting("PER_PAGE", 10, "UNSEARCH_PER_PAGE", "Results per page on the HTML pages.", _per_page),
    Setting("QUERY_TIMEOUT", 2.0, "UNSEARCH_QUERY_TIMEOUT",
            "Time budget of one search, in seconds; over it: 503 with code `timeout`.", _seconds),
    Setting("HEAVY_POSTINGS", 10_000_000, "UNSEARCH_HEAVY_POSTINGS",
            "A search that reads more postings than this (estimated first) is heavy.", _count),
    Setting("HEAVY_QUERIES", 1, "UNSEARCH_HEAVY_QUERIES",
            "Heavy searches run at once in each server process (at least 1).",
            lambda v: max(1, _count(v))),
    Setting("CHEAP_POSTINGS", 20_000, "UNSEARCH_CHEAP_POSTINGS",
            "A search estimated below this (a symbol, a Chinese term, a rare word) runs at once.",
            _count),
    Setting("ORDINARY_QUERIES", 2, "UNSEARCH_ORDINARY_QUERIES",
            "Searches between cheap and heavy run this many at a time in each process (at least "
            "1); the others wait for a turn within their time budget: each holds megabytes of "
            "numpy arrays, and a process runs one at a time on its core anyway.",
            lambda v: max(1, _count(v))),
    Setting("QUEUE", 2, "UNSEARCH_QUEUE",
            "Heavy searches that may wait for a turn in each process; more: 503 `overloaded`.",
            _count),
    Setting("QUEUE_WAIT", 0.5, "UNSEARCH_QUEUE_WAIT",
            "How long a heavy search waits for a turn before a 503 `overloaded`.", _seconds),
    Setting("WARM_UP", False, None,
            "Open the index and load the analysers when the app is made (`unsearch serve` does)."),
)


def resolve(config: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Our settings with their values; other keys of ``config`` (Flask's own) pass through."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for s in SETTINGS:
        value = s.default
        if s.env and env.get(s.env):
            try:
                value = s.parse(env[s.env])
            except ValueError as e:
                raise ValueError(f"{s.env}={env[s.env]!r}: {e}") from None
        out[s.name] = value
    out.update(config or {})
    if not out["INDEX_PATH"]:
        from index import default_index_dir

        out["INDEX_PATH"] = str(default_index_dir())
    return out
