"""Errors of the write side that the read side, the CLI and the web app turn into messages."""

from __future__ import annotations


class UnsearchError(Exception):
    """Base class: the message is one line a person can act on."""


class IndexNotFoundError(UnsearchError):
    """There is no usable index at the given path."""


class IndexVersionError(IndexNotFoundError):
    """The index was built by another schema version: rebuild it."""


class IndexCorruptError(IndexNotFoundError):
    """The index exists but cannot be read."""


class IndexLockedError(UnsearchError):
    """Another build or update holds the index's write lock."""


class DiskFullError(UnsearchError):
    """The disk of the index folder filled up during a build or update; nothing was swapped in."""


class IndexReadOnlyError(UnsearchError):
    """The index folder cannot be written (a build or update); it can still be served."""


class StoreLockedError(UnsearchError):
    """Another process holds a lock on the index's document store (docs.sqlite)."""
