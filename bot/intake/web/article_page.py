"""An article page to a `WebArticle`: headings from the markup around the title, the main
text from trafilatura (chosen over readability-lxml by benchmarks/bench_extract.py), and
bylines, sources and photo news by the project's own rules (body.read_body).

Headings: the title is the page's <h1> (the one that the <title> or og:title names, when
there are several), else og:title; the heading printed right before it is the pretitle
(引题) and the one right after it the subtitle (副题). The publication date comes from the
page's meta tags, else the info line under the headings, else the URL; the printed page
(第N版) from the info line or the <title>.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Sequence

import trafilatura
from lxml.etree import _Element

from retrieval import MAX_HEADING_CHARS, compact, normalise_line, terminated

from .body import read_body, trim_edges
from .documents import parse_html
from .errors import PageError
from .models import WebArticle

log = logging.getLogger(__name__)

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_PRETITLE_MARK = re.compile(r"pre-?title|yinti|\byt\b|引题|kicker|overline", re.IGNORECASE)
_SUBTITLE_MARK = re.compile(r"sub-?title|futi|\bft\b|副题|subhead", re.IGNORECASE)
_DATE_META = (
    "publishdate", "pubdate", "publish_date", "publication_date", "article:published_time",
    "og:published_time", "date", "dc.date", "dc.date.issued", "contentdate",
)
_DATE_TEXT = re.compile(r"(20\d\d)\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})")
_DATE_PATH = re.compile(r"/(20\d\d)-?(\d\d)[/-]?(\d\d)(?:/|_|\b)")
_EDITION = re.compile(r"第\s*0*(\d{1,3})\s*版")


def _text(el: _Element) -> str:
    return normalise_line(el.text_content())


def _marks(el: _Element) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}"


def _meta(root: _Element, *names: str) -> str | None:
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        if key in names and (el.get("content") or "").strip():
            return normalise_line(el.get("content") or "")
    return None


def _title_element(root: _Element) -> _Element | None:
    wanted = _meta(root, "og:title") or normalise_line(root.findtext(".//title") or "")
    headings = [el for el in root.iter("h1") if _text(el)]
    if not headings:
        headings = [el for el in root.iter("h2", "h3") if _text(el)]
        headings = [el for el in headings if wanted and compact(_text(el)) in compact(wanted)]
    for el in headings:
        if wanted and compact(_text(el)) in compact(wanted):
            return el
    return headings[0] if headings else None


def _is_heading(el: _Element) -> bool:
    if not isinstance(el.tag, str):
        return False
    text = _text(el)
    return (
        (el.tag in _HEADING_TAGS or bool(_PRETITLE_MARK.search(_marks(el)) or _SUBTITLE_MARK.search(_marks(el))))
        and len(text) <= MAX_HEADING_CHARS
        and not terminated(text)
    )


def _neighbour(el: _Element, forward: bool) -> str | None:
    """The heading printed right before (or after) `el`, skipping empty headings."""
    node = el.getnext() if forward else el.getprevious()
    while node is not None and isinstance(node.tag, str) and _is_heading(node):
        text = _text(node)
        if text:
            return text
        node = node.getnext() if forward else node.getprevious()
    return None


def _info_parts(title: _Element | None) -> list[str]:
    """Text printed just under the headings (date, page, author), up to the first paragraph."""
    if title is None:
        return []
    parts: list[str] = []
    node = title.getnext()
    while node is not None and len(parts) < 6:
        if isinstance(node.tag, str):
            text = _text(node)
            if node.tag == "p" or len(text) > 120:
                break
            parts.append(text)
        node = node.getnext()
    return parts


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    match = _DATE_TEXT.search(value)
    if match is None:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def publication_date(root: _Element, url: str, info: str = "") -> datetime.date | None:
    """The page's publication date: meta tags, then the info line, then the URL's path."""
    found = _date(_meta(root, *_DATE_META)) or _date(info)
    if found is not None:
        return found
    match = _DATE_PATH.search(url)
    return _date(f"{match.group(1)}-{match.group(2)}-{match.group(3)}") if match else None


def edition_number(*texts: str) -> int | None:
    """The printed page (第N版) named in the first of `texts` that names one."""
    for text in texts:
        match = _EDITION.search(text)
        if match is not None:
            return int(match.group(1))
    return None


def main_text(html: str) -> list[str]:
    """The lines of a page's main text, as trafilatura extracts it (empty when it finds none)."""
    extracted = trafilatura.extract(
        html, include_comments=False, include_tables=False, include_images=False, deduplicate=False
    )
    return [line for line in (extracted or "").split("\n") if line.strip()]


def extract_article(
    pages: str | Sequence[str], url: str, extractor: Callable[[str], list[str]] = main_text
) -> WebArticle:
    """The article on a page, or on the pages of an article printed over several (headings
    from the first); PageError when no title or no text is found. `extractor` gives a
    page's main-text lines (trafilatura's by default)."""
    htmls = [pages] if isinstance(pages, str) else list(pages)
    if not htmls:
        raise PageError(url, "no page")
    root = parse_html(htmls[0])
    title_el = _title_element(root)
    title = _text(title_el) if title_el is not None else _meta(root, "og:title")
    if not title:
        raise PageError(url, "no title found")
    pretitle = _neighbour(title_el, forward=False) if title_el is not None else None
    subtitle = _neighbour(title_el, forward=True) if title_el is not None else None
    info = _info_parts(title_el)
    heads = {compact(h) for h in (title, pretitle, subtitle) if h}
    lines: list[str] = []
    for html in htmls:
        page_lines = [normalise_line(line) for line in extractor(html)]
        lines.extend(trim_edges([line for line in page_lines if compact(line) not in heads]))
    body = read_body(lines, byline=info)
    if not body.paragraphs:
        raise PageError(url, "no article text found")
    return WebArticle(
        url=url,
        title=title,
        pretitle=pretitle,
        subtitle=subtitle,
        kind=body.kind,
        reporters=body.reporters,
        source=body.source,
        paragraphs=body.paragraphs,
        published=publication_date(root, url, " ".join(info)),
        edition=edition_number(" ".join(info), normalise_line(root.findtext(".//title") or "")),
    )
