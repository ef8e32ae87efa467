"""The SQL side of the Druid protocol test server: Druid SQL run on an in-memory DuckDB.

No Druid server can be installed here (none on PyPI/npm/Debian; Maven Central has no
``druid-services`` artifact the tests could start), so the test server follows Druid's
*documented* SQL API and runs the SQL on DuckDB after sqlglot reads it as Druid SQL. What comes
from Druid's documentation rather than from a Druid: the response formats and headers, the two
error shapes, ``INFORMATION_SCHEMA``'s columns, the types the headers name, ``TIME_FLOOR``/
``TIME_SHIFT`` period semantics, multi-value dimensions sent as JSON arrays (a single value as
a plain string, none as null) and ``EXPR$n`` names for unnamed expressions. Datasources have
``__time``; other TIMESTAMP columns exist only so the shared conformance table keeps its shape
(a Druid datasource would hold them as LONG millis).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import sqlglot
from sqlglot import exp

_NUM = r"coalesce(try_cast(nullif(regexp_extract(split_part(p, 'T', {part}), '(\d+){unit}', 1), '') AS INT), 0)"  # noqa: E501
_PERIOD = (
    f"to_years({_NUM.format(part=1, unit='Y')}) + to_months({_NUM.format(part=1, unit='M')})"
    f" + to_days(7 * {_NUM.format(part=1, unit='W')} + {_NUM.format(part=1, unit='D')})"
    f" + to_hours({_NUM.format(part=2, unit='H')}) + to_minutes({_NUM.format(part=2, unit='M')})"
    f" + to_seconds({_NUM.format(part=2, unit='S')})"
)
MACROS = (
    f"CREATE MACRO druid_period(p) AS {_PERIOD}",
    "CREATE MACRO time_floor(t, p) AS time_bucket(druid_period(p), t)",
    "CREATE MACRO time_shift(t, p, n) AS t + druid_period(p) * n",
    "CREATE MACRO time_parse(s) AS CAST(replace(s, 'Z', '') AS TIMESTAMP)",
    "CREATE MACRO millis_to_timestamp(m) AS epoch_ms(CAST(m AS BIGINT))",
    "CREATE MACRO timestamp_to_millis(t) AS epoch_ms(t)",
    "CREATE MACRO mv_to_array(x) AS list_transform(x, lambda e: e)",
    "CREATE MACRO mv_contains(x, v) AS list_contains(x, v)",
)
_DUCK_TYPES = {
    "BIGINT": ("LONG", "BIGINT"), "INTEGER": ("LONG", "BIGINT"), "HUGEINT": ("LONG", "BIGINT"),
    "SMALLINT": ("LONG", "BIGINT"), "TINYINT": ("LONG", "BIGINT"), "DOUBLE": ("DOUBLE", "DOUBLE"),
    "FLOAT": ("FLOAT", "FLOAT"), "VARCHAR": ("STRING", "VARCHAR"), "BOOLEAN": ("LONG", "BOOLEAN"),
    "TIMESTAMP": ("LONG", "TIMESTAMP"), "TIMESTAMP WITH TIME ZONE": ("LONG", "TIMESTAMP"),
    "DATE": ("LONG", "DATE"), "VARCHAR[]": ("ARRAY<STRING>", "VARCHAR ARRAY"),
    "BIGINT[]": ("ARRAY<LONG>", "BIGINT ARRAY"), "INTEGER[]": ("ARRAY<LONG>", "BIGINT ARRAY"),
    "DOUBLE[]": ("ARRAY<DOUBLE>", "DOUBLE ARRAY"),
}  # fmt: skip


class DruidSqlError(Exception):
    """A failure the server reports in Druid's error JSON."""

    def __init__(self, kind: str, message: str, status: int = 400, java_class: str = "") -> None:
        super().__init__(message)
        self.kind, self.message, self.status, self.java_class = kind, message, status, java_class


@dataclass
class Datasource:
    """A seeded datasource: DuckDB column types, Druid's names for them, special columns."""

    name: str
    columns: dict[str, str]  # column -> DuckDB type
    multi_value: set[str] = field(default_factory=set)
    complex: dict[str, str] = field(default_factory=dict)  # column -> COMPLEX<...>

    def info_type(self, column: str) -> str:
        if column in self.complex:
            return self.complex[column]
        if column in self.multi_value:
            return "VARCHAR"
        return _DUCK_TYPES.get(self.columns[column], ("", "OTHER"))[1]


@dataclass
class Result:
    """A statement's columns (name, native type, SQL type) and its DuckDB cursor."""

    columns: list[tuple[str, str, str]]
    cursor: Any
    multi_value: set[int]


class DruidEngine:
    """DuckDB behind the test server; each query runs on a cursor of its own."""

    def __init__(self) -> None:
        self.db = duckdb.connect(":memory:")
        for macro in MACROS:
            self.db.execute(macro)
        self.datasources: dict[str, Datasource] = {}

    def add(self, source: Datasource, rows: Sequence[Sequence[Any]]) -> None:
        cols = ", ".join(f'"{c}" {t}' for c, t in source.columns.items())
        self.db.execute(f'CREATE OR REPLACE TABLE "{source.name}" ({cols})')
        marks = ", ".join("?" for _ in source.columns)
        if rows:
            self.db.executemany(f'INSERT INTO "{source.name}" VALUES ({marks})', list(rows))
        self.datasources[source.name] = source
        self._information_schema()

    def _information_schema(self) -> None:
        db = self.db
        db.execute("CREATE SCHEMA IF NOT EXISTS druid_info")
        db.execute(
            "CREATE OR REPLACE TABLE druid_info.schemata (CATALOG_NAME VARCHAR, "
            "SCHEMA_NAME VARCHAR, SCHEMA_OWNER VARCHAR)"
        )
        for schema in ("druid", "INFORMATION_SCHEMA", "sys", "lookup", "view"):
            db.execute("INSERT INTO druid_info.schemata VALUES ('druid', ?, NULL)", [schema])
        db.execute(
            "CREATE OR REPLACE TABLE druid_info.tables (TABLE_CATALOG VARCHAR, "
            "TABLE_SCHEMA VARCHAR, TABLE_NAME VARCHAR, TABLE_TYPE VARCHAR, "
            "IS_JOINABLE VARCHAR, IS_BROADCAST VARCHAR)"
        )
        db.execute(
            "CREATE OR REPLACE TABLE druid_info.columns (TABLE_CATALOG VARCHAR, "
            "TABLE_SCHEMA VARCHAR, TABLE_NAME VARCHAR, COLUMN_NAME VARCHAR, "
            "ORDINAL_POSITION BIGINT, COLUMN_DEFAULT VARCHAR, IS_NULLABLE VARCHAR, "
            "DATA_TYPE VARCHAR, JDBC_TYPE BIGINT)"
        )
        for source in self.datasources.values():
            db.execute(
                "INSERT INTO druid_info.tables VALUES ('druid', 'druid', ?, 'TABLE', 'NO', 'NO')",
                [source.name],
            )
            for position, column in enumerate(source.columns, start=1):
                nullable = "NO" if column == "__time" else "YES"
                db.execute(
                    "INSERT INTO druid_info.columns VALUES "
                    "('druid', 'druid', ?, ?, ?, NULL, ?, ?, NULL)",
                    [source.name, column, position, nullable, source.info_type(column)],
                )

    # -- SQL ----------------------------------------------------------------------------
    def translate(self, sql: str) -> tuple[str, set[str], dict[str, str]]:
        """Druid SQL -> DuckDB SQL; also the multi-value and complex columns in reach."""
        try:
            statements = sqlglot.parse(sql, read="druid")
        except sqlglot.errors.ParseError as exc:
            raise DruidSqlError("parse", f"Incorrect syntax near the keyword: {exc}") from None
        statements = [s for s in statements if s is not None]
        if len(statements) != 1:
            raise DruidSqlError("invalid", "Druid SQL runs one statement per request")
        tree = statements[0]
        if not isinstance(tree, exp.Query):
            raise DruidSqlError(
                "invalid",
                f"{tree.key.upper()} is not supported by SQL engine [native]: ingestion runs "
                "on the MSQ task engine (/druid/v2/sql/task)",
            )
        multi: set[str] = set()
        complex_: dict[str, str] = {}
        for table in tree.find_all(exp.Table):
            schema = table.db.lower()
            if schema == "information_schema":
                table.set("db", exp.to_identifier("druid_info"))
                continue
            if schema == "druid":
                table.set("db", None)
            source = self.datasources.get(table.name)
            if source is None and schema in ("", "druid"):
                raise DruidSqlError("invalid", f"Object '{table.name}' not found within 'druid'")
            if source is not None:
                multi |= source.multi_value
                complex_.update(source.complex)
        if isinstance(tree, exp.Select):
            for index, projection in enumerate(tree.expressions):
                if not isinstance(projection, (exp.Alias, exp.Column, exp.Star)):
                    projection.replace(exp.alias_(projection.copy(), f"EXPR${index}", quoted=True))
        return tree.sql(dialect="duckdb"), multi, complex_

    def run(self, sql: str, parameters: list[Any]) -> Result:
        duck_sql, multi, complex_ = self.translate(sql)
        cursor = self.db.cursor()
        try:
            cursor.execute(duck_sql, parameters)
        except duckdb.Error as exc:
            cursor.close()
            raise _sql_error(exc) from None
        columns, multi_index = [], set()
        for index, (name, duck_type, *_) in enumerate(cursor.description or ()):
            native, sql_type = _DUCK_TYPES.get(str(duck_type), ("STRING", "VARCHAR"))
            if str(duck_type).startswith("DECIMAL"):
                native, sql_type = "DOUBLE", "DOUBLE"
            if name in complex_:
                native, sql_type = complex_[name], "OTHER"
            elif name in multi and str(duck_type) == "VARCHAR[]":
                native, sql_type = "STRING", "VARCHAR"
                multi_index.add(index)
            columns.append((name, native, sql_type))
        return Result(columns, cursor, multi_index)


def rows(result: Result, time_zone: str, batch: int = 256) -> Iterator[list[Any]]:
    """The result's rows as Druid serialises them into JSON."""
    zone = ZoneInfo(time_zone)
    while chunk := result.cursor.fetchmany(batch):
        for row in chunk:
            yield [_json_value(v, i in result.multi_value, zone) for i, v in enumerate(row)]


def _json_value(value: Any, multi_value: bool, zone: ZoneInfo) -> Any:
    if multi_value:
        if not value:
            return None
        return value[0] if len(value) == 1 else list(value)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        text = value.astimezone(zone).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, datetime.date):
        midnight = datetime.datetime.combine(value, datetime.time(), tzinfo=zone)
        return midnight.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v, False, zone) for v in value]
    return value


def _sql_error(exc: duckdb.Error) -> DruidSqlError:
    text = str(exc).split("\n")[0]
    if isinstance(exc, (duckdb.ConversionException, duckdb.OutOfRangeException)):
        return DruidSqlError("runtime", text, 500, "java.lang.NumberFormatException")
    if isinstance(exc, duckdb.ParserException):
        return DruidSqlError("parse", text)
    if isinstance(exc, duckdb.InvalidInputException) and "were not provided" in text:
        return DruidSqlError("invalid", f"Parameter at position [{text[-1]}] is not bound")
    if isinstance(exc, (duckdb.CatalogException, duckdb.BinderException)):
        return DruidSqlError("invalid", text)
    return DruidSqlError("runtime", text, 500, "java.lang.RuntimeException")


def bind(parameter: dict[str, Any]) -> Any:
    """A parameter's value as Druid's ``SqlParameter`` binds it: a TIMESTAMP given as epoch
    milliseconds (what Druid 33 needs) is that wall-clock time."""
    value = parameter.get("value")
    if parameter.get("type") == "TIMESTAMP" and isinstance(value, int):
        return datetime.datetime(1970, 1, 1) + datetime.timedelta(milliseconds=value)
    return value
