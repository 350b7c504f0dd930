"""Bytes of a web page to text: the HTTP charset, else the page's own <meta charset> or
http-equiv Content-Type, else a byte-order mark, else UTF-8 if it decodes, else detection.

GB2312 and GBK labels are read as GB18030 (their superset): pages labelled GB2312 often
hold characters only GBK has.
"""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

_CHARSET_PARAM = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]+encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.IGNORECASE)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-cn": "gb18030",
              "iso-8859-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
_SNIFF_BYTES = 4096


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when the label is unknown."""
    if not label:
        return None
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def http_charset(content_type: str | None) -> str | None:
    """The codec named by a Content-Type header's charset parameter."""
    match = _CHARSET_PARAM.search(content_type or "")
    return _codec(match.group(1)) if match else None


def declared_charset(data: bytes) -> str | None:
    """The codec a document declares in its first bytes: <meta charset>, http-equiv, or <?xml encoding>."""
    head = data[:_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return _codec(match.group(1).decode("ascii")) if match else None


def decode_page(data: bytes, content_type: str | None = None) -> str:
    """The text of a fetched page (see the module docstring for the order of evidence)."""
    for codec in (http_charset(content_type), declared_charset(data)):
        if codec is not None:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                log.info("page is not %s as declared; detecting its encoding", codec)
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    codec = _codec(best.encoding) if best is not None else None
    return data.decode(codec or "gb18030", errors="replace")
