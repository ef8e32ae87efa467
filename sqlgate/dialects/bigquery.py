"""SQLAlchemy dialect for BigQuery over sqlgate (``bigquery+sqlgate://``), SA 1.4 and 2.x.

SQL is compiled in GoogleSQL: backquoted names, ``LIMIT``/``OFFSET`` as numbers, GoogleSQL type
names in CAST. Reflection asks the BigQuery API itself through the connection's client
(datasets are schemas, ``tables.get`` gives columns with nested fields), never the text of a
statement, so a name needs no quoting rules and RECORD / REPEATED / RANGE columns reflect as
:class:`~sqlgate.core.sqltypes.STRUCT`, ``ARRAY`` and a ``STRUCT`` of ``start``/``end``
(:mod:`sqlgate.dbapi.bigquery_types`).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.sql import sqltypes

from sqlgate.core import errors
from sqlgate.dbapi.bigquery_types import BIGQUERY_TYPES, type_string
from sqlgate.dialects.base import dbapi_connection_of
from sqlgate.dialects.warehouse_family import (
    EXPLICIT_DISTINCT_COMPOUNDS,
    AutocommitDialect,
    BacktickIdentifierPreparer,
    LiteralLimitCompiler,
    NoIndexDDLCompiler,
    WarehouseTypeCompiler,
)

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


class BigQueryCompiler(LiteralLimitCompiler):
    """Literal ``LIMIT``/``OFFSET`` numbers (BigQuery wants integer literals there); set
    operations say DISTINCT (a bare ``UNION`` is a syntax error in GoogleSQL)."""

    limit_for_offset_alone = 2**63 - 1
    compound_keywords = EXPLICIT_DISTINCT_COMPOUNDS

    def render_literal_value(self, value: Any, type_: Any) -> str:
        """GoogleSQL escapes with backslashes: ``'it\\'s'``; a doubled quote ends the literal."""
        if not isinstance(value, str) or not isinstance(type_, sqltypes.String):
            return str(super().render_literal_value(value, type_))
        text = str(super().render_literal_value(value.replace("\\", "\\\\"), type_))
        return "'" + text[1:-1].replace("''", "\\'") + "'"


class BigQueryTypeCompiler(WarehouseTypeCompiler):
    """GoogleSQL's names for the types CAST names."""

    float_name, binary_name, naive_timestamp_name = "FLOAT64", "BYTES", "DATETIME"

    def visit_integer(self, type_: Any, **kw: Any) -> str:
        return "INT64"

    visit_INTEGER = visit_BIGINT = visit_SMALLINT = visit_big_integer = visit_integer
    visit_small_integer = visit_integer

    def visit_numeric(self, type_: Any, **kw: Any) -> str:
        return "NUMERIC"

    visit_NUMERIC = visit_DECIMAL = visit_numeric

    def visit_boolean(self, type_: Any, **kw: Any) -> str:
        return "BOOL"

    visit_BOOLEAN = visit_boolean


class BigQueryIdentifierPreparer(BacktickIdentifierPreparer):
    """Backquoted names (```project.dataset.table``` parts each quoted). Inside backquotes
    GoogleSQL reads C-style escapes, so a backquote is written ``\\``` and a backslash
    ``\\\\`` (SQLAlchemy's own escaping doubles a quote character, which BigQuery does not
    read, and would leave a backquote in a name ending the identifier)."""

    backtick_escape = "\\`"

    def _escape_identifier(self, value: str) -> str:
        value = value.replace("\\", "\\\\").replace("`", "\\`")
        return value.replace("%", "%%") if self._double_percents else value

    def _unescape_identifier(self, value: str) -> str:
        return re.sub(r"\\(.)", r"\1", value)


class BigQueryDialect(AutocommitDialect):
    """BigQuery through sqlgate's google-cloud-bigquery session."""

    name = "bigquery"
    supports_statement_cache = True  # SQLAlchemy asks every subclass
    sqlgate_source = "bigquery"
    autocommit_only = "BigQuery query jobs run in autocommit mode only"
    default_paramstyle = "pyformat"
    statement_compiler = BigQueryCompiler
    ddl_compiler = NoIndexDDLCompiler
    type_compiler_cls = BigQueryTypeCompiler
    preparer = BigQueryIdentifierPreparer
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
    def _session(self, connection: Any) -> Any:
        return dbapi_connection_of(connection).session

    def _get_default_schema_name(self, connection: Any) -> str:
        return str(self._session(connection).dataset or "")

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

    def _names(self, connection: Any, schema: str | None, views: bool) -> list[str]:
        tables = self._tables(connection, schema)
        return sorted(t.table_id for t in tables if (t.table_type in _VIEW_TYPES) == views)

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
