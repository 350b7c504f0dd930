"""Secrets (the bot token, the webhook secret) kept out of every log line, traceback and
report of an uncaught exception.

python-telegram-bot puts the token in every request URL, and errors may quote those URLs
(a proxy's error page, an exception's message), so redaction works on the finished text:
a filter on each handler of the root logger rewrites a record's message, its traceback and
its stack, and the process's exception hooks print redacted tracebacks.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType

MIN_PREFIX = 6
"""A run of this many characters of a secret's start, and anything token-like after it,
is redacted: cut-off copies (`AAHfak…`) and URL-encoded ones are caught too; case is
ignored (python-telegram-bot lowercases the descriptions of some errors)."""

_SECRET_CHARS = r"[A-Za-z0-9_\-]*"


class Redactor:
    """Replaces secrets in text. For a bot token (`<bot id>:<secret>`) the secret part is
    what is hidden; the bot id is public and stays readable."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._parts: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            part = secret.split(":", 1)[1] if ":" in secret else secret
            if part.strip():
                self._parts.add(part)
        alternatives = []
        for part in sorted(self._parts, key=len, reverse=True):
            alternatives.append(re.escape(part))
            if len(part) > MIN_PREFIX:
                alternatives.append(re.escape(part[:MIN_PREFIX]) + _SECRET_CHARS)
        self._pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("<redacted>", text)

    def excepthook(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        """`sys.excepthook`: the usual traceback, redacted."""
        sys.stderr.write(self("".join(traceback.format_exception(kind, value, tb))))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """`threading.excepthook`: the usual report, redacted."""
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        sys.stderr.write(f"Exception in thread {name}:\n")
        if args.exc_value is not None:
            self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message, traceback and stack with secrets redacted."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


def protect(secrets: Iterable[str]) -> Redactor:
    """From now on keep `secrets` out of everything the root logger's handlers write and of
    uncaught exceptions' tracebacks. Called by the entry point once logging is configured;
    calling it again adds secrets (a webhook secret made at start)."""
    handlers = logging.getLogger().handlers
    installed = [f for h in handlers for f in h.filters if isinstance(f, RedactingFilter)]
    redactor = installed[0].redactor if installed else Redactor()
    redactor.add(secrets)
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
    sys.excepthook = redactor.excepthook
    threading.excepthook = redactor.thread_excepthook
    return redactor
