"""Build and update the index: atomic generations, one writer at a time.

A build writes a new ``.tmp`` generation (the layout is in :mod:`index.layout`) and, only
once it is complete and synced, renames it and swaps the ``current`` symlink with one
``rename(2)``: readers see the old index or the new one, never half of one.  Killing a build
at any moment leaves the served index untouched; the next writer removes the leftovers.  An
update changes the current generation in place, relying on Whoosh's own atomic commit (a new
TOC file) and on SQLite transactions, and on revision-keyed rows so that a searcher on the old
Whoosh generation still finds the text it expects.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from . import _whoosh, postings, surface
from .align import align_store
from .analysis import HAN_RUN, warm_up
from .columns import doc_key, lang_code, organ_key
from .completions import Counts, document_counts, update_completions, write_completions
from .dates import date_number
from .diskspace import INDEX_TO_SOURCE, explain_write_errors
from .durable import checkpoint, fsync_dir, fsync_tree, write_json_atomic
from .layout import CURRENT, META_FILE, open_whoosh, read_meta, resolve_generation
from .lock import DEFAULT_LOCK_TIMEOUT, writer_lock
from .model import Document, Skipped
from .schema import BIGRAM_FIELD, SCHEMA_VERSION, TEXT_FIELDS, TITLE_FIELD, make_schema
from .store import Store, doc_rev

#: Called after each document with (documents done, bytes of source read so far).
Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    """What a build or update did; ``skipped`` lists the sources it could not read."""

    documents: int = 0
    paragraphs: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    added: int = 0
    replaced: int = 0
    removed: int = 0
    unchanged: int = 0
    path: str = ""

    @property
    def partial(self) -> bool:
        return bool(self.skipped)

    def to_dict(self) -> dict[str, Any]:
        d = self.__dict__.copy()
        d["skipped"] = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        return d


# ---------------------------------------------------------------------------
# Generations


def _swap_current(root: Path, gen: Path) -> None:
    tmp_link = root / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    tmp_link.symlink_to(gen.name)
    os.replace(tmp_link, root / CURRENT)
    fsync_dir(root)


def _cleanup(root: Path, keep: int = 1) -> None:
    """Remove what killed writers left and all but ``keep`` previous generations.

    Only called with the writer lock held, so nothing here is in use by a writer.
    """
    current = None
    with contextlib.suppress(OSError):
        current = os.readlink(root / CURRENT)
    if current and (root / current).is_dir():
        for p in (root / current).iterdir():  # a killed update's Whoosh temp folders
            if p.is_dir() and p.name.endswith(".tmp"):
                shutil.rmtree(p, ignore_errors=True)
    for p in root.iterdir():
        if p.name.endswith(".tmp") and p.name.startswith("gen-"):
            shutil.rmtree(p, ignore_errors=True)
        elif p.name.startswith(f".{CURRENT}.") and p.is_symlink():
            p.unlink()
    gens = sorted((p for p in root.iterdir() if p.name.startswith("gen-") and p.is_dir()
                   and p.name != current), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in gens[keep:]:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------
# Turning documents into Whoosh documents


def paragraph_fields(doc: Document, rev: str) -> Iterator[dict[str, Any]]:
    text_field = TEXT_FIELDS.get(doc.lang, TEXT_FIELDS["en"])
    common: dict[str, Any] = {"doc_id": doc.id, "rev": rev.encode("ascii"), "lang": doc.lang,
                              "doc_key": doc_key(doc.id), "lang_code": lang_code(doc.lang)}
    if doc.organ:
        common["organ"] = doc.organ
        common["organ_key"] = organ_key(doc.organ)
    if doc.year and 0 < doc.year < 65536:
        common["year"] = common["year_col"] = doc.year
    dn = date_number(doc.date)
    if dn:
        common["date"] = common["date_col"] = dn
    if doc.country:
        common["country"] = doc.country.upper()
    if doc.symbol:
        common["symbol"] = doc.symbol.lower()
    for n, text in enumerate(doc.paragraphs, 1):
        fields = dict(common, para=n)
        if n == 1 and doc.title:
            # The title once per document, with its first paragraph: on every paragraph
            # it cost a tenth of the build for a boost that group="doc" gives anyway.
            fields[TITLE_FIELD] = doc.title
        fields[text_field] = text
        if HAN_RUN.search(text):
            fields[BIGRAM_FIELD] = text
        yield fields


class _Dedup:
    """Make ids unique within one build: two sources yielding the same id both stay."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.seen: set[str] = set(taken)

    def __call__(self, doc: Document) -> Document:
        if doc.id in self.seen:
            import hashlib

            suffix = hashlib.sha1(doc.source.encode("utf-8")).hexdigest()[:6]
            base, n = f"{doc.id}~{suffix}", 1
            doc.id = base
            while doc.id in self.seen:
                n += 1
                doc.id = f"{base}{n}"
        self.seen.add(doc.id)
        return doc


def _read(sources: Iterable[str | os.PathLike[str]], report: BuildReport) -> Iterator[Document]:
    from .sources import iter_sources

    for item in iter_sources(sources):
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            yield item


def _source_bytes(doc: Document, seen: set[str]) -> int:
    if doc.source in seen:
        return 0
    seen.add(doc.source)
    p = Path(doc.source)
    try:
        if p.is_dir():
            return sum(f.stat().st_size for f in p.iterdir() if f.is_file())
        return p.stat().st_size
    except OSError:
        return 0


def source_size(sources: Iterable[str | os.PathLike[str]]) -> int:
    """Total bytes under the sources (for a progress bar's ETA)."""
    total = 0
    for s in sources:
        p = Path(s)
        if p.is_file():
            total += p.stat().st_size
        elif p.is_dir():
            for dirpath, _dirs, files in os.walk(p):
                for f in files:
                    with contextlib.suppress(OSError):
                        total += os.stat(os.path.join(dirpath, f)).st_size
    return total


def _needed(sources: list[Any]) -> int:
    """Roughly the disk space a build (or, at most, an update) of ``sources`` takes."""
    return int(INDEX_TO_SOURCE * source_size(sources))


def _writer_procs(procs: int | None) -> int:
    if procs is not None:
        return max(1, procs)
    return max(1, min(os.cpu_count() or 1, 4))


# ---------------------------------------------------------------------------
# Public API


def build_index(sources: Iterable[str | os.PathLike[str]], path: str | os.PathLike[str], *,
                progress: Progress | None = None, procs: int | None = None,
                lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
                postings_min_df: int = postings.MIN_DF) -> BuildReport:
    """Full rebuild of the index at ``path`` from ``sources``, swapped in atomically.

    ``postings_min_df``: terms with at least this many postings in a segment get side
    arrays (:mod:`index.postings`); tests lower it to exercise them on small corpora."""
    started = time.monotonic()
    root = Path(path)
    report = BuildReport(path=str(root))
    sources = list(sources)
    with explain_write_errors(root, what="build", needed=lambda: _needed(sources)), \
            writer_lock(root, "build", lock_timeout):
        _cleanup(root)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"gen-{stamp}-{os.getpid()}"
        tmp = root / f"{name}.tmp"
        tmp.mkdir()
        warm_up()  # before the writer forks: its workers inherit jieba, loaded once
        _whoosh.apply()  # likewise the fixes to Whoosh
        ix = whoosh_index.create_in(str(tmp), make_schema())
        store = Store.open(tmp)
        nprocs = _writer_procs(procs)
        if nprocs > 1:
            writer = _whoosh.MpWriter(ix, procs=nprocs, multisegment=True, limitmb=128, batchsize=256)
            writer.postings_min_df = postings_min_df
        else:
            writer = ix.writer(limitmb=256)
        dedup = _Dedup()
        done_bytes = 0
        seen_sources: set[str] = set()
        # One writer in this process: record surface forms here (writer processes record
        # their own, see index/_whoosh.py).
        recording = surface.recording(writer) if nprocs == 1 else contextlib.nullcontext()
        completion_counts = Counts()
        try:
            with recording as forms:
                for doc in _read(sources, report):
                    doc = dedup(doc)
                    rev = doc_rev(doc)
                    store.add(doc, rev)
                    store.set_current(doc, rev)
                    # Completions are counted here, while the writer processes index.
                    completion_counts.add_document(doc.lang, doc.paragraphs, doc.symbol,
                                                   doc.title or "")
                    for fields in paragraph_fields(doc, rev):
                        writer.add_document(**fields)
                    report.documents += 1
                    if report.documents == 2:
                        checkpoint("build-read")
                    report.paragraphs += len(doc.paragraphs)
                    report.languages[doc.lang] = report.languages.get(doc.lang, 0) + 1
                    if progress:
                        done_bytes += _source_bytes(doc, seen_sources)
                        progress(report.documents, done_bytes)
            align_store(store.db)  # language versions, paragraph to paragraph
            store.commit()
            checkpoint("build-write")
            writer.commit()
            postings.write_missing(tmp, ix, postings_min_df, forms=forms)
            write_completions(tmp, completion_counts)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.cancel()
            writer = ix = None  # type: ignore[assignment]  # open files hold disk space
            store.close()
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        store.close()
        report.seconds = round(time.monotonic() - started, 3)
        write_json_atomic(tmp / META_FILE, {**_meta(report, sources),
                                             "postings_min_df": postings_min_df})
        fsync_tree(tmp)
        checkpoint("build-commit")
        gen = root / name
        os.rename(tmp, gen)
        checkpoint("build-swap")
        _swap_current(root, gen)
        checkpoint("build-swapped")
        _cleanup(root)
    return report


def update_index(sources: Iterable[str | os.PathLike[str]], path: str | os.PathLike[str], *,
                 progress: Progress | None = None,
                 lock_timeout: float = DEFAULT_LOCK_TIMEOUT) -> BuildReport:
    """Incremental update: add new documents, replace changed ones, drop those whose
    source (under one of ``sources``) is gone."""
    started = time.monotonic()
    root = Path(path)
    report = BuildReport(path=str(root))
    sources = list(sources)
    with explain_write_errors(root, what="update", needed=lambda: _needed(sources)), \
            writer_lock(root, "update", lock_timeout):
        gen = resolve_generation(root)
        meta = read_meta(gen)
        _cleanup(root)
        ix = open_whoosh(gen)
        store = Store.open(gen)
        try:
            _reconcile(ix, store)
            existing = store.current()
            roots = [os.path.abspath(s) for s in sources]

            prefixes = tuple(r.rstrip(os.sep) + os.sep for r in roots)

            def under_roots(src: str) -> bool:
                # Sources are stored as given; most are already absolute.
                a = src if os.path.isabs(src) and ".." not in src else os.path.abspath(src)
                return a in roots or a.startswith(prefixes)

            incoming: dict[str, tuple[Document, str]] = {}
            dedup = _Dedup()
            n = 0
            for doc in _read(sources, report):
                # Same id as an existing document from another source: it is a new document.
                if doc.id in existing and not under_roots(existing[doc.id][1]):
                    doc = _Dedup(existing)(doc)
                doc = dedup(doc)
                incoming[doc.id] = (doc, doc_rev(doc))
                n += 1
                if progress:
                    progress(n, 0)
            changed = {i: v for i, v in incoming.items() if existing.get(i, ("",))[0] != v[1]}
            gone = [i for i, (_rev, src) in existing.items()
                    if i not in incoming and under_roots(src)]
            report.added = sum(1 for i in changed if i not in existing)
            report.replaced = len(changed) - report.added
            report.removed = len(gone)
            report.unchanged = len(incoming) - len(changed)
            if changed or gone:
                for doc, rev in changed.values():
                    store.add(doc, rev)
                store.commit()
                checkpoint("update-store")
                writer = ix.writer(limitmb=128, timeout=5.0)
                try:
                    for i in list(changed) + gone:
                        if i in existing:
                            writer.delete_by_term("doc_id", i)
                    for doc, rev in changed.values():
                        for fields in paragraph_fields(doc, rev):
                            writer.add_document(**fields)
                    checkpoint("update-write")
                    writer.commit()
                except BaseException:
                    with contextlib.suppress(Exception):
                        writer.cancel()
                    _whoosh.discard_new_segment(writer)
                    writer = None  # its open files hold disk space until it is freed
                    raise
                checkpoint("update-commit")
                # The new segment's side arrays (an update killed before this point leaves
                # it without: it is read through Whoosh until the next update writes them).
                postings.write_missing(gen, open_whoosh(gen),
                                       int(meta.get("postings_min_df", postings.MIN_DF)))
                # The old revisions' text, still in the store until collect_garbage below.
                old = document_counts((store.meta(i, existing[i][0]) or {},
                                       store.paragraphs(i, existing[i][0]))
                                      for i in list(changed) + gone if i in existing)
                for doc, rev in changed.values():
                    store.set_current(doc, rev)
                store.drop(gone)
                store.commit()
                new = document_counts((doc.to_dict(), doc.paragraphs) for doc, _rev in changed.values())
                update_completions(gen, old, new)
                store.collect_garbage(list(changed) + gone)
                align_store(store.db, list(changed) + gone)
                store.commit()
            for doc, _rev in changed.values():
                report.paragraphs += len(doc.paragraphs)
            report.documents = len(incoming)
            for doc, _rev in incoming.values():
                report.languages[doc.lang] = report.languages.get(doc.lang, 0) + 1
            report.seconds = round(time.monotonic() - started, 3)
            meta.update(store.totals())
            meta["updated"] = datetime.now(UTC).isoformat(timespec="seconds")
            meta["last_update"] = {k: v for k, v in report.to_dict().items() if k != "path"}
            write_json_atomic(gen / META_FILE, meta)
        finally:
            store.close()
    return report


def _reconcile(ix: Any, store: Store) -> None:
    """Repair an update killed between Whoosh's commit and the store's: trust Whoosh."""
    several = store.with_several_revisions()
    if not several:
        return
    with ix.searcher() as s:
        revs = s.reader().column_reader("rev")
        for doc_id in several:
            docnums = list(s.document_numbers(doc_id=doc_id))
            if docnums:
                rev = revs[docnums[0]].decode("ascii")
                store.set_current_rev(doc_id, rev)
    store.collect_garbage()
    store.commit()


def _meta(report: BuildReport, sources: list[Any]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "build_seconds": report.seconds,
        "documents": report.documents,
        "paragraphs": report.paragraphs,
        "languages": report.languages,
        "sources": [str(s) for s in sources],
        "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
        "python": sys.version.split()[0],
    }
