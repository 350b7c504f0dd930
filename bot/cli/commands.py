"""The `unionbot` command line: thin commands over the library and the retrieval package."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import ValidationError

from bot.indexlock import IndexLockTimeout
from bot.library import Library
from bot.question import (
    MAX_QUESTION_CHARS,
    SHORTENED_NOTE,
    QuestionError,
    check_decoded,
    decode_question,
    prepare_question,
)
from bot.richtext import plain
from bot.settings import Settings
from bot.storage.store import AddOutcome, StoreError
from retrieval import Article, RetrievalError, Segmenter

from .chat import run_chat
from .compose import Context
from .console import answer_json, error_json, render_answer
from .database import add_db_parser
from .evaluate import evaluate
from .issues import IssueNameError, resolve_issue

log = logging.getLogger(__name__)


class UsageError(Exception):
    """A command was given something it cannot use; printed as one line."""


def article_json(article: Article) -> dict[str, object]:
    """An article as `articles --json` writes it, with the URL of its web page when it
    was taken from one."""
    fields: dict[str, object] = {
        "issue": article.issue,
        "article_id": article.article_id,
        "title": article.title,
        "pretitle": article.pretitle,
        "subtitle": article.subtitle,
        "section": article.section,
        "kind": article.kind.value,
        "reporters": list(article.reporters),
        "source": article.source,
        "paragraphs": list(article.paragraphs),
    }
    if article.url is not None:
        fields["url"] = article.url
    return fields


def cmd_articles(args: argparse.Namespace, context: Context) -> int:
    """List the parsed articles, of all issues or of the ones named (ids or prefixes)."""
    with context.store() as store:
        wanted: list[str] | None = None
        if args.issues:
            known = store.issue_ids()
            wanted = list(dict.fromkeys(resolve_issue(name, known) for name in args.issues))
        articles = store.articles(wanted)
    if args.json:
        json.dump([article_json(a) for a in articles], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    for a in articles:
        who = "、".join(a.reporters)
        extra = f" [{a.section}]" if a.section else ""
        kind = "图" if a.kind.value == "photo" else "文"
        print(f"{a.issue}  {a.ordinal:>2} {kind} {a.article_id}  {a.title}{extra}  {who}")
    return 0


def cmd_ingest(args: argparse.Namespace, context: Context) -> int:
    """Add issue files (files, folders or URLs); bad ones are named and skipped."""
    with context.library() as library:
        report = library.ingest(list(args.targets))
    for result in report.refused:
        print(f"unionbot: ingest: {result.name}: {result.reason}", file=sys.stderr)
    print(
        f"{report.count(AddOutcome.ADDED)} added, {report.count(AddOutcome.UPDATED)} updated, "
        f"{report.count(AddOutcome.UNCHANGED)} unchanged, {len(report.refused)} refused",
        file=sys.stderr,
    )
    return 1 if report.refused else 0


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def cmd_ask(args: argparse.Namespace, context: Context) -> int:
    """Answer one question; with --json and no question, one question a line from stdin."""
    if not args.question and not args.json and sys.stdin.isatty():
        raise UsageError("ask needs a QUESTION (or --json with questions on stdin)")
    if args.question:
        text = " ".join(args.question)
        try:
            check_decoded(text)
        except QuestionError as exc:
            if not args.json:
                raise UsageError(str(exc)) from None
            _print_json(error_json(str(exc)))
            return 1
    with context.library() as library:
        if args.question:
            _answer(library, text, args.json, color=sys.stdout.isatty())
            return 0
        library.corpus  # noqa: B018 (load once before the first question)
        unread = 0
        for number, raw in enumerate(_stdin_lines(), start=1):
            try:
                line = decode_question(raw.rstrip(b"\r\n"))
            except QuestionError as exc:
                unread += 1
                if args.json:
                    _print_json(error_json(str(exc)))
                else:
                    print(f"unionbot: ask: line {number}: {exc}", file=sys.stderr, flush=True)
                continue
            _answer(library, line, args.json, color=False, where=f"line {number}: ")
    # With --json an unreadable line is reported in the output stream itself (an error
    # object in its place), so the batch as a whole succeeded; plain mode has only stderr.
    return 1 if unread and not args.json else 0


def _stdin_lines() -> Iterator[bytes]:
    """Lines of stdin as bytes, so that each is decoded (or refused) on its own."""
    binary = getattr(sys.stdin, "buffer", None)
    if isinstance(binary, io.BufferedIOBase):
        yield from binary
    else:  # a text stream put in place of stdin
        for line in sys.stdin:
            yield line.encode("utf-8", "surrogateescape")


def _answer(library: Library, text: str, as_json: bool, color: bool, where: str = "") -> None:
    """Answer `text` (cleaned and capped) and print the answer; JSON echoes `text` as asked."""
    question = prepare_question(text)
    answer = library.answer(question.text)
    if as_json:
        if question.shortened:
            print(
                f"unionbot: ask: {where}the question was shortened to its first {MAX_QUESTION_CHARS} characters",
                file=sys.stderr,
            )
        _print_json({**answer_json(answer), "question": text})
        return
    rendered = render_answer(answer, color=color)
    if question.shortened:
        rendered = SHORTENED_NOTE + "\n" + rendered
    print(rendered + ("\n" if where else ""), flush=True)


def cmd_chat(args: argparse.Namespace, context: Context) -> int:
    """An interactive console session over the corpus."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")  # a line that is not UTF-8 is named, not fatal
    with context.library() as library:
        library.corpus  # noqa: B018 (load before the first prompt)
        return run_chat(library, sys.stdin, sys.stdout)


def cmd_eval(args: argparse.Namespace, context: Context) -> int:
    """Score the answers on a QA file (one JSON object a line: q, article, answer)."""
    path = Path(args.qa)
    if not path.is_file():
        raise UsageError(f"no such QA file: {path}")
    with context.library() as library:
        figures = evaluate(library, path)
    if not args.quiet:
        for miss in figures.misses:
            print(f"  {miss}")
    print(figures.line())
    return 0 if figures.passes(args.min_article, args.min_answer, args.min_abstain) else 1


def cmd_digest(args: argparse.Namespace, context: Context) -> int:
    """Print the digest of an issue (id or prefix) as subscribers will get it."""
    from bot.digests.digest import digest_parts  # the digest's rendering, for this command only

    with context.store() as store:
        issue_id = resolve_issue(args.issue, store.issue_ids())
        parts = digest_parts(issue_id, store.articles([issue_id]))
    for i, part in enumerate(parts, start=1):
        if len(parts) > 1:
            print(f"--- message {i}/{len(parts)} ---")
        print(part.text if args.html else plain(part.text))
        if part.keyboard is not None:
            print("[" + "] [".join(b.text for b in part.keyboard.buttons) + "]")
    return 0


def cmd_serve(args: argparse.Namespace, context: Context) -> int:
    """Run the Telegram bot."""
    if context.settings.telegram_bot_token is None:
        raise UsageError("set TELEGRAM_BOT_TOKEN to run the bot (see README: create a bot with BotFather)")
    from bot.telegram.app import ServeError, serve

    try:
        return serve(context.settings, context.segmenter)
    except ServeError as exc:
        raise UsageError(str(exc)) from None


Command = Callable[[argparse.Namespace, Context], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unionbot", description="Cited answers from the union newspaper.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("articles", help="list the parsed articles")
    p.add_argument("--json", action="store_true", help="one JSON list of article objects")
    p.add_argument("issues", nargs="*", metavar="ISSUE", help="issue ids (file stems) or unique prefixes; default all")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("--json", action="store_true", help="JSON output; without QUESTION, one question a line on stdin")
    p.add_argument("question", nargs="*", metavar="QUESTION")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("chat", help="ask questions in an interactive console session")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("eval", help="score the answers on a QA file")
    p.add_argument("qa", metavar="QA.jsonl")
    p.add_argument("--min-article", type=float, default=0.95)
    p.add_argument("--min-answer", type=float, default=0.95)
    p.add_argument("--min-abstain", type=float, default=0.8)
    p.add_argument("--quiet", action="store_true", help="print only the figures")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("digest", help="print the digest of an issue, as subscribers get it")
    p.add_argument("issue", metavar="ISSUE", help="issue id (file stem) or a unique prefix of it")
    p.add_argument("--html", action="store_true", help="print the HTML sent to Telegram")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("serve", help="run the Telegram bot")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ingest", help="add issue files: files, folders or http(s) URLs")
    p.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    p.set_defaults(func=cmd_ingest)

    add_db_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, segmenter: Segmenter | None = None) -> int:
    """The `unionbot` command; `segmenter` may be given to share one (see `Context`)."""
    # python-telegram-bot 22: durations as timedelta (the int form is deprecated and warns)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("httpx", "httpcore"):  # their request lines hold the bot token
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"unionbot: bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}", file=sys.stderr)
        return 2
    func: Command = args.func
    try:
        return func(args, Context(settings, segmenter))
    except (UsageError, IssueNameError, StoreError, RetrievalError, IndexLockTimeout) as exc:
        print(f"unionbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
