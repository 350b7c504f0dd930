"""Benchmark the BM25 index against rank_bm25 on a synthetic newspaper corpus.

The corpus is made from the seed issues: their text is split into sentences on
。！？, each sentence is tokenised once with a private jieba tokenizer, and
every paragraph is 2-4 random sentences (cut to a random 30-60 tokens unless
``--max-tokens 0``) plus 1-3 synthetic tokens (numbers, names, organisations)
drawn with a Zipf-like skew from a large pool, so that the vocabulary grows to
a realistic size. Queries are 5-10 tokens of random seed sentences. Tokens
without a letter, digit or ideograph (punctuation, blanks) are dropped from
paragraphs and queries alike, as a search tokenizer would.

For each size the index is built, saved, then loaded and queried in a fresh
subprocess, so that its load time and peak RSS are those of a process that
serves queries and nothing else. A saved corpus is checked against its manifest
(sizes and CRC-32 of every file) before it is loaded; that check is timed in the
same subprocess, over the saved index's files ("verify"). rank_bm25.BM25Okapi is then built on the same
paragraphs and timed on a few of the queries; its scores are checked against
ours.

    python benchmarks/bench_index.py --paragraphs 100000 --queries 200
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.index import Bm25Index  # noqa: E402
from retrieval.manifest import verify_manifest, write_manifest  # noqa: E402

SEEDS = ROOT / "seeds"
SEED = 20240708
WORD = re.compile(r"\w")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂华建国玉兰志红文辉海波宁鹏飞春晓雪梅东晨阳光佳琳浩宇欣怡子涵"
ORG_TAILS = ("公司", "集团", "工会", "街道", "社区", "中心", "车间", "班组", "分会", "协会")


# -- corpus ------------------------------------------------------------------


def seed_sentences() -> list[list[str]]:
    """Every seed sentence as a token list, tokenised once."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    sentences: list[list[str]] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for sentence in re.split(r"[。！？]", text):
            tokens = [token for token in tokenizer.lcut(sentence.strip()) if WORD.search(token)]
            if tokens:
                sentences.append(tokens)
    return sentences


def synthetic_pool(rng: np.random.Generator, size: int) -> list[str]:
    """``size`` distinct made-up tokens: numbers, personal names, organisations."""
    pool: dict[str, None] = {}
    while len(pool) < size:
        kind = rng.integers(3)
        if kind == 0:
            token = str(int(rng.integers(10, 10_000_000)))
        elif kind == 1:
            token = SURNAMES[rng.integers(len(SURNAMES))] + "".join(
                GIVEN[i] for i in rng.integers(len(GIVEN), size=rng.integers(1, 3))
            )
        else:
            token = "".join(GIVEN[i] for i in rng.integers(len(GIVEN), size=2)) + ORG_TAILS[rng.integers(len(ORG_TAILS))]
        pool[token] = None
    return list(pool)


def paragraphs(n: int, sentences: Sequence[list[str]], pool: Sequence[str], max_tokens: int) -> list[list[str]]:
    """``n`` paragraphs, always the same ones for the same ``n``."""
    rng = np.random.default_rng(SEED + n)
    counts = rng.integers(2, 5, size=n)
    picks = rng.integers(len(sentences), size=int(counts.sum()))
    ends = np.cumsum(counts)
    cuts = rng.integers(30, max_tokens + 1, size=n) if max_tokens else np.zeros(n, dtype=np.int64)
    extra = rng.integers(1, 4, size=n)
    weights = 1.0 / (np.arange(len(pool)) + 50.0) ** 0.95
    drawn = rng.choice(len(pool), size=int(extra.sum()), p=weights / weights.sum())
    extra_ends = np.cumsum(extra)
    out: list[list[str]] = []
    start = extra_start = 0
    for i in range(n):
        tokens = list(chain.from_iterable(sentences[j] for j in picks[start : ends[i]]))
        if max_tokens:
            del tokens[cuts[i] :]
        tokens.extend(pool[j] for j in drawn[extra_start : extra_ends[i]])
        out.append(tokens)
        start, extra_start = ends[i], extra_ends[i]
    return out


def queries(count: int, sentences: Sequence[list[str]]) -> list[list[str]]:
    """``count`` queries of 5-10 tokens, each taken in order from one seed sentence."""
    rng = np.random.default_rng(SEED - 1)
    long_enough = [s for s in sentences if len(s) >= 5]
    out: list[list[str]] = []
    for _ in range(count):
        sentence = long_enough[rng.integers(len(long_enough))]
        size = int(rng.integers(5, min(10, len(sentence)) + 1))
        positions = np.sort(rng.choice(len(sentence), size=size, replace=False))
        out.append([sentence[p] for p in positions])
    return out


# -- measuring -----------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak RSS of this process: VmHWM, which, unlike ru_maxrss, does not carry over the
    peak of the parent that forked us."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(seconds) * 1000, q))


def disk_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def serve(directory: Path, query_file: Path) -> None:
    """Subprocess side: load, run every query twice (first touch, then warm), report JSON."""
    qs: list[list[str]] = json.loads(query_file.read_text(encoding="utf-8"))
    started = time.perf_counter()
    verify_manifest(directory)
    verify_s = time.perf_counter() - started
    started = time.perf_counter()
    index = Bm25Index.load(directory)
    load_s = time.perf_counter() - started
    passes: list[list[float]] = []
    results: list[list[tuple[int, float]]] = []
    for _ in range(2):
        times = []
        results = []
        for q in qs:
            t = time.perf_counter()
            results.append(index.top(q, 10))
            times.append(time.perf_counter() - t)
        passes.append(times)
    report = {
        "load_s": load_s,
        "verify_s": verify_s,
        "first_p50_ms": percentile_ms(passes[0], 50),
        "p50_ms": percentile_ms(passes[1], 50),
        "p99_ms": percentile_ms(passes[1], 99),
        "times": passes[1],
        "peak_rss_mb": peak_rss_mb(),
        "top": results,
    }
    print(json.dumps(report))


def bench(n: int, sentences: Sequence[list[str]], pool: Sequence[str], args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from rank_bm25 import BM25Okapi

    row: dict[str, Any] = {"paragraphs": n}
    t = time.perf_counter()
    docs = paragraphs(n, sentences, pool, args.max_tokens)
    print(f"\n== {n:,} paragraphs (made in {time.perf_counter() - t:.1f} s)", flush=True)
    row["avg_tokens"] = sum(map(len, docs)) / n
    qs = queries(args.queries, sentences)
    checked = qs[: 20 if n <= 200_000 else 5]

    t = time.perf_counter()
    index = Bm25Index.build(docs)
    row["build_s"] = time.perf_counter() - t
    vocab = len(index._vocab)
    row["vocab"] = vocab
    row["nnz"] = int(index._indices.shape[0])
    print(f"build     {row['build_s']:.2f} s   vocab {vocab:,}   nnz {row['nnz']:,}   avg tokens {row['avg_tokens']:.1f}", flush=True)

    target = work / f"index-{n}"
    t = time.perf_counter()
    index.save(target)
    row["save_s"] = time.perf_counter() - t
    write_manifest(target)
    row["disk_mb"] = disk_size(target) / 2**20
    print(f"save      {row['save_s']:.2f} s   {row['disk_mb']:.0f} MB on disk", flush=True)
    ours = [index.scores(q) for q in checked]
    del index
    gc.collect()

    query_file = work / f"queries-{n}.json"
    query_file.write_text(json.dumps(qs, ensure_ascii=False), encoding="utf-8")
    child = subprocess.run(
        [sys.executable, __file__, "--serve", str(target), "--query-file", str(query_file)],
        check=True,
        capture_output=True,
        text=True,
    )
    served = json.loads(child.stdout.strip().splitlines()[-1])
    row.update({key: served[key] for key in ("load_s", "verify_s", "first_p50_ms", "p50_ms", "p99_ms", "peak_rss_mb")})
    print(
        f"serve     verify {served['verify_s']:.3f} s   load {served['load_s']:.3f} s   top-10 p50 {served['p50_ms']:.2f} ms   "
        f"p99 {served['p99_ms']:.2f} ms   (first touch p50 {served['first_p50_ms']:.2f} ms)   "
        f"peak RSS {served['peak_rss_mb']:.0f} MB",
        flush=True,
    )

    t = time.perf_counter()
    reference = BM25Okapi(docs)
    row["rank_build_s"] = time.perf_counter() - t
    print(f"rank_bm25 build {row['rank_build_s']:.1f} s", flush=True)
    rank_times = []
    worst = 0.0
    for q, mine, top in zip(checked, ours, served["top"]):
        t = time.perf_counter()
        theirs = reference.get_scores(q)
        rank_times.append(time.perf_counter() - t)
        scale = max(float(np.abs(theirs).max()), 1e-300)
        worst = max(worst, float(np.abs(mine - theirs).max()) / scale)
        best = [doc for doc, _ in top]
        expected = sorted(np.flatnonzero(theirs > 0), key=lambda d: (-theirs[d], d))[:10]
        if best != [int(d) for d in expected] and not np.allclose(theirs[best], theirs[expected], rtol=1e-9):
            raise SystemExit(f"top-10 differs from rank_bm25 for {q}")
    del reference
    gc.collect()
    row["rank_query_ms"] = percentile_ms(rank_times, 50)
    ours_same = percentile_ms(served["times"][: len(checked)], 50)
    row["speedup"] = row["rank_query_ms"] / ours_same
    row["max_rel_diff"] = worst
    print(
        f"rank_bm25 get_scores p50 {row['rank_query_ms']:.1f} ms over {len(checked)} queries, "
        f"ours {ours_same:.2f} ms on the same queries: speed-up x{row['speedup']:.0f}   max rel diff {worst:.1e}",
        flush=True,
    )
    del docs
    gc.collect()
    shutil.rmtree(target, ignore_errors=True)
    row["bench_rss_mb"] = peak_rss_mb()
    return row


def table(rows: Sequence[dict[str, Any]]) -> str:
    columns = [
        ("paragraphs", "{:,}"),
        ("avg_tokens", "{:.0f}"),
        ("vocab", "{:,}"),
        ("build_s", "{:.1f}"),
        ("disk_mb", "{:.0f}"),
        ("verify_s", "{:.3f}"),
        ("load_s", "{:.3f}"),
        ("peak_rss_mb", "{:.0f}"),
        ("p50_ms", "{:.2f}"),
        ("p99_ms", "{:.2f}"),
        ("rank_build_s", "{:.1f}"),
        ("rank_query_ms", "{:.0f}"),
        ("speedup", "x{:.0f}"),
    ]
    cells = [[name for name, _ in columns]] + [[fmt.format(row[name]) for name, fmt in columns] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", action="append", help="corpus sizes, repeatable or comma-separated (default 100000,1000000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--max-tokens", type=int, default=60, help="cut paragraphs to 30..N tokens; 0 keeps whole sentences")
    parser.add_argument("--pool", type=int, default=100_000, help="synthetic tokens to draw from")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--query-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.query_file)
        return
    sizes = [int(s) for spec in (args.paragraphs or ["100000,1000000"]) for s in spec.split(",") if s.strip()]

    t = time.perf_counter()
    sentences = seed_sentences()
    pool = synthetic_pool(np.random.default_rng(SEED), args.pool)
    print(f"{len(sentences)} seed sentences, {len(pool):,} synthetic tokens ({time.perf_counter() - t:.1f} s)")
    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    try:
        rows = [bench(n, sentences, pool, args, work) for n in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n" + table(rows))
    print(f"\nbenchmark process peak RSS {peak_rss_mb():.0f} MB (includes rank_bm25); "
          "peak_rss_mb above is the load-and-query subprocess alone")


if __name__ == "__main__":
    main()
