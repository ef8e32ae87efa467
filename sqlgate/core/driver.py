"""Sessions over a PEP 249 driver (psycopg, pymysql, ...): the wire families' common part.

Rows pass through from the driver's cursor untouched; a family says only how to describe a
column (its type name) and which Arrow type that name stands for.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import pyarrow as pa

from sqlgate.core.flavor import Flavor
from sqlgate.core.results import Column, EmptyResult, Result, RowResult
from sqlgate.core.session import Parameters, Session
from sqlgate.core.translate import call_translated


class DriverSession(Session):
    """A session whose link is a PEP 249 driver connection with transactions."""

    def __init__(self, raw: Any, flavor: Flavor, banner: str) -> None:
        self._raw = raw
        self._flavor = flavor
        self.banner = banner
        self.server_version = flavor.compat_version(banner)
        self.product_version = flavor.product_version(banner)

    @property
    def raw(self) -> Any:
        return self._raw

    @abstractmethod
    def describe(self, cursor: Any) -> tuple[Column, ...]:
        """The result's columns, with sqlgate's type names as type codes."""

    @abstractmethod
    def arrow_type(self, column: Column) -> pa.DataType | None:
        """The Arrow type a column's values convert to (None: text)."""

    def bind(self, operation: str, parameters: Parameters) -> str | None:
        """psycopg's ClientCursor and PyMySQL both splice values in with ``mogrify``."""
        if not self._flavor.client_side_binding:
            return None
        cursor = self._raw.cursor()
        try:
            return str(cursor.mogrify(operation, parameters))
        finally:
            cursor.close()

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        cursor = self._raw.cursor()
        try:
            cursor.execute(operation, parameters)
        except BaseException:
            cursor.close()
            raise
        result: Result
        if cursor.description is None:
            result = EmptyResult(cursor.rowcount)
            result.lastrowid = getattr(cursor, "lastrowid", None)
            cursor.close()
            return result
        result = RowResult(cursor, self.describe(cursor), self.arrow_type, call_translated,
                           cursor.rowcount)
        result.lastrowid = getattr(cursor, "lastrowid", None)
        return result

    def commit(self) -> None:
        self._raw.commit()

    def rollback(self) -> None:
        self._raw.rollback()
