"""The answers to callback queries and inline queries."""

from __future__ import annotations

from ._content import ContentChecks
from ._http import Connection
from ._models import MAX_INLINE_RESULTS, BotApiError
from ._params import Params

_INLINE_RESULT_TYPES = frozenset(
    {
        "article",
        "photo",
        "gif",
        "mpeg4_gif",
        "video",
        "audio",
        "voice",
        "document",
        "location",
        "venue",
        "contact",
        "game",
        "sticker",
    }
)


class QueryMethods(ContentChecks):
    """answerCallbackQuery and answerInlineQuery, each once per open query."""

    def _m_answer_callback_query(self, params: Params, connection: Connection) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        if query_id not in self._callback_queries or query_id in self._callback_answers:
            raise BotApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get_str("text") or ""
        if len(text) > 200:
            raise BotApiError.bad_request("MESSAGE_TOO_LONG")
        self._callback_answers[query_id] = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time") or 0,
        }
        return True

    def _m_answer_inline_query(self, params: Params, connection: Connection) -> bool:
        query_id = params.get_str("inline_query_id") or ""
        if query_id not in self._inline_queries or query_id in self._inline_answers:
            raise BotApiError.bad_request("query is too old and response timeout expired or query ID is invalid")
        results = params.get_json("results")
        if not isinstance(results, list):
            raise BotApiError.bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise BotApiError.bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            if not isinstance(result, dict):
                raise BotApiError.bad_request("can't parse InlineQueryResult JSON object")
            result_id = result.get("id")
            if not isinstance(result_id, str) or not 1 <= len(result_id.encode("utf-8")) <= 64:
                raise BotApiError.bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise BotApiError.bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            kind = result.get("type")
            if kind not in _INLINE_RESULT_TYPES:
                raise BotApiError.bad_request(
                    f'can\'t parse InlineQueryResult JSON object: unsupported result type "{kind}"'
                )
            content = result.get("input_message_content")
            if kind == "article":
                if not isinstance(result.get("title"), str) or not result["title"].strip():
                    raise BotApiError.bad_request("RESULT_TITLE_EMPTY")
                if not isinstance(content, dict):
                    raise BotApiError.bad_request(
                        'can\'t parse InlineQueryResultArticle: field "input_message_content" must be an Object'
                    )
            if isinstance(content, dict) and "message_text" in content:
                self._prepare_text(
                    content.get("message_text"),
                    content.get("parse_mode"),
                    content.get("entities"),
                    empty="MESSAGE_EMPTY",
                    too_long="MESSAGE_TOO_LONG",
                )
            if "reply_markup" in result:
                self._check_markup(result["reply_markup"])
        next_offset = params.get_str("next_offset") or ""
        if len(next_offset.encode("utf-8")) > 64:
            raise BotApiError.bad_request("NEXT_OFFSET_INVALID")
        self._inline_answers[query_id] = {
            "results": results,
            "cache_time": params.get_int("cache_time"),
            "is_personal": params.get_bool("is_personal"),
            "next_offset": next_offset,
            "button": params.get_json("button"),
        }
        return True
