"""Zoned timestamps are built from their pickle state (issue #11, the Druid row path): every
value, its tzinfo object and its ``fold`` must be exactly pyarrow's own ``to_pylist``, across
datetime's whole range, every unit, DST transitions, nulls and sliced arrays."""

from __future__ import annotations

import random
import subprocess
import sys

import pyarrow as pa
import pytest

from sqlgate.core.arrow_rows import _SMALL, _in_zone, column_values
from tests.unit.test_arrow_rows import COLUMNS

ZONES = ["UTC", "Etc/UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "+05:30",
         "-03:00", "+00:00", "Asia/Kathmandu"]  # fmt: skip
UNITS = {"s": 1, "ms": 1_000, "us": 1_000_000}
#: datetime's range in seconds, two days in from each end (the fast path's bounds)
LOW, HIGH = -62_135_596_800 + 172_800, 253_402_300_799 - 172_800


def _values(per: int, rng: random.Random) -> list[int | None]:
    """Random instants over the whole range, near the epoch, and on both sides of the DST
    changes of 2026 (02:00-03:00 local in Paris, New York's 1 a.m. fold), with nulls."""
    out: list[int | None] = [rng.randint(LOW * per, HIGH * per) for _ in range(300)]
    out += [rng.randint(-10 * per, 10 * per) for _ in range(50)]
    for change in (1_774_746_000, 1_792_890_000, 1_772_952_400, 1_793_512_800):
        out += [(change + rng.randint(-7_200, 7_200)) * per + rng.randrange(per) for _ in range(40)]
    out += [LOW * per, HIGH * per, 0, -1, per - 1]
    for index in rng.sample(range(len(out)), 40):
        out[index] = None
    return out


def _same(got: list[object], expected: list[object]) -> None:
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert [getattr(v, "tzinfo", None) for v in got] == [
        getattr(v, "tzinfo", None) for v in expected
    ]
    assert [getattr(v, "fold", None) for v in got] == [getattr(v, "fold", None) for v in expected]
    assert [str(v) for v in got] == [str(v) for v in expected]  # wall time and offset


@pytest.mark.parametrize("unit", sorted(UNITS))
@pytest.mark.parametrize("zone", ZONES)
def test_zoned_values_equal_to_pylist(zone: str, unit: str) -> None:
    rng = random.Random(f"{zone}/{unit}")
    array = pa.array(_values(UNITS[unit], rng), pa.int64()).view(pa.timestamp(unit, tz=zone))
    for part in (array, array.slice(7), array.slice(3, 100)):
        _same(column_values(part), part.to_pylist())
        _same(_in_zone(part, UNITS[unit]) or [], part.to_pylist())  # the fast path itself


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_long_columns_take_the_fast_paths_exactly(name: str) -> None:
    """``test_arrow_rows``'s columns, repeated past the length below which ``to_pylist`` is
    used as it is, so the numpy and Decimal paths are the ones compared."""
    column = COLUMNS[name]
    long = pa.concat_arrays([column] * (_SMALL // max(len(column) - 1, 1) + 2))
    for part in (long, long.slice(1)):
        assert len(part) >= _SMALL
        _same(column_values(part), part.to_pylist())


def test_leading_nulls_and_all_nulls() -> None:
    kind = pa.timestamp("ms", tz="Europe/Paris")
    array = pa.array([None, None, 1_767_225_600_000, None], pa.int64()).view(kind)
    _same(column_values(array), array.to_pylist())
    empty = pa.array([None, None], pa.int64()).view(kind)
    assert column_values(empty) == [None, None]


def test_null_slot_holding_an_out_of_range_value() -> None:
    """A null's slot may hold any bytes (here int64's minimum): it must not decide the path
    nor fail the conversion."""
    data = pa.py_buffer(pa.array([-(2**63), 0], pa.int64()).buffers()[1])
    validity = pa.py_buffer(bytes([0b10]))
    array = pa.Array.from_buffers(pa.timestamp("us", tz="UTC"), 2, [validity, data], 1)
    _same(column_values(array), array.to_pylist())


_WITHOUT_NUMPY = """
import sys
sys.modules["numpy"] = None  # as if not installed: pyarrow 16+ runs without it
import pyarrow as pa
from sqlgate.core.arrow_rows import column_values
kinds = [(pa.timestamp("ms", tz="Europe/Paris"), pa.int64(), 86_399_999),
         (pa.timestamp("us"), pa.int64(), 1_234_567), (pa.date32(), pa.int32(), 40)]
for kind, storage, step in kinds:
    array = pa.array([None if i % 7 == 0 else i * step for i in range(100)], storage).view(kind)
    assert column_values(array) == array.to_pylist(), kind
print("ok")
"""


def test_without_numpy_every_column_takes_to_pylist() -> None:
    """numpy is no dependency of the base install: rows must still come, equal."""
    done = subprocess.run(
        [sys.executable, "-c", _WITHOUT_NUMPY], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"
