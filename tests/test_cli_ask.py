"""`unionbot ask`, `ask --json` (one question and the stdin batch), `chat`, `eval`, and the
saved index a process loads instead of rebuilding."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.cli.chat import ChatSession
from bot.cli.compose import opened_library
from bot.settings import Settings
from retrieval import Segmenter
from retrieval.corpus import Corpus

from .cli import Cli
from .conftest import SEEDS


@pytest.fixture
def run(cli: Cli, seeded_data_dir: Path) -> Cli:
    """The command line in this process, over a data dir holding the seeds and their index."""
    return cli


def test_ask_json_object(run: Cli) -> None:
    code, out, _ = run("ask", "--json", "密云区总工会培训了多少人")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) == {"question", "found", "answer", "confidence", "kind", "results"}
    assert obj["question"] == "密云区总工会培训了多少人" and obj["found"] is True and obj["kind"] == "quantity"
    assert obj["answer"] in ("300余人", None) and 0.0 <= obj["confidence"] <= 1.0
    top = obj["results"][0]
    assert set(top) == {"issue", "article", "article_id", "snippet", "reporters", "score"}
    assert top["issue"] == "001_4042bde3bc384a6e" and top["article"] == "密云区总工会推进经费收支规范化管理"
    assert top["reporters"] == ["王路曼"] and "300余人" in top["snippet"] and isinstance(top["score"], float)


def test_ask_json_not_found(run: Cli) -> None:
    code, out, _ = run("ask", "--json", "怎么注册微信")
    assert code == 0
    assert json.loads(out) == {
        "question": "怎么注册微信", "found": False, "answer": None, "confidence": 0.0, "kind": "other", "results": []
    }


def test_ask_for_people(run: Cli) -> None:
    code, out, _ = run("ask", "平谷区总工会党组书记是谁")
    assert code == 0
    lines = out.splitlines()
    if lines[0].startswith("答："):  # printed only when sure, and then highlighted in the snippet
        assert lines[0] == "答：张艳革" and "【张艳革】" in lines[1]
    else:
        assert "张艳革" in lines[0] and "【" not in out
    assert re.search(r"《平谷区总工会探索“党建\+”工作模式》 · 004_7063dbed7b201b27 · \d{4}年\d{1,2}月\d{1,2}日 · 记者 马超", out)
    code, out, _ = run("ask", "怎么注册微信")
    assert code == 0 and "没有找到" in out


def test_batch_json_answers_every_line_in_order(run: Cli) -> None:
    questions = ["密云区总工会培训了多少人", "", "怎么注册微信", "<b>&amp;</b>", "密" * 10_000, "大兴区总工会主席是谁"]
    done = run("ask", "--json", stdin=("\n".join(questions) + "\n").encode())
    assert done.code == 0, done.err
    objects = done.json_lines()
    assert [o["question"] for o in objects] == questions
    assert [o["found"] for o in objects] == [True, False, False, False, False, True]
    assert objects[0]["answer"] in ("300余人", None) and "300余人" in objects[0]["results"][0]["snippet"]
    assert objects[5]["answer"] in ("李达", None) and objects[5]["kind"] == "person"


def test_eval_prints_the_scorer_figures(run: Cli) -> None:
    code, out, _ = run("eval", str(Path(__file__).parent / "data" / "dev_qa.jsonl"))
    assert code == 0
    assert "article@1 100% (33/33); answer in answer+snippet 100%" in out and "abstained 2/2" in out


def test_chat_session_more_and_article(seeded_settings: Settings, segmenter: Segmenter) -> None:
    out = io.StringIO()
    with opened_library(seeded_settings, segmenter) as library:
        session = ChatSession(library, out, color=False)
        assert session.handle("东城区覆盖了多少家企业")
        assert session.handle("/more")
        assert session.handle("/article 1")
        assert session.handle("/article 99")
        assert not session.handle("/quit")
    text = out.getvalue()
    assert "答：8327家" in text and "【8327家】" in text
    assert "东城区作为首都功能核心区" in text  # the full article
    assert "只有" in text


def test_index_is_saved_then_loaded_not_rebuilt(
    settings: Settings, segmenter: Segmenter, monkeypatch: pytest.MonkeyPatch
) -> None:
    with opened_library(settings, segmenter) as library:
        assert library.answer("密云区总工会培训了多少人").found
    assert (settings.index_dir / "CURRENT").exists()

    def no_rebuild(*args: object, **kwargs: object) -> Corpus:
        raise AssertionError("the index was rebuilt")

    monkeypatch.setattr(Corpus, "build", no_rebuild)
    monkeypatch.setattr(Corpus, "extend", no_rebuild)
    with opened_library(settings, segmenter) as library:
        assert "300余人" in library.answer("密云区总工会培训了多少人").hits[0].snippet


def test_a_running_process_takes_in_new_issues(settings: Settings, segmenter: Segmenter, tmp_path: Path) -> None:
    seeds = tmp_path / "few"
    seeds.mkdir()
    (seeds / "001_4042bde3bc384a6e.txt").write_bytes((SEEDS / "001_4042bde3bc384a6e.txt").read_bytes())
    first = Settings(data_dir=settings.data_dir, seeds_dir=seeds)
    with opened_library(first, segmenter) as running, opened_library(first, segmenter) as ingester:
        assert running.answer("密云区总工会培训了多少人").found
        assert not running.answer("东城区覆盖了多少家企业").found
        old = running.corpus
        ingester.ingest([str(SEEDS / "002_d64f82ff6841a4f4.txt")])
        assert running.corpus is old  # nothing changes under a question being answered
        assert running.refresh()
        assert running.answer("东城区覆盖了多少家企业").hits[0].answer == "8327家"
        assert not running.refresh()


def test_a_damaged_index_is_rebuilt(seeded_settings: Settings, segmenter: Segmenter) -> None:
    settings = seeded_settings
    live = settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()
    (live / "meta.json").write_text("{not json")
    with opened_library(settings, segmenter) as library:
        assert "300余人" in library.answer("密云区总工会培训了多少人").hits[0].snippet


def test_digest_command_prints_what_subscribers_get(run: Cli) -> None:
    code, out, _ = run("digest", "002_d64f82ff6841a4f4")
    assert code == 0
    assert re.match(r"📰 新一期：002_d64f82ff6841a4f4 · \d{4}年\d{1,2}月\d{1,2}日 · 7 篇报道", out)
    assert "1. 东城区总工会列出12项重点工作清单\n组建劳模宣讲团" in out  # lead without 本报讯（记者 …）
    assert "📷 图片新闻\n• 读书促履职 建功副中心\n• 趣味活动迎中秋" in out
    assert "[📄 东城区总工会列出12项重点工作清单]" in out
    code, out, _ = run("digest", "002_d64f82ff6841a4f4", "--html")
    assert "<b>东城区总工会列出12项重点工作清单</b>" in out
    code, _, err = run("digest", "nope")
    assert code == 1 and "no such issue: nope" in err
