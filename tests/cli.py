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

    def __call__(self, *args: str | bytes, stdin: bytes = b"") -> Ran:
        """`args` as the command line gives them (bytes decoded the way the interpreter
        decodes its arguments), `stdin` as the bytes on standard input."""
        argv = [os.fsdecode(a) for a in args]
        self.capsys.readouterr()  # what came before is not this command's
        self.monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        code = main(argv, self.segmenter)
        out, err = self.capsys.readouterr()
        return Ran(code, out, err)
