"""Hostile questions at the command line: bytes that are not UTF-8, NUL and control
characters, and questions far longer than anyone asks, given as arguments, on stdin to the
`ask --json` batch, and to `chat`. The commands run in this process over a seeded data dir;
arguments that are not UTF-8 are also given to a real `unionbot` process, whose interpreter
decodes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.question import MAX_QUESTION_CHARS

from .cli import Cli
from .conftest import ROOT

TIMEOUT = 180  # a bound, not a timing assertion: the old code never returned on some inputs


@pytest.fixture
def unionbot(cli: Cli, seeded_data_dir: Path) -> Cli:
    """The command line in this process, over a data dir holding the seeds and their index."""
    return cli


def process(env: dict[str, str], *args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, env=env, cwd=ROOT, timeout=TIMEOUT
    )


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_batch_goes_on_after_a_line_that_is_not_utf8(unionbot: Cli) -> None:
    lines = [
        "密云区总工会培训了多少人".encode(),
        b"\xff\xfe\xc3\x28 not utf-8 \xe5\xaf",
        "大兴区总工会主席是谁".encode("gb18030"),
        "\x00密云区\x00总工会\x07培训了\x1b[31m多少人\x00".encode(),
        "大兴区总工会主席是谁".encode(),
    ]
    done = unionbot("ask", "--json", stdin=b"\n".join(lines) + b"\n")
    assert "Traceback" not in done.err, done.err
    objects = json_lines(done.out)
    assert len(objects) == len(lines), done.err
    assert "300余人" in objects[0]["results"][0]["snippet"] and objects[0]["answer"] in ("300余人", None)
    for bad in (objects[1], objects[2]):
        assert bad["question"] is None and bad["found"] is False
        assert set(bad) == {"question", "found", "error"} and "UTF-8" in bad["error"]
    assert objects[3]["found"] is True and "300余人" in objects[3]["results"][0]["snippet"]
    assert objects[4]["answer"] == "李达"
    assert done.code == 0  # the error objects stand in the output: the batch succeeded


def test_plain_batch_names_the_bad_line_and_goes_on(unionbot: Cli) -> None:
    done = unionbot("ask", stdin=b"\xff\xfe\n" + "大兴区总工会主席是谁\n".encode())
    assert "Traceback" not in done.err
    assert "答：李达" in done.out
    assert "line 1" in done.err and "UTF-8" in done.err
    assert done.code == 1


def test_control_characters_in_an_argument_are_stripped(unionbot: Cli) -> None:
    done = unionbot("ask", "--json", "\x07密云区\x1b[31m总工会\x7f培训了多少人\x01")
    assert done.code == 0, done.err
    [obj] = json_lines(done.out)
    assert obj["found"] is True and "300余人" in obj["results"][0]["snippet"]


def _capped(question: str) -> str:
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


def test_a_100k_character_question_is_capped(unionbot: Cli) -> None:
    words = ["密云区总工会培训了多少人"] + ["东城区职工交友活动平谷区工会"] * 7000  # about 100,000 characters
    question = " ".join(words)
    assert len(question) > 100_000
    capped = unionbot("ask", "--json", _capped(question))
    [expected] = json_lines(capped.out)
    # as arguments (one argument may not exceed 128 KiB on Linux)
    done = unionbot("ask", "--json", *words)
    assert done.code == 0, done.err
    [obj] = json_lines(done.out)
    assert obj["question"] == question  # the question as asked; the answer is for its start
    assert {k: v for k, v in obj.items() if k != "question"} == {k: v for k, v in expected.items() if k != "question"}
    assert f"{MAX_QUESTION_CHARS}" in done.err
    # on stdin, then the next line still answered
    done = unionbot("ask", "--json", stdin=(question + "\n大兴区总工会主席是谁\n").encode())
    assert done.code == 0, done.err
    first, second = json_lines(done.out)
    assert {k: v for k, v in first.items() if k != "question"} == {k: v for k, v in expected.items() if k != "question"}
    assert second["answer"] == "李达"
    # for people: the answer says the question was shortened
    done = unionbot("ask", *words)
    assert done.code == 0 and f"前 {MAX_QUESTION_CHARS} 个字" in done.out


def test_chat_survives_bad_bytes_and_long_questions(unionbot: Cli) -> None:
    long_question = "密云区总工会培训了多少人" + "工会" * 50_000
    stdin = b"\xff\xfe\n" + (long_question + "\n大兴区总工会主席是谁\n").encode()
    done = unionbot("chat", stdin=stdin)
    out = done.out
    assert done.code == 0 and "Traceback" not in done.err, done.err
    assert "UTF-8" in out and f"前 {MAX_QUESTION_CHARS} 个字" in out and "答：李达" in out


def test_a_question_argument_that_is_not_utf8(seeded_data_dir: Path, unionbot: Cli) -> None:
    """First in a real process, whose interpreter decodes the argument bytes it is given;
    then here, the bytes decoded the same way (os.fsdecode)."""
    env = {**os.environ, "UNIONBOT_DATA_DIR": str(seeded_data_dir)}
    done = process(env, "ask", b"\xe5\xaf\x86\xff\xfe\xba")
    err = done.stderr.decode("utf-8")
    assert done.returncode != 0 and done.stdout == b""
    assert len(err.splitlines()) == 1 and "UTF-8" in err and "Traceback" not in err
    here = unionbot("ask", b"\xe5\xaf\x86\xff\xfe\xba")
    assert (here.code, here.out, here.err) == (done.returncode, "", err)  # the process's own words
    here = unionbot("ask", "--json", b"\xff\xfe")
    assert here.code != 0 and "Traceback" not in here.err
    [obj] = json_lines(here.out)
    assert obj["question"] is None and obj["found"] is False and "UTF-8" in obj["error"]
