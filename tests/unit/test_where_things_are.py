"""The README's map, "Where things are": every module of index/, search/ and web/ on a line of
its own, and no line for a module that is gone."""

from __future__ import annotations

import re

from conftest import ROOT


def test_every_module_has_one_line_in_where_things_are() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("\n## Where things are\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `((?:index|search|web)/[\w/]+\.py)` \|", section, re.MULTILINE)
    modules = sorted(p.relative_to(ROOT).as_posix() for package in ("index", "search", "web")
                     for p in (ROOT / package).rglob("*.py"))
    assert len(listed) == len(set(listed)), "a module listed twice"
    assert sorted(listed) == modules
