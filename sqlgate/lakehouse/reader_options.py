"""URL options of DuckDB's CSV and JSON readers (``?csv_delim=;``, ``?json_format=array``).

The reader call is SQL text (it becomes a view or a subquery), so nothing from the URL may be
pasted into it as it is: an option's *name* must be on the allow-list below (the SQL spells the
allow-list's own name, never the user's), and its *value* is parsed to its type and checked
(booleans, bounded integers, a few enumerations, short strings of plain characters) before
being written as a DuckDB literal. Anything else is an ``InterfaceError`` naming the option.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import parse_bool, parse_int

_CHARS = re.compile(r"^[^\x00-\x1f\x7f]{1,4}$")  # a delimiter, quote, escape or comment
_FORMAT = re.compile(r"^[%A-Za-z0-9 :.,_/\-+T]{1,64}$")  # strftime formats
_NULL = re.compile(r"^[^\x00-\x1f\x7f]{0,32}$")


def _chars(name: str, value: Any) -> str:
    text = str(value)
    if text == "\\t":
        text = "\t"
    if text != "\t" and not _CHARS.match(text):
        raise InterfaceError(f"option {name}={value!r} must be 1 to 4 printable characters")
    return text


def _pattern(regex: re.Pattern[str], what: str) -> Callable[[str, Any], str]:
    def parse(name: str, value: Any) -> str:
        text = str(value)
        if not regex.match(text):
            raise InterfaceError(f"option {name}={value!r} is not {what}")
        return text

    return parse


def _choice(*allowed: str) -> Callable[[str, Any], str]:
    def parse(name: str, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise InterfaceError(f"option {name}={value!r}: use one of {', '.join(allowed)}")
        return text

    return parse


def _count(maximum: int) -> Callable[[str, Any], int]:
    return lambda name, value: parse_int(name, value, minimum=0, maximum=maximum)


def _sample_size(name: str, value: Any) -> int:
    """Rows sampled for type detection; ``-1`` samples them all."""
    return parse_int(name, value, minimum=-1, maximum=10_000_000)


_COMPRESSION = _choice("auto", "none", "gzip", "zstd")
#: option name in the URL (after ``csv_``) -> (DuckDB's parameter, value parser)
CSV_OPTIONS: dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "delim": ("delim", _chars), "sep": ("delim", _chars), "delimiter": ("delim", _chars),
    "quote": ("quote", _chars), "escape": ("escape", _chars), "comment": ("comment", _chars),
    "header": ("header", parse_bool), "skip": ("skip", _count(1_000_000)),
    "nullstr": ("nullstr", _pattern(_NULL, "a short null marker")),
    "dateformat": ("dateformat", _pattern(_FORMAT, "a date format")),
    "timestampformat": ("timestampformat", _pattern(_FORMAT, "a timestamp format")),
    "decimal_separator": ("decimal_separator", _choice(".", ",")),
    "sample_size": ("sample_size", _sample_size),
    "all_varchar": ("all_varchar", parse_bool), "ignore_errors": ("ignore_errors", parse_bool),
    "auto_detect": ("auto_detect", parse_bool), "null_padding": ("null_padding", parse_bool),
    "normalize_names": ("normalize_names", parse_bool),
    "strict_mode": ("strict_mode", parse_bool),
    "max_line_size": ("max_line_size", _count(1 << 30)),
    "encoding": ("encoding", _choice("utf-8", "utf-16", "latin-1")),
    "compression": ("compression", _COMPRESSION),
}  # fmt: skip
JSON_OPTIONS: dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "format": ("format", _choice("auto", "unstructured", "newline_delimited", "array")),
    "records": ("records", _choice("auto", "true", "false")),
    "sample_size": ("sample_size", _sample_size),
    "maximum_depth": ("maximum_depth", _count(1_000)),
    "maximum_object_size": ("maximum_object_size", _count(1 << 30)),
    "ignore_errors": ("ignore_errors", parse_bool),
    "dateformat": ("dateformat", _pattern(_FORMAT, "a date format")),
    "timestampformat": ("timestampformat", _pattern(_FORMAT, "a timestamp format")),
    "compression": ("compression", _COMPRESSION),
}
READERS = {"csv": CSV_OPTIONS, "json": JSON_OPTIONS}


def pop_reader_options(options: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Take every ``csv_*`` / ``json_*`` URL option out of ``options`` (names without prefix)."""
    out: dict[str, dict[str, Any]] = {kind: {} for kind in READERS}
    for key in list(options):
        prefix, sep, name = str(key).partition("_")
        if sep and prefix.lower() in READERS:
            out[prefix.lower()][name] = options.pop(key)
    return out


def parse_options(kind: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """DuckDB's parameter name -> typed value, for the ``kind`` reader's options; an unknown
    name or a bad value is an ``InterfaceError`` naming the option."""
    table = READERS[kind]
    out: dict[str, Any] = {}
    for name, value in raw.items():
        entry = table.get(str(name).lower())
        if entry is None:
            raise InterfaceError(
                f"unknown option {kind}_{name}; the {kind} reader's options are: "
                + ", ".join(f"{kind}_{n}" for n in sorted(table))
            )
        duck_name, parse = entry
        out[duck_name] = parse(f"{kind}_{name}", value)
    return out


def render(kind: str, options: Mapping[str, Any]) -> str:
    """``, name=literal ...`` for options from :func:`parse_options`: names are the allow-list's
    own, values typed literals (strings quoted, already checked to be short and plain)."""
    known = {duck for duck, _ in READERS[kind].values()}
    parts = []
    for name, value in options.items():
        if name not in known:
            raise InterfaceError(f"unknown {kind} reader option {name!r}")
        parts.append(f", {name}={_literal(name, value)}")
    return "".join(parts)


def _literal(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str) and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    raise InterfaceError(f"reader option {name}={value!r} has an unsupported type")
