"""The side index: posting lists of frequent terms as flat numpy arrays, one folder per segment.

Whoosh stays the index of record. For the terms that many paragraphs contain ("the",
"nations", "development": hundreds of thousands of postings on the full corpus), reading a
posting list through Whoosh costs about 1 µs a posting (unpickling blocks) and scoring it
about 3 µs, in pure Python: seconds for an ordinary query. So at build time every term with
at least :data:`MIN_DF` postings in a segment is copied out of the segment's own posting
blocks into three arrays: document numbers, term frequencies and positions. The read side
(:mod:`search.vector`) memory-maps them (the pages are shared by every serving process)
and ranks, intersects and checks phrases with numpy.

The arrays are a pure function of the segment's postings, so they can never disagree with
Whoosh: a segment is immutable once written, deletions are applied at query time from the
segment's deleted-document set, and a segment without a side folder (an update killed
between Whoosh's commit and this step, or an old index) is simply read through Whoosh.

Layout, per segment ``postings/<segment id>/``:

``terms.pickle``  ``{(field, term bytes): i}`` for the terms kept
``starts.npy``    int64, posting ``starts[i]:starts[i+1]`` of term ``i``
``pstarts.npy``   int64, positions ``pstarts[i]:pstarts[i+1]`` of term ``i``
``gaps.npy``      uint16 gaps between a term's segment-local document numbers (the first
                  is the first number); 65535 means "look in ``big_gaps``"
``tf.npy``        uint8 occurrences in the document (= the posting's Whoosh weight); 255 means
                  "look in ``big_tf``"
``big_gaps.npy``, ``big_tf.npy`` with ``gstarts.npy``, ``tstarts.npy``: the escaped values,
                  in order, and where each term's begin
``pos.npy``       uint16 token positions, ascending within a posting
``country.npy``, ``country.json``  the country of every document (``index.columns``)

Gaps and one-byte counts instead of 4- and 2-byte values halve the side index (a common
term's gaps are a few documents): decoding them is one ``cumsum`` per query term.
"""

from __future__ import annotations

import os
import pickle
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import _whoosh, columns
from .surface import SegmentForms

#: Bump when the layout or the choice of terms changes; part of the schema version.
POSTINGS_VERSION = 1
#: A term gets arrays when a segment has at least this many postings of it: below it,
#: Whoosh reads the postings in about a millisecond anyway.
MIN_DF = 1000
FOLDER = columns.FOLDER
_FIELD_PREFIXES = ("text_", "cjk", "title")
_K = 0x4B  # pickle's BININT1 opcode: a delta below 256
_GAP_ESCAPE = 0xFFFF
_TF_ESCAPE = 0xFF


def side_fields(schema: Any) -> list[str]:
    """The positional text fields that get side arrays."""
    return [n for n in schema.names() if n.startswith(_FIELD_PREFIXES)
            and schema[n].format is not None and schema[n].format.supports("positions")]


def segment_folder(gen: Path, segment_id: str) -> Path:
    return Path(gen) / FOLDER / segment_id


# ---------------------------------------------------------------------------
# Writing


def decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(occurrence counts, positions) of a term's posting values, decoded with numpy.

    Each value is Whoosh's ``Positions`` encoding: a 4-byte count, then a protocol-2 pickle
    of the list of position deltas. When every delta is below 256 the pickle has a fixed
    shape (``K`` and one byte per delta), so those values decode together; the few others
    (a delta of 256 or more, a very long list) go through pickle.
    """
    n = len(values)
    lens = np.fromiter(map(len, values), dtype=np.int64, count=n)
    buf = np.frombuffer(b"".join(values), dtype=np.uint8)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    head = buf[starts[:, None] + np.arange(4)].astype(np.int64)
    counts = (head[:, 0] << 24) | (head[:, 1] << 16) | (head[:, 2] << 8) | head[:, 3]
    # n == 1: ....]q.K d a .   (13 bytes)   n > 1: ....]q.( K d K d ... e .   (12 + 2n bytes)
    ok = (lens == np.where(counts == 1, 13, 12 + 2 * counts)) & (counts >= 1)
    ok &= buf[starts + 6] == ord("]")
    total = int(counts.sum())
    group = np.cumsum(counts) - counts  # first occurrence of each value
    within = np.arange(total, dtype=np.int64) - np.repeat(group, counts)
    offsets = np.repeat(starts + np.where(counts == 1, 10, 11), counts) + 2 * within
    safe = np.repeat(ok, counts)
    offsets[~safe] = 0
    opcode_ok = buf[np.maximum(offsets - 1, 0)] == _K
    ok &= np.logical_and.reduceat(opcode_ok | ~safe, group) if total else ok
    deltas = buf[offsets].astype(np.int64)
    csum = np.cumsum(deltas)
    out = csum - np.repeat(csum[group] - deltas[group], counts)
    for i in np.flatnonzero(~ok).tolist():
        v = values[i]
        got = np.cumsum(pickle.loads(v[4:] if v.endswith(b".") else v[4:] + b"."))
        if len(got) != counts[i]:
            raise ValueError("a posting's position count does not match its header")
        out[group[i]: group[i] + counts[i]] = got
    return counts, out


def read_term(segreader: Any, fieldname: str, text: bytes
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(local ids, occurrence counts, positions) of one term in one segment, read from its
    posting blocks (deleted documents included); None if the postings are not the plain
    shape this module assumes (a weight that is not the occurrence count)."""
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    for block_ids, block_weights, block_values in _whoosh.posting_blocks(segreader, fieldname, text):
        ids.extend(block_ids)
        weights.extend(block_weights)
        values.extend(block_values)
    if not ids:
        return None
    counts, positions = decode_positions(values)
    if not np.array_equal(np.asarray(weights, dtype=np.float64), counts):
        return None
    return np.asarray(ids, dtype=np.int64), counts, positions


def write_segment(gen: Path, segreader: Any, min_df: int = MIN_DF, *,
                  forms: Any = None) -> Path:
    """Write the side arrays of one segment (atomically: a folder renamed into place), with
    the surface-form codes recorded while it was indexed (:mod:`index.surface`), if any."""
    segment_id = _whoosh.segment_id(segreader)
    final = segment_folder(gen, segment_id)
    if final.exists():
        return final
    tmp = final.with_name(f"{segment_id}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    schema = segreader.schema
    index: dict[tuple[str, bytes], int] = {}
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("gaps", "tf", "pos", "big_gaps", "big_tf")}
    starts, pstarts, gstarts, tstarts = [0], [0], [0], [0]
    for fieldname in side_fields(schema):
        for text, info in segreader.iter_field(fieldname):
            if info.doc_frequency() < min_df:
                continue
            got = read_term(segreader, fieldname, text)
            if got is None:
                continue
            ids, tf, pos = got
            if (len(pos) and pos.max() > 0xFFFF) or ids.max() >= 2**31:
                continue  # does not fit the compact dtypes: Whoosh keeps serving it
            index[(fieldname, bytes(text))] = len(index)
            gaps = np.diff(ids, prepend=0)
            big_gaps = gaps >= _GAP_ESCAPE
            big_tf = tf >= _TF_ESCAPE
            cols["gaps"].append(np.where(big_gaps, _GAP_ESCAPE, gaps).astype(np.uint16))
            cols["big_gaps"].append(gaps[big_gaps].astype(np.int64))
            cols["tf"].append(np.where(big_tf, _TF_ESCAPE, tf).astype(np.uint8))
            cols["big_tf"].append(tf[big_tf].astype(np.int64))
            cols["pos"].append(pos.astype(np.uint16))
            starts.append(starts[-1] + len(ids))
            pstarts.append(pstarts[-1] + len(pos))
            gstarts.append(gstarts[-1] + int(big_gaps.sum()))
            tstarts.append(tstarts[-1] + int(big_tf.sum()))

    dtypes = {"gaps": np.uint16, "tf": np.uint8, "pos": np.uint16, "big_gaps": np.int64,
              "big_tf": np.int64}
    for name, parts in cols.items():
        np.save(tmp / f"{name}.npy", np.concatenate(parts) if parts else np.zeros(0, dtypes[name]))
    for name, values in (("starts", starts), ("pstarts", pstarts), ("gstarts", gstarts),
                         ("tstarts", tstarts)):
        np.save(tmp / f"{name}.npy", np.asarray(values, dtype=np.int64))
    if forms is not None:
        forms.write(tmp, segreader.doc_count_all())
    columns.write_countries(tmp, segreader)
    with open(tmp / "terms.pickle", "wb") as f:
        pickle.dump({"version": POSTINGS_VERSION, "min_df": min_df, "terms": index}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    for p in tmp.iterdir():
        with open(p, "rb") as done:
            os.fsync(done.fileno())
    os.rename(tmp, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return final


def write_missing(gen: Path, ix: Any, min_df: int = MIN_DF, *, forms: Any = None) -> list[str]:
    """Side arrays for every segment of ``ix`` that has none; remove those of segments
    that are gone (merged away by an update). Returns the ids of the segments written.

    ``forms``: the surface forms recorded by a one-process build, whose index has exactly
    one segment."""
    written = []
    with ix.reader() as reader:
        live = set()
        leaves = _whoosh.leaves(reader)
        for seg, _offset in leaves:
            sid = _whoosh.segment_id(seg)
            live.add(sid)
            if not segment_folder(gen, sid).exists():
                write_segment(gen, seg, min_df, forms=forms if len(leaves) == 1 else None)
                written.append(sid)
    root = Path(gen) / FOLDER
    if root.is_dir():
        for p in root.iterdir():
            if p.name not in live:
                shutil.rmtree(p, ignore_errors=True)
    return written


# ---------------------------------------------------------------------------
# Reading


@dataclass
class SegmentPostings:
    """The side arrays of one segment, memory-mapped."""

    terms: dict[tuple[str, bytes], int]
    arrays: dict[str, np.ndarray]
    forms: SegmentForms | None = None  # the surface-form codes (index/surface.py), if recorded

    _NAMES = ("starts", "pstarts", "gstarts", "tstarts", "gaps", "tf", "pos", "big_gaps", "big_tf")
    _SMALL = ("starts", "pstarts", "gstarts", "tstarts")  # read into memory: one per term

    @classmethod
    def load(cls, gen: Path, segment_id: str) -> SegmentPostings | None:
        folder = segment_folder(gen, segment_id)
        try:
            with open(folder / "terms.pickle", "rb") as f:
                head = pickle.load(f)
            if head.get("version") != POSTINGS_VERSION:
                return None
            arrays = {name: np.load(folder / f"{name}.npy",
                                    mmap_mode=None if name in cls._SMALL else "r")
                      for name in cls._NAMES}
            return cls(terms=head["terms"], arrays=arrays, forms=SegmentForms.load(folder))
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, KeyError):
            return None

    def get(self, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(local ids, tf, positions) of a term, or None if it has no side arrays."""
        i = self.terms.get((fieldname, text))
        if i is None:
            return None
        a = self.arrays

        def span(name: str) -> tuple[int, int]:
            return int(a[name][i]), int(a[name][i + 1])

        s, e = span("starts")
        # int32: a segment's document numbers and counts fit, at half the memory of int64
        # (a common word's arrays are megabytes, and a query holds several).
        gaps = a["gaps"][s:e].astype(np.int32)
        gs, ge = span("gstarts")
        if ge > gs:
            gaps[gaps == _GAP_ESCAPE] = a["big_gaps"][gs:ge]
        tf = a["tf"][s:e].astype(np.int32)
        ts, te = span("tstarts")
        if te > ts:
            tf[tf == _TF_ESCAPE] = a["big_tf"][ts:te]
        ps, pe = span("pstarts")
        np.cumsum(gaps, out=gaps)
        return gaps, tf, a["pos"][ps:pe]
