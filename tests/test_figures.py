"""Figures in text and questions."""

from __future__ import annotations

import pytest

from bot.library import build_lexicon
from retrieval.figures import TIME_RE, asked_noun, counts_another_noun, asked_unit, asked_unit_class, chinese_number, counts_in, find_figures, noun_before, unit_word_differs

LEXICON = build_lexicon()


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("三百", 300), ("十五", 15), ("一千零五", 1005), ("两万三千", 23000), ("十", 10), ("二十一", 21)],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("共300余人答疑解惑", [("300余人", 300.0, "人")]),
        ("工会会员17.9万余人。", [("17.9万余人", 179000.0, "人")]),
        ("三百余人参加", [("三百余人", 300.0, "人")]),
        ("48名职工报名参加，随机分成6个学习小组", [("48名", 48.0, "人"), ("6个", 6.0, "个")]),
        ("覆盖企业8327家", [("8327家", 8327.0, "家")]),
        ("累计排除照明故障4.3万余起，", [("4.3万余起", 43000.0, "件")]),
        ("每期5天4晚。", [("5天4晚", 5.0, "天")]),
        ("年底前建会率提高到80%以上，每天跑120公里左右。", [("80%以上", 80.0, "%"), ("120公里左右", 120.0, "米")]),
        # a bound stated before the figure is part of it: 12小时 alone would say the opposite
        ("连续作业时间由最长16小时调整为不超过12小时，提成不低于40%", [("16小时", 16.0, "天"), ("不超过12小时", 12.0, "天"), ("不低于40%", 40.0, "%")]),
        ("大家一起参加", []),
        ("自9月1日起执行", []),
        ("一个小组", []),
        ("万人空巷", []),
    ],
)
def test_find_figures(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert [(f.text, f.value, f.unit_class) for f in find_figures(text)] == expected


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("培训了多少人", "人"),
        ("有几名职工", "人"),
        ("有几位老党员", "人"),
        ("多少家企业", "家"),
        ("多少单身职工参加", "人"),
        ("几个小组", "个"),
        ("发了多少年终奖", None),
    ],
)
def test_asked_unit_class(question: str, unit: str | None) -> None:
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns) == unit


@pytest.mark.parametrize(
    ("question", "unit"),
    [("平谷区职代会建制率是多少", "%"), ("流域占全国面积的比例是多少", "%"), ("一等奖奖金有多少", None)],
)
def test_ratio_questions_ask_for_percentages(question: str, unit: str | None) -> None:
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns) == unit


def test_fractions_are_figures() -> None:
    assert [(f.text, f.unit_class) for f in find_figures("约占五分之一，建制率达85%")] == [("五分之一", "%"), ("85%", "%")]


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("丰台送清凉一共花了多少钱", "元"),
        ("助学金发了多少", "元"),
        ("投入资金有多少", "元"),
        ("一等奖奖金有多少", "元"),
        ("健康服务季要搞多久", "天"),
        ("培训班办了多长时间", "天"),
        ("会员卡滑雪票打几折", "折"),
        ("几月几号开的会", None),
    ],
)
def test_money_durations_and_discounts_have_their_units(question: str, unit: str | None) -> None:
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns, LEXICON.money_nouns) == unit


def test_a_duration_answers_how_long_not_a_count() -> None:
    assert [(f.text, f.unit_class) for f in find_figures("为期3个月，历时两周")] == [("3个月", "天"), ("两周", "天")]


def test_a_range_of_days_is_one_date() -> None:
    assert [m.group(0) for m in TIME_RE.finditer("于2008年8月8日至24日举行，8月8日至24日")] == ["2008年8月8日至24日", "8月8日至24日"]


def test_a_count_of_people_may_be_asked_with_个() -> None:
    assert asked_unit_class("读书月评了几个读书达人", LEXICON.people_nouns, LEXICON.organisation_nouns) == "人"


def test_a_count_with_个_is_of_the_noun_it_ends_with() -> None:
    assert asked_unit_class("有多少个全国职工书屋示范点", LEXICON.people_nouns, LEXICON.organisation_nouns) == "个"


@pytest.mark.parametrize(
    ("question", "unit", "noun"),
    [("731医院来了几个科室的专家", "个", "科室"), ("有几个班组的职工参赛", "个", "班组"), ("来了几个单位的职工代表", "家", "单位")],
)
def test_the_count_before_的_is_of_the_noun_before_it(question: str, unit: str, noun: str) -> None:
    """几个科室的专家 counts 科室 (the experts come from them), not 专家."""
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns) == unit
    assert asked_noun(question) == noun


def test_a_measure_word_that_begins_a_word_of_the_question_measures_nothing() -> None:
    """多少户外劳动者: 户外 is one word, so 户 is no measure word and the count is of people."""
    question = "东城给多少户外劳动者免费体检"
    words = ("东城", "户外", "劳动者", "免费", "体检")
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns, (), words) == "人"
    assert asked_noun(question, words) == "户外劳动者"
    assert asked_unit_class("有多少户职工家庭", LEXICON.people_nouns, LEXICON.organisation_nouns, (), ("职工", "家庭")) == "户"


@pytest.mark.parametrize(
    ("question", "unit"),
    [("工作室成员里高级技师有几个", "人"), ("有几个运动员", "人"), ("服务站有几个", "个")],
)
def test_a_count_with_个_of_people_is_known_by_their_word_before_or_after(question: str, unit: str) -> None:
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns) == unit


@pytest.mark.parametrize(
    ("question", "noun", "unit"),
    [
        ("常立峰工作室成员里高级技师有几个", "高级技师", "人"),
        ("海淀去年发展会员里新就业形态劳动者有多少", "新就业形态劳动者", "人"),
        ("参加决赛的地方企业一共多少", "地方企业", "家"),
        ("密云区总工会培训了多少人", "", "人"),  # no verb of being: no noun before the question word
        ("多少家企业参加", "", "家"),  # the noun follows the question word
        ("溪银汉鱼的体长是多少", "体长", None),  # a length, not a 班组长
    ],
)
def test_the_counted_noun_may_stand_before_the_question_word(question: str, noun: str, unit: str) -> None:
    assert noun_before(question) == noun
    assert asked_unit_class(question, LEXICON.people_nouns, LEXICON.organisation_nouns, ()) == unit


def test_a_closing_particle_is_no_counted_noun_and_a_word_for_people_ends_a_count_with_个() -> None:
    assert asked_noun("参加化工决赛的地方企业有几家来着") == ""
    assert noun_before("参加化工决赛的地方企业有几家来着") == "地方企业"
    # the tagged head of 读书达人 is 读书 (达人 cut in two): the phrase's last word decides
    assert asked_unit_class("读书月评了几个读书达人", LEXICON.people_nouns, LEXICON.organisation_nouns, (), (), "读书") == "人"


def test_a_month_alone_is_a_date_and_months_are_a_duration() -> None:
    assert [m.group(0) for m in TIME_RE.finditer("在9月举行的全市决赛，为期3个月")] == ["9月"]


def test_a_figure_counted_with_another_word_of_the_asked_class_is_told_apart() -> None:
    """几期 is not answered by 一批, nor 几本 by 3篇; 300余名 answers 多少人 (one measure)."""
    assert asked_unit("海淀街道今年一共办了几期财务培训") == "期"
    assert asked_unit("来了多少人") == "人" and asked_unit("来了多少职工") == ""
    batch, periods, pieces, people = (find_figures(t)[0] for t in ("一批复合型人才", "3期培训", "3篇文章", "300余名职工"))
    assert unit_word_differs(batch, "期") and not unit_word_differs(periods, "期")
    assert unit_word_differs(pieces, "本")
    assert not unit_word_differs(people, "人") and not unit_word_differs(batch, "")


def test_years_counted_are_a_figure_and_a_calendar_year_is_not() -> None:
    """干了多少年 is answered by 22年; 2023年, 5年级 and 80年代 count no years."""
    assert [(f.text, f.unit_class) for f in find_figures("扎根管网一线22年，工作了30余年")] == [("22年", "年"), ("30余年", "年")]
    assert find_figures("2023年是开局之年，5年级学生，80年代") == []
    assert asked_unit_class("在管网一线干了多少年") == "年"
    assert asked_unit_class("发了多少年终奖") is None and asked_unit_class("哪年成立的") is None


def test_the_tagged_head_decides_what_is_counted() -> None:
    """多少个职工服务驿站 counts 驿站, not 职工; 几个职工代表 counts people."""
    assert asked_unit_class("新村街道建了多少个职工服务驿站", people_nouns=("职工",), head="驿站") == "个"
    assert asked_unit_class("来了几个职工代表", people_nouns=("职工", "代表"), head="代表") == "人"


def test_a_colloquial_个_counts_things_of_any_measure_word_but_not_people_or_money() -> None:
    """多少个技术难题: the paper counts them with 项; 个 stands for the measure word of any
    kind of thing, never for people, organisations or money, which have questions of their own."""
    figures = {f.text: f for f in find_figures("解决技术难题19项，建成3座驿站，联系5家企业，服务20人，投入8万元")}
    assert counts_in(figures["19项"], "个", "技术难题")
    assert counts_in(figures["3座"], "个", "驿站")
    assert not counts_in(figures["5家"], "个", "单位")
    assert not counts_in(figures["20人"], "个", "难题")
    assert not counts_in(figures["8万元"], "个", "难题")


def test_points_asked_are_percentage_points() -> None:
    """工资涨几个点: 6%, not a count of 个."""
    assert asked_unit_class("恒川一线干施工的工资涨几个点", LEXICON.people_nouns, LEXICON.organisation_nouns) == "%"
    assert asked_unit_class("增幅高了多少个百分点", LEXICON.people_nouns, LEXICON.organisation_nouns) == "%"


def test_a_figure_keeps_its_thousands() -> None:
    """2,173个坐席 is 2173 seats, not 173."""
    figures = find_figures("主看台有2,173个坐席，海拔1,750米，分别为1,2个。")
    assert [(f.text, f.value) for f in figures] == [("2,173个", 2173.0), ("1,750米", 1750.0), ("2个", 2.0)]


@pytest.mark.parametrize(
    ("words", "noun", "another"),
    [
        # the asked noun modifies the next noun: the figure counts that one
        ([("98", "m"), ("名", "q"), ("职工", "n"), ("代表", "n"), ("参加", "v")], "职工", True),
        ([("98", "m"), ("名", "q"), ("职工代表", "n"), ("参加", "v")], "职工", True),
        ([("20", "m"), ("名", "q"), ("职工", "n"), ("家属", "n")], "职工", True),
        # the asked noun is the head, or the next word names the same people
        ([("300", "m"), ("余名", "q"), ("职工", "n"), ("参加", "v")], "职工", False),
        ([("200", "m"), ("多名", "q"), ("职工", "n"), ("群众", "n")], "职工", False),
        ([("50", "m"), ("名", "q"), ("快递", "n"), ("小哥", "n")], "快递", False),
        ([("300", "m"), ("余名", "q"), ("职工", "n"), ("。", "x")], "职工", False),
        ([("300", "m"), ("余名", "q"), ("学员", "n")], "职工", False),
    ],
)
def test_a_noun_that_only_modifies_the_counted_one(words: list[tuple[str, str]], noun: str, another: bool) -> None:
    sentence = "".join(w for w, _ in words)
    end = len(words[0][0]) + len(words[1][0])
    assert counts_another_noun(sentence, 0, end, noun, words, ("群众", "小哥", "师傅")) is another


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("扫雪志愿队负责的路段一共多长", "米"),
        ("检漏班管的供水管子有多长", "米"),
        ("短期会籍有效期多长", "天"),
        ("申请周转金多久能放款", "天"),
        ("回龙观一共追回来多少工资", "元"),
        ("京南乳业今年平均工资涨多少", None),
        ("跳绳比赛亲子项目有多少个家庭参加", "个"),
        ("怀柔托管第一期管了多少个孩子", "人"),
        ("流域的面积有多大", "平方米"),
    ],
)
def test_lengths_durations_money_and_families(question: str, unit: str | None) -> None:
    """多长 asks a length (an 有效期 a duration); 工资 is money, though 工资涨多少 may be a rate;
    a family is no person counted, a child is."""
    lexicon = LEXICON
    assert asked_unit_class(question, lexicon.people_nouns, lexicon.organisation_nouns, lexicon.money_nouns) == unit


def test_spots_and_working_days_are_counted() -> None:
    """3400余处 counts spots (多少个漏点); 3个工作日内 is a duration, its bound kept; 一处 is an article word."""
    assert [(f.text, f.unit_class) for f in find_figures("找到漏点3400余处，一处管线")] == [("3400余处", "个")]
    assert [(f.text, f.unit_class) for f in find_figures("3个工作日内放款")] == [("3个工作日内", "天")]
    assert not [f for f in find_figures("送去图书600余册") if unit_word_differs(f, "本")]


def test_a_count_with_个_of_workers_of_a_trade_counts_people() -> None:
    """多少个缝纫工: the tagged head names workers of a trade (缝纫工), so 520名缝纫工 answers
    it, not 600个 袖口; a head that only begins with 工 (工地) still counts things."""
    words = ("素绫", "服饰", "下调", "定额", "涉及", "缝纫工")
    assert asked_unit_class("素绫服饰下调定额涉及多少个缝纫工", LEXICON.people_nouns, LEXICON.organisation_nouns, (), words, "缝纫工") == "人"
    assert asked_unit_class("走访了多少个建筑工地", LEXICON.people_nouns, LEXICON.organisation_nouns, (), ("走访", "建筑", "工地"), "工地") == "个"
