"""What a question asks: its kind (retrieval/kinds.py), the answer expected, its key
words and the qualifiers an answer must agree with."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel, ConfigDict

from .extract import choice_options
from .figures import asked_noun, asked_unit, asked_unit_class, noun_before
from .kinds import CLOCK_QUESTION, DAY_QUESTION, END_QUESTION, SPAN_END_ASKED, START_QUESTION, detect, which_head
from .lexicon import Lexicon
from .models import Kind

if TYPE_CHECKING:
    from .segment import Segmenter

_NAME_TAGS = ("nr", "ns", "nt", "nz")
_NUM = r"[一二三四五六七八九十百零两\d]+"
# qualifiers an answer must agree with, by class: 第二批, 一等奖, 第十四届, 2023年
QUALIFIERS: dict[str, re.Pattern[str]] = {
    "ordinal": re.compile(rf"第{_NUM}(?:批|轮|期|届|次|季|名|阶段|场|章|部分)|首(?:届|期|批|轮)"),  # 首届 is 第一届
    "rank": re.compile(rf"{_NUM}等奖|特等奖|金奖|银奖|铜奖|冠军|亚军|季军|头名|头奖"),
    # the group a result is of: 女子组's winner is not 男子组's
    "group": re.compile(r"(?:男子|女子|青年|少年|老年|中年|团体|个人)(?:组|赛)"),
    "year": re.compile(r"(?:19|20)\d\d年"),
    # this year's figure is not last year's (今年打算筛查多少 / 去年为12.6万名女职工筛查)
    "relative year": re.compile(r"今年|去年|明年|前年"),
    # an honour and its level: the nation's 劳模 is not the city's (全国劳模 / 北京市劳动模范)
    "honour": re.compile(
        r"(?:全国|国家级|北京市|首都|市级|区级|省级)(?:五一)?(?:劳动模范|劳模|劳动奖章|奖章|先进工作者|技术能手|工人先锋号|巾帼建功标兵|巾帼标兵|巾帼奖)"
    ),
}
# the level and the honour of an "honour" qualifier, as one name for each way of saying it
_HONOUR_LEVEL = re.compile(r"全国|国家级|北京市|首都|市级|区级|省级")
_LEVELS = {"全国": "全国", "国家级": "全国", "北京市": "市级", "首都": "市级", "市级": "市级", "区级": "区级", "省级": "省级"}
_HONOURS = (("劳动模范", "劳模"), ("劳模", "劳模"), ("奖章", "奖章"), ("巾帼", "巾帼"))


def qualifier_value(name: str, text: str) -> str:
    """A qualifier as one name for each way of saying it (首届: 第一届; 全国五一奖章: 全国奖章)."""
    if name == "honour":
        return _honour(text)
    if name == "ordinal" and text.startswith("首"):
        return "第一" + text[1:]
    return text


def _honour(text: str) -> str:
    """全国五一劳动奖章 and 全国五一奖章 alike: 全国奖章; 首都劳动奖章: 市级奖章."""
    level = _HONOUR_LEVEL.match(text)
    assert level is not None
    rest = text[level.end() :].removeprefix("五一")
    return _LEVELS[level.group(0)] + next((name for word, name in _HONOURS if word in rest), rest)
# classes an article may leave unsaid of what it reports: one it states of something else
# (去年同期) does not mean the asked one is missing
UNSAID_CLASSES = frozenset({"relative year"})


# colloquial words for the first place, read as every name a contest gives it
_TOP = frozenset({"头名", "头奖"})
_FIRST = frozenset({"一等奖", "冠军", "金奖", "特等奖"})


# an ordinal of a thing that is no measure word (第六党支部, 第十七车队): its class is the
# thing, read as the two characters after the number
_ORDINAL_OF = re.compile(rf"第{_NUM}(?P<thing>[\u4e00-\u9fff]{{2}})")
_NOT_THINGS = re.compile(r"[批轮期届次季名阶场章部个位家项天年月日号一二三四五六七八九十百零两]")


def qualifiers_of(text: str) -> dict[str, frozenset[str]]:
    """The qualifiers of a text, by class (an ordinal of a thing: by the thing, so that
    第三党支部 conflicts with 第六党支部 and not with 第二批)."""
    out: dict[str, set[str]] = {}
    for name, pattern in QUALIFIERS.items():
        for m in pattern.finditer(text):
            out.setdefault(name, set()).add(qualifier_value(name, m.group(0)))
    for m in _ORDINAL_OF.finditer(text):
        thing = m.group("thing")
        if not _NOT_THINGS.match(thing):
            out.setdefault("ordinal of " + thing, set()).add(m.group(0)[: m.start("thing") - m.start()])
    if "rank" in out and out["rank"] & _TOP:  # 头名: the first prize, whatever the contest calls it
        out["rank"] = (out["rank"] - _TOP) | _FIRST
    return {name: frozenset(found) for name, found in out.items()}


# a rank asked without its measure word (拿第一能领多少, 女子组第一是谁): 第一名
_BARE_RANK = re.compile(rf"第{_NUM}(?=是|能|的|了|呀|啊|吗|呢|拿|领|得|有|[？?，,]|$)")


_PLACES = {"第一": _FIRST, "第二": frozenset({"二等奖", "亚军", "银奖"}), "第三": frozenset({"三等奖", "季军", "铜奖"})}


def asked_qualifiers(question: str) -> dict[str, frozenset[str]]:
    """The question's qualifiers, a bare rank (拿第一) read as the prize of that place
    (一等奖, 冠军, 金奖), or as 第N名 below the third."""
    stated = {name: set(found) for name, found in qualifiers_of(question).items()}
    for m in _BARE_RANK.finditer(question):
        stated = {name: found for name, found in stated.items() if not (name.startswith("ordinal of ") and m.group(0) in found)}
        if m.group(0) in _PLACES:
            stated.setdefault("rank", set()).update(_PLACES[m.group(0)])
        else:
            stated.setdefault("ordinal", set()).add(m.group(0) + "名")
    return {name: frozenset(found) for name, found in stated.items() if found}


class Question(BaseModel):
    """A question, analysed."""

    model_config = ConfigDict(frozen=True)

    text: str
    normalised: str
    kind: Kind
    terms: tuple[str, ...]  # search terms, with the full forms of short forms
    core: tuple[str, ...] = ()  # the question's own words
    unit_class: str | None = None
    unit: str = ""  # the measure word the question names (几期 -> 期)
    noun: str = ""  # what is counted, or the head noun after 哪些 / 什么 / 哪个
    noun_before: str = ""  # what is counted when it stands before the question word (高级技师有几个)
    roles: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # proper nouns the question names (places, people, organisations)
    qualifiers: dict[str, frozenset[str]] = {}  # 第二批, 一等奖, 2023年 …
    wants_day: bool = False  # 哪天 / 几号: a date with its day
    wants_clock: bool = False  # 几点: a time of day
    wants_end: bool = False  # 持续到什么时候: the end of a span of dates
    wants_span: bool = False  # 从哪天到哪天: a span of dates, whole (从啥时候开始 asks its start)
    options: tuple[str, ...] = ()  # A还是B: the two options (室内, 户外)
    excluded: tuple[str, ...] = ()  # 除了区总工会，还有哪个: what the answer is not


class Tagged(Protocol):
    """A word with its part-of-speech tag, as the segmenter's tagger gives it."""

    word: str
    flag: str


_NOUN_TAGS = ("n", "s", "j", "b", "l")  # nouns, places, abbreviations, attributives, idioms


# words before a noun that are no head of the phrase: a verbal noun (职工服务驿站), an
# adjective (困难学员), a distinguishing word, a time word (青年职工之家: the tagger's 青年)
_MODIFIER_TAGS = frozenset({"vn", "a", "an", "b", "t"})


def counted_head(tagged: Sequence[Tagged]) -> str | None:
    """The last word of the noun phrase a quantity question counts (多少户外劳动者站点 ->
    站点), after its question word and measure word; None when no noun follows them."""
    words = tagged
    # not the 几 of 那几个驿站 (those few), which asks no count
    at = next((i for i, w in enumerate(words) if w.flag.startswith("m") and re.search(r"多少|(?<![那这好])几|若干", w.word)), None)
    if at is None:
        return None
    i = at + 1
    if i < len(words) and words[i].flag.startswith("q"):
        i += 1
    head = None
    # a one-character "noun" is more often a cut verb (疗休养) than the head of the phrase;
    # a modifier inside the phrase is no head of it (职工服务驿站: 驿站)
    while i < len(words) and len(words[i].word) > 1 and not words[i].flag.startswith("nr"):
        if words[i].flag.startswith(_NOUN_TAGS):
            head = words[i].word
        elif not (words[i].flag in _MODIFIER_TAGS and i + 1 < len(words) and words[i + 1].flag.startswith(_NOUN_TAGS)):
            break
        i += 1
    if i + 1 < len(words) and words[i].flag == "vn" and _ONE_CHARACTER_HEAD.fullmatch(words[i + 1].word):
        return None  # 职工服务点: the head is a character the tagger reads otherwise, not 职工
    return head


_ONE_CHARACTER_HEAD = re.compile(r"[点站室屋所处台间岗区队组班]")


# 除了区总工会，还有哪个部门; 苏试创博之外，还去了哪家: the one named is not the answer
_EXCEPT = re.compile(r"(?<![排删免解清剔去扣开])除了?([^，,。？?、]{2,16}?)(?:以外|之外|外)?[，,]?(?=还|又|另|也)|(?:^|[，,])([^，,。？?、]{2,16}?)(?:之外|以外)")


def excepted(norm: str) -> tuple[str, ...]:
    """What the question sets aside (除了X，还有哪个: X)."""
    return tuple(m.group(1) or m.group(2) for m in _EXCEPT.finditer(norm))


def analyse(text: str, segmenter: Segmenter, lexicon: Lexicon) -> Question:
    """Kind, key words and qualifiers of a question."""
    norm = segmenter.normalise(text).strip()
    own, expanded = segmenter.question_terms(norm)
    terms, core = (*own, *expanded), tuple(own)
    roles = tuple(r for r in lexicon.roles if r in norm and not any(r != o and r in o and o in norm for o in lexicon.roles))
    kind = detect(norm, lexicon)
    tagged = segmenter.tagger.lcut(norm)
    unit = None
    noun = which_head(norm)
    if kind is Kind.QUANTITY:
        head = counted_head(tagged)
        unit = asked_unit_class(norm, lexicon.people_nouns, lexicon.organisation_nouns, lexicon.money_nouns, own, head, lexicon.number_nouns)
        noun = asked_noun(norm, own)
    names = tuple(
        dict.fromkeys(
            w.word
            for w in tagged
            if w.flag.startswith(_NAME_TAGS) and len(w.word) >= 2 and w.word not in segmenter.stopwords
        )
    )
    return Question(
        text=text,
        normalised=norm,
        kind=kind,
        terms=terms,
        core=core,
        unit_class=unit,
        unit=asked_unit(norm) if kind is Kind.QUANTITY else "",
        noun=noun,
        noun_before=noun_before(norm) if kind is Kind.QUANTITY else "",
        roles=roles,
        names=names,
        qualifiers=asked_qualifiers(norm),
        wants_day=kind is Kind.DATE and DAY_QUESTION.search(norm) is not None,
        wants_clock=kind is Kind.DATE and CLOCK_QUESTION.search(norm) is not None,
        wants_end=kind is Kind.DATE and END_QUESTION.search(norm) is not None and START_QUESTION.search(norm) is None,
        wants_span=kind is Kind.DATE and START_QUESTION.search(norm) is not None and SPAN_END_ASKED.search(norm) is not None,
        options=(choice_options(norm) or ()) if kind is Kind.CHOICE else (),
        excluded=excepted(norm) if kind not in (Kind.YES_NO, Kind.CHOICE) else (),
    )
