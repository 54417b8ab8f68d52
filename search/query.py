"""The query language: parsing into a small syntax tree, then into Whoosh queries.

Grammar (AND binds tighter than OR; AND is implied between terms)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | "+" unary | primary
    primary := "(" or ")" | FIELD ":" value | "quoted phrase" | word
    value   := "quoted" | "[" lo "TO" hi "]" | word

Fields: lang, organ, symbol, year, date, country, title.  A word is any run
of characters without spaces; brackets inside a word (``1540(2004)``) belong
to it.  Full-width characters are parsed as typed and folded afterwards, so
``第1540（2004）号决议`` stays one word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.dates import parse_date_bound
from index.model import LANGUAGES

from .errors import QueryError
from .request import check_length

FIELDS = ("lang", "organ", "symbol", "year", "date", "country", "title")
QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "＂": "＂"}


# ---------------------------------------------------------------------------
# Syntax tree


@dataclass(frozen=True)
class Text:
    text: str
    phrase: bool = False
    field: str | None = None  # "title" for title:…, else None (the body)


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    quoted: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    lo: str | None
    hi: str | None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...] = field(default_factory=tuple)


Node = Text | Filter | Range | Not | And | Or


# ---------------------------------------------------------------------------
# Lexer

_FIELD_RE = re.compile(rf"({'|'.join(FIELDS)}):", re.IGNORECASE)


@dataclass(frozen=True)
class _Lexeme:
    """One unit of the query text as the lexer reads it (a word, a quoted phrase, a bracket,
    a field, an operator), not an analysis token (index.analysis.Tok)."""

    kind: str  # WORD PHRASE LP RP FIELD OP
    value: str = ""
    extra: tuple[str | None, str | None] | None = None
    quoted: bool = False


def _read_word(q: str, i: int) -> tuple[str, int]:
    """A word runs to the next space, quote or unbalanced ')'; '(' inside it nests."""
    depth = 0
    start = i
    n = len(q)
    while i < n:
        c = q[i]
        if c.isspace() or c in QUOTES:
            break
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        i += 1
    return q[start:i], i


def _read_quoted(q: str, i: int) -> tuple[str, int]:
    close = QUOTES[q[i]]
    end = q.find(close, i + 1)
    if end < 0:  # an unclosed quote runs to the end, as people mean it
        return q[i + 1 :], len(q)
    return q[i + 1 : end], end + 1


def _lex(q: str) -> list[_Lexeme]:
    toks: list[_Lexeme] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            toks.append(_Lexeme("LP"))
            i += 1
            continue
        if c == ")":
            toks.append(_Lexeme("RP"))
            i += 1
            continue
        if c in QUOTES:
            text, i = _read_quoted(q, i)
            toks.append(_Lexeme("PHRASE", text))
            continue
        if c in "-+" and i + 1 < n and not q[i + 1].isspace():
            toks.append(_Lexeme("OP", "NOT" if c == "-" else "REQ"))
            i += 1
            continue
        m = _FIELD_RE.match(q, i)
        if m and (i == 0 or not q[i - 1].isalnum()):
            name = m.group(1).lower()
            i = m.end()
            if i < n and q[i] in QUOTES:
                text, i = _read_quoted(q, i)
                toks.append(_Lexeme("FIELD", name, (text, None), quoted=True))
                continue
            if i < n and q[i] in "[{":
                close = "]" if q[i] == "[" else "}"
                end = q.find(close, i)
                if end < 0:
                    raise QueryError(f"the range after {name}: is missing its closing '{close}'")
                body = q[i + 1 : end]
                i = end + 1
                parts = re.split(r"\s+TO\s+", body.strip(), flags=re.IGNORECASE)
                if len(parts) != 2:
                    raise QueryError(f"a range is written {name}:[FROM TO TO], e.g. {name}:[2015 TO 2020]")
                lo, hi = (p.strip() for p in parts)
                toks.append(_Lexeme("RANGE", name, (lo if lo not in ("", "*") else None,
                                                 hi if hi not in ("", "*") else None)))
                continue
            word, i = _read_word(q, i)
            if not word:
                raise QueryError(f"{name}: needs a value, e.g. {_example(name)}")
            toks.append(_Lexeme("FIELD", name, (word, None)))
            continue
        word, i = _read_word(q, i)
        if not word:  # a lone ')' is handled above; anything else is a stray character
            i += 1
            continue
        if word in ("AND", "OR", "NOT", "&&", "||"):
            toks.append(_Lexeme("OP", {"&&": "AND", "||": "OR"}.get(word, word)))
        else:
            toks.append(_Lexeme("WORD", word))
    return toks


def _example(name: str) -> str:
    return {
        "lang": "lang:zh",
        "organ": 'organ:"Security Council"',
        "symbol": "symbol:S/2020/*",
        "year": "year:2015",
        "date": "date:[2015 TO 2020]",
        "country": "country:CHN",
        "title": "title:climate",
    }[name]


# ---------------------------------------------------------------------------
# Parser


MAX_DEPTH = 32


class _Parser:
    def __init__(self, toks: list[_Lexeme]) -> None:
        self.toks = toks
        self.i = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"the query nests brackets or NOTs more than {MAX_DEPTH} deep")

    def peek(self) -> _Lexeme | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Lexeme:
        t = self.toks[self.i]
        self.i += 1
        return t

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            t = self.peek()
            assert t is not None
            if t.kind == "RP":
                raise QueryError("there is a ')' without a matching '('")
            raise QueryError("could not understand the end of the query")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (t := self.peek()) is not None and t.kind == "OP" and t.value == "OR":
            self.take()
            if self.peek() is None or self.peek().kind == "RP":  # type: ignore[union-attr]
                break  # a trailing OR is forgiven
            items.append(self.parse_and())
        items = [x for x in items if x != And()]
        if not items:
            return And()
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        items: list[Node] = []
        while (t := self.peek()) is not None:
            if t.kind == "RP" or (t.kind == "OP" and t.value == "OR"):
                break
            if t.kind == "OP" and t.value == "AND":
                self.take()
                continue
            node = self.parse_unary()
            if node is not None:
                items.append(node)
        if len(items) == 1:
            return items[0]
        return And(tuple(items))

    def parse_unary(self) -> Node | None:
        self.deeper()
        try:
            return self._parse_unary()
        finally:
            self.depth -= 1

    def _parse_unary(self) -> Node | None:
        t = self.take()
        if t.kind == "OP" and t.value == "NOT":
            if self.peek() is None:
                return None  # a trailing NOT or '-' is forgiven
            inner = self.parse_unary()
            return Not(inner) if inner is not None else None
        if t.kind == "OP" and t.value == "REQ":
            return self.parse_unary() if self.peek() is not None else None
        if t.kind == "OP":  # AND / OR in a place where a term belongs: treat as a word
            return Text(t.value.lower())
        if t.kind == "LP":
            inner = self.parse_or()
            if self.peek() is None:
                raise QueryError("there is a '(' without a matching ')'")
            self.take()
            return inner
        if t.kind == "RP":
            raise QueryError("there is a ')' without a matching '('")
        if t.kind == "PHRASE":
            return Text(t.value, phrase=True) if t.value.strip() else None
        if t.kind == "RANGE":
            assert t.extra is not None
            return Range(t.value, t.extra[0], t.extra[1])
        if t.kind == "FIELD":
            assert t.extra is not None
            value = t.extra[0] or ""
            if t.value == "title":
                return Text(value, phrase=t.quoted, field="title") if value.strip() else None
            if not value.strip():
                raise QueryError(f"{t.value}: needs a value, e.g. {_example(t.value)}")
            return Filter(t.value, value, quoted=t.quoted)
        return Text(t.value)


def parse(q: str) -> Node:
    """Parse a query string; raise QueryError for what cannot be run.

    >>> parse('安全理事会 "大规模毁灭性武器" -核武器 lang:zh')  # doctest: +NORMALIZE_WHITESPACE
    And(items=(Text(text='安全理事会', phrase=False, field=None),
               Text(text='大规模毁灭性武器', phrase=True, field=None),
               Not(node=Text(text='核武器', phrase=False, field=None)),
               Filter(field='lang', value='zh', quoted=False)))
    """
    if not isinstance(q, str):
        raise QueryError("the query must be text")
    check_length(q)
    q = clean_query(q)
    if not q.strip():
        raise QueryError("the query is empty: type some words to look for")
    node = _Parser(_lex(q)).parse()
    validate(node)
    return node


def clean_query(q: str) -> str:
    """The query without NULs, control characters and lone surrogates (which no
    document contains and no URL can carry)."""
    return "".join(c for c in q if (c.isprintable() or c.isspace()) and not 0xD800 <= ord(c) <= 0xDFFF)


def validate(node: Node) -> None:
    """Check filter values and that the query looks for something."""
    for f in _walk(node):
        if isinstance(f, Filter):
            if f.field == "lang" and f.value.lower() not in LANGUAGES:
                raise QueryError(f"unknown language {f.value!r}: use one of {' '.join(LANGUAGES)}")
            if f.field == "year" and (not re.fullmatch(r"\d{4}", f.value) or int(f.value) < 1000):
                raise QueryError(f"year:{f.value} is not a year; write e.g. year:2015")
            if f.field == "date" and parse_date_bound(f.value, end=False) is None:
                raise QueryError(f"date:{f.value} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
        if isinstance(f, Range):
            if f.field not in ("year", "date"):
                raise QueryError(f"ranges work on year and date, not on {f.field}")
            for v in (f.lo, f.hi):
                if v is not None and parse_date_bound(v, end=False) is None:
                    raise QueryError(f"{v!r} in {f.field}:[…] is not a year or date")
    if not any(isinstance(x, (Text, Filter, Range)) for x in _walk(node)):
        raise QueryError("the query is empty: type some words to look for")
    if not _has_positive(node):
        raise QueryError("the query only excludes things: add a word to look for")


def _walk(node: Node) -> list[Node]:
    out: list[Node] = [node]
    if isinstance(node, (And, Or)):
        for x in node.items:
            out.extend(_walk(x))
    elif isinstance(node, Not):
        out.extend(_walk(node.node))
    return out


def _has_positive(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(x) for x in node.items)
    if isinstance(node, Or):
        return bool(node.items) and all(_has_positive(x) for x in node.items)
    return True


def positive_texts(node: Node) -> list[Text]:
    """The texts a result is found by (not those excluded): what gets highlighted."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, (And, Or)):
        return [t for x in node.items for t in positive_texts(x)]
    return []


_SYMBOL_QUERY = re.compile(r"\s*([A-Za-z]{1,8}(?:/[A-Za-z0-9.\-]+)+)\s*")


def symbol_query(q: str) -> str | None:
    """The document symbol if the whole query is one (``S/2015/77``), else None."""
    m = _SYMBOL_QUERY.fullmatch(q)
    if m and any(c.isdigit() for c in m.group(1)):
        return m.group(1)
    return None
