"""The digest of a new issue, as subscribers get it: its name and size, each news
headline with its lead sentence, photo news apart, and a button to open each article;
split between articles under Telegram's 4,096-character limit."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from bot.callbacks import OpenArticle
from bot.dates import issue_label
from bot.keyboards import Button, Keyboard
from bot.richtext import esc, short
from retrieval import LEAD_RE, Article, ArticleKind, split_sentences

DIGEST_BUDGET = 3800  # characters of HTML a part (Telegram's limit is 4,096)
MAX_BUTTONS = 40  # article buttons a part
LEAD_LIMIT = 200


class DigestPart(BaseModel):
    """One message of a digest: HTML text and the buttons under it."""

    model_config = ConfigDict(frozen=True)

    text: str
    keyboard: Keyboard | None = None


def lead_sentence(article: Article) -> str:
    """The article's first sentence, without the dispatch lead (本报讯（记者 …）)."""
    if not article.paragraphs:
        return ""
    first = LEAD_RE.sub("", article.paragraphs[0], count=1).strip()
    sentences = split_sentences(first)
    return sentences[0].text.strip() if sentences else first


def digest_parts(issue_id: str, articles: Sequence[Article]) -> list[DigestPart]:
    """The digest of issue `issue_id` holding `articles`, as one or more messages."""
    news = [a for a in articles if a.kind is ArticleKind.NEWS]
    photos = [a for a in articles if a.kind is not ArticleKind.NEWS]
    label = issue_label(articles[0]) if articles else None
    dated = f" · {esc(label)}" if label else ""
    header = f"📰 <b>新一期：{esc(issue_id)}</b>{dated} · {len(articles)} 篇报道"
    blocks: list[tuple[str, Article | None]] = []
    for i, item in enumerate(news, start=1):
        lead = short(lead_sentence(item), LEAD_LIMIT)
        blocks.append((f"{i}. <b>{esc(item.title)}</b>\n{esc(lead)}", item))
    if photos:
        lines = "\n".join(f"• {esc(p.title)}" for p in photos)
        blocks.append((f"📷 <b>图片新闻</b>\n{lines}", None))
    parts: list[tuple[list[str], list[Article]]] = [([header], [])]
    used = len(header)
    for text, shown in blocks:
        if used + len(text) + 2 > DIGEST_BUDGET or len(parts[-1][1]) >= MAX_BUTTONS:
            parts.append(([f"📰 <b>{esc(issue_id)}</b>（续）"], []))
            used = 0
        parts[-1][0].append(text)
        if shown is not None:
            parts[-1][1].append(shown)
        used += len(text) + 2
    if photos:
        parts[-1][1].extend(photos)
    return [
        DigestPart(
            text="\n\n".join(texts),
            keyboard=Keyboard.of(
                [Button(text=f"📄 {short(a.title, 30)}", callback=OpenArticle(article_id=a.article_id))]
                for a in listed
            ),
        )
        for texts, listed in parts
    ]
