"""The JSON API (DESIGN.md): the library's ``to_dict()`` bodies, errors as 400/404/503 JSON."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from search import QueryError

from . import export
from .admission import run_search
from .engine import get_engine
from .errors import error_json
from .params import ParamError, SearchParams, parse_search, parse_suggest, valid_doc_id
from .settings import MAX_RESULT_WINDOW

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Any:
    try:
        p = parse_search(request.args, default_per_page=10)
    except ParamError as e:
        return error_json(400, e.code, e.message)
    fmt = (request.args.get("format") or "json").strip()
    if fmt != "json":
        return download(p, fmt)
    try:
        results = run_search(get_engine(), p.q, **p.engine_kwargs())
    except QueryError as e:
        return error_json(400, "bad_query", str(e))
    return jsonify(results.to_dict())


def download(p: SearchParams, fmt: str) -> Any:
    """``format=csv|jsonl``: up to 10,000 hits from the first (or ``limit``), one per row."""
    if fmt not in export.FORMATS:
        return error_json(400, "bad_parameter", f"format must be json, csv or jsonl, not {fmt[:20]!r}")
    raw_limit = (request.args.get("limit") or "").strip()
    if raw_limit and not (raw_limit.isascii() and raw_limit.isdigit()
                          and 1 <= int(raw_limit) <= MAX_RESULT_WINDOW):
        return error_json(400, "bad_parameter",
                          f"limit must be a whole number from 1 to {MAX_RESULT_WINDOW:,}")
    kwargs = {k: v for k, v in p.engine_kwargs().items() if k not in ("page", "per_page", "with_lang")}
    engine = get_engine()
    try:
        results = engine.export(p.q, limit=int(raw_limit or MAX_RESULT_WINDOW), **kwargs)
    except QueryError as e:
        return error_json(400, "bad_query", str(e))
    texts = engine.paragraph_texts(results.hits)
    base = request.host_url.rstrip("/") + request.script_root
    rows = [export.hit_row(h, base, text) for h, text in zip(results.hits, texts, strict=True)]
    name = "results." + fmt
    return Response(export.render(fmt, rows), mimetype=export.MEDIA_TYPES[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
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
