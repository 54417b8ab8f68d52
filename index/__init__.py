"""unsearch write side: read sources, analyse, build and update the Whoosh index."""

from . import whoosh_fixes
from .build import BuildReport, build_index, default_index_dir, index_info, open_index, update_index
from .errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    UnsearchError,
)
from .model import LANGUAGES, Document, Skipped

whoosh_fixes.apply()

__all__ = [
    "LANGUAGES",
    "BuildReport",
    "Document",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexVersionError",
    "Skipped",
    "UnsearchError",
    "build_index",
    "default_index_dir",
    "index_info",
    "open_index",
    "update_index",
]
