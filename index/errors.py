"""Errors of the write side that the read side, the CLI and the web app turn into messages."""

from __future__ import annotations


class UnsearchError(Exception):
    """Base class: the message is one line a person can act on.

    ``code`` and ``status`` are its answer over HTTP (the JSON body's code, the status):
    the web app maps every error of this tree in one handler (web/errors.py), the CLI prints
    the message on one line.
    """

    code = "internal_error"
    status = 500


class IndexNotFoundError(UnsearchError):
    """There is no usable index at the given path."""

    code = "index_unavailable"
    status = 503


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

    code = "index_busy"
    status = 503
