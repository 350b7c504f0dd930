"""The packages' public API is what their `__all__` says, and the import direction holds."""

from __future__ import annotations

import ast
from pathlib import Path

import retrieval

ROOT = Path(__file__).resolve().parent.parent


def test_all_names_exist() -> None:
    for name in retrieval.__all__:
        assert hasattr(retrieval, name), name
    assert sorted(retrieval.__all__) == retrieval.__all__


def test_retrieval_never_imports_bot_or_telegram() -> None:
    for path in (ROOT / "retrieval").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("bot", "telegram", "pydantic_settings")), f"{path.name} imports {name}"
