"""Crash safety: files and folders synced before a swap, JSON replaced atomically, and the
pause points at which the crash tests kill a writer."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .settings import setting


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    for p in path.iterdir():
        if p.is_file():
            with open(p, "rb") as f:
                os.fsync(f.fileno())
    fsync_dir(path)


def checkpoint(stage: str) -> None:
    """Fault-injection point for the crash tests: with ``UNSEARCH_FAULT_PAUSE=stage``
    the writer announces the stage on stderr and stops there, to be killed."""
    if setting("FAULT_PAUSE") == stage:
        sys.stderr.write(f"unsearch-fault-pause: {stage}\n")
        sys.stderr.flush()
        time.sleep(3600)
