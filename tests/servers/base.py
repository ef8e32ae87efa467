"""Shared machinery for throwaway test servers on 127.0.0.1.

Each server lives in its own temp dir (logs, data, sockets) that is removed on
stop; an atexit hook stops anything a crashed test session left behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote, unquote, urlsplit

import pytest

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = HOST, timeout: float = 0.2) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def server_unavailable(name: str, reason: str) -> NoReturn:
    """Skip locally, but fail in CI, where a missing server is a broken setup."""
    msg = f"{name} test server unavailable: {reason}"
    if in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


@dataclass
class ServerInfo:
    """How tests reach a server; `extra` holds server-specific details."""

    host: str
    port: int
    user: str
    password: str
    database: str
    extra: dict[str, Any] = field(default_factory=dict)

    def url(self, scheme: str, *, user: str | None = None, password: str | None = None) -> str:
        """Build `scheme://user:pw@host:port/database` with quoted credentials."""
        u = quote(self.user if user is None else user, safe="")
        p = quote(self.password if password is None else password, safe="")
        return f"{scheme}://{u}:{p}@{self.host}:{self.port}/{self.database}"


def info_from_url(url: str, *, default_port: int, default_user: str = "") -> ServerInfo:
    """Parse an override URL such as `postgresql://user:pw@host:port/db`."""
    parts = urlsplit(url)
    return ServerInfo(
        host=parts.hostname or HOST,
        port=parts.port or default_port,
        user=unquote(parts.username) if parts.username else default_user,
        password=unquote(parts.password) if parts.password else "",
        database=unquote(parts.path.lstrip("/")),
        extra={"override_url": url},
    )


def require_binary(name: str, path: str | os.PathLike[str]) -> str:
    """Return the path if it is an executable file, else report the server unavailable."""
    p = str(path)
    if os.sep not in p:
        found = shutil.which(p)
        if found:
            return found
    elif os.path.isfile(p) and os.access(p, os.X_OK):
        return p
    server_unavailable(name, f"binary not found: {p}")


_LIVE: set[ServerProcess] = set()
_LIVE_LOCK = threading.Lock()


def _stop_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        proc.stop()


atexit.register(_stop_all)


class ServerProcess:
    """One server subprocess plus its private temp dir, logs and bounded waits.

    Use as a context manager or call `stop()`; stopping is idempotent and
    always removes the temp dir.
    """

    def __init__(
        self,
        name: str,
        *,
        owner: str | None = None,
        stop_signal: int = signal.SIGTERM,
        stop_timeout: float = 15.0,
    ) -> None:
        self.name = name
        self.stop_signal = stop_signal
        self.stop_timeout = stop_timeout
        # /tmp, not pytest's tmp_path: that is root-owned 0700, which a
        # server running as another user (postgres) could not traverse.
        self.workdir = Path(tempfile.mkdtemp(prefix=f"sqlgate-{name}-", dir="/tmp"))
        self._user = owner if owner and os.geteuid() == 0 else None
        if self._user:
            shutil.chown(self.workdir, user=self._user, group=self._user)
        self.log_path = self.workdir / f"{name}.log"
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.extra_logs: list[Path] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopped = False
        with _LIVE_LOCK:
            _LIVE.add(self)

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _user_kwargs(self) -> dict[str, Any]:
        if not self._user:
            return {}
        return {"user": self._user, "group": self._user, "extra_groups": []}

    def chown(self, path: Path) -> None:
        """Give a file or dir inside the workdir to the server's OS user."""
        if self._user:
            shutil.chown(path, user=self._user, group=self._user)

    def run(self, argv: Sequence[str], *, timeout: float = 60.0) -> None:
        """Run a one-shot setup command (initdb, install-db), logging its output."""
        self._log.write(f"$ {' '.join(argv)}\n".encode())
        self._log.flush()
        try:
            res = subprocess.run(
                list(argv),
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                timeout=timeout,
                check=False,
                **self._user_kwargs(),
            )
        except subprocess.TimeoutExpired:
            self._fail(f"{argv[0]} did not finish within {timeout:.0f}s")
        if res.returncode != 0:
            self._fail(f"{argv[0]} exited with {res.returncode}")

    def start(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        """Start the long-running server in its own process group."""
        self._log.write(f"$ {' '.join(argv)}\n".encode())
        self._log.flush()
        self.proc = subprocess.Popen(
            list(argv),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.workdir,
            env=None if env is None else {**os.environ, **env},
            start_new_session=True,
            **self._user_kwargs(),
        )

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(
        self, check: Callable[[], bool], *, timeout: float = 20.0, interval: float = 0.05
    ) -> float:
        """Poll `check` until it returns True; return seconds waited.

        Raises with the log tail if the server exits or the timeout passes;
        exceptions from `check` count as "not ready yet".
        """
        start = time.monotonic()
        last_error = ""
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                self._fail(f"exited with {self.proc.returncode} before becoming ready")
            try:
                if check():
                    return time.monotonic() - start
            except Exception as exc:  # not ready yet; keep the reason for the report
                last_error = f"{type(exc).__name__}: {exc}"
            if time.monotonic() - start > timeout:
                hint = f" (last check error: {last_error})" if last_error else ""
                self._fail(f"not ready after {timeout:.0f}s{hint}")
            time.sleep(interval)

    def log_tail(self, lines: int = 40) -> str:
        """Last lines of our log plus any server-written logs (e.g. MariaDB's err.log)."""
        with contextlib.suppress(ValueError):  # already closed
            self._log.flush()
        chunks = []
        for path in [self.log_path, *self.extra_logs]:
            try:
                text = path.read_text(errors="replace")
            except OSError:
                continue
            chunks.append(f"--- {path.name} ---\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(chunks) or "<log unavailable>"

    def _fail(self, what: str) -> NoReturn:
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"{self.name} test server {what}; log tail:\n{tail}")

    def stop(self) -> None:
        """Signal, wait (bounded), SIGKILL the process group if needed, remove the dir."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self.proc is not None and self.proc.poll() is None:
                try:
                    self.proc.send_signal(self.stop_signal)
                    self.proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    # Kill the whole group so worker children die with the leader.
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
        finally:
            self._log.close()
            shutil.rmtree(self.workdir, ignore_errors=True)
            with _LIVE_LOCK:
                _LIVE.discard(self)


class OneProcessServer:
    """A server that is one process in its own temp dir: a subclass names it and says how to
    ``launch`` it; starting, timing, cleaning up after a failed start and stopping are here."""

    name: str
    ready_timeout_default = 30.0

    def __init__(self, *, ready_timeout: float | None = None) -> None:
        self.ready_timeout = self.ready_timeout_default if ready_timeout is None else ready_timeout
        self.proc: ServerProcess | None = None
        self.started = 0.0  # time.monotonic() when start() began

    def process(self) -> ServerProcess:
        """The process holder (a subclass may run it as another user or stop it otherwise)."""
        return ServerProcess(self.name)

    def launch(self, proc: ServerProcess) -> ServerInfo:
        """Start the process in ``proc``, wait until it serves, and describe it."""
        raise NotImplementedError

    def start(self) -> ServerInfo:
        self.started = t0 = time.monotonic()
        self.proc = proc = self.process()
        try:
            info = self.launch(proc)
        except BaseException:
            proc.stop()
            raise
        info.extra.update(
            workdir=str(proc.workdir),
            pid=proc.pid,
            startup_seconds=round(time.monotonic() - t0, 2),
        )
        return info

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


@contextmanager
def running(override: ServerInfo | None, make_server: Callable[[], Any]) -> Iterator[ServerInfo]:
    """Yield the override's server if one is configured, else start a throwaway one.

    ``make_server()`` returns an object with ``start() -> ServerInfo`` and ``stop()``.
    """
    if override is not None:
        yield override
        return
    server = make_server()
    try:
        yield server.start()
    finally:
        server.stop()
