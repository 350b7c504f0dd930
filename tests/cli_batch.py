"""Several `unionbot` commands in one real process, one after another.

For tests whose point is the process they run in (one without write access to the data
dir, say) but that give it several commands: starting the interpreter and loading the
dictionary once, not once a command. Run as `python -m tests.cli_batch` from the top of
the checkout, with a JSON list of {"argv": [...], "stdin": "..."} on stdin; it prints a
JSON list of {"code", "out", "err"}, one a command, each command's own output.

Each command runs the command line's entry point with its own standard input and output;
their warnings go to the standard error of the command running, in the entry point's
format (the entry point's own logging set-up does nothing once this one is made).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
from typing import Any, TextIO

from bot.cli import main
from bot.library import build_segmenter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # as the entry point logs


class _CurrentStderr(io.TextIOBase):
    """Writes to whatever sys.stderr is at the moment of writing."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def run(commands: list[dict[str, Any]], real_stdout: TextIO) -> None:
    logging.basicConfig(level=logging.WARNING, format=FORMAT, stream=_CurrentStderr())
    segmenter = build_segmenter()
    results = []
    for command in commands:
        out, err = io.StringIO(), io.StringIO()
        sys.stdin = io.TextIOWrapper(io.BytesIO(command.get("stdin", "").encode()), encoding="utf-8")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(command["argv"], segmenter)
        results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
    json.dump(results, real_stdout, ensure_ascii=False)
    real_stdout.flush()


if __name__ == "__main__":
    run(json.load(sys.stdin), sys.stdout)
