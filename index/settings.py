"""The environment, read in one place: ``Setting(name, default, help, env)``, as datasette has them.

This is the index layer's table (where an index lives, where caches go, the crash tests'
pause); search.settings adds the limits and web.settings the app's settings, and
``web.settings.TABLE`` is all of them, the table the README lists. No module but this one
reads ``os.environ``; nothing is read at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    env: str | None = None
    parse: Callable[[str], Any] = str

    def value(self, environ: Mapping[str, str] | None = None) -> Any:
        """The default, or the parsed ``env`` variable when it is set (ValueError naming it)."""
        env = os.environ if environ is None else environ
        if not self.env or not env.get(self.env):
            return self.default
        try:
            return self.parse(env[self.env])
        except ValueError as e:
            raise ValueError(f"{self.env}={env[self.env]!r}: {e}") from None


INDEX_PATH = Setting("INDEX_PATH", None,
                     "Index directory; unset: the per-user data directory (see `unsearch index build`).",
                     env="UNSEARCH_INDEX")

#: Read by the index layer only, not keys of ``create_app``.
ENVIRONMENT = (
    Setting("DATA_HOME", None,
            "Per-user data directory; the index is its unsearch/index (unset: ~/.local/share).",
            env="XDG_DATA_HOME"),
    Setting("CACHE_HOME", None,
            "Per-user cache directory; the folding tables and jieba's finished dictionary are "
            "cached in its unsearch/ "
            "(unset: ~/.cache).",
            env="XDG_CACHE_HOME"),
    Setting("FAULT_PAUSE", None,
            "For the crash tests: a writer stage (index/durable.py `checkpoint`) where "
            "`unsearch index build` and `update` stop, to be killed.",
            env="UNSEARCH_FAULT_PAUSE"),
)
_BY_NAME = {s.name: s for s in (INDEX_PATH, *ENVIRONMENT)}


def setting(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One of this table's values from its default and environment variable."""
    return _BY_NAME[name].value(environ)
