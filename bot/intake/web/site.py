"""Sites and URLs: which site a URL belongs to, relative links, and safe names for ids."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")


def absolute_url(base: str | None, href: str) -> str:
    """`href` resolved against `base`, without its fragment."""
    joined = urljoin(base or "", href.strip())
    parts = urlsplit(joined)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    """The URL's host name, lower case, without a leading www."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def same_site(url: str, other: str) -> bool:
    """Are both URLs on the same host (www. or not) and scheme family (http/https)?"""
    a, b = urlsplit(url), urlsplit(other)
    return a.scheme in ("http", "https") and b.scheme in ("http", "https") and host_of(url) == host_of(other)


def site_name(url: str) -> str:
    """A short name of the URL's site (or of a name given as is) made of safe characters
    (a-z 0-9 . _ -), for issue ids."""
    host = host_of(url) if "://" in url else url.lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    name = _UNSAFE.sub("-", _DOTS.sub("-", host)).strip(".-_")
    return name or "web"
