"""A throwaway PostgreSQL server for the tests, and a fresh database per test.

`.ci/run` starts a server and exports UNIONBOT_TEST_POSTGRES_URL; without it the tests
start their own from the PostgreSQL server programs when the machine has them (initdb in
a temporary directory, listening on 127.0.0.1 and a socket in that directory only, on a
free port; as the `postgres` user when run as root, since the server refuses root), in
the background as soon as the tests are collected, when some of them need it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

URL_VARIABLE = "UNIONBOT_TEST_POSTGRES_URL"
GIVEN_URL = os.environ.get(URL_VARIABLE, "")  # read before the tests' environment is isolated
IN_CI = os.environ.get("CI", "").lower() == "true"
SERVER_DIRS = (Path("/usr/lib/postgresql/15/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl, when this machine has the server."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    for folder in SERVER_DIRS:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_user() -> tuple[int, int] | None:
    """uid and gid to run the server as: None when not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    return 65534, 65534


@contextmanager
def running_server(programs: Path) -> Iterator[str]:
    """Start a server for the duration; yields the URL of its `postgres` database."""
    workdir = Path(tempfile.mkdtemp(prefix="unionbot-pg-"))
    user = _server_user()
    if user is not None:
        os.chown(workdir, *user)
    ids = {"user": user[0], "group": user[1], "extra_groups": []} if user is not None else {}
    data = workdir / "data"
    port = _free_port()
    log = workdir / "server.log"

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=120, cwd=workdir, **ids)

    try:
        run(str(programs / "initdb"), "--no-sync", "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C")
        options = f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(str(programs / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", options)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(str(programs / "pg_ctl"), "stop", "-w", "-m", "immediate", "-D", str(data))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class BackgroundServer:
    """`running_server` in a thread of its own: started at once, waited for when its URL
    is first asked for, stopped by `stop`."""

    def __init__(self, programs: Path) -> None:
        self._programs = programs
        self._url = ""
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="postgresql", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with running_server(self._programs) as url:
                self._url = url
                self._ready.set()
                self._stop.wait()
        except BaseException as exc:  # raised again where the URL is asked for
            self._error = exc
        finally:
            self._ready.set()

    def url(self) -> str:
        """The server's `postgres` database, once the server has started."""
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("the PostgreSQL server for the tests did not start") from self._error
        return self._url

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=180)


_background: BackgroundServer | None = None


def background_server(programs: Path) -> BackgroundServer:
    """The session's server, started now unless it was already (`start_early`)."""
    global _background
    if _background is None:
        _background = BackgroundServer(programs)
    return _background


def start_early() -> None:
    """Start the session's server in the background, when the tests will start one: no URL
    was given and the server programs are here. Starting one takes a few seconds, which
    the tests before the first one that needs it run through."""
    programs = server_programs()
    if not GIVEN_URL and programs is not None:
        background_server(programs)


def stop_background() -> None:
    global _background
    if _background is not None:
        _background.stop()
        _background = None


@contextmanager
def fresh_database(server_url: str, copy_of: str | None = None) -> Iterator[str]:
    """A new database on the server for the duration, empty or, with `copy_of` (the URL of
    a database on the same server that nobody is connected to), a copy of that one;
    yields its URL."""
    base = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"unionbot_test_{uuid.uuid4().hex[:12]}"
    template = "template0" if copy_of is None else make_url(copy_of).database
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\''))
        try:
            yield _render(make_url(server_url).set(database=name))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)
