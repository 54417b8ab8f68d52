"""One writer at a time: the index folder's writer lock, and who holds it."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from .durable import write_json_atomic
from .errors import IndexLockedError

LOCK_FILE = ".lock"
LOCK_INFO = ".lock.json"
DEFAULT_LOCK_TIMEOUT = 30.0


@contextlib.contextmanager
def writer_lock(root: Path, command: str, timeout: float = DEFAULT_LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the index's writer lock; wait up to ``timeout`` seconds for another writer.

    flock(2) is released by the kernel when a process dies, even by kill -9, so a
    killed writer never leaves the index locked.
    """
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexLockedError(
                        f"another writer is using the index at {root}: {_lock_holder(root)}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(0.2)
        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                "started": datetime.now(UTC).isoformat(timespec="seconds")}
        with contextlib.suppress(OSError):
            write_json_atomic(root / LOCK_INFO, info)
        yield
    finally:
        os.close(fd)


def _lock_holder(root: Path) -> str:
    try:
        info = json.loads((root / LOCK_INFO).read_text("utf-8"))
        return f"`unsearch index {info['command']}` (pid {info['pid']}, since {info['started']})"
    except (OSError, ValueError, KeyError):
        return "an unknown process"
