"""Abbreviations and their full forms, applied to a query before it is translated.

The list is ``index/data/abbreviations.tsv`` (its header says how it is written): groups
of forms that mean the same thing in one language (安理会 = 安全理事会, UNDP = United Nations
Development Programme). :func:`expand` rewrites the query's syntax tree so that a form
typed outside quotes also searches the other forms of its group, in both directions:

>>> expand(parse("安理会决议")).also_searched                          # doctest: +SKIP
['安全理事会']

Forms are compared as the index compares them: folded (case, width, script) and
segmented by jieba (which has the Chinese forms in its dictionary), so 联大 matches the
word 联大 but not the 联大 inside 苏联大使. Latin abbreviations of two to five capitals
match only typed in capitals (the index keeps them apart from lower case: WHO is not
"who").

The rewritten tree uses only the nodes of :mod:`search.query` (an :class:`Alternatives`
is an ``Or``), so everything downstream (translation, the numpy evaluator, highlighting)
treats an expansion as if the user had typed ``(安理会决议 OR 安全理事会决议)``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from index.analysis import HAN_RUN, analyze, fold

from .query import And, Node, Or, Text

ABBREVIATIONS = Path(__file__).resolve().parents[1] / "index" / "data" / "abbreviations.tsv"
KINDS = ("organ", "agency", "treaty", "group", "country", "topic")
MAX_ALTERNATIVES = 8  # per typed chunk: 安理会和联大 has 2 × 3 combinations


@dataclass(frozen=True)
class Form:
    text: str
    group: str
    kind: str
    lang: str
    leads: bool = True  # typing it searches the others ("SC>": not the others back)
    led: bool = True  # the others search it ("<大会": typing 大会 does not search them)


@dataclass(frozen=True)
class Alternatives(Or):
    """What the user typed (``typed``, scored for proximity as before) OR its other forms."""

    typed: tuple[Text, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Expanded:
    tree: Node
    also_searched: list[str]


def read_table(path: Path = ABBREVIATIONS) -> list[list[Form]]:
    """The groups of the list: each (group, language) line's forms, full form first."""
    out: list[list[Form]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 4 or parts[1] not in KINDS:
            raise ValueError(f"{path.name}:{n}: want GROUP, KIND, LANG and FORMS separated by tabs")
        group, kind, lang, forms = parts
        row = []
        for raw in forms.split("|"):
            text = raw.strip().removeprefix("<").removesuffix(">")
            row.append(Form(text, group, kind, lang, leads=not raw.startswith("<"),
                            led=not raw.endswith(">")))
        out.append(row)
    return out


def _key(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in analyze(text, None, "query"))


@functools.cache
def _index(han: bool = True) -> dict[str, list[tuple[tuple[str, ...], list[str]]]]:
    """First token → [(the form's tokens, the forms it leads to)], longest first.

    ``han=False``: the forms without Chinese only, for a query without Chinese, which so
    never loads jieba (half a second of a new process's first answer)."""
    leads: dict[tuple[str, ...], list[str]] = {}
    for row in read_table():
        for f in row:
            if not f.leads or (not han and HAN_RUN.search(f.text)):
                continue
            others = leads.setdefault(_key(f.text), [])
            others.extend(o.text for o in row if o is not f and o.led and o.text not in others)
    index: dict[str, list[tuple[tuple[str, ...], list[str]]]] = {}
    for key, others in leads.items():
        if key and others:
            index.setdefault(key[0], []).append((key, others))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return index


def _plain(node: Node) -> bool:
    return isinstance(node, Text) and not node.phrase and node.field is None


def expand(tree: Node) -> Expanded:
    """The query with every unquoted form also searched as its other forms."""
    also: list[str] = []
    return Expanded(_expand(tree, also), also)


def _expand(node: Node, also: list[str]) -> Node:
    if isinstance(node, Text):
        items = _expand_items((node,), also)
        return items[0] if len(items) == 1 else And(items)
    if isinstance(node, And):
        return And(_expand_items(node.items, also))
    if isinstance(node, Or) and not isinstance(node, Alternatives):
        return Or(tuple(_expand(x, also) for x in node.items))
    return node  # filters, ranges, and what is excluded (-安理会) stay as typed


def _expand_items(items: tuple[Node, ...], also: list[str]) -> tuple[Node, ...]:
    """Expand runs of plain words: a form inside one chunk (安理会决议) or across several
    words (Security Council)."""
    index = _index(any(_plain(x) and HAN_RUN.search(x.text) for x in items))  # type: ignore[union-attr]
    # Every token of the plain items: (item number, token number, token, start, end).
    flat: list[tuple[int, int, str, int, int]] = []
    ntoks: dict[int, int] = {}
    for i, x in enumerate(items):
        if _plain(x):
            assert isinstance(x, Text)
            toks = analyze(x.text, None, "query")
            ntoks[i] = len(toks)
            flat.extend((i, j, t.text, t.start, t.end) for j, t in enumerate(toks))
    inside: dict[int, list[tuple[int, int, list[str]]]] = {}  # item → (start, end, others)
    across: dict[int, tuple[int, list[str]]] = {}  # first item → (last item, others)
    p = 0
    while p < len(flat):
        found = None
        for key, others in index.get(flat[p][2], ()):
            run = flat[p:p + len(key)]
            if len(run) == len(key) and all(r[2] == k for r, k in zip(run, key, strict=True)) \
                    and _contiguous(run, ntoks):
                found = run, others
                break
        if found is None:
            p += 1
            continue
        run, others = found
        first, last = run[0][0], run[-1][0]
        if first == last and not (run[0][1] == 0 and run[-1][1] == ntoks[first] - 1):
            inside.setdefault(first, []).append((run[0][3], run[-1][4], others))
        else:
            across[first] = (last, others)
        also.extend(o for o in others if o not in also)
        p += len(run)
    for i in ntoks:
        if i not in inside and not any(a <= i <= b for a, (b, _o) in across.items()) and \
                (head := _chinese_head(items[i])) is not None:
            inside[i] = [head]
            also.extend(o for o in head[2] if o not in also)
    out: list[Node] = []
    i = 0
    while i < len(items):
        x = items[i]
        if i in across:
            last, others = across[i]
            typed = tuple(t for t in items[i:last + 1] if isinstance(t, Text))
            original: Node = typed[0] if len(typed) == 1 else And(typed)
            out.append(Alternatives((original, *(Text(o) for o in others)), typed=typed))
            i = last + 1
            continue
        if i in inside:
            assert isinstance(x, Text)
            out.append(_within(x, inside[i]))
        elif isinstance(x, (And, Or)):
            out.append(_expand(x, also))  # (安理会 OR 大会) 决议
        else:
            out.append(x)
        i += 1
    return tuple(out)


def _chinese_head(x: Node) -> tuple[int, int, list[str]] | None:
    """A Chinese form that starts a chunk but that jieba joins to the next character
    (朝鲜人权 is 朝鲜人/权): people type an abbreviation and the word after it together."""
    assert isinstance(x, Text)
    folded = fold(x.text).text
    if len(folded) != len(x.text) or not HAN_RUN.match(folded):
        return None
    for size in range(min(len(folded) - 1, _LONGEST_CHINESE), 1, -1):
        others = _chinese_index().get(folded[:size])
        if others:
            return 0, size, others
    return None


_LONGEST_CHINESE = 8  # longer forms are not typed as abbreviations


@functools.cache
def _chinese_index() -> dict[str, list[str]]:
    """Chinese forms (folded) → the forms they lead to."""
    return {key[0]: others for entries in _index().values() for key, others in entries
            if len(key) == 1 and HAN_RUN.fullmatch(key[0])}


def _contiguous(run: list[tuple[int, int, str, int, int]], ntoks: dict[int, int]) -> bool:
    """A form matches inside one item, or across whole consecutive items."""
    if run[0][0] == run[-1][0]:
        return True
    if run[0][1] != 0 or run[-1][1] != ntoks[run[-1][0]] - 1:
        return False
    items = [r[0] for r in run]
    return all(b - a in (0, 1) for a, b in itertools.pairwise(items))


def _within(x: Text, matches: list[tuple[int, int, list[str]]]) -> Node:
    """A chunk with forms inside it: the chunk as typed OR with each form replaced."""
    pieces: list[list[str]] = []
    at = 0
    for start, end, others in matches:
        pieces.append([x.text[at:start]])
        pieces.append([x.text[start:end], *others])
        at = end
    pieces.append([x.text[at:]])
    variants = ["".join(p) for p in itertools.islice(itertools.product(*pieces), MAX_ALTERNATIVES)]
    return Alternatives(tuple(Text(v) for v in variants), typed=(x,))


def typed_texts(items: Sequence[object]) -> list[Text]:
    """The plain texts among ``items`` as the user typed them (an expansion stands for its
    typed words): what the proximity bonus scores."""
    out: list[Text] = []
    for x in items:
        if isinstance(x, Text):
            out.append(x)
        elif isinstance(x, Alternatives):
            out.extend(x.typed)
    return out


def leads_somewhere(text: str) -> bool:
    """Whether ``text`` as a whole is a form that also searches others (安理会, UNDP)."""
    key = _key(text)
    return bool(key) and any(k == key for k, _others in _index().get(key[0], ()))
