"""Webhook mode end to end: `unionbot serve` behind its own webhook port, registered with the
project's Bot API server on 127.0.0.1; forged POSTs go straight to the bot's port."""

from __future__ import annotations

import json
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.cli.commands import main

from .conftest import copy_data_dir
from .fakebotapi import DEFAULT_TOKEN, FakeBotApi
from .test_bot import ADMIN_ID, BotProcess


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Hooked:
    """A bot in webhook mode and the URL it listens on."""

    def __init__(self, server: FakeBotApi, process: BotProcess, url: str) -> None:
        self.server, self.process, self.url = server, process, url

    def post(self, update: dict[str, Any], secret: str | bytes | None, content_type: str = "application/json") -> int:
        headers: dict[str, str | bytes] = {"Content-Type": content_type}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        with httpx.Client(trust_env=False, timeout=10) as client:
            return client.post(self.url, content=json.dumps(update).encode(), headers=headers).status_code


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory, seeded_session_dir: Path) -> Iterator[Hooked]:
    """The bot in webhook mode with no UNIONBOT_WEBHOOK_SECRET set (one for the module: each
    test has users of its own)."""
    data = copy_data_dir(seeded_session_dir, tmp_path_factory.mktemp("hooked") / "data")
    with FakeBotApi(privacy_mode=False) as server:
        port = _free_port()
        url = f"http://127.0.0.1:{port}/unionbot/hook"
        process = BotProcess(server, data, UNIONBOT_WEBHOOK_URL=url, UNIONBOT_WEBHOOK_PORT=str(port))
        try:
            server.wait_for(lambda: server.webhook is not None, timeout=60, what="setWebhook")
            yield Hooked(server, process, url)
        finally:
            assert process.stop(signal.SIGINT) == 0, process.output()[-3000:]


def test_without_a_configured_secret_one_is_generated_and_forgeries_are_refused(hooked: Hooked) -> None:
    server = hooked.server
    assert server.webhook is not None
    secret = str(server.webhook.get("secret_token") or "")
    assert len(secret) >= 32  # generated at start, registered with setWebhook
    admin = server.new_user("管理员", user_id=ADMIN_ID)
    forged = server.send_text(admin, admin, "/stats", enqueue=False)
    assert hooked.post(forged, secret=None) == 403
    assert hooked.post(forged, secret="") == 403
    assert hooked.post(forged, secret="wrong") == 403
    assert hooked.post(forged, secret=secret[:-1]) == 403
    assert hooked.post(forged, secret=secret + "x") == 403
    assert hooked.post(forged, secret=("密" * 8).encode()) == 403
    # Telegram's own delivery (with the registered secret) is answered, and nothing before it was
    server.send_text(admin, admin, "东城区覆盖了多少家企业")
    server.wait_for(lambda: server.bot_messages(admin.id), timeout=30, what="webhook reply")
    [reply] = server.bot_messages(admin.id)
    assert "8327家" in reply.text
    assert not any("今日提问" in m.text for m in server.bot_messages(admin.id))
    assert secret not in hooked.process.output()


def test_the_webhook_takes_only_json_posts_at_its_path(hooked: Hooked) -> None:
    server = hooked.server
    assert server.webhook is not None
    secret = str(server.webhook["secret_token"])
    user = server.new_user()
    update = server.send_text(user, user, "东城区覆盖了多少家企业", enqueue=False)
    assert hooked.post(update, secret=secret, content_type="text/plain") in (403, 415)
    with httpx.Client(trust_env=False, timeout=10) as client:
        assert client.get(hooked.url).status_code in (403, 405)
        garbage = client.post(
            hooked.url,
            content=b"{not json",
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
        )
        assert garbage.status_code == 400
        elsewhere = hooked.url.rsplit("/", 1)[0] + "/other"
        assert client.post(elsewhere, content=b"{}", headers={"X-Telegram-Bot-Api-Secret-Token": secret}).status_code == 404
    assert hooked.post(update, secret=secret) == 200
    server.wait_for(lambda: server.bot_messages(user.id), timeout=30, what="webhook reply")
    assert "8327家" in server.bot_messages(user.id)[0].text


def test_a_secret_telegram_would_refuse_stops_serve_at_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("UNIONBOT_WEBHOOK_URL", "https://bot.example.org/unionbot/hook")
    monkeypatch.setenv("UNIONBOT_WEBHOOK_SECRET", "has spaces; and ünïcode")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "UNIONBOT_WEBHOOK_SECRET" in err and "spaces" not in err
