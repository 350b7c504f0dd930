"""The `unionbot` command line: thin commands over the library and the retrieval package."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

from retrieval import Article, RetrievalError

from .chat import run_chat
from .console import answer_json, render_answer
from .evaluate import evaluate
from .indexlock import IndexLockTimeout
from .library import Library, open_store
from .settings import Settings
from .store import AddOutcome, StoreError

log = logging.getLogger(__name__)


class UsageError(Exception):
    """A command was given something it cannot use; printed as one line."""


def article_json(article: Article) -> dict[str, object]:
    """An article as CONTRACT.md's `articles --json` object."""
    return {
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


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    """List the parsed articles, of all issues or of the ones named."""
    with open_store(settings) as store:
        wanted: list[str] | None = list(args.issues) or None
        if wanted:
            known = set(store.issue_ids())
            missing = [i for i in wanted if i not in known]
            if missing:
                raise UsageError(f"no such issue: {', '.join(missing)}")
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


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Add issue files (files, folders or URLs); bad ones are named and skipped."""
    with Library(settings) as library:
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


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question; with --json and no question, one question a line from stdin."""
    question = " ".join(args.question)
    with Library(settings) as library:
        if args.question:
            answer = library.answer(question)
            if args.json:
                _print_json(answer_json(answer))
            else:
                print(render_answer(answer, color=sys.stdout.isatty()))
            return 0
        if not args.json and sys.stdin.isatty():
            raise UsageError("ask needs a QUESTION (or --json with questions on stdin)")
        library.corpus  # noqa: B018 (load once before the first question)
        for line in sys.stdin:
            line = line.rstrip("\r\n")
            answer = library.answer(line)
            if args.json:
                _print_json(answer_json(answer))
            else:
                print(render_answer(answer) + "\n", flush=True)
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    """An interactive console session over the corpus."""
    with Library(settings) as library:
        library.corpus  # noqa: B018 (load before the first prompt)
        return run_chat(library)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Score the answers on a QA file (one JSON object a line: q, article, answer)."""
    path = Path(args.qa)
    if not path.is_file():
        raise UsageError(f"no such QA file: {path}")
    with Library(settings) as library:
        figures = evaluate(library, path)
    if not args.quiet:
        for miss in figures.misses:
            print(f"  {miss}")
    print(figures.line())
    return 0 if figures.passes(args.min_article, args.min_answer, args.min_abstain) else 1


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Print the digest of an issue as subscribers will get it."""
    from .render import digest_parts, plain

    with open_store(settings) as store:
        if args.issue not in store.issue_ids():
            raise UsageError(f"no such issue: {args.issue}")
        parts = digest_parts(args.issue, store.articles([args.issue]))
    for i, part in enumerate(parts, start=1):
        if len(parts) > 1:
            print(f"--- message {i}/{len(parts)} ---")
        print(part.text if args.html else plain(part.text))
        if part.keyboard is not None:
            labels = [b.text for row in part.keyboard.inline_keyboard for b in row]
            print("[" + "] [".join(labels) + "]")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot."""
    if settings.telegram_bot_token is None:
        raise UsageError("set TELEGRAM_BOT_TOKEN to run the bot (see README: create a bot with BotFather)")
    from .app import serve

    return serve(settings)


Command = Callable[[argparse.Namespace, Settings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="unionbot", description="Cited answers from the union newspaper.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("articles", help="list the parsed articles")
    p.add_argument("--json", action="store_true", help="one JSON list of article objects")
    p.add_argument("issues", nargs="*", metavar="ISSUE", help="issue ids (file stems); default all")
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
    p.add_argument("issue", metavar="ISSUE", help="issue id (file stem)")
    p.add_argument("--html", action="store_true", help="print the HTML sent to Telegram")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("serve", help="run the Telegram bot")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("ingest", help="add issue files: files, folders or http(s) URLs")
    p.add_argument("targets", nargs="+", metavar="PATH_OR_URL")
    p.set_defaults(func=cmd_ingest)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # python-telegram-bot 22: durations as timedelta (the int form is deprecated and warns)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        print(f"unionbot: bad setting {'.'.join(map(str, first['loc']))}: {first['msg']}", file=sys.stderr)
        return 2
    func: Command = args.func
    try:
        return func(args, settings)
    except (UsageError, StoreError, RetrievalError, IndexLockTimeout) as exc:
        print(f"unionbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
