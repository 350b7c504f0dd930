"""The bot under load: `unionbot serve` (a real process) through the project's own Bot API
server (tests/fakebotapi) with a simulated network latency on every Bot API call.

Two measurements:

* N people ask at once (one question each, private chats): reply latency p50 / p99 / max
  from the moment a question is sent to the moment its reply reaches the server, and
  replies a second; the target is every reply within N/30 s + 1 s (Telegram's 30
  messages a second, python-telegram-bot's rate limiter on).
* questions asked one at a time while another process (`unionbot ingest`) adds a large
  issue to the same data dir, and the bot takes it in: latency p50 / max, against the
  same questions asked while nothing else happens. With ``--archive-paragraphs N`` the
  data dir starts with an archive of N paragraphs already stored (bench_answers'
  synthetic articles), so the bot first builds its index over them and the issue is
  added to a large archive.

    python benchmarks/bench_bot.py --users 50,200 --latency 0.25
    python benchmarks/bench_bot.py --users 50 --archive-paragraphs 1000000
    python benchmarks/bench_bot.py --archive-paragraphs 1000000 --data-dir DIR   # DIR kept: later runs skip the build
    python benchmarks/bench_bot.py --quick      # 20 users, a small issue (to check it runs)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_answers import iter_synthetic_articles  # noqa: E402
from bot.library import project_layout  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from retrieval import Article, parse_issue  # noqa: E402
from tests.fakebotapi import FakeBotApi, FakeUser  # noqa: E402

SEEDS = ROOT / "seeds"
QUESTIONS = [json.loads(line)["q"] for line in (ROOT / "tests" / "data" / "dev_qa.jsonl").read_text("utf-8").splitlines()]


def start_bot(api: FakeBotApi, data: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "UNIONBOT_TELEGRAM_API_URL": api.base_url,
        "UNIONBOT_DATA_DIR": str(data),
        "UNIONBOT_SEEDS_DIR": str(SEEDS),
        "UNIONBOT_POLL_SECONDS": "1",
        "UNIONBOT_MAX_ISSUE_BYTES": "100000000",
        "PTB_TIMEDELTA": "true",
    }
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "bot", "-v", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def replied_at(api: FakeBotApi, chat_ids: set[int]) -> dict[int, float]:
    """When each chat's first reply reached the server (the request's arrival plus the
    simulated latency it then waited)."""
    out: dict[int, float] = {}
    for call in api.calls("sendMessage"):
        chat = int(call.params.get("chat_id", 0))
        if chat in chat_ids and chat not in out and call.ok:
            out[chat] = call.time + api.latency
    return out


def ask_all(api: FakeBotApi, users: list[FakeUser], timeout: float) -> list[float]:
    """Everyone asks at once; the latency of each reply."""
    asked: dict[int, float] = {}
    for i, user in enumerate(users):
        asked[user.id] = time.time()
        api.send_text(user, user, QUESTIONS[i % len(QUESTIONS)])
    ids = set(asked)
    api.wait_for(lambda: len(replied_at(api, ids)) == len(ids), timeout=timeout, what="every reply")
    got = replied_at(api, ids)
    return [got[c] - asked[c] for c in ids]


def ask_one(api: FakeBotApi, question: str, timeout: float = 60) -> float:
    user = api.new_user()
    start = time.time()
    api.send_text(user, user, question)
    api.wait_for(lambda: user.id in replied_at(api, {user.id}), timeout=timeout, what="a reply")
    return replied_at(api, {user.id})[user.id] - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def big_issue(path: Path, paragraphs: int, seed: int = 3) -> None:
    """A Markdown issue of `paragraphs` paragraphs made from the seeds' sentences."""
    rng = random.Random(seed)
    text = "\n".join(f.read_text("utf-8") for f in sorted(SEEDS.glob("*.txt")))
    sentences = re.findall(r"[^。！？\n]{8,}[。！？]", text)
    lines = ["# 工会新闻 第1版", ""]
    for n in range(paragraphs):
        if n % 5 == 0:
            lines += [f"## 第{n // 5 + 1}篇 {rng.choice(sentences)[:20]}", ""]
        para = "".join(rng.choice(sentences) for _ in range(3))
        lines += [re.sub(r"\d+", lambda m: str(rng.randint(2, 900)), para), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def fill_archive(data: Path, paragraphs: int) -> float:
    """Store an archive of `paragraphs` paragraphs in the data dir's database, as earlier
    ingests would have (issue files parsed and stored, 30 articles an issue); the seconds
    it took."""
    data.mkdir(parents=True, exist_ok=True)
    layout = project_layout()
    started = time.time()

    def store_issue(store: Store, items: list[Article]) -> None:
        text = "工会新闻\n\n" + "\n\n".join(
            f"{a.title}\n\n本报讯（记者 王路曼）" + "\n\n".join(a.paragraphs) for a in items
        )
        store.add_issue(parse_issue(items[0].issue, text.encode("utf-8"), layout), f"{items[0].issue}.txt")

    with Store(data / "unionbot.sqlite3") as store:
        items: list[Article] = []
        for article in iter_synthetic_articles(paragraphs, prefix="archive"):
            if items and article.issue != items[0].issue:
                store_issue(store, items)
                items = []
            items.append(article)
        if items:
            store_issue(store, items)
    return time.time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="50,200", help="comma-separated numbers of people asking at once")
    parser.add_argument("--latency", type=float, default=0.25, help="seconds added to every Bot API call")
    parser.add_argument("--ingest-paragraphs", type=int, default=20000, help="size of the issue added meanwhile (0: skip)")
    parser.add_argument("--archive-paragraphs", type=int, default=0, help="paragraphs stored before the bot starts")
    parser.add_argument("--quick", action="store_true", help="20 people, a 2,000-paragraph issue")
    parser.add_argument("--log", type=Path, help="keep the bot's log in this file")
    parser.add_argument(
        "--data-dir", type=Path,
        help="serve this data dir (kept) instead of a new one; the archive is stored only when it has no database yet, "
        "and a bot started on it again loads the index saved there instead of building it",
    )
    args = parser.parse_args()
    sizes = [20] if args.quick else [int(n) for n in args.users.split(",")]
    paragraphs = 2000 if args.quick else args.ingest_paragraphs

    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp, FakeBotApi(privacy_mode=False) as api:
        work = Path(tmp)
        log = work / "bot.log"
        # A full build takes about 10 minutes a million paragraphs on two cores.
        build_time = 300 + args.archive_paragraphs / 500
        data = args.data_dir if args.data_dir is not None else work / "data"
        if args.archive_paragraphs and not (data / "unionbot.sqlite3").exists():
            took = fill_archive(data, args.archive_paragraphs)
            print(f"archive of {args.archive_paragraphs:,} paragraphs stored in {took:.0f} s", flush=True)
        started = time.time()
        bot = start_bot(api, data, log)
        try:
            api.wait_for_calls("setMyCommands", timeout=build_time)
            api.wait_for_calls("getUpdates", timeout=build_time)
            ask_one(api, QUESTIONS[0], timeout=build_time)  # warm up: the first answer loads lazily built parts
            print(f"the bot answered its first question {time.time() - started:.0f} s after it started", flush=True)
            api.set_latency(args.latency)
            print(f"Bot API latency {args.latency * 1000:.0f} ms a call")
            print("people  p50 s   p99 s   last s  replies/s  target s (N/30+1)")
            for n in sizes:
                users = [api.new_user(f"用户{i}") for i in range(n)]
                latencies = ask_all(api, users, timeout=60 + n)
                last = max(latencies)
                rate = n / last
                print(
                    f"{n:>6}  {percentile(latencies, 0.5):6.2f}  {percentile(latencies, 0.99):6.2f}  {last:6.2f}"
                    f"  {rate:9.1f}  {n / 30 + 1:8.2f}",
                    flush=True,
                )
                time.sleep(2)  # let the rate limiter's bucket fill again
            if paragraphs:
                idle = [ask_one(api, QUESTIONS[i % len(QUESTIONS)]) for i in range(10)]
                issue = work / "big-issue.md"
                big_issue(issue, paragraphs)
                before = log.read_text("utf-8", "replace").count("the index now holds")
                env = {**os.environ, "UNIONBOT_DATA_DIR": str(data), "UNIONBOT_MAX_ISSUE_BYTES": "100000000"}
                ingest_start = time.time()
                ingest = subprocess.Popen(
                    [sys.executable, "-m", "bot", "ingest", str(issue)], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
                )
                during: list[float] = []
                i = 0
                while ingest.poll() is None or log.read_text("utf-8", "replace").count("the index now holds") == before:
                    during.append(ask_one(api, QUESTIONS[i % len(QUESTIONS)]))
                    i += 1
                    if time.time() - ingest_start > 1200:
                        break
                    time.sleep(0.1)
                took = time.time() - ingest_start
                print(
                    f"one at a time, idle: p50 {statistics.median(idle):.2f} s, max {max(idle):.2f} s; while a "
                    f"{paragraphs:,}-paragraph issue was added ({took:.0f} s, until the bot took it in): "
                    f"{len(during)} questions, p50 {statistics.median(during):.2f} s, max {max(during):.2f} s",
                    flush=True,
                )
                slowest = ", ".join(f"{t:.2f}" for t in sorted(during, reverse=True)[:5])
                print(f"the five slowest during the ingest: {slowest} s", flush=True)
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
            if args.log is not None:
                args.log.write_bytes(log.read_bytes())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
