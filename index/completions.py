"""Completions for the search box, counted at index time and kept in the generation.

A generation folder holds ``completions.sqlite`` beside ``docs.sqlite``: the
words, the common word sequences and the document symbols of the indexed text,
each with how often it occurs.  Rows are keyed by the *folded* form (as a query
is folded: case, width, traditional → simplified), so ``sustain``, ``SUSTAIN``
and ``ｓｕｓｔａｉｎ`` find the same rows, and carry the surface form written most
often ("Sustainable Development Goals", capitalised as the documents write it).

Why SQLite and not an in-memory trie: a server process keeps its memory for
searching; a sorted table answers a prefix as a range of its primary key.
A short prefix ("s", "安") matches tens of thousands of rows, too many to sort
per keystroke, so the top entries of every prefix with more than
:data:`HEAD_MIN` rows are stored ready-made in ``heads``.

What is counted (see :func:`count_text`):

- Chinese: jieba's words of two or more characters (segmented as the index
  segments them) and sequences of two or three of them inside one run of Han
  characters (可持续发展目标, 安全理事会决议);
- other languages: words of three or more letters that are not stop words, and
  sequences of two or three words with no punctuation or digits between them,
  that neither start nor end with a stop word ("sustainable development",
  "Security Council", "Charter of the United Nations" is too long and is not);
- document symbols, one count per language version.

A build counts everything (pruning rare sequences when the tables grow past
:data:`PRUNE_AT`, so memory stays bounded on a large corpus) and keeps what
occurs at least :data:`MIN_COUNT` times; an update subtracts the old text of
the documents it replaces or removes and adds the new text.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .analysis import HAN_RUN, _cut, fold
from .store import decode_body

COMPLETIONS_FILE = "completions.sqlite"

MIN_COUNT = {"word": 1, "phrase": 3, "symbol": 1}
MAX_ROWS_PER_KIND = 200_000  # per language: the rest are rarer than anyone types
PRUNE_AT = 1_500_000  # distinct sequences of one language held while counting
HEAD_MIN = 2_000  # a prefix with more rows than this gets its top entries stored
HEAD_ITEMS = 20  # = the most completions one lookup returns
HEAD_MAX_PREFIX = 16
COHESION = 0.1  # see _cohesive

_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT NOT NULL, lang TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
    count INTEGER NOT NULL, PRIMARY KEY (key, lang, kind)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS heads (
    scope TEXT NOT NULL, prefix TEXT NOT NULL, items TEXT NOT NULL,
    PRIMARY KEY (scope, prefix)) WITHOUT ROWID;
"""

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# Punctuation and digits end a word sequence: "peace, and security" holds no "peace and".
_BREAK = re.compile(r"[^\w\s'’\-]+|[\d_]+|\s[-'’]+\s")
_SPACES = re.compile(r"\s+")
# French elision: "d'un", "l'Organisation" are the words "un" and "Organisation".
_ELISION = re.compile(r"\b(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


@functools.cache
def _stops(lang: str) -> frozenset[str]:
    from whoosh.lang import stopwords_for_language

    try:
        return frozenset(stopwords_for_language(lang))
    except Exception:  # no list for this language (Arabic): frequency decides alone
        return frozenset()


def fold_key(text: str) -> str:
    """The form a completion is matched on: folded as queries are, spaces collapsed.

    >>> fold_key("Sustainable  Development Goals")
    'sustainable development goals'
    >>> fold_key("安全理事會")
    '安全理事会'
    """
    return _SPACES.sub(" ", fold(text).text).lstrip()


@dataclass
class Counts:
    """Surface forms counted per (language, kind)."""

    tables: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    _floor: dict[str, int] = field(default_factory=dict)

    def add_document(self, lang: str, paragraphs: Iterable[str], symbol: str | None = None,
                     title: str = "") -> None:
        if symbol:
            self.tables[("", "symbol")][symbol] += 1
        words = self.tables[(lang, "word")]
        phrases = self.tables[(lang, "phrase")]
        paragraphs = list(paragraphs)
        # A title is often the first paragraph again (the Parallel Corpus): count it once.
        extra = [title] if title and not (paragraphs and title in paragraphs[0]) else []
        for text in extra + paragraphs:
            count_text(text, lang, words, phrases)
        if len(phrases) > PRUNE_AT:
            self._prune(lang, phrases)

    def _prune(self, lang: str, phrases: Counter[str]) -> None:
        # Lossy counting: drop the rarest sequences seen so far. A sequence that is common
        # overall is common in any long stretch of text, so it survives.
        floor = self._floor.get(lang, 1)
        while len(phrases) > PRUNE_AT // 2:
            for k in [k for k, c in phrases.items() if c <= floor]:
                del phrases[k]
            floor += 1
        self._floor[lang] = floor

    def rows(self, minimum: bool = True) -> Iterator[tuple[str, str, str, str, int]]:
        """(key, lang, kind, surface written most often, count), grouped by folded key."""
        merged = {lk: _merge(table) for lk, table in self.tables.items()}
        for (lang, kind), rows in merged.items():
            stops = _stops(lang) if lang else frozenset()
            least = MIN_COUNT[kind] if minimum else 1
            if kind == "phrase" and minimum:
                rows = _cohesive(rows, merged.get((lang, "word"), {}))
            shortest = 2 if lang == "zh" else 3
            kept = [(key, text, n) for key, (text, n) in rows.items()
                    if n >= least and (kind != "word" or (key not in stops and len(key) >= shortest))]
            if minimum and len(kept) > MAX_ROWS_PER_KIND:
                kept.sort(key=lambda r: -r[2])
                del kept[MAX_ROWS_PER_KIND:]
            for key, text, n in kept:
                if lang == "zh" and kind == "phrase":  # counted with spaces between the words
                    key, text = key.replace(" ", ""), text.replace(" ", "")
                yield key, lang, kind, text, n


def _merge(table: Counter[str]) -> dict[str, tuple[str, int]]:
    """Folded key → (the surface written most often, the count of all its surfaces)."""
    best: dict[str, tuple[str, int, int]] = {}
    for surface, n in table.items():
        key = fold_key(surface)
        old = best.get(key)
        if old is None:
            best[key] = (surface, n, n)
        else:
            text, top, total = old
            best[key] = (surface, n, total + n) if n > top else (text, top, total + n)
    return {k: (text, total) for k, (text, _top, total) in best.items()}


def _cohesive(phrases: dict[str, tuple[str, int]], words: dict[str, tuple[str, int]]
              ) -> dict[str, tuple[str, int]]:
    """The sequences that are more than words that happen to meet.

    Kept: a sequence that makes up at least :data:`COHESION` of the occurrences of its
    first or its last word ("sustainable development", 安全理事会主席), and that is not
    almost always the start of one longer sequence ("sustainable forest" when it is
    nearly always "sustainable forest management"). Dropped: 安全理事会对于, where 对于
    follows everything.
    """
    def share(key: str, n: int) -> float:
        parts = key.split(" ")
        first, last = words.get(parts[0], ("", 0))[1], words.get(parts[-1], ("", 0))[1]
        return n / max(1, min(first or n, last or n))

    out = {k: v for k, v in phrases.items() if share(k, v[1]) >= COHESION}
    for key, (_text, n) in list(out.items()):
        parts = key.split(" ")
        if len(parts) == 3:
            shorter = out.get(f"{parts[0]} {parts[1]}")
            if shorter is not None and n >= 0.9 * shorter[1]:
                del out[f"{parts[0]} {parts[1]}"]
    return out


def count_text(text: str, lang: str, words: Counter[str], phrases: Counter[str]) -> None:
    """Count the words and word sequences of one paragraph.

    >>> w, p = Counter(), Counter()
    >>> count_text("Sustainable Development Goals, and sustainable development.", "en", w, p)
    >>> p["sustainable development"], p["Sustainable Development Goals"], p["Goals and"]
    (1, 1, 0)
    """
    if lang == "zh":
        _count_han(text, words, phrases)
        return
    stops = _stops(lang)
    if lang == "fr":
        text = _ELISION.sub(" ", text)
    # The hot loop of a build (tens of millions of words): words are counted as they come
    # and sorted out in Counts.rows; only sequences look at stop words here.
    for segment in _BREAK.split(text):
        ws = _WORD.findall(segment)
        n = len(ws)
        if n == 0:
            continue
        words.update(ws)
        if n == 1:
            continue
        ok = [len(w) > 1 and w.lower() not in stops for w in ws]
        for i in range(n - 1):
            if ok[i]:
                if ok[i + 1]:
                    phrases[ws[i] + " " + ws[i + 1]] += 1
                    if i + 2 < n and ok[i + 2]:
                        phrases[ws[i] + " " + ws[i + 1] + " " + ws[i + 2]] += 1
                elif i + 2 < n and ok[i + 2]:
                    phrases[ws[i] + " " + ws[i + 1] + " " + ws[i + 2]] += 1


# Words that join or introduce, and end no sequence anyone types (安全理事会对于, …题为).
_ZH_EDGE_STOPS = frozenset("对于 关于 以及 题为 处理 进行 包括 有关 根据 通过 为了 其中 以便 并且 或者 因此 "
                           "但是 这些 那些 我们 他们 其他 所有 一些 已经 可以 应当 是否 以及 注意".split())


def _count_han(text: str, words: Counter[str], phrases: Counter[str]) -> None:
    for run in HAN_RUN.findall(fold(text).text):
        ws = _cut(run)
        words.update(w for w in ws if len(w) > 1)
        n = len(ws)
        for i in range(n - 1):
            if len(ws[i]) < 2 or ws[i] in _ZH_EDGE_STOPS:
                continue
            for j in (i + 2, i + 3):
                if j <= n and len(ws[j - 1]) > 1 and ws[j - 1] not in _ZH_EDGE_STOPS:
                    phrases[" ".join(ws[i:j])] += 1  # spaces: see Counts.rows


# ---------------------------------------------------------------------------
# Writing


def _documents(store: Path) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """(meta, paragraphs) of the store's live documents."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT d.meta, d.body FROM current c JOIN docs d ON d.doc_id = c.doc_id AND d.rev = c.rev")
        for meta, body in rows:
            yield json.loads(meta), decode_body(body)
    finally:
        db.close()


def count_store(store: Path) -> Counts:
    """Count every live document of a store (``docs.sqlite``).

    Pure Python, about a minute of CPU for the full corpus: a build counts while it reads
    (index/build.py), beside the Whoosh writer processes, rather than after them."""
    return document_counts(_documents(store))


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30)
    db.executescript(_SCHEMA)
    return db


def write_completions(gen: Path, source: Path | Counts) -> int:
    """Write ``gen/completions.sqlite`` (a new file) from counts made while the documents
    were read, or by counting the documents of ``source`` (a ``docs.sqlite``); the number of
    rows written."""
    path = gen / COMPLETIONS_FILE
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    counts = source if isinstance(source, Counts) else count_store(source)
    rows = sorted(counts.rows())
    db = _connect(path)
    try:
        db.executemany("INSERT INTO completions VALUES (?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO heads VALUES (?, ?, ?)", _heads(rows))
        db.commit()
    finally:
        db.close()
    return len(rows)


def _scopes(lang: str) -> tuple[str, ...]:
    """The lookups a row answers: all languages (""), and its own (a symbol: every one)."""
    from .model import LANGUAGES

    return ("", *LANGUAGES) if not lang else ("", lang)


def _heads(rows: list[tuple[str, str, str, str, int]]) -> Iterator[tuple[str, str, str]]:
    """The top :data:`HEAD_ITEMS` of every prefix that more than :data:`HEAD_MIN` rows share."""
    size: Counter[tuple[str, str]] = Counter()
    for key, lang, _kind, _text, _n in rows:
        for scope in _scopes(lang):
            size.update((scope, key[:i]) for i in range(1, min(len(key), HEAD_MAX_PREFIX) + 1))
    big = {sp for sp, n in size.items() if n > HEAD_MIN}
    if not big:
        return
    # In the all-languages scope one key written in two languages is one completion.
    merged: dict[tuple[str, str, str], list[Any]] = {}
    for key, lang, kind, text, n in rows:
        for scope in _scopes(lang):
            m = merged.get((scope, key, kind))
            if m is None:
                merged[(scope, key, kind)] = [text, kind, n, n]
            else:
                m[3] += n
                if n > m[2]:
                    m[0], m[2] = text, n
    tops: dict[tuple[str, str], list[list[Any]]] = defaultdict(list)
    for (scope, key, kind), (text, _k, _best, total) in sorted(merged.items(), key=lambda kv: -kv[1][3]):
        for i in range(1, min(len(key), HEAD_MAX_PREFIX) + 1):
            sp = (scope, key[:i])
            if sp in big and len(tops[sp]) < HEAD_ITEMS:
                tops[sp].append([text, kind, total, key])
    for (scope, prefix), items in tops.items():
        yield scope, prefix, json.dumps(items, ensure_ascii=False)


def update_completions(gen: Path, old: Counts, new: Counts) -> None:
    """Subtract the counts of replaced/removed documents, add those of new ones (an update).

    A sequence that an update brings in is kept when it reaches the build's threshold
    within the update's own text; the stored tops of long prefixes are patched."""
    path = gen / COMPLETIONS_FILE
    if not path.exists():
        return  # an index built before completions existed: a rebuild brings them
    delta: dict[tuple[str, str, str], list[Any]] = {}
    for sign, counts in ((-1, old), (1, new)):
        for key, lang, kind, text, n in counts.rows(minimum=False):
            d = delta.setdefault((key, lang, kind), [text, 0])
            d[1] += sign * n
            if sign > 0:
                d[0] = text
    db = _connect(path)
    try:
        touched: set[tuple[str, str]] = set()  # (key, kind)
        for (key, lang, kind), (text, n) in delta.items():
            if n == 0:
                continue
            cur = db.execute("UPDATE completions SET count = count + ? WHERE key = ? AND lang = ? "
                             "AND kind = ?", (n, key, lang, kind))
            if cur.rowcount == 0 and n >= MIN_COUNT[kind]:
                db.execute("INSERT INTO completions VALUES (?, ?, ?, ?, ?)", (key, lang, kind, text, n))
            elif cur.rowcount == 0:
                continue
            touched.add((key, kind))
        db.execute("DELETE FROM completions WHERE count < 1")
        _patch_heads(db, touched)
        db.commit()
    finally:
        db.close()


def _patch_heads(db: sqlite3.Connection, touched: set[tuple[str, str]]) -> None:
    if not touched:
        return
    heads = {(s, p): json.loads(items) for s, p, items in db.execute("SELECT * FROM heads")}
    if not heads:
        return
    changed: set[tuple[str, str]] = set()
    for key, kind in touched:
        rows = db.execute("SELECT lang, text, count FROM completions WHERE key = ? AND kind = ?",
                          (key, kind)).fetchall()
        for scope in {s for s, _p in heads}:
            mine = [r for r in rows if not scope or r[0] in (scope, "")]
            total = sum(r[2] for r in mine)
            text = max(mine, key=lambda r: r[2])[1] if mine else ""
            for i in range(1, min(len(key), HEAD_MAX_PREFIX) + 1):
                items = heads.get((scope, key[:i]))
                if items is None:
                    continue
                items[:] = [it for it in items if not (it[3] == key and it[1] == kind)]
                if total > 0 and (len(items) < HEAD_ITEMS or total > items[-1][2]):
                    items.append([text, kind, total, key])
                items.sort(key=lambda it: -it[2])
                del items[HEAD_ITEMS:]
                changed.add((scope, key[:i]))
    for scope, prefix in changed:
        db.execute("UPDATE heads SET items = ? WHERE scope = ? AND prefix = ?",
                   (json.dumps(heads[(scope, prefix)], ensure_ascii=False), scope, prefix))


def document_counts(docs: Iterable[tuple[dict[str, Any], list[str]]]) -> Counts:
    """Counts of some documents, given as (meta, paragraphs)."""
    counts = Counts()
    for meta, paragraphs in docs:
        counts.add_document(meta.get("lang") or "", paragraphs, meta.get("symbol"),
                            meta.get("title") or "")
    return counts
