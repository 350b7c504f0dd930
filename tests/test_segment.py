"""Segmentation: normalisation, the project's dictionary, figures, and question terms."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from retrieval.segment import Segmenter, nfkc


@pytest.fixture
def seg(segmenter: Segmenter) -> Segmenter:
    return segmenter


def test_traditional_and_full_width_are_normalised(seg: Segmenter) -> None:
    assert seg.normalise("產改評價組") == "产改评价组"
    assert seg.normalise("ＡＢＣ１２３") == "abc123"


def test_districts_match_in_short_and_full_form(seg: Segmenter) -> None:
    doc = seg.terms("密云区总工会举办培训会")
    assert "密云" in doc and "密云区" in doc
    assert "密云" in seg.query_terms("密云培训了多少人")
    assert "密云区" in seg.query_terms("密云区总工会培训了多少人")


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("共300余人答疑解惑", "#人"),
        ("共有48名职工报名", "#人"),
        ("工会会员17.9万余人", "#人"),
        ("三百余人参加", "#人"),
        ("4位老党员", "#人"),
        ("覆盖企业8327家", "#家"),
        ("随机分成6个学习小组", "#个"),
    ],
)
def test_figures_give_their_class_token(seg: Segmenter, text: str, token: str) -> None:
    assert token in seg.terms(text)


@pytest.mark.parametrize(
    ("question", "token"),
    [
        ("密云区总工会培训了多少人", "#人"),
        ("有几名职工参加", "#人"),
        ("爱情音乐会有多少单身职工参加", "#人"),
        ("东城区覆盖了多少家企业", "#家"),
        ("分成了几个小组", "#个"),
        ("活动是什么时候举办的", "#时"),
    ],
)
def test_questions_ask_for_a_class(seg: Segmenter, question: str, token: str) -> None:
    assert token in seg.query_terms(question)


def test_question_words_and_particles_are_dropped(seg: Segmenter) -> None:
    terms = seg.query_terms("请问心理减压课分成了几个小组呢")
    for word in ("请问", "几个", "呢", "了", "分成了"):
        assert word not in terms
    assert "心理" in terms and "小组" in terms
    # question words are cut out before segmenting, so they do not glue to neighbours
    assert not any(t.startswith(("几", "哪")) or t.endswith("有") for t in seg.query_terms("朝阳网球比赛趣味赛有多少人参加"))


def test_short_forms_bring_their_full_form(seg: Segmenter) -> None:
    terms = seg.query_terms("香港工联会副理事长是谁")
    assert "联合会" in terms


def test_own_tokenizer_leaves_jiebas_default_alone(seg: Segmenter) -> None:
    import jieba

    seg.terms("平谷区总工会")
    assert seg.tokenizer is not jieba.dt
    assert "区级工会加强年" not in jieba.dt.FREQ


def test_nfkc_is_unicodes_on_any_text() -> None:
    """The fast NFKC (only the runs between CJK ideographs) equals unicodedata's on the
    seeds and on random mixes of ideographs, full-width forms, combining marks, Hangul jamo
    and compatibility characters (which compose or decompose across their neighbours)."""
    seeds = "".join(p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt")))
    assert nfkc(seeds) == unicodedata.normalize("NFKC", seeds)
    pool = [chr(c) for c in [*range(0x4E00, 0x4E20), *range(0xFF01, 0xFF5E, 3)]]
    pool += [chr(c) for c in (0x301, 0x308, 0x327, 0x65, 0x41, 0x3000, 0x2460, 0xFB01, 0x1100, 0x1161, 0xAC00, 0x2F00, 0xF900, 0x309A, 0x304B, 0x9FFF, 0xA000)]
    rnd = random.Random(3)
    for _ in range(20000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 10)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)
