"""unsearch web front end: HTML pages and the JSON API over :mod:`search`.

Importing this package is cheap (the CLI imports ``web.cli`` for every
command): Flask is imported only when an app is made.

>>> from web import create_app                                       # doctest: +SKIP
>>> app = create_app({"INDEX_PATH": "var/demo-index"})               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app. Settings: defaults, then ``UNSEARCH_*`` variables, then ``config``."""
    from .app import create_app as _create_app

    return _create_app(config)
