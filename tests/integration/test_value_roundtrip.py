"""Every value a driver returns reaches rows, Arrow and pandas exactly (docs/types.md).

For each type each wire family has, one statement selects a few values of it (edge values
included) and the test compares, value by value: the raw driver's values read directly,
sqlgate's ``fetchall``, ``fetch_arrow_table().to_pylist()`` and ``fetch_df()``. Equal, or equal
under the documented fallback (:func:`sqlgate.core.results.text_form` for a string column);
never an exception that is not PEP 249's, never a silent change.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
from typing import Any

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core.results import text_form
from tests.servers import mariadb, postgres
from tests.servers.base import ServerInfo

PG_SETUP = (
    "DROP TYPE IF EXISTS rt_mood CASCADE",
    "CREATE TYPE rt_mood AS ENUM ('sad', 'ok', 'happy')",
    "DROP TYPE IF EXISTS rt_pair CASCADE",
    "CREATE TYPE rt_pair AS (a int, b text)",
)
# label -> the values of one column, as SQL expressions (one row each)
PG_CASES: dict[str, list[str]] = {
    "int2": ["(-32768)::int2", "32767::int2"],
    "int4": ["2147483647"],
    "int8": ["(-2)::int8"],
    "float4": ["1.1::float4", "'NaN'::float4", "'-Infinity'::float4"],
    "float8": ["0.1::float8", "'Infinity'::float8", "'NaN'::float8"],
    "numeric": ["1.50::numeric", "'NaN'::numeric", "'Infinity'::numeric", "'-Infinity'::numeric"],
    "numeric(10,2)": ["12.5::numeric(10,2)", "'NaN'::numeric(10,2)"],
    "numeric(50,20)": ["1.00000000000000000001::numeric(50,20)"],
    "money": ["12.34::money", "(-1)::money"],
    "bool": ["true", "false"],
    "text": ["'γάμμα 中文'::text", "''::text"],
    "varchar": ["'x'::varchar(3)"],
    "char": ["'a'::char(3)"],
    "name": ["'n'::name"],
    "bytea": ["'\\x00ff'::bytea"],
    "bit": ["B'101'::bit(3)"],
    "varbit": ["B'1'::varbit"],
    "date": ["'2024-02-29'::date", "'0001-01-01'::date"],
    "time": ["'23:59:59.999999'::time"],
    "timetz": ["'12:34:56+05:30'::timetz"],
    "timestamp": ["'2024-01-01 00:00:00.5'::timestamp"],
    "timestamptz": ["'2024-01-01 12:00+02'::timestamptz"],
    "interval": ["'1 day 02:03:04.5'::interval", "'-3 hours'::interval"],
    "uuid": ["'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid"],
    "inet": ["'10.0.0.1/8'::inet"],
    "cidr": ["'10.0.0.0/8'::cidr"],
    "macaddr": ["'08:00:2b:01:02:03'::macaddr"],
    "json": ["'{\"a\": [1, 2.5, null]}'::json"],
    "jsonb": ['\'{"b": {"c": true}}\'::jsonb'],
    "int4[]": ["ARRAY[1, NULL, 3]"],
    "int4[][]": ["ARRAY[[1,2],[3,4]]"],
    "text[]": ["ARRAY['a', 'b,c']"],
    "numeric[]": ["ARRAY[1.5, 'NaN']::numeric[]"],
    "int4range": ["int4range(1, 10)"],
    "tstzrange": ["tstzrange('2024-01-01', NULL)"],
    "enum": ["'happy'::rt_mood"],
    "composite": ["ROW(1, 'x')::rt_pair"],
    "oid": ["1::oid"],
    "xml": ["'<a/>'::xml"],
    "point": ["point(1, 2)"],
}
MY_SETUP_SQL_MODE = "SET SESSION sql_mode = 'ALLOW_INVALID_DATES'"
# label -> (column definition, values as SQL literals)
MY_CASES: dict[str, tuple[str, list[str]]] = {
    "tinyint": ("tinyint", ["-128", "127"]),
    "tinyint unsigned": ("tinyint unsigned", ["255"]),
    "smallint": ("smallint", ["-32768"]),
    "mediumint": ("mediumint", ["8388607"]),
    "int": ("int", ["-2147483648"]),
    "int unsigned": ("int unsigned", ["4294967295"]),
    "bigint": ("bigint", ["-9223372036854775808"]),
    "bigint unsigned": ("bigint unsigned", ["18446744073709551615"]),
    "float": ("float", ["1.1", "-0.5"]),
    "double": ("double", ["0.1"]),
    "decimal": ("decimal(10,2)", ["12.50", "-0.01"]),
    "decimal(65,30)": ("decimal(65,30)", ["1.5"]),
    "bool": ("boolean", ["true"]),
    "bit(1)": ("bit(1)", ["b'1'"]),
    "bit(64)": ("bit(64)", ["b'1111111111111111111111111111111111111111111111111111111111111111'"]),
    "date": ("date", ["'2024-02-29'", "'0000-00-00'"]),
    "datetime": ("datetime(6)", ["'2024-01-01 00:00:00.5'", "'0000-00-00 00:00:00'"]),
    "timestamp": ("timestamp NULL", ["'2024-01-01 12:00:00'"]),
    "time": ("time(6)", ["'838:59:59'", "'-00:00:01.5'"]),
    "year": ("year", ["2024"]),
    "char": ("char(3)", ["'ab'"]),
    "varchar": ("varchar(10)", ["'γάμμα'"]),
    "text": ("text", ["'t'"]),
    "tinytext": ("tinytext", ["'t'"]),
    "mediumtext": ("mediumtext", ["'t'"]),
    "longtext": ("longtext", ["'t'"]),
    "binary": ("binary(2)", ["x'00ff'"]),
    "varbinary": ("varbinary(4)", ["x'00'"]),
    "blob": ("blob", ["x'0102'"]),
    "tinyblob": ("tinyblob", ["x'01'"]),
    "mediumblob": ("mediumblob", ["x'01'"]),
    "longblob": ("longblob", ["x'01'"]),
    "json": ("json", ["'{\"a\": [1, 2.5]}'"]),
    "enum": ("enum('a','b')", ["'b'"]),
    "set": ("set('a','b')", ["'a,b'"]),
    "geometry": ("geometry", ["ST_GeomFromText('POINT(1 2)')"]),
}


def _same(driver: Any, other: Any) -> bool:
    """Equal, treating NaN as equal to NaN and the documented text form as equal."""
    if driver is None or other is None:
        return driver is None and (other is None or _is_nan(other))
    if isinstance(other, str) and not isinstance(driver, str):
        return other == text_form(driver)
    if isinstance(driver, (list, tuple)) and isinstance(other, (list, tuple)):
        return len(driver) == len(other) and all(map(_same, driver, other))
    if isinstance(driver, float) and math.isnan(driver):
        return _is_nan(other)
    if isinstance(driver, decimal.Decimal) and driver.is_nan():
        return isinstance(other, decimal.Decimal) and other.is_nan()
    return (bool(driver == other) and type(driver) is not bool) or driver is other


def _is_nan(value: Any) -> bool:
    try:
        return bool(value != value)  # NaN, NaT, pandas.NA-free
    except TypeError:
        return False


def _pandas_value(value: Any) -> Any:
    """What pandas hands back, as the plain Python value Arrow's to_pylist gives."""
    import pandas

    if value is pandas.NaT:
        return None
    if hasattr(value, "to_pytimedelta"):
        return value.to_pytimedelta()
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    return value


def _compare(label: str, raw_rows: list[tuple[Any, ...]], cursor: Any, sql: str) -> None:
    rows = cursor.execute(sql).fetchall()
    table = cursor.execute(sql).fetch_arrow_table()
    frame = cursor.execute(sql).fetch_df()
    arrow_values = table.column(0).to_pylist()
    pandas_values = [_pandas_value(v) for v in frame.iloc[:, 0].tolist()]
    driver_values = [row[0] for row in raw_rows]
    assert [row[0] for row in rows] == driver_values or all(
        map(_same, driver_values, [row[0] for row in rows])
    ), (label, rows, driver_values)
    field = table.schema.field(0).type
    for mine, theirs, what in (
        (arrow_values, driver_values, f"Arrow {field}"),
        (pandas_values, arrow_values, "pandas"),
    ):
        bad = [(a, b) for a, b in zip(theirs, mine, strict=True) if not _same(a, b)]
        assert not bad, f"{label}: {what} differs from the driver's values: {bad}"


@pytest.fixture(scope="module")
def pg_types(postgres_server: ServerInfo) -> ServerInfo:
    postgres.admin_execute(postgres_server)
    with postgres.connect(postgres_server) as conn:
        for statement in PG_SETUP:
            conn.execute(statement)
    return postgres_server


@pytest.mark.parametrize("label", list(PG_CASES))
def test_postgres_value_roundtrip(pg_types: ServerInfo, label: str) -> None:
    sql = " UNION ALL ".join(f"SELECT {expr} AS v" for expr in PG_CASES[label])
    with postgres.connect(pg_types) as raw:
        raw_rows = raw.execute(sql).fetchall()
    with sqlgate.connect(pg_types.url("postgresql")) as conn:
        _compare(label, raw_rows, conn.cursor(), sql)


@pytest.fixture(scope="module")
def my_types(mariadb_server: ServerInfo) -> ServerInfo:
    """One table per case, filled by the admin under a permissive sql_mode (zero dates)."""
    with (
        mariadb.admin_connect(mariadb_server, database=mariadb_server.database) as admin,
        admin.cursor() as cur,
    ):
        cur.execute(MY_SETUP_SQL_MODE)
        for index, (column, values) in enumerate(MY_CASES.values()):
            cur.execute(f"DROP TABLE IF EXISTS rt_{index}")
            cur.execute(f"CREATE TABLE rt_{index} (n int, v {column}) CHARACTER SET utf8mb4")
            for n, value in enumerate(values):
                cur.execute(f"INSERT INTO rt_{index} VALUES ({n}, {value})")
    return mariadb_server


@pytest.mark.parametrize("label", list(MY_CASES))
def test_mariadb_value_roundtrip(my_types: ServerInfo, label: str) -> None:
    sql = f"SELECT v FROM rt_{list(MY_CASES).index(label)} ORDER BY n"
    with mariadb.admin_connect(my_types, database=my_types.database) as raw, raw.cursor() as cur:
        cur.execute(sql)
        raw_rows = list(cur.fetchall())
    with sqlgate.connect(my_types.url("mysql")) as conn:
        _compare(label, raw_rows, conn.cursor(), sql)


def test_fallbacks_are_the_documented_ones(pg_types: ServerInfo) -> None:
    """The mapping decisions docs/types.md states, checked on the schema itself."""
    sql = (
        "SELECT 12.34::money AS m, '12:00+01'::timetz AS t, '1 day'::interval AS i, "
        "1.5::float4 AS f, ARRAY[[1,2],[3,4]] AS a"
    )
    with sqlgate.connect(pg_types.url("postgresql")) as conn:
        table = conn.cursor().execute(sql).fetch_arrow_table()
    assert table.schema.field("m").type == pa.string()
    assert table.column("t").to_pylist() == ["12:00:00+01:00"]
    assert table.schema.field("i").type == pa.duration("us")
    assert table.column("i").to_pylist() == [datetime.timedelta(days=1)]
    assert table.schema.field("f").type == pa.float64()
    assert json.loads(table.column("a").to_pylist()[0]) == [[1, 2], [3, 4]]
