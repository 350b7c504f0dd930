"""Text of issue files: decoding bytes, and the canonical form of a printed line.

The canonical form keeps Chinese punctuation full-width (，。；：？！（）and curly quotes)
and everything else half-width (digits, Latin letters, + % #), with single spaces, so
that re-typesettings of the same page (other encodings, punctuation widths, NBSPs,
trailing spaces) give the same articles.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import IssueError

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\x0b\x0c]+")

# Full-width forms that stay full-width in Chinese text; the rest of U+FF01..FF5E is ASCII.
_KEEP_FULLWIDTH = set("，。；：？！（）")
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_FULL_PUNCT = "，。；：？！（）《》“”‘’、…—·「」『』【】"


def is_cjk(ch: str) -> bool:
    """A Han character (the unified block and its common extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def _is_cjkish(ch: str) -> bool:
    return is_cjk(ch) or ch in _FULL_PUNCT


def decode_issue(name: str, data: bytes) -> str:
    """Bytes of an issue file to text: UTF-8 (BOM or not), UTF-16 with BOM, or GB18030."""
    if not data.strip():
        raise IssueError(name, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise IssueError(name, "undecodable UTF-16 text") from None
    if b"\x00" in data:
        raise IssueError(name, "binary file, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            raise IssueError(name, "binary file, not text")
        return text
    raise IssueError(name, "undecodable bytes (neither UTF-8 nor GB18030)")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t\f\v")
    return controls > max(8, len(sample) // 100)


def split_lines(text: str) -> list[str]:
    """Lines of a text with any of LF, CRLF or CR endings, straight double quotes curled."""
    return curl_quotes(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")


def curl_quotes(text: str) -> str:
    """Straight double quotes in Chinese text as curly ones, alternating through the text
    (a quotation may run across a column break)."""
    text = text.replace("\uff02", '"')
    if '"' not in text or text.count('"') % 2 or not any(map(is_cjk, text)):
        return text
    return _curl_quotes_in(text, '"', "“", "”")


def _fold_width(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E and ch not in _KEEP_FULLWIDTH:
        return chr(code - 0xFEE0)
    return ch


def _curl_quotes(line: str, straight: str, opening: str, closing: str) -> str:
    if straight not in line or line.count(straight) % 2 or not any(map(is_cjk, line)):
        return line
    return _curl_quotes_in(line, straight, opening, closing)


def _curl_quotes_in(line: str, straight: str, opening: str, closing: str) -> str:
    out: list[str] = []
    open_next = True
    for ch in line:
        if ch == straight:
            out.append(opening if open_next else closing)
            open_next = not open_next
        else:
            out.append(ch)
    return "".join(out)


def _widen_punctuation(line: str) -> str:
    chars = list(line)
    n = len(chars)
    for i, ch in enumerate(chars):
        full = _HALF_TO_FULL.get(ch)
        if full is None:
            continue
        prev = next((chars[j] for j in range(i - 1, -1, -1) if chars[j] != " "), "")
        nxt = next((chars[j] for j in range(i + 1, n) if chars[j] != " "), "")
        if ch in ",:" and prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum():
            continue  # 1,000 or 10:30 or a URL
        if _is_cjkish(prev) or _is_cjkish(nxt):
            chars[i] = full
    return "".join(chars)


_SPACE_AROUND_FULL = re.compile(r" ?([，。；：？！（）《》“”、]) ?")
_STRAY_AND = re.compile(r"(?<=[\u4e00-\u9fff”’）》]) and (?=[\u4e00-\u9fff“‘（《])")
_ELLIPSIS = re.compile(r"(?<=[\u4e00-\u9fff，。”])\.{3,6}|\.{3,6}(?=[\u4e00-\u9fff“])")


def _tidy_spaces(line: str) -> str:
    def repl(match: re.Match[str]) -> str:
        return match.group(1)

    # Drop spaces beside full-width punctuation when Han text is on the other side;
    # keep the space inside bylines such as "（记者 宗晓畅）".
    out = []
    last = 0
    for match in _SPACE_AROUND_FULL.finditer(line):
        start, end = match.span()
        before = line[start - 1] if start > 0 else ""
        after = line[end] if end < len(line) else ""
        keep_left = match.group(0).startswith(" ") and not (_is_cjkish(before) or before == "")
        keep_right = match.group(0).endswith(" ") and not (_is_cjkish(after) or after == "")
        out.append(line[last:start])
        out.append((" " if keep_left else "") + repl(match) + (" " if keep_right else ""))
        last = end
    out.append(line[last:])
    return "".join(out)


def normalise_line(line: str) -> str:
    """The canonical form of one printed line (see the module docstring)."""
    line = line.translate(_ZERO_WIDTH)
    line = "".join(_fold_width(ch) for ch in line)
    line = _SPACES.sub(" ", line).strip()
    if not line:
        return line
    line = "".join(ch for ch in line if unicodedata.category(ch) != "Cc")
    line = _STRAY_AND.sub("和", line)
    line = _ELLIPSIS.sub(lambda m: "…" * (len(m.group(0)) // 3), line)
    line = _curl_quotes(line, '"', "“", "”")
    line = _curl_quotes(line, "'", "‘", "’")
    if any(map(is_cjk, line)):
        line = _widen_punctuation(line)
        line = _tidy_spaces(line)
    return line


def compact(text: str) -> str:
    """Text for comparisons: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())
