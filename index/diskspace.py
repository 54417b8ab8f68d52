"""Turning "No space left on device" into a message an operator can act on.

A build or update that fills the disk says which folder, how much space is free
and roughly how much it needs, in one line:

>>> message = disk_full_message(Path("/srv/ix"), free=3_100_000, needed=14_000_000, what="build")
>>> message.split("; ")[0]
'no space left on the disk of /srv/ix: 3.1 MB free, and this build needs about 14 MB'
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import DiskFullError, IndexReadOnlyError

#: An index takes about 2.4 times its source text (README, Performance); at its peak a
#: build of two General Debate sessions used 2.8 times (sorting runs beside segments).
INDEX_TO_SOURCE = 3.0

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


@contextlib.contextmanager
def explain_write_errors(folder: Path, *, needed: Callable[[], int], what: str) -> Iterator[None]:
    """Re-raise a full disk as DiskFullError and a read-only folder as IndexReadOnlyError,
    each with one line that names ``folder``; anything else passes through."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as e:
        if is_disk_full(e):
            raise DiskFullError(disk_full_message(folder, free=free_bytes(folder),
                                                  needed=needed(), what=what)) from None
        if isinstance(e, OSError) and e.errno in _READ_ONLY and not _writable(folder):
            raise IndexReadOnlyError(
                f"cannot write to the index folder {folder} ({os.strerror(e.errno or 0)}); "
                f"{what} it in a writable folder with --index (`unsearch serve` can still "
                "serve this one as it is)") from None
        raise


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
