"""What a question asks: its type, the kind of answer expected, and its key words."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .figures import asked_noun, asked_unit_class
from .segment import Segmenter


class QuestionType(StrEnum):
    QUANTITY = "quantity"  # 多少 / 几
    PERSON = "person"  # 谁 / 哪位
    ORGANISATION = "organisation"  # 哪些单位 / 哪家医院
    PLACE = "place"  # 哪里 / 在哪 / 哪个场站
    TIME = "time"  # 什么时候 / 何时
    LIST = "list"  # 哪些 / 什么 / 怎么
    STATEMENT = "statement"  # no question word: find the passage


ROLES = (
    "常务副主席", "副主席", "主席", "党组书记", "党委书记", "党组副书记", "副书记", "书记", "副理事长",
    "理事长", "副主任", "主任", "副院长", "院长", "总经理", "副总经理", "经理", "董事长", "副局长", "局长",
    "副部长", "部长", "处长", "副校长", "校长", "负责人", "队长", "厂长", "会长", "副会长", "秘书长",
    "主编", "站长", "社长", "所长", "馆长", "传承人", "车队长", "班组长",
)
ORG_HEADS = (
    "单位", "医院", "公司", "企业", "学校", "学院", "工会", "部门", "机构", "协会", "集团", "街道", "社区",
    "银行", "组织", "团体", "商场", "球队", "队", "俱乐部", "政府", "委员会",
)
PLACE_HEADS = (
    "场站", "社区", "街道", "学院", "场馆", "体育馆", "中心", "广场", "地方", "城市", "省", "市", "区", "县",
    "镇", "村", "园区", "基地", "酒店", "会场", "场地", "项目", "车间", "剧院", "公园", "馆",
)

_PERSON_Q = re.compile(r"谁|哪位|哪一位|什么人|哪个人|姓名|名字|叫什么")
_TIME_Q = re.compile(r"什么时候|何时|哪年|哪一年|哪天|哪一天|哪几天|几月|几号|哪个月|什么时间|哪一月|日期|哪些日子")
_PLACE_Q = re.compile(r"哪里|哪儿|在哪|何地|什么地方|何处|哪个地方|地点")
_QUANTITY_Q = re.compile(r"多少|几(?!乎)|若干|多大|多长|多高|多重|多远|百分之几")
_WHICH_Q = re.compile(r"(?:哪些|哪几|哪个|哪家|哪所|哪一|什么|何种|哪种)(?P<head>[\u4e00-\u9fff]{0,6})")
_LIST_Q = re.compile(r"哪些|哪几|什么|怎么|怎样|如何|何种|哪种|为什么|为何|内容|措施|做法")


_NAME_TAGS = ("nr", "ns", "nt", "nz")


class Question(BaseModel):
    """A question, analysed."""

    model_config = ConfigDict(frozen=True)

    text: str
    normalised: str
    qtype: QuestionType
    terms: tuple[str, ...]  # search terms, with the full forms of short forms
    core: tuple[str, ...] = ()  # the question's own words
    unit_class: str | None = None
    noun: str = ""  # what is counted, or the head noun after 哪些 / 什么 / 哪个
    roles: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # proper nouns the question names (places, people, organisations)


def _which_head(text: str) -> str:
    match = _WHICH_Q.search(text)
    return match.group("head") if match else ""


def _head_in(head: str, heads: tuple[str, ...]) -> str | None:
    """The head noun of `head` among `heads` (the longest, found at its end or start)."""
    for noun in sorted(heads, key=len, reverse=True):
        if noun in head:
            return noun
    return None


def analyse(text: str, segmenter: Segmenter) -> Question:
    """Type and key words of a question."""
    norm = segmenter.normalise(text).strip()
    own, expanded = segmenter.question_terms(norm)
    terms, core = (*own, *expanded), tuple(own)
    roles = tuple(r for r in ROLES if r in norm and not any(r != o and r in o and o in norm for o in ROLES))
    head = _which_head(norm)
    qtype = QuestionType.STATEMENT
    unit = None
    noun = head
    if _TIME_Q.search(norm):
        qtype = QuestionType.TIME
    elif _PERSON_Q.search(norm):
        qtype = QuestionType.PERSON
    elif _QUANTITY_Q.search(norm) and "哪" not in norm:
        qtype = QuestionType.QUANTITY
        unit = asked_unit_class(norm)
        noun = asked_noun(norm)
    elif _PLACE_Q.search(norm) or (head and _head_in(head[:4], PLACE_HEADS) and re.search(r"在(?:哪|什么)", norm)):
        qtype = QuestionType.PLACE
    elif head and _head_in(head[:4], ORG_HEADS) and not re.search(r"活动|工作|内容|方面", head):
        qtype = QuestionType.ORGANISATION
    elif head and _head_in(head[:3], PLACE_HEADS):
        qtype = QuestionType.PLACE
    elif _LIST_Q.search(norm):
        qtype = QuestionType.LIST
    names = tuple(
        dict.fromkeys(
            w.word
            for w in segmenter.tagger.lcut(norm)
            if w.flag.startswith(_NAME_TAGS) and len(w.word) >= 2 and w.word not in segmenter.stopwords
        )
    )
    return Question(
        text=text,
        normalised=norm,
        qtype=qtype,
        terms=terms,
        core=core,
        unit_class=unit,
        noun=noun,
        roles=roles,
        names=names,
    )
