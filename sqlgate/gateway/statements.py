"""What the gateway does with a statement before the source sees it.

* ``$1``-style placeholders become the source driver's paramstyle (outside quotes/comments).
* Session statements that PostgreSQL clients send on their own (``SET``, ``SHOW``, ``BEGIN``,
  ``COMMIT``, ``DISCARD``, ...) are answered by the gateway: the source is read-only and may
  not speak PostgreSQL, so they must neither reach it nor fail.
* Catalog queries (``pg_catalog``, ``information_schema``) go to the catalog emulation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlgate.core import errors
from sqlgate.gateway.catalog_tables import NAMES

_TOKEN = re.compile(
    r"""('(?:[^']|'')*')            # string
      |("(?:[^"]|"")*")             # quoted identifier
      |(--[^\n]*)                   # line comment
      |(/\*.*?\*/)                  # block comment
      |(\$\d+)                      # placeholder
      |(%)                          # percent (escaped for format paramstyles)
    """,
    re.VERBOSE | re.DOTALL,
)


def placeholder_count(sql: str) -> int:
    """The highest ``$n`` in ``sql`` (0 when none)."""
    found = [int(m.group(5)[1:]) for m in _TOKEN.finditer(sql) if m.group(5)]
    return max(found, default=0)


def rewrite_placeholders(
    sql: str, values: Sequence[Any], paramstyle: str
) -> tuple[str, tuple[Any, ...] | dict[str, Any] | None]:
    """``$n`` -> the driver's marker, with the parameters in the order the markers appear."""
    if not values and placeholder_count(sql) == 0:
        return sql, None
    ordered: list[Any] = []
    named: dict[str, Any] = {}

    def repl(match: re.Match[str]) -> str:
        if match.group(6):
            return "%%" if paramstyle in ("format", "pyformat") else "%"
        if not match.group(5):
            return match.group(0)
        index = int(match.group(5)[1:])
        if index < 1 or index > len(values):
            raise errors.ProgrammingError(
                f"there is no parameter ${index}: the Bind gave {len(values)}"
            )
        value = values[index - 1]
        if paramstyle == "named":
            named[f"p{index}"] = value
            return f":p{index}"
        if paramstyle == "numeric":
            return f":{index}"
        ordered.append(value)
        return "?" if paramstyle == "qmark" else "%s"

    text = _TOKEN.sub(repl, sql)
    if paramstyle == "named":
        return text, named
    if paramstyle == "numeric":
        return text, tuple(values)
    return text, tuple(ordered)


_PUBLIC = re.compile(
    r"""('(?:[^']|'')*')|(--[^\n]*)|(/\*.*?\*/)|(?<![\w."])("public"|\bpublic\b)(?=\s*\.)""",
    re.IGNORECASE | re.DOTALL,
)


def mentions_public(sql: str) -> bool:
    """Whether ``sql`` qualifies a name with the schema ``public`` (outside strings/comments)."""
    return any(m.group(4) for m in _PUBLIC.finditer(sql))


def map_public(sql: str, schema: str) -> str:
    """``"public".t`` -> ``"<schema>".t``: the gateway shows the source's default schema as
    ``public`` (what PostgreSQL clients expect), so names the clients qualify with it (Metabase
    always does) must reach the source under the schema's own name."""
    quoted = '"' + schema.replace('"', '""') + '"'
    return _PUBLIC.sub(lambda m: quoted if m.group(4) else m.group(0), sql)


_WORD = re.compile(r"\s*(?:(?:--[^\n]*\n)|(?:/\*.*?\*/)|\s)*([A-Za-z_]+)", re.DOTALL)


def first_word(sql: str) -> str:
    match = _WORD.match(sql)
    return match.group(1).upper() if match else ""


def is_empty(sql: str) -> bool:
    stripped = _TOKEN.sub(lambda m: "" if m.group(3) or m.group(4) else m.group(0), sql)
    return not stripped.strip().strip(";").strip()


_CATALOG_PREFIXES = ("pg_", "obj_", "col_", "shobj_", "format_type")
_CATALOG = re.compile(
    r"\b(pg_catalog|information_schema|current_schemas?|current_database|current_catalog|version\s*\(|"
    r"current_setting|has_\w+_privilege|regclass|"
    + "|".join(sorted((n for n in NAMES if n.startswith(_CATALOG_PREFIXES)), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


def is_catalog_query(sql: str) -> bool:
    """A query about the catalog, which the source's own SQL cannot answer for PostgreSQL."""
    return first_word(sql) in ("SELECT", "WITH") and bool(_CATALOG.search(sql))


@dataclass
class LocalAnswer:
    """A statement the gateway answers itself: a tag, and maybe one row of one column."""

    tag: str
    column: str = ""
    value: str | None = None
    #: transaction state afterwards: "I" idle, "T" in a transaction, "" unchanged
    tx: str = ""


_SET = re.compile(
    r"^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?([A-Za-z_.]+)\s*(?:=|\bTO\b)\s*(.+?)\s*;?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_ISOLATION = re.compile(
    r"ISOLATION\s+LEVEL\s+(READ\s+UNCOMMITTED|READ\s+COMMITTED|REPEATABLE\s+READ|SERIALIZABLE)",
    re.IGNORECASE,
)
_SHOW = re.compile(r"^\s*SHOW\s+(.+?)\s*;?\s*$", re.IGNORECASE | re.DOTALL)


def several_statements(sql: str) -> bool:
    """More than one statement (a ``;`` with text after it, outside quotes and comments)."""
    bare = _TOKEN.sub(lambda m: "" if m.group(3) or m.group(4) else "x", sql)
    _, semicolon, rest = bare.partition(";")
    return bool(semicolon) and bool(rest.strip().strip(";").strip())


def local_answer(sql: str, settings: dict[str, str]) -> LocalAnswer | None:
    """Answer session statements without the source; ``None`` for everything else (and for
    several statements at once, which the source's gate refuses)."""
    if several_statements(sql):
        return None
    word = first_word(sql)
    if word in ("BEGIN", "START"):
        return LocalAnswer("START TRANSACTION" if word == "START" else "BEGIN", tx="T")
    if word in ("COMMIT", "END"):
        return LocalAnswer("COMMIT", tx="I")
    if word in ("ROLLBACK", "ABORT"):
        return LocalAnswer("ROLLBACK", tx="I")
    if word in ("DISCARD", "DEALLOCATE", "RESET", "UNLISTEN", "CLOSE"):
        return LocalAnswer(word if word != "DISCARD" else "DISCARD ALL")
    if word == "SET":
        level = _ISOLATION.search(sql)
        match = _SET.match(sql)
        if level:  # SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ... (pgjdbc)
            settings["transaction_isolation"] = " ".join(level.group(1).lower().split())
        elif match:
            name, value = match.group(1).lower(), match.group(2).strip()
            settings[name] = value.strip("'\"")
        return LocalAnswer("SET")
    if word == "SHOW":
        match = _SHOW.match(sql)
        name = match.group(1).strip().lower() if match else ""
        name = {"transaction isolation level": "transaction_isolation"}.get(name, name)
        if name == "all" or name not in settings:
            raise errors.ProgrammingError(f'unrecognized configuration parameter "{name}"')
        return LocalAnswer("SHOW", column=name, value=settings[name])
    return None


def command_tag(sql: str, rows: int, has_rows: bool) -> str:
    """The CommandComplete tag: ``SELECT n`` for anything that returned rows."""
    if has_rows:
        return f"SELECT {max(rows, 0)}"
    word = first_word(sql) or "SELECT"
    return f"{word} {max(rows, 0)}" if word in ("UPDATE", "DELETE", "MERGE") else word
