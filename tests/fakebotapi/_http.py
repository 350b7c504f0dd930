"""The HTTP side: a threading server that tracks its connections, and one request's answer."""

from __future__ import annotations

import json
import logging
import select
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._models import JSON
from ._params import decode_params

if TYPE_CHECKING:
    from ._server import FakeBotApi

_log = logging.getLogger(__name__.rpartition(".")[0])


class Connection:
    """One request being answered; wraps the stdlib handler."""

    def __init__(self, handler: _RequestHandler) -> None:
        self.handler = handler

    def read_params(self) -> JSON:
        headers = self.handler.headers
        length = int(headers.get("Content-Length") or 0)
        body = self.handler.rfile.read(length) if length > 0 else b""
        return decode_params(urlsplit(self.handler.path).query, headers.get("Content-Type", ""), body)

    def peer_closed(self) -> bool:
        """Whether the client has closed its end (it gave up waiting)."""
        sock = self.handler.connection
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def send_json(self, status: int, payload: JSON | None) -> None:
        self.send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json")

    def send(self, status: int, body: bytes, content_type: str) -> None:
        handler = self.handler
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            handler.close_connection = True

    def drop(self) -> None:
        self.handler.close_connection = True


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server_version = "nginx/1.18.0"
    sys_version = ""
    server: TrackingHTTPServer

    def do_POST(self) -> None:
        self.server.api._handle(Connection(self))

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s %s", self.address_string(), format % args)


class TrackingHTTPServer(ThreadingHTTPServer):
    """Tracks its connections so that stopping can close keep-alive ones and join threads."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _RequestHandler)

    def server_bind(self) -> None:
        # Skips HTTPServer's reverse DNS lookup of the host name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        _log.debug("error while answering %s", client_address, exc_info=True)
