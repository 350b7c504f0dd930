"""Telegram's HTML parse mode, the entities it adds by itself and UTF-16 lengths."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._models import JSON


class EntityParseError(ValueError):
    """Raised by :func:`parse_html` with Telegram's wording (without "can't parse entities")."""


def utf16_len(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_positions(text: str) -> list[int]:
    """``positions[k]`` is the UTF-16 offset of character ``k``; one extra entry for the end."""
    positions = [0]
    for ch in text:
        positions.append(positions[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return positions


_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_TAG_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED_CHARACTER_REFERENCES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPACES = " \t\n\r\f\v"
_TRIMMED = " \t\n\r\f\v"


@dataclass
class _OpenTag:
    name: str
    argument: str
    start: int  # UTF-16 offset in the plain text
    start_char: int  # index in the plain text
    expandable: bool


def _decode_character_reference(text: str, pos: int, *, strict: bool) -> tuple[str, int] | None:
    """Decode the reference at ``text[pos] == "&"``: the character and the position after it.

    Telegram knows ``&lt; &gt; &amp; &quot;`` and numeric references; it tolerates a missing
    ``;``.  ``strict`` requires the ``;`` as the Bot API documentation does.
    """
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        base = 10
        if end < n and text[end] in "xX":
            end += 1
            base = 16
        digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        first_digit = end
        value = 0
        while end < n and text[end] in digits:
            value = value * base + int(text[end], base)
            if value >= 0x10FFFF:
                return None
            end += 1
        if end == first_digit or value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if name not in _NAMED_CHARACTER_REFERENCES:
            return None
        char = _NAMED_CHARACTER_REFERENCES[name]
    if end < n and text[end] == ";":
        end += 1
    elif strict:
        return None
    return char, end


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[JSON]]:
    """Parse Telegram's HTML parse mode: the plain text and its entities (UTF-16 offsets).

    Follows Telegram's parser: the supported tags and attributes, its error messages with byte
    offsets into the UTF-8 text, and entities sorted by offset.  Telegram itself lets a bare
    ``&`` or ``>`` through; with ``strict`` (the default) they are errors, as the Bot API
    documentation asks for them to be escaped, so that the bot's escaping is tested.

    Raises:
        EntityParseError: with the text that follows "can't parse entities: " in Telegram's
            description.
    """
    out: list[str] = []
    length = 0
    stack: list[_OpenTag] = []
    entities: list[JSON] = []
    n = len(text)

    def byte_offset(pos: int) -> int:
        return len(text[:pos].encode("utf-8"))

    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            decoded = _decode_character_reference(text, i, strict=strict)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                length += utf16_len(char)
                continue
            if strict:
                raise EntityParseError(f'Unescaped "&" at byte offset {byte_offset(i)}')
        if c == ">" and strict:
            raise EntityParseError(f'Unescaped ">" at byte offset {byte_offset(i)}')
        if c != "<":
            out.append(c)
            length += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or text[i] != "/":
            j = i
            while j < n and text[j] not in _HTML_SPACES and text[j] != ">":
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = text[i:j].lower()
            if tag not in _ALLOWED_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
            argument = ""
            expandable = False
            while j < n and text[j] != ">":
                while j < n and text[j] in _HTML_SPACES:
                    j += 1
                if j >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[j] == ">":
                    break
                attribute_begin = j
                while j < n and text[j] not in _HTML_SPACES and text[j] not in "=>":
                    j += 1
                attribute = text[attribute_begin:j].lower()
                if not attribute:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                while j < n and text[j] in _HTML_SPACES:
                    j += 1
                if j >= n or text[j] != "=":
                    if tag == "blockquote" and attribute == "expandable":
                        expandable = True
                        continue
                    if j >= n:
                        raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                j += 1
                while j < n and text[j] in _HTML_SPACES:
                    j += 1
                if j >= n:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
                if text[j] not in "'\"":
                    token_begin = j
                    while j < n and ((text[j].isascii() and text[j].isalnum()) or text[j] in ".-"):
                        j += 1
                    value = text[token_begin:j].lower()
                    if j < n and text[j] not in _HTML_SPACES and text[j] != ">":
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {byte_offset(token_begin)}"
                        )
                else:
                    quote = text[j]
                    j += 1
                    chars: list[str] = []
                    while j < n and text[j] != quote:
                        if text[j] == "&":
                            decoded = _decode_character_reference(text, j, strict=False)
                            if decoded is not None:
                                chars.append(decoded[0])
                                j = decoded[1]
                                continue
                        chars.append(text[j])
                        j += 1
                    if j >= n:
                        raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                    j += 1
                    value = "".join(chars)
                if j >= n:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and attribute == "href":
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attribute == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
            stack.append(_OpenTag(tag, argument, length, len(out), expandable))
            i = j + 1
        else:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            j = i + 1
            while j < n and text[j] not in _HTML_SPACES and text[j] != ">":
                j += 1
            end_name = text[i + 1 : j].lower()
            while j < n and text[j] in _HTML_SPACES:
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            top = stack.pop()
            if end_name and end_name != top.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{top.name}>", '
                    f'found "</{end_name}>"'
                )
            _close_tag(top, length, "".join(out[top.start_char :]), entities)
            i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out), sorted_entities(entities)


def _close_tag(tag: _OpenTag, end: int, inner_text: str, entities: list[JSON]) -> None:
    size = end - tag.start
    if size <= 0:
        return
    entity: JSON = {"offset": tag.start, "length": size}
    if tag.name == "a":
        url = tag.argument or inner_text
        user_id = re.fullmatch(r"tg://user\?id=(\d+)", url)
        if user_id:
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(user_id.group(1)), "is_bot": False, "first_name": inner_text}
        else:
            entity["type"] = "text_link"
            entity["url"] = url
    elif tag.name == "tg-emoji":
        if not tag.argument:
            return
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.argument
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.expandable else "blockquote"
    elif tag.name == "code":
        entity["type"] = "code"
        if tag.argument:
            entity["_language"] = tag.argument
    elif tag.name == "pre":
        entity["type"] = "pre"
        for k in range(len(entities) - 1, -1, -1):
            inner = entities[k]
            if inner["type"] == "code" and inner["offset"] == tag.start and inner["length"] == size:
                if inner.get("_language"):
                    entity["language"] = inner["_language"]
                del entities[k]
                break
    else:
        entity["type"] = _TAG_ENTITY_TYPES[tag.name]
    entities.append(entity)


def sorted_entities(entities: Iterable[JSON]) -> list[JSON]:
    cleaned = [{k: v for k, v in e.items() if not k.startswith("_")} for e in entities]
    return sorted(cleaned, key=lambda e: (e["offset"], -e["length"]))


def entity_text(text: str, entity: Mapping[str, Any]) -> str:
    """The part of ``text`` an entity covers (its offsets count UTF-16 code units)."""
    units = text.encode("utf-16-le")
    start = 2 * int(entity["offset"])
    return units[start : start + 2 * int(entity["length"])].decode("utf-16-le", errors="replace")


def trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Strip leading and trailing whitespace the way Telegram does, moving the entities along."""
    left = text.lstrip(_TRIMMED)
    lead = utf16_len(text[: len(text) - len(left)])
    plain = left.rstrip(_TRIMMED)
    total = utf16_len(plain)
    kept: list[JSON] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        stop = min(entity["offset"] + entity["length"] - lead, total)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return plain, kept


_URL_RE = re.compile(r"(?i)(?<![\w/@.])https?://[^\s<>\"'，。！？、；：“”‘’（）【】《》]+")
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{3,32}(?![\w@])")
_HASHTAG_RE = re.compile(r"(?<![\w#])#\w{1,256}")
_OPAQUE_ENTITY_TYPES = frozenset({"code", "pre", "text_link", "text_mention", "url", "custom_emoji", "email"})


def detect_entities(text: str, explicit: Iterable[JSON] = ()) -> list[JSON]:
    """The entities Telegram adds by itself: URLs, bot commands, @mentions and hashtags.

    Nothing is detected inside code, pre or links among ``explicit``; the result holds the
    explicit entities and the detected ones, sorted.
    """
    positions = _utf16_positions(text)
    explicit_list = list(explicit)
    taken = [
        (e["offset"], e["offset"] + e["length"]) for e in explicit_list if e.get("type") in _OPAQUE_ENTITY_TYPES
    ]
    found: list[JSON] = []
    patterns = (("url", _URL_RE), ("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("hashtag", _HASHTAG_RE))
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            start_char, end_char = match.span()
            if kind == "url":
                while end_char > start_char and text[end_char - 1] in ".,;:!?)]}'\"":
                    end_char -= 1
            if kind == "hashtag" and text[start_char + 1 : end_char].isdigit():
                continue
            start, end = positions[start_char], positions[end_char]
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            found.append({"offset": start, "length": end - start, "type": kind})
    return sorted_entities([*explicit_list, *found])
