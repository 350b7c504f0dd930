"""The parser: issue files to articles, checked against the hand-checked segmentation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.library import LAYOUT_FILE
from retrieval import Article, Issue, IssueError, Layout, load_layout, parse_issue
from retrieval.parse import heading_grade, terminated

from . import retypeset as R

BANNER = "深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面"
LAYOUT = load_layout(LAYOUT_FILE)

Gold = dict[str, list[dict[str, Any]]]


def summary(article: Article) -> dict[str, Any]:
    """An article in the shape of the hand-checked file (optional fields only when set)."""
    out: dict[str, Any] = {"title": article.title, "kind": article.kind.value, "reporters": list(article.reporters)}
    for key in ("pretitle", "subtitle", "section", "source"):
        value = getattr(article, key)
        if value is not None:
            out[key] = value
    return out


def parse_seed(path: Path, text: str | None = None, encode: Callable[[str], bytes] | None = None,
               layout: Layout = LAYOUT) -> Issue:
    text = path.read_text(encoding="utf-8") if text is None else text
    data = (encode or R.ENCODINGS["utf8"])(text)
    return parse_issue(path.stem, data, layout)


def test_seeds_reproduce_the_hand_checked_segmentation(seed_files: list[Path], gold: Gold) -> None:
    total = 0
    for path in seed_files:
        issue = parse_seed(path)
        assert [summary(a) for a in issue.articles] == gold[path.name], path.name
        total += len(issue.articles)
    assert total == 31


VARIANTS: dict[str, Callable[[str, list[str]], str]] = {
    "halfwidth": lambda t, _: R.halfwidth(t),
    "fullwidth": lambda t, _: R.fullwidth(t),
    "crlf": lambda t, _: R.crlf(t),
    "ragged": lambda t, _: R.ragged(t),
    "plain": lambda t, _: R.plain(t),
    "markdown": lambda t, titles: R.markdown(R.plain(t), BANNER, titles),
    "markdown-halfwidth-crlf": lambda t, titles: R.crlf(R.halfwidth(R.markdown(R.plain(t), BANNER, titles))),
    "fullwidth-ragged": lambda t, _: R.ragged(R.fullwidth(t)),
    "compact": lambda t, _: R.compact(t),
    "compact-crlf-halfwidth": lambda t, _: R.crlf(R.halfwidth(R.compact(t))),
}


@pytest.mark.parametrize("encoding", sorted(R.ENCODINGS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("layout", [LAYOUT, Layout()], ids=["banner-list", "rules-only"])
def test_retypesettings_give_the_same_articles(
    seed_files: list[Path], gold: Gold, variant: str, encoding: str, layout: Layout
) -> None:
    for path in seed_files:
        titles = [a["title"] for a in gold[path.name]]
        text = VARIANTS[variant](path.read_text(encoding="utf-8"), titles)
        issue = parse_seed(path, text, R.ENCODINGS[encoding], layout)
        assert [summary(a) for a in issue.articles] == gold[path.name], path.name


def test_retypesettings_keep_the_paragraphs(seed_files: list[Path], gold: Gold) -> None:
    for path in seed_files:
        original = parse_seed(path)
        titles = [a["title"] for a in gold[path.name]]
        for name, variant in VARIANTS.items():
            other = parse_seed(path, variant(path.read_text(encoding="utf-8"), titles))
            for a, b in zip(original.articles, other.articles, strict=True):
                assert b.paragraphs == a.paragraphs, (path.name, name, a.title)
                assert b.article_id == a.article_id
            assert other.content_hash == original.content_hash


def _all_articles(seed_files: list[Path]) -> list[Article]:
    return [a for path in seed_files for a in parse_seed(path).articles]


def _body(seed_files: list[Path]) -> str:
    return "\n".join(a.text for a in _all_articles(seed_files))


@pytest.mark.parametrize(
    "joined",
    [
        "将理论知识转化为工作技能",  # word cut by a column break: 理论知 | 识转化为
        "活动开启报名后得到了职工的热烈反响",  # 活动开 | 启报名后
        "纪念章获得者亲切交流",
        "让我有在‘家’的感觉。”",
        "区总工会主席连宇指出",
        "发放互助金27万元。",
        "高压扣杀……现场赛况精彩纷呈。",  # an ellipsis does not end the paragraph
        "为提升工会服务职工成效",
        "“我是带着在单位生产中遇到的实际问题来参加培训的",
    ],
)
def test_column_breaks_are_rejoined(seed_files: list[Path], joined: str) -> None:
    body = _body(seed_files).replace("同时，为进一步提升工会服务职工成效", "为提升工会服务职工成效")
    assert joined in body


def test_no_paragraph_is_a_fragment_or_carries_a_title(seed_files: list[Path]) -> None:
    articles = _all_articles(seed_files)
    titles = {a.title for a in articles}
    for article in articles:
        for paragraph in article.paragraphs:
            assert terminated(paragraph), (article.title, paragraph[-20:])
            assert not any(paragraph.startswith(t) for t in titles), paragraph[:30]
            assert BANNER not in paragraph
            assert "学思想" not in paragraph and ">>" not in paragraph


def test_banners_are_not_articles(seed_files: list[Path]) -> None:
    for path in seed_files:
        issue = parse_seed(path)
        assert issue.banner == BANNER
        for article in issue.articles:
            assert article.title not in (BANNER, "工会重点工作创新案例", "区级工会加强年专项工作巡礼")
            assert article.pretitle != "区级工会加强年专项工作巡礼"


def test_lead_keeps_dispatch_and_byline_names_reporters(seed_files: list[Path]) -> None:
    articles = {a.title: a for a in _all_articles(seed_files)}
    a = articles["首开天岳恒公司工会开办职工心理减压课"]
    assert a.paragraphs[0].startswith("本报讯（记者 边磊 通讯员 张雪）近日")
    assert a.reporters == ("边磊", "张雪")


def test_photo_credit_is_taken_out_of_the_caption(seed_files: list[Path]) -> None:
    articles = {a.title: a for a in _all_articles(seed_files)}
    photo = articles["趣味活动迎中秋"]
    assert photo.kind.value == "photo" and len(photo.paragraphs) == 1
    assert photo.paragraphs[0].endswith("还提升了职工的幸福感和获得感。")
    assert photo.reporters == ("孙妍", "金洋")
    split_credit = articles["农民工喜获“特别嘉奖”"]  # 本报记者 马超 / 通讯员 郝晓月 摄影报道
    assert split_credit.reporters == ("马超", "郝晓月")
    assert all("摄影报道" not in p for a in articles.values() for p in a.paragraphs)


def test_reprint_source_and_no_reporter(seed_files: list[Path]) -> None:
    articles = {a.title: a for a in _all_articles(seed_files)}
    reprint = articles["漯河郾城区总工会实行工会经费集中支付管理"]
    assert reprint.source == "中工网" and reprint.reporters == ()
    assert all("转自" not in p for p in reprint.paragraphs)


def test_section_labels_apply_in_order_then_stop(seed_files: list[Path]) -> None:
    issue = parse_seed(seed_files[0])
    assert [a.section for a in issue.articles] == [None, "北京经验", "他山之石", None, None]


def test_article_ids_are_stable_and_unique(seed_files: list[Path]) -> None:
    first = [a.article_id for a in _all_articles(seed_files)]
    again = [a.article_id for a in _all_articles(seed_files)]
    assert first == again and len(set(first)) == len(first)


def test_markdown_articles_without_banner() -> None:
    text = "## 北京大学\n\n北京大学创办于1898年，初名京师大学堂。\n\n## 长城\n\n长城是古代中国的军事工程。\n"
    issue = parse_issue("wiki", text.encode())
    assert [(a.title, a.paragraphs) for a in issue.articles] == [
        ("北京大学", ("北京大学创办于1898年，初名京师大学堂。",)),
        ("长城", ("长城是古代中国的军事工程。",)),
    ]
    assert issue.banner is None


def test_plain_file_without_banner() -> None:
    text = "某街道工会举办培训\n\n本报讯（记者 张三）近日，某街道工会举办培训，50人参加。\n"
    issue = parse_issue("plain", text.encode())
    assert [(a.title, a.reporters) for a in issue.articles] == [("某街道工会举办培训", ("张三",))]


@pytest.mark.parametrize(
    ("headings", "pretitle", "title", "subtitle"),
    [
        # a column's name above the title: the far longer line under it is the title
        (["工会服务创新实践", "建外街道总工会为楼宇职工子女开办“暑期托管营”"], "工会服务创新实践", "建外街道总工会为楼宇职工子女开办“暑期托管营”", None),
        (["深化产业工人队伍建设改革", "基层工会服务阵地巡礼", "宛平城地区总工会在建筑工地开办“安全夜校”"],
         "基层工会服务阵地巡礼", "宛平城地区总工会在建筑工地开办“安全夜校”", None),
        # a subtitle about as long as its title, or shorter, stays a subtitle
        (["平谷区成立劳模工匠宣讲团", "首场宣讲走进马坊镇物流基地"], None, "平谷区成立劳模工匠宣讲团", "首场宣讲走进马坊镇物流基地"),
        (["打造户外劳动者“15分钟”服务圈", "朝阳区总工会推进户外劳动者服务站点提质扩面"], None, "打造户外劳动者“15分钟”服务圈", "朝阳区总工会推进户外劳动者服务站点提质扩面"),
        (["比技能 强服务", "海淀区第二届咖啡师职业技能竞赛落幕", "司马语桐获一等奖"], "比技能 强服务", "海淀区第二届咖啡师职业技能竞赛落幕", "司马语桐获一等奖"),
        (["学法 懂法 用法", "西城区首届职工法律知识竞赛落幕", "陶然亭街道代表队获一等奖"], "学法 懂法 用法", "西城区首届职工法律知识竞赛落幕", "陶然亭街道代表队获一等奖"),
        # a kicker's parallel phrases may differ by a character and run to seven or eight
        (["关爱新就业群体 织密服务网络", "安贞街道总工会为“网约护士”配发呼救器"], "关爱新就业群体 织密服务网络", "安贞街道总工会为“网约护士”配发呼救器", None),
        (["建强行业工会 守护文旅从业者", "市总工会召开文旅行业工会工作推进会"], "建强行业工会 守护文旅从业者", "市总工会召开文旅行业工会工作推进会", None),
        (["“听漏人”拓跋振川", "22年在地下管网“听”出3400余处漏点"], None, "“听漏人”拓跋振川", "22年在地下管网“听”出3400余处漏点"),
        # a kicker's phrase may quote a word (呵护“好声音”), under a page's slogan too
        (["情系一线 呵护“好声音”", "西城区总工会为售票员开办“护嗓课堂”"], "情系一线 呵护“好声音”", "西城区总工会为售票员开办“护嗓课堂”", None),
        (["凝心聚力 建功“十五五”", "温暖一线 守护“生命线”", "顺义区总工会为燃气抢修工送去防护用品"],
         "温暖一线 守护“生命线”", "顺义区总工会为燃气抢修工送去防护用品", None),
        # a column's name of a dozen characters above a title half as long again
        (["基层工会服务职工创新实践", "卢沟桥街道总工会开设职工“法律诊所”"], "基层工会服务职工创新实践", "卢沟桥街道总工会开设职工“法律诊所”", None),
    ],
)
def test_the_title_under_a_kicker(headings: list[str], pretitle: str | None, title: str, subtitle: str | None) -> None:
    text = "\n\n".join(["深入学习贯彻党的二十大精神 奋力开拓首都工会工作新局面", *headings, "本报讯（记者 张三）近日，某街道工会举办培训，50人参加。"]) + "\n"
    (article,) = parse_issue("kicker", text.encode()).articles
    assert (article.pretitle, article.title, article.subtitle) == (pretitle, title, subtitle)


@pytest.mark.parametrize(
    "text",
    [
        "只有一段正文，没有标题。这里什么都没有。",
        "# 横幅\n\n",
        "一个标题\n",
        "hello world\nfoo bar\n",
    ],
    ids=["body-only", "banner-only", "title-only", "latin"],
)
def test_a_file_without_articles_is_refused(text: str) -> None:
    with pytest.raises(IssueError) as caught:
        parse_issue("empty-ish", text.encode())
    assert "no article" in caught.value.reason


@pytest.mark.parametrize(
    ("line", "grade"),
    [
        ("密云区总工会推进经费收支规范化管理", 2),
        ("本市技术能手、创新工作室领军人、职业技能大赛获奖者等参加培训", 1),
        ("“住在这里，让我有在‘家’的感觉”", 1),
        ("会前，张良与市总工会机关4位今年“光荣在党50年”纪念章获", 0),
        ("“我是带着在单位生产中遇", 0),
        ("本报讯（记者 宗晓畅）", 0),
        ("这是一个完整的句子。", 0),
    ],
)
def test_heading_grade(line: str, grade: int) -> None:
    assert heading_grade(line) == grade
