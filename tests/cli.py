"""`unionbot` run inside the test process: the command line's own entry point with its
arguments, standard input and output, sharing the session's segmenter.

The tests that must prove what only a real process shows (exit on a signal, a terminal,
argument bytes as the interpreter decodes them, an installed package) start one; the rest
run the same entry point here, which is a few seconds cheaper a command."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from typing import Any, NamedTuple

import pytest

from bot.cli import main
from retrieval import Segmenter


class Ran(NamedTuple):
    """What a command returned and printed."""

    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines()]


class Cli:
    """Runs `unionbot ARGS` in this process; its environment is the test's."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, segmenter: Segmenter):
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.segmenter = segmenter

    def __call__(self, *args: str | bytes, stdin: bytes = b"", within: float | None = None) -> Ran:
        """`args` as the command line gives them (bytes decoded the way the interpreter
        decodes its arguments), `stdin` as the bytes on standard input. With `within`,
        the command runs in a thread, and the test fails (instead of hanging) when it has
        not returned after that many seconds: a bound, not a timing."""
        argv = [os.fsdecode(a) for a in args]
        self.capsys.readouterr()  # what came before is not this command's
        self.monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        if within is None:
            code = main(argv, self.segmenter)
        else:
            code = self._bounded(argv, within)
        out, err = self.capsys.readouterr()
        return Ran(code, out, err)

    def _bounded(self, argv: list[str], seconds: float) -> int:
        codes: list[int] = []
        errors: list[BaseException] = []

        def run() -> None:
            try:
                codes.append(main(argv, self.segmenter))
            except BaseException as exc:  # raised again in the test's thread
                errors.append(exc)

        worker = threading.Thread(target=run, name="unionbot", daemon=True)
        worker.start()
        worker.join(seconds)
        assert not worker.is_alive(), f"unionbot {' '.join(argv)[:200]} did not return within {seconds} s"
        if errors:
            raise errors[0]
        return codes[0]
