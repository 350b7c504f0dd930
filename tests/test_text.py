"""Decoding issue files, the canonical form of a printed line, and sentences."""

from __future__ import annotations

import pytest

from retrieval.errors import IssueError
from retrieval.sentences import split_sentences
from retrieval.text import compact, decode_issue, normalise_line, split_lines

SAMPLE = "本报讯（记者 王路曼）密云区总工会培训300余人。"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
        SAMPLE.encode("gb18030"),
        SAMPLE.encode("utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "utf16-bom"],
)
def test_decodes_every_supported_encoding(data: bytes) -> None:
    assert decode_issue("x", data) == SAMPLE


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b" \n\r\n\t ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 40, "binary"),
        (b"\xff\xfe\xfd" * 10 + b"\x80", "undecodable"),
    ],
    ids=["empty", "blank", "png", "controls", "bad-bytes"],
)
def test_refuses_what_is_not_text(data: bytes, reason: str) -> None:
    with pytest.raises(IssueError) as caught:
        decode_issue("bad.txt", data)
    assert caught.value.name == "bad.txt"
    assert reason in caught.value.reason


def test_split_lines_accepts_every_line_ending() -> None:
    assert split_lines("a\r\nb\rc\nd") == ["a", "b", "c", "d"]


def test_straight_quotes_curl_across_a_column_break() -> None:
    lines = split_lines('"我是带着在单位生产中遇\n\n到的实际问题来的。"他说。')
    assert lines[0] == "“我是带着在单位生产中遇"
    assert lines[2] == "到的实际问题来的。”他说。"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("本报讯 (记者 马超) 今年,在推动", "本报讯（记者 马超）今年，在推动"),
        ("本报讯(记者 边磊 通讯员 张雪)近日,", "本报讯（记者 边磊 通讯员 张雪）近日，"),
        ("会员１７.９万余人", "会员17.9万余人"),
        ("\u3000\u3000东城区\u00a0总工会  \t", "东城区 总工会"),
        ("第九次全体(扩大)会议召开", "第九次全体（扩大）会议召开"),
        ("工作会议:时间10:30,人数1,000人", "工作会议：时间10:30，人数1,000人"),
        ("贯彻党的二十大精神 and 开展“中国梦·劳动美”", "贯彻党的二十大精神和开展“中国梦·劳动美”"),
        ('"燕缘际会"单身职工', "“燕缘际会”单身职工"),
        ("打造“幸福小家”\u200b。", "打造“幸福小家”。"),
        ("正手穿越、高压扣杀......", "正手穿越、高压扣杀……"),
        ("Hello, world (test)", "Hello, world (test)"),
    ],
)
def test_normalise_line(raw: str, canonical: str) -> None:
    assert normalise_line(raw) == canonical


def test_compact_ignores_width_and_space() -> None:
    assert compact("学思想 强党性（一）") == compact("学思想强党性(一)")


def test_a_title_ends_no_sentence() -> None:
    """《卡拉OK.LIVE！台北》 is one title in one sentence; the quotation's attribution stays
    with it, and other sentences end where they end."""
    paragraph = "《卡拉OK.LIVE！台北》是他的第六张专辑。“我很满意。”他说。专辑很受欢迎！"
    assert [s.text for s in split_sentences(paragraph)] == ["《卡拉OK.LIVE！台北》是他的第六张专辑。", "“我很满意。”他说。", "专辑很受欢迎！"]
