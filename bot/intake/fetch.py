"""One bounded HTTP fetch, used for every download (issue URLs, feed bodies, listed items).

A fetch is streamed under a byte cap and a total deadline. The deadline is enforced under
httpx, in the network streams of the client `http_client` builds: every connect, read and
write waits at most for what is left of it, so a server that trickles a byte a second
(even in the response head) or never answers is given up on in time. Redirects are
followed here, hop by hop, without reading the bodies of the redirect answers.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

import httpcore
import httpx
from pydantic import BaseModel, ConfigDict

from bot.settings import Settings

from .sources import IssueFile, SourceFailure, issue_name_from_url, printable, size

MAX_REDIRECTS = 10
# Answers worth asking again later: the server or the way to it is having a bad moment.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

_deadline: ContextVar[float | None] = ContextVar("fetch_deadline", default=None)


class FetchLimits(BaseModel):
    """How much one fetch may read, and for how long."""

    model_config = ConfigDict(frozen=True)

    max_bytes: int
    deadline_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchLimits:
        return cls(max_bytes=settings.max_issue_bytes, deadline_seconds=settings.fetch_deadline_seconds)


class Fetched(BaseModel):
    """A whole answer: status 200 with its body, or 304 (not modified) without one."""

    model_config = ConfigDict(frozen=True)

    url: str  # after redirects
    status: int
    data: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None


def fetch(
    client: httpx.Client, url: str, limits: FetchLimits, headers: dict[str, str] | None = None
) -> Fetched | SourceFailure:
    """GET `url`: its body whole, or a failure saying why (never more than the limits)."""
    started = time.monotonic()
    deadline = started + limits.deadline_seconds
    token = _deadline.set(deadline)
    received = 0

    def too_slow() -> SourceFailure:
        return SourceFailure(
            name=url,
            reason=f"too slow: not complete within {limits.deadline_seconds:g} s ({size(received)} received)",
            transient=True,
        )

    try:
        with _final_response(client, url, headers or {}) as response:
            if isinstance(response, SourceFailure):
                return response
            if response.status_code not in (200, 304):
                status = response.status_code
                return SourceFailure(name=url, reason=f"HTTP {status}", transient=status in TRANSIENT_STATUSES)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                return SourceFailure(
                    name=url, reason=f"too large: {size(int(declared))}, the limit is {size(limits.max_bytes)}"
                )
            chunks: list[bytes] = []
            for chunk in response.iter_bytes() if response.status_code == 200 else ():
                received += len(chunk)
                if received > limits.max_bytes:
                    return SourceFailure(name=url, reason=f"too large: over {size(limits.max_bytes)}")
                if time.monotonic() > deadline:
                    return too_slow()
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                data=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
            )
    except httpx.TimeoutException:
        if time.monotonic() >= deadline - 0.05:  # the deadline, not a timeout of its own
            return too_slow()
        return SourceFailure(name=url, reason="timed out: no answer in time", transient=True)
    except httpx.TooManyRedirects:
        return SourceFailure(name=url, reason=f"more than {MAX_REDIRECTS} redirects")
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return SourceFailure(name=url, reason=f"not a valid URL ({printable(str(exc))})")
    except httpx.HTTPError as exc:
        return SourceFailure(name=url, reason=f"unreachable ({type(exc).__name__}: {exc})", transient=True)
    finally:
        _deadline.reset(token)


def fetch_issue(client: httpx.Client, url: str, limits: FetchLimits) -> IssueFile | SourceFailure:
    """An issue file from an http(s) URL; its id is the URL's file stem."""
    got = fetch(client, url, limits)
    if isinstance(got, SourceFailure):
        return got
    return IssueFile(name=issue_name_from_url(url), origin=url, data=got.data)


@contextmanager
def _final_response(
    client: httpx.Client, url: str, headers: dict[str, str]
) -> Iterator[httpx.Response | SourceFailure]:
    """The streamed answer after redirects; a redirect's own body is never read."""
    try:
        request = client.build_request("GET", url, headers=headers)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        yield SourceFailure(name=url, reason=f"not a valid URL ({printable(str(exc))})")
        return
    for _ in range(MAX_REDIRECTS + 1):
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            if response.next_request is None:
                yield response
                return
            request = response.next_request
        finally:
            response.close()
    raise httpx.TooManyRedirects("too many redirects", request=request)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout of one network operation: never longer than what is left of the fetch."""
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise error("the fetch's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._stream.start_tls(ssl_context, server_hostname, _left(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _left(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_unix_socket(path, _left(timeout, httpcore.ConnectTimeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@cache
def _tls_context() -> ssl.SSLContext:
    """httpx's default TLS context, made once a process: loading its trusted roots takes
    tens of milliseconds, and a client is made for every ingest and every feed poll."""
    return httpx.create_ssl_context()


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport over network streams that keep to the current fetch's deadline."""

    def __init__(self) -> None:
        super().__init__(verify=_tls_context())
        self._pool = httpcore.ConnectionPool(ssl_context=_tls_context(), network_backend=_DeadlineBackend())


def http_client(timeout: float) -> httpx.Client:
    """The client for fetching issues and feeds: `timeout` bounds each connect and read
    (and `fetch` bounds the whole)."""
    return httpx.Client(
        transport=_DeadlineTransport(),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        # compressed bodies could grow past the cap in one read
        headers={"User-Agent": "unionbot", "Accept-Encoding": "identity"},
    )
