"""A throwaway PostgreSQL server for the tests, and a fresh database per test.

`.ci/run` starts a server and exports UNIONBOT_TEST_POSTGRES_URL; without it the tests
start their own from the PostgreSQL server programs when the machine has them (initdb in
a temporary directory, listening on 127.0.0.1 and a socket in that directory only, on a
free port; as the `postgres` user when run as root, since the server refuses root), in
the background as soon as the tests are collected, when some of them need it.

Each test gets a database of its own, as a new one would be (`fresh_database`); one a test
has finished with is made so again and kept for the next, which is several times quicker
than making one (a loaded machine takes up to a second for CREATE DATABASE).
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
from typing import Any

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

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
        _kinds.clear()  # its databases went with it


@contextmanager
def fresh_database(server_url: str, copy_of: str | None = None) -> Iterator[str]:
    """A database on the server for the duration, empty or, with `copy_of` (the URL of a
    database on the same server that nobody is connected to), a copy of that one; yields
    its URL. It is made afresh, or is one handed back earlier and made again exactly as
    one made afresh (see `_Kind`): making a database takes a few tenths of a second, and
    the tests ask for one each."""
    base = make_url(server_url).set(drivername="postgresql+psycopg")
    template = "template0" if copy_of is None else make_url(copy_of).database
    assert template is not None
    key = (_render(base), template)
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        kind = _kinds.get(key)
        if kind is not None and kind.spare:
            name = kind.spare.pop()
        else:
            name = f"unionbot_test_{uuid.uuid4().hex[:12]}"
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\''))
            if kind is None:
                kind = _kinds[key] = _Kind.of(base.set(database=name))
        try:
            yield _render(make_url(server_url).set(database=name))
        finally:
            if kind.reset(admin, base.set(database=name)):
                kind.spare.append(name)
            else:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def drop_spares() -> None:
    """Drop the databases kept for reuse (at the end of the session, on a server given to
    the tests that outlives it)."""
    for (server, _), kind in list(_kinds.items()):
        admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with admin.connect() as connection:
                for name in kind.spare:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
    _kinds.clear()


# What makes two databases alike for the tests, besides their rows: schemas (their owners,
# privileges and comments), relations, columns, constraints, indexes, functions, triggers,
# types, extensions and the database's own settings.
_SYSTEM = r"(nspname LIKE 'pg\_%' OR nspname = 'information_schema')"
_SHAPE = text(rf"""
SELECT 'schema', nspname, pg_get_userbyid(nspowner), coalesce(nspacl::text, ''),
       coalesce(obj_description(oid, 'pg_namespace'), '')
  FROM pg_namespace WHERE NOT {_SYSTEM}
UNION ALL
SELECT 'relation', n.nspname || '.' || c.relname, c.relkind::text, coalesce(c.relacl::text, ''), ''
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT {_SYSTEM}
UNION ALL
SELECT 'column', table_schema || '.' || table_name || '.' || column_name, data_type || ' ' || is_nullable,
       coalesce(column_default, ''), ordinal_position::text
  FROM information_schema.columns WHERE NOT (table_schema LIKE 'pg\_%' OR table_schema = 'information_schema')
UNION ALL
SELECT 'constraint', c.conrelid::regclass::text || '.' || c.conname, c.contype::text, pg_get_constraintdef(c.oid), ''
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE NOT {_SYSTEM}
UNION ALL
SELECT 'index', schemaname || '.' || indexname, tablename, indexdef, ''
  FROM pg_indexes WHERE NOT (schemaname LIKE 'pg\_%' OR schemaname = 'information_schema')
UNION ALL
SELECT 'function', n.nspname || '.' || p.proname, pg_get_function_identity_arguments(p.oid), '', ''
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE NOT {_SYSTEM}
UNION ALL
SELECT 'trigger', tgrelid::regclass::text || '.' || tgname, '', '', '' FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'type', n.nspname || '.' || t.typname, t.typtype::text, '', ''
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE NOT {_SYSTEM}
UNION ALL
SELECT 'extension', extname, extversion, '', '' FROM pg_extension
UNION ALL
SELECT 'setting', coalesce(array_to_string(setconfig, ','), ''), '', '', ''
  FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY 1, 2, 3, 4, 5
""")
_SEQUENCES = text(r"SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences "
                  r"WHERE NOT (schemaname LIKE 'pg\_%' OR schemaname = 'information_schema') ORDER BY 1")
_PUBLIC_AGAIN = (  # the public schema as a new database has it (PostgreSQL 15 and later)
    "DROP SCHEMA public CASCADE",
    "CREATE SCHEMA public AUTHORIZATION pg_database_owner",
    "GRANT USAGE ON SCHEMA public TO PUBLIC",
    "COMMENT ON SCHEMA public IS 'standard public schema'",
)


def _shape(connection: Connection) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(_SHAPE)]


class _Kind:
    """The databases made one way on one server (empty, or copies of one template): what
    the first looked like when it was made (its shape, rows and sequences), and those handed
    back since and made to look so again, waiting for a test."""

    def __init__(self, shape: list[tuple[Any, ...]], tables: MetaData, rows: dict[str, list[dict[str, Any]]],
                 sequences: list[tuple[str, int | None]]) -> None:
        self.shape, self.tables, self.rows, self.sequences = shape, tables, rows, sequences
        self.spare: list[str] = []

    @classmethod
    def of(cls, url: URL) -> _Kind:
        """How the database at `url`, just made, looks."""
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                tables = MetaData()
                tables.reflect(connection)
                rows = {t.name: [dict(r._mapping) for r in connection.execute(t.select())] for t in tables.sorted_tables}
                sequences = [(str(name), value) for name, value in connection.execute(_SEQUENCES)]
                return cls(_shape(connection), tables, rows, sequences)
        finally:
            engine.dispose()

    def reset(self, admin: Engine, url: URL) -> bool:
        """Make the database at `url`, handed back by a test, look as this kind's first did
        when it was made: its connections ended, its tables emptied and given their rows
        again, its sequences set back (and, when it was made empty, anything a test created
        in it dropped). False when that could not be done: drop it instead."""
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": url.database})
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '10s'"))
                if _shape(connection) != self.shape:
                    if self.tables.sorted_tables:
                        return False  # a test changed the template's tables: only a new copy has them
                    for statement in _PUBLIC_AGAIN:
                        connection.execute(text(statement))
                for table in reversed(self.tables.sorted_tables):  # a test's few rows: quicker than TRUNCATE
                    connection.execute(table.delete())
                for table in self.tables.sorted_tables:
                    if self.rows[table.name]:
                        connection.execute(table.insert(), self.rows[table.name])
                for name, value in self.sequences:
                    if value is None:
                        connection.execute(text(f"ALTER SEQUENCE {name} RESTART"))
                    else:
                        connection.execute(text("SELECT setval(:name, :value, true)"), {"name": name, "value": value})
                alike = _shape(connection) == self.shape
                if alike and list(connection.execute(_SEQUENCES)) != self.sequences:
                    alike = False
                return alike
        except SQLAlchemyError:
            return False
        finally:
            engine.dispose()


_kinds: dict[tuple[str, str], _Kind] = {}


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)
