"""The document model shared by the readers, the builder and the read side."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

LANGUAGES = ("zh", "en", "fr", "es", "ru", "ar")


@dataclass
class Document:
    """One UN document in one language, split into paragraphs (the unit we index)."""

    id: str
    paragraphs: list[str]
    lang: str
    symbol: str | None = None
    title: str = ""
    organ: str | None = None
    date: str | None = None  # ISO: YYYY-MM-DD, YYYY-MM or YYYY
    year: int | None = None
    original_lang: str | None = None
    country: str | None = None
    speaker: str | None = None
    source: str = ""  # path of the file (or folder) the document was read from
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(**data)

    def content_hash(self) -> str:
        """Changes whenever anything that is indexed or shown changes."""
        payload = json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Skipped:
    """A source that could not be read: reported by path and reason, never fatal."""

    path: str
    reason: str


_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def make_doc_id(*, lang: str, symbol: str | None = None, stem: str | None = None) -> str:
    """Stable, URL-safe id: from symbol+language when there is a symbol, else from a file stem.

    >>> make_doc_id(symbol="A/AC.182/L.139", lang="zh")
    'A_AC.182_L.139-zh'
    >>> make_doc_id(stem="AFG_50_1995", lang="en")
    'AFG_50_1995-en'
    """
    base = symbol if symbol else (stem or "doc")
    slug = _SLUG_UNSAFE.sub("_", base.replace("/", "_")).strip("_.") or "doc"
    return f"{slug}-{lang}"
