"""Completions of what is being typed, from the generation's ``completions.sqlite``.

See :mod:`index.completions` for what is stored. A lookup folds the prefix as
a query is folded, then reads the stored top entries of a long prefix or,
for a rarer one, the range of keys that start with it: one primary-key read
or one short range scan, well under a millisecond on the full corpus.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from index.completions import COMPLETIONS_FILE, fold_key

log = logging.getLogger("unsearch.search")
_END = "\U0010ffff"  # sorts after every character: [prefix, prefix + _END) is the range
# The completions keep every word the documents write (the vocabulary of "Did you mean",
# search/spelling.py); a word written once is not offered as a completion.
SHOWN_WORD_COUNT = 2


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # "word" | "phrase" | "symbol"
    count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Suggester:
    """Lookups in one generation's completions; one read-only connection per thread."""

    def __init__(self, gen: Path) -> None:
        self.path = gen / COMPLETIONS_FILE
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection | None:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            if not self.path.exists():
                return None  # built before completions existed: nothing to offer
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def suggest(self, prefix: str, lang: str | None = None, limit: int = 8) -> list[Suggestion]:
        try:
            return self._suggest(prefix, lang, limit)
        except sqlite3.Error as e:
            # Completions are a help, not the search: a file an update was killed in the
            # middle of writing (its journal is rolled back by the next writer) offers none.
            log.warning("completions unavailable in %s: %s", self.path, e)
            return []

    def _suggest(self, prefix: str, lang: str | None, limit: int) -> list[Suggestion]:
        key = fold_key(prefix)
        db = self._db()
        if not key.strip() or db is None:
            return []
        scope = lang or ""
        row = db.execute("SELECT items FROM heads WHERE scope = ? AND prefix = ?", (scope, key)).fetchone()
        found: list[tuple[str, str, int, str]]
        if row is not None:
            found = [(text, kind, count, k) for text, kind, count, k in json.loads(row[0])]
        elif lang:
            found = db.execute(
                "SELECT text, kind, count, key FROM completions WHERE key >= ? AND key < ? "
                "AND lang IN (?, '') AND (kind != 'word' OR count >= ?) ORDER BY count DESC LIMIT ?",
                (key, key + _END, lang, SHOWN_WORD_COUNT, limit * 2)).fetchall()
        else:
            # One key written in several languages is one completion; its text is the
            # row with the largest count (SQLite's bare column beside max()).
            rows = db.execute(
                "SELECT text, kind, max(count), key, sum(count) AS total FROM completions "
                "WHERE key >= ? AND key < ? GROUP BY key, kind "
                "HAVING kind != 'word' OR total >= ? ORDER BY total DESC LIMIT ?",
                (key, key + _END, SHOWN_WORD_COUNT, limit * 2)).fetchall()
            found = [(text, kind, total, k) for text, kind, _best, k, total in rows]
        out: list[Suggestion] = []
        seen: set[str] = set()
        for text, kind, count, k in found:
            if k in seen:  # the same letters as a word and as a sequence of words
                continue
            seen.add(k)
            out.append(Suggestion(text, kind, int(count)))
            if len(out) == limit:
                break
        return out
