"""Results to take away: CSV and JSON Lines of up to 10,000 hits (``/api/search?format=…``,
``unsearch search --csv``).

One row per hit with the columns researchers asked for; ``text`` is the paragraph as
plain text, ``country`` the ISO 3166 code as stored, ``url`` the document page at the paragraph,
absolute when a base URL is given.  A CSV opens in a spreadsheet (UTF-8 with a BOM, so
that Excel reads Chinese right); JSON Lines is for programs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from search import Hit

COLUMNS = ("doc_id", "symbol", "title", "organ", "country", "date", "lang", "paragraph", "text", "url")
FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


def hit_row(hit: Hit, base_url: str = "", text: str | None = None) -> dict[str, Any]:
    return {
        "doc_id": hit.doc_id, "symbol": hit.symbol or "", "title": hit.title, "organ": hit.organ or "",
        "country": hit.country or "", "date": hit.date or "",
        "lang": hit.lang, "paragraph": hit.paragraph,
        "text": text if text is not None else hit.snippet_text(),
        "url": base_url + hit.url,
    }


def csv_lines(rows: Iterable[dict[str, Any]], *, bom: bool = True) -> Iterator[str]:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    if bom:
        out.write("\ufeff")
    w.writeheader()
    for row in rows:
        w.writerow(row)
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def render(fmt: str, rows: Iterable[dict[str, Any]], *, bom: bool = True) -> Iterator[str]:
    return csv_lines(rows, bom=bom) if fmt == "csv" else jsonl_lines(rows)
