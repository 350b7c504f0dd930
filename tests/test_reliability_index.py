"""The saved search index under crashes, damage and read-only data dirs, driven through
real `unionbot` processes: a build killed in the middle blocks nothing, a damaged index
is rebuilt from the database, and a read-only data dir still answers."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.compose import opened_library
from bot.library import ingest_targets
from bot.settings import Settings
from bot.storage.store import Store
from retrieval.corpus import Corpus
from retrieval.segment import Segmenter

from . import forkserver
from .cli import Cli, Ran
from .conftest import ROOT, SEEDS

QUESTION = "密云区总工会培训了多少人"
ANSWER = "300余人"
LATER_QUESTION = "东城区覆盖了多少家企业"
LATER_ANSWER = "8327家"
FIRST_SEED = SEEDS / "001_4042bde3bc384a6e.txt"
LATER_SEED = SEEDS / "002_d64f82ff6841a4f4.txt"
PLACES = ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "通州区", "顺义区", "大兴区")


def cli_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONBOT_", "TELEGRAM_"))}
    env.update({"UNIONBOT_DATA_DIR": str(data), "UNIONBOT_SEEDS_DIR": "", "PYTHONDONTWRITEBYTECODE": "1"})
    env.update(extra)
    return env


def unionbot(
    data: Path, *args: str, timeout: float = 120, stdin: str = "", drop: tuple[int, ...] = (),
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`unionbot ARGS` in a process of its own, forked from the fork server
    (tests/forkserver.py), without the capabilities `drop` (see `read_only`)."""
    return forkserver.server().run(list(args), env or cli_env(data), ROOT, data.parent / "runs", timeout, stdin, drop)


def unionbot_each(data: Path, *commands: tuple[str, ...] | tuple[tuple[str, ...], str], drop: tuple[int, ...] = ()) -> list[Ran]:
    """Commands run one after another, each in a process of its own (`unionbot`): a command
    is its arguments, or its arguments and its standard input."""
    ran = []
    for command in commands:
        argv, stdin = (command[0], command[1]) if command and isinstance(command[0], tuple) else (command, "")
        done = unionbot(data, *argv, stdin=str(stdin), drop=drop)
        ran.append(Ran(done.returncode, done.stdout, done.stderr))
    return ran


def answer_line(result: subprocess.CompletedProcess[str] | Ran) -> str:
    """The first line of an answer: 答：… when the answer model is sure, else the cited sentence."""
    if isinstance(result, Ran):
        assert result.code == 0 and "Traceback" not in result.err, result.err
        return result.out.splitlines()[0]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout.splitlines()[0]


# -- a build killed in the middle ---------------------------------------------------


def write_issues(folder: Path, count: int) -> int:
    """Issue files of ten articles of ten paragraphs each; returns the paragraphs written."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        lines = ["# 第一版 要闻", ""]
        for a in range(10):
            place = PLACES[(i + a) % len(PLACES)]
            lines += [f"## {place}职工书屋第{i}期第{a}场读书会", ""]
            for p in range(10):
                lines += [
                    f"{place}第{i}批第{a}组读书会在职工书屋举行，到场读者{i * 7 + a * 3 + p}位，"
                    f"交流了第{p}本书的读书心得和体会。",
                    "",
                ]
        (folder / f"gen_{i:03d}.md").write_text("\n".join(lines), encoding="utf-8")
    return count * 100


def children(pid: int) -> set[int]:
    """Processes whose parent is `pid`."""
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.update(int(x) for x in handle.read().split())
    except OSError:
        pass
    return found


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to watch worker processes")
def test_a_build_killed_in_the_middle_blocks_nothing(
    tmp_path: Path, data_dir: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    issues = tmp_path / "issues"
    assert write_issues(issues, 12) > 1000  # from 1,000 paragraphs the build segments in two worker processes
    shutil.copy(FIRST_SEED, issues)
    data = data_dir
    parallel = {"UNIONBOT_INDEX_WORKERS": "2", "UNIONBOT_INDEX_PARALLEL_PARAGRAPHS": "1000"}
    env = cli_env(data, **parallel)
    errors = tmp_path / "ingest.err"
    ingest = forkserver.server().start(["ingest", str(issues)], env, ROOT, tmp_path / "ingest.out", errors)
    workers: set[int] = set()
    try:
        def segmenting() -> bool:
            if ingest.poll() is not None:
                raise AssertionError("the build finished before it could be interrupted: " + errors.read_text())
            workers.update(children(ingest.pid))
            return any(cpu_seconds(w) > 0.3 for w in workers)

        wait_for(segmenting, 120, "the index build's worker processes")
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(timeout=30)
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()

    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    # the next command (here, in this process, segmenting in it) finds no lock held and no
    # half-written version in its way, and builds the index anew
    asked = cli("ask", QUESTION, within=180)
    assert ANSWER in answer_line(asked)
    assert (data / "index" / "CURRENT").exists()  # and it saved the index it built
    wait_for(lambda: not any(alive(w) for w in workers), 30, "the interrupted build's workers to exit")


def test_a_waiting_process_names_the_lock_and_gives_up(data_dir: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    data = data_dir
    (data / "index").mkdir(parents=True)
    with open(data / "index" / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        env = cli_env(data, UNIONBOT_SEEDS_DIR=str(SEEDS), UNIONBOT_INDEX_LOCK_TIMEOUT_SECONDS="0.2")
        result = unionbot(data, "ask", QUESTION, env=env, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("unionbot: ") and ".lock" in last and str(os.getpid()) in last, result.stderr
    assert "waiting" in result.stderr and str(os.getpid()) in result.stderr.splitlines()[0]
    # once the lock is free, the same command answers (here, in this process)
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", str(SEEDS))
    monkeypatch.setenv("UNIONBOT_INDEX_LOCK_TIMEOUT_SECONDS", "1")
    assert ANSWER in answer_line(cli("ask", QUESTION))


# -- damage -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter) -> Path:
    """A data dir with two issues stored and a saved index over them."""
    seeds = tmp_path_factory.mktemp("seeds")
    for seed in (FIRST_SEED, LATER_SEED):
        shutil.copy(seed, seeds)
    data = tmp_path_factory.mktemp("pristine") / "data"
    with opened_library(Settings(data_dir=data, seeds_dir=seeds), segmenter) as library:
        assert ANSWER in library.answer(QUESTION).hits[0].snippet
    return data


def saved_files(data: Path) -> dict[str, Path]:
    """Every saved index file, by its kind (path inside the live version)."""
    index = data / "index"
    live = index / (index / "CURRENT").read_text().strip()
    files = {"CURRENT": index / "CURRENT"}
    for path in sorted(live.rglob("*")):
        if path.is_file():
            parts = path.relative_to(live).parts
            kind = "/".join("s-*" if p.startswith("s-") else p for p in parts)
            files[kind] = path
    return files


FILE_KINDS = [
    "CURRENT", "meta.json", "manifest.json", "s-*/passages.bin", "s-*/passages.offsets.npy",
    "s-*/articles.bin", "s-*/articles.offsets.npy", "s-*/first_passage.npy", "s-*/bm25/meta.json",
    "s-*/bm25/tokens.json", "s-*/bm25/terms.npy", "s-*/bm25/indptr.npy", "s-*/bm25/indices.npy",
    "s-*/bm25/tf.npy", "s-*/bm25/doc_len.npy",
]


def damage(path: Path, how: str) -> None:
    if how == "delete":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    else:
        size = path.stat().st_size
        path.write_bytes(bytes((i * 131 + 7) % 251 for i in range(size)))


def test_every_kind_of_saved_file_is_covered(pristine: Path) -> None:
    assert sorted(saved_files(pristine)) == sorted(FILE_KINDS)


@pytest.mark.parametrize("how", ["empty", "garbage", "delete"])
@pytest.mark.parametrize("kind", FILE_KINDS)
def test_a_damaged_index_file_is_rebuilt_from_the_database(
    pristine: Path, tmp_path: Path, segmenter: Segmenter, kind: str, how: str,
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    damage(saved_files(data)[kind], how)
    settings = Settings(data_dir=data, seeds_dir=None)
    with caplog.at_level(logging.WARNING), opened_library(settings, segmenter) as library:
        assert ANSWER in library.answer(QUESTION).hits[0].snippet
        assert LATER_ANSWER in library.answer(LATER_QUESTION).hits[0].snippet
    if not (kind == "CURRENT" and how == "delete"):  # no index at all is no damage
        assert any("search index" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)

    def no_rebuild(*args: object, **kwargs: object) -> Corpus:
        raise AssertionError("the index was rebuilt again: the damage survived")

    monkeypatch.setattr(Corpus, "build", no_rebuild)
    monkeypatch.setattr(Corpus, "extend", no_rebuild)
    caplog.clear()
    with caplog.at_level(logging.WARNING), opened_library(settings, segmenter) as library:
        assert ANSWER in library.answer(QUESTION).hits[0].snippet
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    versions = [p.name for p in (data / "index").iterdir() if p.name.startswith(("c-", ".c-"))]
    assert len(versions) == 1, versions


def test_ask_says_once_that_it_rebuilt_a_damaged_index(pristine: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    damage(saved_files(data)["s-*/bm25/tf.npy"], "garbage")  # same size: only a checksum sees it
    first = unionbot(data, "ask", QUESTION)
    assert ANSWER in answer_line(first)
    warnings = [line for line in first.stderr.splitlines() if "search index" in line]
    assert len(warnings) == 1 and "tf.npy" in warnings[0], first.stderr
    second = unionbot(data, "ask", QUESTION)
    assert ANSWER in answer_line(second)
    assert second.stderr == ""


# -- read-only data dirs ------------------------------------------------------------


@pytest.fixture
def writable_again(tmp_path: Path) -> Iterator[Path]:
    """tmp_path, given its write bits back afterwards so that it can be cleaned up."""
    yield tmp_path
    for path in [tmp_path, *tmp_path.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o200)


def read_only(data: Path) -> tuple[int, ...]:
    """The capabilities to `drop` for a command with no write access to `data`: the write
    bits are removed, and as root (which ignores them) the command runs without the
    capabilities that override file permissions."""
    for path in [data, *data.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    if os.geteuid() != 0:
        return ()
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(data / 'probe')!r}, 'w')"],
        preexec_fn=lambda: forkserver.drop_capabilities(forkserver.FILE_OVERRIDES), capture_output=True, text=True,
    )
    if probe.returncode == 0 or "PermissionError" not in probe.stderr:
        pytest.skip("cannot run a command without write access here: " + probe.stderr[-200:])
    return forkserver.FILE_OVERRIDES


def snapshot(data: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(data)): (p.stat().st_size, p.stat().st_mtime_ns) for p in data.rglob("*")}


def stored_data_dir(data: Path, seeds: list[Path], segmenter: Segmenter, later: list[Path] = []) -> None:
    """A data dir holding `seeds` with a current index, then `later` stored but not indexed."""
    folder = data.parent / "seeds"
    folder.mkdir()
    for seed in seeds:
        shutil.copy(seed, folder)
    settings = Settings(data_dir=data, seeds_dir=folder)
    with opened_library(settings, segmenter) as library:
        library.corpus  # noqa: B018
    with Store(settings.sqlite_path) as store:
        ingest_targets(store, settings, [str(p) for p in later], progress=False)
    assert not list(data.glob("*-wal")) and not list(data.glob("*-shm"))


def test_a_read_only_data_dir_with_a_current_index_answers(writable_again: Path, segmenter: Segmenter) -> None:
    data = writable_again / "data"
    stored_data_dir(data, [FIRST_SEED, LATER_SEED], segmenter)
    as_reader = read_only(data)
    before = snapshot(data)

    # commands without write access, one after another
    asked, as_json, listed, digest, chat, refused = unionbot_each(
        data,
        ("ask", QUESTION),
        ("ask", "--json", QUESTION),
        ("articles",),
        ("digest", "002_d64f82ff6841a4f4"),
        (("chat",), f"{QUESTION}\n/quit\n"),
        ("ingest", str(SEEDS / "003_8c0f42011e5a1360.txt")),
        drop=as_reader,
    )
    assert ANSWER in answer_line(asked) and asked.err == ""
    assert as_json.code == 0 and '300余人' in as_json.out and as_json.err == ""
    assert listed.code == 0 and "001_4042bde3bc384a6e" in listed.out and listed.err == ""
    assert digest.code == 0 and "东城区总工会列出12项重点工作清单" in digest.out and digest.err == ""
    assert chat.code == 0 and ANSWER in chat.out and chat.err == ""

    assert refused.code != 0 and "Traceback" not in refused.err
    lines = refused.err.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0], refused.err
    assert snapshot(data) == before  # neither reading nor the refused ingest wrote anything


def test_a_stale_index_that_cannot_be_saved_is_built_in_memory(writable_again: Path, segmenter: Segmenter) -> None:
    data = writable_again / "data"
    stored_data_dir(data, [FIRST_SEED], segmenter, later=[LATER_SEED])
    as_reader = read_only(data)
    before = snapshot(data)
    result = unionbot(data, "ask", "--json", stdin=f"{LATER_QUESTION}\n{QUESTION}\n", drop=as_reader)
    assert result.returncode == 0, result.stderr
    assert '"answer": "8327家"' in result.stdout and '300余人' in result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not be saved" in lines[0], result.stderr
    assert snapshot(data) == before
