"""Shared fixtures. Every test runs with a clean environment and its own data dir.

What is slow to make and the same for every test is made once per session: the segmenter
(its dictionary takes about a second to load), data dirs holding the seeds with their
saved index, and databases (SQLite and PostgreSQL) at the newest schema or holding the
seeds. A test that writes gets its own copy of such a data dir (`seeded_data_dir`) or
database (`migrated_database_url`, `seeded_database`, `earlier_postgres_url`); tests
that only read may share one library over it (`seeded_library`). Commands run in this
process (`cli`, tests/cli.py), and the processes a test needs (a bot, a command to kill)
are forked from a process that has started once (tests/forkserver.py). That process and
the PostgreSQL server start in the background as soon as the tests are collected.

`make test` runs the tests on two processes (pytest-xdist, `-n 2 --dist loadfile`), each a
test session of its own with all of the above: its own temporary folder, segmenter, data
dirs, fork server and databases (their names are random; without a server given, a
PostgreSQL server of its own too). Nothing here has a fixed name that two could share.

Temporary files (every test's tmp_path, the PostgreSQL server's data, what the processes
the tests start write) go to memory, /dev/shm, when it has room and TMPDIR names no other
place: the tests make thousands of small files and databases that commit often, which a
disk (a virtual machine's above all) makes several times slower. Set TMPDIR to choose."""

from __future__ import annotations

import functools
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.cli.compose import opened_library
from bot.library import Library, build_segmenter
from bot.settings import Settings
from bot.storage.store import Store
from retrieval import Segmenter
from retrieval.answer import Explained

from . import forkserver, postgres
from .cli import Cli
from .websites import ServedSite, serve_site

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD_FILE = Path(__file__).parent / "data" / "seed_articles.json"
LATER_SEED = "003_8c0f42011e5a1360"  # the seed that tests publish as a new issue
MEMORY = Path("/dev/shm")
MEMORY_ROOM = 1 << 30  # bytes free there, at least, to use it (a run writes about 100 MB)


_ENVIRONMENT = pytest.MonkeyPatch()  # what the session sets in the environment, undone at its end


def pytest_configure(config: pytest.Config) -> None:
    """TMPDIR (for this process and those it starts) in memory, unless it is set already
    or there is no memory-backed folder with room (a container's /dev/shm is often 64 MB);
    undone when the session ends. Run on several processes (pytest-xdist), the one that
    starts them chooses: they are started with its environment, so they find TMPDIR set,
    and their temporary folders are ones of its own (pytest's basetemp/popen-gwN)."""
    if os.environ.get("TMPDIR"):
        return
    try:
        room = os.statvfs(MEMORY)
    except OSError:
        return
    if room.f_bavail * room.f_frsize < MEMORY_ROOM or not os.access(MEMORY, os.W_OK | os.X_OK):
        return
    _ENVIRONMENT.setenv("TMPDIR", str(MEMORY))
    _ENVIRONMENT.setattr(tempfile, "tempdir", None)  # gettempdir() looks again (pytest asks it where tmp_path goes)


def pytest_unconfigure(config: pytest.Config) -> None:
    _ENVIRONMENT.undo()


# Files whose tests share what is slow to work out once a session: run on several processes,
# they run in the same one (see pytest_xdist_make_scheduler).
RUN_TOGETHER = {
    # both ask the question sets (`explained_once`)
    "tests/test_answer.py": "tests/test_answer.py",
    "tests/test_kinds.py": "tests/test_answer.py",
}


@pytest.hookimpl(optionalhook=True, tryfirst=True)  # before pytest-xdist's own
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadfile` (make test: `-n 2 --dist loadfile`) as pytest-xdist does it, each
    file's tests in one process, in their order (a module's fixtures, a bot process or a
    built wheel, are made once), and the files of RUN_TOGETHER in one process too."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ByFile(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file: str = super()._split_scope(nodeid)
            return RUN_TOGETHER.get(file, file)

    return ByFile(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The servers the collected tests need start now, in the background, while the first
    tests run: PostgreSQL's (when the tests start their own) and the fork server take a
    few seconds each to start."""
    if session.config.option.collectonly:
        return
    if any(item.get_closest_marker("postgres") for item in session.items):
        postgres.start_early()
    modules = {item.module for item in session.items if isinstance(item, pytest.Function)}
    if any(forkserver.used_by(module) for module in modules):
        forkserver.server()


def pytest_sessionfinish(session: pytest.Session) -> None:
    forkserver.close()
    if postgres.GIVEN_URL:
        postgres.drop_spares()  # the databases kept for reuse; a server of our own goes with them
    postgres.stop_background()


@pytest.fixture(scope="session", autouse=True)
def fork_server_stopped() -> Iterator[None]:
    """The fork server (tests/forkserver.py), if a test started it, ends with the session."""
    yield
    forkserver.close()


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the environment; the data dir is a fresh temporary one."""
    for key in list(os.environ):
        if key.startswith("UNIONBOT_") or key.startswith("TELEGRAM_"):
            monkeypatch.delenv(key)
    data = tmp_path / "data"
    monkeypatch.setenv("UNIONBOT_DATA_DIR", str(data))
    # sites the tests serve are our own: no pause between requests (tests of the pause set one)
    monkeypatch.setenv("UNIONBOT_FETCH_DELAY_SECONDS", "0")
    # python-telegram-bot 22: durations as timedelta (the int form is deprecated and warns)
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    return data


@pytest.fixture
def data_dir(isolated_env: Path) -> Path:
    return isolated_env


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, seeds_dir=SEEDS)


@pytest.fixture
def empty_settings(data_dir: Path) -> Settings:
    """Settings whose data dir is not filled from the seeds."""
    return Settings(data_dir=data_dir, seeds_dir=None)


@pytest.fixture(scope="session")
def segmenter() -> Segmenter:
    """The project's segmenter, its dictionary loaded once for the session."""
    made = build_segmenter()
    made.tokenizer  # noqa: B018 (load the dictionary now)
    return made


def copy_data_dir(source: Path, target: Path) -> Path:
    """A private copy of a data dir (a database and a saved index: a few hundred KB)."""
    shutil.copytree(source, target)
    return target


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@contextmanager
def _left_as_built(data: Path) -> Iterator[Path]:
    """Yields `data`; afterwards, fails when a test wrote to it instead of to a copy."""
    built = _snapshot(data)
    yield data
    assert _snapshot(data) == built, f"a test wrote to the shared data dir {data}: copy it (copy_data_dir)"


@pytest.fixture(scope="session")
def seeded_session_dir(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter) -> Iterator[Path]:
    """A data dir as a first run leaves it: the seeds stored and their index saved.
    Built once; copy it (`seeded_data_dir`) to write, never write it."""
    data = tmp_path_factory.mktemp("seeded") / "data"
    with opened_library(Settings(data_dir=data, seeds_dir=SEEDS), segmenter) as library:
        assert len(library.corpus) > 0
    with _left_as_built(data):
        yield data


@pytest.fixture
def seeded_data_dir(data_dir: Path, seeded_session_dir: Path) -> Path:
    """This test's data dir (the one UNIONBOT_DATA_DIR names), filled as a first run
    leaves it: the seeds stored and their index saved."""
    return copy_data_dir(seeded_session_dir, data_dir)


@pytest.fixture
def seeded_settings(seeded_data_dir: Path) -> Settings:
    """`settings` over a data dir that already holds the seeds and their index."""
    return Settings(data_dir=seeded_data_dir, seeds_dir=SEEDS)


@pytest.fixture(scope="session")
def earlier_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeds folder of every seed but LATER_SEED (never write it)."""
    folder = tmp_path_factory.mktemp("earlier") / "seeds"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        if path.stem != LATER_SEED:
            shutil.copy(path, folder)
    return folder


@pytest.fixture(scope="session")
def earlier_session_dir(
    tmp_path_factory: pytest.TempPathFactory, earlier_seeds: Path, segmenter: Segmenter
) -> Iterator[Path]:
    """A data dir as a first run over `earlier_seeds` leaves it (copy it, never write it)."""
    data = tmp_path_factory.mktemp("earlier-data") / "data"
    with opened_library(Settings(data_dir=data, seeds_dir=earlier_seeds), segmenter) as library:
        assert LATER_SEED not in library.corpus.issues
    with _left_as_built(data):
        yield data


@pytest.fixture(scope="session")
def seeded_library(
    tmp_path_factory: pytest.TempPathFactory, seeded_session_dir: Path, segmenter: Segmenter
) -> Iterator[Library]:
    """One library over the seeds for the tests that only ask it questions."""
    data = copy_data_dir(seeded_session_dir, tmp_path_factory.mktemp("shared") / "data")
    with opened_library(Settings(data_dir=data, seeds_dir=SEEDS), segmenter) as library:
        yield library


@pytest.fixture(scope="session")
def explained_once(seeded_library: Library) -> Callable[..., Explained]:
    """`seeded_library.answerer.explain` working each question out once a session: the
    question sets are asked both for their figures (test_answer) and for the answer model's
    calibration (test_kinds). A test that asks them sets it in the answerer's place."""
    explain = seeded_library.answerer.explain
    signature = inspect.signature(explain)
    worked_out = functools.cache(explain)

    def once(*args: Any, **kwargs: Any) -> Explained:
        given = signature.bind(*args, **kwargs)
        given.apply_defaults()  # the same question with its limit said or not is asked once
        return worked_out(*given.args, **given.kwargs)

    return once


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, segmenter: Segmenter) -> Cli:
    """`unionbot` in this process, on this test's data dir (see tests/cli.py)."""
    return Cli(capsys, monkeypatch, segmenter)


@pytest.fixture(scope="session")
def gold() -> dict[str, list[dict[str, Any]]]:
    """The hand-checked segmentation of the seeds, by file name."""
    data: dict[str, list[dict[str, Any]]] = json.loads(GOLD_FILE.read_text(encoding="utf-8"))["issues"]
    return data


@pytest.fixture(scope="session")
def seed_files() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def web_site() -> Iterator[ServedSite]:
    """The seeds published as a newspaper web site (e-paper pages, article pages, feeds) on 127.0.0.1."""
    with serve_site() as served:
        yield served


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server: the one UNIONBOT_TEST_POSTGRES_URL names, else our own.

    Without one the PostgreSQL tests are skipped, except in CI (CI=true), where they fail.
    """
    if postgres.GIVEN_URL:
        yield postgres.GIVEN_URL
        return
    programs = postgres.server_programs()
    if programs is None:
        reason = (
            f"no PostgreSQL server: set {postgres.URL_VARIABLE} or install the server programs "
            "(Debian: apt-get install postgresql-15)"
        )
        if postgres.IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield postgres.background_server(programs).url()
    finally:
        postgres.stop_background()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test alone."""
    with postgres.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def earlier_postgres_template(
    postgres_server: str, earlier_seeds: Path, tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter
) -> Iterator[str]:
    """A PostgreSQL database as a first run over `earlier_seeds` leaves it, made once:
    copy it (`earlier_postgres_url`), never connect to it."""
    with postgres.fresh_database(postgres_server) as url:
        data = tmp_path_factory.mktemp("earlier-postgres") / "data"
        settings = Settings(data_dir=data, seeds_dir=earlier_seeds, database_url=url)
        with opened_library(settings, segmenter) as library:
            assert len(library.corpus) > 0 and LATER_SEED not in library.corpus.issues
        yield url


@pytest.fixture
def earlier_postgres_url(postgres_server: str, earlier_postgres_template: str) -> Iterator[str]:
    """A new PostgreSQL database for this test alone, holding what a first run over
    `earlier_seeds` stores (the articles; an index is built by each process's data dir)."""
    with postgres.fresh_database(postgres_server, copy_of=earlier_postgres_template) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def earlier_database_url(request: pytest.FixtureRequest, tmp_path: Path, earlier_session_dir: Path) -> str:
    """A database of each kind for this test alone, holding what a first run over
    `earlier_seeds` stores: a copy of the session's SQLite file, or of its PostgreSQL
    database. A data dir given a copy of `earlier_session_dir / "index"` loads that index
    over it instead of building one."""
    if request.param == "sqlite":
        source = earlier_session_dir / "unionbot.sqlite3"
        assert not source.with_name(source.name + "-wal").exists()  # all in the one file
        path = tmp_path / "earlier.sqlite3"
        shutil.copy(source, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("earlier_postgres_url")
    return url


@pytest.fixture(scope="session")
def seeded_postgres_template(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter
) -> Iterator[str]:
    """A PostgreSQL database as a first run over the seeds leaves it, made once: copy it
    (`seeded_postgres_url`), never connect to it."""
    with postgres.fresh_database(postgres_server) as url:
        data = tmp_path_factory.mktemp("seeded-postgres") / "data"
        with opened_library(Settings(data_dir=data, seeds_dir=SEEDS, database_url=url), segmenter) as library:
            assert len(library.corpus) > 0
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def seeded_database(request: pytest.FixtureRequest, tmp_path: Path, seeded_session_dir: Path) -> Settings:
    """Settings over a database of each kind holding the seeds, for this test alone, and a
    data dir of its own holding their saved index: a copy of the seeded data dir (its
    SQLite database), or a copy of a seeded PostgreSQL database and of the index."""
    data = tmp_path / "seeded"
    if request.param == "sqlite":
        return Settings(data_dir=copy_data_dir(seeded_session_dir, data), seeds_dir=SEEDS)
    url: str = request.getfixturevalue("seeded_postgres_url")
    copy_data_dir(seeded_session_dir / "index", data / "index")  # the same issues: loaded, not built
    return Settings(data_dir=data, seeds_dir=SEEDS, database_url=url)


@pytest.fixture
def seeded_postgres_url(postgres_server: str, seeded_postgres_template: str) -> Iterator[str]:
    """A new PostgreSQL database for this test alone, holding what a first run over the
    seeds stores."""
    with postgres.fresh_database(postgres_server, copy_of=seeded_postgres_template) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind: an SQLite file, a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database at the newest schema, holding nothing (copy it, never open it)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    Store(f"sqlite:///{path}").close()
    assert not path.with_name(path.name + "-wal").exists()  # all in the one file
    return path


@pytest.fixture(scope="session")
def migrated_postgres_template(postgres_server: str) -> Iterator[str]:
    """A PostgreSQL database at the newest schema, holding nothing: copy it
    (`migrated_postgres_url`), never connect to it."""
    with postgres.fresh_database(postgres_server) as url:
        Store(url).close()
        yield url


@pytest.fixture
def migrated_postgres_url(postgres_server: str, migrated_postgres_template: str) -> Iterator[str]:
    """A new PostgreSQL database for this test alone, at the newest schema, holding nothing."""
    with postgres.fresh_database(postgres_server, copy_of=migrated_postgres_template) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def migrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of each kind at the newest schema, holding nothing, for the tests of what
    is stored (those of the schema itself take `database_url`): a copy of one brought
    there once a session, which saves each test the upgrade from nothing."""
    if request.param == "sqlite":
        path = tmp_path / "migrated.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite_file"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("migrated_postgres_url")
    return url
