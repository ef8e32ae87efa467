"""Red team of the gate's cache by shape (literal values left out): it must never hand one
statement another's verdict where a value changes the verdict, in either order."""

from __future__ import annotations

import itertools
import re

import pytest
import sqlglot

from sqlgate.core.errors import ProgrammingError
from sqlgate.core.readonly import StatementGate, Verdict
from sqlgate.core.readonly_lexer import ANY_PERCENT, LIKELY_PLACEHOLDER
from sqlgate.core.readonly_shape import NUMBER, STRING, shape
from tests.corpus import load_corpus

OLD_SQLGLOT = int(sqlglot.__version__.split(".")[0]) < 30
CORPORA = ["postgres", "mysql", "clickhouse", "snowflake", "bigquery", "databricks", "druid"]


def outcome(gate: StatementGate, sql: str, **kw: bool) -> str | Verdict:
    """The verdict, or the kind of the refusal."""
    try:
        return gate.verdict(sql, **kw)
    except ProgrammingError as e:
        return f"refused: {getattr(e, 'kind', e)}"


def fresh(policy: str, sql: str, **kw: bool) -> str | Verdict:
    """The verdict of a gate that has seen nothing else."""
    return outcome(StatementGate(policy), sql, **kw)


def key(policy: str, sql: str, params: re.Pattern[str] | None = None) -> str:
    gate = StatementGate(policy)
    return shape(*gate._lexed(sql, params))


# (policy, admitted statement, refused statement, params): both in either order
PAIRS = [
    # session statements: the value is what the gate judges; never cached by shape
    ("postgres", "SET search_path = 'public'", "SET search_path = 'pg_temp'", None),
    ("postgres", "SET search_path = 'public'", "SET search_path = 'pg_catalog, x'", None),
    ("postgres", "SET statement_timeout = 5000", "SET statement_timeout = 0", None),
    ("postgres", "SET statement_timeout = '5s'", "SET statement_timeout = '0'", None),
    ("postgres", "SET lock_timeout TO 10", "SET lock_timeout TO 0.5", None),
    ("postgres", "SET extra_float_digits = 3", "SET extra_float_digits = 4", None),
    ("mysql", "SET max_statement_time = 5", "SET max_statement_time = 0", None),
    ("mysql", "SET sql_select_limit = 10", "SET sql_select_limit = 0", None),
    ("mysql", "SET SESSION max_execution_time = 100", "SET SESSION max_execution_time = 0", None),
    # the text around a value is read anew: where a literal ends, placeholders, odd bytes
    ("postgres", "SELECT * FROM t WHERE a = 'x'", "SELECT * FROM t WHERE a = 'x\\'", None),
    (
        "postgres",
        "SELECT a FROM t WHERE b = 'x' OR c = 'y'",
        "SELECT a FROM t WHERE b = 'x\\' OR c = ' OR pg_sleep(9) IS NULL --'",
        None,
    ),
    (
        "mysql",
        "SELECT a FROM t WHERE b = 'x'",
        "SELECT a FROM t WHERE b = 'x\\' OR sleep(9)#'",
        None,
    ),
    ("mysql", "SELECT a FROM t WHERE b = 'ab'", "SELECT a FROM t WHERE b = '/*!ab*/'", None),
    ("mysql", "SELECT a FROM t WHERE b = 'ab'", "SELECT a FROM t WHERE b = '/*M!ab*/'", None),
    ("postgres", "SELECT a FROM t WHERE b = 'x s'", "SELECT a FROM t WHERE b = '%s'", True),
    ("postgres", "SELECT a FROM t WHERE b = 'x'", "SELECT a FROM t WHERE b = '%(x)s'", None),
    ("mysql", "SELECT a FROM t WHERE b = 'x1s'", "SELECT a FROM t WHERE b = '%1s'", True),
    ("postgres", "SELECT a FROM t WHERE b = 'xy'", "SELECT a FROM t WHERE b = 'x\x0by'", None),
    # odd whitespace is data inside quotes, refused in a comment (shapes may drop comments)
    ("postgres", "SELECT a FROM t /* xy */", "SELECT a FROM t /* x\u2028y */", None),
    ("postgres", "SELECT a FROM t WHERE b = 'xy'", "SELECT a FROM t WHERE b = 'x\x00y'", None),
    ("postgres", "SELECT $$ab$$", "SELECT $$ab", None),
    ("postgres", "SELECT 'ab'", "SELECT 'ab", None),
    ("postgres", "SELECT 'ab', 'cd'", "SELECT 'ab/*', 'cd' /* '", None),
    # a prefix or a neighbour changes the literal: kept in the shape
    ("postgres", "SELECT 'x' FROM t", "SELECT 'x'; DELETE FROM t", None),
    ("postgres", "SELECT 1 FROM t LIMIT 10", "SELECT 1 FROM t LIMIT 10; DELETE FROM t", None),
    ("postgres", "SELECT 1", "SELECT 1 INTO t", None),
    ("postgres", "SELECT 1 FROM t", "SELECT 1 FROM t FOR UPDATE", None),
    ("mysql", "SELECT 1 FROM t", "SELECT 1 FROM t INTO OUTFILE '/tmp/x'", None),
    ("mysql", "SELECT @a = 1", "SELECT @a := 1", None),
    ("clickhouse", "SELECT 1 SETTINGS max_threads = 1", "SELECT 1 SETTINGS readonly = 0", None),
    # a name is never a value: identifiers and called names stay in the shape
    ("postgres", "SELECT lower('x')", "SELECT set_config('x', 'y', false)", None),
    ("postgres", 'SELECT "lower"(1)', 'SELECT "nextval"(1)', None),
    ("mysql", "SELECT `a` FROM t", "SELECT `a` FROM t PROCEDURE ANALYSE()", None),
]


@pytest.mark.parametrize(("policy", "good", "bad", "params"), PAIRS)
def test_admitted_and_refused_of_one_shape_in_either_order(
    policy: str, good: str, bad: str, params: bool | None
) -> None:
    if policy == "clickhouse" and OLD_SQLGLOT:
        pytest.skip("sqlglot 28 refuses ClickHouse SETTINGS (test_readonly_gate.py)")
    kw = {} if params is None else {"params": params}
    expected_good, expected_bad = fresh(policy, good, **kw), fresh(policy, bad, **kw)
    assert isinstance(expected_good, Verdict), expected_good
    assert isinstance(expected_bad, str) and expected_bad.startswith("refused"), expected_bad
    for order in ((good, bad), (bad, good)):
        gate = StatementGate(policy)
        for _ in range(2):  # the second round is answered from the caches
            seen = [outcome(gate, sql, **kw) for sql in order]
            assert seen == [expected_good if s == good else expected_bad for s in order]


def test_session_values_share_a_shape_and_are_still_judged_each() -> None:
    """The pairs above do collide: proof that the test exercises the shape cache."""
    assert key("postgres", "SET search_path = 'public'") == key(
        "postgres", "SET search_path = 'pg_temp'"
    )
    assert key("postgres", "SET statement_timeout = 5000") == key(
        "postgres", "SET statement_timeout = 0"
    )
    gate = StatementGate("postgres")
    assert gate.check("SELECT * FROM t WHERE a = 'x' AND b > 2") == "SELECT"
    assert gate.check("SELECT * FROM t WHERE a = 'y z' AND b > 30.5") == "SELECT"
    assert gate.shape_cache_info()[:2] == (1, 1)  # the second was a hit by shape


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT 'a', 42, 3.5 FROM t", f"SELECT {STRING}, {NUMBER}, {NUMBER} FROM t"),
        ("SELECT t1.c2 FROM t1", "SELECT t1.c2 FROM t1"),  # digits of names stay
        ("SELECT $1, 0x1F, 1e5, .5, x::int", "SELECT $1, 0x1F, 1e5, .5, x::int"),
        ("SELECT E'a', N'b', U&'c', B'01'", "SELECT E'a', N'b', U&'c', B'01'"),
        ("SELECT 'it''s', 'a\\b', 'a%b'", "SELECT 'it''s', 'a\\b', 'a%b'"),
        ("SELECT \"x\", $$y$$ /* 'c' 1 */", "SELECT \"x\", $$y$$ /* 'c' 1 */"),
        ("SELECT 'a' -- 'b' 2\n", f"SELECT {STRING} -- 'b' 2\n"),
        ("SELECT 'a b:c@d+e-f.g,h_i'", f"SELECT {STRING}"),
        ("SELECT 12'x', 3", f"SELECT 12'x', {NUMBER}"),  # a number touching a literal stays
        ("SELECT 'a/b', 'a*b', 'a;b', 'a\nb'", "SELECT 'a/b', 'a*b', 'a;b', 'a\nb'"),
    ],
)
def test_only_plain_values_are_left_out(sql: str, expected: str) -> None:
    assert key("postgres", sql) == expected


def test_mysql_double_quoted_strings_and_backticks_stay() -> None:
    sql = "SELECT \"a\", `b`, 'c', 7"
    assert key("mysql", sql) == f'SELECT "a", `b`, {STRING}, {NUMBER}'


def test_params_are_part_of_the_key() -> None:
    gate = StatementGate("postgres")
    assert gate.check("SELECT a FROM t WHERE b = 'x%s'", params=False) == "SELECT"
    with pytest.raises(ProgrammingError):
        gate.check("SELECT a FROM t WHERE b = 'y%s'", params=True)
    assert key("postgres", "SELECT 'x'", ANY_PERCENT) == key("postgres", "SELECT 'x'")
    assert LIKELY_PLACEHOLDER is not ANY_PERCENT


_VALUES = ["", "x", "2024-12-31", "a b", "DROP TABLE t", "nextval", "-- x", "1e5", "+", "é"]
_NUMBERS = ["0", "7", "1.5", "99999999999999999999"]


def _variants(gate: StatementGate, sql: str) -> list[str]:
    """``sql`` with its plain values replaced, several ways."""
    marked = shape(*gate._lexed(sql, None))
    if STRING not in marked and NUMBER not in marked:
        return []
    return [
        marked.replace(STRING, f"'{s}'").replace(NUMBER, n)
        for s, n in zip(_VALUES, itertools.cycle(_NUMBERS))
    ]


@pytest.mark.parametrize("policy", CORPORA)
def test_corpus_values_never_change_a_verdict(policy: str) -> None:
    """Every corpus statement with other plain values: the verdict a gate gives after
    seeing the original (by shape) is the one a fresh gate gives (by parsing)."""
    checked = 0
    for name in (f"allowed_{policy}", f"readonly_{policy}"):
        for case in load_corpus(name):
            gate = StatementGate(policy)
            try:
                variants = _variants(gate, case.sql)
            except Exception:  # refused by the lexer: nothing to vary
                continue
            first = outcome(gate, case.sql)
            for variant in variants:
                assert outcome(gate, variant) == fresh(policy, variant), (case.sql, variant)
                checked += 1
            assert isinstance(first, (str, Verdict))
    assert checked >= 10


def test_templates_are_checked_once_and_bound_texts_share_a_shape() -> None:
    """What the cursor does with parameters: the template's check is cached, and the texts
    the driver binds for it share one shape, so only the first is parsed."""
    gate = StatementGate("postgres", backslash_escapes=False)
    template = "SELECT a FROM t WHERE b = %(b)s AND c > %(c)s"
    for _ in range(3):
        gate.check_template(template)
    assert gate._templates.cache_info().hits == 2
    for value, number in (("x", 1), ("y z", 20), ("2024-01-01", 3.5)):
        assert gate.check(f"SELECT a FROM t WHERE b = '{value}' AND c > {number}") == "SELECT"
    assert gate.shape_cache_info()[:2] == (2, 1)
    with pytest.raises(ProgrammingError):
        gate.check_template("SELECT a FROM t WHERE b = '%(b)s'")
    with pytest.raises(ProgrammingError):  # the cached refusal is raised again, fresh
        gate.check_template("SELECT a FROM t WHERE b = '%(b)s'")


LEXINGS = [
    "SELECT a FROM t WHERE b = 'x'",
    "SELECT a FROM t WHERE b = 'x\\' OR sleep(9) OR 'y'",
    "SELECT a FROM t WHERE b = 'x\\' OR pg_sleep(9) IS NULL --'",
    "SELECT a FROM t WHERE b = E'x\\\\' OR pg_sleep(9) IS NULL --'",
    "SELECT a FROM t WHERE b = E'x\\' OR pg_sleep(9) IS NULL --'",
    "SELECT a FROM t WHERE b = 'x' -- ' OR pg_sleep(9) IS NULL",
    "SELECT a FROM t WHERE b = 'x--' OR c = '1'",
    "SELECT a FROM t WHERE b = $$x$$ OR c = '1'",
    "SELECT a FROM t WHERE b = $q$x' OR pg_sleep(9) IS NULL --$q$",
]


@pytest.mark.parametrize("policy", ["postgres", "mysql"])
@pytest.mark.parametrize("backslash", [None, True, False])
def test_where_a_literal_ends_is_the_servers_reading_in_any_order(
    policy: str, backslash: bool | None
) -> None:
    """The same texts under each way a server reads a backslash: whatever order they come
    in, each gets the verdict a fresh gate with that reading gives it."""
    expected = [outcome(StatementGate(policy, backslash_escapes=backslash), s) for s in LEXINGS]
    assert any(isinstance(e, Verdict) for e in expected)
    assert any(isinstance(e, str) for e in expected)
    for order in (LEXINGS, LEXINGS[::-1]):
        gate = StatementGate(policy, backslash_escapes=backslash)
        for _ in range(2):
            seen = {s: outcome(gate, s) for s in order}
            assert [seen[s] for s in LEXINGS] == expected
