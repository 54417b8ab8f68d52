"""Every setting, limit and environment variable in one table: name, default, help, variable.

``TABLE`` is the app's settings (``SETTINGS``, keys of ``create_app``), the library's limits
(``search.settings.LIMITS``, the JSON API's contract, not settable) and the variables only
the index layer reads (``index.settings.ENVIRONMENT``); the README lists it. Precedence: the
default, then the variable, then the dict given to ``create_app``. Read when an app is made
(or a command runs), never at import time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from index.settings import ENVIRONMENT, INDEX_PATH, Setting
from search.settings import LIMITS, MAX_PER_PAGE

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


def _flag(value: str) -> bool:
    return value.strip().lower() not in ("", "0", "false", "no")


SETTINGS = (
    INDEX_PATH,
    Setting("DEFAULT_UI_LANG", "en",
            "Interface language when neither ?ui=, the cookie nor Accept-Language picks one.",
            env="UNSEARCH_UI_LANG", parse=_ui_lang),
    Setting("PER_PAGE", 10, "Results per page on the HTML pages.", env="UNSEARCH_PER_PAGE",
            parse=_per_page),
    Setting("QUERY_TIMEOUT", 2.0,
            "Time budget of one search, in seconds; over it: 503 with code `timeout`.",
            env="UNSEARCH_QUERY_TIMEOUT", parse=_seconds),
    Setting("HEAVY_POSTINGS", 10_000_000,
            "A search that reads more postings than this (estimated first) is heavy.",
            env="UNSEARCH_HEAVY_POSTINGS", parse=_count),
    Setting("HEAVY_QUERIES", 1, "Heavy searches run at once in each server process (at least 1).",
            env="UNSEARCH_HEAVY_QUERIES", parse=lambda v: max(1, _count(v))),
    Setting("CHEAP_POSTINGS", 20_000,
            "A search estimated below this (a symbol, a Chinese term, a rare word) has its turn "
            "before the others waiting.",
            env="UNSEARCH_CHEAP_POSTINGS", parse=_count),
    Setting("ORDINARY_QUERIES", 1,
            "Searches that are not heavy run this many at a time in each process (at least 1); "
            "the others wait for a turn in order, cheap ones first, within their time budget: "
            "a process runs one at a time on its core anyway (the GIL), and each holds "
            "megabytes of numpy arrays.",
            env="UNSEARCH_ORDINARY_QUERIES", parse=lambda v: max(1, _count(v))),
    Setting("QUEUE", 2,
            "Heavy searches that may wait for a turn in each process; more: 503 `overloaded`.",
            env="UNSEARCH_QUEUE", parse=_count),
    Setting("QUEUE_WAIT", 0.5, "How long a heavy search waits for a turn before a 503 `overloaded`.",
            env="UNSEARCH_QUEUE_WAIT", parse=_seconds),
    Setting("WARM_UP", False,
            "Open the index and load the analysers when the app is made (`unsearch serve` does)."),
    Setting("NO_PROGRESS", False,
            "No progress bar for `unsearch index build` and `update`, even on a terminal.",
            env="UNSEARCH_NO_PROGRESS", parse=_flag),
)
TABLE = (*SETTINGS, *LIMITS, *ENVIRONMENT)  # everything, for help and the README
_BY_NAME = {s.name: s for s in TABLE}


def setting(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One setting's value from its default and environment variable (no app needed)."""
    return _BY_NAME[name].value(environ)


def resolve(config: Mapping[str, Any] | None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Our settings with their values; other keys of ``config`` (Flask's own) pass through."""
    out: dict[str, Any] = {s.name: s.value(environ) for s in SETTINGS}
    out.update(config or {})
    if not out["INDEX_PATH"]:
        from index import default_index_dir

        out["INDEX_PATH"] = str(default_index_dir())
    return out
