"""Small fixes to Whoosh-Reloaded 2.7.5 internals, applied once on import of :mod:`index`.

Each is a pure performance fix that keeps Whoosh's behaviour; each says what it fixes.
"""

from __future__ import annotations

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
        super().run()
        forms = getattr(self, "_forms", None)
        if forms is not None:
            self._forms_ctx.__exit__(None, None, None)
        if self.running and self.multisegment:
            # Each worker writes its own segment's side arrays, so both cores do it at once.
            # Best effort: the parent writes whatever is missing after the commit, and
            # reports any error there, as one line.
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


class MpWriter(multiproc.MpWriter):
    """Whoosh's multi-process writer whose workers never outlive a killed build, and
    write their segment's side arrays (:mod:`index.postings`)."""

    postings_min_df: int | None = None

    def _new_task(self) -> Any:
        task = SubWriterTask(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                             self.subargs, self.multisegment)
        if self.postings_min_df is not None:
            task.postings_min_df = self.postings_min_df
        task.daemon = True
        self.tasks.append(task)
        task.start()
        return task
