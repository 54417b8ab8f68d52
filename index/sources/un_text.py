"""UN document text (``.txt``, ``.md``): a header in any of the six languages (organ,
``Distr.``, date, language, ``Original:``, symbol), a title, then paragraphs; or plain text
without a header."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..dates import parse_header_date
from ..model import Document, Skipped, make_doc_id
from ..vocab import LANGUAGE_HEADERS, ORGAN_HEADERS, UN_NAMES, organ_from_symbol
from .langdetect import detect_language
from .paragraphs import build_paragraphs, clean_markdown, clean_paragraph, short_title

_DISTR = re.compile(r"^distr\.?\s*[:：]?\s*(general|générale|generale|limited|limitée|limitee|limitada|"
                    r"restricted|restreinte|reservada)\b", re.I)
_DISTR_NORM = {"général": "General", "générale": "General", "generale": "General", "general": "General",
               "limited": "Limited", "limitée": "Limited", "limitee": "Limited", "limitada": "Limited",
               "restricted": "Restricted", "restreinte": "Restricted", "reservada": "Restricted"}
_ORIGINAL = re.compile(r"^(?:original|原文|оригинал|الأصل)\s*[:：]\s*(\S.{0,60})$", re.I)
_SYMBOL_ONE = r"[A-Z]{1,8}(?:/[A-Za-z0-9.()\-]{1,30}){1,8}"
_SYMBOL_LINE = re.compile(rf"^({_SYMBOL_ONE})\*?(?:\s*[–—-]\s*({_SYMBOL_ONE})\*?)*$")
_SESSION_LINE = re.compile(
    r"^(?:[\w-]{3,30} (?:session|special session|emergency special session)|第.{1,8}届(?:特别)?会议|"
    r".{3,30} período (?:extraordinario )?de sesiones|[\w-]{3,30} сессия|الدورة .{2,30})$", re.I)
_AGENDA_LINE = re.compile(r"^(?:(?:provisional )?agenda items? .{1,60}|items? \d.{0,40}|议程项目.{1,40}|"
                          r"points? .{1,30} de l.ordre du jour.*|temas? .{1,30} del programa.*|"
                          r"пункты? .{1,30} повестки дня.*|البند .{1,40} من جدول الأعمال.*)$", re.I)


def _lang_from_name(value: str) -> str | None:
    for token in re.split(r"[\s/,;、和及]+|\band\b|\bet\b|\by\b|\bи\b", value.strip().casefold()):
        token = token.strip(" .:()")
        if token in LANGUAGE_HEADERS:
            return LANGUAGE_HEADERS[token]
    return None


def _symbol_of(line: str) -> list[str] | None:
    m = _SYMBOL_LINE.match(line)
    if not m or not re.search(r"\d", line):
        return None
    return re.findall(_SYMBOL_ONE, line)



_LANG_IN_NAME = re.compile(r"(?:^|[_.\-])(zh|en|fr|es|ru|ar)(?:[_-](?:hans|hant|cn|tw|hk))?$", re.I)


def read_un_text(path: str, text: str) -> Document | Skipped:
    text = clean_markdown(text)
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    body_start = 0
    seen_nonblank = 0
    for i, raw in enumerate(lines):
        s = raw.strip()
        if not s:
            continue
        seen_nonblank += 1
        if seen_nonblank > 20 or not _header_line(s, meta, extra):
            body_start = i
            break
    else:
        body_start = len(lines)
    body = lines[body_start:]

    symbol = meta.get("symbol")
    stem = Path(path).stem
    lang = meta.get("lang")
    if lang is None:
        m = _LANG_IN_NAME.search(stem)
        lang = m[1].lower() if m else detect_language(text)
    cjk = lang == "zh"

    def running_header(s: str) -> bool:
        return symbol is not None and s == symbol

    paragraphs = build_paragraphs(body, text, cjk=cjk, drop=running_header,
                                  first_is_title=bool(meta or extra))
    if not paragraphs:
        return Skipped(path, "no paragraphs (only a header)" if meta else "no text paragraphs")
    organ = meta.get("organ") or organ_from_symbol(symbol)
    date = meta.get("date")
    return Document(
        id=make_doc_id(symbol=symbol, lang=lang) if symbol else make_doc_id(stem=stem, lang=lang),
        paragraphs=paragraphs,
        lang=lang,
        symbol=symbol,
        title=short_title(paragraphs, symbol or stem,
                          next((clean_paragraph(x) for x in body if x.strip()), "")),
        organ=organ,
        date=date,
        year=int(date[:4]) if date else None,
        original_lang=meta.get("original_lang"),
        source=path,
        extra=extra,
    )


def _header_line(s: str, meta: dict[str, Any], extra: dict[str, Any]) -> bool:
    """Recognise one UN header line, recording what it says; False for anything else."""
    if len(s) > 120:
        return False
    key = s.casefold().rstrip(" .")
    if key in ORGAN_HEADERS and "organ" not in meta:
        meta["organ"] = ORGAN_HEADERS[key]
        return True
    if key in UN_NAMES:
        return True
    if m := _DISTR.match(s):
        extra["distribution"] = _DISTR_NORM.get(m[1].lower(), m[1].capitalize())
        return True
    if m := _ORIGINAL.match(s):
        if (code := _lang_from_name(m[1])) is not None:
            meta["original_lang"] = code
            return True
        return False
    if key in LANGUAGE_HEADERS and "lang" not in meta:
        meta["lang"] = LANGUAGE_HEADERS[key]
        return True
    if "date" not in meta and (date := parse_header_date(s)):
        meta["date"] = date
        return True
    if "symbol" not in meta and (symbols := _symbol_of(s)):
        meta["symbol"] = symbols[0]
        if len(symbols) > 1:
            extra["symbols"] = symbols
        return True
    if meta and _SESSION_LINE.match(s):
        extra["session_label"] = s
        return True
    if meta and _AGENDA_LINE.match(s):
        extra["agenda_item"] = s
        return True
    return False

