"""An HTTP server on 127.0.0.1 that misbehaves on purpose, for the fetch and feed tests.

Paths:
- `/trickle-head/NAME`: the response head, one byte a second (`trickle_seconds`), never
  finished;
- `/trickle-body/NAME`: a complete head, then the body one byte a second (likewise), forever;
- `/endless/NAME`: a complete head, then a body that never ends (stopped at `endless_cap`
  bytes so that a client that reads it all does not take the test machine with it);
- `/never/NAME`: the request is read and never answered;
- anything else: the scripted answers in `routes` (the next one each request; the last
  one repeats), else 404.

Every request is recorded (path and headers); `sent` counts the body bytes written.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


class HostileServer:
    """Start with `with HostileServer() as server:`; `server.url(path)` is a full URL."""

    def __init__(self, endless_cap: int = 64_000_000, trickle_seconds: float = 1.0) -> None:
        self.endless_cap = endless_cap
        self.trickle_seconds = trickle_seconds
        self.routes: dict[str, list[Answer | Callable[[Seen], Answer]]] = {}
        self.seen: list[Seen] = []
        self.sent = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        owner = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                owner._handle(self.request)

        class _Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                return  # a client that hung up is what these tests are about

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def requests(self, path: str) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            if not chunk:
                return
            head += chunk
        lines = head.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        seen = Seen(path=path, headers=headers)
        with self._lock:
            self.seen.append(seen)
        if path.startswith("/trickle-head/"):
            self._trickle(conn, b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a")
        elif path.startswith("/trickle-body/"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
            self._trickle(conn, b"", "标".encode())
        elif path.startswith("/endless/"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
            block = "本报讯近日某街道工会举办培训。\n".encode() * 2000
            while not self._stop.is_set() and self.sent < self.endless_cap:
                conn.sendall(block)
                with self._lock:
                    self.sent += len(block)
        elif path.startswith("/never/"):
            self._stop.wait(60)
        else:
            self._answer(conn, seen)

    def _trickle(self, conn: socket.socket, first: bytes, each: bytes) -> None:
        conn.sendall(first)
        while not self._stop.wait(self.trickle_seconds):
            for byte in each:
                conn.sendall(bytes([byte]))
                with self._lock:
                    self.sent += 1

    def _answer(self, conn: socket.socket, seen: Seen) -> None:
        with self._lock:
            script = self.routes.get(seen.path)
            step = (script.pop(0) if len(script) > 1 else script[0]) if script else Answer(404, b"not found")
        answer = step(seen) if callable(step) else step
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 503: "Service Unavailable"}.get(answer.status, "X")
        head = [f"HTTP/1.1 {answer.status} {reason}", f"Content-Length: {len(answer.body)}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in answer.headers.items()]
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + answer.body)
        with self._lock:
            self.sent += len(answer.body)
