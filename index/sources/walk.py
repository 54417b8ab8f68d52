"""Walking the sources: files and folders in a stable order, each real file read once
(symbolic links, loops and overlapping paths), each handed to the reader of its format."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..model import LANGUAGES, Document, Skipped
from .decode import decode, load, os_reason
from .general_debate import GD_NAME, read_general_debate
from .jsonl import read_jsonl
from .un_text import read_un_text
from .unpc import IDS_SUFFIX, read_unpc

TEXT_SUFFIXES = frozenset({".txt", ".md"})
JSONL_SUFFIXES = frozenset({".jsonl"})

Item = Document | Skipped


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Document | Skipped]:
    """Yield every document found under ``paths`` (files or folders), in a stable order.

    Unreadable inputs are yielded as :class:`Skipped` with a short reason; this never raises
    for bad input. Each real file or folder is read at most once, so symlinks (and symlink
    loops) and overlapping paths do not duplicate documents.
    """
    if isinstance(paths, (str, os.PathLike)):  # one path, not an iterable of characters
        paths = [paths]
    visited: set[str] = set()
    for p in paths:
        yield from _iter_path(str(p), explicit=True, visited=visited, ancestors=())


def _iter_path(path: str, *, explicit: bool, visited: set[str],
               ancestors: tuple[str, ...]) -> Iterator[Item]:
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            yield Skipped(path, "broken symbolic link")
        else:
            yield Skipped(path, "no such file or directory")
        return
    except OSError as e:  # ELOOP for a self-referencing link, EACCES, …
        yield Skipped(path, os_reason(e))
        return
    real = os.path.realpath(path)
    if os.path.isdir(path):
        if real in ancestors:
            yield Skipped(path, "symbolic link loop (points back to a parent folder)")
            return
        if real in visited:
            return
        visited.add(real)
        yield from _iter_dir(path, visited, ancestors + (real,))
        return
    if real in visited:
        return
    if not os.path.isfile(path):
        if explicit:
            yield Skipped(path, "not a regular file")
        return
    yield from _iter_file(path, real, explicit=explicit, visited=visited)


def _iter_dir(path: str, visited: set[str], ancestors: tuple[str, ...]) -> Iterator[Item]:
    try:
        with os.scandir(path) as it:
            names = sorted(e.name for e in it if not e.name.startswith("."))
    except OSError as e:
        yield Skipped(path, os_reason(e))
        return
    # UNPC sets first: their language files are claimed so they are never read as text.
    claimed: set[str] = set()
    name_set = set(names)
    for name in names:
        if name.endswith(IDS_SUFFIX) and os.path.isfile(os.path.join(path, name)):
            stem = name[: -len(IDS_SUFFIX)]
            claimed.add(name)
            claimed.update(f"{stem}.{lang}" for lang in LANGUAGES if f"{stem}.{lang}" in name_set)
            ids_path = os.path.join(path, name)
            ids_real = os.path.realpath(ids_path)
            if ids_real in visited:
                continue
            visited.add(ids_real)
            yield from read_unpc(ids_path, langs=None, visited=visited)
    for name in names:
        if name in claimed:
            continue
        child = os.path.join(path, name)
        if os.path.isdir(child):
            yield from _iter_path(child, explicit=False, visited=visited, ancestors=ancestors)
        elif Path(name).suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES or os.path.islink(child):
            # Links are followed to learn what they point at (and to report loops).
            yield from _iter_path(child, explicit=False, visited=visited, ancestors=ancestors)


def _iter_file(path: str, real: str, *, explicit: bool, visited: set[str]) -> Iterator[Item]:
    """Read one file, turning a reader bug on strange input into a Skipped (a build of ten
    thousand files must not die on one), after whatever documents it already yielded."""
    try:
        yield from _read_file(path, real, explicit=explicit, visited=visited)
    except Exception as e:
        yield Skipped(path, f"could not parse: {type(e).__name__}: {e}")


def _read_file(path: str, real: str, *, explicit: bool, visited: set[str]) -> Iterator[Item]:
    suffix = Path(path).suffix.lower()
    if suffix == IDS_SUFFIX:
        visited.add(real)
        yield from read_unpc(path, langs=None, visited=visited)
        return
    lang_suffix = suffix.lstrip(".")
    if lang_suffix in LANGUAGES:
        ids_path = str(Path(path).with_suffix(IDS_SUFFIX))
        if os.path.isfile(ids_path):
            # One language file of a UNPC set: read the set for that language only.
            yield from read_unpc(ids_path, langs=(lang_suffix,), visited=visited)
            return
    if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
        if explicit:
            what = f"'{suffix}'" if suffix else "(no extension)"
            yield Skipped(path, f"unsupported file type {what}: expected .txt, .md, .jsonl or .ids")
        return
    visited.add(real)
    data = load(path)
    if isinstance(data, Skipped):
        yield data
        return
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, data)
        return
    text = decode(path, data)
    del data  # the text is all we need now; a big file should not be held twice
    if isinstance(text, Skipped):
        yield text
        return
    if not text.strip():
        yield Skipped(path, "empty file (whitespace only)")
        return
    gd = GD_NAME.match(os.path.basename(path))
    yield read_general_debate(path, text, gd) if gd else read_un_text(path, text)

