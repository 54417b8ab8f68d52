"""Whoosh queries evaluated with numpy over whole posting lists: the matching set and BM25F.

Whoosh matches and scores one posting at a time in Python (about 4 µs a posting), so a
query of common words ("the", "united nations") takes seconds. Here the same query tree is
evaluated column-wise: every term's postings come as arrays (from the side index of
:mod:`index.postings` for frequent terms, from Whoosh's posting blocks for the rest), BM25F
is computed for a whole posting list at once with Whoosh's own statistics (idf, average
field length, the lossy length byte), And/Or/AndMaybe/AndNot combine aligned arrays, and a
phrase is found by intersecting (document, position - offset) keys.

The answers are Whoosh's: the same matching set, and the same scores up to the order in
which floating-point sums are added (Whoosh builds a weighted tree of matchers; here
children are added in order), which tests check against Whoosh itself. Query types this
module does not know are handed to Whoosh (:mod:`search.idsets`), restricted to the
documents that the rest of the query allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.query.spans import SpanNear2
from whoosh.util.numeric import byte_to_length

from index import _whoosh
from index.postings import SegmentPostings, read_term

from . import budget
from .idsets import IdEvaluator, _union, score_subset
from .lru import LRU

EMPTY_IDS = np.zeros(0, dtype=np.int64)
EMPTY_SCORES = np.zeros(0, dtype=np.float64)
_LENGTH_TABLE = np.array([byte_to_length(b) or 0 for b in range(256)], dtype=np.float64)


class SurfacePhrase(wq.Phrase):
    """A quoted phrase that must match as typed, not only by stems.

    ``surfaces[i]`` is the folded form word ``i`` was typed in (None: no constraint, for a
    number or an acronym); ``lang`` is the field's language. Whoosh itself matches it as
    the plain phrase of stems; :class:`Evaluator` also checks the form codes of
    :mod:`index.surface`.
    """

    def __init__(self, fieldname: str, words: list[str], surfaces: list[str | None], lang: str,
                 slop: int = 1, boost: float = 1.0) -> None:
        super().__init__(fieldname, words, slop=slop, boost=boost)
        self.surfaces = tuple(surfaces)
        self.lang = lang

    def normalize(self) -> wq.Query:
        return self if len(self.words) > 1 else super().normalize()

    def __eq__(self, other: object) -> bool:
        return bool(super().__eq__(other)) and self.surfaces == getattr(other, "surfaces", None)

    def __hash__(self) -> int:
        return super().__hash__() ^ hash(self.surfaces)


@dataclass
class Match:
    """Sorted unique document numbers and, when asked for, their scores (aligned)."""

    ids: np.ndarray
    scores: np.ndarray | None

    def __len__(self) -> int:
        return len(self.ids)


def _empty(scored: bool) -> Match:
    return Match(EMPTY_IDS, EMPTY_SCORES if scored else None)


@dataclass
class TermData:
    """One term of one field over the whole reader: global ids, term frequencies, and
    positions (``positions[pstart[i]: pstart[i] + tf[i]]`` for posting i), read lazily.
    Compact types (int32): a query of common words holds several lists of 10⁵ postings."""

    ids: np.ndarray  # int32, sorted
    tf: np.ndarray  # int32
    # The positions as each segment holds them (memory-mapped side arrays, or read from
    # Whoosh): ``take`` reads them in place; ``positions`` is their concatenation, made
    # only when asked for (a copy of megabytes for a common word).
    _pos_parts: list[np.ndarray]
    _starts: np.ndarray | None = None  # where each posting's positions begin, in the
    #                                    concatenated positions of all its segments
    _keep: np.ndarray | None = None  # the postings of live documents (after an update)
    _tf_all: np.ndarray | None = None  # the counts of all postings, deleted ones included
    _pos: np.ndarray | None = None
    from_side: bool = True

    @property
    def positions(self) -> np.ndarray:
        if self._pos is None:
            parts = self._pos_parts
            self._pos = np.concatenate(parts) if len(parts) > 1 else np.asarray(parts[0])
        return self._pos

    @property
    def n_positions(self) -> int:
        return sum(len(p) for p in self._pos_parts)

    def take(self, flat: np.ndarray) -> np.ndarray:
        """``positions[flat]`` for an ascending ``flat`` (as every caller makes it: rows in
        order, each row's positions in a run), read from each segment's array in place."""
        parts = self._pos_parts
        if self._pos is not None or len(parts) == 1:
            return self.positions[flat]
        out = []
        base = lo = 0
        for part in parts:
            hi = int(np.searchsorted(flat, base + len(part)))
            if hi > lo:
                out.append(part[flat[lo:hi] - base])
            lo, base = hi, base + len(part)
        if len(out) == 1:
            return out[0]
        return np.concatenate(out) if out else np.zeros(0, dtype=parts[0].dtype)

    @property
    def pstart(self) -> np.ndarray:
        if self._starts is None:
            tf_all = self._tf_all if self._tf_all is not None else self.tf
            starts = np.zeros(len(tf_all), dtype=np.int64)
            if len(tf_all) > 1:
                np.cumsum(tf_all[:-1], out=starts[1:])
            self._starts = starts[self._keep] if self._keep is not None else starts
        return self._starts

    @property
    def nbytes(self) -> int:
        """What a cache holds for this term: its arrays, positions and offsets included."""
        pos = sum(int(p.nbytes) for p in self._pos_parts)
        return int(self.ids.nbytes + self.tf.nbytes + pos + 8 * len(self.ids))

    def rows(self, docs: np.ndarray) -> np.ndarray:
        """Row of each of ``docs`` (all of which must be in ``ids``)."""
        return np.searchsorted(self.ids, docs)

    def doc_positions(self, row: int) -> np.ndarray:
        a = int(self.pstart[row])
        return self.take(np.arange(a, a + int(self.tf[row]), dtype=np.int64))


class Segments:
    """The leaf segments of one Whoosh reader, with their side arrays and deletions."""

    def __init__(self, reader: Any, side: list[SegmentPostings | None]) -> None:
        self.reader = reader
        self.leaves = _whoosh.leaves(reader)
        self.side = side
        self.doc_count = reader.doc_count_all()
        live = np.ones(self.doc_count, dtype=bool)
        any_deleted = False
        for seg, offset in self.leaves:
            dead = _whoosh.deleted_docs(seg)
            if dead:
                any_deleted = True
                live[np.asarray(dead, dtype=np.int64) + offset] = False
        self.live: np.ndarray | None = live if any_deleted else None
        self._lengths: dict[str, np.ndarray] = {}

    def lengths(self, fieldname: str) -> np.ndarray:
        """The length byte of ``fieldname`` for every document (uint8, global numbering)."""
        arr = self._lengths.get(fieldname)
        if arr is None:
            parts = []
            for seg, _offset in self.leaves:
                n = seg.doc_count_all()
                raw = _whoosh.length_bytes(seg, fieldname)
                if raw is None:
                    parts.append(np.zeros(n, dtype=np.uint8))
                elif isinstance(raw, bytes | bytearray):
                    parts.append(np.frombuffer(raw, dtype=np.uint8)[:n])
                else:  # an unpatched reader: the general way
                    parts.append(np.fromiter((raw[i] for i in range(n)), dtype=np.uint8, count=n))
            arr = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
            self._lengths[fieldname] = arr
        return arr


class Evaluator:
    """Evaluate Whoosh queries for one searcher (see the module docstring)."""

    def __init__(self, searcher: Any, segments: Segments, cache: LRU | None = None,
                 key: Any = None, columns: Any = None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.segs = segments
        self.cache = cache
        self.key = key
        self.weighting = searcher.weighting
        self.n = segments.doc_count
        self.columns = columns  # index.columns.Columns: year and date ranges from the columns
        #: Documents matched by a quoted phrase in a segment without form codes: the caller
        #: checks their text (see :meth:`SearchEngine._verify`).
        self.unverified: list[np.ndarray] = []
        self._ids = IdEvaluator(searcher, cache, key)
        self._terms: dict[tuple[str, bytes], TermData | None] = {}

    # -- terms ---------------------------------------------------------------

    def term_data(self, fieldname: str, text: bytes) -> TermData | None:
        k = (fieldname, text)
        if k in self._terms:
            return self._terms[k]
        ck = ("postings", self.key, fieldname, text)
        td = self.cache.get(ck) if self.cache is not None else None
        if td is None:
            td = self._read_term(fieldname, text)
            if td is not None and self.cache is not None and not td.from_side:
                self.cache.put(ck, td)
        self._terms[k] = td
        return td

    def _read_term(self, fieldname: str, text: bytes) -> TermData | None:
        ids_l, tf_l, pos_l = [], [], []
        from_side = True
        for (seg, offset), side in zip(self.segs.leaves, self.segs.side, strict=True):
            budget.check()
            got = side.get(fieldname, text) if side is not None else None
            if got is None:
                if (fieldname, text) not in seg:
                    continue
                from_side = False
                got = read_term(seg, fieldname, text)
                if got is None:
                    return None
            ids, tf, pos = got
            ids_l.append(np.asarray(ids, dtype=np.int32) + np.int32(offset))
            tf_l.append(np.asarray(tf, dtype=np.int32))
            pos_l.append(pos)
        if not ids_l:
            return None
        ids = np.concatenate(ids_l) if len(ids_l) > 1 else ids_l[0]
        tf = np.concatenate(tf_l) if len(tf_l) > 1 else tf_l[0]
        td = TermData(ids=ids, tf=tf, _pos_parts=pos_l, from_side=from_side)
        live = self.segs.live
        if live is not None:
            keep = live[ids]
            if not keep.all():
                td._tf_all = tf  # the positions' offsets count the deleted postings too
                td._keep = keep
                td.ids, td.tf = ids[keep], tf[keep]
        return td

    def bm25(self, fieldname: str, text: bytes, td: TermData, rows: np.ndarray | None = None
             ) -> np.ndarray:
        """Whoosh's BM25F score of the term for its postings (or these rows of them),
        computed as :func:`whoosh.scoring.bm25` does, operation for operation."""
        ids = td.ids if rows is None else td.ids[rows]
        tf = (td.tf if rows is None else td.tf[rows]).astype(np.float64)
        s = self.searcher
        if not s.schema[fieldname].scorable:
            return tf
        B, K1 = _whoosh.bm25_parameters(self.weighting, fieldname)
        idf = s.idf(fieldname, text)
        avgfl = s.avg_field_length(fieldname) or 1
        # idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), in place: the
        # same operations in the same order (the same bits), three arrays instead of six.
        d = _LENGTH_TABLE[self.segs.lengths(fieldname)[ids]]
        d *= B
        d /= avgfl
        d += 1 - B
        d *= K1
        d += tf
        tf *= K1 + 1
        tf /= d
        tf *= idf
        return tf

    def _btext(self, fieldname: str, text: Any) -> bytes | None:
        if isinstance(text, bytes):
            return text
        try:
            return self.reader.schema[fieldname].to_bytes(text)  # type: ignore[no-any-return]
        except ValueError:
            return None

    # -- the tree ------------------------------------------------------------

    def run(self, q: wq.Query, *, scored: bool = True, within: np.ndarray | None = None) -> Match:
        """The documents ``q`` matches (within ``within``, if given), with scores."""
        m = self._eval(q, scored, within)
        return m

    def _eval(self, q: wq.Query, scored: bool, within: np.ndarray | None) -> Match:
        budget.check()
        if q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__):
            return _empty(scored)
        if isinstance(q, wq.Term):
            return self._term(q, scored, within)
        if isinstance(q, wq.Phrase):
            return self._phrase(q, scored, within)
        if isinstance(q, wq.And):
            return self._and(q.subqueries, scored, within, q.boost)
        if isinstance(q, wq.Or) and not q.minmatch and not q.scale:
            return self._or(q.subqueries, scored, within, q.boost)
        if isinstance(q, wq.AndMaybe):
            a = self._eval(q.a, scored, within)
            if not scored or not len(a):
                return a
            b = self._eval(q.b, True, a.ids)
            return Match(a.ids, _add_at(a.ids, a.scores, b))
        if isinstance(q, wq.AndNot):
            a = self._eval(q.a, scored, within)
            if not len(a):
                return a
            b = self._eval(q.b, False, a.ids)
            keep = ~_member(a.ids, b.ids, self.n)
            return Match(a.ids[keep], a.scores[keep] if a.scores is not None else None)
        if isinstance(q, SpanNear2) and all(isinstance(t, wq.Term) for t in q.qs):
            return self._near(q.qs, q.slop, q.ordered, q.mindist, 1.0, scored, within)
        return self._whoosh(q, scored, within)

    def _term(self, q: wq.Term, scored: bool, within: np.ndarray | None) -> Match:
        text = self._btext(q.fieldname, q.text)
        if text is None or q.fieldname not in self.reader.schema:
            return _empty(scored)
        field = self.reader.schema[q.fieldname]
        if field.format is None or not field.format.supports("positions"):
            # Keyword fields (lang, organ, symbol): ids from Whoosh, a constant weight.
            ids = self._ids.term(q.fieldname, text).astype(np.int64)
            if within is not None:
                ids = ids[_member(ids, within)]
            if not scored:
                return Match(ids, None)
            return Match(ids, np.full(len(ids), 1.0 * q.boost))
        td = self.term_data(q.fieldname, text)
        if td is None:
            return _empty(scored)
        rows = None
        ids = td.ids
        if within is not None:
            rows = _locate(td.ids, within, self.n)
            ids = td.ids[rows]
        if not scored:
            return Match(ids, None)
        s = self.bm25(q.fieldname, text, td, rows)
        if q.boost != 1.0:
            s = s * q.boost
        return Match(ids, s)

    def _terms_of(self, fieldname: str, words: list[Any]) -> list[tuple[bytes, TermData]] | None:
        out = []
        for w in words:
            text = self._btext(fieldname, w)
            td = self.term_data(fieldname, text) if text is not None else None
            if text is None or td is None:
                return None
            out.append((text, td))
        return out

    def _phrase(self, q: wq.Phrase, scored: bool, within: np.ndarray | None) -> Match:
        if q.fieldname not in self.reader.schema:
            return _empty(scored)
        terms = self._terms_of(q.fieldname, list(q.words))
        if terms is None:
            return _empty(scored)
        if q.slop != 1:
            return self._near([wq.Term(q.fieldname, t) for t, _td in terms], q.slop, True, 1,
                              q.boost, scored, within)
        cand = _intersect_all([td.ids for _t, td in terms], within, self.n)
        if len(cand) and len(terms) > 1:
            keys = _adjacent([td for _t, td in terms], cand)
            if isinstance(q, SurfacePhrase):
                keys = self._as_typed(q, cand, keys)
            mask = np.zeros(len(cand), dtype=bool)
            mask[keys >> 32] = True
            cand = cand[mask]
        if not scored:
            return Match(cand, None)
        return Match(cand, self._sum_scores(q.fieldname, terms, cand) * q.boost
                     if q.boost != 1.0 else self._sum_scores(q.fieldname, terms, cand))

    def _as_typed(self, q: SurfacePhrase, cand: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The phrase matches (``cand`` row << 32 | start) whose words have the typed forms."""
        docs = cand[keys >> 32]
        starts = keys & 0xFFFFFFFF
        keep = np.ones(len(keys), dtype=bool)
        for (seg, offset), side in zip(self.segs.leaves, self.segs.side, strict=True):
            inside = (docs >= offset) & (docs < offset + seg.doc_count_all())
            if not inside.any():
                continue
            forms = side.forms if side is not None else None
            if forms is None:
                self.unverified.append(np.unique(docs[inside]))
                continue
            local = docs[inside] - offset
            ok = np.ones(len(local), dtype=bool)
            for i, (word, surface) in enumerate(zip(q.words, q.surfaces, strict=True)):
                if surface is None:
                    continue
                code = forms.code(q.lang, word, surface)
                if code is None:
                    ok[:] = False
                    break
                ok &= forms.at(local, starts[inside] + i) == code
            keep[np.flatnonzero(inside)[~ok]] = False
        return keys[keep]

    def _sum_scores(self, fieldname: str, terms: list[tuple[bytes, TermData]],
                    docs: np.ndarray) -> np.ndarray:
        total = np.zeros(len(docs), dtype=np.float64)
        for text, td in terms:
            total += self.bm25(fieldname, text, td, td.rows(docs))
        return total

    def _near(self, qs: list[wq.Query], slop: int, ordered: bool, mindist: int, boost: float,
              scored: bool, within: np.ndarray | None) -> Match:
        """SpanNear2 (and a phrase with slop): Whoosh's own span logic, one candidate
        document at a time, over positions from the arrays."""
        if not qs:
            return _empty(scored)
        fieldname = qs[0].fieldname
        if any(q.fieldname != fieldname for q in qs):
            return self._whoosh(SpanNear2(qs, slop=slop, ordered=ordered, mindist=mindist),
                                scored, within)
        terms = self._terms_of(fieldname, [q.text for q in qs])
        if terms is None:
            return _empty(scored)
        cand = _intersect_all([td.ids for _t, td in terms], within, self.n)
        if len(cand):
            rows = [td.rows(cand) for _t, td in terms]
            keep = np.zeros(len(cand), dtype=bool)
            for j in range(len(cand)):
                if j % 64 == 0:
                    budget.check()
                keep[j] = _whoosh.near([td.doc_positions(int(r[j]))
                                        for (_t, td), r in zip(terms, rows, strict=True)],
                                       slop, ordered, mindist)
            cand = cand[keep]
        if not scored:
            return Match(cand, None)
        s = self._sum_scores(fieldname, terms, cand)
        return Match(cand, s * boost if boost != 1.0 else s)

    def _and(self, subs: list[wq.Query], scored: bool, within: np.ndarray | None,
             boost: float) -> Match:
        # Known query types first (cheap), the rest within what they allow.
        order = sorted(range(len(subs)), key=lambda i: not _known(subs[i]))
        cur = within
        parts: list[tuple[int, Match]] = []
        for i in order:
            m = self._eval(subs[i], scored, cur)
            if not len(m):
                return _empty(scored)
            parts.append((i, m))
            cur = m.ids  # within the previous parts: the intersection so far
        assert cur is not None
        ids = cur
        if not scored:
            return Match(ids, None)
        total = np.zeros(len(ids), dtype=np.float64)
        for _i, m in sorted(parts, key=lambda im: im[0]):
            assert m.scores is not None
            total += _gather(ids, m, self.n)
        return Match(ids, total * boost if boost != 1.0 else total)

    def _or(self, subs: list[wq.Query], scored: bool, within: np.ndarray | None,
            boost: float) -> Match:
        # Children are added up as they come: an OR of 70 common words over six language
        # fields has hundreds of children, whose arrays together would take gigabytes.
        parts: list[Match] = []  # while they are few and small
        size = 0
        hit: np.ndarray | None = None  # then masks over all documents
        acc: np.ndarray | None = None
        for sub in subs:
            m = self._eval(sub, scored, within)
            if not len(m):
                continue
            if hit is None:
                parts.append(m)
                size += len(m)
                if len(parts) < 2 or not _dense(size, self.n):
                    continue
                hit = np.zeros(self.n, dtype=bool)
                acc = np.zeros(self.n, dtype=np.float64) if scored else None
                pending, parts = parts, []
            else:
                pending = [m]
            for p in pending:
                hit[p.ids] = True
                if acc is not None:
                    acc[p.ids] += p.scores
        if hit is not None:
            ids = np.flatnonzero(hit)
            m = Match(ids, acc[ids] if acc is not None else None)
        elif not parts:
            return _empty(scored)
        elif len(parts) == 1:
            m = parts[0]
        else:
            ids = _union([p.ids for p in parts])
            if scored:
                total = np.zeros(len(ids), dtype=np.float64)
                for p in parts:
                    assert p.scores is not None
                    total[np.searchsorted(ids, p.ids)] += p.scores
                m = Match(ids, total)
            else:
                m = Match(ids, None)
        if scored and boost != 1.0:
            assert m.scores is not None
            m = Match(m.ids, m.scores * boost)
        return m

    def _range(self, q: wq.NumericRange, scored: bool, within: np.ndarray | None) -> Match:
        """``year:[a TO b]`` and ``date:…`` from the year and date columns, which hold the
        same numbers as the indexed fields (0 where a document has none): Whoosh would walk
        every matching posting of the range's terms."""
        assert self.columns is not None
        values = self.columns.year if q.fieldname == "year" else self.columns.date
        keep = values > 0
        if q.start is not None:
            keep &= (values > q.start) if q.startexcl else (values >= q.start)
        if q.end is not None:
            keep &= (values < q.end) if q.endexcl else (values <= q.end)
        if self.segs.live is not None:
            keep &= self.segs.live
        ids = np.flatnonzero(keep).astype(np.int64)
        if within is not None:
            ids = ids[_member(ids, within, self.n)]
        return Match(ids, np.full(len(ids), float(q.boost)) if scored else None)

    def _whoosh(self, q: wq.Query, scored: bool, within: np.ndarray | None) -> Match:
        """A query type this module does not evaluate: Whoosh's own matchers."""
        if isinstance(q, wq.NumericRange) and q.fieldname in ("year", "date") \
                and self.columns is not None and q.constantscore \
                and len(self.columns) == self.n:
            return self._range(q, scored, within)
        if isinstance(q, (wq.NumericRange, wq.TermRange, wq.Prefix, wq.Wildcard)) \
                and getattr(q, "constantscore", False):
            ids = self._ids.ids(q)
            if within is not None:
                ids = ids[_member(ids, within)]
            return Match(ids, np.full(len(ids), float(q.boost)) if scored else None)
        ids = self._ids.whoosh(q, within)
        if not scored:
            return Match(ids, None)
        got = score_subset(self.searcher, q, ids)
        return Match(ids, np.array([got.get(int(d), 0.0) for d in ids], dtype=np.float64))


_KNOWN = (wq.Term, wq.Phrase, wq.And, wq.Or, wq.AndMaybe, wq.AndNot)


def _known(q: wq.Query) -> bool:
    return isinstance(q, _KNOWN) or q is wq.NullQuery


def _dense(size: int, n: int | None) -> bool:
    """Whether arrays this large are cheaper as masks over all ``n`` documents than as
    binary searches."""
    return n is not None and size * 16 > n


def _member(ids: np.ndarray, among: np.ndarray, n: int | None = None) -> np.ndarray:
    """Boolean mask: which of the sorted ``ids`` are in the sorted ``among``."""
    if not len(among) or not len(ids):
        return np.zeros(len(ids), dtype=bool)
    # A mask costs a pass over ``among``; a few ids are cheaper looked up in it (candidates
    # within a common word's postings: tens of ids against hundreds of thousands).
    if _dense(len(ids) + len(among), n) and len(ids) * 16 >= len(among):
        assert n is not None
        mask = np.zeros(n, dtype=bool)
        mask[among] = True
        return mask[ids]
    pos = np.searchsorted(among, ids)
    pos[pos == len(among)] = len(among) - 1
    return among[pos] == ids


def _locate(ids: np.ndarray, within: np.ndarray, n: int | None = None) -> np.ndarray:
    """Rows of the sorted ``ids`` whose value is in the sorted ``within`` (ascending)."""
    if not len(ids) or not len(within):
        return np.zeros(0, dtype=np.int64)
    if len(within) * 8 < len(ids):
        pos = np.searchsorted(ids, within)
        pos[pos == len(ids)] = len(ids) - 1
        return pos[ids[pos] == within]
    return np.flatnonzero(_member(ids, within, n))


def _gather(ids: np.ndarray, m: Match, n: int) -> np.ndarray:
    """``m``'s scores at ``ids`` (a subset of ``m.ids``)."""
    assert m.scores is not None
    if _dense(len(ids) + len(m), n):
        dense = np.zeros(n, dtype=np.float64)
        dense[m.ids] = m.scores
        return dense[ids]
    return m.scores[np.searchsorted(m.ids, ids)]


def _intersect_all(parts: list[np.ndarray], within: np.ndarray | None,
                   n: int | None = None) -> np.ndarray:
    arrays = sorted(parts, key=len)
    if within is not None:
        arrays = [within, *arrays]
        arrays.sort(key=len)
    if not arrays:
        return EMPTY_IDS
    cur = np.asarray(arrays[0], dtype=np.int64)
    for other in arrays[1:]:
        if not len(cur):
            break
        cur = cur[_member(cur, other, n)]
    return cur


def _add_at(ids: np.ndarray, scores: np.ndarray | None, extra: Match) -> np.ndarray:
    """``scores`` of ``ids`` plus ``extra``'s scores where it matches (extra ⊆ ids)."""
    assert scores is not None
    out = np.array(scores, dtype=np.float64, copy=True)
    if len(extra):
        assert extra.scores is not None
        out[np.searchsorted(ids, extra.ids)] += extra.scores
    return out


#: Positions expanded at once when finding words in a row: rows are taken in chunks of
#: about this many positions (all the words' together), so that a phrase of the commonest
#: words ("of the United Nations": millions of positions) holds some MB at a time rather
#: than 47 (tracemalloc's peak of that search), for the same keys.
ADJACENT_CHUNK = 1 << 19


def _adjacent(terms: list[TermData], cand: np.ndarray) -> np.ndarray:
    """Where the words occur in a row in ``cand`` (documents with every word), as sorted
    keys ``row << 32 | position of the first word``.

    Written for memory: a common pair ("of the") expands millions of positions, so the
    keys are made in place from the positions' own (uint16) values and int32 offsets,
    about 19 bytes a position at the peak (54 with int64 rows, offsets and positions), and
    in chunks of rows (``ADJACENT_CHUNK``)."""
    if not len(cand) or not terms:
        return EMPTY_IDS
    rows = [td.rows(cand) for td in terms]
    counts = [td.tf[r] for td, r in zip(terms, rows, strict=True)]
    per_row = np.cumsum(np.sum(counts, axis=0, dtype=np.int64))
    edges = np.searchsorted(per_row, np.arange(ADJACENT_CHUNK, int(per_row[-1]), ADJACENT_CHUNK))
    bounds = [0, *np.unique(edges[(edges > 0) & (edges < len(cand))]).tolist(), len(cand)]
    parts = [_adjacent_rows(terms, [r[a:b] for r in rows], [c[a:b] for c in counts], a)
             for a, b in zip(bounds, bounds[1:], strict=False)]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _adjacent_rows(terms: list[TermData], rows: list[np.ndarray], counts: list[np.ndarray],
                   first_row: int) -> np.ndarray:
    """``_adjacent`` for the candidates ``first_row`` to ``first_row + len(rows[0])``, given
    each word's posting rows and counts there."""
    keys = None
    row_keys = np.arange(first_row, first_row + len(rows[0]), dtype=np.int64) << 32
    for i, td in enumerate(terms):
        n = counts[i]
        total = int(n.sum())
        index = np.int32 if td.n_positions < 2**31 else np.int64
        first = np.cumsum(n) - n
        flat = np.repeat((td.pstart[rows[i]] - first).astype(index), n)
        flat += np.arange(total, dtype=index)
        pos = td.take(flat)
        del flat
        k = np.repeat(row_keys, n)
        k += pos
        if i:
            k = k[pos >= i]
            k -= i
        del pos
        k = _dedup(k)  # sorted: documents and positions ascend
        keys = k if keys is None else keys[_member(keys, k)]
        if not len(keys):
            break
    return keys if keys is not None else EMPTY_IDS


def _dedup(sorted_values: np.ndarray) -> np.ndarray:
    if len(sorted_values) < 2:
        return sorted_values
    keep = np.empty(len(sorted_values), dtype=bool)
    keep[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=keep[1:])
    return sorted_values[keep]


def top(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The ``k`` best (document, score), best first; ties go to the lower document number,
    as Whoosh's collector orders them."""
    if not len(ids):
        return []
    if k < len(ids):
        thr = -np.partition(-scores, k - 1)[k - 1]
        above = np.flatnonzero(scores > thr)
        ties = np.flatnonzero(scores == thr)[: k - len(above)]
        sel = np.concatenate([above, ties])
    else:
        sel = np.arange(len(ids))
    order = np.lexsort((ids[sel], -scores[sel]))
    chosen = sel[order]
    return [(int(d), float(s)) for d, s in zip(ids[chosen], scores[chosen], strict=True)]
