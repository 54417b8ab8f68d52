"""Documents about the query: with ``group="doc"``, a document's score counts its other
matching paragraphs, so a statement about weapons of mass destruction (the phrase in four of
its long paragraphs) ranks above a one-line heading that mentions it once.

Two steps, both on the first-phase scores of every match (BM25F of the whole query, the
same on the numpy fast path and through Whoosh's posting blocks):

1. **Each paragraph is measured against the paragraphs of its own language.** BM25
   divides a term's weight by the paragraph's length over the field's average length, and
   Whoosh averages a language's body field over *all* paragraphs, most of them in other
   languages (0 words in that field): the average of ``text_zh`` is 4.8 words where Chinese
   paragraphs have 29, so every Chinese paragraph looks six times too long and a heading of
   14 words outscored each of the seed statement's paragraphs of 89-156 words 4 to 8 times
   over (25.9 against 3.2-6.3 for "大规模毁灭性武器"). In grouped results each paragraph's
   score is multiplied by ``D(avg of all) / D(avg of its language)``, ``D(a) = 1 +
   K1·((1-B) + B·len/a)``: exact for a term that occurs once, what the lengths do to it.
   (Paragraph results keep Whoosh's scores, which tests/test_vector.py holds them to.)
2. **The best paragraph plus a damped sum of the next ones**, in closed form: a document
   scores its best paragraph ``M`` plus ``2·R·M / (R + 2·M)``, where ``R`` is the sum of its
   other matching paragraphs. For k other paragraphs as good as the best it adds 2k/(k+2)
   of it (2/3, 1, 6/5 …: within 15 % of the geometric series of rank damping 2/3) and never
   more than twice the best, so many weak matches cannot outrank one strong match (a
   document whose other paragraphs are weak, R ≪ M, gains about R). No sort within
   documents: ``bincount`` and ``maximum.at`` over the matches. For the 366,606 matches of
   "the" on the full corpus the factor takes 2 ms (a table lookup), the bonus 4 ms and the
   choice of candidate documents 4 ms (measured at a load average of 8 on 2 cores; a sort
   of the matches takes about 60 ms).

Measured with the known-item queries of bench/eval_known_item.py (100 per class, seed 1,
over unpc-dev) searched with ``group="doc"``. Before the word-order check of
search/wordorder.py, step 1 raised the first hit's paragraph containing the typed words
for en-words from 0.95 to 0.98 and zh-fullwidth from 0.96 to 0.98, no class lower; with that
check it is 1.00 in every class with or without these steps. The known item's *document* in
the first 10 drops by 0.01-0.04 in six classes (en-quoted 0.93 → 0.89, en-words 0.96 →
0.94) and rises in one: documents with more matching paragraphs now come before the one
sentence a query was drawn from, which is the point. A saturation of one best paragraph
(``R·M / (R + M)``) measured the same but left the seed statement second, 51.9 against the
heading's 58.5; with 2 it is first, 62.2.

A document ranks by its best paragraph so scored; the paragraph it shows is still its best
by the paragraph score (what ``group="para"`` ranks by), and matches, totals and facets are
not touched.
"""

from __future__ import annotations

import numpy as np

from index import _whoosh
from index.columns import Columns
from index.model import LANGUAGES
from index.schema import TEXT_FIELDS

from .vector import _LENGTH_TABLE, Evaluator


def length_factor(ev: Evaluator, cols: Columns, ids: np.ndarray) -> np.ndarray:
    """For each paragraph of ``ids``: what BM25's length normalisation took from a term that
    occurs once in its language's body field (step 1 of the module docstring)."""
    table, own = _factor_table(ev, cols)
    return table[cols.lang[ids], own[ids]]  # type: ignore[no-any-return]


def _factor_table(ev: Evaluator, cols: Columns) -> tuple[np.ndarray, np.ndarray]:
    """(factor by language code and length byte, each paragraph's length byte in its own
    language's field), once per index generation (kept with the segments' length bytes):
    a lookup instead of six passes over the 400,000 matches of "the"."""
    cached = ev.segs.__dict__.get("_unsearch_doc_factor")
    if cached is not None and len(cached[1]) == len(cols.lang):
        return cached  # type: ignore[no-any-return]
    table = np.ones((len(LANGUAGES) + 1, 256), dtype=np.float64)
    own = np.zeros(len(cols.lang), dtype=np.uint8)
    live = ev.segs.live if ev.segs.live is not None and len(ev.segs.live) == len(own) else None
    for code, lang in enumerate(LANGUAGES, 1):
        field = TEXT_FIELDS[lang]
        mine = cols.lang == code
        lengths = ev.segs.lengths(field)
        own[mine] = lengths[mine]
        counted = mine & live if live is not None else mine
        if not counted.any():
            continue
        B, K1 = _whoosh.bm25_parameters(ev.weighting, field)
        avg = ev.searcher.avg_field_length(field) or 1
        mine_avg = float(_LENGTH_TABLE[lengths[counted]].mean()) or avg
        fl = _LENGTH_TABLE
        table[code] = (1 + K1 * ((1 - B) + B * fl / avg)) / (1 + K1 * ((1 - B) + B * fl / mine_avg))
    ev.segs.__dict__["_unsearch_doc_factor"] = (table, own)
    return table, own


SATURATION = 2.0  # a document scores at most this many times its best paragraph more


def doc_bonus(ords: np.ndarray, scores: np.ndarray, n_docs: int) -> np.ndarray:
    """For each match (``ords``: its document's ordinal, ``scores``: its score), what its
    document's other matching paragraphs add: ``2·R·M / (R + 2·M)`` (step 2 of the module
    docstring).

    >>> doc_bonus(np.array([0, 0, 1]), np.array([3.0, 3.0, 5.0]), 2).tolist()
    [2.0, 2.0, 0.0]
    """
    if not len(ords):
        return np.zeros(0, dtype=np.float64)
    total = np.bincount(ords, weights=scores, minlength=n_docs)
    best = np.zeros(n_docs, dtype=np.float64)
    np.maximum.at(best, ords, scores)
    rest = np.maximum(total - best, 0.0)  # the order of additions can leave -1e-16
    denom = rest + SATURATION * best
    bonus = np.divide(SATURATION * rest * best, denom, out=np.zeros(n_docs, dtype=np.float64),
                      where=denom > 0)
    return bonus[ords]  # type: ignore[no-any-return]


def doc_scoring(ev: Evaluator, cols: Columns, ids: np.ndarray, scores: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """(length factor, document bonus) for each match: a paragraph of a grouped result
    scores ``score × factor + bonus``."""
    factor = length_factor(ev, cols, ids)
    return factor, doc_bonus(cols.doc_ord[ids], scores * factor, cols.n_docs)


PER_DOC = 3  # paragraphs of each candidate document rescored with the proximity bonuses


def doc_candidates(ords: np.ndarray, ranking: np.ndarray, n_docs: int, k: int) -> np.ndarray:
    """Rows of the matches to rescore for the ``k`` best documents by ``ranking`` (their
    best :data:`PER_DOC` paragraphs each, ties to the lower row).

    Chosen per document, not as the best paragraphs overall: a document with forty matching
    paragraphs (the Charter for 安全理事会) would fill the candidates with itself, and a
    document whose score depends on which of its paragraphs happen to be candidates ranks
    differently on page 1 and page 2.

    >>> doc_candidates(np.array([0, 0, 0, 0, 1, 2]), np.array([1., 4., 3., 2., 5., 0.5]), 3, 2).tolist()
    [1, 2, 3, 4]
    """
    if not len(ords):
        return np.zeros(0, dtype=np.int64)
    key = np.full(n_docs, -np.inf)
    np.maximum.at(key, ords, ranking)
    present = np.flatnonzero(key > -np.inf)
    if k < len(present):
        # The k best documents, ties to the lower ordinal (deterministic across pages).
        order = np.lexsort((present, -key[present]))
        present = present[order[:k]]
    wanted = np.zeros(n_docs, dtype=bool)
    wanted[present] = True
    rows = np.flatnonzero(wanted[ords])
    order = rows[np.lexsort((rows, -ranking[rows], ords[rows]))]  # by document, best first
    first = np.ones(len(order), dtype=bool)
    first[1:] = ords[order][1:] != ords[order][:-1]
    starts = np.flatnonzero(first)
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
    return np.sort(order[rank < PER_DOC])
