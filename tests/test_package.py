"""The project as an installed package: the wheel built from the sources, installed into a
fresh virtual environment outside the checkout, answers and serves from any directory
with `config/` and `seeds/` shipped inside it.

Slower than the rest (a wheel build, a virtual environment, two fresh data dirs): marked
`slow`, and part of `make test`. Offline: the wheel is built by the build backend in this
environment (no build isolation) and installed without an index; the dependencies come
from the test run's own environment.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT
from .fakebotapi import FakeBotApi

pytestmark = pytest.mark.slow

SOURCES = ("bot", "retrieval", "config", "seeds", "pyproject.toml", "README.md")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A virtual environment with the built wheel installed; its bin/ folder."""
    top = tmp_path_factory.mktemp("package")
    source = top / "source"  # a copy, so that building writes nothing into the checkout
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    wheels = top / "wheels"
    # the build backend pyproject.toml names, called as a build front end calls it (PEP 517),
    # in this environment: what `pip wheel --no-build-isolation` does, without pip's start
    backend = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["build-backend"]
    build = f"import importlib; importlib.import_module({backend!r}).build_wheel({str(wheels)!r})"
    run(sys.executable, "-c", build, cwd=source)
    [wheel] = wheels.glob("unionbot-*.whl")

    venv = top / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=top)
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=top).stdout.strip()
    # The dependencies (and pip) from this environment, after the new one's own packages; a
    # plain path line, so this environment's editable install of the project stays inactive.
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", wheel, cwd=top)
    shutil.rmtree(source)
    yield venv / "bin"


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONBOT_", "TELEGRAM_", "PYTHON"))}
    return {**env, **extra}


def test_the_installed_package_answers_from_another_directory(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(UNIONBOT_DATA_DIR=str(tmp_path / "fresh-data"))
    where = run(installed / "python", "-c", "import bot, bot.resources as r; print(bot.__file__, r.CONFIG_DIR)", cwd=elsewhere, env=env)
    assert str(ROOT) not in where.stdout and str(installed.parent) in where.stdout
    done = run(installed / "unionbot", "ask", "密云区总工会培训了多少人", cwd=elsewhere, env=env)
    assert "300余人" in done.stdout, done.stdout  # the line, or the cited evidence when it is withheld


def test_the_installed_package_serves(installed: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with FakeBotApi(privacy_mode=False) as api:
        env = clean_env(
            UNIONBOT_DATA_DIR=str(tmp_path / "fresh-data"),
            TELEGRAM_BOT_TOKEN=api.token,
            UNIONBOT_TELEGRAM_API_URL=api.base_url,
        )
        log = tmp_path / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([installed / "unionbot", "serve"], cwd=elsewhere, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            api.wait_for(lambda: proc.poll() is not None or bool(api.calls("getUpdates")), timeout=120, what="polling")
            assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
            user = api.new_user()
            api.send_text(user, user, "密云区总工会培训了多少人")
            api.wait_for(lambda: api.bot_messages(user.id), timeout=30, what="the answer")
            assert "300余人" in api.bot_messages(user.id)[0].text
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, log.read_text(errors="replace")[-3000:]
