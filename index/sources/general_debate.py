"""The General Debate layout ``Session NN - YYYY/ISO3_NN_YYYY.txt``: country, session and
year from the path; hard-wrapped statements re-joined into paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Document, Skipped, make_doc_id
from .langdetect import detect_clear
from .paragraphs import build_paragraphs

GD_NAME = re.compile(r"^([A-Z]{2,4})_(\d{1,3})_(\d{4})\.txt$")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def read_general_debate(path: str, text: str, m: re.Match[str]) -> Document | Skipped:
    country, session, year = m[1], int(m[2]), int(m[3])
    lang = detect_clear(text, "en")
    paragraphs = build_paragraphs(text.split("\n"), text, cjk=lang == "zh")
    if not paragraphs:
        return Skipped(path, "no text paragraphs")
    return Document(
        id=make_doc_id(stem=Path(path).stem, lang=lang),
        paragraphs=paragraphs,
        lang=lang,
        title=f"General debate, {_ordinal(session)} session ({year}): {country}",
        organ="General Assembly",
        date=str(year),
        year=year,
        country=country,
        source=path,
        extra={"session": session},
    )

