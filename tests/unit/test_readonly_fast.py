"""The gate's fast path admits nothing the full gate refuses, and reports the same calls.

Every corpus statement and a few thousand generated ones (plain SELECTs, and the same with
hostile words spliced in) go through the fast path and through a gate without it.
"""

from __future__ import annotations

import dataclasses
import functools
import random

import pytest

from sqlgate.core.errors import ProgrammingError
from sqlgate.core.readonly import EnginePolicy, StatementGate, Verdict
from sqlgate.core.readonly_fast import FAST_POLICIES
from sqlgate.core.readonly_lexer import LIKELY_PLACEHOLDER
from sqlgate.core.readonly_policies import POLICIES
from tests.corpus import load_corpus

CORPUS_OF = {"postgres": "postgres", "redshift": "postgres", "mysql": "mysql"}
CORPUS_OF |= {"doris": "mysql", "starrocks": "mysql"}


@functools.cache
def _gate(policy: str, fast_path: bool) -> StatementGate:
    return StatementGate(policy, fast_path=fast_path, cache_size=0)  # remembers nothing


def full(policy: str, sql: str) -> Verdict | str:
    """The full gate's verdict, or the kind of its refusal."""
    try:
        return _gate(policy, False).verdict(sql)
    except ProgrammingError as e:
        return f"refused: {getattr(e, 'kind', e)}"


def fast(policy: str, sql: str) -> Verdict | None:
    """The fast path's answer alone (None: it leaves the statement to the full gate)."""
    gate = _gate(policy, True)
    strict = LIKELY_PLACEHOLDER if gate.policy.client_side_params else None  # as verdict()
    try:
        return gate._fast(gate._lexed(sql, strict))
    except Exception:  # refused by the lexer before the fast path is asked
        return None


def test_every_engine_of_the_fast_path_has_a_corpus() -> None:
    assert set(CORPUS_OF) == FAST_POLICIES


@pytest.mark.parametrize("policy", sorted(FAST_POLICIES))
def test_corpora_agree(policy: str) -> None:
    admitted = 0
    for prefix in ("allowed", "readonly"):
        for case in load_corpus(f"{prefix}_{CORPUS_OF[policy]}"):
            answer = fast(policy, case.sql)
            if answer is None:
                continue
            assert prefix == "allowed", f"fast path admits a refused statement: {case.sql!r}"
            assert answer == full(policy, case.sql), case.sql
            admitted += 1
    assert admitted >= 5  # the fast path is exercised by the corpus


DASHBOARD = [
    """SELECT o.region, c.segment, count(*) AS n, sum(o.amount) AS total
FROM orders o
JOIN customers c ON c.id = o.customer_id
LEFT JOIN regions r ON r.code = o.region
WHERE o.created_at >= '2024-01-01'
  AND o.status IN ('paid', 'shipped')
  AND o.amount > 10.5
GROUP BY o.region, c.segment
ORDER BY total DESC
LIMIT 100""",
    "SELECT DISTINCT a FROM s.t WHERE b IS NOT NULL AND c NOT LIKE 'x%' ORDER BY a NULLS LAST",
    "SELECT * FROM (SELECT a, b FROM t WHERE a BETWEEN 1 AND 2) AS virtual_table LIMIT 10",
    "SELECT CASE WHEN a > 1 THEN 'big' ELSE 'small' END AS size, max(b) FROM t GROUP BY 1",
    "SELECT t.* FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id) OFFSET 5",
    "SELECT a FROM t WHERE b IN (SELECT b FROM u) AND NOT c = 2 OR d <> -3",
    "SELECT lower(city), count(DISTINCT id) FROM t CROSS JOIN u GROUP BY lower(city)",
    "SELECT CAST(a AS DECIMAL(10, 2)) FROM t",
    "SELECT a FROM t JOIN u USING (id, k)",
]


@pytest.mark.parametrize("policy", sorted(FAST_POLICIES))
@pytest.mark.parametrize("sql", DASHBOARD)
def test_dashboard_queries_take_the_fast_path(policy: str, sql: str) -> None:
    answer = fast(policy, sql)
    assert answer is not None
    assert answer == full(policy, sql)


SUPERSET = {
    "postgres": """SELECT date_trunc('day', "created_at") AS "__timestamp", count(*) AS "count"
FROM "public"."orders"
WHERE "created_at" >= TO_TIMESTAMP('2024-01-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US')
  AND "created_at" < TO_TIMESTAMP('2024-02-01 00:00:00.000000', 'YYYY-MM-DD HH24:MI:SS.US')
GROUP BY date_trunc('day', "created_at")
ORDER BY "count" DESC
LIMIT 10000;""",
    "mysql": """SELECT DATE(`created_at`) AS `__timestamp`, `region` AS `region`,
  sum(`amount`) AS `SUM(amount)`
FROM `shop`.`orders` JOIN (SELECT `region` AS `region__`, sum(`amount`) AS `mme_inner__`
  FROM `shop`.`orders`
  WHERE `created_at` >= STR_TO_DATE('2024-01-01 00:00:00.000000', '%Y-%m-%d %H:%i:%s.%f')
  GROUP BY `region` ORDER BY `mme_inner__` DESC LIMIT 5) AS `anon_1` ON `region` = `region__`
WHERE `created_at` >= STR_TO_DATE('2024-01-01 00:00:00.000000', '%Y-%m-%d %H:%i:%s.%f')
GROUP BY DATE(`created_at`), `region` ORDER BY `SUM(amount)` DESC
LIMIT 10000""",
}


@pytest.mark.parametrize("policy", sorted(SUPERSET))
def test_superset_queries_take_the_fast_path(policy: str) -> None:
    """What Superset sends (no parameters: ``params=False``), time grains included."""
    gate, sql = _gate(policy, True), SUPERSET[policy]
    answer = gate._fast(gate._lexed(sql, None))
    assert answer is not None
    assert answer == _gate(policy, False).verdict(sql, params=False)


@pytest.mark.parametrize(
    ("policy", "sql"),
    [
        ("postgres", "SELECT a FROM t WHERE b = 1 AND pg_catalog.date_trunc('day', c) > now()"),
        ("postgres", 'SELECT "Lower"(a), s.f(b), d.s.g(c) FROM t'),
        ("postgres", "SELECT a::text, '1'::int, b::numeric(10,2) FROM t"),
        ("postgres", "SELECT now() - INTERVAL '7 days', a ILIKE 'x' FROM t"),
        ("mysql", "SELECT now() - INTERVAL 7 DAY, `a` FROM `t` LIMIT 5, 10"),
        ("mysql", "SELECT CAST(a AS SIGNED INTEGER) FROM t"),
    ],
)
def test_dialect_forms_agree(policy: str, sql: str) -> None:
    answer = fast(policy, sql)
    assert answer is not None and answer == full(policy, sql)


HOSTILE = [
    "SELECT a FROM t FOR UPDATE",
    "SELECT a FROM t FOR SHARE",
    "SELECT a FROM t LOCK IN SHARE MODE",
    "SELECT a INTO b FROM t",
    "SELECT a FROM t INTO OUTFILE '/tmp/x'",
    "SELECT a FROM t PROCEDURE ANALYSE()",
    "SELECT pg_sleep(1)",
    "SELECT pg_catalog.set_config('a', 'b', false)",
    "SELECT \"nextval\"('s')",
    "SELECT s.nextval FROM dual",
    "SELECT sleep(1) FROM t",
    "SELECT lo_import('/etc/passwd')",
    "SELECT dblink_exec('x')",
    "SELECT a FROM t; DELETE FROM t",
    "SELECT a FROM t /* c */",
    "SELECT a FROM t -- c",
    "SELECT /*+ SET_VAR(sql_mode='') */ a FROM t",
    "SELECT a FROM generate_series(1, 3)",
    "SELECT @a := 1",
    "SELECT NEXT VALUE FOR s",
    "SELECT a FROM t UNION SELECT b FROM u",
    "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
    "SELECT $$x$$",
    "SELECT E'\\x41'",
    "SELECT a FROM t WINDOW w AS (PARTITION BY a)",
    "SELECT a FROM ONLY t",
    "SELECT a FROM t TABLESAMPLE SYSTEM (1)",
    "SELECT a FROM t x(y)",
    "SELECT 1 FROM t WHERE a = 1 LIMIT 1 INTO @x",
    "SELECT a FROM t NATURAL JOIN u",
    "SELECT a::regclass FROM t",
    "SELECT x'41'",
    "SELECT a FROM t WHERE b = ?",
    "SELECT a FROM t WHERE b = $1",
    'SELECT a AS "x""y" FROM t',
    "SELECT a FROM t WHERE b = 'x\\'",
    'SELECT "a" FROM t',  # a MySQL string, a PostgreSQL name: only read as the latter
]


@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_or_unusual_statements_go_to_the_full_gate(sql: str) -> None:
    """What the full gate refuses, the fast path leaves to it; a plain read it may admit,
    and then with the full gate's verdict."""
    for policy in ("postgres", "mysql"):
        expected, answer = full(policy, sql), fast(policy, sql)
        if isinstance(expected, str):
            assert answer is None, (policy, expected)
        else:
            assert answer is None or answer == expected


#: plain reads for one engine (another engine's side-effect functions are only names there;
#: PostgreSQL's allow-list still refuses ``sleep``)
PLAIN_READS = {
    ("postgres", 'SELECT "a" FROM t'),
    ("postgres", "SELECT sleep(1) FROM t"),
    ("mysql", "SELECT pg_sleep(1)"),
    ("mysql", "SELECT pg_catalog.set_config('a', 'b', false)"),
    ("mysql", "SELECT lo_import('/etc/passwd')"),
    ("mysql", "SELECT dblink_exec('x')"),
}


def test_the_fast_path_leaves_every_unusual_statement_alone() -> None:
    for sql in HOSTILE:
        for policy in ("postgres", "mysql"):
            if (policy, sql) not in PLAIN_READS:
                assert fast(policy, sql) is None, (policy, sql)


# -- generated statements --------------------------------------------------------------------
_NAMES = ["a", "b", "t", "u", "s", "x1", '"q"', "`q`", "lower", "s.a", "t.b"]
_ODD_NAMES = ["name", "mode", "share", "date", "u.nextval"]
_FUNCS = ["count", "sum", "lower", "coalesce", "s.f", "pg_catalog.upper", '"Up"', "date_trunc"]
_FUNCS += ["date", "left", "replace"]
_ODD_FUNCS = ["set_config", "pg_sleep", "sleep", "nextval", "substring", "trim", "lo_x"]
_VALUES = ["1", "2.5", "'x'", "'it''s'", "NULL", "TRUE", "-1", "1e3"]
_ODD_VALUES = ["'a%s'", "'\\'", "$1", "?", "@v", "E'x'", "X'41'", "$$x$$"]
_HOSTILE = ["INTO x", "FOR UPDATE", "; DROP TABLE t", "PROCEDURE p()", "LOCK IN SHARE MODE"]
_HOSTILE += ["/* x */", "-- x\n", ":= 1", "@v", "UNION SELECT 1", "RETURNING *", "$1", "#x\n"]
_HOSTILE += ["NEXT VALUE FOR s", "WINDOW w AS ()", "AS", ",", "(", ")", "ON", "JOIN u"]


def _pick(rnd: random.Random, usual: list[str], odd: list[str], share: float = 0.08) -> str:
    return rnd.choice(odd if rnd.random() < share else usual)


def _expr(rnd: random.Random, depth: int = 0) -> str:
    roll = rnd.random()
    if depth > 1 or roll < 0.45:
        return _pick(rnd, _VALUES + _NAMES, _ODD_VALUES + _ODD_NAMES)
    if roll < 0.6:
        name = _pick(rnd, _FUNCS, _ODD_FUNCS)
        args = ", ".join(_expr(rnd, depth + 1) for _ in range(rnd.randint(0, 2)))
        distinct = "DISTINCT " if args and rnd.random() < 0.2 else ""
        return f"{name}({distinct}{args or ('*' if name == 'count' else '')})"
    if roll < 0.75:
        op = rnd.choice(["=", "<>", "+", "AND", "OR", "LIKE", "||", "<=", "IS NOT", "::int"])
        right = "" if op == "::int" else "NULL" if op == "IS NOT" else _expr(rnd, depth + 1)
        return f"{_expr(rnd, depth + 1)} {op} {right}"
    if roll < 0.82:
        return f"({_select(rnd, depth + 1)})"
    if roll < 0.9:
        return f"CASE WHEN {_expr(rnd, depth + 1)} THEN {_expr(rnd, depth + 1)} END"
    return f"{_expr(rnd, depth + 1)} IN ({_expr(rnd, depth + 1)}, {_expr(rnd, depth + 1)})"


def _select(rnd: random.Random, depth: int = 0) -> str:
    items = ", ".join(
        _expr(rnd, depth) + _pick(rnd, ["", " AS c", " c"], [" share", " mode"])
        for _ in range(rnd.randint(1, 3))
    )
    sql = f"SELECT {rnd.choice(['', 'DISTINCT '])}{items}"
    if rnd.random() < 0.8:
        sql += f" FROM {rnd.choice(_NAMES)} {_pick(rnd, ['', 'x', 'AS y'], ['mode', 'x(y)'])}"
        if rnd.random() < 0.4:
            sql += f" LEFT JOIN {rnd.choice(_NAMES)} ON {_expr(rnd, depth + 1)}"
    for clause in ("WHERE", "GROUP BY", "ORDER BY"):
        if rnd.random() < 0.3:
            sql += f" {clause} {_expr(rnd, depth + 1)}"
    if rnd.random() < 0.3:
        sql += f" LIMIT {rnd.choice(['10', '1.5', 'a', '-1'])}"
    return sql


def _statements(seed: int, count: int) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        sql = _select(rnd)
        if rnd.random() < 0.4:  # splice a hostile or stray word in somewhere
            words = sql.split(" ")
            words.insert(rnd.randint(1, len(words)), rnd.choice(_HOSTILE))
            sql = " ".join(words)
        out.append(sql)
    return out


@pytest.mark.parametrize("policy", ["postgres", "mysql"])
def test_generated_statements_agree(policy: str) -> None:
    admitted = 0
    for sql in _statements(seed=len(policy), count=1500):
        answer = fast(policy, sql)
        if answer is not None:
            assert answer == full(policy, sql), sql
            admitted += 1
    assert admitted >= 100  # the generator reaches the fast path often enough


def test_extra_denials_of_an_engine_reach_the_fast_path() -> None:
    """An engine's own additions (``extra``) are asked by the fast path too, even for a
    word the grammar reads as syntax."""
    extra = EnginePolicy(deny_functions=frozenset({"cast", "my_udf"}))
    gate = StatementGate("postgres", extra)
    assert gate._fast_path
    for sql in ("SELECT CAST(a AS INT) FROM t", "SELECT my_udf(a) FROM t"):
        assert gate._fast(gate._lexed(sql, None)) is None
        with pytest.raises(ProgrammingError):
            gate.verdict(sql)
    assert gate.verdict("SELECT lower(a) FROM t").kind == "SELECT"
    custom = StatementGate(dataclasses.replace(POLICIES["postgres"], user_variables=True))
    assert not custom._fast_path  # a policy the fast path was not written for: never used


# -- the plain-read path (DuckDB policy, lakehouse compiler) ---------------------------------
def test_plain_words_hold_every_word_sqlglot_reserves() -> None:
    """The snapshot kept to avoid loading the dialect lacks nothing sqlglot reserves now."""
    from sqlglot.dialects.dialect import Dialect

    from sqlgate.core.readonly_fast_words import reserved
    from sqlgate.core.readonly_plain_words import DUCKDB_RESERVED

    words = {w for w in reserved("duckdb") if w.replace("_", "").isalnum() and w.isascii()}
    words |= {w.upper() for w in Dialect.get_or_raise("duckdb").generator_class.RESERVED_KEYWORDS}
    assert words - DUCKDB_RESERVED == set()


_PLAIN_OK = [
    "SELECT * FROM events LIMIT 10",
    "select a, B from bench.Events e limit 5",
    "SELECT a FROM s.t AS x",
    "SELECT\t*\nFROM t LIMIT 0;",
    "SELECT id,category FROM events LIMIT 010",
    "SELECT a FROM a.b.c",
]
_PLAIN_WORDS = ["a", "t", "x_1", "_t", "events", "Ev", "read_csv", "glob", "s3", "struct", "map"]
_ODD_WORDS = ["limit", "select", "from", "as", "all", "for", "update", "into", "using", "sample"]
_ODD_WORDS += ["union", "window", "qualify", "pivot", "current_date", "columns", "lambda", "x"]


def _plain_statements(seed: int, count: int) -> list[str]:
    """The plain shape with any word in any name's place, and a stray token now and then."""
    rnd = random.Random(seed)
    out = []
    for _ in range(count):
        word = functools.partial(_pick, rnd, _PLAIN_WORDS, _ODD_WORDS)
        cols = "*" if rnd.random() < 0.4 else ", ".join(word() for _ in range(rnd.randint(1, 3)))
        table = ".".join(word() for _ in range(rnd.randint(1, 3)))
        alias = rnd.choice(["", f" {word()}", f" AS {word()}"])
        sql = f"SELECT {cols} FROM {table}{alias}{rnd.choice(['', ' LIMIT 7', ' limit 0'])}"
        if rnd.random() < 0.3:
            words = sql.split(" ")
            words.insert(rnd.randint(1, len(words)), rnd.choice([*_HOSTILE, "(1)", "'x'"]))
            sql = " ".join(words)
        out.append(sql)
    return [*_PLAIN_OK, *out]


def _compiled(sql: str, plain: bool) -> object:
    """The lakehouse compiler's rewrite of ``sql``, or its error's type and text."""
    from sqlgate.core.errors import Error
    from sqlgate.lakehouse.compiler import compile_statement

    try:
        return compile_statement(sql, "main", plain=plain)
    except Error as e:
        return (type(e).__name__, str(e))


def test_plain_reads_agree_with_the_full_gate_and_compile() -> None:
    """Every statement the plain path admits, the full DuckDB gate admits alike; the lakehouse
    compiler's shortcut rewrites every statement exactly as sqlglot does."""
    admitted = 0
    for sql in _plain_statements(seed=7, count=3000):
        answer = fast("duckdb", sql)
        if answer is not None:
            assert answer == full("duckdb", sql), sql
            admitted += 1
        assert _compiled(sql, True) == _compiled(sql, False), sql
    assert admitted >= 300


def test_plain_path_admits_no_corpus_refusal() -> None:
    """No refused statement of any corpus is a plain read for the DuckDB policy."""
    from tests.corpus import CORPUS_DIR

    checked = 0
    for path in sorted(CORPUS_DIR.glob("readonly_*.sql")):
        for case in load_corpus(path.stem):
            assert fast("duckdb", case.sql) is None, case.id
            checked += 1
    assert checked > 500
