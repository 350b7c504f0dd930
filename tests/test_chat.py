"""`unionbot chat`: the console conversation, with follow-ups; `ask` stays stateless."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.chat import ChatSession
from bot.cli.compose import opened_library
from bot.settings import Settings
from retrieval import Segmenter

from .cli import Cli


@pytest.fixture
def run_cli(cli: Cli, seeded_data_dir: Path) -> Callable[..., str]:
    """The command line over the seeds: what it prints."""

    def run(*args: str, stdin: str) -> str:
        done = cli(*args, stdin=stdin.encode())
        assert done.code == 0, done.err[-2000:]
        return done.out

    return run


def test_console_chat_follows_up_on_the_previous_question(run_cli: Callable[..., str]) -> None:
    lines = ["密云区总工会培训了多少人", "谁写的这篇？", "那朝阳呢？", "丰台区总工会主席是谁", "那大兴呢？", "原文"]
    out = run_cli("chat", stdin="\n".join(lines) + "\n")
    assert "300余人" in out and "答：王路曼" in out and "【王路曼】" in out
    assert "↪ 接着问：朝阳区总工会培训了多少人" in out
    assert "答：连宇" in out and "↪ 接着问：大兴区总工会主席是谁" in out and "答：李达" in out
    assert "《市推进产业工人队伍建设改革工作评价组赴大兴调研》" in out
    assert "本报讯（记者 孙艳）" in out  # 原文: the whole article cited for 大兴


def test_ask_is_stateless(run_cli: Callable[..., str]) -> None:
    out = run_cli("ask", "--json", stdin="密云区总工会培训了多少人\n谁写的这篇？\n")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["answer"] in ("300余人", None) and "300余人" in first["results"][0]["snippet"]
    assert second["question"] == "谁写的这篇？" and second["answer"] != "王路曼"


def test_console_context_expires(seeded_settings: Settings, segmenter: Segmenter) -> None:
    settings = seeded_settings
    now = [datetime(2024, 5, 1, 9, 0, tzinfo=UTC)]
    out = io.StringIO()
    with opened_library(settings, segmenter) as library:
        session = ChatSession(library, out, color=False, clock=lambda: now[0])
        session.handle("丰台区总工会主席是谁")
        now[0] += timedelta(seconds=settings.followup_seconds + 1)
        session.handle("那大兴呢？")
    assert "答：连宇" in out.getvalue() and "接着问" not in out.getvalue()
