"""`unionbot chat`: questions and answers in the console, with more results and full articles."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.dialogue import converse
from bot.library import Library
from bot.question import SHORTENED_NOTE, QuestionError, check_decoded, prepare_question
from retrieval import Answer, FollowupKind, Turn

from .console import NO_MORE, render_answer, render_article, render_hit

HELP = """输入问题即可提问，例如：密云区总工会培训了多少人
命令：
  /more        更多结果
  /article N   第 N 条结果的全文（默认第 1 条）
  /help        帮助
  /quit        退出（也可按 Ctrl-D）
几分钟内可以接着上一问追问，例如：那朝阳呢？ 谁写的这篇？ 具体哪天？ 原文"""


def _readline_history(path: Path) -> Callable[[], None]:
    """Line editing and a history kept in the data dir, where readline exists."""
    try:
        import readline
    except ImportError:  # pragma: no cover (not on every platform)
        return lambda: None
    try:
        readline.read_history_file(path)
    except OSError:
        pass

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass

    return save


class ChatSession:
    """One console conversation: the last answer is kept for /more and /article, and the
    last question for follow-ups (the session is one conversation, kept by the process)."""

    def __init__(
        self, library: Library, out: TextIO, color: bool, clock: Callable[[], datetime] | None = None
    ) -> None:
        self.library = library
        self.out = out
        self.color = color
        self.last: Answer | None = None
        self.shown = 0
        self.turn: Turn | None = None
        self.window = timedelta(seconds=library.settings.followup_seconds)
        self.clock = clock or (lambda: datetime.now(UTC))

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def handle(self, line: str) -> bool:
        """Act on one input line; False when the session should end."""
        try:
            line = check_decoded(line).strip()
        except QuestionError:
            self.say("这一行不是有效的 UTF-8 文字，没有回答。(not valid UTF-8)")
            return True
        if not line:
            return True
        command, _, arg = line.partition(" ")
        if command in ("/quit", "/exit", "/q"):
            return False
        if command in ("/help", "/start", "?"):
            self.say(HELP)
        elif command == "/more":
            self.more()
        elif command == "/article":
            self.article(arg.strip())
        else:
            self.ask(line)
        return True

    def ask(self, text: str) -> None:
        question = prepare_question(text)
        if question.shortened:
            self.say(SHORTENED_NOTE)
        exchange = converse(self.library, question.text, self.turn, self.clock(), self.window, limit=10)
        self.turn = exchange.turn
        if exchange.article is not None:
            self.say(render_article(exchange.article))
            return
        if exchange.answer is None:
            return
        if exchange.resolution.kind is FollowupKind.MORE and not exchange.answer.found:
            self.say(NO_MORE)
            return
        self.last = exchange.answer
        self.shown = 1
        if exchange.rewritten is not None:
            self.say(f"↪ 接着问：{exchange.rewritten}")
        self.say(render_answer(self.last, self.color))
        if self.last.found and len(self.last.hits) > 1:
            self.say("（/more 查看更多结果，/article 查看全文）")

    def more(self) -> None:
        if self.last is None or not self.last.found:
            self.say("还没有可以展开的结果，先提一个问题吧。")
            return
        hits = self.last.hits[self.shown : self.shown + 3]
        if not hits:
            self.say("没有更多结果了。")
            return
        for i, hit in enumerate(hits, start=self.shown + 1):
            self.say(render_hit(hit, i, self.color))
        self.shown += len(hits)

    def article(self, arg: str) -> None:
        if self.last is None or not self.last.found:
            self.say("还没有结果，先提一个问题吧。")
            return
        try:
            number = int(arg) if arg else 1
        except ValueError:
            self.say("用法：/article N，N 是结果的序号。")
            return
        if not 1 <= number <= len(self.last.hits):
            self.say(f"只有 {len(self.last.hits)} 条结果。")
            return
        self.say(render_article(self.last.hits[number - 1].article))


def run_chat(library: Library, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Read questions until end of input or /quit."""
    interactive = stdin.isatty()
    save_history = _readline_history(library.settings.data_dir / "chat_history") if interactive else None
    session = ChatSession(library, out, color=out.isatty())
    if interactive:
        session.say("工会报纸问答 · 输入问题，/help 查看命令，/quit 退出")
    try:
        while True:
            try:
                line = input("问> ") if interactive else stdin.readline()
            except EOFError:
                break
            if not interactive and line == "":
                break
            if not session.handle(line):
                break
    except KeyboardInterrupt:
        session.say("")
    finally:
        if save_history is not None:
            save_history()
    return 0
