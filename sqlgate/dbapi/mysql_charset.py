"""Character sets on MySQL-protocol links: what the client sends, and how results come back.

``charset=`` (gbk, big5, latin1, utf8mb3...) is the *client* character set: statements and
parameters are encoded in it, strictly (:func:`strict_encode`). Results are another matter:
the server converts each value to ``character_set_results``, and a character that set cannot
carry becomes ``?`` with no error or warning (MariaDB 10.11: ``𠀀`` read through a gbk link is
``'?'``). So sqlgate asks for results in utf8mb4 whatever the client set
(:data:`RESULTS_STATEMENT`; every stored character converts to it losslessly) and decodes them
as UTF-8 (:func:`split_encodings`), on the row path and the native Arrow path alike.
"""

from __future__ import annotations

import re
from typing import Any

from sqlgate.core.errors import DataError, InterfaceError

# multi-byte sets are safe because every value is encoded strictly and bytes are sent as hex
ALLOWED_CHARSETS = (
    "utf8mb4",
    "utf8mb3",
    "utf8",
    "latin1",
    "ascii",
    "gbk",
    "gb2312",
    "gb18030",
    "big5",
)
#: the one client set whose results need no conversion: it carries every character
LOSSLESS_CHARSET = "utf8mb4"
RESULTS_STATEMENT = "SET character_set_results = utf8mb4"
RESULTS_ENCODING = "utf8"  # Python's codec for utf8mb4
_THREE_BYTE_UTF8 = ("utf8mb3", "utf8")  # "utf8" is utf8mb3 on MySQL and MariaDB
_FOUR_BYTE = re.compile("[\U00010000-\U0010ffff]")


def checked_charset(name: str, value: Any) -> str:
    """One of :data:`ALLOWED_CHARSETS`, lower-cased."""
    text = str(value).strip().lower()
    if text not in ALLOWED_CHARSETS:
        raise InterfaceError(
            f"{name}={str(value)[:40]!r} is not allowed; use one of {', '.join(ALLOWED_CHARSETS)}"
        )
    return text


def strict_encode(text: str, encoding: str, charset: str, what: str) -> bytes:
    """Encode without ``surrogateescape``: a lone surrogate would become a raw byte that a
    multi-byte charset (gbk, big5) pairs with the next backslash, unquoting what follows.
    utf8mb3 has no 4-byte characters (Python's codec does): the server would make them ``?``."""
    bad = None
    four_byte = _FOUR_BYTE.search(text) if charset in _THREE_BYTE_UTF8 else None
    if four_byte is not None:
        bad = four_byte.start()
    else:
        try:
            return text.encode(encoding)
        except UnicodeEncodeError as exc:
            bad = exc.start
    raise DataError(
        f"{what} has a character at position {bad} that charset {charset} cannot "
        "encode; connect with charset=utf8mb4"
    )


def split_encodings(connection: Any) -> None:
    """After PyMySQL's ``SET NAMES <charset>``: ask for utf8mb4 results and decode them so.

    ``connection.client_encoding`` keeps the client set's codec, which statements and
    parameters must use; ``connection.encoding`` (what PyMySQL and the Arrow path decode
    results and column names with) becomes UTF-8. Nothing is sent on a utf8mb4 link."""
    connection.client_encoding = connection.encoding
    if connection.charset != LOSSLESS_CHARSET:
        with connection.cursor() as cursor:  # trusted ASCII text, set by sqlgate itself
            cursor.execute(RESULTS_STATEMENT)
        connection.encoding = RESULTS_ENCODING
