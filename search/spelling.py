""""Did you mean": a corrected query for words that are rare or absent in the index.

Why not Whoosh's ``searcher.corrector(field)`` as it is: it corrects against a field's
terms, and our body fields hold stems (``secur``, ``council``), which nobody types.
The index already keeps the surface words with their counts, as the documents write
them, for completions (``completions.sqlite``, see :mod:`index.completions`). So this
is Whoosh's own machinery over that vocabulary: a :class:`whoosh.spelling.Corrector`
whose candidates come from a Levenshtein automaton (``whoosh.automata``) walked along
the sorted keys of the completions table, one primary-key seek per step.

Chinese has no spelling to correct; its help is the abbreviation list
(:mod:`search.synonyms`): a quoted abbreviation that finds little is offered
unquoted, which also searches its full form.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from whoosh.automata.fsa import find_all_matches
from whoosh.automata.lev import levenshtein_automaton
from whoosh.spelling import Corrector, ListCorrector

from index.analysis import HAN_RUN, analyze, fold
from index.model import LANGUAGES
from index.schema import TEXT_FIELDS

from .query import FIELDS
from .synonyms import leads_somewhere

FEW = 5  # a query finding fewer results than this may be offered a correction
RARE = 3  # a word in fewer paragraphs than this (in every language) is a suspect
GAIN = 5  # a correction must be written this many times more often than the typed word
MIN_COUNT = 3  # and at least this often
MIN_LETTERS = 4  # shorter words have too many neighbours to guess from
ALPHABETIC = tuple(lang for lang in LANGUAGES if lang != "zh")

_WORD = re.compile(r"[^\W\d_]+")
_FIELD = re.compile(rf"(?:{'|'.join(FIELDS)}):\S*", re.IGNORECASE)
_OPERATORS = frozenset({"AND", "OR", "NOT"})


class VocabularyCorrector(Corrector):
    """Corrections of a folded word from the words of ``completions.sqlite`` (in
    ``langs``, or any language), nearest first, then most frequent; ``suggest(text,
    limit, maxdist, prefix)`` as Whoosh's."""

    def __init__(self, db: sqlite3.Connection, langs: Sequence[str] | None = None) -> None:
        self.db = db
        self.langs = tuple(langs) if langs else ALPHABETIC

    def count(self, key: str) -> int:
        marks = ",".join("?" * len(self.langs))
        row = self.db.execute(f"SELECT sum(count) FROM completions WHERE key = ? AND kind = 'word' "
                              f"AND lang IN ({marks})", (key, *self.langs)).fetchone()
        return int(row[0] or 0)

    def _next_key(self, text: str) -> str | None:
        row = self.db.execute("SELECT key FROM completions WHERE key >= ? ORDER BY key LIMIT 1",
                              (text,)).fetchone()
        return row[0] if row else None

    def _suggestions(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        seen = {text}
        for dist in range(1, maxdist + 1):
            dfa = _automaton(text, dist, prefix)
            for key in find_all_matches(dfa, self._next_key):
                if key in seen or " " in key:
                    continue
                seen.add(key)
                n = self.count(key)
                if n:
                    # Nearer first; among the equally near, the most frequent.
                    yield -dist + n / (n + 1.0) / 2, key


@functools.lru_cache(maxsize=256)
def _automaton(text: str, dist: int, prefix: int) -> object:
    return levenshtein_automaton(text, dist, prefix).to_dfa()


def index_frequencies(reader: Any, word: str) -> dict[str, int]:
    """In how many paragraphs of each alphabetic language the index has ``word`` (as that
    language's field analyses it: stems, so "Measure" is known through "measures")."""
    out = {}
    for lang in ALPHABETIC:
        toks = analyze(word, lang, "query")
        if len(toks) == 1:
            n = reader.doc_frequency(TEXT_FIELDS[lang], toks[0].text)
            if n:
                out[lang] = int(n)
    return out


def correct_query(query: str, db: sqlite3.Connection, frequencies: Callable[[str], dict[str, int]],
                  finds: Callable[[str], int] | None = None) -> str | None:
    """The query with its rare words replaced by frequent words one or two letters away,
    written in the case they were typed; None when there is nothing better to offer.

    The languages in which the query's other words are known narrow the candidates
    ("reddce their" is English: "reduce", not the French "rendre"). ``finds`` (a query →
    how many results) is asked last: a correction must find something."""
    spans = _word_spans(query)
    freqs = [frequencies(query[s:e]) for s, e in spans]
    langs: set[str] | None = None
    for f in freqs:
        top = max(f.values(), default=0)
        # The languages that write this word most ("to" is English, though French text
        # quotes it now and then).
        known = {lang for lang, n in f.items() if n >= RARE and n * 10 >= top}
        if known:
            langs = known if langs is None else (langs & known) or langs
    corrector = VocabularyCorrector(db, sorted(langs) if langs else None)
    out: list[str] = []
    at = 0
    changed = False
    for (start, end), f in zip(spans, freqs, strict=True):
        typed = query[start:end]
        best = None if max(f.values(), default=0) >= RARE else _correct_word(typed, corrector)
        out.append(query[at:start])
        out.append(best if best is not None else typed)
        changed = changed or best is not None
        at = end
    out.append(query[at:])
    suggestion = "".join(out)
    if not changed:
        suggestion = _unquoted_abbreviation(query) or ""
    if not suggestion or suggestion == query:
        return None
    if finds is not None and finds(suggestion) == 0:
        return None
    return suggestion


def _word_spans(query: str) -> list[tuple[int, int]]:
    """Where the query's words are: not field names and values, operators or Chinese."""
    hidden = [m.span() for m in _FIELD.finditer(query)]
    out = []
    for m in _WORD.finditer(query):
        s, e = m.span()
        if any(a <= s < b for a, b in hidden) or m.group() in _OPERATORS or HAN_RUN.search(m.group()):
            continue
        if s > 0 and query[s - 1] == "-":
            continue  # an excluded word: correcting it changes nothing that is found
        out.append((s, e))
    return out


def _correct_word(typed: str, corrector: VocabularyCorrector) -> str | None:
    key = fold(typed).text
    if len(key) < MIN_LETTERS:
        return None
    maxdist = 1 if len(key) <= 4 else 2
    floor = max(GAIN * corrector.count(key), MIN_COUNT)
    found = [(-score, word) for score, word in corrector._suggestions(key, maxdist, 1)
             if corrector.count(word) >= floor]
    # Stop words are not among the completions: Whoosh's list corrector over the
    # languages' stop lists finds them ("durinlg" → "during"), as near as they are.
    stops = ListCorrector(sorted(set().union(*(_stops(lang) for lang in corrector.langs))))
    found += [(-score, word) for score, word in stops._suggestions(key, maxdist, 1)]
    if not found:
        return None
    return _as_typed(typed, min(found)[1])


@functools.cache
def _stops(lang: str) -> frozenset[str]:
    from whoosh.lang import stopwords_for_language

    try:
        return frozenset(stopwords_for_language(lang))
    except Exception:  # no list for this language
        return frozenset()


def _as_typed(typed: str, word: str) -> str:
    if typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _unquoted_abbreviation(query: str) -> str | None:
    """A quoted abbreviation searches itself only: offered without quotes, it also
    searches its full form ("联大" → 联大, which finds 联合国大会 too)."""
    m = re.fullmatch(r'\s*"([^"]+)"\s*', query)
    if m and leads_somewhere(m.group(1)):
        return m.group(1)
    return None
