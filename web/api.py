"""The JSON API (DESIGN.md): the library's ``to_dict()`` bodies, errors as 400/404/503 JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from search import QueryError

from .engine import get_engine
from .errors import error_json
from .params import ParamError, parse_search, parse_suggest, valid_doc_id

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Any:
    try:
        p = parse_search(request.args, default_per_page=10)
    except ParamError as e:
        return error_json(400, e.code, e.message)
    try:
        results = get_engine().search(p.q, **p.engine_kwargs())
    except QueryError as e:
        return error_json(400, "bad_query", str(e))
    return jsonify(results.to_dict())


@bp.get("/api/suggest")
def suggest() -> Any:
    try:
        p = parse_suggest(request.args)
        suggestions = get_engine().suggest(p.q, lang=p.lang, limit=p.limit)
    except ParamError as e:
        return error_json(400, e.code, e.message)
    except QueryError as e:
        return error_json(400, "bad_query", str(e))
    return jsonify({"query": p.q, "suggestions": [s.to_dict() for s in suggestions]})


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str) -> Any:
    if not valid_doc_id(doc_id):
        return error_json(404, "not_found", "no such document")
    try:
        doc = get_engine().document(doc_id)
    except KeyError:
        return error_json(404, "not_found", f"no document with id {doc_id[:200]!r}")
    return jsonify(doc.to_dict())


@bp.get("/healthz")
def healthz() -> Any:
    # check() reads a little of every part of the index, so an index whose files are
    # damaged is reported here (503) and not only by the next user's search.
    status = get_engine().check()
    return jsonify({"status": "ok", "documents": status["documents"],
                    "paragraphs": status["paragraphs"], "generation": status["generation"]})
