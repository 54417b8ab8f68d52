"""Admission control: heavy queries cannot starve the service.

Each server process runs at most ``HEAVY_QUERIES`` heavy searches at a time
(estimated before running, by the postings they will read: ``SearchEngine.cost``)
and lets at most ``QUEUE`` more wait for a turn, for at most ``QUEUE_WAIT``
seconds; beyond that a heavy search is refused at once with 503 and
``Retry-After``. Cheap searches (a symbol, a rare word) never wait for heavy
ones. Ordinary searches (common words: tens of milliseconds, megabytes of numpy
arrays each) run ``ORDINARY_QUERIES`` at a time and wait for a turn within their
budget: the process runs one at a time on its core anyway, and memory stays bounded.
Every search runs under the time budget ``QUERY_TIMEOUT``, counted from
the moment the request arrived, so waiting for a turn uses up budget too: no
request is answered later than the budget (plus the last check's overshoot).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from flask import Flask, current_app

from index import UnsearchError
from search import SearchEngine, SearchResults
from search.budget import Deadline, QueryTimeout

EXTENSION = "unsearch.admission"


class Overloaded(UnsearchError):
    """More heavy queries than this server takes: 503 with Retry-After, at once."""

    code = "overloaded"
    status = 503

    def __init__(self, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__("the server is busy with other long searches; try again in a moment")


class Admission:
    """Slots and a bounded wait for heavy queries, in one process (threads share it)."""

    def __init__(self, heavy_slots: int, queue: int, queue_wait: float) -> None:
        self._slots = threading.BoundedSemaphore(heavy_slots)
        self._queue = queue
        self._queue_wait = queue_wait
        self._waiting = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def heavy(self, deadline: Deadline) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            with self._lock:
                full = self._waiting >= self._queue
                if not full:
                    self._waiting += 1
            if full:
                raise Overloaded()
            try:
                got = self._slots.acquire(timeout=max(0.0, min(self._queue_wait, deadline.remaining())))
            finally:
                with self._lock:
                    self._waiting -= 1
            if not got:
                raise Overloaded()
        try:
            yield
        finally:
            self._slots.release()


    @contextlib.contextmanager
    def turn(self, deadline: Deadline) -> Iterator[None]:
        """A slot, waited for as long as the time budget allows (QueryTimeout after)."""
        if not self._slots.acquire(timeout=max(0.0, deadline.remaining())):
            raise QueryTimeout(deadline.seconds)
        try:
            yield
        finally:
            self._slots.release()


def init_app(app: Flask) -> None:
    cfg = app.config
    app.extensions[EXTENSION] = (Admission(cfg["HEAVY_QUERIES"], cfg["QUEUE"], cfg["QUEUE_WAIT"]),
                                 Admission(cfg["ORDINARY_QUERIES"], 0, 0.0))


def run_search(engine: SearchEngine, q: str, **kwargs: Any) -> SearchResults:
    """``engine.search`` under the app's time budget, heavy queries through admission.

    Raises QueryError, QueryTimeout (→ 503 timeout) and Overloaded (→ 503 overloaded).
    """
    cfg = current_app.config
    deadline = Deadline(cfg["QUERY_TIMEOUT"])
    heavy, ordinary = current_app.extensions[EXTENSION]
    window = int(kwargs.get("page") or 1) * int(kwargs.get("per_page") or 10)
    cost = engine.cost(q, lang=kwargs.get("lang"), window=window)
    if cost <= cfg["CHEAP_POSTINGS"]:
        return engine.search(q, **kwargs, timeout=deadline)
    if cost <= cfg["HEAVY_POSTINGS"]:
        with ordinary.turn(deadline):
            return engine.search(q, **kwargs, timeout=deadline)
    with heavy.heavy(deadline):
        return engine.search(q, **kwargs, timeout=deadline)
