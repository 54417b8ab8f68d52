"""Which inflection stood at each position: quoted phrases match as written, at any size.

The body fields are stemmed ("Member States" and "Member State" index the same terms), so a
phrase query on them finds every inflection. A quoted phrase must match as typed. Lucene's
answer is to index the surface form beside the stem (KeywordRepeatFilter); on this corpus
that would add a posting for about a third of all English tokens (some 150 MB to a 375 MB
Whoosh index). This module keeps one byte per position instead: the *form code* of the
token at that position, 0 when the word is its own stem, else the number of its surface
form among the forms of that stem seen in the segment ("states" = 1 of "state", "stated" =
2 …). A quoted phrase is matched on stems as before, then each (document, position) match
is checked against the codes of the typed forms with numpy.

The codes are recorded while Whoosh indexes (the tokenizer reports each stemmed word's
surface to the active :class:`FormRecorder`), per segment, in the segment's side folder
(:mod:`index.postings`):

``forms.npy``          uint8 codes, the positions of each document one after the other
``forms_offsets.npy``  int64, the codes of local document d are ``offsets[d]:offsets[d+1]``
``forms.pickle``       ``{lang: {stem: [form 1, form 2, …]}}``

A segment without them (written by an update, or merged) is checked by reading its text.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

OTHER = 255  # a stem with more than 254 forms: the rest share this code and are never exact


class FormRecorder:
    """Collects the form codes of the documents one writer adds, in document order."""

    def __init__(self) -> None:
        self.forms: dict[str, dict[str, list[str]]] = {}
        self._index: dict[tuple[str, str, str], int] = {}
        self.codes: dict[int, bytes] = {}
        self._doc: int | None = None
        self._current: bytearray | None = None

    @contextlib.contextmanager
    def document(self, docnum: int) -> Iterator[None]:
        self._doc, self._current = docnum, bytearray()
        try:
            yield
        finally:
            if self._current:
                self.codes[docnum] = bytes(self._current)
            self._doc = self._current = None

    def tokens(self, lang: str, value: str, toks: list[Any]) -> None:
        """Called by the tokenizer of a stemmed field with the tokens of one value."""
        cur = self._current
        if cur is None or not toks:
            return
        npos = toks[-1].pos + 1
        if len(cur) < npos:
            cur.extend(bytes(npos - len(cur)))
        from .analysis import fold

        for t in toks:
            if t.kind not in ("word", "part"):  # a part: the stemmed plain form of an acronym
                continue
            surface = fold(value[t.start:t.end]).text
            if surface == t.text:
                continue
            key = (lang, t.text, surface)
            code = self._index.get(key)
            if code is None:
                forms = self.forms.setdefault(lang, {}).setdefault(t.text, [])
                code = len(forms) + 1 if len(forms) + 1 < OTHER else OTHER
                if code != OTHER:
                    forms.append(surface)
                self._index[key] = code
            cur[t.pos] = code

    def write(self, folder: Path, doc_count: int) -> None:
        offsets = np.zeros(doc_count + 1, dtype=np.int64)
        parts = []
        for d in range(doc_count):
            c = self.codes.get(d, b"")
            offsets[d + 1] = offsets[d] + len(c)
            if c:
                parts.append(c)
        np.save(folder / "forms.npy", np.frombuffer(b"".join(parts), dtype=np.uint8))
        np.save(folder / "forms_offsets.npy", offsets)
        with open(folder / "forms.pickle", "wb") as f:
            pickle.dump(self.forms, f, protocol=pickle.HIGHEST_PROTOCOL)


@contextlib.contextmanager
def recording(writer: Any) -> Iterator[FormRecorder]:
    """Record the form codes of every document ``writer`` (a Whoosh SegmentWriter) adds."""
    from . import analysis

    rec = FormRecorder()
    add = writer.add_document

    def add_document(**fields: Any) -> None:
        with rec.document(writer.docnum):
            add(**fields)

    writer.add_document = add_document
    analysis.set_form_hook(rec.tokens)
    try:
        yield rec
    finally:
        analysis.set_form_hook(None)
        writer.add_document = add


class SegmentForms:
    """The form codes of one segment, memory-mapped."""

    def __init__(self, codes: np.ndarray, offsets: np.ndarray,
                 forms: dict[str, dict[str, list[str]]]) -> None:
        self.codes, self.offsets, self.forms = codes, offsets, forms

    @classmethod
    def load(cls, folder: Path) -> SegmentForms | None:
        try:
            with open(folder / "forms.pickle", "rb") as f:
                forms = pickle.load(f)
            return cls(np.load(folder / "forms.npy", mmap_mode="r"),
                       np.load(folder / "forms_offsets.npy"), forms)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            return None

    def code(self, lang: str, stem: str, surface: str) -> int | None:
        """The code a position must have to hold ``surface`` (None: it never occurs)."""
        if surface == stem:
            return 0
        forms = self.forms.get(lang, {}).get(stem, [])
        try:
            return forms.index(surface) + 1
        except ValueError:
            return None

    def at(self, docs: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The codes at these (local document, position) pairs (0 past a document's end)."""
        start = self.offsets[docs]
        length = self.offsets[docs + 1] - start
        inside = positions < length
        out = np.zeros(len(docs), dtype=np.int64)
        idx = (start + positions)[inside]
        out[inside] = self.codes[idx]
        return out
