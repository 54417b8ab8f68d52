"""Per-paragraph values as numpy arrays, read straight from Whoosh's column files.

Grouping by document, facet counts and date sorting run over every matching
paragraph (hundreds of thousands for a common word), so they are done with
numpy over arrays indexed by Whoosh document number.  The schema stores each
value the arrays need as a fixed-width numeric column, which is read here in
one block per segment (milliseconds, where iterating Whoosh's column readers
takes seconds on the full corpus).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import _whoosh
from ._whoosh import numeric_values, posting_blocks
from .model import LANGUAGES

#: The side index's folder (index.postings.FOLDER), where each segment's countries are saved.
FOLDER = "postings"
COUNTRY_CODES = "country.npy"
COUNTRY_NAMES = "country.json"

#: (field, typecode) of the numeric columns; the typecodes are struct codes (big-endian).
NUMERIC_COLUMNS = {"doc_key": "q", "lang_code": "B", "organ_key": "I", "year_col": "H",
                   "date_col": "I", "para": "I"}


def doc_key(doc_id: str) -> int:
    """A stable, non-zero 63-bit key for a document id (collisions: ~1e-9 at 10^5 documents)."""
    h = int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big")
    return (h >> 1) or 1


def organ_key(organ: str | None) -> int:
    return zlib.crc32(organ.encode("utf-8")) or 1 if organ else 0


def lang_code(lang: str) -> int:
    return LANGUAGES.index(lang) + 1 if lang in LANGUAGES else 0


@dataclass
class Columns:
    doc: np.ndarray  # int64 doc_key per paragraph
    lang: np.ndarray  # uint8: 0 = none, i+1 = LANGUAGES[i]
    organ: np.ndarray  # uint32 crc32 of the organ name, 0 = none
    year: np.ndarray
    date: np.ndarray  # YYYYMMDD, 0 = none
    para: np.ndarray
    organ_names: dict[int, str]
    # uint16 per paragraph: 0 = none, i = country_names[i] (an ISO code as stored)
    country: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint16))
    country_names: list[str] = field(default_factory=lambda: [""])
    # Derived once per reader, so that grouping and facets are bincounts over small
    # integers rather than sorts of hundreds of thousands of keys:
    doc_ord: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # per paragraph
    organ_ord: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))  # per paragraph
    organ_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # ordinal → key
    n_docs: int = 0

    def __len__(self) -> int:
        return len(self.doc)

    def __post_init__(self) -> None:
        if len(self.doc) and not len(self.doc_ord):
            _keys, ords = np.unique(self.doc, return_inverse=True)
            self.doc_ord = ords.astype(np.int32)
            self.n_docs = len(_keys)
            okeys, oords = np.unique(self.organ, return_inverse=True)
            self.organ_keys = okeys.astype(np.int64)
            self.organ_ord = oords.astype(np.int32)


def _segment_array(segreader: Any, name: str, typecode: str) -> np.ndarray:
    n = segreader.doc_count_all()
    dtype = np.dtype(">" + typecode)
    if not segreader.has_column(name):
        return np.zeros(n, dtype=dtype.newbyteorder("="))
    reader = segreader.column_reader(name, translate=False)
    values = numeric_values(reader)
    if values is not None:
        arr = np.frombuffer(values.raw, dtype=dtype).astype(dtype.newbyteorder("="))
        if values.stored < n:
            arr = np.concatenate([arr, np.full(n - values.stored, values.default, dtype=arr.dtype)])
        return arr
    # Any other reader (an empty column, a future Whoosh): the slow, general way.
    return np.fromiter((v or 0 for v in reader), dtype=dtype.newbyteorder("="), count=n)


def load_columns(reader: Any, gen: Path | None = None) -> Columns:
    """The arrays for a (multi-segment) Whoosh reader, in its document numbering; ``gen``,
    the generation folder, where the build saved each segment's countries."""
    leaves = _whoosh.leaves(reader)
    arrays: dict[str, np.ndarray] = {}
    for name, code in NUMERIC_COLUMNS.items():
        parts = [_segment_array(r, name, code) for r, _offset in leaves]
        arrays[name] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.dtype(code))
    names: dict[int, str] = {}
    try:
        for b in reader.lexicon("organ"):
            name = b.decode("utf-8") if isinstance(b, bytes) else str(b)
            names[organ_key(name)] = name
    except Exception:  # no organ field in this index
        pass
    country, country_names = _country_column(leaves, len(arrays["doc_key"]), gen)
    return Columns(doc=arrays["doc_key"].astype(np.int64), lang=arrays["lang_code"],
                   organ=arrays["organ_key"], year=arrays["year_col"].astype(np.int64),
                   date=arrays["date_col"].astype(np.int64), para=arrays["para"],
                   organ_names=names, country=country, country_names=country_names)


def _country_column(leaves: list[tuple[Any, int]], n: int,
                    gen: Path | None = None) -> tuple[np.ndarray, list[str]]:
    """The country of every paragraph: each segment's own codes (saved by the build, else
    read from its postings), renumbered into one list of names."""
    out = np.zeros(n, dtype=np.uint16)
    names = [""]
    index: dict[str, int] = {}
    for seg, offset in leaves:
        saved = read_countries(gen / FOLDER / _whoosh.segment_id(seg)) if gen else None
        local, local_names = saved or segment_countries(seg)
        remap = np.zeros(len(local_names), dtype=np.uint16)
        for i, code in enumerate(local_names[1:], 1):
            if code not in index:
                index[code] = len(names)
                names.append(code)
            remap[i] = index[code]
        out[offset:offset + len(local)] = remap[local]
    return out, names


def segment_countries(seg: Any) -> tuple[np.ndarray, list[str]]:
    """(code per document, names) of one segment, from the postings of its ``country`` field.

    The schema has no country column; the few hundred country terms' posting lists
    (no positions) give the same thing in one pass (a third of a second on the full
    corpus, which is why the build saves it: :func:`write_countries`). A deleted
    paragraph keeps its value: callers only look at live ones.
    """
    out = np.zeros(seg.doc_count_all(), dtype=np.uint16)
    names = [""]
    if "country" in seg.schema:
        for term in seg.lexicon("country"):
            names.append(term.decode("utf-8") if isinstance(term, bytes) else str(term))
            out[_posting_ids(seg, "country", term)] = len(names) - 1
    return out, names


def write_countries(folder: Path, seg: Any) -> None:
    """Save a segment's countries in its side folder (``index.postings``), made once by the
    build: the read side loads them instead of reading the postings again."""
    codes, names = segment_countries(seg)
    np.save(folder / COUNTRY_CODES, codes)
    (folder / COUNTRY_NAMES).write_text(json.dumps(names), encoding="utf-8")


def read_countries(folder: Path) -> tuple[np.ndarray, list[str]] | None:
    """What :func:`write_countries` saved, or None (an index built before it, or damaged)."""
    try:
        codes = np.load(folder / COUNTRY_CODES)
        names = json.loads((folder / COUNTRY_NAMES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if codes.dtype != np.uint16 or not isinstance(names, list) or \
            (len(codes) and int(codes.max()) >= len(names)):
        return None
    return codes, [str(x) for x in names]


def _posting_ids(seg: Any, fieldname: str, term: bytes) -> np.ndarray:
    """Every document number of a term's postings in one segment (deleted ones included)."""
    parts = [np.asarray(ids, dtype=np.int64) for ids, _w, _v in posting_blocks(seg, fieldname, term)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def lang_name(code: int) -> str:
    return LANGUAGES[code - 1] if 0 < code <= len(LANGUAGES) else ""
