"""unsearch's index: read sources, analyse, build and update the Whoosh index; open it to read."""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from .build import BuildReport, build_index, update_index

_BUILD = ("BuildReport", "build_index", "update_index")


def __getattr__(name: str) -> Any:
    """The writer (``index.build``) is imported when first asked for: a search, a server
    worker or ``unsearch search`` never loads it (0.1 s of a cold start: alignment, the
    source readers, multiprocessing)."""
    if name in _BUILD:
        from . import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

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
