"""A newspaper's web site made from the seeds, served on 127.0.0.1 for the intake tests.

The site is what a union paper's digital edition looks like: per printed page an e-paper
edition page listing its articles, per article a page with pretitle, title, subtitle,
an info line (date, page), the body, and the clutter around it (navigation, scripts,
share bars, related articles, a sidebar, footers), with relative links. One article page
is GBK-encoded and declares it only in a <meta>; the longest article runs over two pages;
an RSS 2.0 feed carries every article in full and an Atom feed only links to the pages.

Articles are the hand-checked segmentation of the seeds (titles, headings, kinds,
reporters, sources) with the paragraphs the parser gives for the seed files (which the
parser's tests hold to the same segmentation).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from bot.intake.web import (
    DocumentKind,
    WebArticle,
    article_pages,
    classify,
    decode_page,
    edition_links,
    entry_article,
    extract_article,
    parse_feed,
)
from retrieval import parse_issue

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD_FILE = Path(__file__).parent / "data" / "seed_articles.json"
PAPER = "劳动午报"
# Which day and printed page each seed issue is: three pages on the 10th, two on the 11th.
EDITIONS = [(dt.date(2024, 7, 10), 1), (dt.date(2024, 7, 10), 2), (dt.date(2024, 7, 10), 3),
            (dt.date(2024, 7, 11), 1), (dt.date(2024, 7, 11), 2)]


@dataclass(frozen=True)
class SeedArticle:
    """One hand-checked seed article, and where the site publishes it."""

    issue: str  # the seed file's stem
    title: str
    kind: str
    reporters: tuple[str, ...]
    paragraphs: tuple[str, ...]
    pretitle: str | None = None
    subtitle: str | None = None
    section: str | None = None
    source: str | None = None
    date: dt.date = dt.date(2024, 7, 10)
    page: int = 1
    path: str = ""  # the article page's path on the site

    def expected(self) -> dict[str, Any]:
        """The fields an extractor must reproduce, whitespace-normalised."""
        return {
            "title": _ws(self.title), "pretitle": _ws(self.pretitle), "subtitle": _ws(self.subtitle),
            "reporters": list(self.reporters), "source": self.source, "kind": self.kind,
            "paragraphs": [_ws(p) for p in self.paragraphs],
        }


def _ws(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


@dataclass(frozen=True)
class Edition:
    date: dt.date
    page: int
    path: str
    articles: tuple[SeedArticle, ...]


@dataclass
class Site:
    """The site's files by path: (content type, body)."""

    editions: list[Edition]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    gbk_path: str = ""
    paginated_path: str = ""
    rss_path: str = "/rss/all.xml"
    atom_path: str = "/atom.xml"

    @property
    def articles(self) -> list[SeedArticle]:
        return [a for e in self.editions for a in e.articles]


def seed_articles() -> dict[str, list[SeedArticle]]:
    """The hand-checked seed articles with their paragraphs, by issue stem, in order."""
    gold: dict[str, list[dict[str, Any]]] = json.loads(GOLD_FILE.read_text(encoding="utf-8"))["issues"]
    out: dict[str, list[SeedArticle]] = {}
    for k, name in enumerate(sorted(gold)):
        stem = name.rsplit(".", 1)[0]
        parsed = parse_issue(stem, (SEEDS / name).read_bytes()).articles
        date, page = EDITIONS[k]
        arts = []
        for j, (meta, article) in enumerate(zip(gold[name], parsed, strict=True)):
            if meta["title"] != article.title:
                raise ValueError(f"{name}: the parser no longer gives the hand-checked articles")
            arts.append(SeedArticle(
                issue=stem, title=meta["title"], kind=meta["kind"], reporters=tuple(meta["reporters"]),
                paragraphs=article.paragraphs, pretitle=meta.get("pretitle"), subtitle=meta.get("subtitle"),
                section=meta.get("section"), source=meta.get("source"), date=date, page=page,
                path=f"{_day_dir(date)}content_{(k + 1) * 100 + j + 1}.htm",
            ))
        out[stem] = arts
    return out


def _day_dir(date: dt.date) -> str:
    return f"/epaper/html/{date:%Y-%m}/{date:%d}/"


def _edition_path(date: dt.date, page: int) -> str:
    return f"{_day_dir(date)}node_{page:02d}.htm"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


_WEEKDAYS = "一二三四五六日"


def _head(title: str, charset_tag: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{charset_tag}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<link rel="stylesheet" href="../../../../css/epaper.css">
{extra}
<script type="text/javascript">
  var _hmt = _hmt || [];
  (function() {{ var hm = document.createElement("script"); hm.src = "/stat.js?id=3f2a";
    var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); }})();
</script>
<style>.share a {{ margin: 0 4px; }} #ozoom p {{ text-indent: 2em; }}</style>
</head>
"""


def _top(date: dt.date, pages: list[int]) -> str:
    page_links = "\n".join(
        f'<li><a href="node_{p:02d}.htm">第{p:02d}版：{"要闻" if p == 1 else "基层"}</a></li>' for p in pages
    )
    return f"""<body>
<div class="top-nav"><ul>
  <li><a href="/">首页</a></li><li><a href="/news/">新闻</a></li><li><a href="/epaper/">数字报</a></li>
  <li><a href="/video/">视频</a></li><li><a href="https://weibo.example.com/ldwb">官方微博</a></li>
</ul></div>
<div class="header">
  <a href="/"><img src="/images/logo.png" alt="{PAPER}"></a>
  <span class="today">{date.year}年{date.month}月{date.day}日 星期{_WEEKDAYS[date.weekday()]}</span>
  <form action="/search"><input name="q" placeholder="搜索"><button>搜索</button></form>
</div>
<div class="paper-nav"><span>版面导航</span><ul>
{page_links}
</ul><a href="../../../index.htm">往期回顾</a></div>
"""


_FOOTER = """<div class="footer">
  <p><a href="/about.htm">关于我们</a> | <a href="/contact.htm">联系我们</a> | <a href="/ad.htm">广告服务</a></p>
  <p>版权所有 劳动午报社 未经书面授权不得复制或建立镜像</p>
  <p>地址：北京市东城区 邮编：100010 京ICP备05012345号</p>
</div>
<script type="text/javascript">
  document.write('<div class="float-qr"><img src="/images/qr.png"></div>');
  window.onload = function () { if (window.initZoom) { initZoom("ozoom"); } };
</script>
</body>
</html>
"""


def _sidebar(others: list[SeedArticle]) -> str:
    items = "\n".join(f'<li><a href="{a.path}">{_e(a.title)}</a></li>' for a in others[:5])
    return f"""<div class="sidebar">
  <div class="hot"><h4>热点排行</h4><ol>
{items}
  </ol></div>
  <div class="ad"><a href="/ad/1.htm"><img src="/images/ad1.jpg" alt="广告"></a></div>
</div>
"""


def edition_page(edition: Edition, pages: list[int], others: list[SeedArticle]) -> str:
    """An e-paper page: the printed page's image map and its list of articles."""
    title = f"{PAPER} {edition.date:%Y年%m月%d日} 第{edition.page:02d}版"
    areas = "\n".join(
        f'<area shape="rect" coords="0,{i * 90},600,{i * 90 + 80}" href="{a.path.rsplit("/", 1)[1]}">'
        for i, a in reversed(list(enumerate(edition.articles)))
    )
    items = []
    for a in edition.articles:
        href = a.path.rsplit("/", 1)[1]
        icon = '<img src="/images/photo.gif" alt="图片">' if a.kind == "photo" else ""
        items.append(f'<li>{icon}<a href="{href}">{_e(a.title)}</a></li>')
    prev_page = f'<a href="node_{edition.page - 1:02d}.htm">上一版</a>' if edition.page > 1 else ""
    next_page = f'<a href="node_{edition.page + 1:02d}.htm">下一版</a>' if edition.page < max(pages) else ""
    return (
        _head(title, '<meta charset="utf-8">')
        + _top(edition.date, pages)
        + f"""<div class="main">
<div class="page-image">
  <img src="../../../images/{edition.date:%Y%m%d}/page{edition.page:02d}.jpg" usemap="#pagemap" alt="版面图">
  <map name="pagemap">
{areas}
  </map>
  <div class="page-switch">{prev_page} {next_page}
    <a href="../../../pdf/{edition.date:%Y%m%d}_{edition.page:02d}.pdf">PDF下载</a></div>
</div>
<div class="news-list">
  <h2>第{edition.page:02d}版：{"要闻" if edition.page == 1 else "基层"}</h2>
  <ul>
{chr(10).join(items)}
  </ul>
</div>
"""
        + _sidebar(others)
        + "</div>\n"
        + _FOOTER
    )


def _credit(article: SeedArticle) -> str:
    first, *others = article.reporters
    return f"本报记者 {first} " + "".join(f"通讯员 {name} " for name in others) + "摄影报道"


def _body(article: SeedArticle, paragraphs: tuple[str, ...], last_part: bool) -> str:
    parts: list[str] = []
    if article.kind == "photo":
        parts.append(f'<p style="text-align:center"><img src="../../../images/{article.path.rsplit("/", 1)[1]}.jpg"></p>')
    parts.extend(f"<p>{_e(p)}</p>" for p in paragraphs)
    if last_part and article.kind == "photo":
        parts.append(f"<p>{_e(_credit(article))}</p>")
    if last_part and article.source:
        parts.append(f"<p>转自《{_e(article.source)}》</p>")
    return "\n".join(parts)


def article_page(article: SeedArticle, pages: list[int], siblings: list[SeedArticle], others: list[SeedArticle],
                 charset_tag: str = '<meta charset="utf-8">', part: tuple[int, int] = (1, 1),
                 paragraphs: tuple[str, ...] | None = None) -> str:
    """An article page with its headings, info line, body and clutter; `part` (n, of) for a
    page of a long article."""
    n, of = part
    name = article.path.rsplit("/", 1)[1].removesuffix(".htm")
    index = siblings.index(article)
    before = f'<a href="{siblings[index - 1].path.rsplit("/", 1)[1]}">上一篇</a>' if index > 0 else ""
    after = f'<a href="{siblings[index + 1].path.rsplit("/", 1)[1]}">下一篇</a>' if index + 1 < len(siblings) else ""
    pager = ""
    if of > 1:
        links = []
        for k in range(1, of + 1):
            target = f"{name}.htm" if k == 1 else f"{name}_{k}.htm"
            links.append(f"<span>{k}</span>" if k == n else f'<a href="{target}">{k}</a>')
        if n > 1:
            links.insert(0, f'<a href="{name}.htm" class="prev">上一页</a>')
        if n < of:
            links.append(f'<a href="{name}_{n + 1}.htm" class="next">下一页</a>')
        pager = f'<div class="page-links">{" ".join(links)}</div>'
    related = "\n".join(
        f'<li><a href="{a.path.rsplit("/", 1)[1]}">{_e(a.title)}</a> <span>{a.date:%Y-%m-%d}</span></li>'
        for a in siblings if a is not article
    )
    byline = "、".join(article.reporters) if article.kind == "news" else ""
    meta = (f'<meta name="publishdate" content="{article.date:%Y-%m-%d}">\n'
            f'<meta property="og:title" content="{_e(article.title)}">\n'
            '<meta property="og:type" content="article">')
    return (
        _head(f"{article.title} - {PAPER}", charset_tag, meta)
        + _top(article.date, pages)
        + f"""<div class="main"><div class="left">
<div class="crumb"><a href="/">首页</a> &gt; <a href="/epaper/">数字报</a> &gt;
  <a href="node_{article.page:02d}.htm">第{article.page:02d}版</a></div>
<div class="article">
  <h3>{_e(article.pretitle or "")}</h3>
  <h1>{_e(article.title)}</h1>
  <h2>{_e(article.subtitle or "")}</h2>
  <div class="info"><span>{PAPER}</span> <span>{article.date:%Y年%m月%d日}</span>
    <span>第{article.page:02d}版</span> <span>作者：{_e(byline)}</span></div>
  <div class="share">分享到：<a href="javascript:void(0)">微信</a> <a href="javascript:void(0)">微博</a>
    <a href="javascript:void(0)">QQ空间</a> <a href="javascript:window.print()">打印</a></div>
  <div id="ozoom"><founder-content>
{_body(article, paragraphs if paragraphs is not None else article.paragraphs, n == of)}
  </founder-content></div>
  {pager}
  <div class="editor">责任编辑：李明</div>
  <div class="prev-next">{before} {after}</div>
</div>
<div class="related"><h4>本版其他新闻</h4><ul>
{related}
</ul></div>
</div>
"""
        + _sidebar(others)
        + "</div>\n"
        + _FOOTER
    )


def _rss_date(article: SeedArticle, k: int) -> str:
    # 00:30 Beijing time is the day before in UTC: the entry's own date must be kept
    moment = dt.datetime.combine(article.date, dt.time(0, 30 + k % 29), dt.timezone(dt.timedelta(hours=8)))
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0800")


def rss_feed(articles: list[SeedArticle], base: str) -> str:
    """RSS 2.0 with each article in full (content:encoded)."""
    items = []
    for k, a in enumerate(articles):
        heads = ""
        if a.pretitle:
            heads += f'<h3 class="pretitle">{_e(a.pretitle)}</h3>'
        if a.subtitle:
            heads += f'<h2 class="subtitle">{_e(a.subtitle)}</h2>'
        content = heads + _body(a, a.paragraphs, True)
        items.append(f"""  <item>
    <title>{_e(a.title)}</title>
    <link>{base}{a.path}</link>
    <guid isPermaLink="true">{base}{a.path}</guid>
    <pubDate>{_rss_date(a, k)}</pubDate>
    <category>数字报</category>
    <description>{_e(a.paragraphs[0][:60])}…</description>
    <content:encoded><![CDATA[{content}]]></content:encoded>
  </item>""")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>{PAPER}</title>
  <link>{base}/</link>
  <description>{PAPER}数字报</description>
  <language>zh-cn</language>
{chr(10).join(items)}
</channel>
</rss>
"""


def atom_feed(articles: list[SeedArticle], base: str) -> str:
    """Atom with links to the article pages and short summaries only."""
    entries = []
    for k, a in enumerate(articles):
        stamp = f"{a.date:%Y-%m-%d}T00:{30 + k % 29:02d}:00+08:00"
        entries.append(f"""  <entry>
    <title>{_e(a.title)}</title>
    <link rel="alternate" type="text/html" href="{base}{a.path}"/>
    <id>{base}{a.path}</id>
    <published>{stamp}</published>
    <updated>{stamp}</updated>
    <summary>{_e(a.paragraphs[0][:40])}…</summary>
  </entry>""")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{PAPER}</title>
  <link rel="self" href="{base}/atom.xml"/>
  <id>{base}/</id>
  <updated>2024-07-11T08:00:00+08:00</updated>
{chr(10).join(entries)}
</feed>
"""


def _gbk_safe(article: SeedArticle) -> bool:
    page = "".join((article.title, article.pretitle or "", article.subtitle or "", *article.paragraphs))
    try:
        page.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def build_site(base: str) -> Site:
    """Every file of the site; `base` is the site's origin (http://127.0.0.1:PORT)."""
    by_issue = seed_articles()
    editions = [
        Edition(date=arts[0].date, page=arts[0].page, path=_edition_path(arts[0].date, arts[0].page),
                articles=tuple(arts))
        for arts in by_issue.values()
    ]
    site = Site(editions=editions)
    everything = site.articles
    longest = max(everything, key=lambda a: sum(map(len, a.paragraphs)))
    gbk = next(a for a in editions[1].articles if _gbk_safe(a) and a is not longest)
    site.gbk_path, site.paginated_path = gbk.path, longest.path
    html_type = "text/html; charset=utf-8"
    for edition in editions:
        pages = [e.page for e in editions if e.date == edition.date]
        others = [a for a in everything if a.date != edition.date]
        site.files[edition.path] = (html_type, edition_page(edition, pages, others).encode())
        siblings = list(edition.articles)
        for article in edition.articles:
            if article is gbk:
                tag = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
                page = article_page(article, pages, siblings, others, charset_tag=tag)
                site.files[article.path] = ("text/html", page.encode("gbk"))
            elif article is longest:
                half = (len(article.paragraphs) + 1) // 2
                first, second = article.paragraphs[:half], article.paragraphs[half:]
                site.files[article.path] = (html_type, article_page(
                    article, pages, siblings, others, part=(1, 2), paragraphs=first).encode())
                site.files[article.path.replace(".htm", "_2.htm")] = (html_type, article_page(
                    article, pages, siblings, others, part=(2, 2), paragraphs=second).encode())
            else:
                site.files[article.path] = (html_type, article_page(article, pages, siblings, others).encode())
    site.files[site.rss_path] = ("application/rss+xml; charset=utf-8", rss_feed(everything, base).encode())
    site.files[site.atom_path] = ("application/atom+xml", atom_feed(everything, base).encode())
    for stem, arts in by_issue.items():
        site.files[f"/files/{stem}.txt"] = ("text/plain; charset=utf-8", (SEEDS / f"{stem}.txt").read_bytes())
    return site


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0]
        self.server.requests.append(path)
        self.server.agents.append(self.headers.get("User-Agent", ""))
        found = self.server.site.files.get(path)
        if found is None:
            self.send_error(404)
            return
        content_type, body = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = Site(editions=[])
        self.requests: list[str] = []
        self.agents: list[str] = []  # the User-Agent of each request

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@dataclass
class ServedSite:
    """A running site: its files, its origin, and the paths requested so far."""

    site: Site
    base: str
    requests: list[str]
    agents: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve_site() -> Iterator[ServedSite]:
    """Build the site and serve it on 127.0.0.1 (a free port) until the block ends."""
    server = _SiteServer()
    server.site = build_site(server.base)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield ServedSite(site=server.site, base=server.base, requests=server.requests, agents=server.agents)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def get(client: httpx.Client, url: str) -> tuple[bytes, str]:
    """A page's bytes and Content-Type (an error for anything but 200)."""
    response = client.get(url)
    response.raise_for_status()
    return response.content, response.headers.get("content-type", "")


def read_url(client: httpx.Client, url: str) -> list[WebArticle]:
    """The articles a URL gives, read the way ingest is meant to: an article page (with
    its further pages), an edition page's articles, or a feed's entries."""

    def page_text(link: str) -> str:
        return decode_page(*get(client, link))

    data, content_type = get(client, url)
    kind = classify(data, content_type)
    if kind is DocumentKind.ARTICLE_PAGE:
        html = decode_page(data, content_type)
        return [extract_article(article_pages(url, html, page_text), url)]
    if kind is DocumentKind.EDITION_PAGE:
        return [a for link in edition_links(decode_page(data, content_type), url) for a in read_url(client, link)]
    if kind in (DocumentKind.RSS, DocumentKind.ATOM):
        out = []
        for entry in parse_feed(data, url).entries:
            carried = entry_article(entry)
            if carried is None:
                page = read_url(client, entry.url)[0]
                carried = page.model_copy(update={"published": page.published or entry.published})
            out.append(carried)
        return out
    raise ValueError(f"{url}: {kind} is not a web article source")
