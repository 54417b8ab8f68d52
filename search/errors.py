"""The read side's errors: branches of the one tree rooted at ``index.errors.UnsearchError``.

Each class carries its ``code`` (the JSON API's ``error.code``) and HTTP ``status``; the
library raises them, the CLI prints their message on one line and the web app answers
them in one handler (web/errors.py).
"""

from __future__ import annotations

from index.errors import UnsearchError


class QueryError(UnsearchError, ValueError):
    """A query that cannot be run; the message says why in words a person understands."""

    code = "bad_query"
    status = 400


class ParamError(QueryError):
    """A search argument that cannot be used (page, lang, country …), or a request's ``q``
    missing or too long: ``code`` says which for the JSON body."""

    def __init__(self, message: str, code: str = "bad_parameter") -> None:
        super().__init__(message)
        self.code = code

    @property
    def message(self) -> str:
        return str(self)


class DocumentNotFound(UnsearchError, KeyError):
    """No document with this id in the index (a KeyError too, as a mapping would raise)."""

    code = "not_found"
    status = 404

    def __init__(self, doc_id: object, message: str | None = None) -> None:
        super().__init__(message or f"no document with id {str(doc_id)[:200]!r}")
        self.doc_id = doc_id

    def __str__(self) -> str:  # KeyError would show the repr of its argument
        return str(self.args[0])
