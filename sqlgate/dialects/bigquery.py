"""SQLAlchemy dialect for BigQuery over sqlgate (``bigquery+sqlgate://``), SA 1.4 and 2.x.

SQL is compiled in GoogleSQL: backquoted names, ``LIMIT``/``OFFSET`` as numbers, GoogleSQL type
names in CAST. Reflection asks the BigQuery API itself through the connection's client
(datasets are schemas, ``tables.get`` gives columns with nested fields), never the text of a
statement, so a name needs no quoting rules and RECORD / REPEATED / RANGE columns reflect as
:class:`~sqlgate.core.sqltypes.STRUCT`, ``ARRAY`` and a ``STRUCT`` of ``start``/``end``
(:mod:`sqlgate.dbapi.bigquery_types`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import default
from sqlalchemy.sql import compiler

from sqlgate.core import errors
from sqlgate.dbapi.bigquery_types import BIGQUERY_TYPES, type_string
from sqlgate.dialects.base import SqlgateDialectMixin, dbapi_connection_of

_VIEW_TYPES = frozenset({"VIEW", "MATERIALIZED_VIEW"})


def _key_file_info(credential: str) -> dict[str, Any] | None:
    """The service-account key ``credential=gcp:/path/sa.json`` names, or None."""
    import json
    import os

    scheme, _, path = credential.partition(":")
    if scheme != "gcp" or not path:
        return None
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as handle:
            info = json.load(handle)
    except (OSError, ValueError):
        return None  # connecting reports the key file's problem in its own words
    return info if isinstance(info, dict) else None


class BigQueryCompiler(compiler.SQLCompiler):
    """Literal ``LIMIT``/``OFFSET`` numbers (BigQuery wants integer literals there)."""

    def limit_clause(self, select: Any, **kw: Any) -> str:
        text = ""
        if select._limit is not None:
            text += f"\n LIMIT {int(select._limit)}"
        if select._offset:
            if select._limit is None:
                text += f"\n LIMIT {2**63 - 1}"
            text += f"\n OFFSET {int(select._offset)}"
        return text


class BigQueryTypeCompiler(compiler.GenericTypeCompiler):
    """GoogleSQL's names for the types CAST names."""

    def visit_string(self, type_: Any, **kw: Any) -> str:
        return "STRING"

    visit_VARCHAR = visit_NVARCHAR = visit_CHAR = visit_NCHAR = visit_TEXT = visit_string
    visit_unicode = visit_unicode_text = visit_text = visit_string

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        return "INT64"

    visit_INTEGER = visit_BIGINT = visit_SMALLINT = visit_big_integer = visit_integer
    visit_small_integer = visit_integer

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return "FLOAT64"

    visit_FLOAT = visit_REAL = visit_DOUBLE = visit_double = visit_float

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        return "NUMERIC"

    visit_NUMERIC = visit_DECIMAL = visit_numeric

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return "BOOL"

    visit_BOOLEAN = visit_boolean

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP" if getattr(type_, "timezone", False) else "DATETIME"

    visit_DATETIME = visit_TIMESTAMP = visit_datetime

    def visit_large_binary(self, type_: Any, **kw: Any) -> str:
        return "BYTES"

    visit_BLOB = visit_BINARY = visit_VARBINARY = visit_large_binary


class BigQueryIdentifierPreparer(compiler.IdentifierPreparer):
    """Backquoted names (```project.dataset.table``` parts each quoted)."""

    def __init__(
        self,
        dialect: Any,
        initial_quote: str = "`",
        final_quote: str | None = None,
        escape_quote: str = "\\`",
        quote_case_sensitive_collations: bool = True,
        omit_schema: bool = False,
    ) -> None:
        super().__init__(
            dialect,
            initial_quote,
            final_quote,
            escape_quote,
            quote_case_sensitive_collations,
            omit_schema,
        )


class BigQueryDialect(SqlgateDialectMixin, default.DefaultDialect):
    """BigQuery through sqlgate's google-cloud-bigquery session."""

    name = "bigquery"
    sqlgate_source = "bigquery"
    supports_statement_cache = True
    default_paramstyle = "pyformat"
    statement_compiler = BigQueryCompiler
    type_compiler = BigQueryTypeCompiler  # SQLAlchemy 1.4's name
    type_compiler_cls = BigQueryTypeCompiler  # SQLAlchemy 2's name
    preparer = BigQueryIdentifierPreparer
    supports_native_boolean = True
    supports_native_decimal = True
    supports_sequences = False
    supports_alter = False
    postfetch_lastrowid = False
    implicit_returning = False
    supports_is_distinct_from = True
    max_identifier_length = 1024
    #: what Superset's BigQueryEngineSpec builds its own client from (cost estimates, the
    #: project list): a service-account key's contents when the URL names one
    #: (``credential=gcp:/path/sa.json``), else None (it then uses Application Default
    #: Credentials, as sqlgate does without a key)
    credentials_info: dict[str, Any] | None = None

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = super().create_connect_args(url)
        self.credentials_info = _key_file_info(str(kwargs.get("credential") or ""))
        return args, kwargs

    # -- connection ---------------------------------------------------------------------------
    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return "AUTOCOMMIT"  # every query job stands alone

    def get_isolation_level_values(self, dbapi_connection: Any) -> Any:
        return ("AUTOCOMMIT",)

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        if level != "AUTOCOMMIT":
            raise errors.NotSupportedError("BigQuery query jobs run in autocommit mode only")

    def _session(self, connection: Any) -> Any:
        return dbapi_connection_of(connection).session

    def _get_default_schema_name(self, connection: Any) -> str:
        return str(self._session(connection).dataset or "")

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return tuple(self._session(connection).server_version)

    def do_rollback(self, dbapi_connection: Any) -> None:
        """No transactions: nothing to roll back (the pool calls this on every return)."""

    # -- reflection through the API -------------------------------------------------------------
    def _dataset(self, connection: Any, schema: str | None) -> str:
        session = self._session(connection)
        name = schema or session.dataset
        if not name:
            raise errors.ProgrammingError(
                "no dataset: name one in the URL (bigquery+sqlgate://project/DATASET) or "
                "pass schema="
            )
        return name if "." in name else f"{session.project}.{name}"

    def _call(self, connection: Any, method: str, *args: Any, **kw: Any) -> Any:
        from sqlgate.core.translate import translated

        session = self._session(connection)
        with translated():
            return getattr(session.raw, method)(
                *args, retry=session._retry(), timeout=session.limits.request_timeout, **kw
            )

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return sorted(d.dataset_id for d in self._call(connection, "list_datasets"))

    def _tables(self, connection: Any, schema: str | None) -> list[Any]:
        return list(self._call(connection, "list_tables", self._dataset(connection, schema)))

    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        tables = self._tables(connection, schema)
        return sorted(t.table_id for t in tables if t.table_type not in _VIEW_TYPES)

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        tables = self._tables(connection, schema)
        return sorted(t.table_id for t in tables if t.table_type in _VIEW_TYPES)

    def _table(self, connection: Any, table_name: str, schema: str | None) -> Any:
        from sqlalchemy.exc import NoSuchTableError

        try:
            return self._call(
                connection, "get_table", f"{self._dataset(connection, schema)}.{table_name}"
            )
        except errors.ProgrammingError as exc:
            if "not found" in str(exc).lower():
                raise NoSuchTableError(table_name) from exc
            raise

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        from sqlalchemy.exc import NoSuchTableError

        try:
            self._table(connection, table_name, schema)
        except NoSuchTableError:
            return False
        return True

    def get_columns(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[Any]:
        table = self._table(connection, table_name, schema)
        return [
            {
                "name": field.name,
                "type": BIGQUERY_TYPES.to_sqlalchemy(type_string(field)),
                "nullable": field.mode != "REQUIRED",
                "default": None,
                "comment": field.description,
            }
            for field in table.schema
        ]

    def get_pk_constraint(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        table = self._table(connection, table_name, schema)
        constraints = getattr(table, "table_constraints", None)
        primary = getattr(constraints, "primary_key", None)
        columns = list(getattr(primary, "columns", None) or ())
        return {"constrained_columns": columns, "name": None}

    def get_foreign_keys(self, *args: Any, **kw: Any) -> list[Any]:
        return []  # BigQuery's foreign keys are unenforced; not reflected

    def get_indexes(self, *args: Any, **kw: Any) -> list[Any]:
        return []  # BigQuery has no indexes

    def get_view_definition(
        self, connection: Any, view_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        table = self._table(connection, view_name, schema)
        return table.view_query or table.mview_query

    def get_table_comment(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> Any:
        return {"text": self._table(connection, table_name, schema).description}


dialect = BigQueryDialect
