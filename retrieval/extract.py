"""Short answers inside a sentence, by question type.

Each extractor returns a `Span` of the sentence (or None): a figure for 多少, a name
after the asked-for role for 谁, the place after 在 for 哪里, a date for 何时, titles or
an enumeration for 哪些.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .figures import CHINESE_NUMERALS, CLOCK_RE, FREQUENCY_QUESTION, FREQUENCY_RE, PERSON_WORD_ENDINGS, TIME_RE, Figure, chinese_number, counts_in, find_figures, noun_stands_before
from .lexicon import Lexicon
from .models import Kind
from .sentences import Sentence

if TYPE_CHECKING:
    from .question import Question

_PLACE_VERBS = r"举办|举行|召开|开展|开班|开幕|开课|进行|组织|揭牌|启动|上演|亮相|落户|设立|成立|开启|拉开"
_PLACE_RE = re.compile(rf"在([^，。；“”]{{2,40}}?)(?:组织)?(?:{_PLACE_VERBS})")
_LOCATED_RE = re.compile(
    r"(?:位于|坐落于|地处|坐落在|设在|来到|前往|先后到|先后来到|走进|走访|到访|赴)([^，。；“”]{2,40}?)(?:[，。；的]|进行|开展|参观|调研|$)"
)
_TITLES = re.compile(r"《([^《》]{1,30})》")
_ENUMERATION = re.compile(r"[^，。；：:！？!?…]*、[^，。；：:！？!?…]*")
# quotations side by side (提出“A，a”“B，b”“C，c”等五个方面): an enumeration of slogans
_QUOTED_RUN = re.compile(r"“[^“”]{1,40}”(?:、?“[^“”]{1,40}”)+")
# what ends an enumeration without being an item: 等, 等8类服务, 五项趣味活动, 等多种形式
_LIST_TAIL = re.compile(r"(?:等|和|及)?[\d一二三四五六七八九十两多]+[个项类种条部分名位家所场][\u4e00-\u9fff]{0,6}$|等[\u4e00-\u9fff]{0,6}$")
_COUNT_AFTER_ITEM = re.compile(r"等?[\d一二三四五六七八九十两]+[个项类种条部分名位家所场处]")
_COUNTED_TAIL = re.compile(r"等?[一二三四五六七八九十两\d]*[个项类种条部分]*$")
# the verbs that say who organised an event; the organiser stands before them
_ORGANISING = ("主办", "承办", "协办", "举办", "组织", "发起", "指导", "牵头")
LIST_LEAD_SLACK = 2  # characters a first item may hold beyond the longest other before its lead is cut
MAX_AGENT = 40  # characters: an organiser (or several, joined by 、) is never longer
_AGENT_BREAK = "，。；：,;:！？!?“”（）()"
_JOINTLY = re.compile(r"(?:联合|共同|负责|具体|一起|携手|主要|" + "|".join(_ORGANISING) + ")+$")
_AGENT_LEAD = re.compile(r"^(?:近日|日前|近期|此前|今年|去年|同时|此外|随后|其中|并)")


Tagger = Callable[[str], list[tuple[str, str]]]
# an extractor gives the spans of its type in a sentence, the most likely first
Extractor = Callable[[str, "Question", Tagger, Lexicon], "list[Span]"]
# parts of speech a noun phrase may hold (jieba's tag set): nouns, names, numbers, measure
# words, places, directions, adjectives, distinguishing words, abbreviations, Latin words
_PHRASE_POS = ("n", "m", "q", "s", "f", "a", "b", "j", "eng", "l", "i")


class Span(BaseModel):
    """A short answer: its text, where it stands in the sentence, and how sure the pattern
    that found it is (1: tied to the question's own words, e.g. 由X主办 for 由哪些单位主办;
    lower: found by shape alone). The answerer bounds a sentence's score by the credit of a
    span of full strength, so a strength is never above 1."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int
    strength: float = Field(default=1.0, ge=0.0, le=1.0)


def _weaker(spans: Sequence[Span], strength: float) -> list[Span]:
    return [span.model_copy(update={"strength": min(span.strength, strength)}) for span in spans]


def _nearest(spans: Sequence[Span], anchors: Sequence[int]) -> list[Span]:
    """The spans, the nearest to the question's words first (a stable sort: ties keep
    their order)."""
    if not anchors:
        return list(spans)
    return sorted(spans, key=lambda s: min(abs(s.start - a) for a in anchors))


def anchors_of(sentence: str, question: Question) -> list[int]:
    """Where the question's words stand in the sentence."""
    out = []
    for term in question.terms:
        if term.startswith("#") or len(term) < 2:
            continue
        at = sentence.find(term)
        while at >= 0:
            out.append(at)
            at = sentence.find(term, at + 1)
    return out


_ORDINAL = re.compile(r"第[一二三四五六七八九十百零两\d]+(?:届|次|季|期|批|轮|名|阶段|场|个)")


_TOP_ASKED = re.compile(r"前(?:多少|几)")


# a number, a phone line (12345, 12351); not a year (2024京港工会)
_BARE_NUMBER = re.compile(r"(?<![\d.])(?!(?:19|20)\d\d(?!\d))\d{3,}(?![\d.%年月日号])")


# a change asked, both its sides (从多少涨到多少, 从多久缩到多久, 由多少间调到多少间)
CHANGE_ASKED = re.compile(r"[从由](?:多少|多久|多长时间?|多重|多高|几)[^，。？?\d]{0,8}?(?:到|至|成|为)了?(?:多少|多久|多长|多重|多高|几)")
# what stands between the two sides of a change (由40分钟 缩短至 12分钟, 由每人每月180元 提高到 每人每月300元)
_CHANGE_BETWEEN = re.compile(
    r"[^，。；\d]{0,10}?(?:调整|提高|增加|增长|上涨|上调|下调|涨|降低|下降|降|减少|减|缩短|缩减|缩|延长|扩大|提升|升|调|变)了?(?:为|到|至|成)[^，。；\d]{0,6}"
)


def _changes(sentence: str, figures: Sequence[Figure]) -> list[Span]:
    """The changes the sentence states, each from 由/从 before its old value to the end of
    its new one (由每班30元提高到45元)."""
    out = []
    for old, new in zip(figures, figures[1:], strict=False):
        start = sentence.rfind("由", max(0, old.start - 6), old.start + 1)
        start = max(start, sentence.rfind("从", max(0, old.start - 6), old.start + 1))
        if start < 0 or re.search(r"[，。；]", sentence[start : old.start]) or not _CHANGE_BETWEEN.fullmatch(sentence, old.end, new.start):
            continue
        out.append(Span(text=sentence[start : new.end], start=start, end=new.end))
    return out


def quantity(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    anchors = anchors_of(sentence, question)
    if "第几" in question.normalised:
        ordinals = [Span(text=m.group(0), start=m.start(), end=m.end()) for m in _ORDINAL.finditer(sentence)]
        return _nearest(ordinals, anchors)
    if FREQUENCY_QUESTION.search(question.normalised):  # 多久搞一回: 每半年, 每季度, 每月一次
        rates = [Span(text=m.group(0), start=m.start(), end=m.end()) for m in FREQUENCY_RE.finditer(sentence)]
        if rates:
            return _nearest(rates, anchors)
    found = find_figures(sentence)
    if CHANGE_ASKED.search(question.normalised):  # 从多少涨到多少: the change, both its sides (由20元提高到30元)
        # a sentence that states one side only answers half of it (缩短到12分钟: from what?)
        return _nearest(_changes(sentence, found), anchors)
    if question.unit_class == "":  # 热线号码是多少: a number that counts nothing (12345)
        numbers = [m for m in _BARE_NUMBER.finditer(sentence) if not any(f.start <= m.start() < f.end for f in found)]
        return _nearest([Span(text=m.group(0), start=m.start(), end=m.end()) for m in numbers], anchors)
    noun = question.noun[:2]
    figures = [f for f in found if counts_in(f, question.unit_class, question.noun)]
    if not figures and question.unit_class is None:
        figures = found
    # the counted noun next to the figure: after it (300余名职工), or before it for a noun
    # asked before the question word (高级技师有几个: 其中高级技师5人)
    followed = [
        f for f in figures
        if (noun and sentence[f.end : f.end + 8].find(noun) >= 0) or noun_stands_before(sentence, f.start, question.noun_before)
    ]
    rest = [f for f in figures if f not in followed]
    spans = []
    for pool in (followed, rest):
        for span in _nearest([Span(text=f.text, start=f.start, end=f.end) for f in pool], anchors):
            if noun and sentence.startswith(question.noun, span.end):  # 5个参赛队
                span = Span(text=span.text + question.noun, start=span.start, end=span.end + len(question.noun))
            elif span.text.endswith("个"):  # 86个夜晚 for 多少个夜班: 个 alone says nothing of what it counts
                span = _with_counted_word(sentence, span, question.noun, tag)
            every = _EVERY.search(sentence, max(0, span.start - EVERY_REACH), span.start)
            if every is not None:  # 每月500元: the figure is a rate, and says so
                span = Span(text=sentence[every.start() : span.end], start=every.start(), end=span.end, strength=span.strength)
            spans.append(span)
    if _TOP_ASKED.search(question.normalised):  # 前多少名 asks for 前100名, not 100名
        spans = [Span(text="前" + s.text, start=s.start - 1, end=s.end) if sentence[s.start - 1 : s.start] == "前" else s for s in spans]
    # a numeral counting the asked noun itself, without a measure word (几个不准 -> 八不准)
    if len(question.noun) >= 2:
        for m in re.finditer(rf"(?:\d+|[{CHINESE_NUMERALS}]+)(?={re.escape(question.noun)})", sentence):
            counted = Span(text=m.group(0) + question.noun, start=m.start(), end=m.end() + len(question.noun))
            if all(counted.start != s.start for s in spans):
                spans.append(counted)
    return spans


_COUNTED_TAGS = ("n", "t", "s", "vn")


def _with_counted_word(sentence: str, span: Span, noun: str, tag: Tagger) -> Span:
    """A figure in 个 with the word it counts when that word shares a character with the
    noun asked (86个夜晚 for 多少个夜班), as the paper writes it."""
    word = next(((w, flag) for w, flag, at in _tagged_at(sentence, tag) if at == span.end), None)
    if word is None or not word[1].startswith(_COUNTED_TAGS) or not set(word[0]) & set(noun):
        return span
    return Span(text=span.text + word[0], start=span.start, end=span.end + len(word[0]), strength=span.strength)


def _inside_role(sentence: str, at: int, lexicon: Lexicon) -> bool:
    """Does a role word or a people noun cover position `at` and start before it (主席李达:
    席 is inside 主席; 师傅说: 傅 is inside 师傅), so that no name starts there?"""
    words, longest = _covering_words(lexicon.roles, lexicon.people_nouns)
    for start in range(max(0, at - longest + 1), at):
        for end in range(at + 1, min(len(sentence), start + longest) + 1):
            if sentence[start:end] in words:
                return True
    return False


@lru_cache(maxsize=8)
def _covering_words(roles: tuple[str, ...], people: tuple[str, ...]) -> tuple[frozenset[str], int]:
    """The words inside which no name starts, and the length of the longest, built once per
    word lists (name_at reads them at every character it tries)."""
    words = frozenset(roles) | frozenset(people)
    return words, max(map(len, words), default=0)


def name_at(sentence: str, at: int, lexicon: Lexicon) -> Span | None:
    """A personal name starting at `at`: a surname and one or two more characters, not
    starting inside a role word and followed by what follows names."""
    if at < 0 or at >= len(sentence) or _inside_role(sentence, at, lexicon):
        return None
    if at > 0 and sentence[at - 1 : at + 1] in lexicon.surnames:  # 葛 of 诸葛文韬: the name starts before it
        return None
    compound = sentence[at : at + 2] in lexicon.surnames  # 欧阳, 诸葛, 尉迟: two characters
    if not compound and sentence[at] not in lexicon.surnames:
        return None
    if _COUNTED_ORDINAL.match(sentence, at):  # 第五届, 第五名: an ordinal, though 第五 is a surname too
        return None
    if sentence.startswith(lexicon.people_nouns, at):  # 师傅说, 司机们: a people noun, though 师 and 司 begin surnames
        return None
    longest = 4 if compound else 3
    for length in (3, 4, 2) if compound else (2, 3):
        name = sentence[at : at + length]
        if len(name) < length or not all("\u4e00" <= c <= "\u9fff" for c in name):
            break
        if any(role in name for role in lexicon.roles):  # 李达主: a name holds no role word
            continue
        if name[-1] in _NOT_NAME_ENDS:  # 林说 of 辜长林说: what follows a name ends none
            continue
        rest = sentence[at + length :]
        if not rest or rest.startswith(lexicon.after_name):
            if length < longest and _joined_into_name(sentence, at + length, lexicon):
                length += 1  # 左丘清和介绍: 和 ends the name, joins nobody
            return Span(text=sentence[at : at + length], start=at, end=at + length)
    return None


# words that follow a name and end hardly any (说 of 长林说; not 为 or 均: 李为, 王均)
_NOT_NAME_ENDS = frozenset("说谈获被")
# an ordinal with what it counts (第五届, 第五名): no name begins there
_COUNTED_ORDINAL = re.compile(r"第[一二三四五六七八九十百0-9]+[届期次批名个位轮场年季章节号天组排层站]")
_NAME_JOINING = "和与及"  # characters that join two names, and end a name too (王孙景和, 左丘清和)


def _joined_into_name(sentence: str, at: int, lexicon: Lexicon) -> bool:
    """Is the joining character at `at` the last character of the name before it? It is
    when no name follows it and what does follow is a word that follows names, two
    characters or more (左丘清和介绍, 王孙景和指出), or a mark (王孙景和，); not 张明和李华,
    张明和同事们, 张明和在场的人."""
    if at + 1 >= len(sentence) or sentence[at] not in _NAME_JOINING:
        return False
    rest = sentence[at + 1 :]
    if rest[0] in lexicon.surnames:
        return False
    return any(rest.startswith(word) and (len(word) >= 2 or not _HAN_CHAR.match(word)) for word in lexicon.after_name)


_HAN_CHAR = re.compile("[\u4e00-\u9fff]")


# a name that speaks: 辛有清介绍, 蒋文云要求, 李国红在讲话中对…表示肯定
_SPEECH = re.compile(r"[^。；！？]{0,30}?(?:表示|指出|强调|要求|介绍|提出|认为|谈到|说|讲话|致辞|发言)")
SPEAKER_BACK = 4  # sentences of the paragraph looked back for the one who speaks


def speaker(sentences: Sequence[Sentence], lexicon: Lexicon) -> tuple[Sentence, Span] | None:
    """Who speaks in the sentences before a statement that names nobody (李国红在讲话中…
    表示 … 全体工会干部要以“时时放心不下”的责任感…): the nearest of the last SPEAKER_BACK
    sentences (given in paragraph order) that names somebody who says something."""
    for sentence in reversed(sentences[-SPEAKER_BACK:]):
        text = sentence.text
        for at in range(len(text)):
            # a name begins the sentence or a clause, or follows its roles (理事长辛有清), never
            # inside a word (专项工作 holds no 项工)
            if at > 0 and text[at - 1] not in _CLAUSE_MARKS and not text[:at].endswith(lexicon.roles):
                continue
            name = name_at(text, at, lexicon)
            if name is not None and _SPEECH.match(text, name.end):
                return sentence, name
    return None


_CLAUSE_MARKS = frozenset("，,、；：:“”\"（）() ")


_NAME_BEFORE_ROLE = re.compile(r"([\u4e00-\u9fff]{2,4})(?:为|任|出任|担任|当选为?|是|作为)[^，。；]{0,12}$")


@lru_cache(maxsize=8)
def _roles_run(roles: tuple[str, ...]) -> re.Pattern[str]:
    """Further roles after a role (党组书记、副主席张良)."""
    return re.compile(r"(?:[、，]?(?:" + "|".join(map(re.escape, roles)) + r"))*") if roles else re.compile("")


def role_agrees(stated: str, asked: str) -> bool:
    """A stated role is the asked one, or a kind of it (党组书记 is a 书记, 常务副主席 a
    副主席), but a deputy is not the head (副主席 is not a 主席)."""
    return stated == asked or (stated.endswith(asked) and not stated[: len(stated) - len(asked)].endswith("副"))


def roles_before(sentence: str, at: int, lexicon: Lexicon) -> list[str]:
    """The role words standing just before `at` (党组书记、副主席 before 张良), longest first
    at each place; none when a name follows no role."""
    if not lexicon.roles:
        return []
    alternatives = "|".join(map(re.escape, lexicon.roles))
    run = re.search(rf"(?:(?:{alternatives})[、，和]?)+$", sentence[max(0, at - 24) : at])
    return re.findall(alternatives, run.group(0)) if run is not None else []


def _names_after_roles(sentence: str, roles: Sequence[str], lexicon: Lexicon, asked: str = "") -> list[Span]:
    """Names bound to `roles` in the sentence; with `asked`, the question's text, only those
    of the union it names with the role (市教育工会主席: not 延庆区教育工会主席栾卫东)."""
    spans = []
    run = _roles_run(lexicon.roles)
    for role in roles:
        at = sentence.find(role)
        while at >= 0:
            if roles_before(sentence, at + len(role), lexicon) and not any(
                role_agrees(stated, role) for stated in roles_before(sentence, at + len(role), lexicon)[-1:]
            ) or (asked and not _unions_agree(_union_before(asked, asked.find(role), lexicon), _union_before(sentence, at, lexicon))):
                at = sentence.find(role, at + 1)  # 主席 inside 副主席, or of another union: another role
                continue
            before = _NAME_BEFORE_ROLE.search(sentence, 0, at)
            if before is not None:  # 严复为改名后的首任校长
                for start in range(before.start(1), before.end(1) - 1):
                    name = name_at(sentence, start, lexicon)
                    if name is not None and name.end == before.end(1):
                        spans.append(name)
                        break
            after = at + len(role)
            more = run.match(sentence, after)
            if more is not None:
                after = more.end()
            held = _post_elsewhere(lexicon).match(sentence, after)
            if held is not None:  # 裁判长、北京市西餐行业协会副秘书长闾丘明德: a post held elsewhere too
                after = held.end()
            name = name_at(sentence, after, lexicon)
            if name is not None:
                spans.append(name)
            at = sentence.find(role, at + 1)
    return spans


_UNION = re.compile(r"[\u4e00-\u9fff]*工会(?:联合会)?$")  # a union, or a federation of unions (…行业工会联合会)
# the place a union is of: the city's (北京市, or 市 first), a district's, a street's or a town's
_UNION_LEVEL = re.compile(r"北京市|^市|[\u4e00-\u9fff]{2,3}?(?:区|县)|[\u4e00-\u9fff]{2,4}?(?:街道|镇|乡)")


def _union_before(text: str, at: int, lexicon: Lexicon) -> str:
    """The union named right before a role at `at`, behind any roles before it (北京市总工会
    of 北京市总工会党组成员、副主席), back to a mark, 的 or 那个; '' when no union stands there."""
    if at < 0:
        return ""
    before = text[:at]
    roles = re.search(rf"(?:(?:{'|'.join(map(re.escape, lexicon.roles))})[、，和]?)+$", before) if lexicon.roles else None
    if roles is not None:
        before = before[: roles.start()]
    clause = re.split(r"[^\u4e00-\u9fff]|的|[那这哪][个家]", before)[-1]
    return match.group(0) if (match := _UNION.search(clause)) is not None else ""


def _unions_agree(asked: str, stated: str) -> bool:
    """May the union a question names with a role (市教育工会, 丰台区总工会, 京华微电子工会)
    be the one the paper names with it? Not of another place (延庆区教育工会 for 市教育工会),
    not a company's for a place's federation (…有限公司工会 for 丰台区总工会), not one whose
    name lacks what the question's says (华峰机床公司 is in 北京华峰精密机床有限公司, in
    order; 宣外 in 宣武门外). Either unknown, or the paper's a mere 公司工会 or 集团工会 of
    the company it tells of, they may."""
    if not asked or not stated or asked in stated:
        return True
    asked_level, stated_level = _UNION_LEVEL.search(asked), _UNION_LEVEL.search(stated)
    if asked_level is not None and stated_level is not None:
        one, other = asked_level.group(0), stated_level.group(0)
        if not _in_order(one, stated) and not _in_order(other, asked) and not _mistyped(one, other):
            return False  # 延庆区教育工会 for 市教育工会; 市总工会 for 丰台区总工会
    unnamed = _UNNAMED_UNION.search(stated)
    if unnamed is not None:  # the 区总工会 of the article's district, not a street's union asked
        level = unnamed.group("level")
        return level is None or asked_level is None or asked_level.group(0).endswith(level)
    if asked.endswith("总工会") and not stated.endswith("总工会"):
        return False
    body = asked[asked_level.end() if asked_level is not None else 0 :].removesuffix("工会").removesuffix("总")
    if len(body) < 2:  # a place's own union (永外街道工会), not a company's the paper names
        return asked_level is None or stated_level is not None
    return _in_order(body, stated)


# a union named by what it is of, not by its name: the company's, the group's, the project's
_UNNAMED_UNION = re.compile(r"(?:^|[由据经向和与及在是对请为])(?:公司|集团|企业|项目|单位|本单位|该公司|该集团|(?P<level>区|市|街道|镇|乡))?总?工会$")


_DIRECTIONS = frozenset("东西南北上下前后内外")


def _mistyped(asked: str, stated: str) -> bool:
    """Is a place of the question the paper's with one character mistyped (平古区 for
    平谷区), not another place a direction apart (东城区, 西城区)?"""
    differ = [(a, b) for a, b in zip(asked, stated, strict=False) if a != b]
    return len(asked) == len(stated) >= 3 and len(differ) == 1 and not set(differ[0]) & _DIRECTIONS


def _in_order(short: str, full: str) -> bool:
    """Are the characters of `short` in `full`, in order (宣外 in 宣武门外街道)?"""
    rest = iter(full)
    return all(ch in rest for ch in short)


POST_ORGANISATION = 16  # characters of the organisation of a further post between a role and its name


@lru_cache(maxsize=8)
def _posts_elsewhere(roles: tuple[str, ...], heads: tuple[str, ...]) -> re.Pattern[str]:
    role = "|".join(map(re.escape, sorted(roles, key=len, reverse=True)))
    head = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
    return re.compile(rf"、[\u4e00-\u9fff]{{2,{POST_ORGANISATION}}}?(?:{head})副?(?:{role})(?:[、，]?副?(?:{role}))*") if role and head else re.compile(r"(?!)")


def _post_elsewhere(lexicon: Lexicon) -> re.Pattern[str]:
    """A further post of the same person, in another organisation (、北京市西餐行业协会副秘书长)."""
    return _posts_elsewhere(lexicon.roles, lexicon.organisation_heads)


def _names_before_verbs(sentence: str, question: Question, lexicon: Lexicon) -> list[Span]:
    """Names standing just before one of the question's words (谁带队 -> 蒋文云带队)."""
    spans = []
    for term in question.terms:
        if len(term) < 2 or term.startswith("#"):
            continue
        at = sentence.find(term)
        while at >= 0:
            for length in (4, 3, 2):
                name = name_at(sentence, at - length, lexicon) if at - length >= 0 else None
                if name is not None and name.end == at:
                    spans.append(name)
                    break
            at = sentence.find(term, at + 1)
    return spans


_INVITED = re.compile(r"(?:邀请|聘请|请)(?:了)?([^，。；“”]{2,30}?)(?:为|来|给|向|作|做|就|进行|讲|授课|担任|对|开展)")
_ASKED_ROLE = re.compile(r"([\u4e00-\u9fff]{2})是谁|谁是[^，。？?]{0,12}?([\u4e00-\u9fff]{2})$")


def asked_roles(question: Question) -> tuple[str, ...]:
    """The roles a 谁 question names: its own (主席), or the word before 是谁 (代表是谁)."""
    if question.roles:
        return question.roles
    match = _ASKED_ROLE.search(question.normalised.rstrip("？?。 "))
    word = (match.group(1) or match.group(2)) if match else None
    return (word,) if word else ()


# several people asked for (二等奖是哪两位, 都有谁, 哪几位, 哪些人)
PEOPLE_ASKED = re.compile(r"哪[两俩三几]位|哪[两三几]个?人|哪俩|都有谁|有哪些人|哪些人|分别是谁|都是谁|是哪些")
_CLAUSE = re.compile(r"[^，。；：:！？]+")
MAX_NAMES = 8  # names in one clause read as one answer


def names_listed(sentence: str, question: Question, lexicon: Lexicon) -> list[Span]:
    """The people of the clause that states what the question asks several people of (隗雅琴和
    …护士衣晓丹获得一等奖 for 一等奖是哪两位; 逄志诚、郗晓岚当选副主席 for 副主席都有谁): their
    names joined by 、, as one answer spanning them, the clause with the asked rank or role
    first."""
    if PEOPLE_ASKED.search(question.normalised) is None:
        return []
    asked = [q for values in question.qualifiers.values() for q in values] + list(question.roles)
    out = []
    for clause in _CLAUSE.finditer(sentence):
        text = clause.group(0)
        if asked and not any(a in text for a in asked):
            continue
        names: list[Span] = []
        at = clause.start()
        while at < clause.end() and len(names) < MAX_NAMES:
            name = name_at(sentence, at, lexicon)
            if name is not None and name.end <= clause.end():
                names.append(name)
                at = name.end
            else:
                at += 1
        if len(names) >= 2:
            out.append(Span(text="、".join(n.text for n in names), start=names[0].start, end=names[-1].end))
    return out


def person(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    listed = names_listed(sentence, question, lexicon)
    spans = (listed + _person(sentence, question, tag, lexicon)) if listed else _person(sentence, question, tag, lexicon)
    return [s for s in spans if not common_word(s.text, tag, lexicon.people_nouns)]


# what the dictionary knows as a name, a place or another proper noun
_PROPER_TAGS = ("nr", "ns", "nz", "nt")


def common_word(text: str, tag: Tagger, people: Collection[str] = ()) -> bool:
    """Is a name-shaped span a word of the dictionary that names nobody (商定, 全部: 商 and
    全 begin surnames too), a people noun (师傅), an adverb with its verb (师父常说: 常 begins surnames too), or a
    people noun with a character more (师傅常: 师 begins surnames too)?"""
    if text in people:  # 师傅, which the tagger may call a name
        return True
    words = tag(text)
    if len(words) == 2 and words[0][1] == "d" and words[1][1].startswith("v"):  # 常说, 都说: an adverb and its verb
        return True
    if len(words) >= 2 and words[0][0] in people:  # 师傅常 of 师傅常说: a people noun, no surname
        return True
    return len(words) == 1 and not words[0][1].startswith(_PROPER_TAGS)


# what a name follows in a clause besides roles and words for people (护士逄佳宁, 选手鲍春燕): the
# last characters of what its holder does (花艺师公西若芷, 客服主管靖书瑶), the clause's start or a 、
HOLDER_ENDS = ("师", "员", "手", "工", "长", "管", "主任", "主席", "经理", "书记", "职工", "代表")


def held_names(clause: str, lexicon: Lexicon) -> list[Span]:
    """The names of a clause that begin it, follow a 、, or follow a word for what their
    holder is or does (…宠物医疗有限公司护理员巫马书宁, 郜雨棠、邰文静获得二等奖)."""
    holders = (*HOLDER_ENDS, *lexicon.people_nouns, *lexicon.roles)
    out = []
    at = 0
    while at < len(clause):
        name = name_at(clause, at, lexicon) if at == 0 or clause[at - 1] == "、" or clause.endswith(holders, 0, at) else None
        if name is not None:
            out.append(name)
            at = name.end
        else:
            at += 1
    return out


def _rank_holders(sentence: str, question: Question, lexicon: Lexicon) -> list[Span]:
    """Who won the asked prize (一等奖是谁): the names held in a clause that states it
    (北京毛球之家宠物医疗有限公司护理员巫马书宁获得一等奖)."""
    ranks = question.qualifiers.get("rank", frozenset())
    out: list[Span] = []
    for clause in _CLAUSE.finditer(sentence) if ranks else ():
        if any(rank in clause.group(0) for rank in ranks):
            names = [Span(text=n.text, start=clause.start() + n.start, end=clause.start() + n.end) for n in held_names(clause.group(0), lexicon)]
            if len(names) > 1:  # 毛晓川、俞婉婷、郗立杰获得二等奖: all of them, as the paper lists them
                start, end = names[0].start, names[-1].end
                out.append(Span(text=sentence[start:end], start=start, end=end))
            out.extend(names)
    return out


def _person(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    anchors = anchors_of(sentence, question)
    roles = asked_roles(question)
    spans = _names_after_roles(sentence, roles, lexicon, question.normalised) if roles else []
    if not spans and not question.roles:
        spans = _rank_holders(sentence, question, lexicon)
    if not spans and not question.roles:
        spans = _names_before_verbs(sentence, question, lexicon)
    if not spans and "请" in question.normalised:
        invited = _INVITED.search(sentence)
        if invited is not None:
            return [Span(text=invited.group(1), start=invited.start(1), end=invited.end(1), strength=0.8)]
    if not spans and "说" in question.normalised:
        said = re.search(r"([\u4e00-\u9fff]{2,4})(?:说|表示)", sentence)
        if said is not None:
            for at in range(said.start(1), said.end(1)):
                name = name_at(sentence, at, lexicon)
                if name is not None:
                    spans.append(name)
                    break
    if not spans:  # 那个律师叫什么: the name right after the people noun asked (坐诊律师宇文清扬)
        spans = _names_after_people(sentence, question, lexicon)
    if question.roles:  # a name bound to another role is not the answer (主席张克斌 for 副主席是谁)
        return _nearest(spans, anchors)
    others = [s for s in _names_after_roles(sentence, lexicon.roles, lexicon) if s not in spans]
    return _nearest(spans, anchors) + _weaker(_nearest(others, anchors), 0.4)


# the people noun a question asks the name of (那个律师叫什么, 徒弟是谁)
_PEOPLE_ASKED = re.compile(r"([\u4e00-\u9fff]{2})(?:叫(?:什么|啥)|是谁|是哪位|姓什么|姓啥)")


def _names_after_people(sentence: str, question: Question, lexicon: Lexicon) -> list[Span]:
    """Names standing right after the people noun the question asks about (律师宇文清扬,
    徒弟申屠佳怡), for a noun that is no role word."""
    asked = _PEOPLE_ASKED.search(question.normalised)
    if asked is None:
        return []
    noun = asked.group(1)
    if noun not in lexicon.people_nouns and not noun.endswith(PERSON_WORD_ENDINGS):
        return []
    out = []
    nouns = "|".join(map(re.escape, sorted({noun, *lexicon.synonyms_of(noun)}, key=len, reverse=True)))
    for match in re.finditer(rf"(?:{nouns})的?", sentence):  # 大夫: 医生申屠婧; 做客服的颜晨阳
        at = match.end()
        name = name_at(sentence, at, lexicon)
        if name is None:  # 律师宇文清扬当晚…: a surname, then the usual two characters of a given name
            surname = 2 if sentence[at : at + 2] in lexicon.surnames else 1 if sentence[at : at + 1] in lexicon.surnames else 0
            end = at + surname + GIVEN_NAME
            if surname and end <= len(sentence) and _HAN_RUN.fullmatch(sentence, at, end):
                name = Span(text=sentence[at:end], start=at, end=end, strength=0.8)
        if name is not None:
            out.append(name)
    return out


GIVEN_NAME = 2  # characters of most given names
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _phrase_ending_at(sentence: str, end: int, head: str, tag: Tagger) -> Span | None:
    """The noun phrase of `sentence` that ends at `end` with `head` (固安西场站, 731医院)."""
    window_start = max(0, end - len(head) - 16)
    words = tag(sentence[window_start:end])
    start = end - len(head)
    consumed = 0
    head_word_end = 0  # characters from the end to the start of the word holding the head's start (有限公司 of 公司)
    for i in range(len(words) - 1, -1, -1):
        word, flag = words[i]
        consumed += len(word)
        if consumed - len(word) < len(head):
            # a verb may stand next to the head (…线路维护有限公司), not before a whole name (联合北京友谊医院)
            head_word_end = consumed if flag not in ("nt", "ns", "nz") else -1
            if consumed <= len(head):
                continue
            start = min(start, end - consumed)
            continue
        adjacent = consumed - len(word) == head_word_end
        if adjacent and flag.startswith("v") and word[-1] in _ENTERING:
            return None  # 毕业后进入公司, 后进厂: the company spoken of, no name of it
        # a verbal noun stands inside a name (酒店管理有限公司, 职工服务中心); a verb only next to the head
        if flag.startswith(_PHRASE_POS) or flag == "vn" or (adjacent and flag.startswith("v")):
            start = end - consumed
            continue
        start = _named_from_place(words, i, end - consumed + len(word), start)
        break
    if start >= end - len(head):
        return None
    return Span(text=sentence[start:end], start=start, end=end)


# what never stands inside a name: prepositions, conjunctions, particles, pronouns, punctuation
NAME_WORDS_BEFORE = 2  # words of a brand the tagger reads otherwise (康 颐养, 亦) between a city and the rest
_NOT_IN_NAME = ("p", "c", "u", "r", "w", "x", "y", "e", "o")
# an adverb or preposition the tagger reads inside a brand after its city (北京快点同城科技…:
# 快点/d 同/p); never these, which join or place it (北京市总工会与…, 在…)
_READ_INSIDE_BRAND = ("d", "p")
_JOINING = frozenset("和与及跟在由向对为把被从给")
# the last character of a verb that goes into or back to a place (进入公司, 进厂, 回到单位)
_ENTERING = frozenset("进入到回")


def _named_from_place(words: Sequence[tuple[str, str]], stop: int, at: int, start: int) -> int:
    """A registered name begins with its city (北京康颐养老职业技能培训学校, 北京亦芯微电子科技
    有限公司): when the phrase stopped at a word (颐养, 亦) that a place name stands before,
    with nothing between that never stands in a name, the phrase runs from that place.
    `words` are the tagged words of the window, `stop` the index of the word it stopped at,
    `at` where that word ends in the sentence; returns the phrase's start."""
    if stop + 1 < len(words) and words[stop + 1][1] in ("ns", "nt"):  # 北京友谊医院: a whole name already
        return start
    for j in range(stop, max(-1, stop - NAME_WORDS_BEFORE - 1), -1):
        word, flag = words[j]
        at -= len(word)
        inside_brand = flag.startswith(_READ_INSIDE_BRAND) and len(word) <= 2 and word not in _JOINING
        if (flag.startswith(_NOT_IN_NAME) and not inside_brand) or flag == "nt" or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
            return start  # 区总工会联合…: another organisation before it
        if flag == "ns":
            while j > 0 and words[j - 1][1] == "ns":  # 北京京南急救…: the city before the district
                j -= 1
                at -= len(words[j][0])
            return at
    return start


def _ending_with(sentence: str, heads: Sequence[str], question: Question, tag: Tagger) -> list[Span]:
    spans = []
    for head in heads:
        for match in re.finditer(re.escape(head), sentence):
            span = _phrase_ending_at(sentence, match.end(), head, tag)
            if span is not None:
                span = _registered_whole(sentence, span)
            if span is not None and span.text not in question.normalised:
                spans.append(span)
    return spans


# what a registered name ends with, and what a body of another stands on (…工会联合会, …工会委员会)
_REGISTERED = ("股份有限公司", "有限责任公司", "有限公司", "集团")
_BUILT_ON = ("联合会", "委员会", "分会")
_REGISTERED_TAIL = re.compile(rf"(?:{'|'.join(_BUILT_ON)})|[\u4e00-\u9fff]{{0,6}}?(?:{'|'.join(_REGISTERED[:3])})")
_CITY_BEFORE = re.compile(r"北京市?")
REGISTERED_REACH = 14  # characters of a registered name between its city and where the phrase was cut (延辉光伏 of 北京延辉光伏电力运维有限公司)
_IN_ANOTHER_NAME = ("工会", "公司", "集团", "局", "委", "中心", "协会", "学校", "医院")


def _registered_whole(sentence: str, span: Span) -> Span:
    """An organisation as it is registered: with the body it heads (延庆区民宿行业工会联合会),
    with the company it is a shop of (北京兴福鲜超市连锁有限公司), and from its city, where the
    tagger cut the name inside (北京延辉光伏电力运维有限公司代表队: 伏 is no verb there), never
    from inside the city's name (京八达岭…)."""
    start, end = span.start, span.end
    tail = _REGISTERED_TAIL.match(sentence, end)
    if tail is not None:
        end = tail.end()
    if start > 0 and sentence.startswith("北京", start - 1):  # 京八达岭… of 北京八达岭…: not from inside the city
        start -= 1
    if any(r in sentence[start:end] for r in _REGISTERED) and not _CITY_BEFORE.match(sentence, start):
        before = sentence[max(0, start - REGISTERED_REACH - 3) : start]
        city = None
        for city in _CITY_BEFORE.finditer(before):
            pass
        between = before[city.end() :] if city is not None else ""
        if city is not None and all("\u4e00" <= ch <= "\u9fff" and ch not in _JOINING for ch in between) and not any(h in between for h in _IN_ANOTHER_NAME):
            start -= len(before) - city.start()
    if (start, end) == (span.start, span.end):
        return span
    return Span(text=sentence[start:end], start=start, end=end, strength=span.strength)


def _organisers(sentence: str, question: Question) -> list[Span]:
    """The words before an organising verb, back to the clause's start (市总工会主办,
    由市总工会、市人社局联合主办); at full strength when the question asks that verb."""
    out = []
    for verb in _ORGANISING:
        for match in re.finditer(verb, sentence):
            start = match.start()
            while start > 0 and sentence[start - 1] not in _AGENT_BREAK and match.start() - start < MAX_AGENT:
                start -= 1
            agent = sentence[start : match.start()]
            if "由" in agent:  # 活动由市总工会主办: the organiser follows 由
                cut = agent.rindex("由") + 1
                start, agent = start + cut, agent[cut:]
            if "在" in agent:  # 市总工会在劳动公园举办: the organiser stands before 在
                agent = agent[: agent.index("在")]
            lead = _AGENT_LEAD.match(agent)
            if lead is not None:
                start, agent = start + lead.end(), agent[lead.end() :]
            agent = _JOINTLY.sub("", agent)
            if len(agent) >= 2 and agent not in question.normalised:
                asked = verb in question.normalised
                out.append(Span(text=agent, start=start, end=start + len(agent), strength=1.0 if asked else 0.6))
    return out


_PARTNER = re.compile(r"(?:联合|携手|会同|联手)([^，。；：“”]{2,30}?)(?:共同|一起)?(?=" + "|".join(_ORGANISING) + r"|开展|推出|开设|进行|启动|为|在|走进|，|。|；)")
_PARTNER_ASKED = re.compile(r"(?:跟|和|与|同)(?:哪|什么|谁)[^，。？?]{0,8}(?:联合|一起|携手|合作|共同)|联合(?:了)?(?:哪|什么|谁)")


def _partners(sentence: str, question: Question) -> list[Span]:
    """跟哪个部门联合办的: the partner named after 联合 (区总工会联合区卫生健康委开展 …)."""
    if _PARTNER_ASKED.search(question.normalised) is None:
        return []
    return [
        Span(text=m.group(1), start=m.start(1), end=m.end(1))
        for m in _PARTNER.finditer(sentence)
        if m.group(1) not in question.normalised
    ]


def _enumerations(sentence: str, spans: Sequence[Span]) -> list[Span]:
    """Organisations that stand together, joined only by 、 (工会、人社局和团委 …): each
    contiguous run of two or more, as one span."""
    widest = [s for s in spans if not any(o.start <= s.start and s.end <= o.end and o != s for o in spans)]
    ordered = sorted(widest, key=lambda s: s.start)
    runs: list[list[Span]] = []
    for span in ordered:
        if runs and sentence[runs[-1][-1].end : span.start] in ("、", "和", "及", "与"):
            runs[-1].append(span)
        else:
            runs.append([span])
    return [
        Span(text=sentence[run[0].start : run[-1].end], start=run[0].start, end=run[-1].end, strength=0.8)
        for run in runs
        if len(run) >= 2
    ]


def organisation(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """Organisations: the organiser of the asked verb first (由X主办 for 谁主办的), then runs
    of listed ones, then each one ending with an organisation head, the nearest first."""
    heads = [h for h in lexicon.organisation_heads if h in question.noun and h in sentence] or list(lexicon.organisation_names)
    spans = _ending_with(sentence, heads, question, tag)
    organisers = _organisers(sentence, question)
    asked = _partners(sentence, question) + [s for s in organisers if s.strength == 1.0]
    others = [s for s in organisers if s.strength < 1.0]
    found = asked + _employers(sentence, spans, question, lexicon) + _enumerations(sentence, spans) + _weaker(_nearest(spans, anchors_of(sentence, question)), 0.6) + others
    if _UNION_ASKED.search(question.normalised):  # 跟哪个公司工会一块建的: the company's union
        found = [
            Span(text=s.text + "工会", start=s.start, end=s.end + 2, strength=s.strength) if sentence.startswith("工会", s.end) else s
            for s in found
        ]
    return found


# an organisation's union asked (哪个公司工会, 哪家企业的工会): the answer names the union
# (not 哪家公司的工会主席, which asks the company)
_UNION_ASKED = re.compile(r"(?:哪|什么)[个家所]?[\u4e00-\u9fff]{0,4}?的?工会(?![\u4e00-\u9fff]{0,2}?(?:主席|书记|主任|部长|委员|干部|会员|经费|组织))")


EMPLOYER_REACH = 16  # characters from an organisation to the name of one of its people (…有限公司工务探伤班班长顾承远)
_CLAUSE_BREAK = re.compile(r"[，。；：、“”（）]")


def _employers(sentence: str, spans: Sequence[Span], question: Question, lexicon: Lexicon) -> list[Span]:
    """Where a person asked by name works: the organisation just before the name, with only
    departments and roles between (北京华钢重型装备有限公司焊接车间高级技师桑德明)."""
    people = [n for n in question.names if 2 <= len(n) <= 4 and (n[:1] in lexicon.surnames or n[:2] in lexicon.surnames)]
    out = []
    for span in spans if people else ():
        between = sentence[span.end : span.end + EMPLOYER_REACH]
        for name in people:
            at = between.find(name)
            if at >= 0 and _CLAUSE_BREAK.search(between, 0, at) is None:
                out.append(span)
                break
    return out


def place(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    heads = [h for h in lexicon.place_heads if h in question.noun]
    out = _nearest(_ending_with(sentence, heads, question, tag), anchors_of(sentence, question)) if heads else []
    asked = _PLACE_VERB_ASKED.search(question.normalised)  # 在哪展出: 在区文化馆二层展厅展出
    verb = asked.group(1).rstrip("的了啊呀呢吗") if asked is not None else ""
    if len(verb) >= 2:
        for at in re.finditer(rf"在([^，。；“”]{{2,40}}?){re.escape(verb)}", sentence):
            out.insert(0, Span(text=at.group(1), start=at.start(1), end=at.end(1)))
    found = _PLACE_RE.search(sentence)
    if found is not None:
        out.append(Span(text=found.group(1), start=found.start(1), end=found.end(1)))
    for at in _AT_PLACE_CLAUSE.finditer(sentence):  # 在朝阳区东坝地区职工服务中心前广场，…: the place the clause opens with
        if at.group(1).endswith((*lexicon.place_heads, *_ROOM_HEADS)):
            out.append(Span(text=at.group(1), start=at.start(1), end=at.end(1), strength=0.8))
    found = _LOCATED_RE.search(sentence)
    if found is not None:
        end = found.end(1)
        within = _WITHIN_PLACE.match(sentence, end)  # 设在工地生活区的职工之家: the 职工之家 of it
        if within is not None and within.group(1).endswith((*lexicon.place_heads, *_ROOM_HEADS)):
            end = within.end()
        out.append(Span(text=sentence[found.start(1) : end], start=found.start(1), end=end, strength=0.8))
    return out


_AT_PLACE_CLAUSE = re.compile(r"(?:^|[，。；：])在([^，。；：“”在的]{2,24})[，,]")  # not …位于密云区的生产基地
# the verb after 在哪 (在哪展出, 在哪儿集合): what happens at the place asked; not the thing
# of 在哪个火车站上班 (个火车 is no verb)
_PLACE_VERB_ASKED = re.compile(r"在(?:哪里|哪儿|什么地方|何处|哪(?![个家所座条位处间些一]))([\u4e00-\u9fff]{2,3})")


# a place inside the one just named (…生活区的职工之家, …大楼的三层会议室)
_WITHIN_PLACE = re.compile(r"的([^，。；、“”的]{2,12})(?=[，。；]|$)")
_ROOM_HEADS = ("之家", "室", "厅", "楼", "层", "屋", "站", "点", "驿站", "小屋")


_HOURS_UNTIL = re.compile(r"[至到—~-](?:次日|第二天)?")
_CLOCKS_AND = re.compile(r"[和、及与]")  # 上午10时和下午3时: both times of day
# 去年9月: the year a month is of, said relatively; 9月至12月: a span of months
_RELATIVE_YEAR = re.compile(r"(?:去年|今年|前年|明年|当年)$")
_PART_OF_PERIOD = re.compile(r"度|底|初|末|中旬|上旬|下旬|中(?![^\u4e00-\u9fff])")
_YEAR_AFTER = re.compile(r"次年|明年|来年|翌年|第二年")
_UNTIL = re.compile(r"[至到—~-]|一直到|持续到")
# what joins a date to the end of its span: 至, or 开始，至 (自1月15日开始，至3月31日结束)
_UNTIL_AFTER = re.compile(r"(?:(?:开始|起)[，,]?)?(?:[至到—~-]|一直到|持续到)")


def _date_extent(sentence: str, start: int, end: int) -> Span:
    """A date with the relative year said before its month (去年9月) and the end of a span
    it opens (9月至12月, 5月10日至6月30日)."""
    part = _PART_OF_PERIOD.match(sentence, end) if sentence[start:end].endswith(("年", "月")) else None
    if part is not None:  # 2023年度, 2026年底, 5月中旬
        end = part.end()
    year = _RELATIVE_YEAR.search(sentence, max(0, start - 2), start)
    if year is not None and sentence[start:end][:1].isdigit() and "年" not in sentence[start:end]:
        start = year.start()
    clock = CLOCK_RE.match(sentence, end) if sentence[start:end].rstrip("上午下午晚上中午早上凌晨").endswith(("日", "号")) else None
    if clock is not None:  # 4月21日上午10时: the day keeps its time
        end = clock.end()
    until = _UNTIL_AFTER.match(sentence, end)
    if until is not None:
        year_after = _YEAR_AFTER.match(sentence, until.end())  # 12月15日至明年3月15日
        following = TIME_RE.match(sentence, year_after.end() if year_after is not None else until.end())
        if following is not None and any(ch.isdigit() for ch in following.group(0)):
            end = following.end()
            if sentence[start - 1 : start] in ("自", "从"):  # 自3月至10月: the span as the paper opens it
                start -= 1
    return Span(text=sentence[start:end], start=start, end=end)


# a year asked (哪年, 哪一年, 年度, 几几年): a year is its answer, whatever follows it
_YEAR_ASKED = re.compile(r"哪(?:一)?年|年份|年度|几几年|多少年")
# what follows a year that dates the event rather than naming a thing (2026年5月, 2025年底, 2025年以来)
_DATES_AFTER_YEAR = re.compile(r"[\d月底初末中以起至到前后内里间，。；、的）)\s]|$")


def _tagged_at(sentence: str, tag: Tagger) -> list[tuple[str, str, int]]:
    """The sentence's words with their tags and where each begins."""
    out, at = [], 0
    for word, flag in tag(sentence):
        out.append((word, flag, at))
        at += len(word)
    return out


def _names_a_thing(sentence: str, span: Span, tag: Tagger) -> bool:
    """Is the span a bare year that names a thing (2027年度工资专项集体合同, 2026年首都职工
    “安康杯”竞赛, a year inside a 《title》), not the date of what happened?"""
    if not re.fullmatch(r"\d{4}年度?", span.text):
        return False
    if sentence.rfind("《", 0, span.start) > sentence.rfind("》", 0, span.start):
        return True  # 《…工资专项集体合同（2026—2027年度）》: the title's own years
    if _DATES_AFTER_YEAR.match(sentence, span.end) is not None:
        return False
    if span.text.endswith("年度"):
        return True  # 2027年度工资专项集体合同
    following = next((flag for word, flag, at in _tagged_at(sentence, tag) if at == span.end), "")
    return following.startswith(("n", "vn")) and not following.startswith("nr")  # 2026年首都职工…竞赛; not 1994年正式开工


def _span_end(span: Span) -> Span | None:
    """The date ending a span of dates (2027年11月 of 今年12月至2027年11月), or None."""
    until = None
    for until in _UNTIL.finditer(span.text):
        pass
    if until is None or until.end() >= len(span.text):
        return None
    start = span.start + until.end()
    return Span(text=span.text[until.end() :], start=start, end=span.end)


def _date_at(match: re.Match[str]) -> Span:
    return _date_extent(match.string, match.start(), match.end())


def _with_time_of_day(sentence: str, day: re.Match[str]) -> Span:
    """A day that comes back with the time of day the paper gives it (每周三下午, 每月第一个
    周三晚上7时至9时)."""
    time = CLOCK_RE.match(sentence, day.end()) or _PART_OF_DAY.match(sentence, day.end())
    end = time.end() if time is not None else day.end()
    until = CLOCK_RE.match(sentence, end + 1) if time is not None and sentence[end : end + 1] in "至到-—~" else None
    end = until.end() if until is not None else end
    return Span(text=sentence[day.start() : end], start=day.start(), end=end)


def _clocks(sentence: str, question: Question) -> list[Span]:
    """Times of day (几点开跑); two joined by 至 or 和 are one answer (22时至次日0时30分)."""
    clocks: list[Span] = []
    for m in CLOCK_RE.finditer(sentence):
        joined = (_HOURS_UNTIL.fullmatch(sentence, clocks[-1].end, m.start()) or _CLOCKS_AND.fullmatch(sentence, clocks[-1].end, m.start())) if clocks else None
        if joined is not None:
            clocks[-1] = Span(text=sentence[clocks[-1].start : m.end()], start=clocks[-1].start, end=m.end())
        else:
            clocks.append(Span(text=m.group(0), start=m.start(), end=m.end()))
    for i, clock in enumerate(clocks):  # 每周四晚7时至9时: the day that comes back, with its time
        day = next((d for d in RECURRING_DATE.finditer(sentence, max(0, clock.start - RECURRING_REACH), clock.start) if d.end() == clock.start), None)
        if day is not None:
            clocks[i] = Span(text=sentence[day.start() : clock.end], start=day.start(), end=clock.end)
    asked = _PART_OF_DAY_ASKED.search(question.normalised)
    if asked is not None:  # 早上几点开门: not the 21时 it closes
        morning = asked.group(0) in _MORNING
        clocks = [c for c in clocks if _in_part_of_day(sentence, c, morning)]
    return _nearest(clocks, anchors_of(sentence, question))


_MORNING = ("早上", "上午", "早晨", "凌晨", "一早", "大早")
_PART_OF_DAY_ASKED = re.compile(r"早上|上午|早晨|凌晨|一早|大早|晚上|夜里|夜间|傍晚")
_CLOCK_HOUR = re.compile(rf"(?:上午|下午|晚上|早上|早晨|凌晨|中午|傍晚|夜里|晚|早)?(\d{{1,2}}|[{CHINESE_NUMERALS}]{{1,3}})")
_PARTS_OF_DAY = ("上午", "早上", "早晨", "凌晨", "下午", "晚上", "夜里", "傍晚", "中午", "早", "晚")
NOON = 12  # hours: a clock before it is a morning's, after it an afternoon's or evening's


def _in_part_of_day(sentence: str, clock: Span, morning: bool) -> bool:
    """May a time of day be in the asked part of the day: a morning's (5时30分, 上午10时) for
    早上, an evening's (21时, 晚7时) for 晚上? A span of hours may, if either end is."""
    said = next((p for p in _PARTS_OF_DAY if sentence.endswith(p, 0, clock.start)), None)
    for part in re.split(r"[至到\-—~]", clock.text):
        said = next((p for p in _PARTS_OF_DAY if p in part), said)  # 晚上7时至9时: 9时 of the evening too
        if said is not None:
            if said != "中午" and (said in _MORNING or said == "早") == morning:
                return True
            continue
        hour = _CLOCK_HOUR.search(part)
        value = (int(hour.group(1)) if hour.group(1).isdigit() else chinese_number(hour.group(1))) if hour is not None else None
        if value is None or (value < NOON) == morning:
            return True
    return False


RECURRING_REACH = 12  # characters of a day that comes back before its time (每月最后一个星期五)
_PART_OF_DAY = re.compile(r"(?:上午|下午|晚上|早上|中午|傍晚|夜里|晚)")


# a day that comes back (每月18日, 每月第二个周三, 每周四): the answer to 每个月几号, 一般啥时候
_WEEKDAY = "(?:周|星期|礼拜)[一二三四五六日天]"
RECURRING_DATE = re.compile(
    rf"每(?:个)?月(?:\d{{1,2}}[日号]|(?:第[一二三四五]个|最后一个){_WEEKDAY})|每(?:个)?{_WEEKDAY}(?:[、和至到](?:{_WEEKDAY}|[一二三四五六日](?![个名人项次天日号年月十百])))*"
)
# … asked: 每个月几号, 一般啥时候, and the hours of a service or a class (开放时间是啥时候, 一周
# 哪几天开, 手语班啥时候上课)
_EVERY_ASKED = re.compile(
    r"每(?:个)?(?:月|周|星期|礼拜)|一般|通常|平时|固定|一周|(?:周|星期|礼拜)几"
    r"|(?:上课|开放|营业|服务|坐诊|值守|开门|办公)的?时间|(?:啥|什么)时候(?:上课|开放|营业|坐诊|开门)"
)


def date(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """Dates; with their day first when the question asks 哪天 (a month then is a weak
    answer). Durations (10天) and anniversaries (65周年) are not dates."""
    if question.wants_clock and question.wants_day:  # 哪天几点: the day with its time (12月12日上午10时)
        timed = [s for s in map(_date_at, TIME_RE.finditer(sentence)) if CLOCK_RE.search(s.text)]
        if timed:
            return _nearest(timed, anchors_of(sentence, question)) + _weaker(_clocks(sentence, question), 0.5)
    if question.wants_clock:
        return _clocks(sentence, question)
    extents = [_date_extent(sentence, m.start(), m.end()) for m in TIME_RE.finditer(sentence)]
    if _EVERY_ASKED.search(question.normalised):  # 每个月几号: 每月18日, not the day of one visit (12月18日)
        recurring = [_with_time_of_day(sentence, m) for m in RECURRING_DATE.finditer(sentence)]
        return _nearest(recurring, anchors_of(sentence, question)) + _weaker(_nearest(extents, anchors_of(sentence, question)), 0.5)
    # the end of a span of dates is no date of its own (12月 of 9月至12月)
    spans = [s for s in extents if not any(o is not s and o.start <= s.start and s.end <= o.end for o in extents)]
    exact = _nearest([s for s in spans if any(ch.isdigit() for ch in s.text)], anchors_of(sentence, question))
    if not _YEAR_ASKED.search(question.normalised):  # 啥时候签的: not the 2027年度 of 2027年度工资专项集体合同
        exact = [s for s in exact if not _names_a_thing(sentence, s, tag)]
    if question.wants_end:  # 持续到什么时候: the end of each span, the spans themselves weaker
        ends = [e for e in map(_span_end, exact) if e is not None]
        return ends + _weaker([s for s in exact if not any(e.start >= s.start and e.end <= s.end for e in ends)], 0.5)
    if question.wants_span:  # 从几号到几号: the whole span (9月1日至10月31日)
        spans_of_days = [s for s in exact if _UNTIL.search(s.text)]
        return spans_of_days + _weaker([s for s in exact if s not in spans_of_days], 0.5)
    if question.wants_day:
        days = [s for s in exact if s.text.endswith(("日", "号")) or "日" in s.text]
        return days + _weaker([s for s in exact if s not in days], 0.5)
    return exact  # 近日, 今年: no date


_LIST_LEAD = re.compile(r"^.*?(?:包括|包含|涵盖|涉及|覆盖|囊括|有(?!限)|为|是|设置了?|配备了?)[:：]?")  # not the 有 of 有限公司
# the leads that name what the list is made of (涉及电梯安装维修工、电工: its first item is
# whole, though a verb stands inside it)
_NAMING_LEAD = re.compile(r"(?:包括|包含|涵盖|涉及|覆盖|囊括)[:：]?$")
_QUOTED = re.compile(r"“([^“”]{1,30})”")


def _enumeration_runs(sentence: str, head: str, tag: Tagger) -> list[Span]:
    """Every run of items joined by 、 (after 包括 / 有 …, not naming the head itself) and
    every run of quotations side by side, the announced and longest first."""
    out: list[Span] = []
    for match in _ENUMERATION.finditer(sentence):
        text = match.group(0)
        lead = _LIST_LEAD.match(text)
        introduced = lead is not None and "、" in text[lead.end() :]
        start = match.start() + (lead.end() if lead is not None and introduced else 0)
        if lead is not None and introduced and _parallel(text[lead.end() - 1 :]):
            start -= 1  # 让劳模工匠有荣誉、有待遇、有保障: 有 begins every item, it is no lead
        items = sentence[start : match.end()].strip()
        named = [head in item for item in items.split("、")] if head else []
        if any(named) and not all(named[1:]) and (named[-1] or named[0]):
            # 理论知识考核、…排查三个考核项目: the items before the head that ends the run (not
            # when the items after the first all name it: 离退休干部先进个人、老干部工作先进个人);
            # a head in the first item only (高标准设施、精细化管理 for 哪些设施) leaves no list;
            # a head inside a later item is that item's word (…、非遗手工制作交友活动、爱情电影…)
            items = _COUNTED_TAIL.sub("", items[: items.rfind(head) if named[-1] else items.find(head)].rstrip("的”"))
            if "、" not in items:
                continue
        items = _quoted_bounds(items.strip("“”\""))  # the marks around the whole run, not those between items
        trimmed = _LIST_TAIL.sub("", items)
        last = trimmed.rfind("、")
        counted = _COUNT_AFTER_ITEM.search(trimmed, last + 2) if last >= 0 else None
        if counted is not None:  # 杨镇、仁和5个镇街设立…: the count of the items ends the last one
            trimmed = trimmed[: counted.start()]
        if "、" in trimmed:
            items = trimmed.strip("“”\"")
        if not (introduced and lead is not None and _NAMING_LEAD.search(lead.group(0))):  # 涉及A、B: the list as announced
            items = _after_verb(items, tag)  # 为职工开展A、B: 为 announced nothing, 开展 takes the list
        strength = 1.0 if introduced else 0.6  # 内容包括A、B: a list that is announced as one
        at = sentence.find(items, start)
        out.append(Span(text=items, start=at, end=at + len(items), strength=strength))
    for match in _QUOTED_RUN.finditer(sentence):
        if not any(s.start <= match.start() and match.end() <= s.end for s in out):
            out.append(Span(text=match.group(0), start=match.start(), end=match.end(), strength=0.6))
    return sorted(out, key=lambda s: (-s.strength, -s.text.count("、") - s.text.count("”“"), s.start))


def _quoted_bounds(items: str) -> str:
    """A quotation that opens in the first item and closes in the last bounds the run
    (打造“A、B、C”的品牌: A、B、C)."""
    first, sep, rest = items.partition("、")
    if "“" in first and "”" not in first:
        first = first[first.rindex("“") + 1 :]
    middle, sep_last, last = rest.rpartition("、")
    if "”" in last and "“" not in last:
        last = last[: last.index("”")]
    return first + sep + middle + sep_last + last


_BOUND_MORPHEMES = ("zg", "g", "ng", "vg", "ag", "tg", "dg")


_CHOSEN_FROM = frozenset({"从", "由"})  # the items a choice is made from follow these, however short the lead
_BEFORE_FROM = frozenset("需可应要须均都先再")  # 需从, 可从: the tagger's one word for a modal and 从


def _chosen_from(word: str, flag: str) -> bool:
    """Is this the preposition after which the items to choose from stand (从, 由, 需从)?"""
    return (flag == "p" and word in _CHOSEN_FROM) or (len(word) == 2 and word[1] == "从" and word[0] in _BEFORE_FROM)


UNPARALLEL = 2  # characters of length a first item that is a lone verb among nouns is worth


def _word_class(flag: str) -> str:
    """Noun or verb, the two classes items of a list open with (a verbal noun opens a noun phrase)."""
    return "v" if flag.startswith("v") and not flag.startswith("vn") else "n" if flag.startswith(("n", "vn", "j", "b")) else flag[:1]


def _after_verb(items: str, tag: Tagger) -> str:
    """An enumeration nobody announced begins after the verb that takes it (学员们参加A、B:
    A、B; 车队组织了A、B: A、B, though A is 扔沙包); a first item no longer than the others
    keeps its words (抓娃娃、打台球: an item may be a verb phrase)."""
    first, sep, rest = items.partition("、")
    others = rest.split("、")
    longest = max((len(item) for item in others), default=0)
    words = tag(first)
    source = [i for i, (word, flag) in enumerate(words[:-1]) if i > 0 and _chosen_from(word, flag)]
    if source and len("".join(w for w, _ in words[source[-1] + 1 :])) >= 2:  # 选手需从A、B中抽取: A
        return "".join(w for w, _ in words[source[-1] + 1 :]) + sep + rest
    if len(first) <= longest + LIST_LEAD_SLACK:
        return items
    if _shared_head(first, others):  # 北京永引智控科技有限公司代表队、区教委代表队: a name, whole
        return items
    # a verb right after a bound morpheme is the tail of a word the tagger cut (呼/zg 出气/v 一氧化碳检测)
    verbs = [
        i for i, (_, flag) in enumerate(words[:-1])
        if flag.startswith("v") and not flag.startswith("vn") and not (i > 0 and words[i - 1][1] in _BOUND_MORPHEMES)
    ]
    # a verb with its aspect (组织了, 搭载了) takes the list; else the verb or preposition after
    # which the first item is as long as the others are (遇到突发疾病、意外事故: 突发疾病, not
    # 疾病 after 突发; 从嫁接速度、成活率: 嫁接速度), the later one on a tie
    marked = [i + 1 for i in verbs if words[i + 1][0] in ("了", "着", "过") and i + 2 < len(words)]
    takers = sorted(set(verbs) | {i for i, (_, flag) in enumerate(words[:-1]) if flag == "p"})
    usual = sum(map(len, others)) / len(others)
    opening = Counter(_word_class(tag(item)[0][1]) for item in others if tag(item))
    parallel = opening.most_common(1)[0][0] if opening else ""

    def unlike(i: int) -> float:
        """How far the first item after a cut at word i is from the others: its length, and
        a lone verb for an item where the others open with nouns (保障 of 医疗互助保障 beside
        法律咨询、技能培训)."""
        off = abs(sum(len(w) for w, _ in words[i + 1 :]) - usual)
        lone_verb = i + 2 == len(words) and _word_class(words[i + 1][1]) == "v"
        return off + (UNPARALLEL if lone_verb and parallel == "n" else 0)

    cut = marked[-1] if marked else (min(reversed(takers), key=unlike) if takers else None)
    if cut is None:
        return items
    while cut + 2 < len(words) and words[cut + 1][1] == "p":  # 援助站在A、B: the place after 在
        cut += 1
    tail = "".join(w for w, _ in words[cut + 1 :]).lstrip("“\"")
    shortest = min(len(item) for item in rest.split("、"))
    # a cut that leaves a first item far shorter than every other one cut inside it (荣获北京市
    # “六好”示范党支部: 示范 is no verb that takes the list)
    return tail + sep + rest if len(tail) >= 2 and 2 * len(tail) >= shortest else items


def _shared_head(first: str, others: Sequence[str]) -> bool:
    """Do all the items end with the same head of two characters or more (…代表队, …公司)?"""
    return all(len(item) >= 2 for item in others) and all(first[-2:] == item[-2:] for item in others) and any(
        len(item) > 2 for item in others
    )


def _parallel(items: str) -> bool:
    """Does every item of an enumeration begin with the same character (有荣誉、有待遇)?"""
    parts = [p.lstrip("“\"") for p in items.split("、")]
    return len(parts) > 1 and all(p[:1] == parts[0][:1] for p in parts)


_TITLES_JOINED = re.compile(r"[、和及与]?")


def _titles(sentence: str) -> list[Span]:
    """The first 《titles》 of the sentence together (all of a run side by side, else up to
    three), then each alone."""
    titles = list(_TITLES.finditer(sentence))
    if not titles:
        return []
    side_by_side = 1  # 《A》《B》、《C》和《D》: a run of titles is one list, however long
    while side_by_side < len(titles) and _TITLES_JOINED.fullmatch(sentence, titles[side_by_side - 1].end(), titles[side_by_side].start()):
        side_by_side += 1
    first, last = titles[0], titles[max(side_by_side, min(len(titles), 3)) - 1]
    spans = [Span(text=sentence[first.start() : last.end()], start=first.start(), end=last.end())]
    if len(titles) > 1:
        spans += [Span(text=m.group(0), start=m.start(), end=m.end(), strength=0.8) for m in titles]
    return spans


def title(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """《titles》: the answer to a question about a work (哪些法律, 什么书); first a quoted
    name just before the asked noun (“一看二慢三通过”进出站操作法 for 操作法叫什么)."""
    named = _NAMED.search(question.normalised)
    head = named.group(1) if named is not None else question.noun[-3:]
    return _quoted_before(sentence, head) + _titles(sentence)


# the noun a question asks the name of (操作法叫什么, 口号的全称是啥)
_NAMED = re.compile(r"([\u4e00-\u9fff]{2,3}?)的?(?:全称|名字|名称|题目)?(?:叫|是)(?:什么|啥)")


def _quoted_before(sentence: str, head: str) -> list[Span]:
    """A quoted name standing just before `head`, a few words apart at most (采用“项目+物业+
    班组长”的管理模式; a quotation inside a quotation: 践行‘身边的志愿’服务理念)."""
    if not head:
        return []
    quoted = re.search(rf"[“‘「]([^“”‘’「」]{{1,30}})[”’」]的?[^，。；“”]{{0,4}}{re.escape(head)}", sentence)
    return [Span(text=quoted.group(1), start=quoted.start(1), end=quoted.end(1))] if quoted is not None else []


def listing(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """The items of an enumeration (包括A、B、C); a 《title》 list only at half strength."""
    head = question.noun[-2:] if question.noun else ""
    runs = _enumeration_runs(sentence, head, tag)
    counted = _COUNTED_ASKED.search(question.normalised)
    if counted is not None:  # 抽签讲解的5个景点是哪些: the run followed by 5个景点, not by 4个环节
        noun = counted.group(2)[-2:]
        followed = re.compile(rf"等?[\d{CHINESE_NUMERALS}]+[个项家名位支条种类所座场处]?([\u4e00-\u9fff]{{1,4}})")
        told = [(r, followed.match(sentence, r.end)) for r in runs]
        runs = [r for r, m in told if m is not None and m.group(1).startswith(noun)] + [
            r if m is None else r.model_copy(update={"strength": r.strength * 0.5}) for r, m in told if m is None or not m.group(1).startswith(noun)
        ]
    return names_listed(sentence, question, lexicon) + runs + _weaker(_titles(sentence), 0.5)


# the number and noun of the items asked (5个景点是哪些, 那3项服务都是啥)
_COUNTED_ASKED = re.compile(rf"[\d{CHINESE_NUMERALS}]+[个项家名位支条种类所座场处]([\u4e00-\u9fff]{{0,2}}?)([\u4e00-\u9fff]{{2}})(?:是|都|分别|有|包括|指)")


def phrase(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """什么模式 / 什么主题: a quoted name before the asked noun, or the noun phrase ending with it."""
    head = question.noun[-2:] if question.noun else ""
    out = []
    anchors = anchors_of(sentence, question)
    if head:
        out += _quoted_before(sentence, head)
        out += _weaker(_nearest(_ending_with(sentence, [head], question, tag), anchors), 0.8)
    works = any(w in question.noun for w in lexicon.work_nouns) if question.noun else False
    out += _weaker(_titles(sentence), 1.0 if works else 0.4)  # 《…》 answers only a question about a work
    quotes = [
        Span(text=m.group(1), start=m.start(1), end=m.end(1), strength=0.5)
        for m in _QUOTED.finditer(sentence)
        if not is_speech(m.group(1)) or SAID_ASKED.search(question.normalised)
    ]
    return out + _objects(sentence, question) + _nearest(quotes, anchors)


# a quotation of what somebody said (“以前傍晚6点驿站就关门了，现在…”): clauses, not a name
_SPOKEN_CLAUSES = re.compile(r"[，。！？；,!?;]")
# a question about what was said (他说了什么, 怎么说的, 原话是啥)
SAID_ASKED = re.compile(r"说(?:了|过)?(?:些)?(?:什么|啥)|怎么说|原话|讲了?(?:些)?(?:什么|啥)|表示了?(?:什么|啥)")


def is_speech(text: str) -> bool:
    """Is a quotation somebody's words (clauses), not a name, slogan or title?"""
    return _SPOKEN_CLAUSES.search(text) is not None


# 想激发大家点啥, 主要检验了职工哪方面能力: the verb the question asks the object of
_ASKED_OBJECT = re.compile(r"([\u4e00-\u9fff]{2})(?:了|过|的是)?(?:大家|职工|他们|些|点|个|一些)*(?:啥|什么)")
_OBJECT_END = re.compile(r"[，。；！？,;!?]")
MAX_OBJECT = 24  # characters an object may run to before its clause ends


def _objects(sentence: str, question: Question) -> list[Span]:
    """What the sentence says a verb of the question acts on (激发创新意识和工作潜能 for
    想激发大家点啥): the words after the verb, to the end of its clause."""
    asked = _ASKED_OBJECT.search(question.normalised)
    if asked is None:
        return []
    verb = asked.group(1)
    out = []
    for match in re.finditer(re.escape(verb), sentence):
        rest = sentence[match.end() :]
        end = _OBJECT_END.search(rest)
        text = rest[: end.start() if end is not None else len(rest)]
        if 2 <= len(text) <= MAX_OBJECT:
            out.append(Span(text=text, start=match.end(), end=match.end() + len(text), strength=0.6))
    return out


_NEGATING = "没有|未|不|无|并非|尚未|从未"
# negated, or a modal negated before it (不需要修改, 无需报名, 不能参加)
_NEGATION = re.compile(rf"(?:{_NEGATING}|无需|无须|不必|不用)(?:需要|必须|用|能|会|得|可以|应|该|应该|再)?$")


# where a yes/no question's predicate starts: after 有没有 / 是不是 / 是否 / 有无, or after
# the last 有 / 是 of a question ending in 吗 (宿舍有空调吗)
_YES_NO_MARKER = re.compile(r"([\u4e00-\u9fff])[没不]\1|是否|有无")
_YES_NO_END = re.compile(r"(?:吗|么|嘛)[？?。！!\s]*$")


# the verbs of 有没有, 是不是, 能不能 … ask whether, they are not themselves asked about
_MODAL_ASKED = frozenset("有是能会要可该用得")


def asked_predicate(question: Question) -> tuple[list[str], list[str]]:
    """A yes/no question's content words, split into the asked predicate (what is said to
    be done or to exist: 组织游泳比赛 in 密云区总工会有没有组织游泳比赛) and the topic before it."""
    norm = question.normalised
    words = [t for t in dict.fromkeys(question.core) if not t.startswith("#") and t in norm]
    marker = _YES_NO_MARKER.search(norm)
    if marker is not None:
        at = marker.end()
    else:
        end = _YES_NO_END.search(norm)
        stop = end.start() if end is not None else len(norm)
        at = max(norm.rfind("有", 0, stop), norm.rfind("是", 0, stop)) + 1
    predicate = [w for w in words if norm.find(w, at) >= 0]
    if not predicate and words:
        predicate = [max(words, key=norm.rfind)]  # the last word asked about (审批权变了吗: 变)
    asked_verb = marker.group(1) if marker is not None else None
    if predicate and asked_verb is not None and asked_verb not in _MODAL_ASKED:  # 收不收钱: the paper must say 收 too
        predicate = [asked_verb] + [w for w in predicate if w != asked_verb]
    return predicate, [w for w in words if w not in predicate]


def _stated(word: str, sentence: str, lexicon: Lexicon) -> int:
    """Where the sentence states a word or one of its synonyms (-1: nowhere)."""
    if word in sentence:
        return sentence.find(word)
    return next((sentence.find(alt) for alt in sorted(lexicon.synonyms_of(word), key=len, reverse=True) if alt in sentence), -1)


# characters that carry no content of their own in a yes/no question's predicate (and the
# light verbs of colloquial questions: 搞没搞, 有没有讲)
_LIGHT_CHARS = frozenset("人来去上里下的了过这那一个项次回些讲说提搞办做弄")


def _light(word: str, lexicon: Lexicon) -> bool:
    """A word a yes/no question may add that the paper need not say: only light
    characters (人来, 这一项), or a generic word of the word list (方面)."""
    return all(ch in _LIGHT_CHARS for ch in word) or word in lexicon.light_words


_THING_TAGS = ("n", "vn", "j", "nz", "eng")  # nouns, verbal nouns (宣传), abbreviations, names of things


def predicate_things(question: Question, tag: Tagger, lexicon: Lexicon) -> list[str]:
    """The things a yes/no question's predicate names (月饼 of 发月饼了吗, 趣味赛 of 搞了趣味赛):
    nouns, not its verbs or light words."""
    predicate, _ = asked_predicate(question)
    nouns = {w for w, flag in tag(question.normalised) if flag.startswith(_THING_TAGS)}
    return [w for w in predicate if w in nouns and not _light(w, lexicon) and len(w) >= 2]


def things_stated(question: Question, text: str, tag: Tagger, lexicon: Lexicon) -> bool:
    """Does the text (an article) name every thing the yes/no question asks about, itself
    or by a synonym, though no one sentence states the whole predicate?"""
    things = predicate_things(question, tag, lexicon)
    return bool(things) and all(_stated(w, text, lexicon) >= 0 for w in things)


_SAID_OTHERWISE_TAGS = ("v", "d", "a", "m", "q", "p", "c", "r", "u", "f")  # verbs, adverbs, adjectives, numerals and function words


def _said_otherwise(missing: Sequence[str], stated: Sequence[str], question: Question, tag: Tagger, lexicon: Lexicon) -> bool:
    """May the paper say these words of the predicate its own way (评上 for 荣获, 现做 for
    现制, 给量 for 为…测)? Only when none names a thing (nouns the paper must state), each is
    tagged a verb, adverb or function word in the question, and the sentence states more
    content words of the predicate (two at least) than it leaves out."""
    content = [w for w in stated if not _light(w, lexicon) and len(w) >= 2]
    if len(content) < max(2, len(missing) + 1):
        return False
    words = _tagged_at(question.normalised, tag)

    def otherwise(word: str) -> bool:  # every word of the tagger's inside it a verb …, or one character (给/p 量/n)
        at = question.normalised.find(word)
        inside = [(w, flag) for w, flag, start in words if start < at + len(word) and at < start + len(w)]
        return bool(inside) and all(
            len(w) == 1 or (flag.startswith(_SAID_OTHERWISE_TAGS) and not flag.startswith(_THING_TAGS)) for w, flag in inside
        )

    return all(otherwise(w) for w in missing)


def _parts_stated(word: str, stated: Sequence[str]) -> bool:
    """Is a compound stated by its parts (五一劳动奖章 by 五一, 劳动 and 奖章)?"""
    rest = word
    for part in sorted(stated, key=len, reverse=True):
        if len(part) >= 2 and part in rest:
            rest = rest.replace(part, "", 1)
    return len(rest) <= 1 and rest != word


def _split_word_stated(word: str, sentence: str, words: int) -> bool:
    """A two-character word the segmenter cut across two words of the question (讲防 of
    讲防诈骗): stated when each of its characters is, beside at least one other word of the
    predicate."""
    return words > 1 and len(word) == 2 and all(ch in sentence for ch in word)


# a question about the others (别的工地, 其他企业) than the one the paper speaks of, and the
# words with which a sentence speaks of them
_OTHERS_ASKED = re.compile(r"别的|别处|其他|其它|其余|另外的")
_OTHERS_STATED = re.compile(r"其他|其它|其余|别的|另外|所有|各[个家处地单]|多个")


def yes_no(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """有 / 是 when the sentence states what is asked: every thing the asked predicate names
    (or a synonym), and its other words but those the paper may say its own way (a verb, an
    adverb: 量血压 for 测血压), fewer than it states; not negated just before it, and not
    only the topic. The span is the stated predicate, its strength how much of the
    predicate and topic the sentence states; the answer word is chosen by the answerer.
    Never a bare no."""
    predicate, topic = asked_predicate(question)
    if not predicate:
        return []
    if _OTHERS_ASKED.search(question.normalised) and not _OTHERS_STATED.search(sentence):
        return []  # 别的工地有没有: what one site has says nothing of the others
    folded = sentence.lower()  # the question is normalised to lower case (AED -> aed)
    found = [(_stated(w, folded, lexicon), w) for w in predicate]
    stated = [w for at, w in found if at >= 0]
    if not stated:
        return []
    # what the paper need not say: light words (这一项, 的人来), the parts of a stated word
    # that the segmenter also gives (纪录 of 破纪录, stated as 新高), a compound whose parts
    # are stated (五一劳动奖章: 五一, 劳动, 奖章), a two-character word cut across two
    # words of the question (讲防 of 讲防诈骗)
    missing = [
        w for at, w in found
        if at < 0 and not _light(w, lexicon) and not any(w in s and w != s for s in stated)
        and not _parts_stated(w, stated) and not _split_word_stated(w, folded, len(predicate))
    ]
    if missing and not _said_otherwise(missing, stated, question, tag, lexicon):
        return []
    found = [(at, w) for at, w in found if at >= 0]
    for at, _ in found:
        if _NEGATION.search(sentence[max(0, at - 5) : at]):
            return []
    start = min(at for at, _ in found)
    at, word = max(found, key=lambda f: (f[0], len(f[1])))
    end = at + len(word) if word in folded[at:] else at + 1
    if end - start > 30:  # the predicate's words scattered over the sentence: the longest is the evidence
        at, word = max(found, key=lambda f: len(f[1]))
        start, end = at, at + len(word)
    # the share of the topic the sentence also states, and of the predicate's own words
    topic_share = sum(_stated(w, sentence, lexicon) >= 0 for w in topic) / len(topic) if topic else 1.0
    said_share = 1.0 - len(missing) / (len(missing) + len(stated))
    return [Span(text=sentence[start:end], start=start, end=end, strength=(0.5 + 0.5 * topic_share) * said_share)]


# A还是B: one of two options the question names (是在室内还是户外, 是线上讲还是线下讲)
CHOICE_QUESTION = re.compile(r"(?P<a>[\u4e00-\u9fffA-Za-z0-9.%％]{1,12})还是(?P<b>[\u4e00-\u9fffA-Za-z0-9.%％]{1,12})")
# what stands before the first option: a verb of being, going or choosing, or a preposition
# of whom it is for (是给骑手办的还是给营业员办的)
_CHOICE_LEAD_WORDS = "是|在|用|去|到|选|坐|走|靠|给|为|向|跟|由"
_CHOICE_LEAD = re.compile(rf".*(?:{_CHOICE_LEAD_WORDS})")
_CHOICE_LEAD_WORD = re.compile(rf"^(?:{_CHOICE_LEAD_WORDS})")
# an option that is a figure (十点, 二等奖): the other's words before its figure are shared
# context (开到晚上九点还是十点: 九点 / 十点, not 晚上)
_NUMERAL = re.compile(rf"\d|[{CHINESE_NUMERALS}]")
# options compared (理论占得多还是实操占得多): which one is more is no option the paper names
_DIGIT = re.compile(r"\d")
_OPTION_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_COMPARED = re.compile(r"(?:得|更|较|比较)?(?:多|少|高|低|大|小|快|慢|长|短|重|轻|好)$")
_CHOICE_TAIL = re.compile(r"(?:的|了|啊|呀|呢|吧|啦)+$")


# which came first (先评上劳模还是先拿的奖章): an order of events, not an option the paper names
_ORDER_ASKED = re.compile(r"先.{0,16}还是先")


def choice_options(text: str) -> tuple[str, str] | None:
    """The two options of an A还是B question, without what they share (线上讲 / 线下讲 ->
    线上 / 线下); None when the question offers none."""
    match = CHOICE_QUESTION.search(text)
    if match is None or _ORDER_ASKED.search(text):
        return None
    b = _CHOICE_LEAD_WORD.sub("", _CHOICE_TAIL.sub("", match.group("b")))  # 还是在网约车服务中心办的
    a = match.group("a")
    lead = _CHOICE_LEAD.match(a[: max(0, len(a) - 1)])  # the first option keeps at least one character
    a = a[lead.end() :] if lead is not None else a[-max(len(b), 2) :]
    a = _CHOICE_TAIL.sub("", a)
    if _COMPARED.search(a) and _COMPARED.search(b):  # 理论占得多还是实操占得多
        return None
    # the first option's figure: digits when the other's are (统一300 还是 500: 300, not 一300)
    own_figure = _DIGIT.search(a) if _DIGIT.match(b) else _NUMERAL.search(a)
    if _NUMERAL.match(b) and not _NUMERAL.match(a) and own_figure is not None:
        a = a[own_figure.start() :]
    if _OPTION_NUMBER.fullmatch(a) and (number := _OPTION_NUMBER.match(b)) is not None:
        b = b[: number.end()]  # 300还是500一个月: 500, not what both share after it
    while len(a) > 2 and len(b) > 2 and a[-1] == b[-1] and not (a[-1].isdigit() and b[-1].isdigit()):  # 线上讲 / 线下讲; not 西城 / 东城, nor 300 / 500
        a, b = a[:-1], b[:-1]
    a, b = _without_shared_tail(a, b, match.group("b"))
    if not a or not b or a == b:
        return None
    return a, b


def _without_shared_tail(a: str, b: str, asked_b: str) -> tuple[str, str]:
    """Options cut where the words the second ends with, as asked, stand inside the first, the
    question saying more after the first (定点挖掘拿的单项第一 / 绕桩行驶拿的: 定点挖掘 /
    绕桩行驶); words of two characters or more, without a digit, so that no figure is cut."""
    for size in range(len(asked_b) - 2, 1, -1):
        words = asked_b[-size:]
        at = a.find(words, 2)
        if at >= 2 and at + size < len(a) and not _DIGIT.search(words):
            return a[:at], _CHOICE_LEAD_WORD.sub("", asked_b[:-size])
    return a, b


_DIGIT_OF = {"一": "1", "二": "2", "两": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}


def _digits(text: str) -> str:
    """A small count in digits (一次 -> 1次, 两场 -> 2场), as the paper writes them; the text
    itself when it has no such numeral before a measure word."""
    return re.sub(r"(?<![\u4e00-\u9fff\d])([一二两三四五六七八九])(?=[次场个名人家项天期批届遍趟])", lambda m: _DIGIT_OF[m.group(1)], text)


_LEADING_NUMBER = re.compile(rf"\d+(?:\.\d+)?|[{CHINESE_NUMERALS}]+")
_SAME_MONEY = frozenset({"块", "元"})  # 15块 is the paper's 15元


def _option_value(option: str) -> tuple[float, str] | None:
    """The count an option names (3个人: 3 counted in 个; 80: 80, no unit), or None."""
    match = _LEADING_NUMBER.match(option)
    if match is None:
        return None
    text = match.group(0)
    value = float(text) if text[0].isdigit() else chinese_number(text)
    if value is None:
        return None
    if match.end() == len(option):
        return float(value), ""  # a bare number (80还是100)
    figures = find_figures(option)
    if not figures or figures[0].start != 0 or not figures[0].unit_class:
        return None  # 一小时: a measure the figures do not know, matched by its words instead
    return float(value), figures[0].unit_class


def _spaced(option: str) -> re.Pattern[str] | None:
    """An option as the paper may write it whole, with 、 or 和 between its parts (周二周五:
    周二、周五); options with a digit (300 of 3000) or of fewer than four characters are left
    to the forms."""
    if len(option) < 4 or _DIGIT.search(option):
        return None
    return re.compile("[、和及与]?".join(map(re.escape, option.lower())))


def _figure_of_option(sentence: str, option: str) -> Figure | None:
    """The sentence's figure that an option naming a count states, by its value (3个人:
    每队3名; 15块: 15元), in a compatible unit."""
    named = _option_value(option)
    if named is None:
        return None
    value, unit_class = named
    for figure in find_figures(sentence):
        if figure.value != value:
            continue
        other = figure.unit_class
        if not unit_class or not other or unit_class == other or unit_class == "个" or {unit_class, other} <= _SAME_MONEY:
            return figure
    return None


def _measure_after(question: str, option: str) -> str:
    """The measure word both options share after their figures in the question (分 of
    11分还是15分, which the options leave out), or ''."""
    at = question.find(option)
    after = question[at + len(option) : at + len(option) + 1] if at >= 0 and _DIGIT.search(option[-1:]) else ""
    return after if re.fullmatch(r"[\u4e00-\u9fff]", after) and after not in "还是的吗呢啊呀" else ""


def _measured_otherwise(text: str, end: int, form: str, measure: str) -> bool:
    """Does a number the question measures (11 of 11分) stand in the text before another
    measure (the 11 of 11月29日)?"""
    return bool(measure) and form[-1:].isdigit() and text[end : end + 1] != measure


def _inside_number(text: str, start: int, end: int) -> bool:
    """Does text[start:end] begin or end inside a longer number (5 of 15, 10 of 100)?"""
    before = text[start - 1 : start] if start > 0 else ""
    after = text[end : end + 1]
    return (text[start : start + 1].isdigit() and (before.isdigit() or before == ".")) or (
        text[end - 1 : end].isdigit() and (after.isdigit() or after == ".")
    )


def _option_forms(option: str) -> list[str]:
    """How the paper may state an option: whole, then its longer parts first, down to two
    thirds of it (搞文体活动: 文体活动), a beginning down to half (现场发给大家: 现场发),
    never below two characters; not a mere ending (网约车服务中心 is no 服务中心)."""
    shortest = max(2, (2 * len(option) + 2) // 3)
    forms = [option[i : i + n] for n in range(len(option) - 1, shortest - 1, -1) for i in range(len(option) - n + 1)]
    beginnings = [option[:n] for n in range(shortest - 1, max(2, (len(option) + 1) // 2) - 1, -1)]
    # a number is stated whole or not at all (not 10 of 100)
    return [option] + [f for f in forms + beginnings if not _inside_number(option, option.find(f), option.find(f) + len(f))]


# 由每半年一次调整为每季度一次: the option after the change is the one that holds
_CHANGED_TO = re.compile(r"(?:调整|改|变|升级|扩大|缩短|延长|提高|降低)(?:为|成|到)")
_OPTION_NEGATED = re.compile(rf"(?:{_NEGATING})(?:在|是|于|用|到)?$")  # 不在室内


def _figure_whole(sentence: str, start: int, end: int) -> tuple[int, int]:
    """An option found at start..end, as the figure of the paper it begins (29.3 of 29.3万元)."""
    figure = _figure_at(sentence, start)
    return (start, max(end, figure.end)) if figure is not None else (start, end)


def choice(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon) -> list[Span]:
    """The option of an A还是B question that the sentence states, not negated before it
    (室内 of 开展室内拓展活动); both, with the word that joins them, when it states both
    (线上线下相结合). An option not found whole is looked for by its longest part the
    sentence states (线上上课: 线上; 搞文体活动: 文体活动)."""
    if not question.options:
        return []
    folded = sentence.lower()
    found: list[tuple[int, int]] = []
    whose: list[int] = []  # the option each found place states
    whole: list[bool] = []  # stated whole, maybe with the paper's 、 between its parts (周二周五: 周二、周五)
    for which, (option, other) in enumerate(zip(question.options, reversed(question.options), strict=True)):
        pattern = _spaced(option)
        spaced = pattern.search(folded) if pattern is not None else None
        if spaced is not None and not _OPTION_NEGATED.search(sentence[max(0, spaced.start() - 4) : spaced.start()]):
            found.append((spaced.start(), spaced.end()))
            whose.append(which)
            whole.append(True)
            continue
        # a part both options share says nothing of either (2月 of 2月9号 / 2月6号); the paper
        # writes 日 where members say 号
        forms = [f for f in _option_forms(option) if f not in other]
        forms = [g for f in forms for g in ((f.replace("号", "日"), f) if "号" in f else (f,))]
        forms = list(dict.fromkeys(g for f in forms for g in (f, _digits(f))))  # 一次: 1次 too
        figure = _figure_of_option(sentence, option)
        if figure is not None and not _OPTION_NEGATED.search(sentence[max(0, figure.start - 4) : figure.start]):
            found.append((figure.start, figure.end))
            whose.append(which)
            whole.append(False)
            continue
        measure = _measure_after(question.normalised, option)
        for form in forms:
            at = folded.find(form)
            while at >= 0 and (_inside_number(folded, at, at + len(form)) or _measured_otherwise(folded, at + len(form), form, measure)):
                at = folded.find(form, at + 1)
            if at >= 0 and not _OPTION_NEGATED.search(sentence[max(0, at - 4) : at]):
                end = at + len(form)
                rest = option[len(form) :] if option.startswith(form) else ""
                pair = re.match(rf"[、和与及]?{re.escape(rest)}", folded[end:]) if rest else None
                found.append((at, end + (pair.end() if pair is not None else 0)))  # 东城西城: 东城、西城
                whose.append(which)
                whole.append(False)
                break
        else:
            spelled = _abbreviated(folded, option)  # 卫健委: 卫生健康委员会
            if spelled is not None and option not in other:
                found.append((spelled[0], _word_end(sentence, spelled[1], tag)))
                whose.append(which)
                whole.append(False)
    if not found:
        return []
    if len(found) == 2 and whole.count(True) == 1 and found[0][0] < found[1][1] and found[1][0] < found[0][1]:
        keep = whole.index(True)  # 每周二 of 每周二周四 inside the paper's 周二、周五: the option stated whole
        found, whose = [found[keep]], [whose[keep]]
    if len(found) == 2:
        start, end = min(f[0] for f in found), max(f[1] for f in found)
        if end - start > sum(b - a for a, b in found) + 1:  # stated apart: not one answer …
            first, second = sorted(found)
            if not _CHANGED_TO.search(sentence, first[1], second[0]):
                # … each a weak answer, for what the sentence says of each (第三批…2月9日)
                return [Span(text=sentence[a:b], start=a, end=b, strength=0.5) for a, b in (_figure_whole(sentence, a, b) for a, b in sorted(found))]
            # … unless one became the other (以前是300还是500: the old one), then stated as the
            # paper states it alone: 三班两倒 with what both share, 按季度考核, 每期90人
            side = first if OLD_ASKED.search(question.normalised) else second
            found, whose = [side], [whose[found.index(side)]]
        else:
            if _MOST_ASKED.search(question.normalised):  # 问得最多的是工伤还是欠薪: not both
                return []
            joined = re.match(r"(?:相结合|结合|并举|兼有|都有|同步)", sentence[end:])
            end += joined.end() if joined is not None else 0
            return [Span(text=sentence[start:end], start=start, end=end, strength=1.0)]
    start, end = found[0]
    if _other_side_of_change(sentence, start, end, question.normalised):
        return []  # 由工会单独考核调整为…联合考核: 工会单独 no longer holds
    end += _shared_tail(sentence, start, end, question)  # 3个月内交还是半年内交: 3个月内
    end = next((f.end for f in find_figures(sentence) if f.start < end < f.end), end)  # 每月300 of 每月300元: the figure whole
    figure = _figure_at(sentence, start)
    if figure is not None:  # 15块还是12块: the paper's figure with its own unit (15元)
        start, end = figure.start, max(end, figure.end)
        every = _EVERY.search(sentence, max(0, start - EVERY_REACH), start)
        if every is not None:  # 每月2次: how often, not how many
            start = every.start()
        end = _counted_noun_end(sentence, end, question.options)  # 10分 of 10个积分: 10个积分
    else:
        start = _city_before(sentence, start, end, tag, lexicon)  # 北京潞城园林养护中心, 北京市总工会
        end = _word_end(sentence, end, tag)  # 现场发 of 现场发放: the paper's whole word
        if sentence[end : end + 1] in _PERSON_ENDS:  # 快递 of 快递员
            end += 1
        kind_of = next((k for k in _KIND_OF if sentence.startswith(k, end)), None)
        if kind_of is not None and _is_word(sentence, end, end + len(kind_of), tag):
            end += len(kind_of)  # 三局两胜制, 护理专业: the kind of thing the option is, a word of its own
        joined = _JOINED_PHRASE.match(sentence, end)
        if joined is not None and not any(f in joined.group(0) for f in _option_forms(question.options[1 - whose[0]])):
            end = joined.end()  # 客户沟通 of 学的是客户沟通与投诉处理: the whole of what it names
        start, end = _compound_around(sentence, (start, end), question, whose[0], tag)
        start, end = _stated_phrase(sentence, (start, end), question, whose[0], tag)
    return [Span(text=sentence[start:end], start=start, end=end, strength=1.0)]


COMPOUND_REACH = 8  # characters of nouns an option may gain after it (电子 of 电子元器件生产企业)
COMPOUND_MODIFIER = 2  # characters of the one noun it may gain before it (硬质 of 硬质橡胶)
_COMPOUND_TAGS = ("n", "nz", "b", "j")  # the nouns and noun modifiers of a compound (硬质橡胶, 工会会员卡)


def _compound_around(sentence: str, span: tuple[int, int], question: Question, which: int, tag: Tagger) -> tuple[int, int]:
    """The paper's noun compound an option stands in: the nouns right before it (硬质 of
    硬质橡胶, 工会 of 工会会员卡) and after it (元器件生产企业 of 电子元器件生产企业; a verbal
    noun only with a noun after it), as the paper names the thing; not a word the question
    says elsewhere (拓展活动 of 室内拓展活动 for 拓展活动是在室内还是户外) nor one of the other
    option."""
    start, end = span
    if "、" in sentence[start:end]:
        return start, end  # 东城、西城: options stated together, each whole
    other, asked = question.options[1 - which], question.normalised
    words = _tagged_at(sentence, tag)
    inside = [i for i, (word, _, at) in enumerate(words) if at < end and at + len(word) > start]
    if not inside or words[inside[0]][2] != start or words[inside[-1]][2] + len(words[inside[-1]][0]) != end:
        return start, end  # the option does not begin and end with the paper's words

    def joins(word: str, phrase: str) -> bool:
        return word not in other and (word not in asked or phrase in asked)

    if inside[0] > 0:  # one short modifier before it (硬质, 工会), not an owner (卫生学校 of …护理专业)
        word, flag, at = words[inside[0] - 1]
        if len(word) <= COMPOUND_MODIFIER and flag.startswith(_COMPOUND_TAGS) and joins(word, word + sentence[start:end]):
            start = at
    last = inside[-1]
    if sentence[:end].endswith(_KIND_OF):
        return start, end  # 护理专业: the option already ends with the kind of thing it is
    while last + 1 < len(words) and words[last + 1][2] + len(words[last + 1][0]) - span[1] <= COMPOUND_REACH:
        word, flag, at = words[last + 1]
        if not joins(word, sentence[start : at + len(word)]):
            break
        if flag.startswith(_COMPOUND_TAGS):
            end = at + len(word)
        elif flag != "vn":
            break
        last += 1
    return start, end


CLAUSE_TAIL = 4  # characters after an option that still belong to the phrase stating it (放回 of 放回水中)
_PHRASE_TAIL = re.compile(r"[\u4e00-\u9fff]{1,%d}(?=[，。；！？,;!?]|$)" % CLAUSE_TAIL)
_HOW_OFTEN_BEFORE = ("每", "全部", "全都", "统一", "一律", "均", "都")  # 每半年评比一次, 全部放回水中


def _stated_phrase(sentence: str, span: tuple[int, int], question: Question, which: int, tag: Tagger) -> tuple[int, int]:
    """The paper's phrase around the option `which` of the question: with the word before
    it that says how often or how much of it (每 of 每半年, 全部 of 全部放回), and the short
    rest of its clause after a verb (放回水中, 评比一次), not a verb that follows a noun
    (网约车服务中心 of …召开), nor what the question asks about (室内 of 开展室内拓展活动
    for 拓展活动是在室内还是户外)."""
    start, end = span
    option, other = question.options[which], question.options[1 - which]
    before = next((w for w in _HOW_OFTEN_BEFORE if sentence.endswith(w, 0, start)), None)
    if before is not None:
        start -= len(before)
    tail = _PHRASE_TAIL.match(sentence, end)
    if tail is None or re.search(_NEGATING, tail.group(0)) or any(f in tail.group(0) for f in _option_forms(other)):
        return start, end
    if sentence[start : tail.end()] in question.normalised:  # 首都劳动奖章: the option as asked, with what both options share
        return start, tail.end()
    if tail.group(0) in question.normalised and tail.group(0) not in option:
        return start, end
    words = _tagged_at(sentence, tag)
    last = next((flag for word, flag, at in words if at < end <= at + len(word)), "")
    first = next((flag for word, flag, at in words if at == end), "")
    if not last.startswith("v") or not first or first.startswith(("v", "u")):
        return start, end
    return start, tail.end()
    return start, end


# words after an option that say what kind of thing it is (三局两胜制, 护理专业, 开放式)
_KIND_OF = ("专业", "制", "式", "型", "版", "类")
COUNTED_NOUN_REACH = 2  # characters of a noun between a figure and the unit an option says (10个积分 for 10分)


def _counted_noun_end(sentence: str, end: int, options: Sequence[str]) -> int:
    """The end of the noun a figure counts when an option names it by its last character
    (10分 for the paper's 10个积分)."""
    for option in options:
        unit = _LEADING_NUMBER.sub("", option, count=1)
        if 0 < len(unit) <= 2 and (at := sentence.find(unit, end, end + COUNTED_NOUN_REACH + len(unit))) > end:
            if _HAN_RUN.fullmatch(sentence, end, at):
                return at + len(unit)
    return end


# a figure said per period or per head (每月2次, 每人500元): the rate is the option
_EVERY = re.compile(r"每(?:[年月周天日季人户次场班队单件台期批轮组]|个月|星期|课时|小时|平方米|公里)$")
EVERY_REACH = 4  # characters: 每个月, 每平方米 before the figure


def _city_before(sentence: str, start: int, end: int, tag: Tagger, lexicon: Lexicon) -> int:
    """Where an option naming an institution begins in the paper's words: with the city
    or place name the paper puts before it (北京潞城园林养护中心 for 潞城园林养护中心;
    北京市总工会 for 市总)."""
    if not sentence[start : _word_end(sentence, end, tag)].endswith((*lexicon.organisation_heads, *lexicon.place_heads)):
        return start
    words = tag(sentence[:start])
    if words and words[-1][1].startswith("ns") and len(words[-1][0]) >= 2:
        return start - len(words[-1][0])
    return start


# which option is more (问得最多的是A还是B, 哪个更多): both stated together answers nothing
_MOST_ASKED = re.compile(r"最|更|哪个多|谁多")
# a question about the value before a change (原来, 以前)
OLD_ASKED = re.compile(r"原来|原先|以前|之前|过去|起初|调整前|提高前|改之前")
_CHANGED_FROM = re.compile(r"[由从]")


def _figure_at(sentence: str, at: int) -> Figure | None:
    """The sentence's figure that position `at` stands in (80 of 80元), or None."""
    return next((f for f in find_figures(sentence) if f.start <= at < f.end), None)


def _other_side_of_change(sentence: str, start: int, end: int, question: str) -> bool:
    """Does the only option found stand on the side of a change the question does not ask
    (由X调整为Y: X when the present is asked, Y when 原来 is)?"""
    clause_start = max((m.end() for m in re.finditer(r"[，。；;,]", sentence[:start])), default=0)
    clause_end = next((m.start() for m in re.finditer(r"[，。；;,]", sentence[end:])), len(sentence) - end) + end
    changed = _CHANGED_TO.search(sentence, clause_start, clause_end)
    if changed is None or not _CHANGED_FROM.search(sentence, clause_start, start + 1):
        return False
    before_change = end <= changed.start()
    return before_change != bool(OLD_ASKED.search(question))


def _shared_tail(sentence: str, start: int, end: int, question: Question) -> int:
    """How many characters after an option the sentence shares with the question after
    it (内 of 3个月内交, which both options end with and the options leave out)."""
    at = question.normalised.find(sentence[start:end])
    if at < 0:
        return 0
    after = question.normalised[at + end - start : at + end - start + SHARED_TAIL]
    n = 0
    while n < len(after) and sentence[end + n : end + n + 1] == after[n] and after[n] not in "还是的":
        n += 1
    return n


SHARED_TAIL = 2  # characters: 内, 以内, 以上 — not a verb phrase
_PERSON_ENDS = frozenset("员者师")
# a phrase joined to the option up to the end of its clause (客户沟通与投诉处理)
_JOINED_PHRASE = re.compile(r"[与和及][\u4e00-\u9fff]{2,8}(?=[，。；、,;]|$)")
ABBREVIATION_GAP = 3  # characters an abbreviation skips between two of its own (卫健委: 卫生健康委)


def _abbreviated(text: str, option: str) -> tuple[int, int] | None:
    """Where `text` states an abbreviated option in full: its characters in order, each
    within ABBREVIATION_GAP of the one before (卫健委 in 卫生健康委员会), extended to the
    end of the full word's last character run (委员会)."""
    if len(option) < 3 or not all("\u4e00" <= c <= "\u9fff" for c in option):
        return None
    gap = "".join(f"[^，。；、]{{0,{ABBREVIATION_GAP}}}?{re.escape(c)}" for c in option[1:])
    match = re.search(re.escape(option[0]) + gap, text)
    if match is None or match.end() - match.start() == len(option):
        return None
    return match.start(), match.end()


def _is_word(sentence: str, start: int, end: int, tag: Tagger) -> bool:
    """Is sentence[start:end] one whole word of the sentence?"""
    return any(at == start and at + len(word) == end for word, _, at in _tagged_at(sentence, tag))


def _word_end(sentence: str, end: int, tag: Tagger) -> int:
    """The end of the sentence's word that holds the character before `end`."""
    at = 0
    for word, _ in tag(sentence):
        at += len(word)
        if at >= end:
            return at if at - end <= 2 else end
    return end


def _echoes_question(text: str, question: Question) -> bool:
    """Is the span only the question's own words (学员所在单位 for 学员…是哪家单位)?"""
    rest = text
    for term in sorted((t for t in question.terms if len(t) > 1), key=len, reverse=True):
        rest = rest.replace(term, "")
    return rest != text and len(rest) <= 2


def _is_excepted(item: str, excluded: Sequence[str]) -> bool:
    return any(len(item) >= 2 and (x in item or item in x) for x in excluded)


def _without_excepted(span: Span, excluded: Sequence[str]) -> Span | None:
    """The span without what the question sets aside (除了区总工会: 区市场监督管理局 of
    石景山区总工会、区市场监督管理局); None when nothing else is left. Items set aside at
    the ends of a list go; one in its middle leaves the span as it is."""
    parts = _LIST_JOINS.split(span.text)  # items, with the joins between them
    if len(parts) == 1:
        return None if _is_excepted(span.text, excluded) else span
    first, last = 0, len(parts) - 1
    while first <= last and _is_excepted(parts[first], excluded):
        first += 2
    while last >= first and _is_excepted(parts[last], excluded):
        last -= 2
    if first > last:
        return None
    start = span.start + sum(map(len, parts[:first]))
    text = "".join(parts[first : last + 1])
    return span.model_copy(update={"text": text, "start": start, "end": start + len(text)})


_LIST_JOINS = re.compile(r"(、|和|及|与)")


def spans_of(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon, extractor: Extractor) -> list[Span]:
    """The spans of the asked type in this sentence, the most likely first, without
    repeats and without spans that only echo the question."""
    out: list[Span] = []
    seen: set[tuple[int, int]] = set()
    for span in extractor(sentence, question, tag, lexicon):
        if question.excluded:
            kept = _without_excepted(span, question.excluded)
            if kept is None:
                continue
            span = kept
        if (span.start, span.end) in seen or not span.text:
            continue
        if question.kind not in (Kind.QUANTITY, Kind.DATE, Kind.YES_NO, Kind.CHOICE) and _echoes_question(span.text, question):
            continue
        seen.add((span.start, span.end))
        out.append(span)
    return out


def extract(sentence: str, question: Question, tag: Tagger, lexicon: Lexicon, extractor: Extractor) -> Span | None:
    """The short answer to the question in this sentence, if there is one."""
    spans = spans_of(sentence, question, tag, lexicon, extractor)
    return spans[0] if spans else None
