"""Throwaway ClickHouse server (Debian's clickhouse-server 18.16) on 127.0.0.1.

A minimal config of our own: TCP (native) and HTTP ports on 127.0.0.1, data under the temp
dir, two users: ``sqlgate`` (password, a read-write profile: the tests seed through it and
sqlgate adds ``readonly=2`` itself) and ``ro_profile`` (a profile with ``readonly=1``: the
server guards it already). Readiness: HTTP ``/ping``. ``send_receive_timeout`` is always set:
inline-literal INSERTs hang on this server version, so seed with parameters or INSERT SELECT.
"""

from __future__ import annotations

import os
import urllib.request
from contextlib import AbstractContextManager
from typing import Any

from .base import HOST, ServerInfo, ServerProcess, free_port, info_from_url, require_binary, running

NAME = "clickhouse"
OVERRIDE_ENV = "SQLGATE_TEST_CLICKHOUSE_URL"
USER, PASSWORD, DATABASE = "sqlgate", "ch-secret-7", "default"
RO_USER, RO_PASSWORD = "ro_profile", "ro-secret-3"

_CONFIG = """<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>{host}</listen_host>
  <tcp_port>{tcp}</tcp_port>
  <http_port>{http}</http_port>
  <path>{root}/data/</path>
  <tmp_path>{root}/tmp/</tmp_path>
  <user_files_path>{root}/user_files/</user_files_path>
  <format_schema_path>{root}/format_schemas/</format_schema_path>
  <users_config>{root}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>53687091</mark_cache_size>
  <uncompressed_cache_size>53687091</uncompressed_cache_size>
  <max_concurrent_queries>50</max_concurrent_queries>
</yandex>
"""
_USERS = """<yandex>
  <profiles>
    <default><allow_experimental_low_cardinality_type>1</allow_experimental_low_cardinality_type></default>
    <readonly><readonly>1</readonly></readonly>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></default>
    <{user}><password>{password}</password><networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile><quota>default</quota></{user}>
    <{ro_user}><password>{ro_password}</password><networks><ip>127.0.0.1</ip></networks>
      <profile>readonly</profile><quota>default</quota></{ro_user}>
  </users>
  <quotas><default></default></quotas>
</yandex>
"""


def admin_client(info: ServerInfo, **settings: Any) -> Any:
    """A plain clickhouse-driver client with the test login (read-write), bounded waits."""
    from clickhouse_driver import Client

    return Client(
        info.host,
        port=info.port,
        user=info.user,
        password=info.password,
        database=info.database or "default",
        connect_timeout=5,
        send_receive_timeout=30,
        settings=settings,
    )


def _override() -> ServerInfo | None:
    url = os.environ.get(OVERRIDE_ENV)
    return info_from_url(url, default_port=9000, default_user="default") if url else None


class ClickHouseServer:
    """clickhouse-server with a config written into its temp dir."""

    def __init__(self, *, ready_timeout: float = 30.0) -> None:
        self.ready_timeout = ready_timeout
        self.proc: ServerProcess | None = None

    def start(self) -> ServerInfo:
        binary = require_binary(NAME, "clickhouse-server")
        proc = self.proc = ServerProcess(NAME)
        try:
            tcp, http = free_port(), free_port()
            root = proc.workdir
            (root / "users.xml").write_text(
                _USERS.format(
                    user=USER, password=PASSWORD, ro_user=RO_USER, ro_password=RO_PASSWORD
                )
            )
            (root / "config.xml").write_text(
                _CONFIG.format(host=HOST, tcp=tcp, http=http, root=root)
            )
            proc.start([binary, f"--config-file={root / 'config.xml'}"])

            def ready() -> bool:
                with urllib.request.urlopen(f"http://{HOST}:{http}/ping", timeout=1) as resp:
                    return resp.status == 200

            proc.wait_ready(ready, timeout=self.ready_timeout)
        except BaseException:
            proc.stop()
            raise
        return ServerInfo(
            HOST,
            tcp,
            USER,
            PASSWORD,
            DATABASE,
            extra={"http_port": http, "ro_user": RO_USER, "ro_password": RO_PASSWORD},
        )

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.stop()


def running_clickhouse() -> AbstractContextManager[ServerInfo]:
    """Yield a server: the override URL's if set, else a fresh throwaway one."""
    return running(_override(), ClickHouseServer)
