"""Which of the six UN languages a text is written in."""

from __future__ import annotations

import re
from collections import Counter

from ..analysis import HAN_CHARS

# Supplementary-plane ideographs count too (rare characters of names and places).
_HAN = re.compile(f"[{HAN_CHARS}]")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN_WORD = re.compile(r"[a-z\u00e0-\u024f]+")

_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the and of to in is that for it with as on be by this are we our have which "
                    "has was not will an its their all been would should".split()),
    "fr": frozenset("le la les des et est une du pour dans qui pas sur nous au aux sont ce cette "
                    "avec l d qu un ses leur été être ont nos".split()),
    "es": frozenset("el los las del y que por con una para es se al como sus su nuestro más "
                    "este esta lo han ha nuestra también".split()),
}


def _sample(text: str, size: int = 4_000) -> str:
    """Detection looks at a bounded sample, so a 50 MB file costs the same as a small one."""
    if len(text) <= 3 * size:
        return text
    mid = len(text) // 2
    return text[:size] + " " + text[mid : mid + size] + " " + text[-size:]


def _language_scores(text: str) -> dict[str, float]:
    s = _sample(text)
    # A Han character carries about a word, a Latin letter about a fifth of one.
    scores = {
        "zh": 3.0 * len(_HAN.findall(s)),
        "ar": float(len(_ARABIC.findall(s))),
        "ru": float(len(_CYRILLIC.findall(s))),
    }
    words = Counter(_LATIN_WORD.findall(s.lower()))
    latin = sum(len(w) * n for w, n in words.items())
    if latin > max(scores.values()):
        counts = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
        total = sum(counts.values()) or 1
        for lang, n in counts.items():
            scores[lang] = latin * n / total
        if not any(counts.values()):
            scores["en"] = float(latin)
    return scores


def detect_language(text: str) -> str:
    """The UN language ``text`` is written in: one of ``zh en fr es ru ar`` ("en" if unsure).

    Script decides zh/ar/ru; Latin-script text is told apart by counting stop words.

    >>> detect_language("安全理事会第1540（2004）号决议")
    'zh'
    >>> detect_language("Le Conseil de sécurité a adopté la résolution et les États membres")
    'fr'
    """
    scores = _language_scores(text)
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else "en"


def detect_clear(text: str, default: str) -> str:
    """Like detect_language, but keeps ``default`` unless another language clearly wins."""
    scores = _language_scores(text)
    best = max(scores, key=lambda k: scores[k])
    if best != default and scores[best] > 2 * scores.get(default, 0.0):
        return best
    return default

