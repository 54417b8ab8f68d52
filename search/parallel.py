"""Parallel texts: each hit beside its translation, and the translation finder.

Both read the paragraph links that :mod:`index.align` wrote at build time (table
``align`` in the generation's ``docs.sqlite``).

The translation finder answers "how was this rendered in the other language?": it takes
the aligned pairs whose source side contains the query, and ranks the word sequences of
their target sides (jieba words for Chinese, 1–6 words for the other languages, never
across punctuation, never starting or ending on a function word) by how strongly they go
with the query:

* **F2** (Dice with recall weighted: ``5·a / (4·pairs + df)``) between "the source has
  the query" and "the target has the candidate", over the aligned paragraphs of the target
  language, where ``a`` is the pairs with both and ``df`` the target paragraphs that have
  the candidate at all. "the" and "of" are in most paragraphs, so their ``df`` sinks them;
  recall counts more because a synonym of the query elsewhere also raises ``df``;
* times a **length prior** in the spirit of Gale–Church: the query takes a share of its
  source paragraph's characters, so its rendering should take about the same share of
  the target's. That prefers "weapons of mass destruction" to "proliferation of weapons of
  mass destruction" when both are in the same pairs;
* then the best candidate is **extended** to the longest sequence around it that keeps
  (nearly) the same pairs: "General" → "General Assembly", "droits" → "droits de l'homme",
  which the length prior alone would cut short for a two-character Chinese query.

Per language, the aligned paragraphs' tokens (stored at build time by
:mod:`index.align_tokens`) and the document frequency of every word sequence (hashed, in
numpy) are loaded on first use and kept for the index generation.
"""

from __future__ import annotations

import html
import os
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import numpy as np

from index.align_tokens import Token, decode, tokens
from index.analysis import fold
from index.model import LANGUAGES
from index.store import STORE_FILE, body_paragraph, decode_body

from .errors import QueryError
from .lru import LRU
from .query import clean_query, parse, positive_texts
from .request import check_length, required_lang, whole
from .results import DocumentView, SearchResults
from .settings import MAX_RENDERINGS

MAX_WORDS = 6  # longest rendering, in words (Chinese: jieba words)
MAX_POSITIVES = 400  # pairs read for one query; "pairs" still counts all of them
EXAMPLES = 3
LENGTH_SIGMA = 0.45  # of log(candidate length / expected length)
PRIOR_FLOOR = 0.25  # the length prior moves a score by a factor of 0.25-1.25
BETA = 2.0  # F-beta: recall (the share of the query's pairs) counts four times precision
EXTEND_KEEP = 0.9  # a longer rendering replaces a shorter one if it keeps 90% of its pairs …
EXTEND_BETTER = 0.6  # … or 60% of them with a better F-beta
MIN_SHARE_TO_MARK = 0.15  # a rendering marked in a parallel hit must be this common

_P = np.uint64(0x100000001B3)  # FNV prime: the word-sequence hash multiplies by it


@dataclass
class _Lang:
    """The aligned paragraphs of one language, tokenised, with word-sequence frequencies.

    Tokens are numpy arrays over all paragraphs (``tok_off[p]:tok_off[p + 1]`` are
    paragraph p's). Word sequences are hashed for their document frequencies here, and
    formed again from the tokens of the few paragraphs a query needs.
    """

    lang: str
    index: dict[tuple[str, int], int]  # (doc_id, paragraph) → row
    rows: list[tuple[str, int]]  # row → (doc_id, paragraph)
    texts: list[str]
    folded: list[str | None]  # for finding a Chinese query as a substring (when needed)
    vocab: list[str]
    vocab_ids: dict[str, int]
    ids: np.ndarray  # token → vocabulary id
    starts: np.ndarray  # token → character offsets in its paragraph
    ends: np.ndarray
    tok_off: np.ndarray  # paragraph → first token
    edge_ok: np.ndarray  # token → may start or end a rendering (not a function word, a number)
    brk: np.ndarray  # token → punctuation (or a paragraph start) before it
    hashes: np.ndarray  # sorted distinct hashes …
    counts: np.ndarray  # … and the number of paragraphs each is in

    def df(self, keys: np.ndarray) -> np.ndarray:
        if not len(self.hashes):
            return np.zeros(len(keys), np.int64)
        i = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        return np.where(self.hashes[i] == keys, self.counts[i], 0)

    def key(self, start: int, length: int) -> str:
        return _glue(self.lang).join(self.vocab[i] for i in self.ids[start:start + length].tolist())

    def para_of(self, tokens: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.tok_off, tokens, side="right") - 1

    def having(self, keys: list[str]) -> np.ndarray:
        """Paragraph mask: those with these token keys in a row."""
        mask = np.zeros(len(self.texts), bool)
        want = [self.vocab_ids.get(k) for k in keys]
        if not want or any(w is None for w in want):
            return mask
        pos = np.nonzero(self.ids == want[0])[0]
        for j, w in enumerate(want[1:], 1):
            pos = pos[pos + j < len(self.ids)]
            pos = pos[self.ids[pos + j] == w]
        first, last = self.para_of(pos), self.para_of(pos + len(want) - 1)
        mask[first[first == last]] = True
        return mask

    def sequences(self, spans: list[tuple[int, int]]) -> tuple[np.ndarray, ...]:
        """(hash, owner span, first token, length) of the word sequences inside each
        (first paragraph, last paragraph) span."""
        bounds = [(int(self.tok_off[a]), int(self.tok_off[b + 1])) for a, b in spans]
        if not bounds:
            empty = np.zeros(0, np.int64)
            return empty.astype(np.uint64), empty, empty, empty
        idx = np.concatenate([np.arange(a, b) for a, b in bounds])
        sizes = np.asarray([b - a for a, b in bounds])
        owner = np.repeat(np.arange(len(bounds)), sizes)
        brk = self.brk[idx].copy()
        starts = np.cumsum(sizes) - sizes
        brk[starts[sizes > 0]] = True
        h, st, ln = _ngrams(self.ids[idx], self.edge_ok[idx], brk)
        return h, owner[st], idx[st], ln.astype(np.int64)


def _ngrams(ids: np.ndarray, edge_ok: np.ndarray, brk: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hash, first token, length) of every word sequence of 1..MAX_WORDS tokens that
    crosses no break and neither starts nor ends on a function word or a number."""
    n = len(ids)
    cum = np.cumsum(brk)
    h = np.zeros(n, np.uint64)
    out_h, out_s, out_l = [], [], []
    idx = np.arange(n)
    vals = ids.astype(np.uint64) + np.uint64(1)
    for length in range(1, MAX_WORDS + 1):
        m = n - length + 1
        if m <= 0:
            break
        h = h[:m] * _P + vals[length - 1:length - 1 + m]
        last = idx[:m] + length - 1
        ok = edge_ok[:m] & edge_ok[last] & (cum[last] - cum[:m] == 0)
        sel = np.nonzero(ok)[0]
        out_h.append(h[sel] ^ np.uint64(length))
        out_s.append(sel.astype(np.int32))
        out_l.append(np.full(len(sel), length, np.int8))
    if not out_h:
        return np.zeros(0, np.uint64), np.zeros(0, np.int32), np.zeros(0, np.int8)
    hs, ss, ls = np.concatenate(out_h), np.concatenate(out_s), np.concatenate(out_l)
    order = np.argsort(ss, kind="stable")
    return hs[order], ss[order], ls[order]


@dataclass
class Rendering:
    text: str
    count: int
    share: float
    score: float
    key: str
    examples: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "count": self.count, "share": self.share,
                "examples": self.examples}


@dataclass
class Translations:
    """The renderings of a query in another language, from aligned paragraphs."""

    query: str
    source: str
    target: str
    pairs: int
    renderings: list[Rendering]
    took_ms: float = 0.0

    def __iter__(self) -> Iterator[Rendering]:
        return iter(self.renderings)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "from": self.source, "to": self.target, "pairs": self.pairs,
                "renderings": [r.to_dict() for r in self.renderings]}


def query_text(query: str) -> str:
    """The words a query looks for, without operators, filters and quotes."""
    try:
        texts = positive_texts(parse(query))
    except QueryError:
        return query.strip()
    return " ".join(t.text for t in texts if t.field is None).strip()


_tokens = tokens


def _glue(lang: str) -> str:
    return "" if lang == "zh" else " "


def _sequences(toks: list[Token], breaks: list[bool], lang: str,
               max_words: int = MAX_WORDS) -> Iterator[tuple[str, int, int]]:
    """(key, first token, last token + 1) of every candidate word sequence."""
    glue = _glue(lang)
    n = len(toks)
    for i in range(n):
        if toks[i][3] or toks[i][0].isdigit():
            continue
        parts = []
        for j in range(i, min(n, i + max_words)):
            if j > i and breaks[j]:
                break
            parts.append(toks[j][0])
            if toks[j][3] or toks[j][0].isdigit():
                continue
            yield glue.join(parts), i, j + 1


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    out, pos = [], 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(html.escape(text[pos:s], quote=False))
        out.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


class Parallel:
    """The parallel-text side of one index generation (shared by an engine's threads)."""

    def __init__(self, generation: Path) -> None:
        self.generation = generation
        self.path = str(generation / STORE_FILE)
        self._lock = threading.Lock()
        self._langs: dict[str, _Lang] = {}
        self._pairs: dict[tuple[str, str], np.ndarray] = {}
        self._cache = LRU(256)
        self._stamp = self._mtime()

    def _mtime(self) -> int:
        try:
            return os.stat(self.path).st_mtime_ns
        except OSError:
            return 0

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def _fresh(self) -> None:
        stamp = self._mtime()
        if stamp != self._stamp:  # an update rewrote the store in place
            with self._lock:
                self._langs, self._pairs, self._stamp = {}, {}, stamp
                self._cache = LRU(256)

    # -- loading -------------------------------------------------------------

    def _lang(self, db: sqlite3.Connection, lang: str) -> _Lang:
        data = self._langs.get(lang)
        if data is not None:
            return data
        with self._lock:
            data = self._langs.get(lang)
            if data is None:
                data = self._load_lang(db, lang)
                self._langs[lang] = data
        return data

    def _load_lang(self, db: sqlite3.Connection, lang: str) -> _Lang:
        """From the tokens index/align_tokens.py stored at build time."""
        import struct
        import zlib

        rows = _safe(db, "SELECT t.doc_id, t.data, d.body FROM align_tokens t JOIN current c "
                         "ON c.doc_id = t.doc_id JOIN docs d ON d.doc_id = c.doc_id AND d.rev = c.rev "
                         "WHERE t.lang = ? ORDER BY t.doc_id", (lang,))
        index: dict[tuple[str, int], int] = {}
        where: list[tuple[str, int]] = []
        texts: list[str] = []
        vocab: dict[str, int] = {}
        ids: list[int] = []
        nums: list[np.ndarray] = []
        tok_off = [0]
        for doc_id, data, body in rows:
            paragraphs = decode_body(body)
            try:
                keys, counts, xs = decode(data)
            except (ValueError, struct.error, zlib.error):
                continue  # tokens in a format this version does not read: rebuild the index
            if len(counts) != len(paragraphs) or len(xs) != 12 * len(keys):
                continue  # tokens of another revision: an update in progress
            pos = 0
            for n, (text, count) in enumerate(zip(paragraphs, counts, strict=True), 1):
                index[(doc_id, n)] = len(texts)
                where.append((doc_id, n))
                texts.append(text)
                ks = keys[pos:pos + count]
                pos += count
                ids.extend(vocab.setdefault(k, len(vocab)) for k in ks)
                tok_off.append(len(ids))
            nums.append(np.frombuffer(xs, dtype="<i4"))
        x = (np.concatenate(nums) if nums else np.zeros(0, np.int32)).astype(np.int32).reshape(-1, 3)
        ids_a = np.asarray(ids, np.int32)
        vocab_list = list(vocab)
        digit = np.asarray([k.isdigit() for k in vocab_list], bool)
        edge_ok = ((x[:, 2] & 1) == 0) & ~digit[ids_a] if len(ids_a) else np.zeros(0, bool)
        brk = (x[:, 2] & 2) != 0
        ng_h, ng_s, _len = _ngrams(ids_a, edge_ok, brk)
        tok_off_a = np.asarray(tok_off, np.int64)
        # Document frequency: each sequence once per paragraph.
        para_of = (np.searchsorted(tok_off_a, ng_s, side="right") - 1).astype(np.uint64)
        order = np.lexsort((para_of, ng_h))
        hs, ps = ng_h[order], para_of[order]
        first = np.ones(len(hs), bool)
        first[1:] = (hs[1:] != hs[:-1]) | (ps[1:] != ps[:-1])
        hashes, counts_ = np.unique(hs[first], return_counts=True)
        return _Lang(lang, index, where, texts, [None] * len(texts), vocab_list, vocab,
                     ids_a, x[:, 0].copy(), x[:, 1].copy(), tok_off_a, edge_ok, brk,
                     hashes, counts_.astype(np.int32))

    def _pair_rows(self, db: sqlite3.Connection, source: str, target: str,
                   src: _Lang, tgt: _Lang) -> np.ndarray:
        """(source row, first target row, last target row, confidence·1000) of every link."""
        key = (source, target)
        arr = self._pairs.get(key)
        if arr is not None:
            return arr
        rows = _safe(db, "SELECT a.doc_id, a.para, a.doc_id2, a.para2, a.para2_last, a.confidence "
                         "FROM align a JOIN align_group g ON g.doc_id = a.doc_id "
                         "WHERE g.lang = ? AND a.lang2 = ?", (source, target))
        out = []
        for d, p, d2, p2, p2l, conf in rows:
            s = src.index.get((d, p))
            t1, t2 = tgt.index.get((d2, p2)), tgt.index.get((d2, p2l))
            if s is not None and t1 is not None and t2 is not None:
                out.append((s, t1, t2, int(conf * 1000)))
        arr = np.asarray(out, dtype=np.int64).reshape(-1, 4)
        arr = arr[np.lexsort((arr[:, 0], -arr[:, 3]))] if len(arr) else arr  # best links first
        with self._lock:
            self._pairs[key] = arr
        return arr

    def has_pairs(self, source: str, target: str) -> bool:
        """Whether any paragraph of ``source`` is aligned to one in ``target``."""
        db = self._db()
        try:
            return bool(_safe(db, "SELECT 1 FROM align a JOIN align_group g ON g.doc_id = a.doc_id "
                                  "WHERE a.lang2 = ? AND g.lang = ? LIMIT 1", (target, source)))
        finally:
            db.close()

    def warm(self) -> None:
        """Load every language's aligned tokens now (a server does it in the background)."""
        db = self._db()
        try:
            for lang in LANGUAGES:
                self._lang(db, lang)
        finally:
            db.close()

    # -- aligned passages ----------------------------------------------------

    def aligned(self, doc_id: str, para: int, target: str, db: sqlite3.Connection | None = None
                ) -> dict[str, Any] | None:
        """The passage in ``target`` aligned to paragraph ``para`` of ``doc_id``, or None."""
        own = db is None
        db = db or self._db()
        try:
            row = _safe(db, "SELECT doc_id2, para2, para2_last, confidence FROM align "
                            "WHERE doc_id = ? AND lang2 = ? AND para = ?", (doc_id, target, para))
            if not row:
                return None
            d2, p2, p2l, conf = row[0]
            text = "\n".join(t for t in (_paragraph(db, d2, n) for n in range(p2, p2l + 1)) if t)
            return {"lang": target, "doc_id": d2, "paragraph": p2, "paragraph_last": p2l,
                    "confidence": conf, "text": text,
                    "snippet_html": html.escape(text, quote=False)}
        finally:
            if own:
                db.close()

    def document_links(self, doc_id: str, target: str) -> list[tuple[int, int, int, float]]:
        """(paragraph, first target paragraph, last, confidence) for a whole document."""
        db = self._db()
        try:
            rows = _safe(db, "SELECT para, para2, para2_last, confidence FROM align "
                             "WHERE doc_id = ? AND lang2 = ? ORDER BY para", (doc_id, target))
            return [(int(a), int(b), int(c), float(d)) for a, b, c, d in rows]
        finally:
            db.close()

    def mark_rendering(self, aligned: dict[str, Any], query: str, source: str) -> dict[str, Any]:
        """Mark the query's likely renderings (from the finder) in an aligned passage."""
        if not query.strip():
            return aligned
        tr = self.translations(query, source, aligned["lang"], limit=3)
        wanted = _to_mark(tr)
        return dict(aligned, snippet_html=_mark_keys(aligned["text"], aligned["lang"], wanted),
                    rendering=next((r.text for r in tr.renderings if r.key in wanted), None))

    # -- the translation finder ----------------------------------------------

    def translations(self, query: str, source: str, target: str, limit: int = 10) -> Translations:
        source, target = required_lang(source, "from"), required_lang(target, "to")
        if not isinstance(query, str) or not query.strip():
            raise QueryError("type a word or phrase to look up")
        check_length(query)
        limit = whole("limit", limit, f"a whole number from 1 to {MAX_RENDERINGS}", 1, MAX_RENDERINGS)
        self._fresh()
        text = query_text(query)
        ckey = (text, source, target, limit)
        hit = self._cache.get(ckey)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        result = Translations(query=query, source=source, target=target, pairs=0, renderings=[])
        qtoks, _b = _tokens(text, source)
        if source == target or not qtoks:
            return result
        db = self._db()
        try:
            src, tgt = self._lang(db, source), self._lang(db, target)
            links = self._pair_rows(db, source, target, src, tgt)
        finally:
            db.close()
        if not len(links):
            return result
        result.pairs, result.renderings = _find(text, qtoks, source, target, src, tgt, links, limit)
        self._cache.put(ckey, result)
        return result


def _find(text: str, qtoks: list[Token], source: str, target: str,
          src: _Lang, tgt: _Lang, links: np.ndarray, limit: int) -> tuple[int, list[Rendering]]:
    # Source paragraphs that have the query's words in a row (stemmed: any inflection).
    has_arr = src.having([t[0] for t in qtoks])
    pos = links[has_arr[links[:, 0]]] if len(src.texts) else links[:0]
    qneedle_zh = None
    if source == "zh" and not len(pos):
        # jieba may cut the query differently in context: any substring, then.
        qneedle_zh = fold(text).text.replace(" ", "")
        has_arr = np.asarray([qneedle_zh in _folded(src, i) for i in range(len(src.texts))], dtype=bool)
        pos = links[has_arr[links[:, 0]]]
    # One pair per source paragraph and target span.
    _u, first = np.unique(pos[:, :3], axis=0, return_index=True)
    pos = pos[np.sort(first)]
    k = len(pos)
    if k == 0:
        return 0, []
    sample = pos[:MAX_POSITIVES]
    n = len(sample)
    # Every word sequence of every sample pair's target side, once per pair.
    ratios = []
    for s, t1, t2, _c in sample.tolist():
        tlen = sum(len(tgt.texts[t]) for t in range(t1, t2 + 1))
        ratios.append(len(text) / max(1, len(src.texts[s])) * tlen)
    seqs = tgt.sequences([(int(t1), int(t2)) for _s, t1, t2, _c in sample.tolist()])
    hs, own, gst, gln = seqs
    if not len(hs):
        return k, []
    order = np.lexsort((own, hs))
    hs, own, gst, gln = hs[order], own[order], gst[order], gln[order]
    new_pair = np.ones(len(hs), bool)
    new_pair[1:] = (hs[1:] != hs[:-1]) | (own[1:] != own[:-1])
    hs, own, gst, gln = hs[new_pair], own[new_pair], gst[new_pair], gln[new_pair]
    cand, first_i, c = np.unique(hs, return_index=True, return_counts=True)
    keep = c >= 2 if n > 2 else np.ones(len(c), bool)  # once among many pairs: chance
    cand, first_i, c = cand[keep], first_i[keep], c[keep]
    if not len(cand):
        return k, []
    df = np.maximum(tgt.df(cand), c)
    # F-beta of "the target has it" for "the source has the query": beta 1 is Dice;
    # recall counts more, as the query's rendering is in nearly all its pairs while the
    # same words may also render a synonym of the query elsewhere.
    f = (1 + BETA ** 2) * c / (BETA ** 2 * n + df)
    starts = gst[first_i]
    lens = gln[first_i]
    chars = (tgt.ends[starts + lens - 1] - tgt.starts[starts]).astype(np.float64)
    chars = np.where(chars > 0, chars, lens * 6.0)  # a sequence's characters, roughly
    expected = max(2.0, float(np.median(ratios)))
    prior = np.exp(-(np.log(chars / expected) ** 2) / (2 * LENGTH_SIGMA ** 2))
    score = f * (PRIOR_FLOOR + prior)
    glue = _glue(target)
    top = np.argsort(-score, kind="stable")[: 40 * limit]
    scored = [(float(score[i]), tgt.key(int(starts[i]), int(lens[i])), int(c[i]), float(f[i]))
              for i in top.tolist()]
    hash_of = {tgt.key(int(starts[i]), int(lens[i])): int(cand[i]) for i in top.tolist()}
    # Longer sequences that keep most of a candidate's pairs, for _extend.
    rich = np.nonzero(c >= 2)[0]
    longer = [(float(score[i]), tgt.key(int(starts[i]), int(lens[i])), int(c[i]), float(f[i]))
              for i in rich.tolist() if lens[i] > 1]
    hash_of.update((x[1], int(cand[i])) for x, i in zip(longer, [i for i in rich.tolist() if lens[i] > 1],
                                                        strict=True))
    chosen: list[Rendering] = []
    for sc, key, cnt, fv in scored:
        key, cnt, sc = _extend(key, cnt, fv, sc, longer, glue)
        if any(_overlaps(key, r.key, glue) for r in chosen):
            continue  # a longer, shorter or shifted form of one already listed
        chosen.append(Rendering(text=key, count=cnt, share=round(cnt / n, 3), score=round(sc, 4),
                                key=key))
        if len(chosen) >= limit:
            break
    for r in chosen:
        r.examples, r.text = _examples(r, hash_of[r.key], seqs, sample, src, tgt, qtoks, qneedle_zh)
    return k, chosen


def _examples(r: Rendering, h: int, seqs: tuple[np.ndarray, ...], sample: np.ndarray, src: _Lang,
              tgt: _Lang, qtoks: list[Token], qneedle_zh: str | None) -> tuple[list[dict[str, Any]], str]:
    """Up to EXAMPLES pairs with the query and the rendering marked; the rendering's most
    common form as written."""
    hs, own, gst, gln = seqs
    at = np.nonzero(hs == np.uint64(h))[0]
    examples: list[dict[str, Any]] = []
    surface: Counter[str] = Counter()
    for p in list(dict.fromkeys(own[at].tolist()))[:EXAMPLES]:
        here = at[own[at] == p]
        s = int(sample[p][0])
        t = int(tgt.para_of(gst[here[:1]])[0])  # the first target paragraph that has it
        here = here[tgt.para_of(gst[here]) == t]
        ttext = tgt.texts[t]
        firsts, lens = gst[here].tolist(), gln[here].tolist()
        spans = [(int(tgt.starts[a]), int(tgt.ends[a + n - 1])) for a, n in zip(firsts, lens, strict=True)]
        for x, y in spans:
            surface[ttext[x:y]] += 1
        doc_s, para_s = src.rows[s]
        doc_t, para_t = tgt.rows[t]
        examples.append({"doc_id": doc_s, "paragraph": para_s, "target_doc_id": doc_t,
                         "target_paragraph": para_t,
                         "source_html": _mark(src.texts[s], _query_spans(src, s, qtoks, qneedle_zh)),
                         "target_html": _mark(ttext, spans)})
    return examples, surface.most_common(1)[0][0] if surface else r.text


def _folded(data: _Lang, row: int) -> str:
    f = data.folded[row]
    if f is None:
        f = data.folded[row] = fold(data.texts[row]).text
    return f


def _extend(key: str, c: int, dice: float, score: float,
            scored: list[tuple[float, str, int, float]], glue: str) -> tuple[str, int, float]:
    """The longest sequence around ``key`` that is in (nearly) the same pairs: "General" →
    "General Assembly" (the length prior alone would stop at the shorter one)."""
    while True:
        padded = f"{glue}{key}{glue}" if glue else key
        best = None
        for sc, k2, c2, d2 in scored:
            keeps = (c2 >= EXTEND_KEEP * c and d2 >= EXTEND_KEEP * dice) or \
                (c2 >= EXTEND_BETTER * c and d2 >= dice)  # fewer pairs, but a closer match
            if keeps and len(k2) > len(key) and \
                    padded in (f"{glue}{k2}{glue}" if glue else k2):
                if best is None or (c2, d2) > (best[2], best[3]):
                    best = (sc, k2, c2, d2)
        if best is None:
            return key, c, score
        score, key, c, dice = max(best[0], score), best[1], best[2], best[3]


def _overlaps(a: str, b: str, glue: str) -> bool:
    """One contains the other, or one ends with what the other starts with (in words;
    for Chinese, two characters or more).

    >>> _overlaps("possession of weapons of mass", "weapons of mass destruction", " ")
    True
    >>> _overlaps("Security Council", "General Assembly", " ")
    False
    """
    if a in b or b in a:
        return True
    if glue:
        wa, wb = a.split(glue), b.split(glue)
        return any(wa[-n:] == wb[:n] or wb[-n:] == wa[:n] for n in range(1, min(len(wa), len(wb))))
    return any(a[-n:] == b[:n] or b[-n:] == a[:n] for n in range(2, min(len(a), len(b))))


def _query_spans(src: _Lang, row: int, qtoks: list[Token],
                 needle_zh: str | None) -> list[tuple[int, int]]:
    text = src.texts[row]
    if needle_zh is not None:
        f = fold(text)
        spans, start = [], 0
        while (i := f.text.find(needle_zh, start)) >= 0:
            spans.append(f.span(i, i + len(needle_zh)))
            start = i + len(needle_zh)
        return spans
    want = [src.vocab_ids.get(t[0], -1) for t in qtoks]
    a, b = int(src.tok_off[row]), int(src.tok_off[row + 1])
    ids = src.ids[a:b].tolist()
    m = len(want)
    return [(int(src.starts[a + i]), int(src.ends[a + i + m - 1]))
            for i in range(len(ids) - m + 1) if ids[i:i + m] == want]


def _paragraph(db: sqlite3.Connection, doc_id: str, n: int) -> str | None:
    row = db.execute("SELECT d.body FROM current c JOIN docs d ON d.doc_id = c.doc_id "
                     "AND d.rev = c.rev WHERE c.doc_id = ?", (doc_id,)).fetchone()
    if row is None:
        return None
    return body_paragraph(row[0], n)


def _safe(db: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> list[Any]:
    """Rows, or none from an index built before alignment existed (no such table)."""
    try:
        return db.execute(sql, args).fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise


# ---------------------------------------------------------------------------
# Hooks for the engine


def parallel_url(doc_id: str, para: int, with_lang: str, query: str | None = None) -> str:
    args = {"q": clean_query(query)} if query else {}
    args["with"] = with_lang
    return f"/documents/{quote(doc_id, safe='')}?{urlencode(args)}#p{para}"


def translations_url(query: str, source: str, target: str) -> str:
    return "/translations?" + urlencode({"q": query, "from": source, "to": target})


def attach_aligned(par: Parallel, results: SearchResults, with_lang: str, query: str) -> SearchResults:
    """The same results, each hit with its aligned passage in ``with_lang`` (or None)."""
    import dataclasses

    words = query_text(query)
    db = par._db()
    try:
        hits = []
        for hit in results.hits:
            aligned = None
            if hit.lang != with_lang:
                aligned = par.aligned(hit.doc_id, hit.paragraph, with_lang, db)
            if aligned is not None:
                if words:
                    aligned = par.mark_rendering(aligned, words, hit.lang)
                aligned["url"] = parallel_url(hit.doc_id, hit.paragraph, with_lang, query)
                aligned["translations_url"] = translations_url(words, hit.lang, with_lang) if words else None
            hits.append(dataclasses.replace(hit, aligned=aligned, with_lang=with_lang))
    finally:
        db.close()
    return dataclasses.replace(results, hits=hits, filters={**results.filters, "with": with_lang})


def parallel_document(engine: Any, view: DocumentView, with_lang: str, query: str | None) -> dict[str, Any]:
    """Rows of (paragraph, its aligned target paragraphs) for a side-by-side page."""
    par: Parallel = engine.parallel()
    links = par.document_links(view.doc_id, with_lang)
    src_lang = view.meta.get("lang") or ""
    rows: list[dict[str, Any]] = []
    other = None
    if links:
        db = par._db()
        try:
            row = _safe(db, "SELECT doc_id2 FROM align WHERE doc_id = ? AND lang2 = ? LIMIT 1",
                        (view.doc_id, with_lang))
        finally:
            db.close()
        other_id = row[0][0]
        other = engine.document(other_id)
        tparas = other.paragraphs
        words = query_text(query) if query else ""
        wanted: set[str] = set()
        if words:
            tr = par.translations(words, src_lang, with_lang, limit=3)
            wanted = _to_mark(tr)
        by_para = {p: (a, b, c) for p, a, b, c in links}
        covered = 0
        for n, ptext in enumerate(view.paragraphs, 1):
            src_html = (view.paragraphs_html[n - 1] if view.paragraphs_html
                        else html.escape(ptext, quote=False))
            link = by_para.get(n)
            target: list[dict[str, Any]] = []
            conf = None
            if link is not None:
                a, b, conf = link
                a = min(a, covered + 1) if a > covered else a
                for t in range(max(a, covered + 1), b + 1):
                    target.append({"paragraph": t, "html": _mark_keys(tparas[t - 1], with_lang, wanted)})
                covered = max(covered, b)
            rows.append({"paragraph": n, "html": src_html, "target": target, "confidence": conf,
                         "continued": link is not None and not target})
        if covered < len(tparas) and rows:
            for t in range(covered + 1, len(tparas) + 1):
                rows[-1]["target"].append({"paragraph": t,
                                           "html": _mark_keys(tparas[t - 1], with_lang, wanted)})
    return {"doc_id": view.doc_id, "lang": src_lang, "with": with_lang,
            "other": other.to_dict() if other is not None else None, "rows": rows}


def _to_mark(tr: Translations) -> set[str]:
    """The renderings worth marking: the best, and any nearly as good and common."""
    if not tr.renderings:
        return set()
    top = tr.renderings[0].score
    return {r.key for r in tr.renderings
            if r.score >= 0.6 * top and r.share >= MIN_SHARE_TO_MARK}


def _mark_keys(text: str, lang: str, wanted: set[str]) -> str:
    if not wanted:
        return html.escape(text, quote=False)
    toks, breaks = _tokens(text, lang)
    spans = [(toks[i][1], toks[j - 1][2]) for k, i, j in _sequences(toks, breaks, lang) if k in wanted]
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))  # longest first where two start together
    return _mark(text, spans)
