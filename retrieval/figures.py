"""Figures in text and in questions: "300余人", "17.9万余人", "三百余人", "48名职工".

A figure is a number (Arabic or Chinese numerals) with an optional magnitude (万, 亿),
an optional approximation (余, 多) and a measure word. Measure words fall into classes
so that a question's "多少人" or "几名" matches "300余人", "48名" and "4位" alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

# measure word -> class
UNIT_CLASSES: dict[str, str] = {
    **dict.fromkeys(["人", "名", "位", "人次", "余人", "余名"], "人"),
    **dict.fromkeys(["家", "所"], "家"),
    **dict.fromkeys(["个", "处", "郡", "县", "省", "州", "国"], "个"),  # 处: spots (3400余处 漏点)
    **dict.fromkeys(["块", "枚", "面"], "块"),
    **dict.fromkeys(["只", "头", "匹", "尾"], "只"),
    **dict.fromkeys(["级", "阶"], "级"),
    **dict.fromkeys(["项", "类", "种", "条", "方面"], "项"),
    **dict.fromkeys(["次", "场", "期", "届", "批", "轮"], "次"),
    **dict.fromkeys(["元", "万元", "亿元"], "元"),
    **dict.fromkeys(["对"], "对"),
    **dict.fromkeys(["支", "队"], "支"),
    **dict.fromkeys(["组"], "组"),
    **dict.fromkeys(["户"], "户"),
    **dict.fromkeys(["件", "份", "本", "册", "篇", "起"], "件"),  # 起: incidents (4.3万余起 故障)
    # things counted by their own measure word (1.2万余副 春联, 1500套 工装, 12张 床)
    **dict.fromkeys(["副", "套", "张", "把", "盒", "袋", "箱", "瓶", "双", "幅", "盏", "顶"], "件"),
    **dict.fromkeys(["棵", "株"], "棵"),
    **dict.fromkeys(["岁"], "岁"),
    **dict.fromkeys(["天", "小时", "分钟", "周", "个月", "个工作日", "工作日"], "天"),
    **dict.fromkeys(["%", "％"], "%"),
    **dict.fromkeys(["米", "千米", "公里", "厘米", "毫米", "英里"], "米"),
    **dict.fromkeys(["平方米", "平方千米", "平方公里", "公顷", "亩"], "平方米"),
    **dict.fromkeys(["吨", "千克", "公斤", "克", "斤"], "吨"),
    **dict.fromkeys(["座", "栋", "间", "层"], "座"),
    **dict.fromkeys(["辆", "架", "艘", "台"], "辆"),
    **dict.fromkeys(["部", "首", "集", "卷", "章"], "部"),
    **dict.fromkeys(["倍"], "倍"),
    **dict.fromkeys(["周年"], "周年"),  # an anniversary (104周年), not 104 weeks
    **dict.fromkeys(["年"], "年"),  # years of a duration (干了22年); a calendar year (2023年) is a date
    **dict.fromkeys(["折"], "折"),
    **dict.fromkeys(["摄氏度", "℃"], "摄氏度"),  # not 度 alone: 200度 may count kilowatt-hours
}
# a question asking how long something lasts wants a duration (天 / 周 / 个月)
DURATION_QUESTION = re.compile(r"多久|多长(?:时间|时候)|几(?:天|周|个月)|(?:期|时长|假)(?:有|是)?多长")
# how often (多久一次, 多长时间搞一回): a rate of recurrence answers (每季度, 每半年, 每月一次)
FREQUENCY_QUESTION = re.compile(r"(?:多久|多长时间|多少天|几天|几个月)[\u4e00-\u9fff]{0,8}?(?:一次|一回|一趟|1次)")
# with what is done once in that period when the paper says it (每周结算一次, 每季度评比一次)
FREQUENCY_RE = re.compile(r"每(?:隔)?(?:[半一两三四五六\d]{1,2}个?)?(?:年|季度|月|周|星期|天|日|小时)(?:[\u4e00-\u9fff]{0,4}?(?:[一1]次|一回))?")
# how long, far, high, heavy or large (路段一共多长, 管子有多长): a length, weight or area
_MEASURE_QUESTIONS = (
    (re.compile(r"多长(?!时间|时候|的时间)|多远|多高|多深|多宽|长度|距离"), "米"),
    (re.compile(r"多重|重量"), "吨"),
    (re.compile(r"面积"), "平方米"),
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERALS = "零〇一二两三四五六七八九十百千万亿"
_CN_NUM = CHINESE_NUMERALS

_UNITS = sorted(UNIT_CLASSES, key=len, reverse=True)
_UNIT_RE = "|".join(map(re.escape, _UNITS))
FIGURE_RE = re.compile(
    rf"(?P<approx>近|约|不(?:超过|少于|低于|高于|多于|足)|超过|逾|共)?"  # 不超过12小时: the bound is the figure's
    rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CN_NUM}]+)"  # 2,173 with its thousands
    rf"(?P<mag>万|亿)?(?P<more>余|多)?"
    rf"(?P<unit>{_UNIT_RE})?"
    r"(?P<minutes>(?<=小时)\d{1,2}分(?:钟)?(?:\d{1,2}秒)?|(?<=分钟)\d{1,2}秒)?"  # 1小时02分: one duration
    r"(?P<around>左右|以上|以下|以内|内)?"  # 200元左右, 80%以上: the paper's bound belongs to its figure
)
# 多少人, 几名, 多少家企业, 几个小组, 多少单身职工, 多少年终奖; the counted noun ends at 的
# (几个科室的专家 counts 科室, not 专家)
QUESTION_FIGURE_RE = re.compile(rf"(?:多少|(?<![那这好])几|若干)(?:余|多)?(?P<unit>{_UNIT_RE})?(?P<noun>(?:(?!的)[\u4e00-\u9fff]){{0,4}})")
# a time of day: 7时30分, 上午9点, 晚上九点半, 19:30
CLOCK_RE = re.compile(
    rf"(?:上午|下午|晚上|早上|早晨|凌晨|中午|傍晚|夜里|晚|早)?(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}})(?:[:：]\d{{2}}|[时点](?:\d{{1,2}}分|[{_CN_NUM}]{{1,3}}分|半|整)?)"
    r"(?![\d万亿多余个名家项次场届人元件])"
)
TIME_RE = re.compile(
    r"(?:公元前?)?\d{1,4}年(?:\d{1,2}月(?:\d{1,2}(?:[日号]?[至到—~-]\d{1,2})?[日号]|\d{1,2}(?=[至到—~-]\d{1,2}[日号]))?)?"
    r"|\d{1,2}月\d{1,2}[日号]?[至到—~-]\d{1,2}[日号]|\d{1,2}世纪(?:\d0年代)?|\d{2,4}年代|\d{1,2}月\d{1,2}日(?:[上下]午)?|\d{1,2}月(?:份|初|中旬|下旬|底)"
    r"|[上下]半年|今年|去年|近日|日前|\d{4}-\d{1,2}-\d{1,2}"
    r"|(?<![\d个])\d{1,2}月(?![\d份初中下底])"  # 在9月举行: a month alone (3个月 is a duration)
)


class Figure(BaseModel):
    """A figure found in text: its span, value and measure-word class."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    value: float | None
    unit: str
    unit_class: str


def chinese_number(text: str) -> int | None:
    """三百 -> 300, 十五 -> 15, 两万三千 -> 23000; None when not a numeral."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in _CN_BIG for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _CN_BIG[ch]
            section, digit = 0, None
    return total + section + (digit or 0)


def number_value(num: str, magnitude: str | None) -> float | None:
    try:
        value: float | None = float(num)
    except ValueError:
        value = chinese_number(num)
    if value is None:
        return None
    return value * (_CN_BIG[magnitude] if magnitude else 1)


CALENDAR_YEARS = 200  # 年 after a smaller number counts years (22年); after a larger one it dates
_NOT_DURATION = frozenset("级代度初底末前后间份内里中")


_NIGHTS = re.compile(r"[\d一二三四五六七八九十两]+[晚夜]")


# 一个, 一项, 一把手, 一套, 一双手: after 一 or 两 these are words more often than counts
_ARTICLE_UNITS = frozenset({"个", "处", "名", "位", "项", "次", "", "副", "套", "张", "把", "双", "顶", "盏", "幅"})


def find_figures(text: str) -> list[Figure]:
    """Every figure in the text, left to right (fractions such as 五分之一 count as %)."""
    if _NUMERAL.search(text) is None:  # most spans and many sentences have no numeral at all
        return []
    out: list[Figure] = [
        Figure(text=m.group(0), start=m.start(), end=m.end(), value=None, unit="分之", unit_class="%")
        for m in FRACTION_RE.finditer(text)
    ]
    for match in FIGURE_RE.finditer(text):
        num = match.group("num")
        if not num[0].isdigit() and len(num) == 1 and num in "一两" and (match.group("unit") or "") in _ARTICLE_UNITS:
            # 一个, 一项: article words more often than figures; keep them but only with 余/多
            if not match.group("more"):
                continue
        if num[0] in "万亿":
            continue  # 万人, 亿万: not a figure
        unit = match.group("unit") or ""
        if unit == "起" and not num[0].isdigit():
            continue  # 一起, 两起来: together, not a count of incidents
        if not unit and not (match.group("mag") or (num[-1] in "万亿" and len(num) > 1)):
            continue  # a bare number is not a figure; 120万 is
        value = number_value(num.replace(",", ""), match.group("mag"))
        if value is None:
            continue
        if unit == "年" and (value >= CALENDAR_YEARS or text[match.end() : match.end() + 1] in _NOT_DURATION):
            continue  # 2023年, 5年级, 80年代: a date, a grade, a decade
        start = match.start("num") if match.group("approx") in (None, "共") else match.start()
        end = match.end()
        nights = _NIGHTS.match(text, end) if unit == "天" else None
        if nights is not None:  # 5天4晚: one stay, days and nights
            end = nights.end()
        out.append(
            Figure(
                text=text[start:end],
                start=start,
                end=end,
                value=value,
                unit=unit,
                unit_class=UNIT_CLASSES.get(unit, ""),
            )
        )
    return sorted(out, key=lambda f: f.start)


# the last characters of words for people (高级技师, 运动员, 获得者, 选手, 班组长)
PERSON_SUFFIXES = ("师", "员", "者", "手", "长")
# …and of the words for workers of a trade (数控铣工, 采摘工), which ask for a person, not a count
PERSON_WORD_ENDINGS = (*PERSON_SUFFIXES, "工")
RATIO_WORDS = ("比例", "比率", "百分比", "占比", "率", "比重", "份额")
FRACTION_RE = re.compile(rf"[{_CN_NUM}\d]+分之[{_CN_NUM}\d]+")
# every figure (and fraction) holds one of these
_NUMERAL = re.compile(rf"[{_CN_NUM}\d]")


# words that begin with a measure word and, after 多少 / 几, are that measure word and a noun
COUNTED_WORDS = ("支队", "个人")


def _unit_and_noun(match: re.Match[str], words: Sequence[str]) -> tuple[str | None, str]:
    """The asked measure word and counted noun; none when the measure word only begins a
    word of the question (多少户外劳动者: 户外 is a word, 户 measures nothing)."""
    unit, noun = match.group("unit"), match.group("noun")
    if unit and (unit + noun).startswith(COUNTED_WORDS):  # 多少支队: 支 of 队, not a 支队
        return unit, noun
    if unit and any(len(w) > len(unit) and w.startswith(unit) and (unit + noun).startswith(w) for w in words):
        return None, unit + noun
    if unit == "年" and noun[:1] and noun[:1] not in "的了呢啊吗吧呀":  # 多少年终奖, 几年级: no years counted
        return None, unit + noun
    return unit, noun


def asked_unit_class(
    question: str,
    people_nouns: Sequence[str] = (),
    organisation_nouns: Sequence[str] = (),
    money_nouns: Sequence[str] = (),
    words: Sequence[str] = (),
    head: str | None = None,
    number_nouns: Sequence[str] = (),
) -> str | None:
    """The measure-word class a quantity question asks for: 多少人 -> 人, 多少家企业 -> 家,
    建制率是多少 -> %, 多久 -> 天; a noun among `people_nouns` (多少职工) asks for 人, one
    among `organisation_nouns` (多少企业) for 家, one among `money_nouns` (多少钱) for 元.
    `words` are the question's words, as segmented; `head` the last word of the noun phrase
    counted, when the question was tagged: it decides (多少户外劳动者站点 counts 站点, not
    people). A question about one of `number_nouns` (号码是多少, 多少号) asks for a number
    without a measure word: class ""."""
    if DURATION_QUESTION.search(question):
        return "天"
    match = QUESTION_FIGURE_RE.search(question)
    if match is None or not (match.group("unit") or _RATIO_ASKED.search(question, 0, match.start())):
        for measure, unit_class in _MEASURE_QUESTIONS:
            if measure.search(question):
                return unit_class
    if match is None:
        return None
    before = question[: match.start()]
    if number_nouns and (match.group("noun").startswith(tuple(number_nouns)) or re.search(
        rf"(?:{'|'.join(map(re.escape, number_nouns))})(?:是|为)?$", before
    )):
        return ""  # 热线号码是多少, 多少号: a number without a measure word (12345)
    if not match.group("unit") and not match.group("noun").strip("？?。 ") and _RATIO_ASKED.search(before):
        return "%"
    unit, noun = _unit_and_noun(match, words)
    if noun.startswith(("点", "百分点")) and unit in (None, "个"):  # 工资涨几个点: percentage points
        return "%"
    people = (*people_nouns, *PERSON_SUFFIXES)
    if unit == "个":  # 几个人, 多少个职工 count people; 几个企业 organisations
        # 几个人, 几个职工代表, 几个读书达人 (the counted noun's head); not 几个职工书屋示范点
        counted = re.sub(r"[^\u4e00-\u9fff]|[的呢啊吗呀啦]+$", "", question[match.end("unit") :]).split("的")[0]
        if not counted:  # 高级技师有几个: the counted noun stands before the question word
            counted = re.sub(r"(?:里|中|当中)?(?:有|是|共|一共|总共|共有)?$", "", before)
        # the tagged head decides when there is one (多少个职工服务驿站 counts 驿站, not 职工)
        # … and a counted phrase that ends in a word for people (几个读书达人, 几个工作室成员)
        # … or a tagged head that names workers of a trade (几个缝纫工), not a phrase that merely ends in 工
        workers = head is not None and len(head) >= 2 and head.endswith("工")
        if counted.endswith(("人", *people)) or workers or (head.endswith(people) if head is not None else noun.startswith(("人", *people_nouns))):
            return "人"
        if noun.startswith(tuple(organisation_nouns)):
            return "家"
    if unit:
        return UNIT_CLASSES[unit]
    if head:
        if head.endswith(("人", *people)):
            return "人"
        if head.endswith(tuple(organisation_nouns)):
            return "家"
    elif any(n in noun for n in people_nouns):
        return "人"
    elif noun.startswith(tuple(organisation_nouns)):
        return "家"
    elif not noun and (counted := noun_before(question)):  # 新就业形态劳动者有多少, 地方企业有多少
        # 长 ends lengths as often as people here (体长是多少, 总长是多少)
        if counted.endswith(("人", *people_nouns, *(x for x in PERSON_SUFFIXES if x != "长"))):
            return "人"
        if counted.endswith(tuple(organisation_nouns)):
            return "家"
    # 多少钱 / 多少经费, or the money noun a few characters before 多少 (助学金发了多少); not
    # a rise (工资涨多少: 6.5% as often as 45元)
    if money_nouns and not _RISE_ASKED.search(question) and (noun.startswith(tuple(money_nouns)) or re.search(rf"(?:{'|'.join(map(re.escape, money_nouns))})[\u4e00-\u9fff]{{0,3}}$", question[: match.start()])):
        return "元"
    return None


def counts_in(figure: Figure, unit_class: str | None, noun: str) -> bool:
    """Does the figure count in the asked unit? 个 also agrees with the counted noun's own
    measure word (几个项目 -> 12项) and with the measure word of a kind of thing, as members
    say 个 for any (几个技术难题 -> 19项)."""
    if unit_class is None or figure.unit_class == unit_class:
        return True
    if unit_class != "个" or not figure.unit:
        return False
    return (bool(noun) and noun.startswith(figure.unit)) or generic_count(figure, unit_class)


# the measure words of things a colloquial 个 stands for (多少个技术难题: 19项, 几个活动: 3场);
# not people, organisations, money, time, lengths or weights, which have their own questions
_THINGS_COUNTED = frozenset({"项", "次", "件", "座", "辆", "部", "支", "组", "块", "只"})


def generic_count(figure: Figure, unit_class: str | None) -> bool:
    """The question counts with the all-purpose 个 and the figure with the measure word of
    a kind of thing (asked 多少个难题, the paper says 19项)."""
    return unit_class == "个" and figure.unit_class in _THINGS_COUNTED


# classes whose measure words count different things (几期 is not answered by 一批, 几篇
# not by 3本); within the others the words are one measure (人 / 名 / 位, 元 / 万元)
_DISTINCT_WORDS = frozenset({"次", "项", "件", "部", "座", "辆", "块", "只"})


def asked_unit(question: str) -> str:
    """The measure word a quantity question names (几期 -> 期), or ""."""
    match = QUESTION_FIGURE_RE.search(question)
    return (match.group("unit") or "") if match else ""


def unit_word_differs(figure: Figure, unit: str) -> bool:
    """Does the figure count with another word of the asked measure word's class, one that
    counts something else (asked 几期, the figure says 一批)?"""
    return (
        bool(unit) and bool(figure.unit) and figure.unit != unit and frozenset((unit, figure.unit)) not in _SAME_WORDS
        and figure.unit_class == UNIT_CLASSES.get(unit) and figure.unit_class in _DISTINCT_WORDS
    )


_RATIO_ASKED = re.compile(rf"(?:{'|'.join(RATIO_WORDS)})(?:是|为|有|达|占)?$")
_RISE_ASKED = re.compile(r"(?:涨|增长|增加|提高|上调|上涨|下降|降低|减少)(?:了|幅)?(?:多少|几)")
_SAME_WORDS = frozenset({frozenset(("本", "册"))})  # 多少本书: 1.2万册


def asked_noun(question: str, words: Sequence[str] = ()) -> str:
    """What a quantity question counts: 多少家企业 -> 企业, 多少年终奖 -> 年终奖, 多少户外劳动者
    -> 户外劳动者 (with the question's `words`); a particle ending the question is no noun
    (有几家来着)."""
    match = QUESTION_FIGURE_RE.search(question)
    return _PARTICLES_END.sub("", _unit_and_noun(match, words)[1]) if match else ""


# a question's closing particles: 有几家来着, 多少人呢
_PARTICLES_END = re.compile(r"(?:来着|呢|啊|吗|呀|啦|吧)+$")
# 高级技师有几个, 地方企业一共多少家, 新就业形态劳动者是多少: the counted noun, then a verb of being
_BEING_END = re.compile(r"(?:有|是|为|共|一共|总共|共有|共计)$")
# what the counted noun is cut from: 成员里高级技师, 决赛的地方企业, 其中女职工
_BEFORE_NOUN = re.compile(r"[^\u4e00-\u9fff]|里|的|了|其中|当中")


def noun_stands_before(sentence: str, start: int, noun: str) -> bool:
    """The noun, or its last two characters (its head), ends right before `start`, a
    closing quotation mark allowed between (“职工读书达人”10名)."""
    if not noun:
        return False
    left = sentence[:start].rstrip("”’」』》\"' ")
    return left.endswith(noun) or (len(noun) > 2 and left.endswith(noun[-2:]))


NOUN_REACH = 8  # characters after a figure where the noun it counts may stand (300余名 一线 职工)
_NOUN_TAGS = ("n", "nz", "ng", "vn")  # jieba's tags of a noun the counted one may modify


def counts_another_noun(
    sentence: str, start: int, end: int, noun: str, words: Sequence[tuple[str, str]], same_heads: Sequence[str] = ()
) -> bool:
    """Does the asked noun, after the figure spanning start-end, only modify another noun
    that the figure counts (98名职工代表 for 多少职工: the 代表 are counted, not the
    职工)? A head naming the same people (`same_heads`: 职工群众, 快递小哥) does not."""
    if not noun:
        return False
    at = sentence.find(noun, max(start, end - len(noun)), end + NOUN_REACH + len(noun))
    if at < 0:
        return False
    noun_end, position = at + len(noun), 0
    for index, (word, _) in enumerate(words):
        if position < noun_end <= position + len(word):
            if noun_end < position + len(word):  # 职工代表 as one word
                rest = word[noun_end - position :]
                return not rest.startswith(tuple(same_heads)) and "\u4e00" <= rest[0] <= "\u9fff"
            if index + 1 < len(words):
                following, flag = words[index + 1]
                return flag.startswith(_NOUN_TAGS) and not following.startswith(tuple(same_heads))
            return False
        position += len(word)
    return False


def noun_before(question: str) -> str:
    """The noun a quantity question counts when it stands before the question word
    (常立峰工作室成员里高级技师有几个 -> 高级技师, 参加决赛的地方企业有几家 -> 地方企业); "" when
    a noun follows the question word or no verb of being joins them (培训了多少人)."""
    match = QUESTION_FIGURE_RE.search(question)
    if match is None or _PARTICLES_END.sub("", match.group("noun")):
        return ""
    being = _BEING_END.search(question, 0, match.start())
    if being is None:
        return ""
    noun = _BEFORE_NOUN.split(question[: being.start()])[-1]
    return noun if len(noun) >= 2 else ""
