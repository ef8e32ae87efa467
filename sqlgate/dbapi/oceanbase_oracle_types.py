"""OceanBase Oracle mode's own column types on the MySQL wire, decoded to Python and Arrow.

An Oracle-mode tenant answers with MySQL field types plus its own codes 200-211
(``deps/oblib/src/rpc/obmysql/ob_mysql_global.h``, enum ``EMySQLFieldType``, in
oceanbase/oceanbase). Even in the *text* protocol some of them are not text: the server
writes them with ``ObMySQLUtil::otimestamp_cell_str`` / ``interval_ym_cell_str`` /
``interval_ds_cell_str`` (``ob_mysql_util.cpp``), which ignore the protocol and emit OceanBase's
binary layout; obconnector-c reads the same bytes in ``ps_fetch_oracle_timestamp`` /
``ps_fetch_oracle_interval`` (``libmariadb/ma_stmt_codec.c``), obconnector-j's
``TextRowProtocol`` hands them to ``TIMESTAMPTZ(byte[])`` / ``INTERVALDS(byte[])`` unparsed.

The layouts (little-endian):

* TIMESTAMP WITH [LOCAL] TIME ZONE / TIMESTAMP (200/201/202): century, year-in-century (signed
  bytes), month, day, hour, minute, second, nanoseconds (int32), scale; TIME ZONE adds offset
  hours and minutes (signed), then a length-prefixed region name and abbreviation.
* INTERVAL YEAR TO MONTH (204, 7 bytes): sign (non-zero: negative), years (int32), months,
  year precision. INTERVAL DAY TO SECOND (205, 14 bytes): sign, days (int32), hours, minutes,
  seconds, nanoseconds (int32), day precision, fraction precision.
* RAW / BLOB (203/210): the bytes themselves (``varchar_cell_str`` with ``is_oracle_raw`` off);
  NUMBER (246, and NUMBER_FLOAT 206), NVARCHAR2, NCHAR, CLOB, UROWID: text.

Python has microseconds: nanoseconds are truncated to them (documented in
docs/sources/oceanbase.md). A year-to-month interval has no exact Python or timedelta value:
it is Oracle's own text (``+02-03``).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from sqlgate.core.errors import DataError

TIMESTAMP_TZ, TIMESTAMP_LTZ, TIMESTAMP_NANO, RAW = 200, 201, 202, 203
INTERVAL_YM, INTERVAL_DS, NUMBER_FLOAT, NVARCHAR2 = 204, 205, 206, 207
NCHAR, UROWID, ORA_BLOB, ORA_CLOB = 208, 209, 210, 211

#: field type -> the Oracle type name a cursor's description shows
TYPE_NAMES = {
    TIMESTAMP_TZ: "timestamp with time zone",
    TIMESTAMP_LTZ: "timestamp with local time zone",
    TIMESTAMP_NANO: "timestamp",
    RAW: "raw",
    INTERVAL_YM: "interval year to month",
    INTERVAL_DS: "interval day to second",
    NUMBER_FLOAT: "float",
    NVARCHAR2: "nvarchar2",
    NCHAR: "nchar",
    UROWID: "urowid",
    ORA_BLOB: "blob",
    ORA_CLOB: "clob",
    # MySQL codes an Oracle-mode tenant uses for Oracle's own types
    4: "binary_float",
    5: "binary_double",
    12: "date",  # Oracle's DATE holds a time of day: MYSQL_TYPE_DATETIME
    246: "number",
    253: "varchar2",
    254: "char",
}

_ARROW = {
    "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    "timestamp with local time zone": pa.timestamp("us"),
    "timestamp": pa.timestamp("us"),
    "date": pa.timestamp("us"),
    "raw": pa.binary(),
    "blob": pa.binary(),
    "interval day to second": pa.duration("us"),
    "interval year to month": pa.string(),
    "float": pa.string(),  # NUMBER_FLOAT is a decimal of any exponent: exact as text
    "nvarchar2": pa.string(),
    "nchar": pa.string(),
    "urowid": pa.string(),
    "clob": pa.string(),
    "varchar2": pa.string(),
    "char": pa.string(),
    "binary_float": pa.float64(),
    "binary_double": pa.float64(),
}


def arrow_type(name: str, precision: int | None, scale: int | None) -> pa.DataType | None:
    """The Arrow type of an Oracle-mode column; ``None`` where the MySQL mapping applies.

    ``NUMBER(p, s)`` is an exact decimal; a NUMBER without a fixed precision (its exponent
    runs from -130 to 125) fits no Arrow decimal and is exact text instead."""
    if name == "number":
        if precision and 0 < precision <= 38 and scale is not None and 0 <= scale <= precision:
            return pa.decimal128(precision, scale)
        return pa.string()
    return _ARROW.get(name)


def _year(century: int, year: int) -> int:
    value = century * 100 + year
    if not 1 <= value <= 9999:
        raise DataError(f"an Oracle-mode timestamp in year {value} has no Python datetime")
    return value


def _signed(byte: int) -> int:
    return byte - 256 if byte > 127 else byte


def _wall_time(data: bytes) -> datetime.datetime:
    if len(data) < 12:
        raise DataError(f"an Oracle-mode timestamp needs 12 bytes, the server sent {len(data)}")
    nanos = int.from_bytes(data[7:11], "little", signed=True)
    return datetime.datetime(
        _year(_signed(data[0]), _signed(data[1])),
        data[2],
        data[3],
        data[4],
        data[5],
        data[6],
        nanos // 1000,
    )


def decode_timestamp(data: bytes) -> datetime.datetime:
    """TIMESTAMP / TIMESTAMP WITH LOCAL TIME ZONE: wall time (the session's zone for LTZ)."""
    return _wall_time(data)


def decode_timestamp_tz(data: bytes) -> datetime.datetime:
    """TIMESTAMP WITH TIME ZONE: the wall time at its offset (or region), as an aware value."""
    wall = _wall_time(data)
    if len(data) < 15:
        raise DataError("an Oracle-mode TIMESTAMP WITH TIME ZONE came without its time zone")
    offset = datetime.timedelta(hours=_signed(data[12]), minutes=_signed(data[13]))
    name_length = data[14]
    region = data[15 : 15 + name_length].decode("ascii", "replace")
    if region:
        try:
            from zoneinfo import ZoneInfo

            return wall.replace(tzinfo=ZoneInfo(region))
        except (ValueError, KeyError, ImportError, OSError):
            pass  # an unknown region: the offset the server sent still places it
    return wall.replace(tzinfo=datetime.timezone(offset))


def decode_interval_ds(data: bytes) -> datetime.timedelta:
    """INTERVAL DAY TO SECOND as a timedelta (nanoseconds truncated to microseconds)."""
    if len(data) != 14:
        raise DataError(f"an INTERVAL DAY TO SECOND is 14 bytes, the server sent {len(data)}")
    value = datetime.timedelta(
        days=int.from_bytes(data[1:5], "little", signed=True),
        hours=data[5],
        minutes=data[6],
        seconds=data[7],
        microseconds=int.from_bytes(data[8:12], "little", signed=True) // 1000,
    )
    return -value if data[0] else value


def decode_interval_ym(data: bytes) -> str:
    """INTERVAL YEAR TO MONTH as Oracle prints it: ``+02-03`` (years padded to the precision)."""
    if len(data) != 7:
        raise DataError(f"an INTERVAL YEAR TO MONTH is 7 bytes, the server sent {len(data)}")
    years = int.from_bytes(data[1:5], "little", signed=True)
    sign = "-" if data[0] else "+"
    return f"{sign}{years:0{max(data[6], 1)}d}-{data[5]:02d}"


_Decoder = Callable[[Any], Any]  # bytes in, or the ASCII text of a number


def converters(type_code: int, charsetnr: int, encoding: str) -> tuple[str | None, _Decoder | None]:
    """PyMySQL's (encoding, converter) pair for a field of an Oracle-mode type; PyMySQL alone
    would read these codes as ASCII text."""
    if type_code in (TIMESTAMP_LTZ, TIMESTAMP_NANO):
        return None, decode_timestamp
    if type_code == TIMESTAMP_TZ:
        return None, decode_timestamp_tz
    if type_code == INTERVAL_DS:
        return None, decode_interval_ds
    if type_code == INTERVAL_YM:
        return None, decode_interval_ym
    if type_code in (RAW, ORA_BLOB):
        return None, None
    if type_code == NUMBER_FLOAT:
        return "ascii", decimal.Decimal
    if type_code == ORA_CLOB and charsetnr == 63:  # a binary LOB under the CLOB code
        return None, None
    return encoding, None  # NVARCHAR2, NCHAR, UROWID, CLOB: text in the link's encoding


def fix_converters(result: Any) -> None:
    """Point a PyMySQL result's converters at the Oracle-mode decoders (before any row)."""
    if result is None or not getattr(result, "fields", None):
        return
    encoding = result.connection.encoding
    result.converters = [
        converters(field.type_code, field.charsetnr, encoding)
        if field.type_code in range(TIMESTAMP_TZ, ORA_CLOB + 1)
        else pair
        for field, pair in zip(result.fields, result.converters, strict=True)
    ]
