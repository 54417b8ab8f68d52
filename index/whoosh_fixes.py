"""Small fixes to Whoosh-Reloaded 2.7.5 internals, applied once on import of :mod:`index`.

Each is a pure performance fix that keeps Whoosh's behaviour; each says what it fixes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import sys
from typing import Any

from whoosh import columns, multiproc
from whoosh.codec import whoosh3


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
    if not isinstance(reader, columns.NumericColumn.Reader) or reader._typecode != "B":
        return reader
    raw = bytes(reader._dbfile.get(reader._basepos, reader._count))
    missing = reader._doccount - reader._count
    return raw + bytes([reader._default]) * missing if missing > 0 else raw


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (no-op elsewhere)."""
    import ctypes
    import signal
    import sys

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
