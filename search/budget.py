"""A time budget per query: a deadline set around a search, checked in its loops.

The deadline travels in a context variable rather than through every function's
arguments, so a loop anywhere below ``SearchEngine.search`` checks it with one
call, ``budget.check()``, and costs nothing when no budget is set::

    with budget.limit(2.0):
        ...                     # in each loop over postings or candidates:
        budget.check()          # QueryTimeout once the 2 s are spent

Each thread has its own deadline (context variables are per thread), so the
threads of a server do not share one.

>>> with limit(None):
...     check()                                   # no budget: never raises
>>> import time
>>> with limit(0.001):
...     time.sleep(0.01)
...     check()
Traceback (most recent call last):
...
search.budget.QueryTimeout: the query took longer than its time budget of 0.001 s; make it more specific
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from typing import Any

from whoosh.collectors import FilterCollector, WrappingCollector

from index.errors import UnsearchError


class QueryTimeout(UnsearchError):
    """The query did not finish within its time budget (HTTP: 503 with Retry-After)."""

    code = "timeout"
    status = 503
    retry_after = 1

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the query took longer than its time budget of {seconds:g} s; "
                         "make it more specific")


class Deadline:
    """A point in time ``seconds`` from now (monotonic clock)."""

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise QueryTimeout(self.seconds)


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("unsearch_deadline",
                                                                            default=None)


@contextlib.contextmanager
def limit(seconds: float | Deadline | None) -> Iterator[Deadline | None]:
    """Run the body under a deadline (None: no limit; an enclosing one still holds)."""
    if seconds is None:
        yield _current.get()
        return
    deadline = seconds if isinstance(seconds, Deadline) else Deadline(seconds)
    outer = _current.get()
    if outer is not None and outer.at < deadline.at:
        deadline = outer  # a caller's tighter budget wins
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def check() -> None:
    """Raise QueryTimeout if the current deadline has passed (a no-op without one)."""
    deadline = _current.get()
    if deadline is not None and time.monotonic() > deadline.at:
        raise QueryTimeout(deadline.seconds)


class _DeadlineCollector(WrappingCollector):
    """Checks the deadline every 64 matches while Whoosh collects (its loop is ours to
    interrupt only from here: a heavy OR walks millions of postings inside Whoosh)."""

    def matches(self) -> Iterator[int]:
        n = 0
        for docnum in self.child.matches():
            n += 1
            if not n & 63:
                check()
            yield docnum


def search(searcher: Any, q: Any, *, limit: int | None, filter: Any = None) -> Any:  # noqa: A002
    """``searcher.search(q, limit=…, filter=…)`` that stops at the current deadline."""
    check()
    if _current.get() is None:
        return searcher.search(q, limit=limit, filter=filter)
    top = _DeadlineCollector(searcher.collector(limit=limit))
    collector = FilterCollector(top, allow=filter) if filter is not None else top
    searcher.search_with_collector(q, collector)
    return collector.results()
