"""Admission control: heavy queries cannot starve the service.

Each server process runs at most ``HEAVY_QUERIES`` heavy searches at a time
(estimated before running, by the postings they will read: ``SearchEngine.cost``)
and lets at most ``QUEUE`` more wait for a turn, for at most ``QUEUE_WAIT``
seconds; beyond that a heavy search is refused at once with 503 and
``Retry-After``. The other searches, cheap (a symbol, a rare word) and ordinary
(common words: tens of milliseconds, megabytes of numpy arrays each), take turns:
``ORDINARY_QUERIES`` at a time (1), cheap ones first (a symbol lookup waits for one
search at most), never waiting for heavy ones. A process runs one search at a time on
its core anyway (the GIL): cheap searches running beside the others only shared the
core, and the common-word searches took longer for it (bench.http on the full corpus:
80 → 92–99 requests/s, p95 326 → 224–232 ms). In plain arrival order, p95 was lower
still (185 ms) but a symbol lookup would wait behind every common-word search queued.
Every search runs under the time budget ``QUERY_TIMEOUT``, counted from
the moment the request arrived, so waiting for a turn uses up budget too: no
request is answered later than the budget (plus the last check's overshoot).
"""

from __future__ import annotations

import contextlib
import threading
from collections import deque
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


class Turns:
    """``slots`` searches at a time in one process, the others waiting in order, the cheap
    ones before the rest, each for as long as its time budget allows (QueryTimeout after)."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._lock = threading.Lock()
        self._cheap: deque[threading.Event] = deque()
        self._others: deque[threading.Event] = deque()

    @contextlib.contextmanager
    def turn(self, deadline: Deadline, *, cheap: bool = False) -> Iterator[None]:
        waiting = self._cheap if cheap else self._others
        with self._lock:
            ahead = self._cheap or (not cheap and self._others)
            if self._free > 0 and not ahead:
                self._free -= 1
                mine = None
            else:
                mine = threading.Event()
                waiting.append(mine)
        if mine is not None and not mine.wait(max(0.0, deadline.remaining())):
            with self._lock:
                if not mine.is_set():  # else the turn came just now: take it
                    waiting.remove(mine)
                    raise QueryTimeout(deadline.seconds)
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._lock:
            for waiting in (self._cheap, self._others):
                if waiting:
                    waiting.popleft().set()  # the turn passes on: the slot stays taken
                    return
            self._free += 1


def init_app(app: Flask) -> None:
    cfg = app.config
    app.extensions[EXTENSION] = (Admission(cfg["HEAVY_QUERIES"], cfg["QUEUE"], cfg["QUEUE_WAIT"]),
                                 Turns(cfg["ORDINARY_QUERIES"]))


def run_search(engine: SearchEngine, q: str, **kwargs: Any) -> SearchResults:
    """``engine.search`` under the app's time budget, heavy queries through admission.

    Raises QueryError, QueryTimeout (→ 503 timeout) and Overloaded (→ 503 overloaded).
    """
    cfg = current_app.config
    deadline = Deadline(cfg["QUERY_TIMEOUT"])
    heavy, turns = current_app.extensions[EXTENSION]
    window = int(kwargs.get("page") or 1) * int(kwargs.get("per_page") or 10)
    cost = engine.cost(q, lang=kwargs.get("lang"), window=window)
    if cost <= cfg["HEAVY_POSTINGS"]:
        with turns.turn(deadline, cheap=cost <= cfg["CHEAP_POSTINGS"]):
            return engine.search(q, **kwargs, timeout=deadline)
    with heavy.heavy(deadline):
        return engine.search(q, **kwargs, timeout=deadline)
