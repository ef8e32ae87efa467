"""DaMeng DM8's type table for sqlgate's type machinery (:mod:`sqlgate.core.typemap`).

DM writes types the Oracle way (``NUMBER``, ``VARCHAR2``, ``CLOB``) beside its own SQL-92
names (``DATETIME``, ``TEXT``, ``IMAGE``, ``BYTE``); sqlglot's Oracle dialect parses the
text, and DM-only names are aliased first. dmPython's result metadata reports a type class
per column (``dmPython.NUMBER``, ``dmPython.STRING``), mapped here to a type name.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from sqlgate.core.typemap import TypeMap
from sqlgate.core.types_entries import (
    BLOB,
    BOOL,
    CHAR,
    DATE,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    INTERVAL,
    STR,
    TEXT,
    TIME,
    TS,
    TSTZ,
    VARCHAR,
    decimal,
    time_,
)

DAMENG_TYPES = TypeMap(
    # DM's own spellings, read before sqlglot's Oracle parser sees them
    {
        "image": "blob",
        "longvarbinary": "blob",
        "bfile": STR,  # a locator naming a server file; its text, never the file
        "rowid": STR,
        "byte": "tinyint",
        "datetime with time zone": "timestamptz",
        "timestamp with local time zone": "timestamptz",
        "time with time zone": "timetz",
        "binary_integer": "int",
        "pls_integer": "int",
        "real": F32,  # 24 binary digits in DM; FLOAT and DOUBLE are 53
    },
    kinds={
        **{"bit": BOOL, "boolean": BOOL, "tinyint": I8, "smallint": I16, "int": I32},
        # an unconstrained NUMBER holds any scale: Arrow string (exact), as for PostgreSQL
        **{"bigint": I64, "float": F64, "double": F64, "decimal": decimal()},
        **{"char": CHAR, "nchar": CHAR, "varchar": VARCHAR, "nvarchar": VARCHAR},
        **{"text": TEXT, "varbinary": BLOB, "binary": BLOB, "blob": BLOB, "date": DATE},
        **{"time": TIME, "timetz": time_(timezone=True), "timestamp": TS, "datetime": TS},
        **{"timestamptz": TSTZ, "interval": INTERVAL},
    },
    dialect="oracle",
    name="dameng",
)

#: dmPython's type classes (``cursor.description[i][1]``) -> DM type names
DRIVER_TYPE_NAMES: dict[str, str] = {
    "NUMBER": "NUMBER",
    "DECIMAL": "DECIMAL",
    "BIGINT": "BIGINT",
    "DOUBLE": "DOUBLE",
    "REAL": "REAL",
    "BOOLEAN": "BIT",
    "STRING": "VARCHAR",
    "FIXED_STRING": "CHAR",
    "LONG_STRING": "CLOB",
    "CLOB": "CLOB",
    "BINARY": "VARBINARY",
    "FIXED_BINARY": "BINARY",
    "LONG_BINARY": "BLOB",
    "BLOB": "BLOB",
    "BFILE": "BFILE",
    "DATE": "DATE",
    "TIME": "TIME",
    "TIMESTAMP": "TIMESTAMP",
    "DATETIME": "DATETIME",
    "TIME_WITH_TIMEZONE": "TIME WITH TIME ZONE",
    "TIMESTAMP_WITH_TIMEZONE": "DATETIME WITH TIME ZONE",
    "INTERVAL": "INTERVAL DAY TO SECOND",
    "YEAR_MONTH_INTERVAL": "INTERVAL YEAR TO MONTH",
    "ROWID": "ROWID",
}


def driver_type_name(type_code: Any, precision: int | None, scale: int | None) -> str:
    """The DM type name of a dmPython type class; ``NUMBER(p, s)`` keeps its precision."""
    base = DRIVER_TYPE_NAMES.get(getattr(type_code, "__name__", str(type_code)).upper(), "VARCHAR")
    if base in ("NUMBER", "DECIMAL") and precision:
        return f"{base}({precision}, {scale or 0})"
    return base


def arrow_type(type_name: str) -> pa.DataType | None:
    """The Arrow type of a DM type name (None: text)."""
    try:
        return DAMENG_TYPES.to_arrow(type_name)
    except Exception:
        return None


__all__ = ["DAMENG_TYPES", "DRIVER_TYPE_NAMES", "arrow_type", "driver_type_name"]
