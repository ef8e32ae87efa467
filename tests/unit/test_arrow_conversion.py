"""Rows -> Arrow in sqlgate.core.results: exact, a documented text form, or a PEP 249 error."""

from __future__ import annotations

import datetime
import decimal

import pyarrow as pa
import pytest

from sqlgate.core import errors
from sqlgate.core.results import Column, RowResult, rows_to_batch, text_form


class _Rows:
    """A row source as a driver cursor offers it, with rows already read (``peek``)."""

    rowcount = -1

    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows

    def peek(self) -> list[tuple]:
        return list(self._rows)

    def fetchmany(self, size: int) -> list[tuple]:
        out, self._rows = self._rows[:size], self._rows[size:]
        return out

    def fetchall(self) -> list[tuple]:
        return self.fetchmany(len(self._rows))

    def close(self) -> None:
        self._rows = []


def _result(rows: list[tuple], arrow_type: pa.DataType) -> RowResult:
    return RowResult(_Rows(rows), (Column("v", "t"),), lambda col: arrow_type, lambda f: f())


def test_text_form_is_lossless_text() -> None:
    assert text_form(decimal.Decimal("NaN")) == "NaN"
    assert text_form(decimal.Decimal("1.50")) == "1.50"
    assert text_form([[1, 2], [3, None]]) == "[[1, 2], [3, null]]"
    assert text_form({"a": decimal.Decimal("1.5")}) == '{"a": "1.5"}'
    aware = datetime.time(12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30)))
    assert text_form(aware) == "12:00:00+05:30"
    assert text_form(b"\x00\xff") == "\\x00ff"
    assert text_form(None) is None


def test_first_rows_that_do_not_fit_make_a_string_column() -> None:
    """A zero date among dates: the column becomes the text of every value, nothing nulled."""
    result = _result([(datetime.date(2024, 2, 29),), ("0000-00-00",), (None,)], pa.date32())
    assert result.arrow_schema().field("v").type == pa.string()
    batch = next(result.record_batches())
    assert batch.column(0).to_pylist() == ["2024-02-29", "0000-00-00", None]


def test_fitting_first_rows_keep_the_mapped_type() -> None:
    result = _result([(decimal.Decimal("1.50"),)], pa.decimal128(10, 2))
    assert result.arrow_schema().field("v").type == pa.decimal128(10, 2)


def test_a_later_misfit_is_a_data_error_naming_the_fix() -> None:
    schema = pa.schema([pa.field("amount", pa.decimal128(10, 2))])
    with pytest.raises(errors.DataError, match=r"'amount'.*NaN.*CAST"):
        rows_to_batch([(decimal.Decimal("1.00"),), (decimal.Decimal("NaN"),)], schema)


def test_lists_of_strings_take_each_elements_text() -> None:
    schema = pa.schema([pa.field("a", pa.list_(pa.string()))])
    batch = rows_to_batch([([decimal.Decimal("1.5"), decimal.Decimal("NaN")],), (None,)], schema)
    assert batch.column(0).to_pylist() == [["1.5", "NaN"], None]


def test_two_dimensional_values_in_a_list_column_are_refused_not_flattened() -> None:
    schema = pa.schema([pa.field("a", pa.list_(pa.int32()))])
    with pytest.raises(errors.DataError, match="'a'"):
        rows_to_batch([([1, 2],), ([[1, 2], [3, 4]],)], schema)
