"""What the state several bot processes share through the database costs, per call.

- the flood guard: its decision on a question (a read: what a reply waits for) and its
  count (decided and counted in one write transaction, as the record writer does after
  the reply);
- reading the corpus version (what every running bot does every
  UNIONBOT_INDEX_CHECK_SECONDS), against reading every issue's id and hash (what the
  poller compares its index with), at a given number of stored issues;
- on PostgreSQL, for comparison: how long a NOTIFY takes to reach a LISTENing connection;
- the updates table: storing a received batch before it is confirmed (one update, as a
  webhook does, and a batch of 20), recording updates as handled (one, and 20 finishing
  together in one statement), renewing a process's claims, and the poller's look for
  updates left by a dead process.

    python benchmarks/bench_shared_state.py [--database-url postgresql://…] [--issues 10000]

Without --database-url an SQLite file in a temporary directory is used. The database
must be empty or a throwaway one: issues and users are written into it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.storage.engine import parse_url  # noqa: E402
from bot.storage.flood import FloodWindows  # noqa: E402
from bot.storage.schema import issues  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from bot.telegram.flood import FloodGuard  # noqa: E402
from bot.storage.updates import StoredUpdate, Updates  # noqa: E402

PAYLOAD = ('{"update_id": %d, "message": {"message_id": 1, "date": 1700000000, "chat": {"id": 5, "type": "private", '
           '"first_name": "读者"}, "from": {"id": 5, "is_bot": false, "first_name": "读者", "language_code": "zh-hans"}, '
           '"text": "密云区总工会培训了多少人"}}')


def update_costs(store: Store, kind: str, repeats: int) -> None:
    """The updates table's statements, per call."""
    table = Updates(store)
    ids = iter(range(1, 10**9))

    def batch(size: int) -> list[StoredUpdate]:
        return [StoredUpdate(update_id=i, payload=PAYLOAD % i) for i in (next(ids) for _ in range(size))]

    stored: list[int] = []
    print(f"{kind}: store one received update                p50 / p99 %.2f / %.2f ms"
          % timed(lambda: stored.extend(table.receive(batch(1), "bench")), repeats))
    print(f"{kind}: store a batch of 20 updates              p50 / p99 %.2f / %.2f ms"
          % timed(lambda: stored.extend(table.receive(batch(20), "bench")), repeats))
    marks = iter(stored)
    print(f"{kind}: record one update handled                p50 / p99 %.2f / %.2f ms"
          % timed(lambda: table.handled([next(marks)]), repeats))
    print(f"{kind}: record 20 handled in one statement       p50 / p99 %.2f / %.2f ms"
          % timed(lambda: table.handled([next(marks) for _ in range(20)]), repeats // 2))
    held = [next(marks) for _ in range(50)]
    print(f"{kind}: renew a process's 50 claims              p50 / p99 %.2f / %.2f ms"
          % timed(lambda: table.renew("bench", held), repeats))
    print(f"{kind}: look for updates left by a dead process  p50 / p99 %.2f / %.2f ms"
          % timed(lambda: table.recover("poller", 10.0), repeats))


def timed(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    """p50 and p99 of a call, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def fill_issues(store: Store, count: int) -> None:
    rows = [
        {"issue_id": f"bench-{i:07d}", "content_hash": f"{i:064x}", "origin": "bench", "ingested_at": "2024-01-01"}
        for i in range(count)
    ]
    with store.transaction() as connection:
        for start in range(0, len(rows), 1000):
            connection.execute(insert(issues), rows[start:start + 1000])


def notify_latency(url: str, repeats: int) -> tuple[float, float]:
    """p50 / p99 ms from a committed NOTIFY to its arrival on a LISTENing connection."""
    import psycopg

    conninfo = parse_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    arrivals: list[float] = []
    ready = threading.Event()

    def listen() -> None:
        with psycopg.connect(conninfo, autocommit=True) as listener:
            listener.execute("LISTEN bench_corpus")
            ready.set()
            for _ in listener.notifies(stop_after=repeats):
                arrivals.append(time.perf_counter())

    thread = threading.Thread(target=listen)
    thread.start()
    ready.wait()
    sent = []
    with psycopg.connect(conninfo, autocommit=True) as sender:
        for i in range(repeats):
            sent.append(time.perf_counter())
            sender.execute("SELECT pg_notify('bench_corpus', %s)", (str(i),))
            while len(arrivals) <= i:
                time.sleep(0.0001)
    thread.join()
    delays = sorted((a - s) * 1000 for s, a in zip(sent, arrivals, strict=True))
    return statistics.median(delays), delays[min(len(delays) - 1, int(len(delays) * 0.99))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.database_url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        with Store(url) as store:
            kind = store.engine.dialect.name
            windows = FloodWindows(store)
            users = iter(range(10**9))
            print(f"{kind}: flood admission, a new user each time  p50 / p99 %.2f / %.2f ms"
                  % timed(lambda: windows.admit(next(users), 20, 60_000), args.repeats))
            print(f"{kind}: flood admission, one busy user          p50 / p99 %.2f / %.2f ms"
                  % timed(lambda: windows.admit(1, 20, 60_000), args.repeats))
            guard = FloodGuard(windows)
            print(f"{kind}: flood decision (a read), one busy user  p50 / p99 %.2f / %.2f ms"
                  % timed(lambda: guard.decide(1), args.repeats))
            print(f"{kind}: corpus version read                    p50 / p99 %.2f / %.2f ms"
                  % timed(store.corpus_version, args.repeats))
            fill_issues(store, args.issues)
            print(f"{kind}: every issue's id and hash, {args.issues} issues  p50 / p99 %.2f / %.2f ms"
                  % timed(store.issue_hashes, max(20, args.repeats // 20)))
            update_costs(store, kind, args.repeats)
            if kind == "postgresql":
                print(f"{kind}: NOTIFY to a LISTENing connection        p50 / p99 %.2f / %.2f ms"
                      % notify_latency(url, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
