"""Word order: the paragraph with the query's words as typed (adjacent, in order, in the
forms typed) comes before paragraphs with the same words apart, reordered or inflected.

The index already gives words typed apart a proximity bonus (:meth:`Translator.proximity`:
the stems in a row, or close in any order), but that bonus is a share of the paragraph's
BM25, and BM25 favours short paragraphs: "Measures to eliminate international terrorism"
(a heading) outscored a long paragraph with "to measure" in it, and "bring the" a paragraph
with "bringing the". So the candidates of a results page are also checked for the query as
typed, on their text, and those that have it score :data:`BONUS` times more.

The check reads the text of candidates only (see ``SearchEngine._top``), so its pattern is
made once per search here:

* Words typed apart (``bringing the``) must stand in that order with only punctuation or
  spaces between them, as whole words.
* Tokens typed together (``6月4日``, ``17日星期二``, ``1540(2004)`` written ``第1540(2004)号``)
  may have spaces between them but nothing else: UN Chinese text writes "2020 年 4 月 29
  日", and "2月17日，星期二" is not "17日星期二".
* A single Chinese word is left out (nothing to order); Chinese typed without spaces is
  matched as the contiguous run of characters, which :meth:`Translator.exact_chinese` only
  adds to the BM25 score.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from index.analysis import Tok, analyze, fold

from .query import Text

#: What the query as typed multiplies a paragraph's score by. Measured on the known-item
#: queries (bench/eval_known_item.py, 100 per class, seed 1): 1.3 left en-words at 0.95 and
#: zh-fullwidth at 0.96 first-hit; see the README's relevance table for this value.
BONUS = 2.0
MAX_TOKENS = 12  # a longer query (a pasted sentence) is not checked: its exact phrase rarely helps

# A letter or digit of a script with spaces: a typed word must not be part of a longer one
# ("of the" is not in "of their"); Chinese characters around it are fine ("美国US代表团").
_ALNUM = r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_HEAD, _TAIL = rf"(?<!{_ALNUM})", rf"(?!{_ALNUM})"


def typed_sequence(texts: list[Text], tokens: Callable[[str], list[Tok]] | None = None
                   ) -> re.Pattern[str] | None:
    """A pattern over folded paragraph text for the query's words as typed, in order (None:
    nothing to check). ``texts`` are the query's positive texts (search.query); ``tokens``
    analyses a text as a query (a search's plan passes its own)."""
    analyse = tokens or (lambda text: analyze(text, None, "query"))
    body = ""
    kinds: list[str] = []
    for x in texts:
        if x.field:
            continue
        toks = analyse(x.text)
        if any(t.kind == "sym" for t in toks):
            return None  # a document symbol: its own boost puts its document first
        for i, t in enumerate(toks):
            if kinds:
                gap = x.text[toks[i - 1].end:t.start] if i else " "
                if not gap:
                    body += r"\s*"  # typed together
                elif "han" in (kinds[-1], t.kind):
                    body += r"[\W_]*"  # Chinese has no spaces to type
                else:  # "bringing the" is not "bringing, the"; "1540(2004)" is "1540 (2004)"
                    body += r"\s+" if gap.isspace() else r"[\W_]+"
            body += re.escape(fold(x.text[t.start:t.end]).text)
            kinds.append(t.kind)
    if not kinds or len(kinds) > MAX_TOKENS or kinds == ["han"]:
        return None
    head = "" if kinds[0] == "han" else _HEAD
    tail = "" if kinds[-1] == "han" else _TAIL
    return re.compile(head + body + tail)
