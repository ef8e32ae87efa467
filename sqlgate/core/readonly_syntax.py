"""What the statement gate knows of SQL's shape: statement words, forbidden nodes, kinds."""

from __future__ import annotations

import functools
from inspect import isclass
from typing import Any

from sqlglot import exp
from sqlglot.tokens import Token, TokenType

from sqlgate.core.readonly_lexer import QUOTED_TYPES, Refused, Unparseable, locate

T = TokenType


def _forbidden_nodes() -> tuple[type, ...]:
    """Statement-like expression classes that must never appear inside an admitted query."""
    names = (
        "DML DDL Command Into Lock Set SetItem Transaction Commit Rollback Alter Drop Comment "
        "TruncateTable Use Execute Kill Pragma Attach Detach Install LoadData Copy Export Grant "
        "Declare Revoke Analyze Refresh Cache Uncache NextValueFor Merge Put Get ListStage Block "
        "StoredProcedure IfBlock WhileBlock LoopBlock RepeatBlock Describe Show Summarize Undrop "
        "ConditionalInsert MultitableInserts SwapTable AlterSession Returning"
    )
    found = {getattr(exp, n) for n in names.split() if isclass(getattr(exp, n, None))}
    harmless = {"Comprehension", "CharacterSet", "Heredoc", "ColumnDef"}
    for module in ("sqlglot.expressions.ddl", "sqlglot.expressions.dml"):  # sqlglot >= 30
        found |= {
            c
            for c in vars(exp).values()
            if isclass(c) and c.__module__ == module and c.__name__ not in harmless
        }
    return tuple(found)


FORBIDDEN = _forbidden_nodes()


@functools.cache
def _is_forbidden(cls: type) -> bool:
    return issubclass(cls, FORBIDDEN)


@functools.cache
def _sql_names(cls: Any) -> tuple[str, ...]:
    return tuple(cls.sql_names())


# plain functions in front of the caches: typeshed's cache wrapper takes Hashable arguments,
# which mypy does not see a sqlglot node class as (its ``__hash__`` is an instance method)
def is_forbidden(cls: type) -> bool:
    """Whether nodes of this class are a statement (or clause) the gate refuses; cached."""
    return _is_forbidden(cls)


def sql_names(cls: type) -> tuple[str, ...]:
    """The SQL names of a sqlglot function class; cached."""
    return _sql_names(cls)


QUERY_START = frozenset({"SELECT", "WITH", "VALUES", "TABLE", "FROM"})
TXN_END = {"COMMIT": "COMMIT", "END": "COMMIT", "ROLLBACK": "ROLLBACK", "ABORT": "ROLLBACK"}
_TWO_WORD_KINDS = frozenset({"ALTER", "CREATE", "DROP", "LOAD", "COMMENT", "REFRESH", "START"})
_SET_SCOPES = frozenset({"SESSION", "GLOBAL", "LOCAL", "TRANSACTION", "PERSIST", "NAMES", "ROLE"})
EXPLAIN_WORDS = frozenset(
    {"ANALYZE", "ANALYSE", "VERBOSE", "EXTENDED", "PARTITIONS", "AST", "SYNTAX", "PLAN", "TREE"}
    | {"PIPELINE", "ESTIMATE", "QUERY", "USING", "TABULAR", "JSON", "TEXT", "FORMAT", "FOR"}
)
_WRITE_TOKENS = {T.INSERT: "INSERT", T.UPDATE: "UPDATE", T.DELETE: "DELETE", T.MERGE: "MERGE"}
OBJECT_WORDS = frozenset({"TABLE", "VIEW", "SCHEMA", "DATABASE", "FUNCTION"})
#: statement words some tokenizers leave as plain names: a statement that starts with one is
#: refused as that statement (it would change something), not reported as a typo
_STATEMENT_WORDS = (
    "LISTEN NOTIFY UNLISTEN DISCARD HANDLER CHECKPOINT CLUSTER REINDEX LOCK PREPARE DEALLOCATE "
    "DO RESET LOAD INSTALL UNINSTALL FLUSH PURGE RENAME OPTIMIZE REPAIR CHECKSUM SYSTEM KILL "
    "CALL EXEC EXECUTE PUT GET LIST LS REMOVE RM UNDROP EXPORT IMPORT COPY VACUUM ANALYZE "
    "ANALYSE REFRESH MSCK CACHE UNCACHE CLEAR WATCH MOVE FETCH CLOSE DECLARE SECURITY "
    "REASSIGN XA BINLOG CHANGE RESTORE BACKUP SAVEPOINT RELEASE GRANT REVOKE TRUNCATE UPSERT "
    "REPLACE SHUTDOWN RESTART ATTACH DETACH PRAGMA EXCHANGE SIGNAL RESIGNAL SWAP LOOP WHILE "
    "REPEAT IF FOR RAISE RETURN ASSERT SUMMARIZE USE SET INSERT UPDATE DELETE MERGE CREATE "
    "ALTER DROP COMMENT BEGIN END START COMMIT ROLLBACK ABORT SHOW DESCRIBE DESC EXPLAIN "
    "EXISTS LABEL VALIDATE CANCEL PAUSE RESUME SUSPEND STOP ENABLE "
    "DISABLE BACKUP ALLOCATE UNLOAD PIVOT"
)
STATEMENT_WORDS = frozenset(_STATEMENT_WORDS.split())


def statement_word(first: Token) -> str:
    """The first word of a statement, upper case ("" for a quoted literal)."""
    return "" if first.token_type in QUOTED_TYPES else (first.text.split() or [""])[0].upper()


def kind_of(tokens: list[Token]) -> str:
    """Name a refused statement by its leading keyword(s), e.g. ``SET SESSION``."""
    words = [
        w.upper() for t in tokens[:2] if t.token_type not in QUOTED_TYPES for w in t.text.split()
    ]
    if not words or not words[0].replace("_", "").isalpha():
        return "unparseable statement"
    second = words[1] if len(words) > 1 and words[1].replace("_", "").isalpha() else ""
    if second and (words[0] in _TWO_WORD_KINDS or (words[0] == "SET" and second in _SET_SCOPES)):
        return f"{words[0]} {second}"
    return words[0]


def scan_writes(tokens: list[Token]) -> None:
    """In a read, refuse write keywords even where sqlglot might parse them as names."""
    for i, t in enumerate(tokens):
        tt = t.token_type
        if tt == T.INTO:
            raise Refused("SELECT ... INTO")
        if tt in _WRITE_TOKENS or (tt == T.VAR and t.text.upper() == "SHARE"):
            before = {w.text.upper() for w in tokens[max(i - 3, 0) : i]}
            if tt == T.UPDATE and "FOR" in before:
                raise Refused("SELECT ... FOR UPDATE")
            if tt == T.VAR and before & {"FOR", "IN"}:
                raise Refused("SELECT ... FOR SHARE")
            call = i + 1 < len(tokens) and tokens[i + 1].token_type is T.L_PAREN
            if tt in _WRITE_TOKENS and not (call and tt in (T.INSERT, T.MERGE)):
                raise Refused(_WRITE_TOKENS[tt])  # INSERT(...), merge(...): functions


def node_kind(node: exp.Expr) -> str:
    if isinstance(node, exp.Into):
        return "SELECT ... INTO"
    if isinstance(node, exp.Lock):
        return "SELECT ... FOR UPDATE" if node.args.get("update") else "SELECT ... FOR SHARE"
    if isinstance(node, exp.Command):
        return str(node.this).upper()
    if isinstance(node, getattr(exp, "NextValueFor", ())):
        return "side-effect function NEXT VALUE FOR"
    return node.key.upper()


def parse_error(
    text: str, tokens: list[Token], at: Token | None, error: Exception | None = None
) -> Unparseable:
    """An :class:`Unparseable` that says where: at ``at``, or where sqlglot's error points."""
    detail = "not a statement this engine knows"
    if error is not None:
        found = (getattr(error, "errors", None) or [{}])[0]
        description = str(found.get("description") or type(error).__name__)
        detail = description.split("<Token")[0].split(" but got")[0].strip(" .") or detail
        line, col = found.get("line"), found.get("col")
        at = next((t for t in tokens if t.line == line and t.col == col), None)
    if at is None:
        return Unparseable(detail)
    literal = at.token_type in QUOTED_TYPES
    return Unparseable(detail, locate(text, at.start, 0 if literal else at.end + 1 - at.start))


__all__ = [
    "EXPLAIN_WORDS",
    "FORBIDDEN",
    "OBJECT_WORDS",
    "QUERY_START",
    "STATEMENT_WORDS",
    "TXN_END",
    "is_forbidden",
    "kind_of",
    "node_kind",
    "parse_error",
    "scan_writes",
    "sql_names",
    "statement_word",
]
