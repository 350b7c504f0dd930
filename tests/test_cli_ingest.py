"""`unionbot ingest` and `unionbot articles`, driven through the command line."""

from __future__ import annotations

import http.server
import json
import os
import pty
import select
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from . import forkserver
from .cli import Cli
from .conftest import ROOT, SEEDS
from .hostile_http import Answer, HostileServer

Gold = dict[str, list[dict[str, Any]]]


def articles_json(cli: Cli, *issues: str) -> list[dict[str, Any]]:
    code, out, _ = cli("articles", "--json", *issues)
    assert code == 0
    data: list[dict[str, Any]] = json.loads(out)
    return data


def test_articles_json_reproduces_the_hand_checked_segmentation(
    cli: Cli, gold: Gold
) -> None:
    rows = articles_json(cli)
    assert len(rows) == 31
    by_issue: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        assert set(row) == {"issue", "article_id", "title", "pretitle", "subtitle", "section", "kind",
                            "reporters", "source", "paragraphs"}
        assert row["paragraphs"] and all(isinstance(p, str) and p for p in row["paragraphs"])
        by_issue.setdefault(row["issue"] + ".txt", []).append(row)
    for name, expected in gold.items():
        got = by_issue[name]
        assert [r["title"] for r in got] == [e["title"] for e in expected]
        for r, e in zip(got, expected, strict=True):
            assert r["kind"] == e["kind"] and r["reporters"] == e["reporters"]
            for key in ("pretitle", "subtitle", "section", "source"):
                assert r[key] == e.get(key), (r["title"], key)


def test_articles_of_named_issues_and_unknown_issue(cli: Cli) -> None:
    rows = articles_json(cli, "003_8c0f42011e5a1360")
    assert {r["issue"] for r in rows} == {"003_8c0f42011e5a1360"} and len(rows) == 7
    code, out, err = cli("articles", "no_such_issue")
    assert code == 1 and "no such issue: no_such_issue" in err


def test_plain_listing_names_titles(cli: Cli) -> None:
    code, out, _ = cli("articles")
    assert code == 0 and len(out.splitlines()) == 31
    assert "密云区总工会推进经费收支规范化管理" in out and "王路曼" in out


def test_empty_seeds_setting_gives_an_empty_corpus(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    assert articles_json(cli) == []


def test_reingesting_the_same_content_changes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    before = articles_json(cli)
    retyped = tmp_path / "000_98958ddd647b2cf0.txt"
    retyped.write_bytes((SEEDS / "000_98958ddd647b2cf0.txt").read_text(encoding="utf-8").encode("gb18030"))
    code, _, err = cli("ingest", str(SEEDS), str(retyped))
    assert code == 0 and "0 added, 0 updated, 6 unchanged, 0 refused" in err
    assert articles_json(cli) == before


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "inbox"
    folder.mkdir()
    files = {
        "empty": folder / "empty.txt",
        "binary": folder / "binary.txt",
        "no-article": folder / "notes.txt",
        "undecodable": folder / "garbled.txt",
        "huge": folder / "huge.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    files["no-article"].write_text("这只是一段随手记下的文字，没有标题。\n", encoding="utf-8")
    files["undecodable"].write_bytes("标题\n\n正文。".encode("utf-8") + b"\xff\xfe\xfa\x80\x81")
    with files["huge"].open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    good = folder / "006_good.txt"
    good.write_text("某街道工会举办培训\n\n本报讯（记者 张三）近日，某街道工会举办培训，50人参加。\n", encoding="utf-8")
    return files


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bad_inputs_are_named_while_good_ones_are_ingested(
    cli: Cli, bad_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    url = f"http://127.0.0.1:{closed_port()}/007_gone.txt"
    folder = bad_files["empty"].parent
    code, _, err = cli("ingest", str(folder), "/no/such/file.txt", url)
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("unionbot: ingest:")]
    expected = {
        "empty.txt": "empty file",
        "binary.txt": "binary file",
        "notes.txt": "no article found",
        "garbled.txt": "undecodable bytes",
        "huge.txt": "too large",
        "/no/such/file.txt": "no such file",
        url: "unreachable",
    }
    assert len(lines) == len(expected)
    for name, reason in expected.items():
        assert any(name in line and reason in line for line in lines), (name, reason, lines)
    assert "1 added" in err
    assert [r["title"] for r in articles_json(cli)] == ["某街道工会举办培训"]


class _Server(http.server.ThreadingHTTPServer):
    """The seeds over HTTP. Closing it waits for the requests it is answering, and a slow
    answer ends when it closes: nothing of one test's server happens during the next
    test (a handler that woke up later wrote its traceback into that test's output)."""

    daemon_threads = False  # server_close() joins the handlers' threads

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.closing = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (a timeout, a size cap) is what the tests do


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(SEEDS), **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if self.path.startswith("/slow") and self.server.closing.wait(2):
            return  # the server is closing: the client is long gone
        if self.path.startswith("/big"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 200_000)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def http_base() -> Iterator[str]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.closing.set()
    server.shutdown()
    server.server_close()


def test_ingest_from_urls_with_timeout_and_size_cap(
    cli: Cli, http_base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    monkeypatch.setenv("UNIONBOT_FETCH_TIMEOUT_SECONDS", "0.5")
    monkeypatch.setenv("UNIONBOT_MAX_ISSUE_BYTES", "100000")
    code, _, err = cli(
        "ingest", f"{http_base}/001_4042bde3bc384a6e.txt", f"{http_base}/missing.txt",
        f"{http_base}/slow.txt", f"{http_base}/big.txt",
    )
    assert code == 1
    assert "missing.txt: HTTP 404" in err
    assert "slow.txt: timed out" in err
    assert "big.txt: too large" in err
    rows = articles_json(cli)
    assert {r["issue"] for r in rows} == {"001_4042bde3bc384a6e"} and len(rows) == 6


def _ingest_on_a_terminal(data_dir: Path) -> str:
    """`unionbot ingest` of the seeds in a process whose output is a terminal (a pty)."""
    env = {**os.environ, "UNIONBOT_DATA_DIR": str(data_dir), "UNIONBOT_SEEDS_DIR": ""}
    leader, follower = pty.openpty()
    terminal = Path(os.ttyname(follower))  # the process opens it as its stdin, stdout and stderr
    proc = forkserver.server().start(["ingest", str(SEEDS)], env, ROOT, terminal, stdin=terminal)
    chunks = []
    deadline = time.monotonic() + 120  # a bound, not a timing
    try:
        while True:  # read until the process has ended and the terminal holds nothing more
            ended = proc.poll() is not None
            while select.select([leader], [], [], 0.02)[0]:
                chunks.append(os.read(leader, 4096))
            if ended:
                break
            assert time.monotonic() < deadline, "the ingest did not end"
    finally:
        os.close(follower)
        os.close(leader)
    assert proc.returncode == 0, b"".join(chunks)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    on_tty = _ingest_on_a_terminal(tmp_path / "a")
    assert "ingest:" in on_tty and "5/5" in on_tty
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    code, _, piped = cli("ingest", str(SEEDS))  # stderr is not a terminal here
    assert code == 0, piped
    assert "5/5" not in piped and "\r" not in piped
    assert piped.strip() == "5 added, 0 updated, 0 unchanged, 0 refused"


ISSUES = 300


def test_kill_9_in_the_middle_of_an_ingest_leaves_whole_issues(
    tmp_path: Path, data_dir: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(ISSUES):  # of seven short articles each: stored a few ms apart, indexed in seconds
        articles = [
            f"第{i}号街道工会举办第{a}期培训\n\n本报讯（记者 张三）近日，第{i}号街道工会举办第{a}期培训，{i + a + 1}人参加。\n"
            for a in range(7)
        ]
        (folder / f"{i:03d}_issue.txt").write_text("\n\n".join(articles), encoding="utf-8")
    data = data_dir
    env = {**os.environ, "UNIONBOT_DATA_DIR": str(data), "UNIONBOT_SEEDS_DIR": ""}
    proc = forkserver.server().start(["ingest", str(folder)], env, ROOT, tmp_path / "ingest.log")
    db_path = data / "unionbot.sqlite3"
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db_path.exists():
            try:
                with sqlite3.connect(db_path, timeout=1) as db:
                    stored = db.execute("SELECT COUNT(*) FROM issues").fetchone()[0]
            except sqlite3.Error:
                stored = 0
            if stored >= 30:
                break
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    assert 0 < stored < ISSUES, "the ingest was not caught in the middle"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = db.execute("SELECT i.issue_id, COUNT(a.article_id) FROM issues i LEFT JOIN articles a USING (issue_id) GROUP BY i.issue_id").fetchall()
    assert counts and all(n == 7 for _, n in counts)  # every stored issue is whole
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    code, _, err = cli("ingest", str(folder))  # what the killed one left is taken up where it stopped
    assert code == 0, err
    kept = len(counts)
    assert err.splitlines()[-1] == f"{ISSUES - kept} added, 0 updated, {kept} unchanged, 0 refused", err
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM issues").fetchone()[0] == ISSUES


def test_database_url_sqlite_and_unsupported(cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("UNIONBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    assert len(articles_json(cli)) == 31
    assert (tmp_path / "elsewhere.sqlite3").exists()
    monkeypatch.setenv("UNIONBOT_DATABASE_URL", "mysql://x")
    code, _, err = cli("articles")
    assert code == 2 and "bad setting" in err


@pytest.mark.postgres
def test_a_postgresql_database_url_is_used(cli: Cli, monkeypatch: pytest.MonkeyPatch,
                                           postgres_url: str, tmp_path: Path) -> None:
    """The seeds go into the PostgreSQL database; ingest and articles read and write it there."""
    monkeypatch.setenv("UNIONBOT_DATABASE_URL", postgres_url)
    assert len(articles_json(cli)) == 31
    assert not (tmp_path / "data" / "unionbot.sqlite3").exists()
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "101_extra.txt").write_bytes((SEEDS / "001_4042bde3bc384a6e.txt").read_bytes() + "\n\n附加报道\n\n本报讯 新的一段。\n".encode())
    code, out, err = cli("ingest", str(extra))
    assert code == 0, err
    assert "1 added" in out + err
    assert "101_extra" in {a["issue"] for a in articles_json(cli)}
    monkeypatch.setenv("UNIONBOT_DATABASE_URL", postgres_url.replace("/unionbot_test_", "/nowhere_"))
    code, _, err = cli("articles")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "nowhere_" in err


def test_folder_files_without_suffix_are_issues_and_others_are_not(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")
    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "wiki_0001").write_text("## 长城\n\n长城是古代中国的军事工程。\n", encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    (folder / ".hidden.md").write_text("## 隐藏\n\n不读。\n", encoding="utf-8")
    code, _, err = cli("ingest", str(folder))
    assert code == 0 and "1 added" in err
    assert [r["title"] for r in articles_json(cli)] == ["长城"]


def test_a_fifo_or_device_is_refused_at_once_and_the_good_file_stored(tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")  # in a folder walk too
    fifo = tmp_path / "named.txt"
    os.mkfifo(fifo)
    good = tmp_path / "006_good.txt"
    good.write_text("某街道工会举办培训\n\n本报讯（记者 张三）近日，某街道工会举办培训，50人参加。\n", encoding="utf-8")
    env = {**os.environ, "UNIONBOT_DATA_DIR": str(tmp_path / "data"), "UNIONBOT_SEEDS_DIR": ""}
    # in a process of its own: one that opened the FIFO would wait for a writer for ever
    done = forkserver.server().run(
        ["ingest", str(fifo), "/dev/zero", str(folder), str(good)], env, ROOT, tmp_path / "runs", timeout=60
    )
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    for name in (str(fifo), "/dev/zero", "pipe.txt"):
        assert any(name in line and "not a regular file" in line for line in lines), (name, lines)
    assert lines[-1] == "1 added, 0 updated, 0 unchanged, 3 refused"


def test_control_characters_in_file_names_and_urls_give_clean_issue_ids_and_refusals(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIONBOT_SEEDS_DIR", "")

    def issue(place: str) -> str:
        return f"{place}工会举办培训\n\n本报讯（记者 张三）近日，{place}工会举办培训，50人参加。\n"

    good = tmp_path / "evil\x1b[31mred\r\x01\u202e\u200b.txt"
    good.write_text(issue("东街道"), encoding="utf-8")
    bad = tmp_path / "bad\x1b[2J\r\x7f.txt"
    bad.write_bytes(b"")
    blank = tmp_path / "\x1b\r\u200b.txt"  # nothing printable left of the stem
    blank.write_text(issue("西街道"), encoding="utf-8")
    with HostileServer() as server:
        server.routes["/%1B%5B31mweb%0D%01.txt"] = [Answer(body=issue("南街道").encode())]
        long_path = "/" + quote("长" * 300) + ".txt"
        server.routes[long_path] = [Answer(body=issue("北街道").encode())]
        odd_url = server.url("/%1B%5B31mweb%0D%01.txt")
        long_url = server.url(long_path)
        missing = server.url("/missing\x1b[31m\r.txt")
        code, _, err = cli("ingest", str(good), str(bad), str(blank), odd_url, long_url, missing)
    assert code == 1
    assert "\x1b" not in err and "\r" not in err and "\x7f" not in err
    refusals = [line for line in err.splitlines() if line.startswith("unionbot: ingest:")]
    assert len(refusals) == 2, refusals
    assert any("bad\\x1b[2J\\r\\x7f.txt: empty file" in line for line in refusals), refusals
    assert any("missing\\x1b[31m\\r.txt: not a valid URL" in line for line in refusals), refusals
    issues = {row["issue"] for row in articles_json(cli)}
    assert len(issues) == 4, issues
    for name in issues:
        assert name and len(name) <= 80 and name.isprintable() and name == name.strip(), repr(name)
    assert any(name.startswith("evil") and "red" in name for name in issues), issues
    assert any("web" in name for name in issues), issues
