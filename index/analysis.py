"""Text analysis for UN text in the six official languages, Chinese first.

Why not jieba's own ``ChineseAnalyzer``: it stores character offsets as token
positions (so phrases never match), drops digits and single letters (document
symbols fall apart), stems and stop-words English inside Chinese text and
segments traditional characters badly.  Here instead:

1. **Folding** (:func:`fold`): NFKC (full-width → half-width), lower case,
   traditional → simplified (OpenCC, character by character so that every
   folded character maps back to exactly one span of the original) and Arabic
   normalisation.  The folded text carries an offset map, so every token knows
   where it is in the *original* text and highlights land on the exact words.
2. **Tokenizing** (:func:`analyze`): document symbols (``S/2020/405``) and
   numbers (``1,000``) stay whole; runs of Han characters are segmented by
   jieba in exact mode (HMM off: the same string always segments the same way,
   in a query as in a document); every other run of letters is one word.
   Positions are ordinal, so phrases and proximity work in every language.
3. **Sub-words** (index mode only): the in-dictionary sub-words of a long
   Chinese word are indexed at their parent's position, so ``毁灭性武器``
   finds ``大规模毁灭性武器`` and phrases that run through it still hold.
4. **Stemming**, chosen by the field's language: Porter for English,
   Snowball for French, Spanish and Russian.  Arabic gets normalisation only
   (in the folding), never a root stemmer that would merge unrelated words.

A second analyzer (:class:`BigramTokenizer`) indexes overlapping Han
character bigrams; a phrase of bigrams finds *any* Chinese substring, e.g.
``人民共和国`` inside ``中华人民共和国``, whatever jieba made of it.

Both are Whoosh ``Composable`` objects at a stable import path, because
Whoosh pickles the analyzer into the index's schema.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from whoosh.analysis import Token, Tokenizer

from .settings import setting

#: Bump when analysis changes in a way that makes old indexes wrong.
ANALYSIS_VERSION = 4  # 4: the Chinese abbreviations of data/abbreviations.tsv in jieba

USER_DICT = Path(__file__).parent / "data" / "un_terms.txt"
ABBREVIATIONS = Path(__file__).parent / "data" / "abbreviations.tsv"

#: A Chinese character, supplementary planes included (also what language detection counts).
HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN_CHARS}]+")
_TOKEN = re.compile(
    # A document symbol: letters, then one or more /-separated parts, with a digit somewhere.
    rf"(?P<sym>[a-z]{{1,8}}(?:/[a-z0-9][a-z0-9.\-]*[a-z0-9]|/[a-z0-9])+)"
    # A formatted number: 1,000 or 3.5 or 2.1.3 (a plain digit run is a word).
    r"|(?P<num>\d+(?:[.,]\d+)+)"
    rf"|(?P<han>[{HAN_CHARS}]+)"
    # Any other run of letters/digits (\w minus "_" minus Han).
    rf"|(?P<word>[^\W_{HAN_CHARS}]+)"
)
_SYM_PARTS = re.compile(r"[a-z]+|\d+")

# ---------------------------------------------------------------------------
# Folding


def _arabic_folds() -> dict[str, str]:
    folds = {c: "ا" for c in "أإآٱ"}
    folds.update({"ى": "ي", "ة": "ه", "\u0640": ""})  # tatweel is only decoration
    for cp in list(range(0x064B, 0x0653)) + [0x0670]:  # harakat, superscript alef
        folds[chr(cp)] = ""
    return folds


def _cache_dir() -> Path:
    base = setting("CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "unsearch"


def _write_cache(cache: Path, value: object) -> None:
    """Pickle ``value`` to ``cache`` atomically (a temporary file renamed into place); a
    cache that cannot be written (read-only, full) is simply not written."""
    with contextlib.suppress(OSError):
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as out:
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)


@functools.cache
def _fold_tables() -> tuple[dict[int, str], re.Pattern[str], dict[str, str]]:
    """(1:1 translate table, pattern of chars that fold to 0 or 2+ chars, full map).

    Computing the map takes a few hundred ms (NFKC of the whole BMP, OpenCC over
    every Han character), so it is cached on disk per library versions: a new
    process answers its first query sooner.
    """
    import opencc

    tag = f"{ANALYSIS_VERSION}-{unicodedata.unidata_version}-{getattr(opencc, '__version__', '0')}"
    cache = _cache_dir() / f"fold-{tag}.pickle"
    try:
        with open(cache, "rb") as f:
            fold: dict[str, str] = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        fold = _compute_fold_map()
        _write_cache(cache, fold)
    table = {ord(c): f for c, f in fold.items() if len(f) == 1}
    odd = [c for c, f in fold.items() if len(f) != 1]
    odd_re = re.compile("[" + "".join(re.escape(c) for c in odd) + "]")
    return table, odd_re, fold


def _compute_fold_map() -> dict[str, str]:
    import opencc

    fold: dict[str, str] = {}
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        f = unicodedata.normalize("NFKC", c).lower()
        if f != c:
            fold[c] = f
    # Traditional → simplified, one character at a time so offsets stay exact.
    han = [chr(cp) for cp in range(0x4E00, 0xA000)] + [chr(cp) for cp in range(0x3400, 0x4DC0)]
    converted = opencc.OpenCC("t2s").convert("\n".join(han)).split("\n")
    if len(converted) == len(han):
        for src, dst in zip(han, converted, strict=True):
            if len(dst) == 1 and dst != src:
                fold[src] = dst
    # Compatibility ideographs fold (NFKC) to a traditional form: chain through t2s.
    for c, f in list(fold.items()):
        if len(f) == 1 and f in fold and len(fold[f]) == 1:
            fold[c] = fold[f]
    fold.update(_arabic_folds())
    # Combining diacritics (a Russian stress mark, a decomposed accent) would split a
    # word in two: drop them. Precomposed letters (é) keep their accent.
    for cp in range(0x0300, 0x0370):
        fold[chr(cp)] = ""
    return fold


class Folded(NamedTuple):
    """Folded text and, when lengths differ, where each folded char came from."""

    text: str
    starts: list[int] | None  # None: folded[i] came from original[i]
    ends: list[int] | None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original character span of folded[start:end]."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def fold(text: str) -> Folded:
    """Fold width, case, script and Arabic variants, keeping an offset map.

    >>> fold("安全理事會 Ｓ/２０２０").text
    '安全理事会 s/2020'
    """
    if text.isascii():
        return Folded(text.lower(), None, None)
    table, odd_re, full = _fold_tables()
    if not odd_re.search(text):
        return Folded(text.translate(table), None, None)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, c in enumerate(text):
        f = full.get(c, c)
        if not f and ends:
            # A mark that folds away (an accent, a harakat) belongs to the character
            # before it: a token or a highlight that ends there takes it along.
            if ends[-1] == i:
                ends[-1] = i + 1
            continue
        out.append(f)
        starts.extend([i] * len(f))
        ends.extend([i + 1] * len(f))
    return Folded("".join(out), starts, ends)


# ---------------------------------------------------------------------------
# Chinese segmentation

_jieba_lock = threading.Lock()


@functools.cache
def _jieba() -> object:
    """jieba's tokenizer with our dictionary of UN terms, loaded once per process."""
    import logging
    import sys

    # jieba imports pkg_resources only to find its dictionary file, and falls back to
    # open() without it; pkg_resources alone costs a quarter of a second to import.
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        tk = jieba.Tokenizer()
        cache = _cache_dir() / f"jieba-{_dictionary_tag(jieba, tk)}.pickle"
        if not _load_dictionary(tk, cache):
            tk.initialize()
            if USER_DICT.exists():
                with open(USER_DICT, "rb") as f:  # jieba leaves a path's file open
                    tk.load_userdict(f)
            for word in _broken_abbreviations(tk):
                tk.add_word(word)
            _save_dictionary(tk, cache)
    return tk


def _dictionary_tag(jieba: Any, tk: Any) -> str:
    """What the finished dictionary depends on: jieba's version and dictionary file, our
    two data files, and this module's analysis version."""
    import hashlib

    h = hashlib.blake2b(digest_size=8)
    h.update(f"{ANALYSIS_VERSION} {getattr(jieba, '__version__', '')}".encode())
    with contextlib.suppress(OSError):
        st = os.stat(tk.dictionary or Path(jieba.__file__).parent / "dict.txt")
        h.update(f"{st.st_size} {st.st_mtime_ns}".encode())
    for path in (USER_DICT, ABBREVIATIONS):
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()


def _load_dictionary(tk: Any, cache: Path) -> bool:
    """Fill ``tk`` with the finished dictionary saved by :func:`_save_dictionary`.

    jieba's own cache is a marshal of its word → count map, which takes 0.6 s to load; the
    words as one string and the counts as one array make the same dict in a quarter of the
    time, and the user words and abbreviations are in it already. False if there is none."""
    import numpy as np

    try:
        with open(cache, "rb") as f:
            saved = pickle.load(f)
        words = saved["words"].split("\n")
        counts = np.frombuffer(saved["counts"], dtype=np.int64).tolist()
        total = int(saved["total"])
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, KeyError, TypeError,
            AttributeError):
        return False
    if len(words) != len(counts):
        return False
    tk.FREQ, tk.total, tk.initialized = dict(zip(words, counts, strict=True)), total, True
    return True


def _save_dictionary(tk: Any, cache: Path) -> None:
    import numpy as np

    freq = tk.FREQ
    if any("\n" in w for w in freq):
        return  # not representable as lines (no such word in jieba's dictionary or ours)
    saved = {"words": "\n".join(freq), "total": tk.total,
             "counts": np.fromiter(freq.values(), dtype=np.int64, count=len(freq)).tobytes()}
    _write_cache(cache, saved)


def _broken_abbreviations(tk: object) -> list[str]:
    """The Chinese forms of the abbreviation list that jieba would cut into single
    characters (裁军厅 → 裁军/厅, 人道协调厅 → 人/道/协调/厅): as words, they are found as
    words and marked whole. Forms jieba already cuts into words (化学武器/公约) are left as
    they are, so that the index keeps those words."""
    out: list[str] = []
    if not ABBREVIATIONS.exists():
        return out
    for line in ABBREVIATIONS.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 4 or parts[2] != "zh":
            continue
        for form in parts[3].split("|"):
            form = form.strip().strip("<>")
            if len(form) >= 3 and HAN_RUN.fullmatch(form) and \
                    any(len(w) == 1 for w in tk.lcut(form, HMM=False)):  # type: ignore[attr-defined]
                out.append(form)
    return out


def _cut(run: str) -> list[str]:
    return _jieba().lcut(run, HMM=False)  # type: ignore[attr-defined]


def _subwords(word: str) -> Iterator[tuple[str, int]]:
    """In-dictionary words strictly inside ``word``, with their offset in it."""
    freq = _jieba().FREQ  # type: ignore[attr-defined]
    n = len(word)
    for size in range(n - 1, 1, -1):
        for i in range(n - size + 1):
            sub = word[i : i + size]
            if freq.get(sub):
                yield sub, i


# ---------------------------------------------------------------------------
# Stemming


@functools.cache
def stemmer(lang: str) -> Callable[[str], str] | None:
    """The stemmer for a field language, or None (Chinese, Arabic, no language)."""
    from whoosh.lang import stemmer_for_language

    if lang == "en":
        return functools.lru_cache(maxsize=50_000)(stemmer_for_language("en_porter"))
    if lang in ("fr", "es", "ru"):
        return functools.lru_cache(maxsize=50_000)(stemmer_for_language(lang))
    return None


# ---------------------------------------------------------------------------
# The analysis itself


def is_acronym(original: str) -> bool:
    """Two to five capital Latin letters: US, UN, WHO, NATO."""
    return 2 <= len(original) <= 5 and original.isascii() and original.isalpha() \
        and original.isupper()


class Tok(NamedTuple):
    text: str
    pos: int
    start: int  # offsets into the ORIGINAL text
    end: int
    kind: str  # "sym" | "num" | "word" | "acro" | "han" | "sub" | "part"


def analyze(text: str, lang: str | None = None, mode: str = "index") -> list[Tok]:
    """Tokens of ``text`` as indexed in the field of language ``lang``.

    ``mode="query"`` leaves out what is only there to be found (sub-words,
    the parts of a symbol), so a query is a plain sequence of positions.

    >>> [t.text for t in analyze("安全理事会第１５４０（２００４）号决议", "zh", "query")]
    ['安全理事会', '第', '1540', '2004', '号', '决议']
    >>> [t.text for t in analyze("Resolutions of the Security Council", "en")]
    ['resolut', 'of', 'the', 'secur', 'council']
    """
    folded = fold(text)
    ftext = folded.text
    stem = stemmer(lang) if lang else None
    index_mode = mode != "query"
    out: list[Tok] = []
    pos = 0
    for m in _TOKEN.finditer(ftext):
        kind = m.lastgroup or "word"
        s, e = m.span()
        if kind == "han":
            offset = s
            for word in _cut(m.group()):
                ws, we = offset, offset + len(word)
                offset = we
                os_, oe = folded.span(ws, we)
                out.append(Tok(word, pos, os_, oe, "han"))
                if index_mode and len(word) > 2:
                    for sub, i in _subwords(word):
                        ss, se = folded.span(ws + i, ws + i + len(sub))
                        out.append(Tok(sub, pos, ss, se, "sub"))
                pos += 1
            continue
        word = m.group()
        os_, oe = folded.span(s, e)
        if kind == "word" and 2 <= oe - os_ <= 5 and text[os_].isupper() and is_acronym(text[os_:oe]):
            # "US", "WHO", "UN": kept as written, so that they are not "us", "who", "un"
            # (nor "use", which English stems to "us"); the plain form too, at the same
            # position, so that a query typed in lower case still finds them.
            out.append(Tok(text[os_:oe], pos, os_, oe, "acro"))
            if index_mode:
                plain = stem(word) if stem is not None else word
                out.append(Tok(plain, pos, os_, oe, "part"))
            pos += 1
            continue
        if kind == "word" and stem is not None and not word.isdigit():
            word = stem(word)
        out.append(Tok(word, pos, os_, oe, kind))
        if kind == "sym" and index_mode:
            for p in _SYM_PARTS.finditer(m.group()):
                ps, pe = folded.span(s + p.start(), s + p.end())
                out.append(Tok(p.group(), pos, ps, pe, "part"))
        pos += 1
    return out


_analyze_short = functools.lru_cache(maxsize=4096)(analyze)


def bigrams(text: str) -> list[Tok]:
    """Overlapping Han bigrams (a lone Han character stands for itself).

    >>> [t.text for t in bigrams("中华人民共和国")]
    ['中华', '华人', '人民', '民共', '共和', '和国']
    """
    folded = fold(text)
    out: list[Tok] = []
    pos = 0
    for m in HAN_RUN.finditer(folded.text):
        run, base = m.group(), m.start()
        if len(run) == 1:
            s, e = folded.span(base, base + 1)
            out.append(Tok(run, pos, s, e, "bigram"))
            pos += 1
        for i in range(len(run) - 1):
            s, e = folded.span(base + i, base + i + 2)
            out.append(Tok(run[i : i + 2], pos, s, e, "bigram"))
            pos += 1
        pos += 1  # a gap: a phrase never runs from one Han run into the next
    return out


# ---------------------------------------------------------------------------
# Whoosh glue

# While a build records surface forms (index/surface.py), the tokenizer of every stemmed
# field reports each value's tokens here.
_form_hook: Callable[[str, str, list[Tok]], None] | None = None


def set_form_hook(hook: Callable[[str, str, list[Tok]], None] | None) -> None:
    global _form_hook
    _form_hook = hook



def _emit(toks: list[Tok], positions: bool, chars: bool, start_pos: int, start_char: int,
          mode: str, removestops: bool) -> Iterator[Token]:
    t = Token(positions, chars, removestops=removestops, mode=mode)
    for tok in toks:
        t.text = tok.text
        t.boost = 1.0
        t.stopped = False
        if positions:
            t.pos = start_pos + tok.pos
        if chars:
            t.startchar = start_char + tok.start
            t.endchar = start_char + tok.end
        yield t


class UNTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`analyze` for one field language."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = lang

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UNTokenizer) and other.lang == self.lang

    def __hash__(self) -> int:
        return hash(("UNTokenizer", self.lang))

    def __call__(self, value: str, positions: bool = False, chars: bool = False,  # type: ignore[override]
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: object
                 ) -> Iterator[Token]:
        if not tokenize:
            toks = [Tok(fold(value).text, 0, 0, len(value), "word")]
        elif len(value) < 200:  # titles repeat on every paragraph of a document
            toks = _analyze_short(value, self.lang, "query" if mode == "query" else "index")
        else:
            toks = analyze(value, self.lang, "query" if mode == "query" else "index")
        if _form_hook is not None and tokenize and mode != "query" and self.lang \
                and stemmer(self.lang) is not None:
            _form_hook(self.lang, value, toks)
        return _emit(toks, positions, chars, start_pos, start_char, mode, removestops)


class BigramTokenizer(Tokenizer):
    """Whoosh tokenizer over :func:`bigrams`."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,  # type: ignore[override]
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: object
                 ) -> Iterator[Token]:
        return _emit(bigrams(value), positions, chars, start_pos, start_char, mode, removestops)


def un_analyzer(lang: str | None = None) -> UNTokenizer:
    """The analyzer of the text field of language ``lang`` (None: no stemming)."""
    return UNTokenizer(lang)


def bigram_analyzer() -> BigramTokenizer:
    return BigramTokenizer()


def warm_up() -> None:
    """Load jieba, the dictionaries and the folding tables now rather than on first use."""
    _fold_tables()
    _jieba()


class CompactFreq:
    """jieba's word → count map as two sorted numpy arrays keyed by the words' hashes.

    A server segments only what people type (about 20 µs of jieba a query), and jieba's
    dict of 498,000 words and prefixes holds 56 MB of Python objects, the largest part of
    what a serving process loads. Here it holds 8 MB; a lookup costs about 2 µs instead of
    0.1. Python's string hash (with the length) is fixed within a process and inherited by forked workers;
    two words of the dictionary with one hash (odds of about 10⁻⁸) keep the dict.
    Read-only: what :meth:`get` and ``in`` answer is what the dict answered.
    """

    def __init__(self, hashes: Any, counts: Any) -> None:
        self._hashes, self._counts = hashes, counts
        self._n = len(hashes)

    @classmethod
    def of(cls, freq: dict[str, int]) -> CompactFreq | None:
        import numpy as np

        hashes = np.fromiter(map(_word_key, freq), dtype=np.int64, count=len(freq))
        counts = np.fromiter(freq.values(), dtype=np.int64, count=len(freq))
        order = np.argsort(hashes, kind="stable")
        hashes, counts = hashes[order], counts[order]
        if len(hashes) > 1 and not (hashes[1:] != hashes[:-1]).all():
            return None
        return cls(hashes, counts)

    def _find(self, word: str) -> int:
        h = _word_key(word)
        i = int(self._hashes.searchsorted(h))
        return i if i < self._n and self._hashes[i] == h else -1

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) >= 0

    def __getitem__(self, word: str) -> int:
        i = self._find(word)
        if i < 0:
            raise KeyError(word)
        return int(self._counts[i])

    def get(self, word: str, default: Any = None) -> Any:
        i = self._find(word)
        return int(self._counts[i]) if i >= 0 else default

    def __len__(self) -> int:
        return self._n

    def __setitem__(self, word: str, count: int) -> None:
        raise TypeError("jieba's dictionary was made compact for serving and is read-only")


def _word_key(word: str) -> int:
    """The word's hash, with its length: CPython hashes a string's bytes, so "BP" (two
    one-byte characters) and "偂" (U+5042, one two-byte character) have one hash."""
    return hash(word) ^ ((len(word) & 0x7F) << 56)


def compact_dictionary() -> bool:
    """For a server, before it forks: jieba's dictionary as a :class:`CompactFreq` (56 →
    8 MB, segmentation unchanged). False if it stays a dict."""
    tk: Any = _jieba()
    with _jieba_lock:
        if isinstance(tk.FREQ, CompactFreq):
            return True
        compact = CompactFreq.of(tk.FREQ)
        if compact is None:
            return False
        tk.FREQ = compact
    return True
