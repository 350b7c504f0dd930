"""What the bot does, apart from Telegram: questions in, replies (HTML and buttons) out.

Everything here is synchronous, returns our own models (never python-telegram-bot's) and
is testable without a bot. A question is answered in steps, so that a running bot can put
each where it belongs (see `responder`): `begin_ask` reads the database, `converse`
answers and `finish_ask` renders the reply (no database). Nothing a reply shows waits for a
write: what it leaves to write (the asker seen, the flood guard's count, the question and
the results it cited, the chat's last turn) goes to the `Recorder`, which a running bot
writes after the reply, and which this process reads meanwhile.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from bot.dates import date_filter
from bot.dialogue import Exchange, converse
from bot.digests.outbox import Outbox
from bot.library import Library
from bot.question import clean_question
from bot.richtext import esc
from bot.storage.activity import Activity, NewQuery, QueryKind, StoredQuery
from bot.storage.conversations import Conversations, StoredTurn
from bot.storage.store import Store
from retrieval import Answer, FollowupKind, Hit, Turn

from . import render
from .flood import Admission, FloodGuard
from .locale import convert, localise, script_for
from .records import AnswerTurn, ChatTurn, NewFeedback, Recorder, Records, Seen
from .render import Reply

log = logging.getLogger(__name__)

INLINE_RESULTS = 3
_FIND_FILTER = re.compile(r"^(区|地区|district|记者|reporter|期|issue|日期|date)[:：](.+)$", re.IGNORECASE)


class Asker(BaseModel):
    """Who asks, where, and in which script they read."""

    model_config = ConfigDict(frozen=True)

    user_id: int | None = None
    chat_id: int | None = None
    chat_type: str | None = None  # "private", "group", "supergroup", "channel"
    language: str | None = None
    first_name: str | None = None

    @property
    def in_private(self) -> bool:
        return self.chat_type == "private"


class InlineResult(BaseModel):
    """One cited answer offered in inline mode: what the list shows, and the HTML message
    posted when it is chosen."""

    model_config = ConfigDict(frozen=True)

    result_id: str
    title: str
    description: str
    message: str


class Asking(BaseModel):
    """A question about to be answered: what `begin_ask` read for `converse` and `finish_ask`."""

    model_config = ConfigDict(frozen=True)

    question: str
    asker: Asker
    kind: QueryKind
    previous: Turn | None
    max_age: timedelta | None
    now: datetime


class Recalled(BaseModel):
    """An earlier question as `recall` read it: the query, and its answer as recorded (None
    when its results were not recorded)."""

    model_config = ConfigDict(frozen=True)

    query: StoredQuery
    answer: Answer | None = None


class BotService:
    """Answers, articles, searches, feedback and figures for the Telegram front."""

    def __init__(
        self,
        library: Library,
        store: Store,
        activity: Activity,
        conversations: Conversations,
        outbox: Outbox,
        flood: FloodGuard,
        recorder: Recorder,
        admin_ids: list[int],
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.library = library
        self.store = store
        self.activity = activity
        self.conversations = conversations
        self.outbox = outbox
        self.flood = flood
        self.recorder = recorder
        self.admin_ids = set(admin_ids)
        self.followup_window = conversations.window
        self.clock = clock or (lambda: datetime.now(UTC))
        self._admitting = threading.Lock()  # a decision and its record, one user after another

    # -- questions --------------------------------------------------------------------

    def ask(
        self, text: str, asker: Asker, kind: QueryKind = QueryKind.ASK, reply_to: int | None = None
    ) -> Reply | None:
        """The reply to a question; None when the asker is flooding and was already told.

        In a private chat the message may lean on the chat's last question (within the
        follow-up window); in a group, on the answer `reply_to` (the bot's message it
        replies to). The reply carries the turn it answers, for `remember`."""
        asking = self.begin_ask(text, asker, kind, reply_to)
        if not isinstance(asking, Asking):
            return asking
        return self.respond(asking)

    def begin_ask(
        self, text: str, asker: Asker, kind: QueryKind = QueryKind.ASK, reply_to: int | None = None
    ) -> Asking | Reply | None:
        """The database step before answering (reads only): the flood guard's decision (the
        asker seen and the decision recorded), the turn the message may lean on. A reply
        (or None) when there is nothing to answer."""
        question = clean_question(text)
        script = script_for(asker.language, question)
        if asker.user_id is not None:
            seen = Seen(user_id=asker.user_id, language=asker.language, at=datetime.now(UTC))
            admission = self._admit(asker.user_id, warn=True, seen=seen)
            if admission is not Admission.ALLOWED:
                return Reply(text=render.FLOODED) if admission is Admission.WARNED else None
        if not question:
            return localise(render.not_found_reply(Answer(question="", found=False, reason="empty")), script)
        previous, max_age = self._context(asker, reply_to)
        return Asking(question=question, asker=asker, kind=kind, previous=previous, max_age=max_age, now=self.clock())

    def _admit(self, user_id: int, warn: bool, seen: Seen | None = None) -> Admission:
        """The flood guard's decision on a question of the user's, recorded (with `seen`)."""
        with self._admitting:
            count = self.flood.decide(user_id, self.recorder.flood_counts(user_id), warn)
            self.recorder.add(Records(seen=seen, flood=count))
        return count.admission

    def respond(self, asking: Asking) -> Reply:
        """`converse` and `finish_ask`: no database."""
        return self.finish_ask(asking, self.converse(asking))

    def converse(self, asking: Asking) -> Exchange:
        """The answering step (segmentation, search, extraction): no database."""
        return converse(self.library, asking.question, asking.previous, asking.now, asking.max_age)

    def finish_ask(self, asking: Asking, exchange: Exchange) -> Reply:
        """The reply rendered, no database: the question is recorded (the id its buttons
        carry is made here) and a private chat's last turn kept, both for the recorder."""
        question, asker, kind = asking.question, asking.asker, asking.kind
        script = script_for(asker.language, question)
        query: NewQuery | None = None
        if exchange.article is not None:
            reply = render.article_reply(exchange.article, 0)
        else:
            answer = exchange.answer or Answer(question=question, found=False, reason="weak")
            asked = exchange.rewritten or question
            query = NewQuery.of(
                kind, asked, asker.user_id, asker.chat_id, answer.found, answer.answer, answer.hits if answer.found else ()
            )
            if answer.found:
                reply = render.answer_reply(answer, query.query_id)
            elif exchange.resolution.kind is FollowupKind.MORE:
                reply = Reply(text=render.NO_MORE)
            else:
                reply = render.not_found_reply(answer)
            if exchange.rewritten is not None:
                reply = render.with_followup_note(reply, exchange.rewritten)
        reply = reply.model_copy(update={"turn": exchange.turn})
        last = None
        if asker.in_private and asker.chat_id is not None:
            last = ChatTurn(chat_id=asker.chat_id, turn=_stored(exchange.turn))
        self.recorder.add(Records(query=query, chat_turn=last))
        return localise(reply, script)

    def remember(self, chat_id: int, message_id: int, reply: Reply) -> None:
        """A reply was sent in a group as `message_id`: a reply to it is a follow-up."""
        if reply.turn is not None:
            turn = AnswerTurn(chat_id=chat_id, message_id=message_id, turn=_stored(reply.turn))
            self.recorder.add(Records(answer_turn=turn))

    def _context(self, asker: Asker, reply_to: int | None) -> tuple[Turn | None, timedelta | None]:
        """The previous turn a message may lean on (this process's unwritten one first),
        and how old it may be."""
        if asker.chat_id is None:
            return None, None
        if asker.in_private:
            return self._turn(self._last(asker.chat_id)), self.followup_window
        if reply_to is not None:
            answered = self.recorder.answer_turn(asker.chat_id, reply_to)
            if answered is None:
                answered = self.conversations.answered(asker.chat_id, reply_to)
            return self._turn(answered), None
        return None, None

    def _last(self, chat_id: int) -> StoredTurn | None:
        """The chat's last turn: the newer of this process's unwritten one and the stored one."""
        turns = [t for t in (self.conversations.last(chat_id), self.recorder.chat_turn(chat_id)) if t is not None]
        return max(turns, key=lambda t: t.asked_at) if turns else None

    def _turn(self, stored: StoredTurn | None) -> Turn | None:
        if stored is None:
            return None
        article = self.store.article(stored.article_id) if stored.article_id else None
        return Turn(
            question=stored.question, article=article, answer=stored.answer, kind=stored.kind, asked_at=stored.asked_at
        )

    def more(self, query_id: int, index: int, asker: Asker) -> Reply | None:
        """Result number `index` of an earlier question (for editing its message in place)."""
        recalled = self.recall(query_id)
        return None if recalled is None else self.more_of(recalled, index, asker)

    def stored_query(self, query_id: int) -> StoredQuery | None:
        """A recorded question, written or not yet (this process's)."""
        unwritten = self.recorder.query(query_id)
        return unwritten if unwritten is not None else self.activity.query(query_id)

    def recall(self, query_id: int) -> Recalled | None:
        """The database step of `more`: the question, and the answer it got as recorded
        (the cited results and their articles), whichever process answered it."""
        stored = self.stored_query(query_id)
        if stored is None:
            return None
        articles = self.store.articles_by_id([r.article_id for r in stored.results])
        if not stored.results or any(r.article_id not in articles for r in stored.results):
            return Recalled(query=stored)  # not recorded, or an issue since replaced: answer again
        hits = tuple(
            Hit(article=articles[r.article_id], paragraph=r.paragraph, snippet=r.snippet, answer=r.answer,
                answer_start=r.answer_start, score=r.score)
            for r in stored.results
        )
        return Recalled(query=stored, answer=Answer(question=stored.text, found=True, answer=stored.answer, hits=hits))

    def more_of(self, recalled: Recalled, index: int, asker: Asker) -> Reply | None:
        """`more` once the question is recalled: no database (answering again only when its
        results were not recorded)."""
        stored = recalled.query
        answer = recalled.answer if recalled.answer is not None else self.library.answer(stored.text)
        if not answer.found or not 0 <= index < len(answer.hits):
            return None
        return localise(render.answer_reply(answer, stored.query_id, index), script_for(asker.language, stored.text))

    def inline(self, text: str, asker: Asker) -> list[InlineResult]:
        """Cited answers to offer in inline mode."""
        question = self.inline_question(text, asker)
        return [] if question is None else self.inline_answers(question, asker)

    def inline_question(self, text: str, asker: Asker) -> str | None:
        """The database step of `inline` (reads only): the question to answer; None when
        empty or the asker is flooding."""
        question = clean_question(text)
        if not question:
            return None
        if asker.user_id is not None and self._admit(asker.user_id, warn=False) is not Admission.ALLOWED:
            return None
        return question

    def inline_answers(self, question: str, asker: Asker) -> list[InlineResult]:
        """The answering step of `inline`, no database: the question answered and recorded."""
        return self.inline_results(question, self.library.answer(question), asker)

    def inline_results(self, question: str, answer: Answer, asker: Asker) -> list[InlineResult]:
        """The results made from an answer; the query recorded."""
        script = script_for(asker.language, question)
        query = NewQuery.of(QueryKind.INLINE, question, asker.user_id, asker.chat_id, answer.found, answer.answer)
        self.recorder.add(Records(query=query))
        results = []
        for i, hit in enumerate(answer.hits[:INLINE_RESULTS] if answer.found else ()):
            results.append(
                InlineResult(
                    result_id=f"{query.query_id}:{i}",
                    title=convert(render.inline_title(answer, hit, i), script),
                    description=convert(hit.snippet[:100], script),
                    message=convert(render.answer_text(answer, i), script),
                )
            )
        return results

    # -- articles and searches --------------------------------------------------------

    def article(self, article_id: str, page: int, asker: Asker) -> Reply:
        article = self.store.article(article_id.strip())
        if article is None:
            return Reply(text=render.NO_ARTICLE.format(id=esc(article_id[:64] or "（空）")))
        return localise(render.article_reply(article, page), script_for(asker.language))

    def find(self, text: str, asker: Asker) -> Reply:
        """/find: the first page (reads only; the query recorded for its page buttons)."""
        query = clean_question(text)
        if not query:
            return Reply(text=render.FIND_USAGE)
        recorded = NewQuery.of(QueryKind.FIND, query, asker.user_id, asker.chat_id, True)
        self.recorder.add(Records(query=recorded))
        return self._found(recorded.stored(), 0, asker)

    def find_page(self, query_id: int, page: int, asker: Asker) -> Reply | None:
        """Another page of a /find; None when the query is not known (not written yet, or never)."""
        stored = self.stored_query(query_id)
        if stored is None or stored.kind is not QueryKind.FIND:
            return None
        return self._found(stored, page, asker)

    def _found(self, stored: StoredQuery, page: int, asker: Asker) -> Reply:
        query_id = stored.query_id
        words: list[str] = []
        filters: dict[str, str] = {}
        to_simplified = self.library.segmenter.to_simplified
        for part in map(to_simplified, stored.text.split()):
            match = _FIND_FILTER.match(part)
            if match:
                name = match.group(1).lower()
                key = {"地区": "区", "district": "区", "reporter": "记者", "issue": "期", "date": "日期"}.get(name, name)
                filters[key] = match.group(2)
            else:
                words.append(part)
        published = date_filter(filters["日期"]) if "日期" in filters else None
        if "日期" in filters and published is None:
            return Reply(text=render.BAD_DATE.format(value=esc(filters["日期"][:32])))
        articles, total = self.store.find_articles(
            words,
            district=filters.get("区"),
            reporter=filters.get("记者"),
            issue=filters.get("期"),
            published=published,
            limit=render.FIND_PAGE,
            offset=max(page, 0) * render.FIND_PAGE,
        )
        reply = render.find_reply(articles, total, query_id, max(page, 0), stored.text)
        return localise(reply, script_for(asker.language, stored.text))

    # -- feedback and figures ---------------------------------------------------------

    def feedback(self, query_id: int, value: int, asker: Asker) -> str:
        return self.give_feedback(query_id, value, asker) or render.FEEDBACK_EXPIRED

    def give_feedback(self, query_id: int, value: int, asker: Asker) -> str | None:
        """Reads only: the thanks, with the feedback recorded; None when the question is not
        known (not written yet, or never)."""
        if asker.user_id is None or self.stored_query(query_id) is None:
            return None
        at = datetime.now(UTC)
        self.recorder.add(Records(feedback=NewFeedback(query_id=query_id, user_id=asker.user_id, value=value, at=at)))
        return render.FEEDBACK_THANKS

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    def stats(self, asker: Asker) -> Reply:
        if not self.is_admin(asker.user_id):
            return Reply(text=render.NOT_ADMIN)
        stats = self.activity.stats().model_copy(update={"subscriptions": self.outbox.active_count()})
        return render.stats_reply(stats)

    def start(self, asker: Asker) -> Reply:
        if asker.user_id is not None:
            self.recorder.add(Records(seen=Seen(user_id=asker.user_id, language=asker.language, at=datetime.now(UTC))))
        return localise(render.start_reply(asker.first_name), script_for(asker.language))

    def help(self, bot_username: str, asker: Asker) -> Reply:
        return localise(render.help_reply(bot_username), script_for(asker.language))

    # -- subscriptions ----------------------------------------------------------------

    def subscribe(self, chat_id: int, chat_type: str, title: str | None, asker: Asker) -> Reply:
        started = self.outbox.subscribe(chat_id, chat_type, title)
        return localise(Reply(text=render.SUBSCRIBED if started else render.ALREADY_SUBSCRIBED), script_for(asker.language))

    def unsubscribe(self, chat_id: int, asker: Asker) -> Reply:
        ended = self.outbox.unsubscribe(chat_id)
        return localise(Reply(text=render.UNSUBSCRIBED if ended else render.NOT_SUBSCRIBED), script_for(asker.language))

    def status(self, chat_id: int, asker: Asker) -> Reply:
        current = self.outbox.subscription(chat_id)
        reply = render.status_reply(current is not None and current.active, self.store.issue_count())
        return localise(reply, script_for(asker.language))

    def left(self, chat_id: int) -> None:
        """The bot was removed from a chat: its subscription ends."""
        self.outbox.unsubscribe(chat_id, reason="bot removed from the chat")

    def migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        self.outbox.migrate(old_chat_id, new_chat_id)

    def example(self, index: int, asker: Asker) -> Reply | None:
        question = self.example_question(index)
        return None if question is None else self.ask(question, asker)

    def example_question(self, index: int) -> str | None:
        return render.EXAMPLES[index] if 0 <= index < len(render.EXAMPLES) else None


def _stored(turn: Turn) -> StoredTurn:
    return StoredTurn(
        question=turn.question,
        article_id=turn.article.article_id if turn.article is not None else None,
        answer=turn.answer,
        kind=turn.kind,
        asked_at=turn.asked_at,
    )
