"""SQLAlchemy dialect for Apache Druid over sqlgate (``druid+sqlgate://``), SA 1.4 and 2.x.

Named ``druid``, so Superset's own ``DruidEngineSpec`` (time grains on ``TIME_FLOOR``) serves
it. Druid SQL is Calcite's: double-quoted identifiers, ``LIMIT``/``OFFSET`` written as numbers.
Reflection reads ``INFORMATION_SCHEMA`` (datasources are tables in schema ``druid``) with the
names bound as typed parameters, never spliced into the SQL. ``INFORMATION_SCHEMA`` calls a
multi-value dimension ``VARCHAR``; Druid says which string columns hold several values only
in a native ``segmentMetadata`` query, which reflection also asks, so those reflect as
``ARRAY(String)``. ``COMPLEX<...>`` columns (sketches) reflect as :class:`COMPLEX` with their
type name instead of failing (pydruid raises ``KeyError`` on them).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.sql.compiler import RESERVED_WORDS, IdentifierPreparer

from sqlgate.core import errors
from sqlgate.dbapi.druid_types import sqlalchemy_type
from sqlgate.dialects.base import dbapi_connection_of
from sqlgate.dialects.warehouse_family import AutocommitDialect, LiteralLimitCompiler

_SCHEMA = "druid"
#: Calcite's reserved words (Druid SQL's parser): an identifier spelled like one must be
#: quoted (a real Druid 33 refuses ``... AS day``); SQLAlchemy's own list lacks most of them
_CALCITE_WORDS = """
    abs all allocate allow alter and any are array as asymmetric at atomic authorization avg
    begin between bigint binary bit blob boolean both by call called cardinality cascaded case
    cast ceil ceiling char character check clob close coalesce collate collect column commit
    condition connect constraint convert corr count create cross cube current current_date
    current_time current_timestamp current_user cursor cycle date day deallocate dec decimal
    declare default delete describe deterministic disallow disconnect distinct double drop
    dynamic each element else end escape every except exec execute exists exp explain extend
    external extract false fetch filter first_value float floor for foreign free from full
    function fusion get global grant group grouping groups having hold hour identity import in
    indicator inner inout insensitive insert int integer intersect intersection interval into
    is join lag language large last_value lateral lead leading left like limit ln local
    localtime localtimestamp lower match max member merge method min minute mod modifies module
    month multiset national natural nchar nclob new next no none normalize not null nullif
    numeric of offset old on only open or order out outer over overlaps overlay parameter
    partition percent period position power precision prepare primary procedure range rank
    reads real recursive ref references referencing release reset result return returns revoke
    right rollback rollup row rows row_number savepoint scope scroll search second select
    sensitive session_user set similar smallint some specific sql sqlexception sqlstate
    sqlwarning sqrt start static stddev_pop stddev_samp stream submultiset sum symmetric system
    system_user table tablesample then time timestamp timezone_hour timezone_minute tinyint to
    trailing translate translation treat trigger trim true truncate uescape union unique
    unknown unnest update upper user using value values varchar varying var_pop var_samp week
    when whenever where width_bucket window with within without year
"""
_CALCITE_RESERVED = frozenset(_CALCITE_WORDS.split())


class DruidIdentifierPreparer(IdentifierPreparer):
    """Double quotes (Calcite's), around Calcite's reserved words as well."""

    reserved_words = RESERVED_WORDS | _CALCITE_RESERVED


class DruidCompiler(LiteralLimitCompiler):
    """Literal ``LIMIT``/``OFFSET`` numbers (Druid plans them, it does not bind them)."""


class DruidDialect(AutocommitDialect):
    """Apache Druid through sqlgate's SQL HTTP API client."""

    name = "druid"
    sqlgate_source = "druid"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    autocommit_only = "Druid has no transactions: AUTOCOMMIT only"
    default_paramstyle = "qmark"
    statement_compiler = DruidCompiler
    preparer = DruidIdentifierPreparer
    supports_multivalues_insert = False
    max_identifier_length = 255
    default_schema_name = _SCHEMA

    def _get_default_schema_name(self, connection: Any) -> str:
        return _SCHEMA

    # -- reflection ------------------------------------------------------------------------
    def _rows(self, connection: Any, sql: str, *params: Any) -> list[Any]:
        return list(connection.exec_driver_sql(sql, params).fetchall())

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        sql = "SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA ORDER BY SCHEMA_NAME"
        return [str(r[0]) for r in self._rows(connection, sql)]

    def _names(self, connection: Any, schema: str | None, views: bool) -> list[str]:
        sql = (
            "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = ? "
            "AND TABLE_TYPE = ? ORDER BY TABLE_NAME"
        )
        kind = "VIEW" if views else "TABLE"
        return [str(r[0]) for r in self._rows(connection, sql, schema or _SCHEMA, kind)]

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        # not COUNT(*): Druid 33 answers an aggregate over no INFORMATION_SCHEMA row with no
        # row at all (seen on a real Druid)
        sql = (
            "SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES "
            "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
        )
        return bool(self._rows(connection, sql, schema or _SCHEMA, table_name))

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        rows = self._rows(
            connection,
            "SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM INFORMATION_SCHEMA.COLUMNS "
            "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
            schema or _SCHEMA,
            table_name,
        )
        if not rows:
            from sqlalchemy.exc import NoSuchTableError

            raise NoSuchTableError(table_name)
        multi = self._multi_value(connection, table_name, schema)
        return [
            {
                "name": str(name),
                "type": sqlalchemy_type(str(data_type), multi_value=name in multi),
                "nullable": str(nullable or "YES").upper() == "YES",
                "default": None,
            }
            for name, data_type, nullable in rows
        ]

    def _multi_value(self, connection: Any, table_name: str, schema: str | None) -> set[str]:
        """Multi-value string columns of a datasource (segmentMetadata's hasMultipleValues)."""
        if (schema or _SCHEMA) != _SCHEMA:
            return set()
        session = dbapi_connection_of(connection).session
        try:
            columns = session.client.segment_metadata(table_name)
        except errors.Error:  # no permission for native queries: plain VARCHAR then
            return set()
        return {name for name, info in columns.items() if info.get("hasMultipleValues")}


dialect = DruidDialect
