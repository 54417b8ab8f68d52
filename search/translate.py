"""From the query syntax tree to a Whoosh query over our schema.

For every piece of text the user typed:

* each language's body field gets the text analysed *as that field analyses
  it* (so ``resolutions`` is ``resolut`` in English and ``resolu`` in French);
* Chinese gets a phrase of character bigrams as a fallback that finds any
  substring, weighted below whole-word matches;
* the title gets a boosted clause, a document symbol a strongly boosted one;
* several words typed together get a proximity bonus: the same words close
  together or in order score above the same words scattered.

Clauses whose terms are not in the index are dropped before Whoosh sees
them, which keeps queries over six language fields cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh.query.spans import SpanNear2

from index.analysis import HAN_RUN, Tok, analyze, bigrams, fold, stemmer
from index.dates import parse_date_bound
from index.model import LANGUAGES
from index.schema import BIGRAM_FIELD, TEXT_FIELDS, TITLE_FIELD
from index.vocab import ORGAN_ALIASES

from .countries import country_codes
from .errors import QueryError
from .query import And, Filter, Node, Not, Or, Range, Text
from .synonyms import typed_texts
from .vector import SurfacePhrase

if TYPE_CHECKING:
    from .plan import QueryPlan

BOOST_PHRASE = 2.0  # a chunk typed without spaces, matched as the contiguous sequence
BOOST_BIGRAM = 0.6  # substring fallback: counts, but below whole words
BOOST_TITLE = 1.5
# A document symbol typed in the query. Typed alone (``S/2015/77``, the whole query), it is
# added once more at twice the weight, 150 in all, so that this document comes first: the
# weights of the two clauses the engine used to write separately (50 here, 100 there).
BOOST_SYMBOL = 50.0
BOOST_NEAR = 1.0
BOOST_ADJACENT = 1.5
MAX_LOOSE_WORDS = 16


def _all_of(qs: list[wq.Query]) -> wq.Query:
    """And, where one part that matches nothing makes the whole match nothing
    (Whoosh's And.normalize() would silently drop it instead)."""
    if any(q is wq.NullQuery for q in qs):
        return wq.NullQuery
    return qs[0] if len(qs) == 1 else wq.And(qs)


class QueryBuilder:
    """Whoosh queries over one index (``reader``) for a search's plan: built once per search,
    for the cheap first phase (``proximity=False``) and the scored candidates (``True``)."""

    def __init__(self, reader: Any, langs: Sequence[str] | None = None,
                 plan: QueryPlan | None = None, known: dict[tuple[str, str], bool] | None = None
                 ) -> None:
        self.reader = reader
        self.with_proximity = True
        self.langs = list(langs) if langs else list(LANGUAGES)
        self._organs: dict[str, str] | None = None
        # Which terms the index has: a search builds its query three times (its cost, then
        # without and with proximity), each asking for the same terms, and a lookup in the
        # reader's tables costs tens of µs (one per segment). ``known`` is shared by the
        # searches of one index (SearchEngine._known).
        self._has: dict[tuple[str, str], bool] = {} if known is None else known
        # The plan's tokens: each text is analysed once per language in a search.
        self._tokens: Callable[[str, str | None], list[Tok]] = (
            plan.tokens if plan is not None else lambda text, lang: analyze(text, lang, "query"))

    def build(self, plan: QueryPlan, *, proximity: bool) -> wq.Query:
        """The whole query of ``plan``; without ``proximity``, no optional bonuses."""
        self.with_proximity = proximity
        q = self.translate(plan.tree)
        if plan.symbol:
            q = self.any_of([wq.Term("symbol", plan.symbol.lower(), boost=2 * BOOST_SYMBOL), q])
        return q.normalize()

    # -- helpers -------------------------------------------------------------

    def has(self, fieldname: str, text: str) -> bool:
        key = (fieldname, text)
        found = self._has.get(key)
        if found is None:
            try:
                found = key in self.reader
            except Exception:  # a term that cannot be encoded for the field
                found = False
            self._has[key] = found
        return found

    def term(self, fieldname: str, text: str, boost: float = 1.0) -> wq.Query | None:
        return wq.Term(fieldname, text, boost=boost) if self.has(fieldname, text) else None

    def phrase(self, fieldname: str, words: list[str], boost: float = 1.0,
               slop: int = 1) -> wq.Query | None:
        if not words:
            return None
        if len(words) == 1:
            return self.term(fieldname, words[0], boost)
        if not all(self.has(fieldname, w) for w in set(words)):
            return None
        return wq.Phrase(fieldname, words, slop=slop, boost=boost)

    @staticmethod
    def any_of(qs: Sequence[wq.Query | None]) -> wq.Query:
        live = [q for q in qs if q is not None and q is not wq.NullQuery]
        if not live:
            return wq.NullQuery
        return live[0] if len(live) == 1 else wq.Or(live)

    # -- text ----------------------------------------------------------------

    def words(self, text: str, lang: str | None) -> list[str]:
        return [t.text for t in self._tokens(text, lang)]

    def text_query(self, node: Text) -> wq.Query:
        if node.field == "title":
            words = self.words(node.text, None)
            if not words:
                return wq.NullQuery
            if node.phrase or len(words) > 1:
                return self.phrase(TITLE_FIELD, words) or wq.NullQuery
            return self.term(TITLE_FIELD, words[0]) or wq.NullQuery
        base = self._tokens(node.text, None)
        if not base:
            return wq.NullQuery
        body = self.body_query(node, base)
        if body is wq.NullQuery:
            return body
        # The title only adds to the score: every paragraph carries its document's title,
        # and a paragraph must not match for words that are only in the title.
        if not self.with_proximity:
            return body  # the cheap first-phase query: no optional bonuses
        title = self.phrase(TITLE_FIELD, [t.text for t in base],
                            BOOST_TITLE * (BOOST_PHRASE if len(base) > 1 else 1.0))
        return wq.AndMaybe(body, title) if title is not None else body

    def body_query(self, node: Text, base: list[Any]) -> wq.Query:
        clauses: list[wq.Query | None] = []
        han_only = all(t.kind == "han" for t in base)
        folded = fold(node.text).text
        if len(base) == 1 or node.phrase:
            # One word, or a quoted phrase: the sequence must be there as typed.
            for lang in self.langs:
                if node.phrase and len(base) > 1:
                    clauses.append(self.typed_phrase(node.text, lang))
                else:
                    clauses.append(self.phrase(TEXT_FIELDS[lang], self.words(node.text, lang)))
            if han_only and len(base) > 1:
                return self.exact_chinese(folded, clauses, 1.0)
            if han_only:
                clauses.append(self.bigram_phrase(folded, BOOST_BIGRAM))
            if len(base) == 1 and base[0].kind == "sym":
                clauses.append(self.term("symbol", base[0].text, BOOST_SYMBOL))
            return self.any_of(clauses)
        # Several tokens typed together (Chinese without spaces, 1540(2004), COVID-19).
        exact: list[wq.Query | None] = []
        for lang in self.langs:
            exact.append(self.phrase(TEXT_FIELDS[lang], self.words(node.text, lang), BOOST_PHRASE))
        has_han = any(t.kind == "han" for t in base)
        if han_only:
            exact = [self.exact_chinese(folded, exact, BOOST_PHRASE * BOOST_BIGRAM)]
        elif has_han:
            exact.append(self.pieces(base, folded))
        exact_q = self.any_of(exact)
        if not has_han:
            return exact_q  # Latin/digit compounds are one unit: keep them together
        if len(base) > MAX_LOOSE_WORDS:
            return exact_q  # a pasted sentence: its exact text, not 100 words anywhere
        # Chinese typed without spaces: every word somewhere, the exact sequence scoring more.
        per_word = [self.any_of(self.word_clauses(t.text, t.kind)) for t in base]
        loose = _all_of(per_word)
        return self.any_of([exact_q, loose])

    def typed_phrase(self, text: str, lang: str) -> wq.Query | None:
        """A quoted phrase in a stemmed language: the stems in a row, each word in the form
        it was typed ("Member States" is not "Member State")."""
        toks = self._tokens(text, lang)
        q = self.phrase(TEXT_FIELDS[lang], [t.text for t in toks])
        if not isinstance(q, wq.Phrase) or stemmer(lang) is None:
            return q
        surfaces = [fold(text[t.start:t.end]).text if t.kind == "word" else None for t in toks]
        if all(x is None for x in surfaces):
            return q
        return SurfacePhrase(q.fieldname, list(q.words), surfaces, lang, slop=q.slop, boost=q.boost)

    def exact_chinese(self, folded: str, word_phrases: list[wq.Query | None],
                      boost: float) -> wq.Query:
        """Chinese as typed: the characters must be there in a row (the bigram phrase);
        a phrase of whole words adds to the score. A phrase of words alone is not
        enough: a sub-word sits at its parent's position, so 普通 基金 would be
        "adjacent" in 普通信托基金."""
        grams = self.bigram_phrase(folded, boost)
        words = self.any_of(word_phrases)
        if grams is None:
            return wq.NullQuery
        return wq.AndMaybe(grams, words) if words is not wq.NullQuery else grams

    def pieces(self, base: list[Any], folded: str) -> wq.Query | None:
        """Chinese mixed with digits or Latin, cut anywhere (``会准则第11节的规定``): each
        Chinese run as a substring, each other token as a word."""
        parts: list[wq.Query] = []
        for run in HAN_RUN.findall(folded):
            if len(run) > 1:
                q = self.bigram_phrase(run, BOOST_BIGRAM)
            else:
                q = self.any_of([self.term(TEXT_FIELDS[lang], run) for lang in self.langs])
            if q is None or q is wq.NullQuery:
                return None
            parts.append(q)
        for t in base:
            if t.kind != "han":
                q = self.any_of([self.phrase(TEXT_FIELDS[lang], self.words(t.text, lang))
                                 for lang in self.langs])
                if q is wq.NullQuery:
                    return None
                parts.append(q)
        return _all_of(parts) if parts else None

    def word_clauses(self, word: str, kind: str) -> list[wq.Query | None]:
        out: list[wq.Query | None] = []
        for lang in self.langs:
            w = self.words(word, lang)
            out.append(self.phrase(TEXT_FIELDS[lang], w))
        if kind == "han" and len(word) > 1:
            out.append(self.bigram_phrase(word, BOOST_BIGRAM))
        return out

    def bigram_phrase(self, folded: str, boost: float) -> wq.Query | None:
        """Every Han run of the text as a contiguous substring (runs may be apart)."""
        runs = HAN_RUN.findall(folded)
        parts: list[wq.Query | None] = []
        for run in runs:
            grams = [t.text for t in bigrams(run)]
            if len(run) == 1:
                continue  # a lone character: the word fields find it
            parts.append(self.phrase(BIGRAM_FIELD, grams, boost))
        if not parts or any(p is None for p in parts):
            return None
        return parts[0] if len(parts) == 1 else wq.And(parts)  # type: ignore[arg-type]

    def proximity(self, texts: list[Text]) -> wq.Query | None:
        """Bonus for plain words typed apart that occur close together, or in order."""
        if not self.with_proximity or not 2 <= len(texts) <= 8 \
                or any(t.phrase or t.field for t in texts):
            return None
        out: list[wq.Query | None] = []
        for lang in self.langs:
            words = [w for t in texts for w in self.words(t.text, lang)]
            if 2 <= len(words) <= 12:
                f = TEXT_FIELDS[lang]
                out.append(self.phrase(f, words, BOOST_ADJACENT, slop=1))
                if all(self.has(f, w) for w in set(words)):
                    # close together in any order ("disarmament nuclear")
                    near = SpanNear2([wq.Term(f, w) for w in words], slop=8, ordered=False)
                    near.boost = BOOST_NEAR
                    out.append(near)
        live = [q for q in out if q is not None]
        return wq.Or(live) if live else None

    # -- filters -------------------------------------------------------------

    def organ(self, value: str) -> str:
        if self._organs is None:
            self._organs = {}
            try:
                for b in self.reader.lexicon("organ"):
                    name = b.decode("utf-8") if isinstance(b, bytes) else str(b)
                    self._organs[name.lower()] = name
            except Exception:
                pass
        v = value.strip()
        v = ORGAN_ALIASES.get(v.lower(), ORGAN_ALIASES.get(v, v))
        return self._organs.get(v.lower(), v)

    def filter_query(self, node: Filter) -> wq.Query:
        v = node.value.strip()
        if node.field == "lang":
            return wq.Term("lang", v.lower())
        if node.field == "organ":
            return wq.Term("organ", self.organ(v))
        if node.field == "country":
            # A code or a name in English or Chinese: country:China = country:中国 = country:CHN.
            codes = country_codes(v) or [v.upper()]
            terms = [wq.Term("country", c) for c in codes]
            return terms[0] if len(terms) == 1 else wq.Or(terms)
        if node.field == "symbol":
            s = v.lower()
            if s.endswith("*") and not any(c in s[:-1] for c in "*?"):
                return wq.Prefix("symbol", s[:-1]) if s[:-1] else wq.Every("symbol")
            if "*" in s or "?" in s:
                if s.lstrip("*?") == "":
                    raise QueryError("symbol: needs more than wildcards, e.g. symbol:S/2020/*")
                return wq.Wildcard("symbol", s)
            return wq.Term("symbol", s)
        if node.field == "year":
            y = int(v)
            return wq.NumericRange("year", y, y)
        if node.field == "date":
            lo, hi = parse_date_bound(v, end=False), parse_date_bound(v, end=True)
            return wq.NumericRange("date", lo, hi)
        raise QueryError(f"unknown field {node.field}")  # pragma: no cover - the lexer knows them

    def range_query(self, node: Range) -> wq.Query:
        if node.field == "year":
            lo = int(node.lo[:4]) if node.lo else None
            hi = int(node.hi[:4]) if node.hi else None
            if lo is not None and hi is not None and lo > hi:
                raise QueryError(f"year:[{lo} TO {hi}] is empty: the first year is after the second")
            return wq.NumericRange("year", lo, hi)
        lo = parse_date_bound(node.lo, end=False) if node.lo else None
        hi = parse_date_bound(node.hi, end=True) if node.hi else None
        if lo is not None and hi is not None and lo > hi:
            raise QueryError(f"date:[{node.lo} TO {node.hi}] is empty: the start is after the end")
        return wq.NumericRange("date", lo, hi)

    # -- the tree ------------------------------------------------------------

    def translate(self, node: Node) -> wq.Query:
        if isinstance(node, Text):
            return self.text_query(node)
        # Filters add the same score to every document they let through (ID fields have
        # no length normalisation; ranges score a constant), so they do not change the
        # ranking. (A boost of 0 would: Whoosh divides by it when skipping blocks.)
        if isinstance(node, Filter):
            return self.filter_query(node)
        if isinstance(node, Range):
            return self.range_query(node)
        if isinstance(node, Or):
            return self.any_of([self.translate(x) for x in node.items])
        if isinstance(node, Not):
            return wq.Not(self.translate(node.node))
        if isinstance(node, And):
            pos = [x for x in node.items if not isinstance(x, Not)]
            neg = [x for x in node.items if isinstance(x, Not)]
            required = _all_of([self.translate(x) for x in pos]) if pos else wq.Every()
            if required is wq.NullQuery:
                return wq.NullQuery
            near = self.proximity(typed_texts(pos))  # an abbreviation's expansion: as typed
            q: wq.Query = wq.AndMaybe(required, near) if near is not None else required
            if neg:
                q = wq.AndNot(q, wq.Or([self.translate(x.node) for x in neg]))
            return q
        raise QueryError("could not understand the query")  # pragma: no cover
