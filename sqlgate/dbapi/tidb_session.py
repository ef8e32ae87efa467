"""TiDB's session: sqlgate's time-travel clause in TiDB's spelling.

sqlgate writes time travel as ``FROM t FOR TIMESTAMP AS OF '…'`` on every source (the gate's
parser reads that form); TiDB's stale read is ``FROM t AS OF TIMESTAMP '…'``. A statement in
either spelling is shown to the gate in sqlgate's (:meth:`TiDBSession.prepare`) and sent to
TiDB in TiDB's (:meth:`TiDBSession.run`). The rewrite works on sqlglot's MySQL tokens, so
string literals and comments that happen to contain the words are left alone.

TiDB refuses a stale read inside a transaction (error 8135, "as of timestamp can't be set in
transaction"), and with autocommit off (PEP 249's default) every plain read opens one: on a
real TiDB the second statement of a connection could not travel in time.
:meth:`TiDBSession.run` ends that implicit transaction (``ROLLBACK``: the session is
read-only, nothing is lost) before a stale read; a transaction the caller began with
``BEGIN`` / ``START TRANSACTION``, or any transaction of a ``read_only=false`` connection
(it may hold the caller's writes), is left alone, and TiDB's 8135 says why the stale read
cannot run in it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import TokenError

from sqlgate.core.errors import NotSupportedError
from sqlgate.core.results import Result
from sqlgate.core.session import Parameters
from sqlgate.dbapi.mysql_session import MySQLSession

_SQLGATE_KINDS = {"TIMESTAMP": "TIMESTAMP", "SYSTEM_TIME": "TIMESTAMP", "VERSION": "VERSION"}


_Word = tuple[str, int, int]  # upper-cased word, first and last character offsets


def _words_of(sql: str) -> list[_Word]:
    """The statement's keywords and names, one per word (sqlglot may lex ``FOR TIMESTAMP`` as
    one token); a quoted literal or identifier is one opaque item that matches nothing."""
    try:
        tokens = Dialect.get_or_raise("mysql").tokenize(sql)
    except TokenError:
        return []  # the gate reports what it cannot read; nothing to rewrite here
    words: list[_Word] = []
    for tok in tokens:
        parts = tok.text.upper().split()
        if tok.token_type.name.endswith(("STRING", "IDENTIFIER")) or len(parts) < 2:
            opaque = tok.token_type.name.endswith(("STRING", "IDENTIFIER"))
            words.append(("\0" if opaque else tok.text.upper(), tok.start, tok.end))
            continue
        words += [(part, tok.start, tok.end) for part in parts]
    return words


def _splice(sql: str, spans: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for start, end, text in spans:
        out += [sql[pos:start], text]
        pos = end + 1
    return "".join([*out, sql[pos:]]) if spans else sql


def _texts(words: list[_Word], i: int, n: int) -> list[str]:
    return [word[0] for word in words[i : i + n]]


def to_tidb(sql: str) -> str:
    """``FOR TIMESTAMP AS OF x`` (or ``FOR SYSTEM_TIME AS OF x``) -> ``AS OF TIMESTAMP x``."""
    if "AS OF" not in " ".join(sql.upper().split()):
        return sql
    words, spans = _words_of(sql), []
    for i, word in enumerate(words):
        texts = _texts(words, i, 4)
        if texts[:1] != ["FOR"] or texts[2:] != ["AS", "OF"]:
            continue
        kind = _SQLGATE_KINDS.get(texts[1])
        if kind == "VERSION":
            raise NotSupportedError(
                "TiDB has no table versions: travel by time with FOR TIMESTAMP AS OF '…' "
                "(TiDB's AS OF TIMESTAMP stale read)"
            )
        if kind == "TIMESTAMP":
            spans.append((word[1], words[i + 3][2], "AS OF TIMESTAMP"))
    return _splice(sql, spans)


def to_sqlgate(sql: str) -> str:
    """TiDB's own ``AS OF TIMESTAMP x`` -> ``FOR TIMESTAMP AS OF x``, which the gate parses."""
    if "AS OF" not in " ".join(sql.upper().split()):
        return sql
    words, spans = _words_of(sql), []
    for i, word in enumerate(words):
        if _texts(words, i, 3) == ["AS", "OF", "TIMESTAMP"] and (
            i == 0 or words[i - 1][0] != "FOR"
        ):
            spans.append((word[1], words[i + 2][2], "FOR TIMESTAMP AS OF"))
    return _splice(sql, spans)


def is_stale_read(sql: str) -> bool:
    """True if the statement, in TiDB's spelling, reads ``AS OF TIMESTAMP`` (outside literals)."""
    if "AS OF" not in " ".join(sql.upper().split()):
        return False
    words = _words_of(sql)
    return any(_texts(words, i, 3) == ["AS", "OF", "TIMESTAMP"] for i in range(len(words)))


_BEGINS, _ENDS = ("BEGIN", "START"), ("COMMIT", "ROLLBACK")
#: a statement's first word, after white space and comments (cheap: runs on every statement)
_FIRST_WORD = re.compile(r"(?:\s|/\*.*?\*/|(?:--|#)[^\n]*(?:\n|$))*(\w+)", re.S)


class TiDBSession(MySQLSession):
    """A MySQL-family session that speaks TiDB's stale-read syntax."""

    #: the caller began the open transaction (BEGIN / START TRANSACTION): never ended here
    _explicit_transaction = False

    def prepare(self, operation: str) -> str:
        return to_sqlgate(operation)

    def run(self, operation: str, parameters: Parameters) -> Result:
        sql = to_tidb(operation)
        head = _FIRST_WORD.match(sql)
        first = head.group(1).upper() if head else ""
        if is_stale_read(sql) and self._implicit_transaction_may_be_open():
            self._raw.rollback()  # TiDB refuses AS OF inside it (error 8135)
        result = super().run(sql, parameters)
        if first in _BEGINS or first in _ENDS:  # once it ran: a refused BEGIN began nothing
            self._explicit_transaction = first in _BEGINS
        return result

    def _implicit_transaction_may_be_open(self) -> bool:
        """Autocommit off opens a transaction at every plain read; end it only when the caller
        did not begin it and the session is read-only (no write of theirs could be lost)."""
        return self.read_only and not (self._explicit_transaction or self._raw.get_autocommit())

    def may_kill(self, cursor: Any, target: int) -> bool:
        """TiDB's ``KILL QUERY`` also closes a connection that runs nothing (it expires the
        link's read deadline: the next statement gets error 2013), so it goes out only while
        the target runs a statement. This narrows the race with a statement that ends just
        then to the time between these two statements; it cannot close it."""
        cursor.execute(  # trusted text: an int from the handshake
            f"SELECT COMMAND FROM information_schema.PROCESSLIST WHERE ID = {target:d}"
        )
        row = cursor.fetchone()
        return bool(row) and str(row[0]) == "Query"

    def commit(self) -> None:
        self._explicit_transaction = False
        super().commit()

    def rollback(self) -> None:
        self._explicit_transaction = False
        super().rollback()
