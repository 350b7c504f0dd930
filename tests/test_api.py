"""The packages' public API is what their `__all__` says, and the import direction holds."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import retrieval

from .conftest import SEEDS

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_FREE = ("bot/storage", "bot/intake", "bot/digests")


def imports(path: Path) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every absolute import in a module, with the module it names."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, node.module


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


def test_storage_intake_and_digests_never_import_telegram() -> None:
    checked = 0
    for room in TELEGRAM_FREE:
        for path in (ROOT / room).rglob("*.py"):
            checked += 1
            for _, name in imports(path):
                forbidden = ("telegram", "bot.telegram", "bot.cli")
                assert not any(name == f or name.startswith(f + ".") for f in forbidden), f"{path} imports {name}"
    assert checked > 20


def test_bot_uses_retrieval_only_through_its_public_names() -> None:
    for path in (ROOT / "bot").rglob("*.py"):
        for node, name in imports(path):
            if name != "retrieval" and not name.startswith("retrieval."):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            assert isinstance(node, ast.ImportFrom) and name == "retrieval", f"{where} imports {name}"
            for alias in node.names:
                assert alias.name in retrieval.__all__, f"{where} imports {alias.name}, not in retrieval.__all__"


def test_the_digest_command_runs_without_telegram(tmp_path: Path) -> None:
    """`unionbot digest` (and the command line that is not `serve`) loads no python-telegram-bot;
    seeding a new data dir from files loads no HTTP client or web page reader either (they
    are for URLs: a command starts quicker without them)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001_4042bde3bc384a6e.txt").write_bytes((SEEDS / "001_4042bde3bc384a6e.txt").read_bytes())
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        "status = main(['digest', '001'])\n"
        "loaded = sorted(m for m in sys.modules if m == 'telegram' or m.startswith(('telegram.', 'bot.telegram')))\n"
        "web = sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'trafilatura', 'feedparser')"
        " or m.startswith('bot.intake.web'))\n"
        "print('WEB', web)\n"
        "print('LOADED', loaded, status)\n"
    )
    env = {**os.environ, "UNIONBOT_DATA_DIR": str(tmp_path / "data"), "UNIONBOT_SEEDS_DIR": str(seeds)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "密云区总工会推进经费收支规范化管理" in done.stdout
    assert done.stdout.strip().endswith("LOADED [] 0")
    assert "WEB []" in done.stdout
