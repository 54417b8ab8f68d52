"""unsearch write side: read sources, analyse, build and update the Whoosh index."""

from . import whoosh_fixes
from .build import BuildReport, build_index, default_index_dir, index_info, open_index, update_index
from .errors import (
    DiskFullError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexReadOnlyError,
    IndexVersionError,
    StoreLockedError,
    UnsearchError,
)
from .model import LANGUAGES, Document, Skipped

whoosh_fixes.apply()

__all__ = [
    "LANGUAGES",
    "BuildReport",
    "DiskFullError",
    "Document",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexReadOnlyError",
    "IndexVersionError",
    "Skipped",
    "StoreLockedError",
    "UnsearchError",
    "build_index",
    "default_index_dir",
    "index_info",
    "open_index",
    "update_index",
]
