"""The words of aligned documents, tokenised at build time for the translation finder.

The finder (:mod:`search.parallel`) ranks word sequences of the target side of aligned
pairs; it needs every aligned paragraph's tokens. Analysing ~25k paragraphs (jieba,
Snowball) takes 10-20 s, so it is done here, once per document when it is built or
updated, and stored per document in ``docs.sqlite`` (table ``align_tokens``).

A token is (key, start, end, function word): the key as the language's field analyses
it (folded, jieba with the UN dictionary, stemmed), so "Совета" and "Совет" are one
word; start and end are character offsets in the paragraph, for marking.
"""

from __future__ import annotations

import json
import re
import sqlite3
import struct
import zlib
from collections.abc import Iterable

import numpy as np

from .analysis import analyze
from .store import decode_body

TOKENS_SCHEMA = """
CREATE TABLE IF NOT EXISTS align_tokens (
    doc_id TEXT PRIMARY KEY, lang TEXT NOT NULL, data BLOB NOT NULL) WITHOUT ROWID;
"""

# Function words that a rendering neither starts nor ends with.
EDGE_STOP = {
    "en": frozenset("the a an of and or to in on for by with at from as is are be was were that this "
                    "which its their his her it has have had not no but also such any all other".split()),
    "fr": frozenset("le la les l de des du d et ou à au aux en dans par pour sur avec que qui est sont "
                    "un une ce cette ces son sa ses leur leurs s n ne pas se il elle".split()),
    "es": frozenset("el la los las lo de del y o e u a al en por para con que es son un una su sus "
                    "se como entre sobre".split()),
    "ru": frozenset("и в во на с со по к о об от до из за для у а но или что как не же ли".split()),
    "ar": frozenset("و في من على إلى الى عن أن ان أو او مع هذا هذه التي الذي".split()),
    "zh": frozenset("的和与及在是了对为等并或以其之于而也把被从将向由就都所"),
}
_JOINERS = re.compile(r"[\s\-‐‑'’]*")  # what may stand between two words of one rendering

Token = tuple[str, int, int, bool]  # key, start, end, a function word


def tokens(text: str, lang: str) -> tuple[list[Token], list[bool]]:
    """Tokens of one paragraph, and for each whether punctuation comes before it.

    >>> toks, breaks = tokens("the Security Council, in 2015", "en")
    >>> [t[0] for t in toks], breaks
    (['the', 'secur', 'council', 'in', '2015'], [True, False, False, True, False])
    """
    stop = EDGE_STOP.get(lang, frozenset())
    toks = [(t.text.casefold(), t.start, t.end, text[t.start:t.end].casefold() in stop)
            for t in analyze(text, lang, "query")]
    breaks = [True] + [not _JOINERS.fullmatch(text[a[2]:b[1]]) for a, b in zip(toks, toks[1:], strict=False)]
    return toks, breaks


def encode(paragraphs: list[str], lang: str) -> bytes:
    """One document's tokens, compact: a JSON header (keys joined by U+001F, tokens per
    paragraph), then start, end and flags of every token as little-endian int32."""
    keys: list[str] = []
    counts: list[int] = []
    nums: list[int] = []
    for p in paragraphs:
        toks, breaks = tokens(p, lang)
        counts.append(len(toks))
        for (k, a, b, stop), br in zip(toks, breaks, strict=True):
            keys.append(k)
            nums.extend((a, b, int(stop) | (int(br) << 1)))
    head = json.dumps({"k": "\x1f".join(keys), "n": counts}, ensure_ascii=False).encode("utf-8")
    return zlib.compress(struct.pack("<I", len(head)) + head + np.asarray(nums, dtype="<i4").tobytes(), 6)


def decode(blob: bytes) -> tuple[list[str], list[int], bytes]:
    """(keys, tokens per paragraph, the int32 bytes of [start, end, flags] per token)."""
    raw = zlib.decompress(blob)
    (n,) = struct.unpack_from("<I", raw)
    data = json.loads(raw[4:4 + n].decode("utf-8"))
    keys = data["k"].split("\x1f") if data["k"] else []
    return keys, data["n"], raw[4 + n:]


def store_tokens(db: sqlite3.Connection, doc_ids: Iterable[str]) -> None:
    """(Re)tokenise these documents (the aligned ones) into ``align_tokens``."""
    db.executescript(TOKENS_SCHEMA)
    for doc_id in doc_ids:
        row = db.execute("SELECT json_extract(d.meta, '$.lang'), d.body FROM current c JOIN docs d "
                         "ON d.doc_id = c.doc_id AND d.rev = c.rev WHERE c.doc_id = ?",
                         (doc_id,)).fetchone()
        if row is None:
            db.execute("DELETE FROM align_tokens WHERE doc_id = ?", (doc_id,))
            continue
        lang, body = row
        paragraphs = decode_body(body)
        db.execute("INSERT OR REPLACE INTO align_tokens VALUES (?, ?, ?)",
                   (doc_id, lang, encode(paragraphs, lang)))
