"""Bylines and sources: who wrote or photographed an article, and where it was reprinted from."""

from __future__ import annotations

import re

_ROLE = r"(?:本报|特约|实习|见习|首席)?(?:摄影记者|记者|通讯员|实习生|摄影)"
_NAME = r"[\u4e00-\u9fff·]{2,5}"
_ROLE_RE = re.compile(_ROLE)
_NAMES_AFTER_ROLE = re.compile(rf"({_ROLE})\s*((?:{_NAME}(?:[\s、，]+|$))+)")

# 本报讯（记者 宗晓畅）, 本报讯(记者 边磊 通讯员 张雪), 本报北京7月8日电（记者 …）
LEAD_RE = re.compile(
    r"^(?:本报讯|本报[^\s，。（(]{0,12}电|新华社[^\s，。（(]{0,12}电|中新社[^\s，。（(]{0,12}电)"
    r"\s*(?:[（(]([^）)]{0,60})[）)])?"
)
# A photo credit on its own line, or at the end of a caption.
_PHOTO_CREDIT = rf"((?:{_ROLE}\s*{_NAME}\s*)+)摄影报道"
PHOTO_CREDIT_LINE_RE = re.compile(rf"^{_PHOTO_CREDIT}$")
PHOTO_CREDIT_TAIL_RE = re.compile(rf"\s*{_PHOTO_CREDIT}$")
# A credit line without 摄影报道, printed just above one that has it: 本报记者 马超
CREDIT_ONLY_RE = re.compile(rf"^(?:{_ROLE}\s*{_NAME}\s*)+$")
SOURCE_RE = re.compile(r"^[（(]?(?:转自|转载自|来源[：:]?|稿件来源[：:]?)\s*《?([^《》（）()]{1,30}?)》?[）)]?$")


def _credited(credit: str) -> list[tuple[str, str]]:
    """(role, name) for each name of a credit such as "记者 边磊 通讯员 张雪", in order;
    a role among the names (边磊 通讯员 张雪) credits the names after it."""
    out = []
    for match in _NAMES_AFTER_ROLE.finditer(credit):
        role = match.group(1)
        for name in re.split(r"[\s、，]+", match.group(2).strip()):
            if _ROLE_RE.fullmatch(name):
                role = name
            elif name:
                out.append((role, name))
    return out


def names_in_credit(credit: str) -> list[str]:
    """The names in a credit such as "记者 边磊 通讯员 张雪", in order."""
    return list(dict.fromkeys(name for _, name in _credited(credit)))


def credited_as(credit: str, role: str) -> list[str]:
    """The names a credit gives after one role (记者 边磊 通讯员 张雪, 通讯员: 张雪)."""
    return list(dict.fromkeys(name for credited, name in _credited(credit) if role in credited))


def lead_credit(paragraph: str) -> str | None:
    """The credit of a dispatch lead (本报讯（记者 边磊 通讯员 张雪）: 记者 边磊 通讯员 张雪)."""
    match = LEAD_RE.match(paragraph)
    return match.group(1) if match is not None and match.group(1) else None


def lead_reporters(paragraph: str) -> list[str] | None:
    """Reporters named in a dispatch lead (本报讯（记者 …）), or None when it has no lead."""
    match = LEAD_RE.match(paragraph)
    if match is None:
        return None
    return names_in_credit(match.group(1) or "")


def is_lead(line: str) -> bool:
    """Does the line open with a dispatch lead such as 本报讯?"""
    return LEAD_RE.match(line) is not None


def source_of(line: str) -> str | None:
    """The publication in a reprint line such as 转自《中工网》."""
    match = SOURCE_RE.match(line)
    return match.group(1).strip() if match else None
