"""Turns (web/admission.py): searches that are not heavy run one at a time per process, the
others waiting in order, cheap ones first, within their time budget."""

from __future__ import annotations

import threading
import time

import pytest

from search.budget import Deadline, QueryTimeout
from web.admission import Turns


def _waiter(turns: Turns, name: str, cheap: bool, order: list[str], started: threading.Event,
            budget: float = 10.0) -> threading.Thread:
    def run() -> None:
        started.set()
        try:
            with turns.turn(Deadline(budget), cheap=cheap):
                order.append(name)
        except QueryTimeout:
            order.append(name + ":timeout")

    t = threading.Thread(target=run)
    t.start()
    started.wait(5)
    time.sleep(0.05)  # it is waiting now (the slot is held)
    return t


def test_cheap_searches_have_their_turn_first_then_the_others_in_order() -> None:
    turns = Turns(1)
    order: list[str] = []
    release = threading.Event()
    holding = threading.Event()

    def holder() -> None:
        with turns.turn(Deadline(10)):
            holding.set()
            release.wait(10)
        order.append("holder done")

    h = threading.Thread(target=holder)
    h.start()
    assert holding.wait(5)
    waiters = [_waiter(turns, name, cheap, order, threading.Event())
               for name, cheap in (("common 1", False), ("common 2", False), ("symbol", True))]
    assert order == []  # all wait while the one slot is held
    release.set()
    for t in (h, *waiters):
        t.join(10)
    assert order == ["holder done", "symbol", "common 1", "common 2"]
    # The slot is free again: a search now has its turn at once.
    t0 = time.monotonic()
    with turns.turn(Deadline(1)):
        pass
    assert time.monotonic() - t0 < 0.5


def test_a_wait_longer_than_the_budget_is_a_timeout_and_frees_its_place() -> None:
    turns = Turns(1)
    order: list[str] = []
    with turns.turn(Deadline(10)):
        late = _waiter(turns, "late", False, order, threading.Event(), budget=0.2)
        late.join(5)
        assert order == ["late:timeout"]
    with turns.turn(Deadline(1)):  # nobody is left waiting for the slot
        pass
    with pytest.raises(QueryTimeout):
        with turns.turn(Deadline(0.0)), turns.turn(Deadline(0.0)):
            pass
