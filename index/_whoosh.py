"""The Whoosh internals the side index and the numpy evaluator rely on, in one place.

Whoosh-Reloaded 2.7.5 is pinned, and these are private parts of it (the W3 codec's posting
blocks, the per-document length column, the deleted-document set, the span matcher's logic).
Each accessor says what it depends on; :func:`check_version` refuses another Whoosh before
anything here is used, so that a Whoosh upgrade fails loudly in the tests instead of
silently computing something else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.query.spans import Span, SpanNear2

#: The Whoosh this module was written against (pyproject.toml pins it).
WHOOSH_VERSION = (2, 7, 5)


def check_version() -> None:
    if tuple(whoosh.__version__[:3]) != WHOOSH_VERSION:
        raise RuntimeError(
            f"unsearch needs Whoosh {'.'.join(map(str, WHOOSH_VERSION))} "
            f"(found {whoosh.versionstring()}): index/_whoosh.py reads its internals")


check_version()


def leaves(reader: Any) -> list[tuple[Any, int]]:
    """(segment reader, first document number) for each segment of ``reader``."""
    return reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]


def segment_id(segreader: Any) -> str:
    return str(segreader.segment().segment_id())


def posting_blocks(segreader: Any, fieldname: str, text: bytes
                   ) -> Iterator[tuple[Any, Any, tuple[bytes, ...]]]:
    """(ids, weights, encoded values) of each block of a term's postings in one segment,
    deleted documents included (``SegmentReader.postings`` would wrap the raw W3 matcher
    in a filter and hide the blocks)."""
    fmt = segreader.schema[fieldname].format
    m = segreader._terms.matcher(fieldname, text, fmt)
    while m.is_active():
        m._read_ids()
        m._read_weights()
        m._read_values()
        yield m._ids, m._weights, m._values
        m._next_block()


def length_bytes(segreader: Any, fieldname: str) -> Any:
    """The field's per-document length bytes in one segment: ``bytes`` (see
    :mod:`index.whoosh_fixes`, which loads the column in one read), a column reader
    (indexable) without that fix, or None if no document of the segment has the field."""
    return segreader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def deleted_docs(segreader: Any) -> list[int]:
    return list(segreader._perdoc.deleted_docs()) if segreader.has_deletions() else []


def bm25_parameters(weighting: Any, fieldname: str) -> tuple[float, float]:
    """(B, K1) of a :class:`whoosh.scoring.BM25F` for one field."""
    return weighting._field_B.get(fieldname, weighting.B), weighting.K1


class _SpanStub:
    """Stands in for a SpanNear2 matcher, so that Whoosh's own ``_get_spans`` decides."""

    def __init__(self, slop: int, ordered: bool, mindist: int, ms: list[_Leaf]) -> None:
        self.slop, self.ordered, self.mindist, self.ms = slop, ordered, mindist, ms


class _Leaf:
    def __init__(self, positions: Any) -> None:
        self._spans = [Span(int(p)) for p in positions]

    def spans(self) -> list[Span]:
        return self._spans


def near(positions: list[Any], slop: int, ordered: bool, mindist: int) -> bool:
    """Whether one document matches ``SpanNear2`` over terms with these positions (one
    ascending sequence per term), decided by Whoosh's own span logic."""
    stub = _SpanStub(slop, ordered, mindist, [_Leaf(p) for p in positions])
    return bool(SpanNear2.SpanNear2Matcher._get_spans(stub))
