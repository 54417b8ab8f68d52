"""Every use of Whoosh's internals, in one place: the accessors the side index and the numpy
evaluator rely on, and the fixes to Whoosh that the entry points apply.

Whoosh-Reloaded 2.7.5 is pinned, and these are private parts of it (the W3 codec's posting
blocks, the per-document length column, numeric columns' raw bytes, the deleted-document set,
the span matcher's logic, the multi-process writer's hooks). Each accessor says what it
depends on; :func:`check_version` refuses another Whoosh before anything here is used, so
that a Whoosh upgrade fails loudly in the tests instead of silently computing something else.

Importing this module changes nothing in Whoosh: :func:`apply` does, and it is called where
unsearch opens or writes an index (:func:`index.layout.open_whoosh`, the builds), so a
program that imports :mod:`index` only to read sources (the bench's naive baseline) runs
stock Whoosh.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import sys
from collections.abc import Iterator
from typing import Any, NamedTuple

import whoosh
from whoosh import columns, multiproc
from whoosh.codec import whoosh3
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
    :func:`apply`, which loads the column in one read), a column reader
    (indexable) without that fix, or None if no document of the segment has the field."""
    return segreader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def block_ids(m: Any) -> Iterator[Any]:
    """The remaining ids of a W3 posting matcher (``W3LeafMatcher``), one array a block,
    from its current position on."""
    while m.is_active():
        if m._ids is None:
            m._read_ids()
        yield m._ids[m._i:]
        m._next_block()


class NumericValues(NamedTuple):
    raw: bytes  # the stored values, big-endian, ``stored`` of them
    stored: int  # values stored: documents past them have ``default``
    doccount: int
    default: Any
    typecode: str  # struct code


def numeric_values(reader: Any) -> NumericValues | None:
    """A numeric column's values in one read (a column reader otherwise seeks and reads once
    per document); None for another kind of column reader."""
    if not isinstance(reader, columns.NumericColumn.Reader):
        return None
    count = reader._count
    raw = bytes(reader._dbfile.get(reader._basepos, count * reader._fixedlen)) if count else b""
    return NumericValues(raw, count, reader._doccount, reader._default, reader._typecode)


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


# ---------------------------------------------------------------------------
# Fixes: pure performance fixes that keep Whoosh's behaviour; each says what it fixes.


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    # Whoosh caches a field's length-column reader, but not the *absence* of one:
    # for a field with no lengths in a segment (a language field no paragraph of
    # the segment uses) every posting written at merge time re-checks the file
    # system (one stat(2) per posting: 30% of a build's time in a profile).
    #
    # And a field-lengths column is read into memory in one go: Whoosh otherwise
    # seeks and reads one byte from the file for every posting it writes and for
    # every document it scores (BM25 needs the length).
    readers = self._readers
    if fieldname in readers:
        return readers[fieldname]
    reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    if reader is not None and column is whoosh3.LENGTHS_COLUMN:
        reader = _load_bytes(reader)
    readers[fieldname] = reader
    return reader


def _load_bytes(reader: Any) -> Any:
    values = numeric_values(reader)
    if values is None or values.typecode != "B":
        return reader
    missing = values.doccount - values.stored
    return values.raw + bytes([values.default]) * missing if missing > 0 else values.raw


_applied = False


def apply() -> None:
    """Apply the fixes below to Whoosh (once; idempotent). Called by the entry points that
    open or write an index, never on import."""
    global _applied
    if not _applied:
        check_version()
        whoosh3.W3PerDocReader._cached_reader = _cached_reader
        _applied = True


def applied() -> bool:
    """Whether this process runs patched Whoosh (the bench's baseline checks it does not)."""
    return whoosh3.W3PerDocReader._cached_reader is _cached_reader


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    import ctypes
    import signal

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class SubWriterTask(multiproc.SubWriterTask):
    # A writer worker blocks on its job queue forever if the build that started it
    # is killed (kill -9 leaves no chance to tell it): make it die with its parent.
    errors: Any = None  # a multiprocessing queue, set by MpWriter before start()

    def _process_file(self, filename: str, doc_count: int) -> None:
        if getattr(self, "_forms", None) is None and self.multisegment:
            # Record each stemmed word's surface form as the documents are indexed
            # (index/surface.py): the codes are written beside the segment's side arrays.
            from . import surface

            self._forms_ctx = surface.recording(self.writer)
            self._forms = self._forms_ctx.__enter__()
        super()._process_file(filename, doc_count)

    def run(self) -> None:
        _die_with_parent()
        try:
            super().run()
            forms = getattr(self, "_forms", None)
            if forms is not None:
                self._forms_ctx.__exit__(None, None, None)
            if self.running and self.multisegment:
                self._write_side_arrays(forms)
        except Exception as e:
            # Whoosh would let multiprocessing print a traceback and the build would
            # commit without this worker's documents. Hand the error to the parent
            # instead, which stops the build and says what happened in one line.
            with contextlib.suppress(Exception):
                self.writer.cancel()
            with contextlib.suppress(Exception):
                self.errors.put(_portable(e), timeout=5)
            sys.exit(1)

    def _write_side_arrays(self, forms: Any) -> None:
        """Each worker writes its own segment's side arrays, so both cores do it at once.
        Best effort: the parent writes whatever is missing after the commit (without the
        surface forms, which only the worker saw), and reports any error there."""
        try:
            from pathlib import Path

            from whoosh.reading import SegmentReader

            from . import postings

            segment = self.writer.get_segment()
            reader = SegmentReader(self.storage, self.writer.schema, segment)
            try:
                postings.write_segment(Path(self.storage.folder), reader,
                                       getattr(self, "postings_min_df", postings.MIN_DF),
                                       forms=forms)
            finally:
                reader.close()
        except Exception:
            pass


def _portable(e: Exception) -> tuple[str, int | None, str, str | None]:
    if isinstance(e, OSError):
        return ("OSError", e.errno, e.strerror or str(e), e.filename)
    return (type(e).__name__, None, str(e), None)


class MpWriter(multiproc.MpWriter):
    """Whoosh's multi-process writer whose workers never outlive a killed build, and
    write their segment's side arrays (:mod:`index.postings`), and whose workers' errors (a
    full disk) stop the build instead of being lost."""

    postings_min_df: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: Any = multiprocessing.Queue()

    def _new_task(self) -> Any:
        task = SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                             self.subargs, self.multisegment)
        if self.postings_min_df is not None:
            task.postings_min_df = self.postings_min_df
        task.daemon = True
        task.errors = self.errors
        self.tasks.append(task)
        task.start()
        return task

    def _raise_worker_error(self) -> None:
        try:
            kind, code, message, filename = self.errors.get_nowait()
        except queue.Empty:
            failed = [t.exitcode for t in self.tasks if t.exitcode]
            if failed:
                raise RuntimeError(f"a writer process failed (exit status {failed[0]})") from None
            return
        if kind == "OSError":
            raise OSError(code, message, filename)
        raise RuntimeError(f"a writer process failed: {kind}: {message}")

    def _enqueue(self) -> None:
        self._raise_worker_error()
        super()._enqueue()

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        # Let the workers finish first and look at how they ended; Whoosh's own commit
        # then finds their results waiting on the queue.
        if self.docbuffer:
            super()._enqueue()
        for _task in self.tasks:
            self.jobqueue.put(None)
        for task in self.tasks:
            task.join()
        self._raise_worker_error()
        super()._commit(mergetype, optimize, merge)


def discard_new_segment(writer: Any) -> None:
    """Remove the files of a cancelled writer's new segment and its temp folder.

    Whoosh's ``cancel()`` leaves them when it fails part-way (a full disk): they
    are in no TOC, so nothing reads them, but they hold the space that is short.
    """
    seg = getattr(writer, "newsegment", None)
    if seg is None:
        return
    prefix = seg.segment_id() + "."
    with contextlib.suppress(Exception):
        for name in list(writer.storage.list()):
            if name.startswith(prefix):
                with contextlib.suppress(OSError):
                    writer.storage.delete_file(name)
    with contextlib.suppress(Exception):
        writer._tempstorage.destroy()


def own_reader(reader: Any, storage: Any) -> Any:
    """A reader over the same segments as ``reader``, with open files of its own (a
    SegmentReader's column file is one file object, with one position, for every column
    reader made from it: not to be shared between threads)."""
    from whoosh.reading import MultiReader, SegmentReader

    subs = [SegmentReader(storage, r.schema, r.segment()) for r, _offset in leaves(reader)]
    return subs[0] if len(subs) == 1 else MultiReader(subs)
