"""Turning "No space left on device" into a message an operator can act on.

A build or update that fills the disk says which folder, how much space is free
and roughly how much it needs, in one line:

>>> message = disk_full_message(Path("/srv/ix"), free=3_100_000, needed=14_000_000, what="build")
>>> message.split("; ")[0]
'no space left on the disk of /srv/ix: 3.1 MB free, and this build needs about 14.0 MB'
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import DiskFullError, IndexReadOnlyError

#: An index takes about 2.4 times its source text (README, Performance), but a build
#: needs more for a moment: measured on a General Debate session with one writer, the
#: peak was 4.9 times, as Whoosh assembles its compound segment file from the separate
#: files it wrote (the segment exists twice), next to SQLite's write-ahead log.
INDEX_TO_SOURCE = 5.0

_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def is_disk_full(e: BaseException) -> bool:
    if isinstance(e, OSError):
        return e.errno in _FULL
    # SQLite reports a full disk as "database or disk is full" (SQLITE_FULL).
    return isinstance(e, sqlite3.OperationalError) and "disk is full" in str(e)


def free_bytes(folder: Path) -> int:
    """Free space on the file system of ``folder`` (or of its nearest existing parent)."""
    for p in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            return shutil.disk_usage(p).free
    return 0


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB" if n < 100e6 else f"{n / 1e6:,.0f} MB"


def disk_full_message(folder: Path, *, free: int, needed: int, what: str) -> str:
    about = "up to about" if what == "update" else "about"  # an update rewrites only changes
    return (f"no space left on the disk of {folder}: {_mb(free)} free, and this {what} needs "
            f"{about} {_mb(needed)}; free some space or use --index on another disk "
            "(the index being served is unchanged)")


class explain_write_errors:  # noqa: N801 - used like a function, as a `with` statement
    """Re-raise a full disk as DiskFullError and a read-only folder as IndexReadOnlyError,
    each with one line that names ``folder``; anything else passes through."""

    def __init__(self, folder: Path, *, needed: Callable[[], int], what: str) -> None:
        self.folder, self.needed, self.what = folder, needed, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ: Any, e: BaseException | None, tb: Any) -> None:
        if not isinstance(e, (OSError, sqlite3.OperationalError)):
            return
        if isinstance(e, OSError) and e.errno in _READ_ONLY and not _writable(self.folder):
            hint = ("build into a writable folder with --index" if self.what == "build"
                    else "copy it to a writable folder to update it")
            raise IndexReadOnlyError(
                f"the index folder {self.folder} is read-only ({os.strerror(e.errno or 0)}): "
                f"{hint}; `unsearch serve` can still serve it as it is") from None
        if not is_disk_full(e):
            return
        # The abandoned writer's files, still open (reachable from the traceback's
        # frames), still hold their space: let them go before measuring what is free.
        e.__traceback__ = None
        del tb
        gc.collect()
        raise DiskFullError(disk_full_message(self.folder, free=free_bytes(self.folder),
                                              needed=self.needed(), what=self.what)) from None


def _writable(folder: Path) -> bool:
    for p in (folder, *folder.parents):
        if p.exists():
            return os.access(p, os.W_OK) and not _read_only_mount(p)
    return False


def _read_only_mount(p: Path) -> bool:
    try:
        return bool(os.statvfs(p).f_flag & os.ST_RDONLY)
    except OSError:
        return False
