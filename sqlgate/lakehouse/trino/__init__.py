"""The lakehouse sources on a Trino server: ``engine=trino&trino_uri=http://host:port``.

Only :func:`open_engine` lives here: ``lakehouse_family`` imports this package when
``engine=trino`` is asked for. Optional ``trino_user=`` (default ``sqlgate``) is who queries
run as, ``trino_register_user=`` (default ``sqlgate_register``) who registers tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlgate.core.errors import MissingExtraError

if TYPE_CHECKING:
    from sqlgate.lakehouse.base import TableSource


def open_engine(
    source: TableSource,
    uri: str,
    source_name: str,
    rows_per_batch: int,
    statement_timeout: float | None,
    extra: dict[str, str] | None = None,
) -> Any:
    """A :class:`~sqlgate.lakehouse.trino.engine.TrinoEngine`; the source is closed when the
    server cannot be reached."""
    extra = extra or {}
    try:
        try:
            from sqlgate.lakehouse.trino.engine import TrinoEngine
        except ImportError as exc:
            raise MissingExtraError(source_name, "trino", "urllib3") from exc
        return TrinoEngine(
            source,
            uri,
            rows_per_batch,
            statement_timeout,
            user=extra.get("trino_user", "sqlgate"),
            registrar=extra.get("trino_register_user", "sqlgate_register"),
        )
    except BaseException:
        source.close()
        raise
