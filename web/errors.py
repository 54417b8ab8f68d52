"""Error answers, mapped once: JSON under /api/ and for /healthz, a friendly page elsewhere;
never a traceback.

Every error of the library, the admission control and the request checks belongs to one
tree (``index.errors.UnsearchError``), each class with its ``code`` and HTTP ``status``;
:func:`_unsearch_error` answers all of them, so the views and the API routes just raise.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from index import IndexNotFoundError, UnsearchError
from search.settings import MAX_QUERY_CHARS

from .i18n import Translator

log = logging.getLogger(__name__)
_last_unavailable = ""
# Pages whose error page has no search box: it would take one query, they take several.
_NO_SEARCH_BOX = frozenset({"trends.page"})


def init_app(app: Flask) -> None:
    app.register_error_handler(UnsearchError, _unsearch_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _internal_error)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_json(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


def error_page(status: int, title_key: str, message: str | None = None, *,
               text_key: str | None = None, show_search: bool = False, q: str = "") -> tuple[str, int]:
    if "t" not in g:  # an error before before_request ran
        g.ui, g.t = "en", Translator("en")
    return render_template("error.html", status=status, title_key=title_key, message=message,
                           text_key=text_key, show_search=show_search, q=q), status


def _unsearch_error(e: UnsearchError) -> Any:
    """The one answer to an error of the tree: its status and code, its message."""
    if isinstance(e, IndexNotFoundError):
        return _index_unavailable(e)
    if e.status == 503:
        return _busy(e)
    if e.status >= 500:
        # Not an error a request can cause (a build's, say): logged with its traceback.
        log.error("%s: %s", type(e).__name__, e, exc_info=e)
        return _internal_error(InternalServerError())
    if wants_json():
        return error_json(e.status, e.code, str(e))
    if e.status == 404:
        return error_page(404, "not_found_title", text_key="not_found_text", show_search=True)
    return error_page(e.status, "bad_request_title", str(e),
                      show_search=request.endpoint not in _NO_SEARCH_BOX,
                      q=(request.args.get("q") or "")[:MAX_QUERY_CHARS])


def _index_unavailable(e: IndexNotFoundError) -> Any:
    # The reason (a server path) goes to the log, not to the public: once per reason
    # (the index folder removed while serving, a damaged file), not once per request.
    global _last_unavailable
    if str(e) != _last_unavailable:
        _last_unavailable = str(e)
        log.warning("index unavailable: %s", _last_unavailable)  # a string: a record that
        # held the exception would keep its traceback's open index files alive
    if wants_json():
        if request.path == "/healthz":
            return jsonify({"status": "unavailable", "error": {
                "code": "index_unavailable", "message": "the search index is not available"}}), 503
        return error_json(503, "index_unavailable",
                          "the search index is not available; try again later")
    return error_page(503, "unavailable_title", text_key="unavailable_text")


def _busy(e: UnsearchError) -> Any:
    """A search over its time budget, one more heavy search than the server takes, or a
    document store locked by another process: 503 and Retry-After, so that clients back
    off instead of piling up."""
    code = e.code
    retry = str(getattr(e, "retry_after", 1 if code != "index_busy" else 5))
    # The store's path is for the operator's log (search logs it), not for the public.
    message = str(e) if code != "index_busy" else "the search index is busy; try again later"
    title = "unavailable" if code == "index_busy" else code  # the page's words
    if wants_json():
        resp, status = error_json(503, code, message)
    else:
        body, status = error_page(503, f"{title}_title", text_key=f"{title}_text",
                                  show_search=True, q=request.args.get("q", ""))
        resp = Response(body, status, mimetype="text/html")
    resp.headers["Retry-After"] = retry
    return resp, status


def _http_error(e: HTTPException) -> Any:
    if isinstance(e, InternalServerError):
        return _internal_error(e)
    status = e.code or 500
    if wants_json():
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, "bad_request")
        message = {404: "no such resource", 405: "method not allowed"}.get(
            status, e.description or e.name)
        resp, status = error_json(status, code, message)
        allowed = getattr(e, "valid_methods", None)
        if allowed:
            resp.headers["Allow"] = ", ".join(allowed)
        return resp, status
    if status == 404:
        return error_page(404, "not_found_title", text_key="not_found_text", show_search=True)
    body, _ = error_page(status, "error_title", e.name)
    return body, status


def _internal_error(e: InternalServerError) -> Any:
    # Flask has logged the exception with its traceback (app.log_exception) before this.
    try:
        if wants_json():
            return error_json(500, "internal_error", "the server could not answer this request")
        return error_page(500, "error_title", text_key="error_text")
    except Exception:  # even the error page failed: plain text, still no traceback
        log.exception("the error page failed")
        return Response("Internal server error\n", 500, mimetype="text/plain")
