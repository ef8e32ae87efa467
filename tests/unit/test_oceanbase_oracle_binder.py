"""Hostile parameters for OceanBase Oracle mode's client-side binder, sent to the scripted
Oracle-mode tenant of test_oceanbase_oracle.py.

What reached the tenant is read back with sqlglot's Oracle reader (Oracle's rules: ``''``
inside strings, a backslash is a plain character, ``--`` starts a comment): each value must
come back as one expression equal to the value, and the statement must keep its shape (no
extra condition, no comment). A template that would splice a value into a literal or a
comment is refused with nothing sent, on read-only and read-write connections alike.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import sqlgate
from sqlgate.core import errors
from tests.unit.test_oceanbase_oracle import OracleTenant, _url, tenant

__all__ = ["tenant"]  # the scripted tenant fixture, shared with test_oceanbase_oracle.py


class _SneakyInt(int):
    def __repr__(self) -> str:
        return "1 UNION SELECT PASSWORD FROM DBA_USERS"

    __str__ = __repr__


class _SneakyStr(str):
    def replace(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        return str.__str__(self)

    def __str__(self) -> str:
        return "' OR 1=1 --"


class _SneakyDecimal(decimal.Decimal):
    def __str__(self) -> str:
        return "1 OR 1=1"


HOSTILE_TEXT = [
    "O'Brien",
    "a\\",  # a trailing backslash: MySQL escaping would eat the closing quote
    "a\\' OR 1=1 --",
    "\\\\'\\",
    "x'\n-- ",
    "'; DELETE FROM T; --",
    "it\u2019s \u02bc\uff07 \u201c",  # unicode quote look-alikes stay characters
    "\uff08\uff0c\uff09 full-width",  # the tenant reads these as ASCII outside quotes
    "%s %% %(x)s",  # placeholders inside a value are data
    "*/ /* -- q'[ ]'",
    "",
]


def _value(node: exp.Expression) -> Any:
    """What Oracle makes of the expression the binder wrote (the forms it may use only)."""
    if isinstance(node, exp.Paren):
        return _value(node.this)
    if isinstance(node, exp.DPipe):
        return (_value(node.this) or "") + (_value(node.expression) or "")
    if isinstance(node, exp.Chr):
        return chr(int(node.expressions[0].this))
    if isinstance(node, exp.Neg):
        return -_value(node.this)
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else decimal.Decimal(node.this)
    raise AssertionError(f"unexpected expression {node.sql('oracle')!r}")


def _sent(tenant: OracleTenant, start: int) -> list[str]:
    return [q for q in tenant.queries[start:] if q.startswith("SELECT")]


def _sole_condition(sql: str) -> exp.Expression:
    """The right side of the one ``A = ...`` condition; nothing else may be there."""
    tree = sqlglot.parse_one(sql, read="oracle")
    assert not any(t.comments for t in sqlglot.tokenize(sql, read="oracle")), sql
    where = tree.args["where"].this
    assert isinstance(where, exp.EQ), sql
    assert where.this.sql() == "A", sql
    return where.expression


@pytest.mark.parametrize("read_only", ["true", "false"])
def test_hostile_text_arrives_as_one_value(tenant: OracleTenant, read_only: str) -> None:
    url = _url(tenant) + f"&read_only={read_only}"
    with sqlgate.connect(url) as conn:
        cursor = conn.cursor()
        for value in HOSTILE_TEXT:
            start = len(tenant.queries)
            cursor.execute("SELECT * FROM T WHERE A = %s", (value,))
            [sent] = _sent(tenant, start)
            assert "\\" not in sent  # a backslash never reaches the tenant inside a literal
            got = _value(_sole_condition(sent))
            assert (got or "") == value, sent  # Oracle reads '' as NULL: "" comes back empty


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-1, decimal.Decimal(-1)),
        (-1.5, decimal.Decimal("-1.5")),
        (decimal.Decimal("-0.25"), decimal.Decimal("-0.25")),
        (decimal.Decimal("-1E+2"), decimal.Decimal("-100")),
    ],
)
def test_negative_numbers_never_start_a_comment(
    tenant: OracleTenant, value: Any, expected: decimal.Decimal
) -> None:
    """``5 -%s`` with -1 was ``5 --1``: the rest of the line (the owner check) a comment."""
    with sqlgate.connect(_url(tenant)) as conn:
        start = len(tenant.queries)
        conn.cursor().execute("SELECT * FROM T WHERE A = 5 -%s AND OWNER = 'me'", (value,))
    [sent] = _sent(tenant, start)
    where = sqlglot.parse_one(sent, read="oracle").args["where"].this
    assert isinstance(where, exp.And), sent  # the owner condition is still there
    assert where.expression.sql("oracle") == "OWNER = 'me'"
    assert _value(where.this.expression.expression) == expected


def test_subclasses_cannot_write_sql(tenant: OracleTenant) -> None:
    """The literal comes from the base type's own methods, not a subclass's overrides."""
    with sqlgate.connect(_url(tenant)) as conn:
        cursor = conn.cursor()
        for value, expected in [
            (_SneakyInt(7), decimal.Decimal(7)),
            (_SneakyDecimal("2.5"), decimal.Decimal("2.5")),
            (_SneakyStr("plain"), "plain"),
        ]:
            start = len(tenant.queries)
            cursor.execute("SELECT * FROM T WHERE A = %s", (value,))
            [sent] = _sent(tenant, start)
            assert _value(_sole_condition(sent)) == expected, sent


def test_dates_keep_four_digit_years(tenant: OracleTenant) -> None:
    with sqlgate.connect(_url(tenant)) as conn:
        start = len(tenant.queries)
        conn.cursor().execute(
            "SELECT * FROM T WHERE A = %s OR A = %s",
            (datetime.datetime(5, 1, 2, 3, 4, 5), datetime.date(99, 12, 31)),
        )
    [sent] = _sent(tenant, start)
    assert "TIMESTAMP '0005-01-02 03:04:05.000000'" in sent and "DATE '0099-12-31'" in sent


@pytest.mark.parametrize("read_only", ["true", "false"])
@pytest.mark.parametrize(
    "template",
    [
        "SELECT * FROM T WHERE A = '%s'",
        "SELECT * FROM T WHERE A = q'[%s]'",
        "SELECT * FROM T WHERE A = nQ'{%s}'",
        'SELECT * FROM T WHERE "%s" = 1',
        "SELECT * FROM T -- %s\nWHERE OWNER = 'me'",
        "SELECT * FROM T /* %s */ WHERE OWNER = 'me'",
        "SELECT * FROM T WHERE A = 'it''s %s'",
    ],
)
def test_placeholder_in_a_literal_or_comment_is_refused(
    tenant: OracleTenant, template: str, read_only: str
) -> None:
    """The value ``x\\nUNION SELECT ...`` in ``-- %s`` would end the comment and run."""
    with sqlgate.connect(_url(tenant) + f"&read_only={read_only}") as conn:
        before = list(tenant.queries)
        with pytest.raises(errors.ProgrammingError, match="placeholder"):
            conn.cursor().execute(template, ("x\nUNION SELECT PASSWORD FROM DBA_USERS --",))
        assert tenant.queries == before  # nothing was sent


def test_refused_values_send_nothing(tenant: OracleTenant) -> None:
    with sqlgate.connect(_url(tenant)) as conn:
        cursor = conn.cursor()
        before = list(tenant.queries)
        for value in ("a\0b", float("inf"), float("nan"), decimal.Decimal("NaN"), [1, 2], {1}):
            with pytest.raises((errors.DataError, errors.ProgrammingError)):
                cursor.execute("SELECT * FROM T WHERE A = %s", (value,))
        assert tenant.queries == before


def test_percent_signs_outside_placeholders(tenant: OracleTenant) -> None:
    """``%%`` is a percent sign in a literal; the value next to it stays a value."""
    with sqlgate.connect(_url(tenant)) as conn:
        start = len(tenant.queries)
        conn.cursor().execute("SELECT * FROM T WHERE A = %s AND B LIKE '5%%'", ("x'",))
    [sent] = _sent(tenant, start)
    assert sent == "SELECT * FROM T WHERE A = 'x''' AND B LIKE '5%'"


# -- functions: Oracle's built-ins only (no server guard stops a user's writing function) ---
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT PURGE_ALL() FROM DUAL",  # a user's function: AUTONOMOUS_TRANSACTION writes
        "SELECT APP.PURGE_ALL() FROM DUAL",
        "SELECT MY_PKG.F(1) FROM DUAL",
        "SELECT * FROM TABLE(MY_PIPELINED(1))",
        "SELECT BFILENAME('DIR', 'passwd') FROM DUAL",  # a server file
        "SELECT SYS.STANDARD.UPPER('x') FROM DUAL",
        "SELECT XMLTYPE('<a/>') FROM DUAL",
    ],
)
def test_functions_beyond_oracles_builtins_never_reach_the_tenant(
    tenant: OracleTenant, sql: str
) -> None:
    with sqlgate.connect(_url(tenant)) as conn:
        before = list(tenant.queries)
        with pytest.raises(errors.ReadOnlyError, match="allow_functions"):
            conn.cursor().execute(sql)
        assert tenant.queries == before  # nothing was sent


def test_builtins_pass_and_allow_functions_adds_a_trusted_one(tenant: OracleTenant) -> None:
    read = (
        "SELECT NVL(NAME, '-'), TRUNC(AT, 'MM'), TO_CHAR(AT, 'YYYY'), COUNT(*), "
        "ROW_NUMBER() OVER (ORDER BY ID), SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA') FROM T "
        "GROUP BY NAME, AT, ID"
    )
    with sqlgate.connect(_url(tenant) + "&allow_functions=app_score") as conn:
        cursor = conn.cursor()
        cursor.execute(read)
        cursor.execute("SELECT APP_SCORE(ID) FROM T")
        with pytest.raises(errors.ReadOnlyError):
            cursor.execute("SELECT PURGE_ALL() FROM DUAL")
    assert read in tenant.queries and "SELECT APP_SCORE(ID) FROM T" in tenant.queries
    assert "SELECT PURGE_ALL() FROM DUAL" not in tenant.queries
