"""Answers and articles as console text and as the JSON of `ask --json` (pure functions)."""

from __future__ import annotations

from bot.dates import issue_label
from retrieval import Answer, Article, Hit

BOLD, DIM, RESET, MARK = "\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[1;33m"

NOT_FOUND = "报纸里没有找到能回答这个问题的内容。"
NO_MORE = "报纸里没有更多相关的报道了。"
EMPTY = "请输入一个问题，例如：密云区总工会培训了多少人？"


def answer_json(answer: Answer) -> dict[str, object]:
    """The `ask --json` object."""
    return {
        "question": answer.question,
        "found": answer.found,
        "answer": answer.answer if answer.found else None,
        "confidence": answer.confidence if answer.found and answer.answer else 0.0,
        "kind": answer.kind.value,
        "results": [hit_json(h) for h in answer.hits] if answer.found else [],
    }


def hit_json(hit: Hit) -> dict[str, object]:
    return {
        "issue": hit.article.issue,
        "article": hit.article.title,
        "article_id": hit.article.article_id,
        "snippet": hit.snippet,
        "reporters": list(hit.article.reporters),
        "score": hit.score,
    }


def error_json(message: str) -> dict[str, object]:
    """The `ask --json` object for a question that could not be read."""
    return {"question": None, "found": False, "error": message}


def source_line(article: Article) -> str:
    """《title》 · issue · its date and page · reporters"""
    parts = [f"《{article.title}》", article.issue]
    label = issue_label(article)
    if label:
        parts.append(label)
    if article.reporters:
        parts.append("记者 " + "、".join(article.reporters))
    elif article.source:
        parts.append(f"转自《{article.source}》")
    return " · ".join(parts)


def highlighted(hit: Hit, color: bool) -> str:
    """The snippet with the short answer marked (bold yellow on a terminal, 【】 otherwise)."""
    if hit.answer is None or hit.answer_start is None:
        return hit.snippet
    start, end = hit.answer_start, hit.answer_start + len(hit.answer)
    before, inside, after = hit.snippet[:start], hit.snippet[start:end], hit.snippet[end:]
    return f"{before}{MARK}{inside}{RESET}{after}" if color else f"{before}【{inside}】{after}"


def render_hit(hit: Hit, number: int | None, color: bool) -> str:
    label = f"[{number}] " if number is not None else ""
    source = source_line(hit.article)
    if hit.article.url:
        source += f"\n    {hit.article.url}"
    if color:
        source = f"{DIM}{source}{RESET}"
    return f"{label}{highlighted(hit, color)}\n    {source}"


def render_answer(answer: Answer, color: bool = False, shown: int = 1) -> str:
    """An answer for people: the short answer, the cited sentence, the source."""
    if not answer.found:
        text = EMPTY if answer.reason == "empty" else NOT_FOUND
        if answer.related:
            text += "\n相关报道：" + "；".join(f"《{h.title}》" for h in answer.related)
        return text
    lines = []
    if answer.answer:
        lines.append(f"{BOLD}{answer.answer}{RESET}" if color else f"答：{answer.answer}")
    for i, hit in enumerate(answer.hits[:shown], start=1):
        lines.append(render_hit(hit, i if shown > 1 else None, color))
    return "\n".join(lines)


def render_article(article: Article) -> str:
    """The whole article, headings first."""
    lines = []
    if article.pretitle:
        lines.append(article.pretitle)
    lines.append(f"《{article.title}》")
    if article.subtitle:
        lines.append(f"——{article.subtitle}")
    meta = [article.issue]
    label = issue_label(article)
    if label:
        meta.append(label)
    if article.reporters:
        meta.append("记者 " + "、".join(article.reporters))
    if article.source:
        meta.append(f"转自《{article.source}》")
    if article.section:
        meta.append(article.section)
    lines.append(" · ".join(meta))
    if article.url:
        lines.append(article.url)
    lines.append("")
    lines.extend(article.paragraphs)
    return "\n".join(lines)
