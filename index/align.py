"""Paragraph alignment of the language versions of a document, at build time.

Language versions are the documents of one *version group*: the same symbol, or, for
documents without one, files in the same folder whose names differ only by their
language code (``raw_un_charter_zh.txt`` / ``raw_un_charter_en.txt``). Within a group
every pair of languages is aligned, in three ways:

* **UN Parallel Corpus** (``extra["unpc_lines"]``, written by the reader): sentence *i*
  of every language file is the translation of sentence *i*, so two paragraphs are
  aligned when they share an ids line. Exact: confidence 1.
* **JSON Lines with** ``"aligned": true`` on both versions: paragraph *i* ↔ paragraph *i*.
* **Everything else**: Gale–Church (:mod:`nltk.translate.gale_church`) on paragraph
  lengths, allowing 1–2 and 2–1 merges, inside the stretches between *anchors*:
  headings that name the same article (第一条 / Article 1 / Статья 1 / المادة 1 …),
  which are aligned to each other first. Each link keeps a confidence: 1 for an anchor,
  else the probability of a length difference at least this large under the model.

The links live in the generation's ``docs.sqlite`` (table ``align``), one row per
paragraph and target language, in both directions: a source paragraph → the first and
last target paragraph it corresponds to.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from .align_tokens import TOKENS_SCHEMA, store_tokens
from .store import decode_body

ALIGN_SCHEMA = """
CREATE TABLE IF NOT EXISTS align (
    doc_id TEXT NOT NULL, para INTEGER NOT NULL, lang2 TEXT NOT NULL, doc_id2 TEXT NOT NULL,
    para2 INTEGER NOT NULL, para2_last INTEGER NOT NULL, confidence REAL NOT NULL,
    method TEXT NOT NULL,
    PRIMARY KEY (doc_id, lang2, para)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS align_group (
    doc_id TEXT PRIMARY KEY, group_key TEXT NOT NULL, lang TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS align_group_key ON align_group (group_key);
"""

# One stretch between anchors is aligned in O(n·m) Python: beyond this many cells, the
# stretch is aligned proportionally instead (low confidence).
MAX_CELLS = 250_000


class _Params:
    """Gale–Church's priors without 2–2 beads (the issue allows 1–2 and 2–1 merges); 1–0
    and 0–1 stay, rarely, for a paragraph that one version has and the other has not."""

    PRIORS = {(1, 1): 0.89, (2, 1): 0.089, (1, 2): 0.089, (1, 0): 0.0099, (0, 1): 0.0099}
    AVERAGE_CHARACTERS = 1  # lengths are rescaled to the same total first
    VARIANCE_CHARACTERS = 6.8


# ---------------------------------------------------------------------------
# Anchors: article headings in the six languages

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_AR_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_ANCHORS = [
    re.compile(r"^第([零〇一二两三四五六七八九十百千\d]+)条$"),
    re.compile(r"^(?:Article|Artículo|Articulo|Статья|المادة)\s+(\d+|[٠-٩]+|premier)$", re.I),
]


def zh_number(s: str) -> int | None:
    """Chinese numerals (as in article headings) → int.

    >>> [zh_number(x) for x in ("一", "十", "十二", "二十", "一百一十一", "一百零三", "42")]
    [1, 10, 12, 20, 111, 103, 42]
    """
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
        else:
            return None
    return total + current


def anchor_key(paragraph: str) -> int | None:
    """The article number a heading paragraph names, else None.

    >>> [anchor_key(x) for x in ("第一百一十一条", "Article 51", "Article premier", "المادة ٥١",
    ...                          "Article 51 of")]
    [111, 51, 1, 51, None]
    """
    p = paragraph.strip().strip("\u3000")
    if len(p) > 20:
        return None
    for rx in _ANCHORS:
        m = rx.match(p)
        if m:
            v = m.group(1)
            if v.lower() == "premier":
                return 1
            if v[0] in "零〇一二两三四五六七八九十百千":
                return zh_number(v)
            return int(v.translate(_AR_DIGITS))
    return None


# ---------------------------------------------------------------------------
# Pairs of paragraphs

Link = tuple[list[int], list[int], float]  # source paragraphs, target paragraphs (0-based), confidence


def _gale_church(src: list[int], tgt: list[int], scale: float) -> list[Link]:
    """Beads of one stretch; ``scale`` converts target characters to source characters
    (the two whole documents' ratio: Chinese needs about a third of English's)."""
    if not src or not tgt:
        return []
    tgt_scaled = [max(1, round(t * scale)) for t in tgt]
    src = [max(1, s) for s in src]
    if len(src) * len(tgt) > MAX_CELLS:
        return _proportional(src, tgt)
    from nltk.translate import gale_church  # here: importing nltk costs every search process

    pairs = gale_church.align_blocks(src, tgt_scaled, _Params)
    beads: dict[int, tuple[list[int], list[int]]] = {}
    # Union the links into beads: paragraphs linked to each other form one bead.
    by_src: dict[int, set[int]] = defaultdict(set)
    for s, t in pairs:
        by_src[s].add(t)
    bead_of_t: dict[int, int] = {}
    for s in sorted(by_src):
        ts = sorted(by_src[s])
        owner = next((bead_of_t[t] for t in ts if t in bead_of_t), None)
        if owner is None:
            owner = s
            beads[owner] = ([], [])
        beads[owner][0].append(s)
        for t in ts:
            if t not in bead_of_t:
                bead_of_t[t] = owner
                beads[owner][1].append(t)
    links: list[Link] = []
    for ss, ts in beads.values():
        ls = sum(src[i] for i in ss)
        lt = sum(tgt_scaled[j] for j in ts)
        m = (ls + lt) / 2
        delta = (ls - lt) / math.sqrt(m * _Params.VARIANCE_CHARACTERS)
        p = math.erfc(abs(delta) / math.sqrt(2))  # P(|δ| at least this large)
        if len(ss) + len(ts) > 2:
            p *= 0.9
        links.append((ss, sorted(ts), round(p, 3)))
    return links


def _proportional(src: list[int], tgt: list[int]) -> list[Link]:
    """Paragraph i ↔ the paragraph at the same relative offset: a last resort."""
    total_s, total_t = sum(src), sum(tgt)
    starts, acc = [], 0
    for t in tgt:
        starts.append(acc / total_t)
        acc += t
    links: list[Link] = []
    acc = 0
    j = 0
    for i, s in enumerate(src):
        mid = (acc + s / 2) / total_s
        while j + 1 < len(starts) and starts[j + 1] <= mid:
            j += 1
        links.append(([i], [j], 0.1))
        acc += s
    return links


def length_links(src: list[str], tgt: list[str]) -> list[Link]:
    """Gale–Church between article anchors (a heading aligned to the same heading)."""
    ka = [anchor_key(p) for p in src]
    kb = [anchor_key(p) for p in tgt]
    pos_b: dict[int, int] = {}
    for j, k in enumerate(kb):
        if k is not None:
            pos_b.setdefault(k, j)
    anchors: list[tuple[int, int]] = []
    for i, k in enumerate(ka):
        if k is not None and k in pos_b:
            j = pos_b[k]
            if not anchors or (i > anchors[-1][0] and j > anchors[-1][1]):
                anchors.append((i, j))
    links: list[Link] = []
    prev_i, prev_j = 0, 0
    scale = (sum(map(len, src)) or 1) / (sum(map(len, tgt)) or 1)
    for i, j in [*anchors, (len(src), len(tgt))]:
        for ss, ts, c in _gale_church([len(p) for p in src[prev_i:i]], [len(p) for p in tgt[prev_j:j]],
                                      scale):
            links.append(([s + prev_i for s in ss], [t + prev_j for t in ts], c))
        if i < len(src) and j < len(tgt):
            links.append(([i], [j], 1.0))
        prev_i, prev_j = i + 1, j + 1
    return links


def unpc_links(a_lines: list[list[int]], b_lines: list[list[int]]) -> list[Link]:
    """Paragraphs that share a UN Parallel Corpus sentence (an ids line) are aligned."""
    where_b: dict[int, int] = {}
    for j, lines in enumerate(b_lines):
        for line in lines:
            where_b[line] = j
    links: list[Link] = []
    for i, lines in enumerate(a_lines):
        ts = sorted({where_b[line] for line in lines if line in where_b})
        if ts:
            links.append(([i], ts, 1.0))
    return links


def pair_links(a: dict[str, Any], b: dict[str, Any]) -> tuple[list[Link], str]:
    """Links between two language versions (meta with ``paragraphs``), and the method."""
    ea, eb = a.get("extra") or {}, b.get("extra") or {}
    pa, pb = a["paragraphs"], b["paragraphs"]
    la, lb = ea.get("unpc_lines"), eb.get("unpc_lines")
    if isinstance(la, list) and isinstance(lb, list) and len(la) == len(pa) and len(lb) == len(pb):
        return unpc_links(la, lb), "unpc"
    if ea.get("aligned") is True and eb.get("aligned") is True:
        return [([i], [i], 1.0) for i in range(min(len(pa), len(pb)))], "given"
    return length_links(pa, pb), "gale-church"


# ---------------------------------------------------------------------------
# Groups and the table

_LANG_SUFFIX = re.compile(r"[_.\-](zh|en|fr|es|ru|ar)(?:[_-](?:hans|hant|cn|tw|hk))?$", re.I)


def group_key(meta: dict[str, Any]) -> str | None:
    """What the language versions of a document share, or None (it can have none).

    >>> group_key({"symbol": "S/2015/77", "source": "x"})
    'sym:s/2015/77'
    >>> group_key({"symbol": None, "source": "/c/un-charter/raw_un_charter_zh.txt"})
    'file:/c/un-charter/raw_un_charter'
    >>> group_key({"symbol": None, "source": "/c/ungdc/AFG_50_1995.txt"}) is None
    True
    """
    symbol = meta.get("symbol")
    if symbol:
        return "sym:" + str(symbol).casefold()
    source = str(meta.get("source") or "")
    if not source or os.path.isdir(source):
        return None
    head, name = os.path.split(source)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    m = _LANG_SUFFIX.search(stem)
    if not m:
        return None
    return "file:" + os.path.join(head, stem[: m.start()])


def _current(db: sqlite3.Connection, doc_ids: Iterable[str] | None) -> list[dict[str, Any]]:
    sql = ("SELECT c.doc_id, d.meta, c.source FROM current c "
           "JOIN docs d ON d.doc_id = c.doc_id AND d.rev = c.rev")
    if doc_ids is None:
        rows = db.execute(sql).fetchall()
    else:
        rows = []
        for i in doc_ids:
            rows.extend(db.execute(sql + " WHERE c.doc_id = ?", (i,)).fetchall())
    out = []
    for doc_id, meta, source in rows:
        m = json.loads(meta)
        m["id"], m["source"] = doc_id, source
        out.append(m)
    return out


def _body(db: sqlite3.Connection, doc_id: str) -> list[str]:
    row = db.execute("SELECT d.body FROM current c JOIN docs d ON d.doc_id = c.doc_id "
                     "AND d.rev = c.rev WHERE c.doc_id = ?", (doc_id,)).fetchone()
    return decode_body(row[0]) if row else []


def _align_group(db: sqlite3.Connection, members: list[dict[str, Any]]) -> tuple[int, list[str]]:
    """Align every pair of languages of one group; returns the rows written and the
    documents aligned."""
    by_lang: dict[str, dict[str, Any]] = {}
    for m in sorted(members, key=lambda m: m["id"]):
        by_lang.setdefault(m["lang"], m)  # one version per language
    if len(by_lang) < 2:
        return 0, []
    for m in by_lang.values():
        m["paragraphs"] = _body(db, m["id"])
    langs = sorted(by_lang)
    rows: list[tuple[Any, ...]] = []
    for x, lx in enumerate(langs):
        for ly in langs[x + 1:]:
            a, b = by_lang[lx], by_lang[ly]
            links, method = pair_links(a, b)
            for ss, ts, conf in links:
                for s in ss:
                    rows.append((a["id"], s + 1, ly, b["id"], ts[0] + 1, ts[-1] + 1, conf, method))
                for t in ts:
                    rows.append((b["id"], t + 1, lx, a["id"], ss[0] + 1, ss[-1] + 1, conf, method))
    db.executemany("INSERT OR REPLACE INTO align VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows), [m["id"] for m in by_lang.values()]


def align_store(db: sqlite3.Connection, doc_ids: Iterable[str] | None = None) -> int:
    """(Re)align the version groups of ``doc_ids`` (changed, added or removed documents),
    or of every document. Returns the number of link rows written."""
    db.executescript(ALIGN_SCHEMA + TOKENS_SCHEMA)
    if doc_ids is None:
        db.execute("DELETE FROM align")
        db.execute("DELETE FROM align_group")
        db.execute("DELETE FROM align_tokens")
        metas = _current(db, None)
        keys: set[str] | None = None
    else:
        ids = list(doc_ids)
        keys = set()
        for i in ids:
            row = db.execute("SELECT group_key FROM align_group WHERE doc_id = ?", (i,)).fetchone()
            if row:
                keys.add(row[0])
        metas = _current(db, ids)
        for m in metas:
            k = group_key(m)
            if k:
                keys.add(k)
        # Everything in those groups, as it is now, is aligned again.
        members = {m["id"] for m in metas}
        for k in keys:
            for (i,) in db.execute("SELECT doc_id FROM align_group WHERE group_key = ?", (k,)):
                members.add(i)
        for i in members | set(ids):
            db.execute("DELETE FROM align WHERE doc_id = ? OR doc_id2 = ?", (i, i))
            db.execute("DELETE FROM align_group WHERE doc_id = ?", (i,))
            db.execute("DELETE FROM align_tokens WHERE doc_id = ?", (i,))
        metas = _current(db, sorted(members))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in metas:
        k = group_key(m)
        if k and (keys is None or k in keys):
            groups[k].append(m)
    written = 0
    aligned: list[str] = []
    for k, members_ in groups.items():
        db.executemany("INSERT OR REPLACE INTO align_group VALUES (?, ?, ?)",
                       [(m["id"], k, m["lang"]) for m in members_])
        n, ids_ = _align_group(db, members_)
        written += n
        aligned.extend(ids_)
    store_tokens(db, aligned)  # for the translation finder
    return written
