"""The query analysed once per search, into a plan that every later step shares.

Query building (:class:`search.translate.QueryBuilder`), the check of quoted phrases, the
as-typed bonus and highlighting all need the tokens of what the user typed. Each piece of
text is analysed (folding, jieba, stemming) once per language asked for, here, and the
patterns and highlight terms are made from those tokens.

>>> plan = QueryPlan.make('"Member States" 安全理事会')
>>> [t.text for t in plan.tokens("Member States", "en")]
['member', 'state']
>>> plan.scored, plan.symbol
(True, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from index.analysis import Tok, analyze, stemmer
from index.model import LANGUAGES

from .highlight import Terms, typed_pattern
from .query import And, Node, Text, parse, positive_texts, symbol_query
from .synonyms import expand
from .wordorder import typed_sequence


@dataclass
class QueryPlan:
    query: str
    tree: Node  # what is matched: abbreviations with their other forms (search/synonyms.py)
    typed: Node | None = None  # what the user typed (None: the same as ``tree``)
    also_searched: list[str] = field(default_factory=list)
    _tokens: dict[tuple[str, str | None], list[Tok]] = field(default_factory=dict, repr=False)

    @classmethod
    def make(cls, query: str) -> QueryPlan:
        """Parse ``query`` (QueryError if it cannot be run) and expand its abbreviations."""
        typed = parse(query)
        expanded = expand(typed)
        return cls(query, expanded.tree, typed, expanded.also_searched)

    def tokens(self, text: str, lang: str | None = None) -> list[Tok]:
        """``analyze(text, lang, "query")``, computed once per plan."""
        key = (text, lang)
        toks = self._tokens.get(key)
        if toks is None:
            toks = self._tokens[key] = analyze(text, lang, "query")
        return toks

    @cached_property
    def texts(self) -> list[Text]:
        """What a result is found by (not what is excluded), as typed."""
        return positive_texts(self.typed if self.typed is not None else self.tree)

    @cached_property
    def symbol(self) -> str | None:
        """The document symbol when the whole query is one (``S/2015/77``)."""
        return symbol_query(self.query)

    @property
    def scored(self) -> bool:
        """Whether there is anything to rank by (not only filters)."""
        return bool(self.texts) or self.symbol is not None

    @cached_property
    def terms(self) -> Terms:
        """What to mark in a hit's paragraph."""
        return Terms.from_texts(positive_texts(self.tree), self.tokens)  # expansions too

    @cached_property
    def surface(self) -> re.Pattern[str] | None:
        """The query's words as typed, in order (search/wordorder.py)."""
        return typed_sequence(self.texts, self.tokens)

    @cached_property
    def phrases(self) -> list[re.Pattern[str]]:
        """Required quoted phrases with words a stemmer changes, as whole-word patterns:
        what a segment without form codes (index/surface.py) has checked on its text."""
        items = self.tree.items if isinstance(self.tree, And) else (self.tree,)
        out = []
        for x in items:
            if not (isinstance(x, Text) and x.phrase and not x.field):
                continue
            toks = self.tokens(x.text)
            if len(toks) < 2 or not any(t.kind == "word" for t in toks):
                continue
            if all(all(stemmer(lang) is None or stemmer(lang)(t.text) == t.text  # type: ignore[misc]
                       for lang in LANGUAGES) for t in toks if t.kind == "word"):
                continue  # no word changes under stemming: the index already matched exactly
            out.append(typed_pattern(x.text, toks))
        return out
