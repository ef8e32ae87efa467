"""Describe (statement) without running the client's statement for real.

A PostgreSQL client may ask for a prepared statement's columns before binding it (pgjdbc's
``getMetaData()``, Metabase's native queries, ORMs). The source is only asked for the *shape*:
a query is wrapped as ``SELECT * FROM (<query>) sqlgate_describe WHERE 1 = 0``, which every
SQL engine plans without reading a row (PostgreSQL shows a one-time ``false`` filter and
scans nothing); session statements and writes are described as having no result (PostgreSQL
answers NoData for them too), and never reach the source here. Only an engine that refuses
the wrapper itself (T-SQL refuses ``ORDER BY`` in a derived table) gets the statement with
NULL parameters instead, closed before any row is read.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sqlgate.core import errors
from sqlgate.gateway import protocol, statements

if TYPE_CHECKING:
    from sqlgate.gateway.client import Client

log = logging.getLogger("sqlgate.gateway")
#: the statements whose result shape the source is asked for (wrapped, never run for rows)
_QUERIES = ("SELECT", "WITH", "VALUES", "TABLE")
_TRAILING = re.compile(r"[\s;]+$")
#: EXPLAIN ANALYZE runs the statement: either spelling, anywhere (after a comment, VERBOSE,
#: inside the option list): such an EXPLAIN is described as NoData, never run
_ANALYZE = re.compile(r"\bANALY[SZ]E\b", re.IGNORECASE)


def probe_sql(sql: str) -> str | None:
    """The statement to run for ``sql``'s row description, or ``None`` for NoData."""
    word = statements.first_word(sql)
    if word in _QUERIES:
        if statements.is_catalog_query(sql):
            return sql  # the gateway's own catalog engine: no source, nothing to protect
        body = _TRAILING.sub("", sql)
        return f"SELECT * FROM (\n{body}\n) sqlgate_describe WHERE 1 = 0"
    if word == "SHOW" or (word == "EXPLAIN" and not _ANALYZE.search(sql)):
        return sql  # answered locally, or a plan without execution
    return None


async def row_description(client: Client, sql: str, parameters: int) -> bytes:
    """RowDescription (or NoData) for a prepared statement, from its probe."""
    probe = probe_sql(sql)
    if probe is None:
        return protocol.NO_DATA
    try:
        running = await client.start(probe, [None] * parameters)  # NULLs: only the shape counts
    except errors.ReadOnlyError:
        raise  # the statement itself would be refused the same way
    except errors.Error as exc:
        if probe == sql:
            raise
        # an engine that refuses the wrapper (T-SQL: ORDER BY in a derived table) gets the
        # statement itself with NULL parameters, closed before any row is read
        log.info("describe wrapper refused by the source (%s); describing the statement", exc)
        running = await client.start(sql, [None] * parameters)
    try:
        return running.row_description([]) if running.has_rows else protocol.NO_DATA
    finally:
        await client.run(running.close)
