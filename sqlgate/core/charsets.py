"""Chinese client character sets (UTF-8, GBK, GB18030) at a driver's boundary.

Drivers of Chinese databases (dmPython, gbase8sdb) convert text to the client character set
the caller names. GBK cannot hold every character: CJK Extension B and later (``𠀀`` U+20000,
``𪚥`` U+2A6A5), most of Extension A (``䶮`` U+4DAE) and ``€`` are GB18030-only. A driver
that meets one under GBK either fails with an opaque codec error or, worse, writes ``?``.
sqlgate checks text before it reaches the driver and names the character and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any

import pyarrow as pa

from sqlgate.core.driver import DriverSession
from sqlgate.core.errors import DataError, InterfaceError
from sqlgate.core.flavor import Flavor
from sqlgate.core.results import Column, Result
from sqlgate.core.session import Parameters

#: sqlgate's charset name -> Python codec
CODECS: dict[str, str] = {"utf8": "utf-8", "gbk": "gbk", "gb18030": "gb18030"}
#: spellings accepted for each charset (``charset=UTF-8``, ``cp936``, ``zh_CN.GB18030``)
_ALIASES: dict[str, str] = {
    "utf8": "utf8",
    "utf-8": "utf8",
    "utf8mb4": "utf8",
    "al32utf8": "utf8",
    "gbk": "gbk",
    "cp936": "gbk",
    "zhs16gbk": "gbk",
    "gb18030": "gb18030",
    "gb18030-2022": "gb18030",
    "gb18030-2005": "gb18030",
    "zhs32gb18030": "gb18030",
}


def parse_charset(value: Any, default: str = "utf8") -> str:
    """The charset option normalized to ``utf8``, ``gbk`` or ``gb18030``."""
    if value is None or value == "":
        return default
    text = str(value).strip().lower()
    if text.startswith("zh_cn."):
        text = text[len("zh_cn.") :]
    found = _ALIASES.get(text)
    if found is None:
        raise InterfaceError(
            f"charset={str(value)[:40]!r} is not one of utf8, gbk, gb18030 (use gb18030 for "
            "text GBK cannot hold, such as CJK Extension B characters)"
        )
    return found


def _describe(char: str) -> str:
    return f"{char!r} (U+{ord(char):04X})"


def encode_text(text: str, charset: str) -> bytes:
    """``text`` in ``charset``; a character the charset cannot hold raises ``DataError``
    naming it and the fix (GB18030 holds every Unicode character)."""
    codec = CODECS[parse_charset(charset)]
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start]
        raise DataError(
            f"{_describe(char)} at position {exc.start} cannot be written in the {charset} "
            "client character set; connect with charset=gb18030 or charset=utf8"
        ) from None


def decode_text(data: bytes, charset: str) -> str:
    """``data`` read in ``charset``; bytes that are not valid text raise ``DataError``."""
    codec = CODECS[parse_charset(charset)]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.end].hex()
        raise DataError(
            f"bytes 0x{bad} at offset {exc.start} are not valid {charset} text; the server's "
            "character set and the connection's charset option disagree"
        ) from None


def check_values(values: Iterable[Any], charset: str) -> None:
    """Refuse, before anything is sent, a parameter string the charset cannot hold."""
    if parse_charset(charset) != "gbk":
        return  # UTF-8 and GB18030 hold every Unicode scalar value
    for value in values:
        if isinstance(value, str) and not value.isascii():
            encode_text(value, "gbk")


def check_parameters(parameters: Any, charset: str) -> None:
    """:func:`check_values` over PEP 249 parameters (a sequence or a mapping) and SQL text."""
    if isinstance(parameters, dict):
        check_values(parameters.values(), charset)
    elif isinstance(parameters, (list, tuple)):
        check_values(parameters, charset)


class CharsetSession(DriverSession):
    """A session over a driver that binds on the server (dmPython, gbase8sdb) and converts
    text to a client charset: the text is checked before the driver sees it, and the result
    is described by the family's type names (``type_name``) and Arrow map (``to_arrow``)."""

    #: (driver type code, precision, scale) -> the engine's type name
    type_name: Callable[[Any, int | None, int | None], str]
    #: the engine's type name -> its Arrow type (None: text)
    to_arrow: Callable[[str], pa.DataType | None]

    def __init__(self, raw: Any, flavor: Flavor, banner: str, charset: str) -> None:
        super().__init__(raw, flavor, banner)
        self.charset = parse_charset(charset)

    def execute(self, operation: str, parameters: Parameters = None) -> Result:
        check_values([operation], self.charset)
        check_parameters(parameters, self.charset)
        return super().execute(operation, parameters)

    @staticmethod
    def executed(cursor: Any, operation: str, parameters: Parameters) -> Any:
        """Without values the statement goes alone (no empty parameter list to the driver)."""
        try:
            if parameters:
                cursor.execute(operation, parameters)
            else:
                cursor.execute(operation)
        except BaseException:
            cursor.close()
            raise
        return cursor

    def describe(self, cursor: Any) -> tuple[Column, ...]:
        type_name = type(self).type_name
        return tuple(
            Column(d[0], type_name(d[1], d[4], d[5]), d[2], d[3], d[4], d[5], d[6])
            for d in cursor.description
        )

    def result_shape(self, cursor: Any) -> Hashable | None:
        return tuple((d[0], str(d[1]), d[4], d[5]) for d in cursor.description)

    def arrow_type(self, column: Column) -> pa.DataType | None:
        return type(self).to_arrow(str(column.type_code))

    def ping(self) -> None:
        """The driver's own ping (a bare ``SELECT 1`` is not valid Informix SQL)."""
        self.free_link()
        self._raw.ping()

    def close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            raw.close()


__all__ = [
    "CODECS",
    "CharsetSession",
    "check_parameters",
    "check_values",
    "decode_text",
    "encode_text",
    "parse_charset",
]
