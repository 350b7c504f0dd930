"""The README says exactly what the code does: every command, setting and make target it
names exists, and every setting is in its settings table."""

from __future__ import annotations

import argparse
import re

from bot.cli.commands import build_parser
from bot.settings import Settings

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
SETTING = re.compile(r"\b(?:UNIONBOT|TELEGRAM)_[A-Z0-9_]*[A-Z0-9]\b")


def commands() -> set[str]:
    parser = build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


def setting_names() -> set[str]:
    names = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        choices = getattr(alias, "choices", [alias])
        names.update(c for c in choices if isinstance(c, str) and c.isupper())
    return names


def settings_table() -> str:
    section = README.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_every_command_named_exists() -> None:
    named = set(re.findall(r"\bunionbot ([a-z][a-z-]*)", README))
    assert named, "the README names no command"
    assert named <= commands(), named - commands()
    assert commands() <= named, f"not in the README: {commands() - named}"


def test_every_setting_named_exists_and_every_setting_is_in_the_table() -> None:
    # UNIONBOT_TEST_* variables configure the test suite (its PostgreSQL server), not the bot
    named = {name for name in SETTING.findall(README) if not name.startswith("UNIONBOT_TEST_")}
    assert named <= setting_names(), f"named in the README but not a setting: {named - setting_names()}"
    table = set(SETTING.findall(settings_table()))
    assert setting_names() <= table, f"settings missing from the README's table: {setting_names() - table}"


def test_every_make_target_named_exists() -> None:
    targets = set(re.findall(r"^([a-z][a-z0-9_-]*):", MAKEFILE, flags=re.MULTILINE))
    named = set(re.findall(r"\bmake ([a-z][a-z0-9_-]*)", README))
    assert named, "the README names no make target"
    assert named <= targets, named - targets


def test_the_benchmark_scripts_named_exist() -> None:
    for script in re.findall(r"\b(benchmarks/[a-z_]+\.py)\b", README + MAKEFILE):
        assert (ROOT / script).is_file(), script


def test_code_cites_no_document_outside_the_repository() -> None:
    for folder in ("bot", "retrieval", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            for cited in re.findall(r"\b([A-Z][A-Z_]*\.md)\b", path.read_text(encoding="utf-8")):
                assert (ROOT / cited).is_file(), f"{path.relative_to(ROOT)} cites {cited}, which is not in the repository"
