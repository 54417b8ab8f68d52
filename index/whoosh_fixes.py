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

    def run(self) -> None:
        _die_with_parent()
        try:
            super().run()
        except Exception as e:
            # Whoosh would let multiprocessing print a traceback and the build would
            # commit without this worker's documents. Hand the error to the parent
            # instead, which stops the build and says what happened in one line.
            with contextlib.suppress(Exception):
                self.writer.cancel()
            with contextlib.suppress(Exception):
                self.errors.put(_portable(e), timeout=5)
            sys.exit(1)


def _portable(e: Exception) -> tuple[str, int | None, str, str | None]:
    if isinstance(e, OSError):
        return ("OSError", e.errno, e.strerror or str(e), e.filename)
    return (type(e).__name__, None, str(e), None)


class MpWriter(multiproc.MpWriter):
    """Whoosh's multi-process writer whose workers never outlive a killed build, and
    whose workers' errors (a full disk) stop the build instead of being lost."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errors: Any = multiprocessing.Queue()

    def _new_task(self) -> Any:
        task = SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                             self.subargs, self.multisegment)
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
