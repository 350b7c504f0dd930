"""End-to-end benchmark: a synthetic archive made from the seeds' sentences.

For each size (paragraphs) it prints: ingest throughput (parse + store of issue files),
index build time (segmentation on both cores + BM25) and the building process's peak
RSS, adding one 300-paragraph issue (segment, count, save a version; then the time another
process holding the old version takes to load the new one), size on disk, load time,
retrieval p50/p99 (BM25 top 40), end-to-end p50/p99 (question in, cited answer out: the
twelve questions asked again and again, and 75 questions each asked once),
peak RSS of the serving process, and rank_bm25.BM25Okapi.get_scores on the same
paragraphs in the same run.

    python benchmarks/bench_answers.py --paragraphs 100000,1000000

Building and serving run in separate child processes so that each peak RSS is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.library import build_segmenter, project_layout  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from retrieval import Article, parse_issue  # noqa: E402
from retrieval.answer import Answerer  # noqa: E402
from retrieval.corpus import Corpus, passage_terms  # noqa: E402

PARAGRAPHS_PER_ARTICLE = 5
QUESTIONS = [
    "密云区总工会培训了多少人", "东城区覆盖了多少家企业", "平谷区总工会党组书记是谁", "化工竞赛由哪些单位主办",
    "数控工匠人才培训班在哪里开班", "香港工会联合会副理事长是谁", "心理减压课分成了几个小组", "网络安全宣传周普及了哪些法律",
    "大栅栏街道组织多少名职工体验彩绘布鞋", "朝阳网球比赛趣味赛有多少人参加", "怎么注册微信", "丰台区总工会主席是谁",
]
_PLACES = ["东城", "西城", "朝阳", "海淀", "丰台", "石景山", "门头沟", "房山", "通州", "顺义", "昌平", "大兴", "怀柔", "平谷", "密云", "延庆"]


def seed_articles() -> list[Article]:
    layout = project_layout()
    return [a for f in sorted((ROOT / "seeds").glob("*.txt")) for a in parse_issue(f.stem, f.read_bytes(), layout).articles]


def synthetic_articles(n_paragraphs: int, seed: int = 7) -> list[Article]:
    """Articles of paragraphs of 2-4 seed sentences, with places and figures varied."""
    return list(iter_synthetic_articles(n_paragraphs, seed))


def iter_synthetic_articles(n_paragraphs: int, seed: int = 7, prefix: str = "s") -> Iterator[Article]:
    """The same articles one at a time (a build reads them as a store would hand them out)."""
    rng = random.Random(seed)
    seeds = seed_articles()
    sentences = [s for a in seeds for p in a.paragraphs for s in re.findall(r"[^。！？]+[。！？]”?", p)]
    titles = [a.title for a in seeds]
    count = 0
    made = 0
    while made < n_paragraphs:
        k = min(PARAGRAPHS_PER_ARTICLE, n_paragraphs - made)
        place = rng.choice(_PLACES)
        paragraphs = []
        for _ in range(k):
            text = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 4)))
            text = re.sub(r"\d+", lambda m: str(rng.randint(1, 9999)), text)
            paragraphs.append(text.replace("密云", place, 1))
        issue = f"{prefix}{count // 30:06d}"
        yield Article(
            issue=issue, article_id=f"{prefix}a{count:08d}", ordinal=count % 30 + 1,
            title=f"{place}{rng.choice(titles)}", reporters=("王路曼",), paragraphs=tuple(paragraphs),
        )
        count += 1
        made += k


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def child_ingest(work: Path) -> dict[str, float]:
    """Parse and store issue files made from the synthetic articles (10,000 paragraphs)."""
    articles = synthetic_articles(10_000, seed=11)
    folder = work / "issues"
    folder.mkdir()
    by_issue: dict[str, list[Article]] = {}
    for a in articles:
        by_issue.setdefault(a.issue, []).append(a)
    for issue, items in by_issue.items():
        text = "深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面\n\n" + "\n\n".join(
            f"{a.title}\n\n本报讯（记者 王路曼）" + "\n\n".join(a.paragraphs) for a in items
        )
        (folder / f"{issue}.txt").write_text(text, encoding="utf-8")
    layout = project_layout()
    start = time.perf_counter()
    with Store(work / "db.sqlite3") as store:
        for path in sorted(folder.iterdir()):
            store.add_issue(parse_issue(path.stem, path.read_bytes(), layout), str(path))
    seconds = time.perf_counter() - start
    return {"ingest_paragraphs_per_s": len(articles) * PARAGRAPHS_PER_ARTICLE / seconds}


def child_build(work: Path, n: int) -> dict[str, float]:
    """A full build as the bot makes one: articles streamed in, segments in a scratch dir."""
    segmenter = build_segmenter()
    segmenter.tokenizer  # noqa: B018
    scratch = work / ".build-scratch"
    scratch.mkdir()
    start = time.perf_counter()
    corpus = Corpus.build(iter_synthetic_articles(n), {"synthetic": "0"}, segmenter, workers=2, scratch=scratch)
    build = time.perf_counter() - start
    start = time.perf_counter()
    corpus.save(work / "index")
    save = time.perf_counter() - start
    return {"build_s": build, "save_s": save, "build_peak_rss_mb": peak_rss_mb(), "disk_mb": disk_mb(work / "index")}


def child_add(work: Path, paragraphs: int) -> dict[str, float]:
    """Add one issue to the saved archive: the writer segments it, appends a segment and
    saves a version; a process holding the old version then takes the new one in."""
    segmenter = build_segmenter()
    segmenter.tokenizer  # noqa: B018
    directory = work / "index"
    writer = Corpus.load(directory)
    reader = Corpus.load(directory)
    issue = list(iter_synthetic_articles(paragraphs, seed=99, prefix="new"))
    start = time.perf_counter()
    grown = writer.extend(issue, {"new-issue": "1"}, segmenter)
    grown.save(directory)
    add = time.perf_counter() - start
    start = time.perf_counter()
    refreshed = Corpus.load(directory, known=reader)
    refresh = time.perf_counter() - start
    start = time.perf_counter()
    Corpus.load(directory)
    cold = time.perf_counter() - start
    times = []
    for q in QUESTIONS:
        terms = segmenter.query_terms(q)
        t0 = time.perf_counter()
        refreshed.bm25.top(terms, 40)
        times.append((time.perf_counter() - t0) * 1000)
    found = refreshed.bm25.top(segmenter.terms(issue[0].title + issue[0].paragraphs[0]), 1)
    return {
        "add_paragraphs": float(sum(len(a.paragraphs) for a in issue)),
        "add_s": add,
        "refresh_s": refresh,
        "cold_load_s": cold,
        "after_add_retrieval_p50_ms": percentile(times, 0.5),
        "added_paragraph_ranks_first": float(bool(found) and found[0][0] == len(refreshed) - paragraphs),
    }


def child_serve(work: Path, repeats: int) -> dict[str, float]:
    segmenter = build_segmenter()
    segmenter.tokenizer  # noqa: B018
    segmenter.tagger  # noqa: B018
    start = time.perf_counter()
    corpus = Corpus.load(work / "index")
    load = time.perf_counter() - start
    answerer = Answerer(corpus, segmenter)
    for q in QUESTIONS:  # warm up caches and lazy imports
        answerer.answer(q)
    retrieval, end_to_end = [], []
    for _ in range(repeats):
        for q in QUESTIONS:
            terms = segmenter.query_terms(q)
            t0 = time.perf_counter()
            corpus.bm25.top(terms, 40)
            retrieval.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            answerer.answer(q)
            end_to_end.append((time.perf_counter() - t0) * 1000)
    # questions nobody asked before: the same questions about the other districts, each
    # asked once, so the passages they find were never split, normalised or tagged
    first_time = []
    for q in fresh_questions():
        t0 = time.perf_counter()
        answerer.answer(q)
        first_time.append((time.perf_counter() - t0) * 1000)
    return {
        "load_s": load,
        "retrieval_p50_ms": percentile(retrieval, 0.5),
        "retrieval_p99_ms": percentile(retrieval, 0.99),
        "e2e_p50_ms": percentile(end_to_end, 0.5),
        "e2e_p99_ms": percentile(end_to_end, 0.99),
        "e2e_first_p50_ms": percentile(first_time, 0.5),
        "e2e_first_p99_ms": percentile(first_time, 0.99),
        "serve_peak_rss_mb": peak_rss_mb(),
    }


def fresh_questions() -> list[str]:
    """The benchmark's questions about every other district (密云 -> 朝阳, 东城 …), in a fixed
    shuffled order: 75 questions none of which was asked before."""
    out = []
    for q in QUESTIONS:
        place = next((p for p in _PLACES if p in q), None)
        if place is not None:
            out += [q.replace(place, other) for other in _PLACES if other != place]
    random.Random(11).shuffle(out)
    return out


def child_rank_bm25(n: int, queries: int) -> dict[str, float]:
    from rank_bm25 import BM25Okapi

    segmenter = build_segmenter()
    articles = synthetic_articles(n)
    docs = passage_terms(segmenter, articles, workers=2)
    start = time.perf_counter()
    reference = BM25Okapi(docs)
    construct = time.perf_counter() - start
    times = []
    for q in QUESTIONS[:queries]:
        terms = segmenter.query_terms(q)
        t0 = time.perf_counter()
        reference.get_scores(terms)
        times.append((time.perf_counter() - t0) * 1000)
    return {"rank_bm25_build_s": construct, "rank_bm25_get_scores_ms": statistics.median(times)}


def run_child(*args: str) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--repeats", type=int, default=10, help="rounds of the question list")
    parser.add_argument("--no-rank-bm25", action="store_true", help="skip the rank_bm25 comparison (it segments the corpus again)")
    parser.add_argument("--child", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        kind, work, *rest = args.child
        if kind == "ingest":
            out = child_ingest(Path(work))
        elif kind == "build":
            out = child_build(Path(work), int(rest[0]))
        elif kind == "serve":
            out = child_serve(Path(work), int(rest[0]))
        elif kind == "add":
            out = child_add(Path(work), int(rest[0]))
        else:
            out = child_rank_bm25(int(rest[0]), int(rest[1]))
        print(json.dumps(out))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "ingest").mkdir()
        ingest = run_child("ingest", str(Path(tmp) / "ingest"), "0")
        print(f"ingest (parse + store issue files): {ingest['ingest_paragraphs_per_s']:,.0f} paragraphs/s", flush=True)
        for n in [int(x) for x in args.paragraphs.split(",")]:
            work = Path(tmp) / f"n{n}"
            work.mkdir()
            row: dict[str, float] = {"paragraphs": n}
            row.update(run_child("build", str(work), str(n)))
            row.update(run_child("serve", str(work), str(args.repeats)))
            row.update(run_child("add", str(work), "300"))
            if args.no_rank_bm25:
                row.update({"rank_bm25_get_scores_ms": float("nan"), "speedup_vs_rank_bm25": float("nan")})
            else:
                row.update(run_child("rank_bm25", str(work), str(n), "3" if n >= 500_000 else "12"))
                row["speedup_vs_rank_bm25"] = row["rank_bm25_get_scores_ms"] / row["retrieval_p50_ms"]
            rows.append(row)
            print(json.dumps(row), flush=True)
    print()
    print("| paragraphs | build s | build peak RSS MB | add 300-paragraph issue s | other process takes it in s | disk MB | load s | retrieval p50/p99 ms | end-to-end p50/p99 ms | first-time questions p50/p99 ms | serve RSS MB | rank_bm25 get_scores ms | speed-up |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {int(r['paragraphs']):,} | {r['build_s']:.0f} | {r['build_peak_rss_mb']:.0f} | {r['add_s']:.2f} | "
            f"{r['refresh_s']:.2f} | {r['disk_mb']:.0f} | {r['load_s']:.2f} | "
            f"{r['retrieval_p50_ms']:.1f} / {r['retrieval_p99_ms']:.1f} | {r['e2e_p50_ms']:.1f} / {r['e2e_p99_ms']:.1f} | "
            f"{r['e2e_first_p50_ms']:.1f} / {r['e2e_first_p99_ms']:.1f} | "
            f"{r['serve_peak_rss_mb']:.0f} | {r['rank_bm25_get_scores_ms']:.0f} | {r['speedup_vs_rank_bm25']:.0f}x |"
        )


if __name__ == "__main__":
    main()
