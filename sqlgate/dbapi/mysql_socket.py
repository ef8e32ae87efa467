"""The MySQL family's ``unix_socket`` option: a local server (OceanBase seekdb listens only on a
socket), admitted only where the operator allowed it.

Over a Unix socket, MariaDB's ``unix_socket`` plugin (MySQL's ``auth_socket``) logs a client in
as the OS user of the process, with no password: a URL naming a socket could make sqlgate log
in as whoever runs it (root, Superset's service user). So a URL or keyword alone cannot open a
socket link; the operator, who controls the process's environment, lists the sockets that may
be used in ``SQLGATE_MYSQL_UNIX_SOCKETS`` (absolute paths, separated by ``os.pathsep``).
"""

from __future__ import annotations

import os
from typing import Any

from sqlgate.core.errors import InterfaceError

SOCKETS_ENV = "SQLGATE_MYSQL_UNIX_SOCKETS"


def unix_socket(name: str, value: Any) -> str:
    """The socket path, if it is absolute and listed in :data:`SOCKETS_ENV`."""
    text = str(value)
    listed = [path for path in os.environ.get(SOCKETS_ENV, "").split(os.pathsep) if path]
    if not os.path.isabs(text) or "\0" in text or text not in listed:
        raise InterfaceError(
            f"{name} is refused unless the operator lists that absolute path in {SOCKETS_ENV} "
            "(a socket login may be authenticated as this process's OS user)"
        )
    return text
