"""A small thread-safe LRU cache, bounded by entries or by a weight such as bytes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class LRU:
    """Least-recently-used cache of at most ``capacity`` in total ``weigh(value)``.

    A value weighing more than a quarter of the capacity is not kept: it would push
    out everything else.
    """

    def __init__(self, capacity: int, weigh: Callable[[Any], int] = lambda _v: 1) -> None:
        self.capacity = capacity
        self.weigh = weigh
        self.used = 0
        self.data: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            item = self.data.get(key)
            if item is None:
                return None
            self.data.move_to_end(key)
            return item[0]

    def put(self, key: Any, value: Any) -> None:
        weight = self.weigh(value)
        if weight > max(1, self.capacity // 4):
            return
        with self.lock:
            old = self.data.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self.data[key] = (value, weight)
            self.used += weight
            while self.used > self.capacity and self.data:
                _k, (_v, w) = self.data.popitem(last=False)
                self.used -= w

    def clear(self) -> None:
        with self.lock:
            self.data.clear()
            self.used = 0
