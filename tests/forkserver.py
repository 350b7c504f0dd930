"""`unionbot` processes forked from one that has already started.

Starting the interpreter, importing the bot and loading the segmenter's dictionary takes a
few seconds a process, and the end-to-end tests start a bot process (or two) each. This
server does that once, then forks: each child is a process of its own running the command
line's entry point, `main(argv)`, with the given environment, working directory and log
files, the server's segmenter handed to it (the seam `main` offers to share one).

The server is single-threaded (forking a process with threads is unsafe) and speaks JSON
lines on its stdin and stdout: {"op": "start", "argv", "env", "cwd", "stdin", "stdout",
"stderr", "drop"} (file paths; no stdin: /dev/null; "drop": Linux capabilities the child
gives up before it runs the command, see `drop_capabilities`) answers the child's pid;
{"op": "poll", "pid"} answers its exit status (None while it runs; minus the signal that
ended it). At end of input it kills the children it still has and exits.
`Forked` is the handle the tests get, shaped like the part of subprocess.Popen they use.

Run it as `python -m tests.forkserver` from the top of the checkout.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
# no thread pools in the server (numerical libraries start them on import): it forks
QUIET_LIBRARIES = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# Linux capabilities by which root writes to files whatever their permission bits say
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3
FILE_OVERRIDES = (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER)
_PR_CAPBSET_DROP = 24
_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities(capabilities: tuple[int, ...] | list[int]) -> None:
    """This process gives up `capabilities` (numbers under 32): from its effective, permitted
    and inheritable sets, so it has them no more, and from its bounding set, so no program
    it starts gets them back. Raises OSError when it cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in capabilities:
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"prctl(PR_CAPBSET_DROP, {cap})")
    header = _CapHeader(_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capget")
    mask = ~sum(1 << cap for cap in capabilities) & 0xFFFFFFFF
    data[0].effective &= mask
    data[0].permitted &= mask
    data[0].inheritable &= mask
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "capset")


# -- the server ---------------------------------------------------------------------


def _child(request: dict[str, Any], segmenter: Any) -> None:
    """In the forked child: become the command, then exit with its status."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        stdin = os.open(request.get("stdin") or os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.close(stdin)
        # a stream of its own over it, as a new interpreter has (the server's has been read
        # from, and cannot be reconfigured, as `chat` does)
        sys.stdin = open(0, encoding=sys.stdin.encoding, errors=sys.stdin.errors, closefd=False)  # noqa: SIM115
        for fd, name in ((1, "stdout"), (2, "stderr")):
            out = os.open(request[name], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            os.dup2(out, fd)
            os.close(out)
        os.chdir(request["cwd"])
        if request.get("drop"):
            drop_capabilities(request["drop"])
        os.environ.clear()
        os.environ.update(request["env"])
        from bot.cli import main

        code = main(request["argv"], segmenter)
    except SystemExit as exc:  # argparse's errors, say
        code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def serve(requests: IO[str], replies: IO[str]) -> None:
    from bot.cli import main  # noqa: F401 (imported before forking, for every child)
    from bot.library import build_segmenter
    from bot.telegram.app import serve as _serve  # noqa: F401 (the serve command imports it late)

    segmenter = build_segmenter()
    segmenter.tokenizer  # noqa: B018 (the dictionary, loaded once)
    segmenter.tagger  # noqa: B018
    children: set[int] = set()
    finished: dict[int, int] = {}
    _reply(replies, {"ready": True})
    for line in requests:
        request = json.loads(line)
        if request["op"] == "start":
            replies.flush()
            pid = os.fork()
            if pid == 0:
                _child(request, segmenter)
            children.add(pid)
            _reply(replies, {"pid": pid})
        elif request["op"] == "poll":
            pid = int(request["pid"])
            status: int | None = None
            if pid in children:
                done, raw = os.waitpid(pid, os.WNOHANG)
                if done:
                    children.discard(pid)
                    status = os.waitstatus_to_exitcode(raw)
                    finished[pid] = status
            else:
                status = finished.get(pid)
            _reply(replies, {"status": status})
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass


def _reply(replies: IO[str], obj: dict[str, Any]) -> None:
    replies.write(json.dumps(obj) + "\n")
    replies.flush()


# -- the tests' side ----------------------------------------------------------------


class ForkServer:
    """The server process, started on first use (or early, see `used_by`); waited for
    when first asked."""

    def __init__(self) -> None:
        # the children get their environment with each request; the server's own holds no
        # setting, whether it starts before the tests' isolated environment is made or in it
        env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIONBOT_", "TELEGRAM_"))}
        env |= QUIET_LIBRARIES
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.forkserver"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()
        self._ready = False

    def _wait_ready(self) -> None:
        if not self._ready:
            ready = self._read()
            if not ready.get("ready"):
                raise RuntimeError(f"the fork server did not start: {ready}")
            self._ready = True

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server ended (exit status {self._proc.wait()})")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._proc.stdin is not None
        with self._lock:
            self._wait_ready()
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            return self._read()

    def start(
        self, argv: list[str], env: dict[str, str], cwd: Path, log: Path, errors: Path | None = None,
        stdin: Path | None = None, drop: tuple[int, ...] = (),
    ) -> Forked:
        """Fork `unionbot ARGV`; its output goes to `log` (its standard error too, unless
        `errors` is given), both there when this returns; `stdin` is read from a file; the
        child first gives up the capabilities `drop` (as root: FILE_OVERRIDES, to run
        without write access to what its permission bits forbid)."""
        for path in (log, errors):
            if path is not None:
                path.touch()
        request = {
            "op": "start", "argv": argv, "env": env, "cwd": str(cwd), "stdin": None if stdin is None else str(stdin),
            "stdout": str(log), "stderr": str(errors or log), "drop": list(drop),
        }
        return Forked(self, int(self.ask(request)["pid"]))

    def run(
        self, argv: list[str], env: dict[str, str], cwd: Path, scratch: Path, timeout: float, stdin: str = "",
        drop: tuple[int, ...] = (),
    ) -> subprocess.CompletedProcess[str]:
        """`unionbot ARGV` to its end, as subprocess.run(capture_output=True, text=True) gives it
        (its files in `scratch`); killed after `timeout` seconds: a bound, not a timing."""
        scratch.mkdir(parents=True, exist_ok=True)
        name = f"unionbot-{time.monotonic_ns()}"
        given = scratch / f"{name}.in"
        given.write_text(stdin, encoding="utf-8")
        out, err = scratch / f"{name}.out", scratch / f"{name}.err"
        child = self.start(argv, env, cwd, out, err, given, drop)
        try:
            code = child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            raise
        return subprocess.CompletedProcess(argv, code, _text(out), _text(err))

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


class Forked:
    """A forked child, handled as a subprocess.Popen (pid, poll, wait, signals)."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            status = self.server.ask({"op": "poll", "pid": self.pid})["status"]
            self.returncode = None if status is None else int(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"forked unionbot {self.pid}", timeout or 0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


_server: ForkServer | None = None


def used_by(module: ModuleType) -> bool:
    """Whether a test module forks through the server: it imports this module, or names
    from a module that does (test_bot's BotProcess, say)."""
    this = sys.modules[__name__]

    def imports_this(names: ModuleType) -> bool:
        return any(value is this for value in vars(names).values())

    if imports_this(module):
        return True
    origins = {getattr(value, "__module__", None) for value in vars(module).values()}
    return any(imports_this(sys.modules[name]) for name in origins if isinstance(name, str) and name in sys.modules)


def server() -> ForkServer:
    """The session's fork server (started on first use)."""
    global _server
    if _server is None:
        _server = ForkServer()
    return _server


def close() -> None:
    global _server
    if _server is not None:
        _server.close()
        _server = None


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
