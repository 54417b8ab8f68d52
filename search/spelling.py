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
MIN_COUNT = 1  # and at least this often (a word the documents write once is a word)
CANDIDATES = 3  # corrections of a word tried in the query, by what they find
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
    # The language that writes the query's words most: each word votes for those that
    # write it often ("to" is English, though French text quotes it now and then).
    votes: dict[str, tuple[int, int]] = {}
    for f in freqs:
        top = max(f.values(), default=0)
        for lang, n in f.items():
            if n >= RARE and n * 10 >= top:
                v, total = votes.get(lang, (0, 0))
                votes[lang] = (v + 1, total + n)
    # Most words, then most often written ("nuclaer weapons": "weapons" is English more
    # than "nuclaer" stems like a Spanish word).
    best = max(votes.values(), default=None)
    langs = {lang for lang, v in votes.items() if v == best} if best else None
    corrector = VocabularyCorrector(db, sorted(langs) if langs else None)
    # A word is rare in the query's languages: "nuclaer" stems like a Spanish word, but
    # "nuclaer weapons and" is English.
    rare = [max((n for lang, n in f.items() if langs is None or lang in langs), default=0) < RARE
            for f in freqs]
    words = [query[s:e] for s, e in spans]
    # A rare word the index has may be right ("fear" is in two paragraphs): it stays one
    # of the options, and wins if its query finds as much.
    options = [([w] if f else []) + _candidates(w, corrector) if r else []
               for w, f, r in zip(words, freqs, rare, strict=True)]
    options = [o if len(o) > 1 or (o and o[0] != w) else [] for w, o in zip(words, options, strict=True)]

    def spelled(choice: list[str]) -> str:
        out, at = [], 0
        for (start, end), w in zip(spans, choice, strict=True):
            out += [query[at:start], w]
            at = end
        return "".join(out) + query[at:]

    choice = [opts[0] if opts else w for w, opts in zip(words, options, strict=True)]
    if finds is not None:
        # Each corrected query is searched once: the one chosen is asked again below.
        finds = functools.lru_cache(maxsize=None)(finds)
        # Among equally near corrections, the one that makes the query find the most
        # ("study vists to hospital": visits, not the more frequent visas), word by word.
        for i, opts in enumerate(options):
            if len(opts) > 1:
                counts = [finds(spelled(choice[:i] + [o] + choice[i + 1:])) for o in opts]
                choice[i] = opts[max(range(len(opts)), key=lambda k: (counts[k], -k))]
    suggestion = spelled(choice) if any(options) else (_unquoted_abbreviation(query) or "")
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


def _candidates(typed: str, corrector: VocabularyCorrector, most: int = CANDIDATES) -> list[str]:
    """The best corrections of ``typed`` (nearest, then most frequent), as typed."""
    key = fold(typed).text
    if len(key) < MIN_LETTERS:
        return []
    maxdist = 1 if len(key) <= 4 else 2
    floor = max(GAIN * corrector.count(key), MIN_COUNT)
    found = [(-score, word) for score, word in corrector._suggestions(key, maxdist, 1)
             if corrector.count(word) >= floor]
    # Stop words are not among the completions: Whoosh's list corrector over the
    # languages' stop lists finds them ("durinlg" → "during"), as near as they are.
    stops = ListCorrector(sorted(set().union(*(_stops(lang) for lang in corrector.langs))))
    found += [(-score, word) for score, word in stops._suggestions(key, maxdist, 1)]
    # Nearest first with two letters swapped as one edit (Whoosh's automaton counts two:
    # "sepcial" is one edit from "special", two from "social"), then as Whoosh ranks them.
    found.sort(key=lambda sw: (_distance(key, sw[1]), sw[0]))
    out: list[str] = []
    for _score, word in found:
        if word not in out and _distance(key, word) == _distance(key, found[0][1]):
            out.append(word)
    return [_as_typed(typed, w) for w in out[:most]]


def _distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``: a letter dropped, added or changed, or two neighbours
    swapped (the optimal string alignment distance)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


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
