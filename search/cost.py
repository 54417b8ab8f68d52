"""A cheap estimate of what a query will cost, before it runs: for admission control.

The work of a search grows with the postings it walks, so the estimate is the
sum of the document frequencies of the query's terms (read from the term
index, microseconds a term), plus the whole index for a query with a bare
``NOT``. A symbol lookup costs a few postings, ``the`` hundreds of thousands,
an OR of a hundred common words tens of millions.
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
    for fieldname, text in q.iter_all_terms(phrases=True):
        try:
            total += reader.doc_frequency(fieldname, text)
        except (KeyError, TypeError, ValueError):
            continue
    return total
