"""The JSON API (README, "Web interface and JSON API"): the library's ``to_dict()`` bodies;
errors are raised and answered as 400/404/503 JSON by the one handler of web/errors.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from search.errors import DocumentNotFound, ParamError
from search.request import check_limit
from search.settings import MAX_RESULT_WINDOW

from . import export
from .admission import run_search
from .params import SearchParams, parse_search, parse_suggest, text_arg, valid_doc_id
from .resources import get_engine

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search() -> Any:
    p = parse_search(request.args, default_per_page=10)
    fmt = (request.args.get("format") or "json").strip()
    if fmt != "json":
        return download(p, fmt)
    results = run_search(get_engine(), p.q, **p.engine_kwargs())
    return jsonify(results.to_dict())


def download(p: SearchParams, fmt: str) -> Any:
    """``format=csv|jsonl``: up to 10,000 hits from the first (or ``limit``), one per row."""
    if fmt not in export.FORMATS:
        raise ParamError(f"format must be json, csv or jsonl, not {fmt[:20]!r}")
    limit = check_limit(text_arg(request.args, "limit") or MAX_RESULT_WINDOW)
    kwargs = {k: v for k, v in p.engine_kwargs().items() if k not in ("page", "per_page", "with_lang")}
    engine = get_engine()
    results = engine.export(p.q, limit=limit, **kwargs)
    texts = engine.paragraph_texts(results.hits)
    base = request.host_url.rstrip("/") + request.script_root
    rows = [export.hit_row(h, base, text) for h, text in zip(results.hits, texts, strict=True)]
    name = "results." + fmt
    return Response(export.render(fmt, rows), mimetype=export.MEDIA_TYPES[fmt].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
@bp.get("/api/suggest")
def suggest() -> Any:
    p = parse_suggest(request.args)
    suggestions = get_engine().suggest(p.q, lang=p.lang, limit=p.limit)
    return jsonify({"query": p.q, "suggestions": [s.to_dict() for s in suggestions]})


@bp.get("/api/documents/<path:doc_id>")
def document(doc_id: str) -> Any:
    if not valid_doc_id(doc_id):
        raise DocumentNotFound(doc_id, "no such document")
    doc = get_engine().document(doc_id)
    return jsonify(doc.to_dict())


@bp.get("/healthz")
def healthz() -> Any:
    # check() reads a little of every part of the index, so an index whose files are
    # damaged is reported here (503) and not only by the next user's search.
    status = get_engine().check()
    return jsonify({"status": "ok", "documents": status["documents"],
                    "paragraphs": status["paragraphs"], "generation": status["generation"]})
