"""From an issue file to an `Issue` of `Article`s.

The page layout this reads (plain text, as printed; or Markdown with `#` banner, `##` title):

- the page banner, the slogan at the top of each page;
- column banners (工会重点工作创新案例, 学思想 强党性 重实践 建新功 …) and section labels
  (>> 北京经验 <<), which label the articles that follow them in order;
- articles: optional pretitle (引题), title, optional subtitle (副题), then paragraphs that
  usually open with a dispatch lead (本报讯（记者 …）); photo news is a title and one caption
  signed 摄影报道; reprints end with 转自《…》.

Column breaks cut paragraphs mid-sentence and mid-word; a line that does not end a
sentence is joined to the next one, but a title is never glued onto a paragraph.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from enum import Enum, auto

from .byline import (
    CREDIT_ONLY_RE,
    PHOTO_CREDIT_LINE_RE,
    PHOTO_CREDIT_TAIL_RE,
    is_lead,
    lead_reporters,
    names_in_credit,
    source_of,
)
from .errors import IssueError
from .layout import Layout
from .models import Article, ArticleKind, Issue
from .text import compact, decode_issue, is_cjk, normalise_line, split_lines

MAX_HEADING_CHARS = 50
MAX_HEADINGS = 3  # pretitle, title, subtitle
# parts of a slogan banner (学思想 强党性 重实践 建新功) that a column's name follows; a
# kicker has fewer (比技能 强服务, 学法 懂法 用法)
SLOGAN_SEGMENTS = 4
# a part of a slogan or kicker: a short phrase (聚焦新就业形态, 护航健身从业者); a title's
# words run on without a space
SLOGAN_PART = 8
# parallel phrases of a kicker are about as long as each other (建强行业工会 护航健身从业者)
SLOGAN_PART_SPREAD = 1

_MD_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
_LABEL = re.compile(r"^(?:>>|»)\s*(.+?)\s*(?:<<|«)$")
_TERMINATED = re.compile(r"[。！？!?；;]['\"”’」』）)》\]】]*$")
_SENTENCE_PUNCT = set("，,。；;：:！!？?")
_PAIRS = (("“", "”"), ("‘", "’"), ("（", "）"), ("(", ")"), ("《", "》"), ("「", "」"), ("『", "』"), ("【", "】"))


class Kind(Enum):
    TEXT = auto()
    BANNER = auto()
    TITLE = auto()  # Markdown ## title
    SUBHEAD = auto()  # Markdown ### and deeper
    LABEL = auto()
    CREDIT = auto()
    SOURCE = auto()


@dataclass
class Line:
    text: str
    block: int
    kind: Kind = Kind.TEXT
    grade: int = 0  # 2: could be a heading; 1: could be a heading beside a stronger one


@dataclass
class Draft:
    title: str
    pretitle: str | None = None
    subtitle: str | None = None
    section: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    source: str | None = None
    open_paragraph: bool = False

    def add_text(self, text: str) -> None:
        if self.open_paragraph and self.paragraphs:
            joint = " " if self.paragraphs[-1][-1:].isascii() and text[:1].isascii() else ""
            self.paragraphs[-1] += joint + text
        else:
            self.paragraphs.append(text)
        self.open_paragraph = not terminated(text)


def terminated(text: str) -> bool:
    """Does the line end a sentence (so the next line starts a new paragraph)?"""
    return _TERMINATED.search(text) is not None


def _balanced(text: str) -> bool:
    if text.count('"') % 2:
        return False
    return all(text.count(a) == text.count(b) for a, b in _PAIRS)


def _wholly_quoted(text: str) -> bool:
    return len(text) > 2 and text[0] in "“「『" and text[-1] in "”」』" and _balanced(text)


def heading_grade(text: str) -> int:
    """2: the line could be a title; 1: a pretitle or subtitle; 0: paragraph text."""
    if (
        not text
        or len(text) > MAX_HEADING_CHARS
        or terminated(text)
        or is_lead(text)
        or not _balanced(text)
        or not any(map(is_cjk, text))
    ):
        return 0
    if _wholly_quoted(text):
        return 1
    if any(ch in _SENTENCE_PUNCT for ch in text):
        return 0
    return 1 if "、" in text else 2


def _slogan_segments(text: str) -> list[str]:
    """The short parallel phrases of a slogan or kicker, a word of one quoted (呵护“金嗓子”)."""
    parts = text.split(" ")
    words = [p.replace("“", "").replace("”", "") if _balanced(p) else "" for p in parts]
    if len(parts) >= 2 and all(1 < len(w) <= SLOGAN_PART and all(map(is_cjk, w)) for w in words):
        return words
    return []


def _secondary_score(text: str) -> int:
    """How much a heading reads like a pretitle or subtitle rather than a title."""
    score = 2 if _wholly_quoted(text) else 0
    if "、" in text or "，" in text:
        score += 1
    lengths = [len(part) for part in _slogan_segments(text)]
    if lengths and max(lengths) - min(lengths) <= SLOGAN_PART_SPREAD:
        score += 1
    return score


def _read_lines(text: str, layout: Layout) -> list[Line]:
    lines: list[Line] = []
    block = 0
    for raw in split_lines(text):
        level = 0
        match = _MD_HEADING.match(raw.strip())
        if match and raw.lstrip().startswith("#"):
            level, raw = len(match.group(1)), match.group(2)
        clean = normalise_line(raw.strip().strip("*").strip())
        if not clean:
            block += 1
            continue
        kind = {0: Kind.TEXT, 1: Kind.BANNER, 2: Kind.TITLE}.get(level, Kind.SUBHEAD)
        lines.append(Line(clean, block, kind))
    for i, line in enumerate(lines):
        if line.kind is not Kind.TEXT:
            continue
        text = line.text
        if _LABEL.match(text):
            line.kind = Kind.LABEL
        elif PHOTO_CREDIT_LINE_RE.match(text) or (
            CREDIT_ONLY_RE.match(text)
            and i + 1 < len(lines)
            and PHOTO_CREDIT_LINE_RE.match(lines[i + 1].text)
        ):
            line.kind = Kind.CREDIT
        elif source_of(text) is not None:
            line.kind = Kind.SOURCE
        elif layout.is_page_banner(text):
            line.kind = Kind.BANNER
        else:
            line.grade = heading_grade(text)
    return lines


def _mark_page_banner(lines: list[Line]) -> None:
    """The first line is the page banner when more headings follow it before any text."""
    first = next((i for i, line in enumerate(lines) if line.kind is not Kind.BANNER), None)
    if first is None or first > 0 or lines[0].grade == 0:
        repeated = {compact(line.text) for line in lines if line.kind is Kind.BANNER}
    else:
        follower = lines[1] if len(lines) > 1 else None
        if follower is None or not (follower.grade or follower.kind is Kind.TITLE):
            return
        lines[0].kind = Kind.BANNER
        repeated = {compact(lines[0].text)}
    for line in lines:
        if line.kind is Kind.TEXT and line.grade and compact(line.text) in repeated:
            line.kind = Kind.BANNER


class _Assembler:
    """Walks the classified lines once and builds article drafts."""

    def __init__(self, lines: list[Line], layout: Layout, markdown: bool) -> None:
        self.lines = lines
        self.layout = layout
        self.markdown = markdown
        self.drafts: list[Draft] = []
        self.labels: list[str] = []
        self.pending_pretitle: str | None = None

    @property
    def current(self) -> Draft | None:
        return self.drafts[-1] if self.drafts else None

    def _at_boundary(self) -> bool:
        draft = self.current
        return draft is None or not draft.open_paragraph

    def _start(self, headings: list[str]) -> None:
        pretitle, title, subtitle = _split_headings(headings)
        if pretitle is None and self.pending_pretitle is not None:
            pretitle = self.pending_pretitle
        self.pending_pretitle = None
        section = self.labels.pop(0) if self.labels else None
        self.drafts.append(Draft(title=title, pretitle=pretitle, subtitle=subtitle, section=section))

    def run(self) -> list[Draft]:
        i = 0
        while i < len(self.lines):
            i = self._step(i)
        return self.drafts

    def _step(self, i: int) -> int:
        line = self.lines[i]
        draft = self.current
        if line.kind is Kind.BANNER:
            self._close_paragraph()
            return i + 1
        if line.kind is Kind.LABEL:
            self._close_paragraph()
            match = _LABEL.match(line.text)
            if match is not None:
                self.labels.append(match.group(1))
            return i + 1
        if line.kind is Kind.TITLE:
            self._start([line.text])
            return i + 1
        if line.kind is Kind.SUBHEAD:
            if draft is not None and not draft.paragraphs and draft.subtitle is None:
                self.drafts[-1] = _with_subtitle(draft, line.text)
            else:
                self.pending_pretitle = line.text if self._next_is_title(i + 1) else None
            return i + 1
        if line.kind is Kind.CREDIT:
            if draft is not None:
                draft.credits.append(line.text)
                draft.open_paragraph = False
            return i + 1
        if line.kind is Kind.SOURCE:
            if draft is not None:
                draft.source = source_of(line.text)
                draft.open_paragraph = False
            return i + 1
        if line.grade and self._at_boundary():
            end = i
            while end < len(self.lines) and self.lines[end].kind is Kind.TEXT and self.lines[end].grade:
                end += 1
            taken = self._headings(i, end)
            if taken:
                return end
        if draft is not None:
            draft.add_text(line.text)
        return i + 1

    def _close_paragraph(self) -> None:
        if self.current is not None:
            self.current.open_paragraph = False

    def _next_is_title(self, i: int) -> bool:
        return i < len(self.lines) and self.lines[i].kind is Kind.TITLE

    def _headings(self, start: int, end: int) -> bool:
        """Decide what the heading-like lines start..end are; False: they are paragraph text."""
        run = self.lines[start:end]
        after = self.lines[end] if end < len(self.lines) else None
        if after is None:
            return True  # headings with nothing under them: not an article
        if after.kind in (Kind.LABEL, Kind.BANNER):
            return True  # column banner above section labels
        if after.kind is Kind.TITLE:
            texts = self._strip_column_banners(run)
            if len(texts) == 1 and len(run) == 1:
                self.pending_pretitle = texts[0]
            return True
        if after.kind is not Kind.TEXT:
            return False
        draft = self.current
        if self.markdown:
            if draft is not None and not draft.paragraphs and draft.subtitle is None and len(run) == 1:
                self.drafts[-1] = _with_subtitle(draft, run[0].text)
                return True
            return False
        if not self._opens_article(run, end):
            return False
        texts = self._strip_column_banners(run)
        if texts:
            self._start(texts)
        return True

    def _opens_article(self, run: list[Line], end: int) -> bool:
        after = self.lines[end]
        if is_lead(after.text):
            return True
        if max(line.grade for line in run) < 2:
            return self._photo_follows(end)
        return True

    def _photo_follows(self, i: int) -> bool:
        """Is lines[i] a caption: one paragraph then a photo credit?"""
        j = i
        while j < len(self.lines) and self.lines[j].kind is Kind.TEXT:
            if PHOTO_CREDIT_TAIL_RE.search(self.lines[j].text):
                return True
            if terminated(self.lines[j].text):
                break
            j += 1
        return j + 1 < len(self.lines) and self.lines[j + 1].kind is Kind.CREDIT

    def _strip_column_banners(self, run: list[Line]) -> list[str]:
        """Drop column banners standing above the headings; keep at most three headings."""
        lines = [line for line in run if not self.layout.is_column_banner(line.text)]
        while len(lines) > 1:
            if len(_slogan_segments(lines[0].text)) >= SLOGAN_SEGMENTS:
                # a slogan banner (学思想 强党性 重实践 建新功) and, under it, the column's name
                lines = lines[2:] if len(lines) > 2 else lines[1:]
                continue
            first_block = [line for line in lines if line.block == lines[0].block]
            if 1 < len(first_block) < len(lines):
                lines = lines[len(first_block) :]  # a banner printed as one block of lines
                continue
            break
        return [line.text for line in lines[-MAX_HEADINGS:]]


def _with_subtitle(draft: Draft, subtitle: str) -> Draft:
    draft.subtitle = subtitle
    return draft


# a heading this much longer than the one above it is the title under a kicker or a
# column's name (工会服务创新实践 / 建外街道总工会为楼宇职工子女开办“暑期托管营”,
# 基层工会服务职工创新实践 / 玉泉营街道总工会开设职工“家事调解室”): a subtitle is about
# as long as its title or shorter
TITLE_UNDER_KICKER_RATIO = 1.5
TITLE_UNDER_KICKER_CHARS = 6


def _title_under(above: str, heading: str) -> bool:
    """Is `heading` the title, `above` a kicker, though neither reads as a pretitle? A
    kicker quotes and counts nothing (“听漏人”拓跋振川 is a title), and a subtitle may
    open with a figure (22年在地下管网“听”出3400余处漏点)."""
    if any(ch in above for ch in "“”\"《》") or any(ch.isdigit() for ch in above) or heading[:1].isdigit():
        return False
    return len(heading) >= max(len(above) * TITLE_UNDER_KICKER_RATIO, len(above) + TITLE_UNDER_KICKER_CHARS)


def _split_headings(headings: list[str]) -> tuple[str | None, str, str | None]:
    if len(headings) == 1:
        return None, headings[0], None
    if len(headings) == 2:
        first, second = headings
        if _secondary_score(first) > _secondary_score(second):
            return first, second, None
        if _secondary_score(first) == _secondary_score(second) and _title_under(first, second):
            return first, second, None
        return None, first, second
    kicker, title = headings[-2], headings[-1]
    if _slogan_segments(kicker) and not _slogan_segments(title):
        return kicker, title, None  # a page's slogan, a kicker, the title
    if _secondary_score(kicker) == _secondary_score(title) and _title_under(kicker, title):
        return kicker, title, None  # a column's name, a kicker, the title
    return headings[-3], headings[-2], headings[-1]


def article_id(issue_id: str, title: str, repeat: int) -> str:
    """A stable id for the `repeat`-th article titled `title` in an issue."""
    key = f"{issue_id}\n{title}\n{repeat}".encode()
    return hashlib.blake2b(key, digest_size=6).hexdigest()


def _finish(issue_id: str, drafts: list[Draft]) -> list[Article]:
    articles: list[Article] = []
    seen: dict[str, int] = {}
    for draft in drafts:
        paragraphs = list(draft.paragraphs)
        credits = list(draft.credits)
        if paragraphs:
            tail = PHOTO_CREDIT_TAIL_RE.search(paragraphs[-1])
            if tail is not None and tail.start() > 0:
                credits.append(tail.group(0).strip())
                paragraphs[-1] = paragraphs[-1][: tail.start()].rstrip()
        paragraphs = [p for p in paragraphs if p]
        if not paragraphs:
            continue
        photo = any("摄影报道" in credit for credit in credits)
        if credits:
            reporters = [name for credit in credits for name in names_in_credit(credit.replace("摄影报道", ""))]
        else:
            reporters = lead_reporters(paragraphs[0]) or []
        repeat = seen.get(draft.title, 0)
        seen[draft.title] = repeat + 1
        articles.append(
            Article(
                issue=issue_id,
                article_id=article_id(issue_id, draft.title, repeat),
                ordinal=len(articles) + 1,
                title=draft.title,
                pretitle=draft.pretitle,
                subtitle=draft.subtitle,
                section=draft.section,
                kind=ArticleKind.PHOTO if photo else ArticleKind.NEWS,
                reporters=tuple(dict.fromkeys(reporters)),
                source=draft.source,
                paragraphs=tuple(paragraphs),
            )
        )
    return articles


def parse_text(issue_id: str, text: str, layout: Layout | None = None) -> tuple[str | None, list[Article]]:
    """The page banner and articles of an issue's decoded text."""
    layout = layout or Layout()
    lines = _read_lines(text, layout)
    markdown = any(line.kind is Kind.TITLE for line in lines)
    _mark_page_banner(lines)
    banner = next((line.text for line in lines if line.kind is Kind.BANNER), None)
    drafts = _Assembler(lines, layout, markdown).run()
    return banner, _finish(issue_id, drafts)


def parse_issue(issue_id: str, data: bytes, layout: Layout | None = None) -> Issue:
    """Parse the bytes of one issue file; raise IssueError naming the file when refused."""
    text = decode_issue(issue_id, data)
    banner, articles = parse_text(issue_id, text, layout)
    if not articles:
        raise IssueError(issue_id, "no article found (no title followed by text)")
    return Issue(issue_id=issue_id, content_hash=content_hash(articles), banner=banner, articles=tuple(articles))


def content_hash(articles: list[Article]) -> str:
    """A hash of what the articles say, whatever the file's encoding, widths, name or URL."""
    digest = hashlib.sha256()
    for article in articles:
        fields = article.model_dump(exclude={"issue", "article_id", "url", "published", "edition"}, mode="json")
        digest.update(json.dumps(fields, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()
