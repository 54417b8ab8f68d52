"""Parallel texts on the web: the translation finder (page and API) and a document beside
its version in another language. The results page's ``with=`` is in views.py/params.py."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from index import LANGUAGES
from search.request import whole
from search.settings import MAX_RENDERINGS

from .i18n import STRINGS
from .params import parse_lang, parse_q, text_arg, valid_doc_id
from .resources import get_engine

bp = Blueprint("parallel", __name__)

# Interface strings of these pages, merged into web/i18n.py's tables.
_STRINGS = {
    "en": {
        "show_translation": "Show translation",
        "translation_none": "none",
        "translation_show": "Show",
        "no_aligned": "No {lang} version of this paragraph in the index.",
        "aligned_confidence": "alignment confidence {c}",
        "how_translated": "How was “{q}” translated?",
        "side_by_side": "Side by side with {lang}",
        "parallel_title": "{title} – with {lang}",
        "parallel_none": "This document has no aligned version in {lang}.",
        "parallel_single": "Show this document alone",
        "tr_title": "Translations of “{q}”",
        "tr_heading": "Translations",
        "tr_form_label": "Word or phrase",
        "tr_from": "From",
        "tr_to": "To",
        "tr_button": "Find translations",
        "tr_pairs_one": "Found in 1 aligned pair of paragraphs.",
        "tr_pairs_other": "Found in {n} aligned pairs of paragraphs.",
        "tr_no_pairs": "No aligned {src}–{tgt} paragraphs contain “{q}”.",
        "tr_no_data": "The index has no aligned {src}–{tgt} text.",
        "tr_rendering": "Rendering",
        "tr_count": "Pairs",
        "tr_share": "Share",
        "tr_examples": "Examples",
        "tr_open": "open",
        "tr_intro": "Type a term to see how it was rendered in the other language of aligned UN documents.",
    },
    "zh": {
        "show_translation": "显示译文",
        "translation_none": "不显示",
        "translation_show": "显示",
        "no_aligned": "索引中没有此段落的{lang}版本。",
        "aligned_confidence": "对齐置信度 {c}",
        "how_translated": "“{q}”是怎样翻译的？",
        "side_by_side": "与{lang}对照",
        "parallel_title": "{title} – {lang}对照",
        "parallel_none": "本文件没有对齐的{lang}版本。",
        "parallel_single": "只看本文件",
        "tr_title": "“{q}”的译法",
        "tr_heading": "译法",
        "tr_form_label": "词语或短语",
        "tr_from": "源语言",
        "tr_to": "目标语言",
        "tr_button": "查找译法",
        "tr_pairs_one": "见于 1 对对齐段落。",
        "tr_pairs_other": "见于 {n} 对对齐段落。",
        "tr_no_pairs": "没有含“{q}”的{src}–{tgt}对齐段落。",
        "tr_no_data": "索引中没有{src}–{tgt}对齐文本。",
        "tr_rendering": "译法",
        "tr_count": "段落对",
        "tr_share": "比例",
        "tr_examples": "例句",
        "tr_open": "打开",
        "tr_intro": "输入术语，查看它在联合国文件对齐段落中的译法。",
    },
}
for _lang, _table in _STRINGS.items():
    for _k, _v in _table.items():
        STRINGS[_lang].setdefault(_k, _v)


def _translation_args() -> tuple[str, str, str]:
    """(q, from, to) of a translation request, or ParamError."""
    q = parse_q(request.args, "the word or phrase to look up")
    source = parse_lang(request.args, "from", required=True)
    target = parse_lang(request.args, "to", required=True)
    assert source is not None and target is not None
    return q, source, target


def _limit() -> int:
    return whole("limit", text_arg(request.args, "limit") or 10,
                 f"a whole number from 1 to {MAX_RENDERINGS}", 1, MAX_RENDERINGS)


@bp.get("/api/translations")
def api_translations() -> Any:
    q, source, target = _translation_args()
    limit = _limit()
    tr = get_engine().translations(q, source, target, limit=limit)
    return jsonify(tr.to_dict())


@bp.get("/translations")
def translations_page() -> Any:
    if not (request.args.get("q") or "").strip():
        return render_template("translations.html", q="", tr=None, source=request.args.get("from") or "zh",
                               target=request.args.get("to") or "en", languages=LANGUAGES, lang=None,
                               has_data=True)
    q, source, target = _translation_args()
    tr = get_engine().translations(q, source, target, limit=_limit())
    has_data = tr.pairs > 0 or get_engine().parallel().has_pairs(source, target)
    return render_template("translations.html", q=q, tr=tr, source=source, target=target,
                           languages=LANGUAGES, lang=None, has_data=has_data,
                           doc_link=_doc_link)


def _doc_link(doc_id: str, para: int, target: str, q: str) -> str:
    return f"{url_for('pages.document', doc_id=doc_id)}?{urlencode({'q': q, 'with': target})}#p{para}"


def side_by_side(doc_id: str, q: str | None) -> Any:
    """/documents/<id>?with=en: the document beside its version in that language."""
    with_lang = parse_lang(request.args, "with", required=True)
    assert with_lang is not None
    if not valid_doc_id(doc_id):
        abort(404)
    engine = get_engine()
    par = engine.parallel_document(doc_id, with_lang, query=q)
    doc = engine.document(doc_id)
    back = f"{url_for('pages.search')}?{urlencode({'q': q, 'with': with_lang})}" if q else None
    single = url_for("pages.document", doc_id=doc_id, q=q or None)
    return render_template("parallel_document.html", doc=doc, meta=doc.meta, par=par,
                           with_lang=with_lang, q=q or "", back=back, single=single, lang=None,
                           languages=LANGUAGES)
