"""Fetched web documents: what they are, an edition page's article links, and the pages
of an article printed over several pages.

Classification reads the Content-Type and sniffs the body: feeds by their root element
(<rss>, Atom's <feed>), HTML by its markup, and among HTML pages an article page by prose
outside links (a sentence-ending paragraph) and an edition page by its headline links.
Anything else that is text is an issue file (or a list of issue-file URLs).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator

import lxml.html
from lxml.etree import ParserError, _Element

from retrieval import compact, is_cjk, normalise_line, terminated

from .decode import decode_page
from .errors import IntakeError
from .models import DocumentKind
from .site import absolute_url, same_site

log = logging.getLogger(__name__)

MAX_PAGES = 10  # pages of one article followed at most

_XML_TYPES = ("xml", "rss", "atom")
_ROOT_TAG = re.compile(r"<(?!\?|!)([A-Za-z][\w:.-]*)")
_HTML_START = re.compile(r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE | re.DOTALL)
_URL_LINE = re.compile(r"^https?://\S+$")
# Containers that are not an article's or an edition's own content.
_CHROME_WORDS = frozenset(
    "nav navbar navigation menu header footer foot share sharing related crumb crumbs breadcrumb "
    "sidebar side aside hot rank ranking copyright toolbar ad ads advert login search pager "
    "pagination switch prev next comment comments recommend".split()
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_CHROME_TAGS = {"nav", "header", "footer", "aside", "form", "script", "style", "noscript"}
_EDITION_LABEL = re.compile(r"^第\s*\d+\s*版")
_NEXT_PAGE_TEXT = {"下一页", "下页", "后一页", "next", "next page", "›", "»"}
_MIN_HEADLINE_CJK = 4


def classify(data: bytes, content_type: str | None = None) -> DocumentKind:
    """What a fetched document is, from its Content-Type and its first bytes."""
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    text = decode_page(data[:65536], content_type)
    root = _root_tag(text)
    if root == "rss" or ctype == "application/rss+xml":
        return DocumentKind.RSS
    if root == "feed" or ctype == "application/atom+xml":
        return DocumentKind.ATOM
    if root == "rdf:rdf":
        return DocumentKind.RSS
    if "html" in ctype or _HTML_START.match(text):
        return html_kind(decode_page(data, content_type))
    if any(t in ctype for t in _XML_TYPES) and root is not None:
        raise IntakeError("document", f"an XML document ({root}) that is neither RSS nor Atom")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if lines and all(_URL_LINE.match(line) for line in lines):
        return DocumentKind.URL_LIST
    return DocumentKind.ISSUE_FILE


def _root_tag(text: str) -> str | None:
    head = re.sub(r"<!--.*?-->", "", text.lstrip("\ufeff")[:4096], flags=re.DOTALL).lstrip()
    if not head.startswith("<"):
        return None
    match = _ROOT_TAG.search(head)
    return match.group(1).lower() if match else None


def parse_html(html: str) -> _Element:
    """The page's element tree; IntakeError for a page lxml cannot read."""
    try:
        return lxml.html.document_fromstring(html.encode("utf-8"), parser=_PARSER)
    except (ParserError, ValueError) as exc:
        raise IntakeError("page", f"not readable HTML ({exc})") from None


_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def is_chrome(element: _Element) -> bool:
    """Is the element (or a container of it) navigation, a footer, a share bar, …?"""
    node: _Element | None = element
    while node is not None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _CHROME_TAGS:
            return True
        marks = f"{node.get('class', '')} {node.get('id', '')} {node.get('role', '')}".lower()
        if not _CHROME_WORDS.isdisjoint(_WORD_SPLIT.split(marks)):
            return True
        node = node.getparent()
    return False


def _prose_chars(root: _Element) -> int:
    """Characters of sentence-ending paragraphs that are not link text nor page chrome."""
    total = 0
    for el in root.iter("p", "div", "td", "span", "founder-content"):
        own = normalise_line(" ".join(t for t in _own_text(el)))
        if len(own) >= 15 and terminated(own) and sum(map(is_cjk, own)) >= 10 and not is_chrome(el):
            total += len(own)
    return total


def _own_text(el: _Element) -> Iterator[str]:
    """Text of the element outside links and outside nested blocks."""
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in ("a", "p", "div", "table", "ul", "ol", "script", "style"):
            yield child.text_content()
        if child.tail:
            yield child.tail


def html_kind(html: str) -> DocumentKind:
    """An HTML page is an article page when it has prose of its own, else an edition page
    when it lists headline links; IntakeError when it is neither."""
    root = parse_html(html)
    if _prose_chars(root) >= 30:
        return DocumentKind.ARTICLE_PAGE
    if _headline_links(root, None):
        return DocumentKind.EDITION_PAGE
    raise IntakeError("page", "neither an article nor a list of articles")


def _is_headline(text: str) -> bool:
    return (
        sum(map(is_cjk, text)) >= _MIN_HEADLINE_CJK
        and not _EDITION_LABEL.match(text)
        and not terminated(text)
    )


def _headline_links(root: _Element, base: str | None) -> list[str]:
    links: list[str] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        text = normalise_line(a.text_content())
        issue_file = href.lower().endswith((".txt", ".md"))
        if not (issue_file or _is_headline(text)) or is_chrome(a):
            continue
        links.append(absolute_url(base, href) if base else href)
    return links


def edition_links(html: str, url: str) -> list[str]:
    """The article links of an e-paper edition page: same site, outside navigation, sidebars
    and footers, headline-like, in page order, without repeats, relative links resolved."""
    root = parse_html(html)
    base = root.xpath("string(//base/@href)") or url
    found = [link for link in _headline_links(root, str(base)) if same_site(link, url)]
    page = url.split("#", 1)[0]
    return [link for link in dict.fromkeys(found) if link.split("#", 1)[0] != page]


def next_page_url(html: str, url: str) -> str | None:
    """The next page of a long article (rel="next", or a link saying 下一页), same site only;
    never the next article (下一篇)."""
    root = parse_html(html)
    for el in root.iter("a", "link"):
        href = (el.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            continue
        rel = (el.get("rel") or "").lower().split()
        text = compact(el.text_content() if el.tag == "a" else "").lower()
        if "next" in rel or text in _NEXT_PAGE_TEXT:
            target = absolute_url(url, href)
            if same_site(target, url) and target.split("#", 1)[0] != url.split("#", 1)[0]:
                return target
    return None


def article_pages(url: str, html: str, fetch: Callable[[str], str], max_pages: int = MAX_PAGES) -> list[str]:
    """The HTML of every page of the article whose first page is `html`, in order, following
    "next page" links (each page fetched once, at most `max_pages` pages)."""
    pages = [html]
    seen = {url.split("#", 1)[0]}
    current_url, current = url, html
    while len(pages) < max_pages:
        following = next_page_url(current, current_url)
        if following is None or following.split("#", 1)[0] in seen:
            break
        seen.add(following.split("#", 1)[0])
        log.debug("%s continues on %s", url, following)
        current_url, current = following, fetch(following)
        pages.append(current)
    return pages
