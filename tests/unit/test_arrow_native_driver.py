"""A driver whose cursor hands Arrow over: the result keeps the driver's batches.

DuckDB's Python DB-API is a real driver of that kind (as ADBC's and the warehouses' Arrow
clients are): its cursor has ``to_arrow_reader`` (ADBC's: ``fetch_record_batch``). A
:class:`DriverSession` over it must return the driver's own batches (types kept exactly,
no Arrow rebuilt from tuples), and the rows a cursor fetches are a view over them.
"""

from __future__ import annotations

import decimal
import warnings

import duckdb
import pyarrow as pa

from sqlgate.core.connection import Connection
from sqlgate.core.driver import DriverSession
from sqlgate.core.flavor import Flavor
from sqlgate.core.results import ArrowResult, Column

QUERY = """
SELECT i, i * 1.5::DECIMAL(10, 3) AS d, 'r' || i AS s, [i, i + 1] AS l, {'k': i} AS st,
       170141183460469231731687303715884105727::HUGEINT AS h
FROM range(25000) t(i)
"""


class ArrowNativeSession(DriverSession):
    """The smallest family over an Arrow-native DB-API driver (no guard: a test source)."""

    def describe(self, cursor):  # the row path is not taken for this driver
        return tuple(Column(d[0], d[1]) for d in cursor.description)

    def arrow_type(self, column):
        return None

    def close(self) -> None:
        self._raw.close()


def _raw_arrow() -> pa.Table:
    """The raw driver's own Arrow answer."""
    with warnings.catch_warnings():  # DuckDB's note that its DB-API result copies once
        warnings.simplefilter("ignore", UserWarning)
        return duckdb.connect().execute(QUERY).to_arrow_table()


def _session() -> ArrowNativeSession:
    return ArrowNativeSession(
        duckdb.connect(), Flavor("duckdb-test"), "DuckDB " + duckdb.__version__
    )


def test_the_drivers_batches_are_the_result():
    session = _session()
    result = session.execute(QUERY, None)
    assert isinstance(result, ArrowResult)
    table = pa.Table.from_batches(list(result.record_batches()), result.arrow_schema())
    want = _raw_arrow()
    assert table.schema == want.schema  # the driver's own types, DECIMAL and HUGEINT included
    assert table.equals(want)
    session.close()


def test_rows_are_a_view_over_the_batches():
    session = _session()
    conn = Connection(
        session, source="duckdb-test", url="duckdb-test://", gate_policy=None, read_only=False
    )
    cur = conn.cursor()
    cur.execute(QUERY)
    assert [d[0] for d in cur.description] == ["i", "d", "s", "l", "st", "h"]
    first = cur.fetchmany(3)
    rest = cur.fetchall()
    raw = duckdb.connect().execute(QUERY).fetchall()
    assert first + rest == raw
    assert first[1][1] == decimal.Decimal("1.500")
    cur.execute(QUERY)
    assert cur.fetch_arrow_table().equals(_raw_arrow())
    conn.close()
