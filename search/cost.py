"""A cheap estimate of what a query will cost, before it runs: for admission control.

The work of a search grows with the postings it walks and with the number of
terms whose matchers it merges, so the estimate is the sum of the document
frequencies of the query's terms (read from the term index, microseconds a
term), plus the whole index for a query with a bare ``NOT``, scaled by the
number of terms. A symbol lookup costs a few hundred, ``the`` about a million
on the full corpus, an OR of a hundred common words tens of millions.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as wq


def postings(reader: Any, q: wq.Query) -> int:
    """About how many postings ``q`` reads from ``reader``."""
    try:
        q = q.simplify(reader)  # prefixes, wildcards and ranges become their terms
    except Exception:  # noqa: BLE001 - an estimate must never fail a search
        pass
    total = 0
    for leaf in q.leaves():
        if isinstance(leaf, wq.Every):
            total += reader.doc_count_all()
    terms = set(q.iter_all_terms(phrases=True))
    for fieldname, text in terms:
        try:
            total += reader.doc_frequency(fieldname, text)
        except (KeyError, TypeError, ValueError):
            continue
    # Whoosh's work per posting grows with the number of matchers it merges: an OR of
    # 70 common words (490 terms over the language fields) read only 33k postings of a
    # test index, yet took 12 s; "peace" (8 terms, 150 postings) 40 ms.
    return int(total * (1 + len(terms) / 10))
