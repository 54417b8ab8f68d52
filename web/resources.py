"""One open index per process, shared by the requests.

As in Flask's tutorial, a request gets its resource from ``get_engine()``, which
caches it on ``g``. The resource here is the library's ``SearchEngine``: it is
thread-safe, lends each search a pooled Whoosh searcher (the "searcher per
request") and follows a rebuilt or updated index by itself, so the app opens it
once, lazily, and opens it again only while there is no usable index.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, g

from index import IndexNotFoundError
from search import SearchEngine

log = logging.getLogger(__name__)
EXTENSION = "unsearch"


class EngineHolder:
    """The app's SearchEngine, opened on first use; IndexNotFoundError while there is none."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._engine: SearchEngine | None = None
        self._lock = threading.Lock()
        self._last_error: str | None = None

    def get(self) -> SearchEngine:
        engine = self._engine
        if engine is not None:
            return engine
        with self._lock:
            if self._engine is None:
                try:
                    self._engine = SearchEngine.open(self.path)
                except IndexNotFoundError as e:
                    if str(e) != self._last_error:  # once per distinct reason, not per request
                        log.warning("index unavailable: %s", e)
                        self._last_error = str(e)
                    raise
                log.info("serving the index at %s", self.path)
                self._last_error = None
            return self._engine

    def warm_up(self) -> None:
        """Open the index and run one search, so the first user does not wait for jieba."""
        try:
            self.get().search("联合国 united nations", per_page=1)
        except IndexNotFoundError:
            pass  # logged by get(); the app answers 503 until an index appears
        except Exception as e:  # a warm-up must never stop the server from starting
            # One line: the index changing under a starting worker is not a bug here.
            log.error("warm-up search failed: %s: %s", type(e).__name__, str(e))

    def before_fork(self) -> None:
        """Close the engine's open files and SQLite connections, which must not cross a
        fork, and keep what it loaded (columns, caches): forked workers share those pages
        and open their own files on first use."""
        with self._lock:
            if self._engine is not None:
                self._engine.close()

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
                self._engine = None


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = EngineHolder(str(app.config["INDEX_PATH"]))
    app.teardown_appcontext(_teardown)


def holder(app: Flask | None = None) -> EngineHolder:
    return (app or current_app).extensions[EXTENSION]  # type: ignore[no-any-return]


def get_engine() -> SearchEngine:
    """The engine for this request; IndexNotFoundError (→ 503) if there is no usable index."""
    if "engine" not in g:
        g.engine = holder().get()
    engine: SearchEngine = g.engine
    return engine


def _teardown(exc: BaseException | None) -> None:
    # The engine outlives the request (it pools searchers itself); just drop the reference.
    g.pop("engine", None)


def index_status(engine: SearchEngine) -> dict[str, Any]:
    """Generation and counts of the index being served, for /healthz and the home page."""
    info = engine.info()
    return {"generation": info.get("generation"), "documents": info.get("documents"),
            "paragraphs": info.get("paragraphs"), "languages": info.get("languages") or {},
            "built": info.get("built"), "updated": info.get("updated")}
