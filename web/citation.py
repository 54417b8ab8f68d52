"""A citation of a document paragraph: symbol (or title), organ, date, paragraph, link."""

from __future__ import annotations

from typing import Any

from search.countries import display_title

from .i18n import Translator


def citation(meta: dict[str, Any], ui: str = "en") -> str:
    """The document part of a citation; the page adds the paragraph and its link.

    >>> citation({"symbol": "S/2020/405", "title": "Letter", "organ": "Security Council",
    ...           "date": "2020-05-19"})
    'S/2020/405, Security Council, 2020-05-19'
    >>> citation({"title": "General debate, 74th session (2019): MUS", "country": "MUS",
    ...           "organ": "General Assembly", "date": "2019"}, "zh")
    '一般性辩论，第74届会议（2019年）：毛里求斯, 大会, 2019'
    """
    t = Translator(ui)
    head = meta.get("symbol") or display_title(meta.get("title") or "", meta.get("country"), ui) \
        or t("untitled")
    parts = [head, t.organ(meta.get("organ")), meta.get("date") or ""]
    return ", ".join(p for p in parts if p)
