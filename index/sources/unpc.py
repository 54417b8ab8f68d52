"""The UN Parallel Corpus line-aligned layout: ``X.ids`` (one line per sentence: its year and
symbol path, and where it sits in each language's paragraphs) plus ``X.zh``, ``X.en`` … (one
sentence a line). One document per symbol and language."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from ..model import LANGUAGES, Document, Skipped, make_doc_id
from ..vocab import organ_from_symbol
from .decode import read_text
from .paragraphs import clean_paragraph, display_len

IDS_SUFFIX = ".ids"

_IDS_PATH = re.compile(r"^(\d{4})/(\S+)$")


def unpc_symbol(symbol_path: str) -> str:
    """``s/res/2203__2015_`` → ``S/RES/2203 (2015)``; ``a/ac_182/l_139`` → ``A/AC.182/L.139``.

    In the corpus's paths ``__x_`` stands for `` (x)`` (a space and brackets).
    """
    m = re.search(r"__(.+?)_$", symbol_path)
    suffix = ""
    if m:
        suffix = " (" + m.group(1).replace("_", " ").upper() + ")"
        symbol_path = symbol_path[: m.start()]
    return symbol_path.upper().replace("_", ".") + suffix


def _lines(path: str) -> list[str] | Skipped:
    """The file's lines (one sentence, or one ids entry, each), or why it cannot be read."""
    text = read_text(path)
    if isinstance(text, Skipped):
        return text
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_unpc(ids_path: str, *, langs: tuple[str, ...] | None,
              visited: set[str]) -> Iterator[Document | Skipped]:
    folder = os.path.dirname(ids_path) or "."
    stem = os.path.basename(ids_path)[: -len(IDS_SUFFIX)]
    ids_lines = _lines(ids_path)
    if isinstance(ids_lines, Skipped):
        yield ids_lines
        return
    # Per ids line: (symbol, year, {lang: (para, sent)}); None for a malformed line.
    rows: list[tuple[str, int, dict[str, tuple[int, int]]] | None] = []
    bad = 0
    for lineno, line in enumerate(ids_lines, 1):
        parts = line.split()
        m = _IDS_PATH.match(parts[0]) if parts else None
        pos: dict[str, tuple[int, int]] = {}
        ok = m is not None
        for part in parts[1:]:
            bits = part.split(":")
            if len(bits) == 3 and bits[0] in LANGUAGES and bits[1].isdigit() and bits[2].isdigit():
                pos[bits[0]] = (int(bits[1]), int(bits[2]))
            else:
                ok = False
        if not ok or m is None:
            rows.append(None)
            bad += 1
            if bad <= 5:
                yield Skipped(f"{ids_path}:{lineno}", "malformed ids line")
            continue
        rows.append((unpc_symbol(m[2]), int(m[1]), pos))
    if bad > 5:
        yield Skipped(ids_path, f"{bad} malformed ids lines in all")

    for lang in langs or LANGUAGES:
        lang_path = os.path.join(folder, f"{stem}.{lang}")
        if not os.path.isfile(lang_path):
            continue
        lang_real = os.path.realpath(lang_path)
        if lang_real in visited:
            continue
        visited.add(lang_real)
        sents = _lines(lang_path)
        if isinstance(sents, Skipped):
            yield sents
            continue
        if len(sents) != len(rows):
            yield Skipped(lang_path, f"has {len(sents)} lines but {os.path.basename(ids_path)} "
                                     f"has {len(rows)}: not aligned")
            continue
        groups: dict[str, list[tuple[int, int, int]]] = {}
        years: dict[str, int] = {}
        for i, row in enumerate(rows):
            if row is None or lang not in row[2]:
                continue
            symbol, year, pos = row
            para, sent = pos[lang]
            groups.setdefault(symbol, []).append((para, sent, i))
            years.setdefault(symbol, year)
        for symbol, items in groups.items():
            items.sort()
            paragraphs: list[str] = []
            # The ids lines (0-based) of each paragraph's sentences: sentence i of every
            # language is the translation of sentence i, so index/align.py links paragraphs
            # exactly through these.
            lines: list[list[int]] = []
            last_para: int | None = None
            for para, _sent, i in items:
                s = clean_paragraph(sents[i])
                if not s:
                    continue
                if paragraphs and para == last_para:
                    paragraphs[-1] = (paragraphs[-1] + s if lang == "zh"
                                      else paragraphs[-1] + " " + s)
                    lines[-1].append(i)
                else:
                    paragraphs.append(s)
                    lines.append([i])
                last_para = para
            if not paragraphs:
                continue
            year = years[symbol]
            first = paragraphs[0]
            yield Document(
                id=make_doc_id(symbol=symbol, lang=lang),
                paragraphs=paragraphs,
                lang=lang,
                symbol=symbol,
                title=first if display_len(first) < 120 else symbol,
                organ=organ_from_symbol(symbol),
                date=str(year),
                year=year,
                source=folder,
                extra={"unpc_lines": lines},
            )

