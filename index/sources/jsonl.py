"""JSON Lines (``.jsonl``), one document per line: ``paragraphs`` or ``text`` required, the
metadata optional, other fields kept; a bad line is skipped and reported, the others read."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..dates import parse_date
from ..model import LANGUAGES, Document, Skipped, make_doc_id
from ..vocab import organ_from_symbol
from .decode import decode, normalise_newlines, sniff_bom
from .langdetect import detect_language
from .paragraphs import append, clean_paragraph, short_title, split_long

_JSONL_KNOWN = ("id", "symbol", "title", "lang", "original_lang", "organ", "date", "year", "country",
                "speaker", "paragraphs", "text")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*\n")


def read_jsonl(path: str, data: bytes) -> Iterator[Document | Skipped]:
    bom = sniff_bom(data)
    if bom is not None and bom[0] != "utf-8":
        text = decode(path, data)
        if isinstance(text, Skipped):
            yield text
            return
        raw_lines: list[bytes | str] = list(text.split("\n"))
    else:
        # Decoded line by line, so that one bad line is skipped and the others read.
        if bom is not None:
            data = data[bom[1]:]
        if b"\x00" in data[:8192]:
            yield Skipped(path, "binary file")
            return
        raw_lines = list(data.split(b"\n"))
    if not any(line.strip() for line in raw_lines):
        yield Skipped(path, "empty file (whitespace only)")
        return
    stem = Path(path).stem
    for lineno, raw in enumerate(raw_lines, 1):
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                yield Skipped(f"{path}:{lineno}", f"not UTF-8 text (invalid byte 0x{raw[e.start]:02x})")
                continue
        else:
            line = raw
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            msg = e.msg if isinstance(e, json.JSONDecodeError) else "nested too deeply"
            yield Skipped(f"{path}:{lineno}", f"malformed JSON at line {lineno}: {msg}")
            continue
        result = _jsonl_document(obj, path=path, stem=stem, lineno=lineno)
        if isinstance(result, str):
            yield Skipped(f"{path}:{lineno}", result)
        else:
            yield result


def _opt_str(obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ValueError(f"'{key}' must be a string, not {type(v).__name__}")
    v = v.strip()
    return v or None


def _jsonl_document(obj: Any, *, path: str, stem: str, lineno: int) -> Document | str:
    """One JSONL record → Document, or the reason it was refused."""
    if not isinstance(obj, dict):
        return f"line {lineno} is not a JSON object"
    try:
        if "paragraphs" in obj and obj["paragraphs"] is not None:
            raw = obj["paragraphs"]
            if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
                return "'paragraphs' must be a list of strings"
            pieces = raw
        elif "text" in obj and obj["text"] is not None:
            if not isinstance(obj["text"], str):
                return "'text' must be a string"
            pieces = _BLANK_LINES.split(normalise_newlines(obj["text"]))
        else:
            return "no 'paragraphs' or 'text'"
        paragraphs: list[str] = []
        for piece in pieces:
            parts: list[str] = []
            for ln in normalise_newlines(piece).split("\n"):
                ln = ln.strip()
                if ln:
                    append(parts, ln, None)
            joined = clean_paragraph("".join(parts))
            if joined:
                paragraphs.extend(split_long(joined))
        if not paragraphs:
            return "no paragraphs (empty 'paragraphs'/'text')"

        doc_id, symbol = _opt_str(obj, "id"), _opt_str(obj, "symbol")
        title, organ = _opt_str(obj, "title"), _opt_str(obj, "organ")
        country, speaker = _opt_str(obj, "country"), _opt_str(obj, "speaker")
        lang = _opt_str(obj, "lang")
        if lang is not None:
            lang = lang.lower()
            if lang not in LANGUAGES:
                return f"unknown lang {obj['lang']!r} (expected one of {' '.join(LANGUAGES)})"
        else:
            lang = detect_language("\n".join(paragraphs[:50]))
        original = _opt_str(obj, "original_lang")
        if original is not None:
            original = original.lower()
            if original not in LANGUAGES:
                return f"unknown original_lang {obj['original_lang']!r}"
        date: str | None = None
        year: int | None = None
        if obj.get("date") is not None:
            if not isinstance(obj["date"], str) or (parsed := parse_date(obj["date"])) is None:
                return f"bad date {obj['date']!r} (expected YYYY-MM-DD, YYYY-MM or YYYY)"
            date, year = parsed
        elif obj.get("year") is not None:
            y = obj["year"]
            if isinstance(y, bool) or not isinstance(y, int) or not 1000 <= y <= 9999:
                return f"bad year {y!r}"
            date, year = str(y), y
    except ValueError as e:
        return str(e)

    if doc_id is None:
        doc_id = make_doc_id(symbol=symbol, lang=lang) if symbol else f"{stem}-{lineno}"
    extra = {k: v for k, v in obj.items() if k not in _JSONL_KNOWN}
    if isinstance(extra.get("extra"), dict):  # a feed that already nests its metadata
        extra.update(extra.pop("extra"))
    return Document(
        id=doc_id,
        paragraphs=paragraphs,
        lang=lang,
        symbol=symbol,
        title=title or short_title(paragraphs, symbol or doc_id),
        organ=organ or organ_from_symbol(symbol),
        date=date,
        year=year,
        original_lang=original,
        country=country,
        speaker=speaker,
        source=path,
        extra=extra,
    )
