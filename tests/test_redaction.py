"""The bot token never reaches any output, whatever fails: a token the Bot API rejects, an API
that cannot be reached or answers with a page that echoes the request URL, an exception in
a handler. `unionbot serve` runs unchanged against servers on 127.0.0.1."""

from __future__ import annotations

import http.server
import io
import logging
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.redaction import RedactingFilter, Redactor

from .fakebotapi import FakeBotApi
from .test_bot import BotProcess, wait_polling

STRANGER = "7000000001:AAHsomebodyElsesToken_000000000000"


def assert_no_token(text: str, token: str) -> None:
    """Neither the token nor its secret part nor a long prefix of that, in any case."""
    text, secret = text.lower(), token.split(":", 1)[1].lower()
    assert secret not in text
    assert secret[:8] not in text, "a long prefix of the token's secret part was printed"


def finished(process: BotProcess, timeout: float = 60) -> tuple[int, str]:
    code = process.proc.wait(timeout=timeout)
    return code, process.output()


def test_a_rejected_token_is_one_line_and_never_printed(tmp_path: Path) -> None:
    with FakeBotApi() as server:
        # a new interpreter, as `unionbot serve` starts outside the tests
        process = BotProcess(server, tmp_path / "data", fresh=True, TELEGRAM_BOT_TOKEN=STRANGER)
        code, out = finished(process)
    assert code != 0
    assert_no_token(out, STRANGER)
    assert "Traceback" not in out
    assert "unionbot: " in out and "TELEGRAM_BOT_TOKEN" in out


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EchoingProxy(http.server.BaseHTTPRequestHandler):
    """A misconfigured proxy: its error page names the URL it could not forward."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = f"<html><body>502 Bad Gateway: upstream for {self.path} is down</body></html>".encode()
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def echoing_proxy() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoingProxy)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()
        server.server_close()


def test_an_unreachable_api_is_one_line_and_never_prints_the_token(tmp_path: Path, echoing_proxy: str) -> None:
    with FakeBotApi() as server:
        urls = (f"http://127.0.0.1:{_closed_port()}/bot", echoing_proxy)
        # both at once, each with a data dir of its own
        processes = [BotProcess(server, tmp_path / f"data-{i}", UNIONBOT_TELEGRAM_API_URL=url) for i, url in enumerate(urls)]
        for url, process in zip(urls, processes, strict=True):
            code, out = finished(process)
            assert code != 0, out
            assert_no_token(out, server.token)
            # one clear line, last (python-telegram-bot logs the proxy's page before it)
            assert out.splitlines()[-1].startswith("unionbot: cannot reach the Bot API at http://127.0.0.1:"), out
            assert url == echoing_proxy or "Traceback" not in out, out


def test_an_error_in_a_handler_logs_a_traceback_without_the_token(seeded_data_dir: Path) -> None:
    with FakeBotApi(privacy_mode=False) as server:
        process = BotProcess(server, seeded_data_dir)
        try:
            wait_polling(server, process)
            user = server.new_user()
            echoed = f"Bad Request: proxy refused POST {server.base_url}{server.token}/sendMessage"
            server.fail_next("sendMessage", status=400, description=echoed)
            server.send_text(user, user, "东城区覆盖了多少家企业")
            server.wait_for(lambda: server.bot_messages(user.id), timeout=30, what="the error reply")
            assert "出了点问题" in server.bot_messages(user.id)[0].text
            server.wait_for(lambda: "proxy refused" in process.output().lower(), timeout=10, what="the logged error")
        finally:
            assert process.stop() == 0, process.output()[-3000:]
        out = process.output()
    assert "Traceback" in out and "proxy refused post" in out.lower()
    assert_no_token(out, server.token)


def test_redactor_covers_messages_arguments_tracebacks_and_prefixes() -> None:
    token = "123456789:AAFsecretPartOfTheToken_abcdefghijk"
    redactor = Redactor([token, "hook-secret-0123456789"])
    text = (
        f"GET /bot{token}/getMe; {token[:20]}…; %3A{token.split(':')[1]}; {token.lower()}; "
        "hook-secret-0123456789"
    )
    cleaned = redactor(text)
    assert_no_token(cleaned, token)
    assert "hook-secret" not in cleaned
    assert "123456789" in cleaned  # the bot's id is public and helps reading logs
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(redactor))
    log = logging.getLogger("test.redaction")
    log.propagate = False
    log.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"failed at /bot{token}/sendMessage")
        except RuntimeError:
            log.exception("call %s failed", f"/bot{token}/x", stack_info=True)
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert "RuntimeError: failed at /bot" in written and "call /bot" in written and "Stack (most recent" in written
    assert_no_token(written, token)
