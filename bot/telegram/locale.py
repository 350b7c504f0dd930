"""Replies in traditional characters for readers who use them."""

from __future__ import annotations

from functools import lru_cache

import opencc

from .render import Reply

_TRADITIONAL_LANGUAGES = {"zh-hant": "s2t", "zh-tw": "s2tw", "zh-hk": "s2hk", "zh-mo": "s2hk"}


@lru_cache(maxsize=8)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def script_for(language_code: str | None, text: str = "") -> str | None:
    """The OpenCC conversion a reader wants (None: simplified), from the client's language
    or from the characters of what they wrote."""
    code = (language_code or "").lower().replace("_", "-")
    for prefix, config in _TRADITIONAL_LANGUAGES.items():
        if code.startswith(prefix):
            return config
    if text and _converter("t2s").convert(text) != text:
        return "s2t"
    return None


def convert(text: str, config: str | None) -> str:
    return text if config is None else str(_converter(config).convert(text))


def localise(reply: Reply, config: str | None) -> Reply:
    """The reply with its text and button labels in the reader's script."""
    if config is None:
        return reply
    keyboard = reply.keyboard.relabelled(lambda label: convert(label, config)) if reply.keyboard else None
    return reply.model_copy(update={"text": convert(reply.text, config), "keyboard": keyboard})
