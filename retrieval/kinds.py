"""Question kinds, one registry: how each kind is recognised, the question words it
strips before searching, the answer it expects, its extractor, and when it refuses.

Adding a kind is one `KindRule` in `KINDS`; the first rule whose `detects` holds wins,
so the order is the precedence (a date question that names a person is a date question).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import extract
from .figures import PERSON_WORD_ENDINGS
from .lexicon import Lexicon
from .models import Kind

# -- patterns -----------------------------------------------------------------------------

# a time of day asked (几点开跑, 几点发车, 开到几点, 几点钟); not 几点建议, which counts points
_POINTS = "建议|意见|要求|措施|体会|内容|原因|做法|经验|考虑|看法|希望|打算|举措|要点|收获|启示|想法|思考|成效|变化|不足|问题|任务|目标|作用|特点|优势|理由|原则|方面"
CLOCK_QUESTION = re.compile(rf"几点(?!(?:{_POINTS}))钟?|几时(?!候)")
DATE_QUESTION = re.compile(
    r"什么时候|啥时候|啥时|多会儿|何时|哪年|哪一年|哪天|哪一天|哪几天|几月|几号|哪个月|什么时间|哪一月|日期|哪些日子|哪月|(?:周|星期|礼拜)几|"
    + CLOCK_QUESTION.pattern
)
# a date question that wants the day (哪天, 几号), not only the year or the month
DAY_QUESTION = re.compile(r"哪天|哪一天|几号|几月几|哪几天|哪日|日期")
# until when (持续到什么时候, 到啥时候结束, 什么时候截止): the end of a span of dates
END_QUESTION = re.compile(r"(?:到|至|截止到?|截至)(?:什么|啥)(?:时候|时间)|(?:到|至)(?:哪天|哪一天|几号|几月|哪年|何时)|(?:什么|啥)(?:时候|时间)(?:结束|截止|到期|为止)")
# from when (从哪天搞到哪天, 从几号到几号, 什么时候开始到什么时候): the whole span is asked, not its end
START_QUESTION = re.compile(r"[从自](?:什么|啥|哪|几)|(?:哪天|哪一天|几号|几月|什么时候|啥时候)(?:开始)?(?:搞|办|开|干)?(?:到|至)|(?:哪天|几号|什么时候|啥时候)(?:开始|起)")
# the end of a span asked beside its start (从几号到几号, 哪天开始到哪天结束)
SPAN_END_ASKED = re.compile(r"(?:到|至)(?:什么|啥|哪|几|何)|(?:哪天|几号|什么时候|啥时候)(?:截止|结束|截至|为止)")
# who organised it (谁主办的, 主办单位是谁, 由谁承办): an organisation, not a person
ORGANISER_QUESTION = re.compile(
    r"(?:由)?谁(?:来)?(?:联合)?(?:主办|承办|协办|举办|组织|发起|指导|牵头)|(?:主办|承办|协办|指导|牵头)(?:单位|方)(?:是|有)?(?:谁|哪)"
)
_WHO = re.compile(r"谁|哪位|哪一位|什么人|哪个人|姓名")  # a person, whatever comes before
NAMING_QUESTION = re.compile(r"名字|名称|叫什么|叫啥")  # a person's name, or a thing's
# the ends of words for people (获得者, 代表, 运动员, 作家 …) beside the word lists
PERSON_ENDINGS = (*PERSON_WORD_ENDINGS, "人", "生", "家", "代表", "冠军", "亚军", "季军", "头名")
_RANKED = re.compile(r"第[一二三四五六七八九十\d]+名$")  # 电工第一名叫什么: the one ranked
PLACE_QUESTION = re.compile(r"哪里|哪儿|在哪|何地|什么地方|何处|哪个地方|地点|哪个城市|哪座城市")
QUANTITY_QUESTION = re.compile(r"多少|几(?!乎)|若干|多大|多长|多高|多重|多远|多久|百分之几")
WHICH_QUESTION = re.compile(r"(?:哪些|哪几|哪个|哪家|哪所|哪一|哪本|哪部|哪首|什么|何种|哪种)(?P<head>[\u4e00-\u9fff]{0,6})")
# 哪些, 哪几项, 哪两位, 都有什么 / 有啥, 包括啥, 玩了些啥, 都送了啥: an enumeration is asked
LIST_QUESTION = re.compile(
    r"哪些|哪[几两俩二三四五六七八九十](?![天年月号日])|(?:有|包括|包含)(?:什么|啥)|些(?:什么|啥)|都[\u4e00-\u9fff]{0,4}?(?:什么|啥)(?!时候|时间)"
)
OTHER_QUESTION = re.compile(r"什么|怎么|怎样|如何|何种|哪种|为什么|为何|内容|措施|做法|啥")
# 有没有 / 是不是 / 是否 / 搞没搞 / 能不能 / …吗: a question that wants 有 or 是
YES_NO_QUESTION = re.compile(r"([\u4e00-\u9fff])[没不]\1|是否|有无|(?:吗|(?<!什)么|嘛)[？?。！!\s]*$")
# 搞没搞 / 有没有 / 有无 ask whether something was done or exists, 给不给 / 发不发 / 送不送
# whether something is given: 有; 是不是 / 是否 / 要不要: 是
HAS_QUESTION = re.compile(r"([\u4e00-\u9fff])没\1|有无|有.{0,24}吗|([给发送补])不\2")


def yes_word(question: str) -> str:
    """The word a yes/no question is answered with when the paper says so: 有 or 是."""
    return "有" if HAS_QUESTION.search(question) else "是"
# who wrote or photographed the article: the byline answers
BYLINE_QUESTION = re.compile(r"记者|通讯员|谁写|谁报道|谁拍|哪位.{0,2}写|作者|摄影(?:师|者)|署名")  # not 摄影大赛
# a title asked by name: 倡议书的全称叫啥, 宣传材料叫什么名字
NAMED_WORK = re.compile(r"(?:的)?(?:全称|名字|名称|题目)?(?:叫|是)(?:什么|啥)(?:名字)?")
TWO_PART = re.compile(r"[，,；;、]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|(?<=[了的])(?:还|又|并且|以及)")
_WH = re.compile(r"谁|哪|什么|多少|多[大久长高远重]|几|怎|如何|何|啥")

# the question words each kind strips before its words are searched for
_STRIPS: dict[Kind, str] = {
    Kind.QUANTITY: r"[有是在]?(?:多少|几)(?:余|多)?(?:个|名|位|家|人|项|次|场|届|对|天|年)?",
    Kind.PLACE: r"[有是在]?哪(?:里|儿|些|个|家|位|所|天|年|一|几|种)?",
    Kind.PERSON: r"[是]?谁|叫(?:什么|啥)名字|叫啥",  # 叫什么名字: the form of the question, not its topic
    Kind.DATE: r"(?:什么|啥)(?:时候|时间)|啥时|多会儿|何时|" + CLOCK_QUESTION.pattern,
    Kind.OTHER: r"什么(?:地方)?|怎么样?|怎样|如何|为什么|为何|何地|啥",
    Kind.YES_NO: r"([\u4e00-\u9fff])[没不]\1|是否|有无|吗|呢|么$",
    Kind.CHOICE: r"还是",
}


# -- detection ----------------------------------------------------------------------------


def which_head(text: str) -> str:
    """The noun after 哪个 / 哪些 / 什么 (哪家医院 -> 医院)."""
    match = WHICH_QUESTION.search(text)
    return match.group("head") if match else ""


def head_in(head: str, heads: tuple[str, ...]) -> str | None:
    """The longest of `heads` found in `head`."""
    for noun in sorted(heads, key=len, reverse=True):
        if noun in head:
            return noun
    return None


def _date(text: str, lexicon: Lexicon) -> bool:
    return DATE_QUESTION.search(text) is not None


# which of the byline's people: 哪个记者, 哪位通讯员, 署的哪个记者, 作者是哪位
_BYLINE_WHICH = re.compile(r"哪[个位名]?(?:记者|通讯员|摄影|作者)|署的?哪|(?:记者|通讯员|作者)(?:是|叫)?哪")


def _person(text: str, lexicon: Lexicon) -> bool:
    if ORGANISER_QUESTION.search(text):
        return False
    byline = _BYLINE_WHICH.search(text) is not None  # 哪个记者写的; not 记者去的那家店在哪个街道
    if byline or _WHO.search(text):
        return True
    naming = NAMING_QUESTION.search(text)
    if naming is None:
        return False
    # 叫什么 / 叫啥 names a person only after a person (获得者叫什么, 发言的叫啥), not after
    # a thing (这个活动叫什么, 来京的团叫啥名: the name of the activity, of the group)
    before = text[: naming.start()]
    if before.endswith("的") and naming.group(0).startswith("叫"):  # 发言的叫啥: the one who spoke
        return True
    return before.endswith((*lexicon.people_nouns, *lexicon.roles, *PERSON_ENDINGS)) or _RANKED.search(before) is not None


# 那几个健康小屋, 这几家企业: the ones already spoken of, no count asked
_THOSE_FEW = re.compile(r"[那这]几(?=[个位家项名次场所间座条批])")


def _without_those_few(text: str) -> str:
    return _THOSE_FEW.sub("那", text)


def _quantity(text: str, lexicon: Lexicon) -> bool:
    text = _without_those_few(text)
    return QUANTITY_QUESTION.search(text) is not None and "哪" not in text and not _a_few_asked_whether(text)


# 是不是 / 有没有 / 是否 asked first: the question is whether, and a 几 after it says "a few"
# (怀柔是不是还打算再加几家早餐点, 有没有办几期培训), not "how many"
_WHETHER = re.compile(r"([\u4e00-\u9fff])[没不]\1|是否|有无")
_A_FEW = re.compile(r"(?<!第)几(?!乎)")


def _a_few_asked_whether(text: str) -> bool:
    whether = _WHETHER.search(text)
    if whether is None:
        return False
    asked = list(_WH.finditer(text))
    return bool(asked) and all(_A_FEW.match(text, m.start()) for m in asked) and asked[0].start() > whether.end()


def _title(text: str, lexicon: Lexicon) -> bool:
    if PLACE_QUESTION.search(text) or BYLINE_QUESTION.search(text):
        return False
    named = NAMED_WORK.search(text)
    if named is not None and text[: named.start()].endswith(lexicon.work_nouns):
        return True
    head = which_head(text)
    return bool(head) and head_in(head[:2], lexicon.work_nouns) is not None and head_in(head[:4], lexicon.place_heads) is None


# several places asked (设在哪几个镇街, 去了哪些地方): their enumeration answers
_PLACES_ASKED = re.compile(r"哪(?:些|几|[两二三四五六七八九十])")


def _place(text: str, lexicon: Lexicon) -> bool:
    if _PLACES_ASKED.search(text):
        return False
    head = which_head(text)
    if head and head_in(head[:4], lexicon.organisation_heads) and not head_in(head[:4], lexicon.place_heads):
        return False  # 在哪个单位上班, 在哪家公司干: an organisation, though 在哪 asks where
    if PLACE_QUESTION.search(text):
        return True
    if head and head_in(head[:4], lexicon.place_heads) and re.search(r"在(?:哪|什么)", text):
        return True
    return bool(head) and head_in(head[:3], lexicon.place_heads) is not None and not _organisation(text, lexicon)


# 哪家 counts organisations (家 is their measure word): 联合哪家给职工体检, 是哪家承办的
_WHICH_HOUSE = re.compile(r"哪(?:一)?家")
_NO_ORGANISATION_HEAD = re.compile(r"活动|工作|内容|方面")  # 哪家单位的活动: what it did, not who


def _organisation(text: str, lexicon: Lexicon) -> bool:
    if ORGANISER_QUESTION.search(text):
        return True
    head = which_head(text)
    if _WHICH_HOUSE.search(text) and not head_in(head[:4], lexicon.place_heads) and not _NO_ORGANISATION_HEAD.search(head):
        return True
    naming = NAMING_QUESTION.search(text)  # 合作的律师事务所叫啥: the name of an organisation
    if naming is not None and text[: naming.start()].rstrip("的").endswith(lexicon.organisation_names):
        return True
    return (
        bool(head)
        and head_in(head[:4], lexicon.organisation_heads) is not None
        and not _NO_ORGANISATION_HEAD.search(head)
    )


def _yes_no(text: str, lexicon: Lexicon) -> bool:
    text = _without_those_few(text)
    return YES_NO_QUESTION.search(text) is not None and (_WH.search(text) is None or _a_few_asked_whether(text))


def _choice(text: str, lexicon: Lexicon) -> bool:
    return _WH.search(text) is None and extract.choice_options(text) is not None


def _list(text: str, lexicon: Lexicon) -> bool:
    return LIST_QUESTION.search(text) is not None


def _other(text: str, lexicon: Lexicon) -> bool:
    return True


# -- refusal rules: when the article has no span of the asked type, nothing is cited --------


def _never(needs: bool) -> Callable[[bool, bool], bool]:
    return lambda asked_unit, asked_role: needs


def _counted(asked_unit: bool, asked_role: bool) -> bool:
    return asked_unit  # 多少人 with no count of people: the paper does not say


def _named(asked_unit: bool, asked_role: bool) -> bool:
    return asked_role  # 主席是谁 with no name after 主席


@dataclass(frozen=True)
class KindRule:
    """One question kind."""

    kind: Kind
    detects: Callable[[str, Lexicon], bool]  # on the normalised question
    expects: str  # the answer it wants, in words
    extractor: extract.Extractor
    refuses_without_span: Callable[[bool, bool], bool]  # (a unit was asked, a role was asked)


KINDS: tuple[KindRule, ...] = (
    KindRule(Kind.CHOICE, _choice, "the option of A还是B the paper states", extract.choice, _never(True)),
    KindRule(Kind.DATE, _date, "a dated year, month or day (the day when asked 哪天, the time of day when asked 几点)", extract.date, _never(True)),
    KindRule(Kind.TITLE, _title, "a 《title》", extract.title, _never(True)),
    KindRule(Kind.PERSON, _person, "a name, bounded by role words; the byline for 哪个记者", extract.person, _named),
    KindRule(Kind.QUANTITY, _quantity, "a figure in the asked unit; 第几 an ordinal", extract.quantity, _counted),
    KindRule(Kind.PLACE, _place, "a place", extract.place, _never(False)),
    KindRule(Kind.ORGANISATION, _organisation, "an organisation", extract.organisation, _never(False)),
    KindRule(Kind.YES_NO, _yes_no, "有 / 是 with the evidence", extract.yes_no, _never(True)),
    KindRule(Kind.LIST, _list, "the items of an enumeration, joined with 、", extract.listing, _never(False)),
    KindRule(Kind.OTHER, _other, "a phrase: a quoted name, or the noun phrase asked for", extract.phrase, _never(False)),
)
RULES: dict[Kind, KindRule] = {rule.kind: rule for rule in KINDS}

# every kind's question words, for the segmenter to cut out of questions
# the date's first: 几点 is a time of day, not a count's 几 and a word 点
QUESTION_WORDS = re.compile("|".join(_STRIPS[k] for k in (Kind.DATE, Kind.QUANTITY, Kind.PLACE, Kind.PERSON, Kind.OTHER, Kind.YES_NO, Kind.CHOICE)))


def detect(text: str, lexicon: Lexicon) -> Kind:
    """The kind of a normalised question."""
    for rule in KINDS:
        if rule.detects(text, lexicon):
            return rule.kind
    return Kind.OTHER


# a count asked twice in one clause (第几届委员会第几次全会, 几个原则几个不准, 几场几胜,
# 多长时间转移了多少人); not the parts of a date or time (几月几号, 几点几分), nor 那几个
# (those few); a duration asked after a count is where the count went (从几天缩到多久)
_COUNT_ASKED = re.compile(r"(?<![那这好])第?(?:多少|几)(?![月日号点时分秒])|多长时间|多久")
_DURATION_ASKED = ("多长时间", "多久")


def _counted_parts(text: str) -> list[str]:
    if extract.CHANGE_ASKED.search(text):  # 从多少涨到多少: one change, answered with both its sides
        return [text]
    asked = list(_COUNT_ASKED.finditer(text))
    if len(asked) != 2 or asked[1].start() - asked[0].end() < 1 or asked[1].group(0) in _DURATION_ASKED:
        return [text]
    return [text[: asked[1].start()], text[asked[1].start() :]]


# A和B分别是谁 / 分别多少: one question for each of A and B
_RESPECTIVELY = re.compile(r"(?:和|与|跟|及)(?P<b>[^，,；;、和与跟及]{1,8}?)(?:分别|各(?=有|是|给|要|拿|得|发|奖|多少|几|自))")


def _respective_parts(text: str) -> list[str] | None:
    """记者和通讯员分别是谁 -> 记者是谁, 通讯员是谁: the second keeps what stands before
    the first (城驰新选的工会主席和副主席: 城驰新选的副主席)."""
    match = _RESPECTIVELY.search(text)
    if match is None:
        return None
    before, b, asked = text[: match.start()], match.group("b"), text[match.end() :]
    if not before or not _WH.search(asked):
        return None
    if "的" in b:  # 职工方和企业方的首席代表各是谁: the 首席代表 of both
        return [before + b[b.index("的") :] + asked, before[: max(0, len(before) - len(b[: b.index("的")]))] + b + asked]
    # what the first names begins after the last 的 or comma before it (城驰新选的 | 工会主席),
    # else it is as long as the second (大桃竞赛 | 第二名)
    bare = before.rstrip("的")
    cut = max(bare.rfind("的"), bare.rfind("，"), bare.rfind(","))
    common = bare[: cut + 1] if cut >= 0 else before[: max(0, len(before) - len(b))]
    return [before + asked, common + b + asked]


def parts_of(text: str) -> list[str]:
    """The parts of a two-part question (多少人参加，评出几个奖项), each with a question word;
    one part when it has only one."""
    respective = _respective_parts(text)
    if respective is not None:
        return respective
    pieces = [p.strip() for p in TWO_PART.split(text) if p and p.strip()]
    asking = [p for p in pieces if _WH.search(p) or YES_NO_QUESTION.search(p)]
    if len(asking) < 2:
        return _counted_parts(text)
    # the first part carries the subject the later ones leave out (化工竞赛多少人参加，几个奖项);
    # a later part that points back to it (首届是哪年办的，当时多少人参加) is asked of its subject
    subject = asking[0][: m.start()] if (m := _WH.search(asking[0])) is not None else ""
    subject = re.sub(r"[是在于从由]$", "", subject)
    return [asking[0]] + [_POINTS_BACK.sub(subject, p, count=1) if subject else p for p in asking[1:]]


_POINTS_BACK = re.compile(r"^(?:当时|那时候?|那次|那届|那一届|那年|那一年|当年|彼时)")
