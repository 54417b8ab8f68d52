"""Small fixes to Whoosh-Reloaded 2.7.5 internals, applied once on import of :mod:`index`.

Each is a pure performance fix that keeps Whoosh's behaviour; each says what it fixes.
"""

from __future__ import annotations

from typing import Any

from whoosh.codec import whoosh3


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    # Whoosh caches a field's length-column reader, but not the *absence* of one:
    # for a field with no lengths in a segment (a language field no paragraph of
    # the segment uses) every posting written at merge time re-checks the file
    # system (one stat(2) per posting: 30% of a build's time in a profile).
    readers = self._readers
    if fieldname in readers:
        return readers[fieldname]
    reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    readers[fieldname] = reader
    return reader


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
