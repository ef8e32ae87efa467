"""Rows are a view over Arrow batches: the fast conversion must give exactly ``to_pylist``'s
values (same types, same tzinfo objects), and row fetches in any order see every row once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from sqlgate.core.arrow_rows import batch_to_rows, column_values
from sqlgate.core.results import ArrowResult, Column

_US = 1_000_000
_MAX_US = 253_402_300_799 * _US  # 9999-12-31 23:59:59 UTC
_MIN_US = -62_135_596_800 * _US  # 0001-01-01 00:00:00 UTC


def _ints(values: list[int | None], kind: pa.DataType) -> pa.Array:
    storage = pa.int32() if kind.bit_width == 32 else pa.int64()
    return pa.array(values, storage).view(kind)


COLUMNS = {
    "date32": _ints([0, None, -719_162, 2_932_896, 19_000], pa.date32()),
    "ts_s": _ints([0, None, 1_700_000_000, -5], pa.timestamp("s")),
    "ts_ms": _ints([0, None, 1_700_000_000_123, -5], pa.timestamp("ms")),
    "ts_us": _ints([0, None, 1_700_000_000_123_456, -5], pa.timestamp("us")),
    "ts_ns": _ints([0, None, 1_700_000_000_123_456_789], pa.timestamp("ns")),
    "ts_utc": _ints([0, None, 1_700_000_000_123_456], pa.timestamp("us", tz="UTC")),
    "ts_berlin": _ints([0, None, 1_690_000_000_000_000], pa.timestamp("us", tz="Europe/Berlin")),
    "ts_offset": _ints([0, None, 1_700_000_000_000], pa.timestamp("ms", tz="+05:30")),
    "ts_all_null": _ints([None, None], pa.timestamp("us", tz="UTC")),
    "duration": _ints([0, None, -5, 2**62], pa.duration("us")),
    "decimal": pa.array(
        [Decimal("1.00"), None, Decimal("-0.05"), Decimal("0"), Decimal("12345678901234.56")],
        pa.decimal128(18, 2),
    ),
    "decimal0": pa.array([Decimal("7"), None, Decimal("-123")], pa.decimal128(10, 0)),
    "decimal256": pa.array([Decimal("1" * 60 + ".5"), None], pa.decimal256(70, 1)),
    "date64": pa.array([86_400_000, None], pa.date64()),
    "date32_nulls": _ints([None if i % 3 == 0 else i for i in range(21)], pa.date32()).slice(9),
    "string": pa.array(["a", None, "ü"]),
    "int64": pa.array([1, None, -(2**63)]),
    "double": pa.array([1.5, None, float("inf")]),
    "list": pa.array([[1, 2], None, []]),
}


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_column_values_equal_to_pylist(name: str) -> None:
    column = COLUMNS[name]
    for array in (column, column.slice(1)):  # a sliced array has a non-zero offset
        expected = array.to_pylist()
        got = column_values(array)
        assert got == expected
        assert [type(v) for v in got] == [type(v) for v in expected]
        assert [getattr(v, "tzinfo", None) for v in got] == [
            getattr(v, "tzinfo", None) for v in expected
        ]
        assert [str(v) for v in got] == [str(v) for v in expected]  # Decimal keeps its scale


def test_datetime_range_edges_take_pyarrow_path() -> None:
    """Values near or beyond datetime's range behave exactly as pyarrow's own conversion."""
    near = _ints([_MAX_US, _MIN_US], pa.timestamp("us"))
    assert column_values(near) == near.to_pylist()
    zoned = _ints([_MAX_US], pa.timestamp("us", tz="+05:00"))  # past 9999 once shifted
    with pytest.raises((OverflowError, ValueError)):
        zoned.to_pylist()
    with pytest.raises((OverflowError, ValueError)):
        column_values(zoned)
    beyond = _ints([3_000_000], pa.date32())  # year > 9999: never a bare int
    with pytest.raises((OverflowError, ValueError)):
        column_values(beyond)


def _result(batches: list[pa.RecordBatch]) -> ArrowResult:
    reader = pa.RecordBatchReader.from_batches(batches[0].schema, batches)
    columns = tuple(Column(n, None) for n in batches[0].schema.names)
    return ArrowResult(reader, columns, lambda call: call())


def _batches(sizes: list[int]) -> tuple[list[pa.RecordBatch], list[tuple[Any, ...]]]:
    out, start = [], 0
    for size in sizes:
        ids = list(range(start, start + size))
        days = [dt.date(2026, 1, 1) + dt.timedelta(days=i % 400) for i in ids]
        out.append(pa.record_batch({"id": ids, "day": pa.array(days, pa.date32())}))
        start += size
    rows = [r for b in out for r in zip(*(c.to_pylist() for c in b.columns), strict=True)]
    return out, rows


def test_fetch_patterns_see_every_row_once() -> None:
    batches, expected = _batches([5, 0, 7, 1, 20])
    result = _result(batches)
    got = [*result.fetchmany(1), *result.fetchmany(0), *result.fetchmany(3)]
    got += result.fetchmany(6)  # crosses the empty batch and into the third
    got += result.fetchmany(2)
    got += [r for b in result.record_batches(4) for r in batch_to_rows(b)]
    assert got == expected
    assert result.fetchall() == [] and result.fetchmany(5) == []


def test_fetchone_then_fetchall_and_close() -> None:
    batches, expected = _batches([3, 4])
    result = _result(batches)
    first = [result.fetchone(), result.fetchmany(1)[0], result.fetchone(), result.fetchone()]
    assert first + result.fetchall() == expected
    assert result.fetchone() is None
    result.close()
    assert result.fetchmany(1) == []


def test_rows_never_import_pandas() -> None:
    """A cold connection's first rows must not pay for pandas (``to_numpy`` would import it)."""
    code = (
        "import sys, duckdb\n"
        "from sqlgate.core.arrow_rows import batch_to_rows\n"
        "sql = \"SELECT DATE '2026-01-01' + i::INT AS d, TIMESTAMP '2026-01-01' + to_seconds(i)"
        " AS t, CASE WHEN i % 3 = 0 THEN NULL ELSE (i * 1.5)::DECIMAL(9,2) END AS x"
        ' FROM range(10) r(i)"\n'
        "batch = duckdb.connect().execute(sql).to_arrow_reader().read_next_batch()\n"
        "assert len(batch_to_rows(batch)) == 10\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "False"
