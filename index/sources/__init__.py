"""Readers: turn files and folders of UN text into :class:`~index.model.Document`\\ s (or
:class:`~index.model.Skipped`).

Four layouts are recognised, one reader each:

* the UN Parallel Corpus line-aligned layout (``X.ids`` plus ``X.zh``, ``X.en`` …): :mod:`.unpc`;
* the General Debate layout ``Session NN - YYYY/ISO3_NN_YYYY.txt``: :mod:`.general_debate`;
* UN document text (``.txt``/``.md``) with an optional UN header (organ, ``Distr.``, date,
  language, ``Original:``, symbol), or plain text without one: :mod:`.un_text`;
* JSON Lines (``.jsonl``), one document per line: :mod:`.jsonl`.

:mod:`.walk` finds the files and picks the reader, :mod:`.decode` reads and decodes them,
:mod:`.langdetect` tells the language where nothing says it, :mod:`.paragraphs` rebuilds
paragraphs from lines.

Nothing here raises for bad input: every unreadable file (or JSONL line) comes out as a
``Skipped(path, reason)`` and the other documents keep flowing.
"""

from pathlib import Path

from .walk import iter_sources

DEMO_CORPUS = Path(__file__).parent.parent / "demo"

__all__ = ["DEMO_CORPUS", "iter_sources"]
