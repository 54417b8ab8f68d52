"""Paragraphs out of lines: Markdown residue cleaned, hard-wrapped lines re-joined, page
furniture dropped, paragraphs cut by a page boundary joined back, huge ones cut."""

from __future__ import annotations

import re
from collections.abc import Callable

# A paragraph longer than this is cut (at a sentence end or a space): it keeps ranking units
# comparable (some OCR'd statements lost all paragraph breaks) and means one pathological
# input (a 50 MB file with no line breaks) cannot produce a single 50 MB index entry.
MAX_PARAGRAPH_CHARS = 5_000

_MD_LINK = re.compile(r"(?<!\\)!?\[((?:\\.|[^\[\]\\\n]){0,500})\]\((?:\\.|[^)\\\n]){0,1000}\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)([^\n]{1,1000}?)(?<=\S)\1")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+([^\n]*?)[ \t#]*$", re.M)
_MD_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)


def clean_markdown(text: str) -> str:
    """Remove PDF→Markdown residue but keep the words: ``[1540\\(2004\\)](#)`` → ``1540(2004)``."""
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "**" in text or "__" in text:
        text = _MD_BOLD.sub(r"\2", text)
    if "#" in text:
        # A heading stands alone: blank lines around it keep it out of its neighbours.
        text = _MD_HEADING.sub(lambda m: f"\n{m[1]}\n", text)
    text = _MD_RULE.sub("", text)
    if "\\" in text:
        text = _MD_ESCAPE.sub(r"\1", text)
    return text


def _is_wide(ch: str) -> bool:
    """CJK ideographs, kana, hangul, CJK and full-width punctuation: joined without spaces."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF
            or 0xAC00 <= o <= 0xD7AF or 0x20000 <= o <= 0x2FA1F)


# Sentence-final: Latin . ! ? : ; …, Chinese 。！？；：, Arabic ؛ ؟ ۔, optionally followed by closing quotes
# or brackets; a bare Chinese closing quote also ends a sentence.
_ENDS_FINAL = re.compile(r"(?:[.!?:;…。！？；：．؛؟۔]+[\"'”’»」』）)\]]*|[”」』])$")
_OPENERS = "\"'“‘«([¿¡"
_NUMBERED = re.compile(r"^\d{1,3}\.(?:\s|\t)+\S")
_HEADING_START = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?\s|\(?[a-zA-Z]{1,4}\)\s|[IVXLC]{1,6}\.\s|"
    r"第[一二三四五六七八九十百〇零\d０-９]+[章条條節节款部编編]|[一二三四五六七八九十]+、|"
    r"（[一二三四五六七八九十\d０-９]+）|附件|附录|"
    r"(?:Article|Chapter|Annex|Appendix|Part|Chapitre|Annexe|Artículo|Capítulo|Anexo|Статья|Глава|"
    r"Приложение|المادة|الفصل|المرفق)\b)")
_LIST_START = re.compile(r"^(?:\(?[a-z]{1,4}\)|[a-z]\.)\s")
# Page furniture: page numbers, UN job numbers (95-85614), barcodes, "Page 3", "3/12", running
# meeting-record headers (A/50/PV.5).
_FURNITURE = re.compile(
    r"^(?:[-–—\s]*\d{1,4}[-–—\s]*|\d{1,4}\s+\d{2}-\d{5}|\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{1,6})*|"
    r"\*\d{6,8}\*|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4}|"
    r"A/\d{1,3}/PV\.\d{1,4}|[-=_*·•.\s]{3,})$", re.I)
# Interpretation notes in meeting records ("(spoke in French)") stand alone as paragraphs.
_NOTE = re.compile(r"^\((?:spoke|interpretation|interprétation|habla|говорит)[^()]{1,60}\)$", re.I)
# Only whitespace that changes: runs, and single tabs or exotic spaces (a single ASCII space
# is left alone, so a 50 MB paragraph is not rebuilt from ten million one-space pieces).
_WS = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f]")
_ODD_SPACE = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060]")
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_HAS_ALNUM = re.compile(r"[^\W_]")

_SOFT = "\x00soft"  # marks a page-furniture line: a page boundary, not a paragraph break


class _Vocab:
    """The file's own words, built lazily, to decide whether ``inter-`` + ``national`` lost a
    real hyphen or only a line-break one."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._words: set[str] | None = None

    def __contains__(self, word: str) -> bool:
        if self._words is None:
            self._words = {w.lower() for w in _WORDS.findall(self._text)}
        return word in self._words


_TRAILING_WORD = re.compile(r"([^\W\d_]+)-$")
_LEADING_WORD = re.compile(r"^([^\W\d_]+)")


def append(pieces: list[str], b: str, vocab: _Vocab | None) -> None:
    """Add ``b`` to a paragraph being assembled from ``pieces`` (joined once at the end, so a
    paragraph of a million lines still costs linear time).

    No space goes between two CJK characters. A line-end hyphen is dropped only when the file
    itself spells the joined word without it (``land-`` + ``mines`` stays ``land-mines`` unless
    ``landmines`` occurs in the file and ``land-mines`` does not); before an upper-case
    continuation it is always kept (``anti-`` + ``Semitism``).
    """
    if not pieces:
        pieces.append(b)
        return
    a = pieces[-1]
    if a[-1] == "\u00ad":  # soft hyphen: a break opportunity, never a real hyphen
        pieces[-1] = a[:-1]
        pieces.append(b)
        return
    if a[-1] == "-" and vocab is not None:
        left, right = _TRAILING_WORD.search(a[-100:]), _LEADING_WORD.match(b)
        if left and right:
            if right[1][0].islower():
                joined = (left[1] + right[1]).lower()
                hyphenated = f"{left[1]}-{right[1]}".lower()
                if joined in vocab and hyphenated not in vocab:
                    pieces[-1] = a[:-1]
            pieces.append(b)
            return
    if not (_is_wide(a[-1]) and _is_wide(b[0])):
        pieces.append(" ")
    pieces.append(b)


def _wrap_width(lengths: list[int], cjk: bool) -> int | None:
    """The width a file was hard-wrapped at, or None if its lines are not wrapped.

    Wrapped text has most lines bunched just under one width (a line breaks when the next
    word does not fit); a file of one paragraph per line has long, scattered line lengths.
    """
    if len(lengths) < 8:
        return None
    s = sorted(lengths)
    width = s[int(len(s) * 0.9)]
    lo, hi = (12, 70) if cjk else (30, 130)
    if not lo <= width <= hi:
        return None
    near = sum(1 for n in lengths if 0.7 * width <= n <= width + 4)
    if near < 0.5 * len(lengths):
        return None
    # The break test asks whether the next word would have fitted: measure against the
    # (nearly) longest lines, not the typical one.
    return s[int(len(s) * 0.95)]


def _first_word_len(line: str) -> int:
    line = line.lstrip()
    i = line.find(" ")
    return len(line) if i < 0 else i


def _starts_sentence(b: str) -> bool:
    head = b.lstrip(_OPENERS)[:1]
    return bool(head) and (head.isupper() or head.isdigit() or _is_wide(head))


def _is_wrap_break(a: str, b_raw: str, c: str | None, width: int, indent_signal: bool) -> bool:
    """In hard-wrapped text, does a paragraph end between lines ``a`` and ``b``?

    Only where ``a`` ends a sentence and ``b`` starts one, and then when ``a`` broke early
    (``b``'s first word would have fitted on it: the paragraph ended there), or ``b`` is
    indented or numbered, or ``b`` itself broke early while ``c`` carries on its sentence
    (its shortness is a first-line indent that the text extraction dropped).
    """
    if not _ENDS_FINAL.search(a[-8:]):
        return False
    b = b_raw.lstrip()
    if not _starts_sentence(b):
        return False
    if indent_signal and b_raw[:1].isspace():
        return True
    if _NUMBERED.match(b):
        return True
    if _is_wide(a[-1]):
        return len(a) < 0.9 * width
    if len(a) + 1 + _first_word_len(b) <= width:
        return True
    if c is not None and c[:1].islower() and not _ENDS_FINAL.search(b[-8:]):
        # A small margin: proportional fonts make character counts a noisy measure of width.
        return len(b) + 1 + _first_word_len(c) <= width - 3
    return False


def _wraps_on(a: str, b: str) -> bool:
    """In a file that is not hard-wrapped as a whole, does line ``b`` carry on line ``a`` of the
    same block? Only after a long line cut mid-sentence, and never into a heading or list item
    (so a signature block or "Article 1" / "The Purposes…" keep their lines)."""
    if (_ENDS_FINAL.search(a[-8:]) or _HEADING_START.match(a) or _HEADING_START.match(b)
            or _LIST_START.match(b) or _NOTE.match(b) or (b.isupper() and len(b) < 60)):
        return False
    return len(a) >= (20 if _is_wide(a[-1]) else 60)


class _Para:
    """A paragraph being assembled: pieces plus what the page-break test needs to know."""

    __slots__ = ("pieces", "length", "clause_punct", "closed")

    def __init__(self, text: str, closed: bool = False) -> None:
        self.pieces = [text]
        self.length = len(text)
        self.clause_punct = any(c in text for c in "，,；、،")
        # Nothing is ever joined onto a closed paragraph (a title, an interpretation note).
        self.closed = closed or bool(_NOTE.match(text))

    @property
    def tail(self) -> str:
        return self.pieces[-1]

    def text(self) -> str:
        return "".join(self.pieces)


_LAST_WORD = re.compile(r"([^\W\d_]+)$")
_DANGLING = frozenset(
    "the a an of to in on at by for from with and or but nor as than that which who whose whom "
    "its their our his her my your this these those is are was were be been has have had will "
    "would shall should can could may might must not also into upon between among against "
    "de la le les des du et au aux un une pour par sur dans avec que qui "
    "el los las del y en con por para una unos que al "
    "и в во на с со к по о об от из за для не что как".split())


def _continues(prev: _Para, nxt: str) -> bool:
    """Is ``nxt`` the rest of ``prev``, cut by a page boundary (or a stray blank line)?"""
    tail = prev.tail
    if (prev.closed or _ENDS_FINAL.search(tail[-8:]) or _HEADING_START.match(nxt)
            or _NOTE.match(nxt)):
        return False
    last, first = tail[-1], nxt[0]
    if _is_wide(last) or _is_wide(first):
        # Chinese: both sides look like body text — prev long with clause punctuation in it,
        # nxt long or a finished sentence — so a heading is never glued to a paragraph.
        return (_is_wide(first) and prev.length >= 60 and prev.clause_punct
                and (len(nxt) >= 40 or bool(_ENDS_FINAL.search(nxt[-8:]))))
    if first.islower() and first.isalpha():
        return not _LIST_START.match(nxt)
    # Before a capital, only a dangling comma, dash or function word proves the cut: a heading
    # or a title ends in a noun, never in "of the".
    if _LIST_START.match(nxt) or len(nxt) < 20:
        return False
    if last in ",-–—":
        return prev.length >= 40
    m = _LAST_WORD.search(tail[-30:])
    return m is not None and m[1].lower() in _DANGLING


def split_long(p: str) -> list[str]:
    if len(p) <= MAX_PARAGRAPH_CHARS:
        return [p]
    out: list[str] = []
    start, n = 0, len(p)
    while n - start > MAX_PARAGRAPH_CHARS:
        end = start + MAX_PARAGRAPH_CHARS
        window_lo = start + MAX_PARAGRAPH_CHARS // 2
        cut = max(p.rfind(". ", window_lo, end), p.rfind("。", window_lo, end))
        if cut < 0:
            cut = p.rfind(" ", window_lo, end)
        cut = end if cut < 0 else cut + 1
        out.append(p[start:cut].strip())
        start = cut
    out.append(p[start:].strip())
    return [x for x in out if x]


def clean_paragraph(p: str) -> str:
    if _INVISIBLE.search(p):
        p = _INVISIBLE.sub("", p)
    if "  " in p or _ODD_SPACE.search(p):
        p = _WS.sub(" ", p)
    return p.strip()


def build_paragraphs(lines: list[str], full_text: str, *, cjk: bool,
                     drop: Callable[[str], bool] | None = None,
                     first_is_title: bool = False) -> list[str]:
    """Lines → paragraphs: blank lines separate paragraphs; hard-wrapped lines are re-joined;
    page furniture is dropped; paragraphs cut by a page boundary are joined back.
    ``first_is_title``: the first paragraph is a title, never joined to the next one."""
    marked: list[str] = []
    for raw in lines:
        s = raw.strip()
        if not s:
            marked.append("")
        elif len(s) <= 40 and (_FURNITURE.match(s) or (drop is not None and drop(s))):
            marked.append(_SOFT)
        else:
            marked.append(raw.rstrip())
    body = [m for m in marked if m and m is not _SOFT]
    width = _wrap_width([len(m.strip()) for m in body], cjk)
    vocab = _Vocab(full_text)
    # Leading indentation marks new paragraphs only if not every line is indented.
    indented = sum(1 for m in body if m[:1].isspace())
    indent_signal = 0 < indented < 0.5 * len(body)

    paras: list[list[str]] = []
    cur: list[str] | None = None
    prev_line = ""
    gap_hard = False  # a run of blank lines since the last text line
    gap_soft = False  # the run included page furniture
    body_i = 0
    for m in marked:
        if m == "":
            gap_hard = True
            continue
        if m is _SOFT:
            gap_soft = True
            continue
        body_i += 1
        s = m.strip()
        if _NOTE.match(s):
            if cur is not None:
                paras.append(cur)
            paras.append([s])
            cur = None
        elif cur is None:
            cur = [s]
        elif width is None and not gap_hard and _wraps_on(prev_line, s):
            append(cur, s, vocab)
        elif width is None or (gap_hard and not gap_soft):
            # One paragraph per line, or a blank line: a new paragraph.
            paras.append(cur)
            cur = [s]
        elif _is_wrap_break(prev_line, m, body[body_i].strip() if body_i < len(body) else None,
                            width, indent_signal):
            paras.append(cur)
            cur = [s]
        else:
            append(cur, s, vocab)
        prev_line = s
        gap_hard = gap_soft = False
    if cur is not None:
        paras.append(cur)

    merged: list[_Para] = []
    for pieces in paras:
        p = clean_paragraph("".join(pieces))
        if not p:
            continue
        if merged and _continues(merged[-1], p):
            prev = merged[-1]
            append(prev.pieces, p, vocab)
            prev.length += len(p) + 1
            prev.clause_punct = prev.clause_punct or any(c in p for c in "，,；、،")
        else:
            merged.append(_Para(p, closed=first_is_title and not merged))
    out: list[str] = []
    for para in merged:
        text = para.text()
        if _HAS_ALNUM.search(text):
            out.extend(split_long(text))
    return out


def display_len(s: str) -> int:
    """Length with CJK characters counted double: 120 of them make no title."""
    return len(s) + sum(1 for c in s if _is_wide(c))


def short_title(paragraphs: list[str], fallback: str, first_line: str = "", limit: int = 200) -> str:
    """The first paragraph if it is title-sized, else the first line, else a cut."""
    if not paragraphs:
        return fallback
    t = paragraphs[0]
    if len(t) > limit and first_line and len(first_line) <= limit:
        return first_line
    return t if len(t) <= limit else t[: limit - 1].rstrip() + "…"

