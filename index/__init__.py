"""unsearch's index: read sources, analyse, build and update the Whoosh index; open it to read."""

from .build import BuildReport, build_index, update_index
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
from .layout import default_index_dir, index_info, open_index
from .model import LANGUAGES, Document, Skipped

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
