"""Exact highlighting without re-running jieba over the results.

A hit's paragraph is folded the way the index folds it; Chinese matches are
found as substrings of the folded text (what the query's Chinese words and
phrases are), other words by tokenizing with a regex and stemming with the
document's language.  Folded offsets map back to the original text, so the
``<mark>`` lands on exactly the characters of the matched words, also when
the paragraph is in traditional script or full-width.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from index.analysis import _TOKEN, HAN_RUN, analyze, fold, stemmer

from .query import Text

ELLIPSIS = "…"


@dataclass(frozen=True)
class Terms:
    """What to mark: folded Chinese strings, and the analysed forms of other words per language."""

    han: tuple[str, ...]
    words: frozenset[str]  # folded, unstemmed
    texts: tuple[str, ...]

    @classmethod
    def from_texts(cls, texts: list[Text]) -> Terms:
        han: set[str] = set()
        words: set[str] = set()
        for t in texts:
            folded = fold(t.text).text
            for run in HAN_RUN.findall(folded):
                han.add(run)
            for tok in analyze(t.text, None, "query"):
                if tok.kind == "han":
                    han.add(tok.text)
                else:
                    words.add(tok.text)
        # Longest first, so a phrase wins over its own words when spans are merged.
        return cls(tuple(sorted(han, key=len, reverse=True)), frozenset(words),
                   tuple(t.text for t in texts))

    def stems(self, lang: str | None) -> frozenset[str]:
        stem = stemmer(lang) if lang else None
        if stem is None:
            return self.words
        return frozenset(w if w.isdigit() else stem(w) for w in self.words) | self.words


def spans(text: str, terms: Terms, lang: str | None) -> list[tuple[int, int]]:
    """Merged (start, end) spans of the original ``text`` to mark."""
    folded = fold(text)
    ft = folded.text
    found: list[tuple[int, int]] = []
    for needle in terms.han:
        start = ft.find(needle)
        while start >= 0:
            found.append((start, start + len(needle)))
            start = ft.find(needle, start + 1)
    if terms.words:
        stems = terms.stems(lang)
        stem = stemmer(lang) if lang else None
        for m in _TOKEN.finditer(ft):
            kind = m.lastgroup
            if kind == "han":
                continue
            w = m.group()
            if w in stems or (kind == "word" and stem is not None and not w.isdigit()
                              and stem(w) in stems):
                found.append(m.span())
            elif kind == "sym":  # a number or part inside a symbol
                for p in re.finditer(r"[a-z]+|\d+", w):
                    if p.group() in stems:
                        found.append((m.start() + p.start(), m.start() + p.end()))
    if not found:
        return []
    found.sort()
    merged: list[list[int]] = []
    for s, e in found:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [folded.span(s, e) for s, e in merged]


def mark(text: str, marks: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """HTML of text[start:end], escaped, with <mark> around the spans."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in marks:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(html.escape(text[pos:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def _is_cjk_heavy(text: str) -> bool:
    sample = text[:200]
    return sum(1 for c in sample if HAN_RUN.match(c)) > len(sample) / 3


def window(text: str, marks: list[tuple[int, int]], size: int | None = None) -> tuple[int, int]:
    """A window of about ``size`` characters around the densest stretch of matches."""
    if size is None:
        size = 160 if _is_cjk_heavy(text) else 320
    if len(text) <= size * 1.25:
        return 0, len(text)
    if not marks:
        start = 0
    else:
        # The window start (a little before a match) that covers the most matches.
        best, start = -1, 0
        for s, _e in marks:
            cand = max(0, s - size // 5)
            covered = sum(1 for s2, e2 in marks if s2 >= cand and e2 <= cand + size)
            if covered > best:
                best, start = covered, cand
    end = min(len(text), start + size)
    start = max(0, min(start, end - size))
    # Don't cut a word in half (languages with spaces).
    if start > 0 and not _is_cjk_heavy(text):
        sp = text.find(" ", start, start + 30)
        if sp >= 0:
            start = sp + 1
    if end < len(text) and not _is_cjk_heavy(text):
        sp = text.rfind(" ", end - 30, end)
        if sp > start:
            end = sp
    return start, end


def snippet(text: str, terms: Terms, lang: str | None, size: int | None = None) -> str:
    """The paragraph, or a window of a long one, as escaped HTML with <mark>s."""
    marks = spans(text, terms, lang)
    start, end = window(text, marks, size)
    body = mark(text, marks, start, end)
    return (ELLIPSIS if start > 0 else "") + body + (ELLIPSIS if end < len(text) else "")


def highlight_all(text: str, terms: Terms, lang: str | None) -> str:
    """The whole paragraph, escaped, with <mark>s (the document view)."""
    return mark(text, spans(text, terms, lang))
