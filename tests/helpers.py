"""Helpers shared by the tests and the bench (``from tests.helpers import …`` in bench/)."""

from __future__ import annotations

import contextlib
import functools
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: UN terms and their renderings in every language, written for this project (tests and bench).
TERMS = Path(__file__).resolve().parent / "data" / "un_term_renderings.tsv"


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@functools.cache
def _opencc_s2t() -> Any:
    import opencc

    return opencc.OpenCC("s2t")


def s2t(text: str) -> str:
    """Simplified → traditional Chinese script (OpenCC)."""
    return str(_opencc_s2t().convert(text))


def full_width(text: str, *, punctuation: bool = True) -> str:
    """Printable ASCII → its full-width forms (U+FF01…); with ``punctuation=False`` only
    digits, Latin letters and brackets."""
    return "".join(chr(ord(c) + 0xFEE0)
                   if "!" <= c <= "~" and (punctuation or c.isalnum() or c in "()") else c
                   for c in text)


_LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@contextlib.contextmanager
def store_locked(store: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding an exclusive SQLite lock on ``store`` (a ``docs.sqlite``)
    while the body runs; yields that process (its pid names it in messages)."""
    locker = subprocess.Popen([sys.executable, "-c", _LOCKER, str(store)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert locker.stdin and locker.stdout
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield locker
    finally:
        locker.stdin.close()
        locker.wait(timeout=30)
        locker.stdout.close()
