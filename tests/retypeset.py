"""Re-typesettings of an issue file: the same page in other encodings, widths and markup.

Used by the parse tests to check that the articles do not depend on the typesetting.
"""

from __future__ import annotations

import re
from collections.abc import Callable

HALF = {"，": ",", "；": ";", "：": ":", "？": "?", "！": "!", "（": "(", "）": ")"}
FULL = {v: k for k, v in HALF.items()}


def halfwidth(text: str) -> str:
    """Chinese punctuation printed half-width, quotes straight."""
    for full, half in HALF.items():
        text = text.replace(full, half)
    return text.replace("“", '"').replace("”", '"')


def fullwidth(text: str) -> str:
    """Half-width punctuation and digits printed full-width."""
    out = []
    for ch in text:
        if ch in FULL:
            out.append(FULL[ch])
        elif ch.isdigit() and ch.isascii():
            out.append(chr(ord(ch) + 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def ragged(text: str) -> str:
    """NBSPs, ideographic-space indents, trailing spaces and tabs, doubled blank lines."""
    lines = []
    for line in text.split("\n"):
        if line.strip():
            line = "\u3000\u3000" + line.replace(" ", "\u00a0") + "  \t"
            lines.append(line)
        lines.append("")
    return "\n".join(lines)


def compact(text: str) -> str:
    """No blank lines: every line break is a single one."""
    return re.sub(r"\n\s*\n", "\n", text)


def plain(text: str) -> str:
    """Markdown headings printed as plain lines."""
    return "\n".join(line.lstrip("#").lstrip() for line in text.split("\n"))


def markdown(text: str, banner: str, titles: list[str], subhead_level: int = 0) -> str:
    """A plain page as Markdown: `#` banner, `##` titles; pretitles and subtitles as
    plain lines (or as headings of `subhead_level` when given)."""
    out: list[str] = []
    for line in text.split("\n"):
        bare = line.strip().lstrip("#").strip()
        if bare == banner and not any(o.startswith("# ") for o in out):
            out.append("# " + bare)
        elif bare in titles:
            out.append("## " + bare)
        else:
            out.append(line)
    return "\n".join(out)


ENCODINGS: dict[str, Callable[[str], bytes]] = {
    "utf8": lambda t: t.encode("utf-8"),
    "utf8-bom": lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
    "gb18030": lambda t: t.encode("gb18030"),
}
