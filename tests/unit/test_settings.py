"""The environment read in one place (index/settings.py), every variable in web.settings.TABLE
and in the README, and the index layer's defaults from that table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

from index.analysis import _cache_dir
from index.layout import default_index_dir
from index.settings import setting
from web.settings import TABLE

SOURCES = sorted(p for package in ("index", "search", "web") for p in (ROOT / package).rglob("*.py"))


def _reads_environment(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os" and \
                {a.name for a in node.names} & {"environ", "getenv", "environb"}:
            return True
    return False


def test_only_index_settings_reads_the_environment() -> None:
    readers = [p.relative_to(ROOT).as_posix() for p in SOURCES
               if _reads_environment(ast.parse(p.read_text("utf-8")))]
    assert readers == ["index/settings.py"]


def test_every_variable_named_in_the_code_is_in_the_table_and_the_readme() -> None:
    named = {m for p in SOURCES for m in re.findall(r"\b(?:UNSEARCH|XDG)_[A-Z_]*[A-Z]\b",
                                                     p.read_text("utf-8"))}
    in_table = {s.env for s in TABLE if s.env}
    assert {"UNSEARCH_INDEX", "UNSEARCH_FAULT_PAUSE", "XDG_DATA_HOME", "XDG_CACHE_HOME"} <= named
    assert named <= in_table, named - in_table
    readme = (ROOT / "README.md").read_text("utf-8")
    assert [v for v in sorted(in_table) if f"`{v}`" not in readme] == []
    assert len({s.name for s in TABLE}) == len(TABLE)


def test_index_folders_follow_the_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("UNSEARCH_INDEX", "XDG_DATA_HOME", "XDG_CACHE_HOME", "UNSEARCH_FAULT_PAUSE"):
        monkeypatch.delenv(var, raising=False)
    assert default_index_dir() == Path.home() / ".local" / "share" / "unsearch" / "index"
    assert _cache_dir() == Path.home() / ".cache" / "unsearch"
    assert setting("FAULT_PAUSE") is None
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_index_dir() == tmp_path / "data" / "unsearch" / "index"
    assert _cache_dir() == tmp_path / "cache" / "unsearch"
    monkeypatch.setenv("UNSEARCH_INDEX", str(tmp_path / "ix"))
    assert default_index_dir() == tmp_path / "ix"
    # An empty variable is unset, as the app's settings have it.
    monkeypatch.setenv("UNSEARCH_INDEX", "")
    assert default_index_dir() == tmp_path / "data" / "unsearch" / "index"
    assert setting("FAULT_PAUSE", {"UNSEARCH_FAULT_PAUSE": "swap"}) == "swap"
