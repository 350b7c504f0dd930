"""Telegram messages as pure functions of models: HTML text and keyboards of our own
(bot.keyboards; the Telegram front turns them into markup).

Everything a user or the paper wrote is escaped here; messages are split under
Telegram's 4,096-character limit at paragraph, then sentence boundaries.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from bot.callbacks import ArticlePage, Callback, Example, Feedback, FindPage, MoreResults, OpenArticle, Subscription
from bot.dates import issue_label
from bot.keyboards import Button, Keyboard
from bot.richtext import esc
from bot.richtext import short as _short
from bot.storage.activity import Stats
from retrieval import Answer, Article, Hit, Turn, split_sentences

MESSAGE_LIMIT = 4096
PAGE_BUDGET = 3500  # characters of article text a page (headers and escapes stay well inside)
EXAMPLES = ("密云区总工会培训了多少人", "平谷区总工会党组书记是谁", "数控工匠人才培训班在哪里开班")
FIND_PAGE = 5


class Reply(BaseModel):
    """One message: HTML text and an optional keyboard."""

    model_config = ConfigDict(frozen=True)

    text: str
    keyboard: Keyboard | None = None
    turn: Turn | None = None  # the question this reply answers, for follow-ups to it


def _byline(article: Article) -> str:
    """issue · its date and page · reporters (or the reprint source), escaped."""
    parts = [esc(article.issue)]
    label = issue_label(article)
    if label:
        parts.append(esc(label))
    if article.reporters:
        parts.append("记者 " + esc("、".join(article.reporters)))
    elif article.source:
        parts.append(f"转自《{esc(article.source)}》")
    return " · ".join(parts)


def _source(article: Article) -> str:
    return f"《{esc(article.title)}》 · {_byline(article)}"


def web_link(article: Article) -> str | None:
    """A link to the article's web page, when it was taken from one."""
    if not article.url:
        return None
    return f'🔗 <a href="{html.escape(article.url, quote=True)}">原文链接</a>'


def _highlighted_snippet(hit: Hit) -> str:
    if hit.answer is None or hit.answer_start is None:
        return esc(hit.snippet)
    start, end = hit.answer_start, hit.answer_start + len(hit.answer)
    return esc(hit.snippet[:start]) + "<b><u>" + esc(hit.snippet[start:end]) + "</u></b>" + esc(hit.snippet[end:])


def _button(text: str, callback: Callback) -> Button:
    return Button(text=text, callback=callback)


def answer_text(answer: Answer, index: int = 0) -> str:
    """The answer message: the short answer in bold, the snippet with the answer
    highlighted, the source line."""
    hit = answer.hits[index]
    lines = []
    if index == 0 and answer.answer:
        lines.append(f"<b>{esc(answer.answer)}</b>")
    elif index > 0:
        lines.append(f"<i>第 {index + 1} 条结果</i>" + (f"：<b>{esc(hit.answer)}</b>" if hit.answer else ""))
    lines.append(_highlighted_snippet(hit))
    lines.append("📰 " + _source(hit.article))
    link = web_link(hit.article)
    if link:
        lines.append(link)
    return "\n".join(lines)


def answer_reply(answer: Answer, query_id: int, index: int = 0) -> Reply:
    """The reply to a question that was answered, with its buttons."""
    hit = answer.hits[index]
    rows = [[_button("📄 全文", OpenArticle(article_id=hit.article.article_id))]]
    navigation = []
    if index > 0:
        navigation.append(_button("◀ 上一条", MoreResults(query_id=query_id, index=index - 1)))
    if index + 1 < len(answer.hits):
        navigation.append(_button("更多结果 ▶", MoreResults(query_id=query_id, index=index + 1)))
    if navigation:
        rows[0].extend(navigation)
    rows.append(
        [_button("👍", Feedback(query_id=query_id, value=1)), _button("👎", Feedback(query_id=query_id, value=-1))]
    )
    return Reply(text=answer_text(answer, index), keyboard=Keyboard.of(rows))


NOT_FOUND = "抱歉，报纸里没有找到能回答这个问题的内容。"
HINTS = {
    "empty": "请直接发送一个问题，例如：{example}",
    "unknown": "报纸里没有提到问题中的内容。可以换个说法，或者问问区县工会的培训、活动、服务。",
    "weak": "报纸里没有足够相关的报道。可以补充地区、单位或活动名称再问。",
    "unsaid": "相关报道里没有写到这一点。",
}


NO_MORE = "报纸里没有更多相关的报道了。"


def followup_note(question: str) -> str:
    """The line above a follow-up's answer: the question it was taken to ask."""
    return f"<i>↪ 接着问：{esc(question)}</i>"


def with_followup_note(reply: Reply, question: str) -> Reply:
    return reply.model_copy(update={"text": followup_note(question) + "\n" + reply.text})


def not_found_reply(answer: Answer) -> Reply:
    """A kind reply when the paper does not say, with related headlines to open."""
    hint = HINTS.get(answer.reason or "", HINTS["weak"]).format(example=EXAMPLES[0])
    lines = [NOT_FOUND, hint]
    rows = []
    if answer.related:
        lines.append("")
        lines.append("相关报道：")
        for i, headline in enumerate(answer.related, start=1):
            lines.append(f"{i}. 《{esc(headline.title)}》")
            rows.append([_button(f"📄 {i}. {_short(headline.title)}", OpenArticle(article_id=headline.article_id))])
    return Reply(text="\n".join(lines), keyboard=Keyboard.of(rows))


def _split_long(text: str, budget: int) -> list[str]:
    """A paragraph longer than the budget, cut at sentence boundaries (or hard, if a
    single sentence is longer)."""
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(text) or []:
        part = sentence.text
        while len(part) > budget:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(part[:budget])
            part = part[budget:]
        if len(current) + len(part) > budget:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    return pieces


def article_pages(article: Article, budget: int = PAGE_BUDGET) -> list[str]:
    """The article as HTML pages, each under Telegram's limit, split between paragraphs."""
    header = []
    if article.pretitle:
        header.append(f"<i>{esc(article.pretitle)}</i>")
    header.append(f"<b>{esc(article.title)}</b>")
    if article.subtitle:
        header.append(f"——{esc(article.subtitle)}")
    meta = _byline(article)
    if article.section:
        meta += f" · {esc(article.section)}"
    header.append(f"<i>{meta}</i>")
    link = web_link(article)
    if link:
        header.append(link)
    blocks: list[str] = []
    for paragraph in article.paragraphs:
        blocks.extend(_split_long(paragraph, budget))
    pages: list[list[str]] = [[]]
    used = 0
    for block in blocks:
        if pages[-1] and used + len(block) > budget:
            pages.append([])
            used = 0
        pages[-1].append(block)
        used += len(block) + 2
    out = []
    for i, page in enumerate(pages):
        text = "\n\n".join(esc(block) for block in page)
        head = "\n".join(header) if i == 0 else f"<b>{esc(article.title)}</b>（续）"
        out.append(f"{head}\n\n{text}")
    return out


def article_reply(article: Article, page: int) -> Reply:
    """One page of an article, with buttons to turn pages."""
    pages = article_pages(article)
    page = max(0, min(page, len(pages) - 1))
    rows = []
    if len(pages) > 1:
        nav = []
        if page > 0:
            nav.append(_button("◀ 上一页", ArticlePage(article_id=article.article_id, page=page - 1)))
        nav.append(_button(f"{page + 1}/{len(pages)}", ArticlePage(article_id=article.article_id, page=page)))
        if page + 1 < len(pages):
            nav.append(_button("下一页 ▶", ArticlePage(article_id=article.article_id, page=page + 1)))
        rows.append(nav)
    return Reply(text=pages[page], keyboard=Keyboard.of(rows))


def start_reply(first_name: str | None) -> Reply:
    greeting = f"你好，{esc(first_name)}！" if first_name else "你好！"
    text = (
        f"{greeting}我是工会报纸问答机器人。\n"
        "直接发给我一个问题，我会从报纸里找出答案，并注明出自哪篇报道、哪一期、哪位记者。\n\n"
        "试试这些问题："
    )
    rows = [[_button(q, Example(index=i))] for i, q in enumerate(EXAMPLES)]
    return Reply(text=text, keyboard=Keyboard.of(rows))


HELP = (
    "<b>怎么用</b>\n"
    "• 私聊：直接发送问题，例如“密云区总工会培训了多少人”。\n"
    "• 群聊：发送 /ask 问题，或 @我 提问，或回复我的消息。\n"
    "• 接着问：私聊几分钟内可以接着上一问追问，例如“那朝阳呢？”“谁写的这篇？”“具体哪天？”；"
    "群聊里回复我的答案即可追问。\n"
    "• 任意聊天：输入 @{bot} 问题，选择一条带出处的答案发送。\n"
    "• 查报道：/find 词 区:密云 记者:王路曼 期:001 日期:2024-07\n"
    "• 看全文：/article 报道编号\n"
    "答案下方可以看全文、看更多结果，也可以点 👍/👎 告诉我们答得好不好。"
)


def help_reply(bot_username: str) -> Reply:
    return Reply(text=HELP.format(bot=esc(bot_username)))


ASK_USAGE = "用法：/ask 问题\n例如：/ask 密云区总工会培训了多少人"
FIND_USAGE = "用法：/find 词 区:密云 记者:王路曼 期:001 日期:2024-07（条件可任选）"
BAD_DATE = "日期请写成 2024-07 或 2024-07-10：{value}"
ARTICLE_USAGE = "用法：/article 报道编号（编号见 /find 的结果）"
NO_ARTICLE = "没有这篇报道：{id}"
FLOODED = "提问太快啦，请稍等一分钟再问。"
NOT_ADMIN = "这个命令只对管理员开放。"
ERROR = "抱歉，处理时出了点问题，请稍后再试。"
FEEDBACK_THANKS = "谢谢反馈！"
FEEDBACK_EXPIRED = "这条反馈已失效。"


def find_reply(articles: Sequence[Article], total: int, query_id: int, page: int, query: str) -> Reply:
    """A page of /find results: title, issue, one line each, with buttons to open them."""
    if not articles:
        return Reply(text=f"没有找到符合“{esc(query)}”的报道。")
    first = page * FIND_PAGE + 1
    lines = [f"找到 {total} 篇报道（第 {first}–{first + len(articles) - 1} 篇）："]
    rows = []
    for i, article in enumerate(articles, start=first):
        who = f" · {esc('、'.join(article.reporters))}" if article.reporters else ""
        label = issue_label(article)
        dated = f" · {esc(label)}" if label else ""
        lines.append(
            f"{i}. 《{esc(article.title)}》 · {esc(article.issue)}{dated}{who} · <code>{article.article_id}</code>"
        )
        rows.append([_button(f"📄 {i}. {_short(article.title)}", OpenArticle(article_id=article.article_id))])
    nav = []
    if page > 0:
        nav.append(_button("◀ 上一页", FindPage(query_id=query_id, page=page - 1)))
    if (page + 1) * FIND_PAGE < total:
        nav.append(_button("下一页 ▶", FindPage(query_id=query_id, page=page + 1)))
    if nav:
        rows.append(nav)
    return Reply(text="\n".join(lines), keyboard=Keyboard.of(rows))


def stats_reply(stats: Stats) -> Reply:
    lines = [
        "<b>统计</b>",
        f"用户：{stats.users}",
        f"今日提问：{stats.questions_today}",
        f"近 7 天提问：{stats.questions_week}",
        f"反馈：👍 {stats.thumbs_up} · 👎 {stats.thumbs_down}",
        f"订阅摘要的聊天：{stats.subscriptions}",
    ]
    if stats.unanswered:
        lines.append("")
        lines.append("<b>近 7 天未答出的问题</b>")
        for text, count in stats.unanswered:
            lines.append(f"{count}× {esc(_short(text, 60))}")
    return Reply(text="\n".join(lines))


def inline_title(answer: Answer, hit: Hit, index: int) -> str:
    if index == 0 and answer.answer:
        return _short(f"{answer.answer} ——《{hit.article.title}》", 60)
    return _short(f"《{hit.article.title}》", 60)


SUBSCRIBED = "已订阅：每出一期新报纸，我会在这里发一份要闻摘要。/unsubscribe 可以退订。"
ALREADY_SUBSCRIBED = "这里已经订阅了新一期摘要。/unsubscribe 可以退订。"
UNSUBSCRIBED = "已退订，不再发送新一期摘要。/subscribe 可以重新订阅。"
NOT_SUBSCRIBED = "这里没有订阅新一期摘要。/subscribe 可以订阅。"
ADMINS_ONLY = "只有群管理员可以更改本群的订阅。"
HELLO_GROUP = "大家好！我是工会报纸问答机器人。群管理员发送 /subscribe，每出一期新报纸我会在群里发一份要闻摘要；提问请用 /ask 问题 或 @我。"


def status_reply(subscribed: bool, issues: int) -> Reply:
    """/status: whether this chat gets digests, with a button to change it."""
    state = "已订阅新一期摘要。" if subscribed else "未订阅新一期摘要。"
    text = f"{state}\n报纸库里现有 {issues} 期。"
    button = _button("退订" if subscribed else "订阅", Subscription(on=not subscribed))
    return Reply(text=text, keyboard=Keyboard.of([[button]]))
