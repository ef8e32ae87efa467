"""BigQuery's types on sqlgate's type machinery: type text to Arrow, SQLAlchemy and PEP 249.

BigQuery reports a column as a ``SchemaField`` (type name, mode, nested fields, RANGE element
type, declared precision). :func:`type_string` writes it as GoogleSQL type text
(``ARRAY<STRUCT<x INT64>>``, ``NUMERIC(10, 2)``, ``RANGE<DATE>``) and :data:`BIGQUERY_TYPES`, a
:class:`~sqlgate.core.typemap.TypeMap` parsed by sqlglot's BigQuery dialect, maps that text:
the same answer for a query's ``description``, a REST page turned into Arrow and reflection.

The Arrow types are the ones BigQuery's Storage Read API sends, so a result reads the same
through either path: NUMERIC is decimal128(38, 9), BIGNUMERIC decimal256(76, 38), GEOGRAPHY
WKT text, JSON text, INTERVAL month_day_nano, RANGE<T> a struct of ``start`` and ``end``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlalchemy.types as sat
from sqlglot import exp

from sqlgate.core.sqltypes import STRUCT
from sqlgate.core.typemap import TypeMap
from sqlgate.core.types import DATETIME, STRING
from sqlgate.core.types_entries import (
    ARRAY_OF,
    BLOB,
    BOOL,
    DATE,
    F64,
    I64,
    INTERVAL,
    JSON,
    STRUCT_OF,
    TIME,
    TS,
    TSTZ,
    Mapper,
    TypeEntry,
    decimal,
    simple,
)
from sqlgate.core.types_parse import members

#: legacy SQL names the REST API still reports (INTEGER, FLOAT, BOOLEAN, RECORD)
_LEGACY = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "RECORD": "STRUCT"}


def _range_bounds(node: exp.DataType, m: Mapper) -> list[tuple[str, Any]]:
    element = members(node)
    inner = element[0][1] if element else exp.DataType.build("TIMESTAMP", dialect="bigquery")
    return [("start", inner), ("end", inner)]


#: ``RANGE<DATE>``: a half-open interval, a struct of ``start`` and ``end`` (None: unbounded)
RANGE_OF = TypeEntry(
    lambda n, m: pa.struct([pa.field(k, m.arrow_node(t)) for k, t in _range_bounds(n, m)]),
    lambda n, m: STRUCT([(k, m.sa_node(t)) for k, t in _range_bounds(n, m)]),
    DATETIME,
)
#: GEOGRAPHY arrives as WKT text (REST and the Storage Read API alike)
GEOGRAPHY = simple(pa.string(), sat.String, STRING)

BIGQUERY_TYPES = TypeMap(
    {"geography": GEOGRAPHY},
    kinds={
        # every BigQuery integer is 64-bit and every float is FLOAT64, whatever the alias
        **{"bigint": I64, "int": I64, "smallint": I64, "tinyint": I64, "double": F64},
        **{"float": F64, "boolean": BOOL, "text": simple(pa.string(), sat.String, STRING)},
        **{"decimal": decimal(38, 9), "bigdecimal": decimal(76, 38), "binary": BLOB},
        **{"date": DATE, "time": TIME, "timestamp": TS, "timestamptz": TSTZ},
        **{"json": JSON, "interval": INTERVAL, "geography": GEOGRAPHY, "range": RANGE_OF},
        **{"array": ARRAY_OF, "struct": STRUCT_OF},
    },
    dialect="bigquery",
    name="bigquery",
)


def type_string(field: Any) -> str:
    """GoogleSQL type text of a ``SchemaField`` (or its API dict), nested fields included."""
    if isinstance(field, dict):
        name = str(field.get("type", "STRING")).upper()
        mode = str(field.get("mode") or "NULLABLE").upper()
        nested = field.get("fields") or ()
        element = (field.get("rangeElementType") or {}).get("type")
        precision, scale = field.get("precision"), field.get("scale")
    else:
        name, mode = str(field.field_type).upper(), str(field.mode or "NULLABLE").upper()
        nested = field.fields
        element = getattr(field.range_element_type, "element_type", None)
        precision, scale = field.precision, field.scale
    name = _LEGACY.get(name, name)
    if name == "STRUCT":
        body = ", ".join(f"`{_field_name(f)}` {type_string(f)}" for f in nested)
        text = f"STRUCT<{body}>"
    elif name == "RANGE" or name.startswith("RANGE<"):
        text = name if "<" in name else f"RANGE<{str(element or 'TIMESTAMP').upper()}>"
    elif name in ("NUMERIC", "BIGNUMERIC") and precision is not None:
        text = f"{name}({int(precision)}, {int(scale or 0)})"
    else:
        text = name
    return f"ARRAY<{text}>" if mode == "REPEATED" else text


def _field_name(field: Any) -> str:
    name = field.get("name", "") if isinstance(field, dict) else field.name
    return str(name).replace("`", "")


def arrow_schema(fields: Any) -> pa.Schema:
    """The Arrow schema of a result's ``SchemaField`` list."""
    return pa.schema(
        [pa.field(_field_name(f), BIGQUERY_TYPES.to_arrow(type_string(f))) for f in fields]
    )
