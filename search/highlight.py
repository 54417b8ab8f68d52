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
from collections.abc import Callable
from dataclasses import dataclass

from index.analysis import _TOKEN, HAN_RUN, Folded, Tok, analyze, fold, is_acronym, stemmer

from .query import Text

ELLIPSIS = "…"


@dataclass(frozen=True)
class Unit:
    """One thing the user typed: Chinese runs found as substrings, other tokens in sequence."""

    han: tuple[tuple[str, tuple[str, ...]], ...]  # (run, its jieba words as a fallback)
    seq: tuple[str, ...]  # folded non-Chinese tokens, in order
    kinds: tuple[str, ...]
    exact: re.Pattern[str] | None = None  # the whole text as typed, punctuation-tolerant
    quoted: bool = False  # a quoted phrase: marked only where it is whole


@dataclass(frozen=True)
class Terms:
    """What to mark in a paragraph for a query."""

    units: tuple[Unit, ...]

    @classmethod
    def from_texts(cls, texts: list[Text],
                   tokens: Callable[[str], list[Tok]] | None = None) -> Terms:
        """The terms of these texts; ``tokens`` analyses a text as a query (a search's plan
        passes its own, which has analysed them already)."""
        analyse = tokens or (lambda text: analyze(text, None, "query"))
        units: list[Unit] = []
        for t in texts:
            folded = fold(t.text).text
            toks = analyse(t.text)
            han = []
            for run in HAN_RUN.findall(folded):
                words = tuple(tok.text for tok in analyse(run) if tok.kind == "han")
                han.append((run, words))
            seq = [(tok.text, tok.kind) for tok in toks if tok.kind != "han"]
            exact = typed_pattern(t.text, toks) if len(toks) > 1 else None
            units.append(Unit(tuple(han), tuple(w for w, _ in seq), tuple(k for _, k in seq),
                              exact, quoted=t.phrase))
        return cls(tuple(units))


def typed_pattern(text: str, toks: list[Tok]) -> re.Pattern[str]:
    """The tokens as typed (folded), anything but letters and digits between them (up to 3),
    nothing between Chinese words typed together.

    Whole words at the ends ("of the" must not light up "of the|ir"), except next to
    Chinese, which has no spaces."""
    body = re.escape(fold(text[toks[0].start:toks[0].end]).text)
    for prev, tok in zip(toks, toks[1:], strict=False):
        # Chinese typed together is matched by the index as one run of characters (a phrase
        # of bigrams), so nothing may stand between its words.
        together = prev.kind == tok.kind == "han" and prev.end == tok.start
        body += ("" if together else r"[\W_]{0,3}") + re.escape(fold(text[tok.start:tok.end]).text)
    head = "" if toks[0].kind == "han" else r"(?<![^\W_])"
    tail = "" if toks[-1].kind == "han" else r"(?![^\W_])"
    return re.compile(head + body + tail)


def _stream(text: str, folded: Folded,
            stem: Callable[[str], str] | None) -> list[tuple[str, int, int, str]]:
    """(comparison key, start, end, kind) of every non-Chinese token of folded text.
    An acronym's key is as written (``US``); its kind says it also matches ``us``."""
    out: list[tuple[str, int, int, str]] = []
    append = out.append
    for m in _TOKEN.finditer(folded.text):
        kind = m.lastgroup or "word"
        if kind == "han":
            continue
        w = m.group()
        s0, e0 = m.span()
        if kind != "word":
            append((w, s0, e0, kind))
            continue
        key = stem(w) if stem is not None and not w.isdigit() else w
        # An acronym is 2 to 5 ASCII capitals as written, so 2 to 5 letters folded too:
        # only words of that length are looked up in the original.
        if 2 <= e0 - s0 <= 5:
            os_, oe = folded.span(s0, e0)
            if is_acronym(text[os_:oe]):
                append((text[os_:oe], s0, e0, "acro:" + key))
                continue
        append((key, s0, e0, kind))
    return out


def _same(tok: tuple[str, int, int, str], key: str) -> bool:
    return tok[0] == key or (tok[3].startswith("acro:") and tok[3][5:] == key)


def _find_all(haystack: str, needle: str) -> list[tuple[int, int]]:
    found = []
    start = haystack.find(needle)
    while start >= 0:
        found.append((start, start + len(needle)))
        start = haystack.find(needle, start + 1)
    return found


def _close_brackets(ft: str, hits: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``1540 (2004`` → ``1540 (2004)``: a mark that opens a bracket also closes it."""
    out = []
    for s0, e0 in hits:
        part = ft[s0:e0]
        if part.count("(") > part.count(")") and ft[e0:e0 + 1] == ")":
            e0 += 1
        out.append((s0, e0))
    return out


def spans(text: str, terms: Terms, lang: str | None) -> list[tuple[int, int]]:
    """Merged (start, end) spans of the original ``text`` to mark.

    A phrase is marked as a whole where it occurs. A quoted phrase is marked nowhere
    else (for ``"weapons of mass destruction"``, no lone "of"); the words of text typed
    together without quotes (Chinese without spaces) are marked one by one where the
    whole is not there (they matched scattered).
    """
    folded = fold(text)
    ft = folded.text
    stem = stemmer(lang) if lang else None
    stream: list[tuple[str, int, int, str]] | None = None
    found: list[tuple[int, int]] = []
    for unit in terms.units:
        if unit.exact is not None:
            exact_hits = [m.span() for m in unit.exact.finditer(ft)]
            if exact_hits or unit.quoted:
                found.extend(_close_brackets(ft, exact_hits))
                continue
        several = unit.exact is not None
        for run, words in unit.han:
            hits = _find_all(ft, run) if not (several and len(run) == 1) else []
            if not hits and not unit.quoted:
                for w in words:
                    if not (several and len(w) == 1):  # 第, 号 alone would light up everywhere
                        hits.extend(_find_all(ft, w))
            found.extend(hits)
        if not unit.seq:
            continue
        if stream is None:
            stream = _stream(text, folded, stem)
        keys = [w if (k != "word" or stem is None or w.isdigit()) else stem(w)
                for w, k in zip(unit.seq, unit.kinds, strict=True)]
        n = len(keys)
        seq_hits = []
        if n > 1:
            for i in range(len(stream) - n + 1):
                if all(_same(stream[i + j], keys[j]) for j in range(n)):
                    seq_hits.append((stream[i][1], stream[i + n - 1][2]))
        if seq_hits:
            found.extend(_close_brackets(ft, seq_hits))
            continue
        wanted = set(keys)
        for key, s0, e0, kind in stream:
            if key in wanted or (kind.startswith("acro:") and kind[5:] in wanted):
                found.append((s0, e0))
            elif kind == "sym":  # a number or letters inside a symbol
                for p in re.finditer(r"[a-z]+|\d+", ft[s0:e0]):
                    if p.group() in wanted:
                        found.append((s0 + p.start(), s0 + p.end()))
    if not found:
        return []
    found.sort()
    merged: list[list[int]] = []
    for s0, e0 in found:
        if merged and s0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e0)
        else:
            merged.append([s0, e0])
    return [folded.span(s0, e0) for s0, e0 in merged]


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
    # The characters of the runs (one C loop, not one match per character).
    return sum(map(len, HAN_RUN.findall(sample))) > len(sample) / 3


def window(text: str, marks: list[tuple[int, int]], size: int | None = None) -> tuple[int, int]:
    """A window of about ``size`` characters around the densest stretch of matches."""
    cjk = _is_cjk_heavy(text)
    if size is None:
        size = 160 if cjk else 320
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
    if start > 0 and not cjk:
        sp = text.find(" ", start, start + 30)
        if sp >= 0:
            start = sp + 1
    if end < len(text) and not cjk:
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
