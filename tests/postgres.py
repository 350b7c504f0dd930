"""A throwaway PostgreSQL server for the tests, and a fresh database per test.

`.ci/run` starts a server and exports UNIONBOT_TEST_POSTGRES_URL; without it the tests
start their own from the PostgreSQL server programs when the machine has them (initdb in
a temporary directory, listening on 127.0.0.1 and a socket in that directory only, on a
free port; as the `postgres` user when run as root, since the server refuses root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
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
        run(str(programs / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C")
        options = f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        run(str(programs / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log), "-o", options)
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            run(str(programs / "pg_ctl"), "stop", "-w", "-m", "immediate", "-D", str(data))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


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
