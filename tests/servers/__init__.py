"""Real, throwaway servers (PostgreSQL, MariaDB, moto) for integration tests.

Each starts on 127.0.0.1 on a free port in its own /tmp dir and is removed on
stop. Point `SQLGATE_TEST_{POSTGRES,MARIADB,MOTO}_URL` at a running server to
reuse it instead. With `CI=true` a missing server fails the test instead of
skipping it.
"""

from __future__ import annotations

from .base import ServerInfo, ServerProcess, free_port, server_unavailable

__all__ = ["ServerInfo", "ServerProcess", "free_port", "server_unavailable"]
