"""The statement gate: both corpora, then one focused test per rule."""

from __future__ import annotations

import dataclasses

import pytest
import sqlglot

from sqlgate.core import readonly
from sqlgate.core.allowlists import FunctionAllowList, postgres_functions
from sqlgate.core.errors import ProgrammingError, ReadOnlyError, UnparseableStatementError
from sqlgate.core.readonly import EnginePolicy, StatementGate, gate_for
from sqlgate.core.readonly_policies import POLICIES, GatePolicy
from sqlgate.core.registry import all_sources, get_source
from tests.corpus import CorpusCase, corpus_names, load_corpus

ADMITTED_KINDS = {
    "SELECT",
    "SHOW",
    "EXPLAIN",
    "DESCRIBE",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "SET",
    "RESET",
    "USE",
    "EXISTS",
}
#: corpus name -> the policy that reads it
CORPORA = {
    "postgres": "postgres",
    "mysql": "mysql",
    "clickhouse": "clickhouse",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "druid": "druid",
    "dameng": "dameng",
    "doris": "doris",
}


#: sqlglot 28 (Superset 6.1's) lexes or parses these differently, so the gate refuses them
#: (fail closed: a legitimate read refused, never a write admitted); sqlglot >= 30 admits them
OLD_SQLGLOT = int(sqlglot.__version__.split(".")[0]) < 30
REFUSED_BY_OLD_SQLGLOT = frozenset(
    {
        "TABLE public.accounts",
        "SELECT E'line\\nbreak', E'tab\\there', E'quote\\'s'",
        "SELECT 1 SETTINGS max_threads = 4",
        "TABLE t",
        "SELECT E'it\\'s', E'\\\\'",
        "SELECT 1 --1",
        # BigQuery escapes inside backquoted names and triple-quoted strings
        "SELECT `we\\`ird` FROM ds.accounts",
        'SELECT \'\'\'it\\\'s\'\'\', """say \\"hi\\"""" AS t',
    }
)


def admitted(sql: str, dialect: str) -> str:
    """The admitted kind; under sqlglot 28, the known over-refusals must stay refusals."""
    if OLD_SQLGLOT and sql in REFUSED_BY_OLD_SQLGLOT:
        return refused(sql, dialect) and "refused by sqlglot 28"
    return gate_for(dialect).verdict(sql).kind


def _cases(prefix: str) -> list[tuple[str, CorpusCase]]:
    return [(d, c) for name, d in CORPORA.items() for c in load_corpus(f"{prefix}_{name}")]


def refused(sql: str, dialect: str = "postgres", **kw: bool) -> str:
    """Refused means: sqlgate raised a ProgrammingError before anything reached the server
    (a ReadOnlyError, or an UnparseableStatementError for text it could not parse)."""
    with pytest.raises(ProgrammingError) as info:
        gate_for(dialect).check(sql, **kw)
    assert isinstance(info.value, (ReadOnlyError, UnparseableStatementError))
    return info.value.kind


_PG_ALLOWED = FunctionAllowList(
    postgres_functions(), frozenset({"pg_catalog", "information_schema"})
)


def refused_by_sqlgate(sql: str, dialect: str) -> str:
    """What a connection does: the gate, then (PostgreSQL family) the function allow-list."""
    with pytest.raises(ProgrammingError) as info:
        verdict = gate_for(dialect).verdict(sql)
        if dialect in ("postgres", "redshift"):
            _PG_ALLOWED.check(verdict.calls)
    assert isinstance(info.value, (ReadOnlyError, UnparseableStatementError))
    return info.value.kind


# -- corpora ---------------------------------------------------------------------------
def test_corpora_are_large_enough() -> None:
    assert {"readonly_postgres", "readonly_mysql", "allowed_postgres", "allowed_mysql"} <= set(
        corpus_names()
    )
    for name in ("postgres", "mysql"):
        assert len(load_corpus(f"readonly_{name}")) >= 170
        assert len(load_corpus(f"allowed_{name}")) >= 40
    for name in CORPORA:
        assert len(load_corpus(f"readonly_{name}")) >= 10
        assert len(load_corpus(f"allowed_{name}")) >= 4


@pytest.mark.parametrize(("dialect", "case"), _cases("readonly"), ids=lambda v: getattr(v, "id", v))
def test_corpus_refused(dialect: str, case: CorpusCase) -> None:
    kind = refused_by_sqlgate(case.sql, dialect)
    assert kind.strip(), case.why


@pytest.mark.parametrize(("dialect", "case"), _cases("allowed"), ids=lambda v: getattr(v, "id", v))
def test_corpus_admitted(dialect: str, case: CorpusCase) -> None:
    if admitted(case.sql, dialect) == "refused by sqlglot 28":
        return
    verdict = gate_for(dialect).verdict(case.sql)
    assert verdict.kind in ADMITTED_KINDS, case.why
    if dialect == "postgres":
        _PG_ALLOWED.check(verdict.calls)


@pytest.mark.parametrize("dialect", ["doris", "starrocks"])
def test_mysql_corpus_refused_by_mysql_protocol_engines(dialect: str) -> None:
    for case in load_corpus("readonly_mysql"):
        refused(case.sql, dialect)


def test_postgres_corpus_refused_by_redshift() -> None:
    for case in load_corpus("readonly_postgres"):
        refused_by_sqlgate(case.sql, "redshift")


def test_corpus_loader_metadata() -> None:
    cases = load_corpus("readonly_postgres")
    assert cases[0].id == "readonly_postgres:001" and cases[0].why
    escaped = [c for c in cases if "\f" in c.sql]
    assert escaped, "-- escaped: yes records are decoded"
    assert all("-- kind:" not in c.sql for c in cases)


# -- statement kinds ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("INSERT INTO t VALUES (1)", "postgres", "INSERT"),
        ("update t set a = 1", "postgres", "UPDATE"),
        ("DELETE FROM t", "mysql", "DELETE"),
        ("REPLACE INTO t VALUES (1)", "mysql", "REPLACE"),
        ("MERGE INTO t USING s ON t.a = s.a WHEN MATCHED THEN DELETE", "postgres", "MERGE"),
        ("SELECT 1; DELETE FROM t", "postgres", "multiple statements"),
        ("SELECT * INTO t2 FROM t", "postgres", "SELECT ... INTO"),
        ("SELECT * FROM t INTO OUTFILE '/tmp/x'", "mysql", "SELECT ... INTO"),
        ("SELECT * FROM t FOR UPDATE", "postgres", "SELECT ... FOR UPDATE"),
        ("SELECT * FROM t LOCK IN SHARE MODE", "mysql", "SELECT ... FOR SHARE"),
        ("SELECT nextval('s')", "postgres", "side-effect function nextval"),
        ("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "postgres", "SET TRANSACTION"),
        ("SET GLOBAL read_only = 0", "mysql", "SET GLOBAL"),
        ("SET @x = 1", "mysql", "SET"),
        ("LOAD DATA INFILE '/tmp/x' INTO TABLE t", "mysql", "LOAD DATA"),
        ("CREATE TABLE t (a int)", "postgres", "CREATE TABLE"),
        ("COMMENT ON TABLE t IS 'x'", "postgres", "COMMENT ON"),
        ("BEGIN READ WRITE", "postgres", "BEGIN READ WRITE"),
        ("START TRANSACTION READ WRITE", "mysql", "START TRANSACTION READ WRITE"),
        ("SELECT @a := 1", "mysql", "user variable assignment"),
        ("SELECT 1 /*! , SLEEP(1) */", "mysql", "executable comment"),
        ("VACUUM t", "postgres", "VACUUM"),
        ("'not a statement'", "postgres", "unparseable statement"),
        ("SELECT FROM WHERE", "postgres", "unparseable statement"),
    ],
)
def test_refusal_kinds(sql: str, dialect: str, kind: str) -> None:
    assert refused(sql, dialect) == kind


@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("SELECT 1", "postgres", "SELECT"),
        ("TABLE t", "postgres", "SELECT"),
        ("VALUES (1), (2)", "postgres", "SELECT"),
        ("(SELECT 1) UNION (SELECT 2)", "mysql", "SELECT"),
        ("EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1", "postgres", "EXPLAIN"),
        ("EXPLAIN FORMAT=JSON SELECT 1", "mysql", "EXPLAIN"),
        ("EXPLAIN t", "mysql", "DESCRIBE"),
        ("DESC t", "mysql", "DESCRIBE"),
        ("SHOW standard_conforming_strings", "postgres", "SHOW"),
        ("SHOW VARIABLES LIKE 'sql_mode'", "mysql", "SHOW"),
        ("BEGIN", "postgres", "BEGIN"),
        ("START TRANSACTION READ ONLY", "mysql", "BEGIN"),
        ("COMMIT", "mysql", "COMMIT"),
        ("ROLLBACK WORK", "postgres", "ROLLBACK"),
    ],
)
def test_admitted_kinds(sql: str, dialect: str, kind: str) -> None:
    assert admitted(sql, dialect) in (kind, "refused by sqlglot 28")


# -- empty and multiple statements ----------------------------------------------------------
@pytest.mark.parametrize("sql", ["", "   \n\t", "-- nothing", "/* nothing */", ";", " ; "])
def test_empty_statements(sql: str) -> None:
    assert refused(sql) == "empty statement"
    with pytest.raises(UnparseableStatementError, match="empty"):
        gate_for("postgres").check(sql)


@pytest.mark.parametrize("sql", ["SELECT 1;", "SELECT 1 ;\n  ", "SELECT ';'"])
def test_single_trailing_semicolon(sql: str) -> None:
    assert gate_for("postgres").check(sql) == "SELECT"


@pytest.mark.parametrize(
    "sql", ["SELECT 1;;", "SELECT 1; -- done", "SELECT 1; /* */", "; SELECT 1"]
)
def test_anything_after_the_semicolon(sql: str) -> None:
    assert refused(sql) == "multiple statements"


# -- placeholders -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT * FROM t WHERE a = %s AND b IN %s LIMIT %s", "mysql"),
        ("SELECT * FROM t WHERE a = %(a)s AND b = %(b)s", "mysql"),
        ("SELECT * FROM t WHERE a = ? AND b = :b", "mysql"),
        ("SELECT * FROM t WHERE a = $1 AND b = %(b)s AND c LIKE 'x%%'", "postgres"),
        ("SELECT 5 %% 3", "postgres"),
        ("SELECT data ? 'key' FROM t", "postgres"),
    ],
)
def test_placeholders_are_parsed(sql: str, dialect: str) -> None:
    assert gate_for(dialect).check(sql) == "SELECT"


@pytest.mark.parametrize(
    "sql", ["SELECT '%s'", "SELECT 'a%(x)s'", "SELECT 1 -- %s", 'SELECT "%s"', "SELECT $$%s$$"]
)
def test_placeholder_in_literal_refused_when_driver_interpolates(sql: str) -> None:
    assert refused(sql) == "placeholder inside a literal or comment"
    assert gate_for("postgres").check(sql, params=False) == "SELECT"


def test_placeholder_in_literal_when_the_driver_binds_server_side() -> None:
    assert gate_for("duckdb").check("SELECT * FROM t WHERE a LIKE '%smith%' AND b = ?") == "SELECT"
    assert gate_for("duckdb").check("SELECT 'x%s'", params=True) == "SELECT"
    for params in (None, True):  # unknown counts as "parameters may come"
        with pytest.raises(ReadOnlyError):
            gate_for("postgres").check("SELECT 'x%s'", params=params)
    assert gate_for("postgres").check("SELECT 'x%s'", params=False) == "SELECT"


def test_placeholders_never_admit_more() -> None:
    assert refused("DELETE FROM t WHERE id = %s") == "DELETE"
    assert refused("SELECT %s; DELETE FROM t") == "multiple statements"
    assert refused("SELECT nextval(%s)") == "side-effect function nextval"
    assert refused("SELECT nextval%s") == "side-effect function nextval"


# -- lexer disagreements fail closed --------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("SELECT 1 /* a /* b */ c */", "postgres", "nested comment"),
        ("SELECT 'a\\'", "postgres", "ambiguous backslash escape"),
        ("SELECT 'a\\'', 'b\\''", "mysql", "ambiguous backslash escape"),
        ('SELECT U&"\\0061"', "postgres", "unicode-escaped identifier"),
        ("SELECT 1 {# x #}", "postgres", "ambiguous lexing"),
        ("SELECT\u00a01", "postgres", "control or unusual whitespace character"),
        ("SELECT 1\x00", "mysql", "control or unusual whitespace character"),
        ("SELECT 1 -- x\r; DELETE FROM t", "postgres", "multiple statements"),
        ("SELECT 1 --x; DELETE FROM t", "mysql", "multiple statements"),
        ("SELECT '/*!'", "mysql", "executable comment"),
        ("SELECT 'unterminated", "postgres", "unparseable statement"),
    ],
)
def test_lexing_tricks(sql: str, dialect: str, kind: str) -> None:
    assert refused(sql, dialect) == kind


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT E'it\\'s', E'\\\\'", "postgres"),
        ("SELECT $$ ; $$, $t$ $$ ; $t$", "postgres"),
        ("SELECT 1 -- comment", "mysql"),
        ("SELECT 1 # comment", "mysql"),
        ("SELECT 1 --1", "mysql"),
        ("SELECT '/*!'", "postgres"),
        ("SELECT `a;b` FROM t", "mysql"),
        ("SELECT 0x41, X'41', b'01'", "mysql"),
        ("SELECT '''a'b'''", "bigquery"),
    ],
)
def test_lexing_admitted(sql: str, dialect: str) -> None:
    assert admitted(sql, dialect) in ("SELECT", "refused by sqlglot 28")


# -- functions and policies ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT pg_catalog.set_config('a', 'b', false)",
        "SELECT \"SET_CONFIG\"('a', 'b', false)",
        "SELECT * FROM set_config('a', 'b', false)",
        "SELECT * FROM t WHERE x IN (SELECT set_config('a', 'b', false))",
        "WITH c AS (SELECT set_config('a', 'b', false)) SELECT * FROM c",
        "SELECT set_config /* gap */ ('a', 'b', false)",
    ],
)
def test_side_effect_function_positions(sql: str) -> None:
    assert refused(sql) == "side-effect function set_config"


def test_deny_prefixes_and_aliases() -> None:
    assert refused("SELECT pg_try_advisory_lock(1)") == "side-effect function pg_try_advisory_lock"
    assert refused("SELECT lo_get(1)") == "side-effect function lo_get"
    assert gate_for("postgres").check("WITH http(x) AS (SELECT 1) SELECT x FROM http") == "SELECT"
    assert gate_for("postgres").check("SELECT t.x FROM (SELECT 1) AS http(x)") == "SELECT"


def test_deny_lists_are_exported_frozensets() -> None:
    for name in readonly.__all__:
        if name.endswith(("_FUNCTIONS", "_PREFIXES")):
            value = getattr(readonly, name)
            assert isinstance(value, frozenset) and all(v == v.lower() for v in value)
    assert {"nextval", "set_config", "pg_sleep"} <= readonly.POSTGRES_SIDE_EFFECT_FUNCTIONS
    assert {"sleep", "get_lock", "load_file"} <= readonly.MYSQL_SIDE_EFFECT_FUNCTIONS


def test_engine_policy_extends_the_dialect() -> None:
    gate = StatementGate(
        "postgres",
        EnginePolicy(
            deny_functions=frozenset({"My_Audit"}),
            deny_prefixes=frozenset({"evil_"}),
            admit_commands=frozenset({"LISTEN"}),
        ),
    )
    assert gate.check("LISTEN channel") == "LISTEN"
    for sql, kind in [
        ("SELECT my_audit()", "side-effect function my_audit"),
        ("SELECT evil_thing()", "side-effect function evil_thing"),
        ("SELECT nextval('s')", "side-effect function nextval"),
    ]:
        with pytest.raises(ReadOnlyError) as info:
            gate.check(sql)
        assert info.value.kind == kind


def test_dialect_settings_keep_the_policy() -> None:
    policy = dataclasses.replace(
        POLICIES["mysql"], dialect="mysql, normalization_strategy=lowercase"
    )
    with pytest.raises(ReadOnlyError) as info:
        StatementGate(policy).check("SELECT 1 /*! , SLEEP(1) */")
    assert info.value.kind == "executable comment"


@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("SELECT * FROM url('http://x', CSV, 'a int')", "clickhouse", "side-effect function url"),
        (
            "SELECT * FROM s3Cluster('c', 'http://x')",
            "clickhouse",
            "side-effect function s3cluster",
        ),
        ("SELECT 1 SETTINGS readonly = 0", "clickhouse", "SETTINGS readonly"),
        ("SYSTEM FLUSH LOGS", "clickhouse", "SYSTEM"),
        ("OPTIMIZE TABLE t FINAL", "clickhouse", "OPTIMIZE"),
        ("INSERT INTO FUNCTION file('x') SELECT 1", "clickhouse", "side-effect function file"),
        ("PRAGMA version", "duckdb", "PRAGMA"),
        ("ATTACH 'x.db'", "duckdb", "ATTACH"),
        ("INSTALL httpfs", "duckdb", "INSTALL"),
        ("SELECT * FROM query('DELETE FROM t')", "duckdb", "side-effect function query"),
        ("SELECT s.nextval", "snowflake", "side-effect function nextval"),
        (
            "SELECT SYSTEM$CANCEL_QUERY('x')",
            "snowflake",
            "side-effect function system$cancel_query",
        ),
        (
            "SELECT * FROM EXTERNAL_QUERY('c', 'SELECT 1')",
            "bigquery",
            "side-effect function external_query",
        ),
    ],
)
def test_other_engines(sql: str, dialect: str, kind: str) -> None:
    assert refused(sql, dialect) == kind


@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("SELECT * FROM range(3)", "duckdb", "SELECT"),
        ("SUMMARIZE SELECT 1", "duckdb", "SUMMARIZE"),
        ("EXISTS TABLE t", "clickhouse", "EXISTS"),
        ("EXPLAIN PLAN indexes = 1 SELECT 1", "clickhouse", "EXPLAIN"),
        ("DESCRIBE TABLE t", "snowflake", "DESCRIBE"),
    ],
)
def test_other_engines_admitted(sql: str, dialect: str, kind: str) -> None:
    assert gate_for(dialect).check(sql) == kind


# -- EXPLAIN, transactions ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ("EXPLAIN ANALYZE DELETE FROM t", "postgres", "DELETE"),
        ("EXPLAIN (ANALYZE, BUFFERS) UPDATE t SET a = 1", "postgres", "UPDATE"),
        ("EXPLAIN EXPLAIN SELECT 1", "postgres", "EXPLAIN EXPLAIN"),
        ("EXPLAIN", "postgres", "EXPLAIN"),
        ("EXPLAIN DELETE FROM t", "mysql", "DELETE"),
        ("DESCRIBE DELETE FROM t", "mysql", "DESCRIBE DELETE"),
        ("EXPLAIN ANALYZE SELECT pg_sleep(1)", "postgres", "side-effect function pg_sleep"),
    ],
)
def test_explain_runs_only_reads(sql: str, dialect: str, kind: str) -> None:
    assert refused(sql, dialect) == kind


@pytest.mark.parametrize(
    "sql",
    [
        "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE",
        "START TRANSACTION ISOLATION LEVEL READ COMMITTED READ ONLY",
        "BEGIN WORK",
        "COMMIT AND NO CHAIN",
        "END TRANSACTION",
    ],
)
def test_transaction_control_admitted(sql: str) -> None:
    assert gate_for("postgres").check(sql) in {"BEGIN", "COMMIT"}


@pytest.mark.parametrize(
    "sql",
    [
        "BEGIN READ ONLY, READ WRITE",
        "START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ WRITE",
        "BEGIN; SELECT 1",
        "BEGIN ISOLATION LEVEL BOGUS",
        "COMMIT PREPARED 'x'",
        "ROLLBACK TO SAVEPOINT s",
        "START SLAVE",
    ],
)
def test_transaction_control_refused(sql: str) -> None:
    refused(sql)


# -- cache and API -----------------------------------------------------------------------------
def test_verdicts_are_cached() -> None:
    gate = StatementGate("postgres", cache_size=8)
    sql = "SELECT * FROM t WHERE id = %s"
    assert gate.check(sql) == "SELECT"
    before = gate.cache_info()
    for _ in range(5):
        assert gate.check(sql) == "SELECT"
    after = gate.cache_info()
    assert after.hits == before.hits + 5 and after.misses == before.misses

    errors = []
    for _ in range(2):
        with pytest.raises(ReadOnlyError) as info:
            gate.check("DELETE FROM t")
        errors.append(info.value)
    assert errors[0] is not errors[1] and errors[0].kind == errors[1].kind == "DELETE"
    assert gate.cache_info().hits == after.hits + 1


def test_cache_is_bounded_and_keyed_by_params() -> None:
    gate = StatementGate("postgres", cache_size=4)
    for i in range(20):
        gate.check(f"SELECT {i}")
    assert gate.cache_info().currsize == 4
    assert gate.check("SELECT '%s'", params=False) == "SELECT"
    with pytest.raises(ReadOnlyError):
        gate.check("SELECT '%s'")


def test_huge_and_deep_statements() -> None:
    gate = StatementGate("postgres")
    assert gate.check("SELECT " + " + ".join(["1"] * 20_000)) == "SELECT"
    assert gate.cache_info().currsize == 0  # long statements skip the cache
    with pytest.raises(UnparseableStatementError) as info:
        gate.check("SELECT " + "(" * 20_000 + "1" + ")" * 20_000)
    assert info.value.kind == "unparseable statement"  # RecursionError fails closed
    with pytest.raises(ReadOnlyError) as info:
        gate.check("SELECT 1" + " " * 1_000_000)
    assert info.value.kind == "oversized statement"


def test_gate_for_is_shared_and_validates_policies() -> None:
    assert gate_for("mysql") is gate_for("mysql")
    assert gate_for("mysql") is not gate_for("postgres")
    with pytest.raises(ValueError):
        StatementGate("no-such-policy")


def test_errors_are_programming_errors_and_text_only() -> None:
    with pytest.raises(ProgrammingError):
        gate_for("postgres").check("DROP TABLE t")
    with pytest.raises(ReadOnlyError) as info:
        gate_for("postgres").check(b"SELECT 1")  # type: ignore[arg-type]
    assert info.value.kind == "non-text statement"


def test_refusal_message_never_echoes_the_statement() -> None:
    with pytest.raises(ReadOnlyError) as info:
        gate_for("postgres").check("UPDATE t SET password = 'hunter2'")
    assert "hunter2" not in str(info.value)


def test_size_limit_is_checked_before_anything_reads_the_text() -> None:
    import time

    from sqlgate.core.readonly import MAX_STATEMENT_LENGTH

    gate = StatementGate("postgres")
    hostile = "SELECT " + ", ".join(["'x'"] * (MAX_STATEMENT_LENGTH // 4))
    assert len(hostile) > MAX_STATEMENT_LENGTH
    t0 = time.monotonic()
    with pytest.raises(ReadOnlyError) as info:
        gate.check(hostile)
    assert info.value.kind == "oversized statement"
    assert time.monotonic() - t0 < 0.5  # refused without lexing 131 KiB of text


# -- policies per source ---------------------------------------------------------------------
def test_every_registered_source_names_an_existing_policy() -> None:
    for spec in all_sources():
        assert spec.gate_policy in POLICIES, spec.name
        gate = readonly.gate_for_source(spec)
        assert gate.check("SELECT 1") == "SELECT"
        assert refused("DROP TABLE t", spec.gate_policy) == "DROP TABLE"


@pytest.mark.parametrize("policy", [None, "trino", "clickhouse-typo"])
def test_a_source_without_a_policy_refuses_every_statement(policy: str | None) -> None:
    throwaway = dataclasses.replace(
        get_source("postgresql"), name="throwaway", scheme="throwaway", gate_policy=policy
    )
    gate = readonly.gate_for_source(throwaway)
    for sql in ("SELECT 1", "SHOW tables", "BEGIN", "SELECT sleep(1)", "set search_path = x"):
        with pytest.raises(ReadOnlyError) as info:
            gate.check(sql)
        message = str(info.value)
        assert "'throwaway'" in message and "read-only policy" in message, message
    with pytest.raises(ReadOnlyError):
        gate.check_template("SELECT 1")


def test_policies_are_named_by_behaviour() -> None:
    assert POLICIES["postgres"].collect_calls and not POLICIES["mysql"].collect_calls
    assert POLICIES["mysql"].user_variables and POLICIES["mysql"].explain_table_is_describe
    assert POLICIES["snowflake"].stage_references
    assert "readonly" in POLICIES["clickhouse"].refused_settings
    assert POLICIES["doris"].session_rules == "" and POLICIES["postgres"].session_rules
    for name, policy in POLICIES.items():
        assert isinstance(policy, GatePolicy) and policy.name == name
        StatementGate(policy).check("SELECT 1")


def test_one_duckdb_deny_list() -> None:
    """The lakehouse engine's own list may only repeat the core one, never add to it."""
    from sqlgate.lakehouse import guard

    core, prefixes = readonly.DUCKDB_SIDE_EFFECT_FUNCTIONS, readonly.DUCKDB_SIDE_EFFECT_PREFIXES
    assert set(guard.DENIED_FUNCTIONS) <= core
    assert set(guard.DENIED_PREFIXES) <= prefixes
    for sql in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT getenv('HOME')",
        "SELECT * FROM duckdb_settings()",
        "SELECT current_setting('threads')",
    ):
        assert refused(sql, "duckdb").startswith("side-effect function"), sql


# -- unparseable statements ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "near"),
    [
        ("SELEC 1", "near 'SELEC' (line 1, column 1)"),
        ("SELECT FROM WHERE", "near 'WHERE' (line 1, column 13)"),
        ("SELECT 1,\n  FROM t WHERE", "(line 2"),
        ("SELECT 'abc", "(line 1, column 8)"),
        ("SELECT a FROM t WHERE b = 'hunter2' AND", ""),
    ],
)
def test_unparseable_is_a_programming_error_that_says_where(sql: str, near: str) -> None:
    with pytest.raises(UnparseableStatementError) as info:
        gate_for("postgres").check(sql)
    message = str(info.value)
    assert not isinstance(info.value, ReadOnlyError)
    assert "could not parse" in message and near in message
    assert "read_only=false" not in message and "hunter2" not in message


def test_read_only_false_hint_only_where_a_write_was_recognised() -> None:
    for sql in ("DELETE FROM t", "SET default_transaction_read_only = off", "SELECT nextval('s')"):
        with pytest.raises(ReadOnlyError) as info:
            gate_for("postgres").check(sql)
        assert "read_only=false" in str(info.value), sql
    for sql, fix in [
        ("SELECT 1; SELECT 2", "one statement per execute()"),
        ("SELECT 1 /* a /* b */ c */", "without it"),
        ("SELECT '%s'", "as a parameter"),
    ]:
        with pytest.raises(ReadOnlyError) as info:
            gate_for("postgres").check(sql)
        assert "read_only=false" not in str(info.value) and fix in str(info.value), sql


# -- session statements ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "dialect", "kind"),
    [
        ('set search_path = "analytics"', "postgres", "SET"),  # what Superset sends
        ('SET search_path TO "$user", public', "redshift", "SET"),
        ("SET TIME ZONE -7", "postgres", "SET"),
        ("RESET application_name", "postgres", "RESET"),
        (
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY",
            "postgres",
            "SET",
        ),
        ("SET SESSION time_zone = 'UTC'", "mysql", "SET"),
        ("SET max_execution_time = 5000", "mysql", "SET"),
        ("USE analytics", "mysql", "USE"),
    ],
)
def test_session_statements_admitted(sql: str, dialect: str, kind: str) -> None:
    assert gate_for(dialect).check(sql) == kind


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SET time_zone = '+00:00'", "doris"),  # no session read-only mode: nothing admitted
        ("USE analytics", "postgres"),
        ("SET search_path = public", "mysql"),
        ("SET search_path = public", "duckdb"),
        ("SET search_path = 'public, pg_catalog'", "postgres"),
        ("SET search_path = PG_TEMP", "postgres"),
        ("SET statement_timeout = '500us'", "postgres"),
        ("SET TIME ZONE 'UTC', 'x'", "postgres"),
        ("SET", "postgres"),
    ],
)
def test_session_statements_refused(sql: str, dialect: str) -> None:
    assert refused(sql, dialect).startswith(("SET", "USE", "RESET"))


def test_a_connection_to_a_source_without_a_policy_runs_nothing(tmp_path) -> None:
    """Through the real connect pipeline: the connection takes its gate from the registry."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sqlgate.core.connect import open_connection
    from sqlgate.dbapi.file import flavor

    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"x": [1]}), tmp_path / "t" / "p.parquet")
    throwaway = dataclasses.replace(get_source("file"), name="throwaway", gate_policy=None)
    conn = open_connection(throwaway, flavor.open_session, f"file://{tmp_path}", {})
    try:
        cur = conn.cursor()
        for sql in ("SELECT * FROM t", "SELECT 1", "DESCRIBE t"):
            with pytest.raises(ReadOnlyError, match="read-only policy"):
                cur.execute(sql)
    finally:
        conn.close()
    with open_connection(get_source("file"), flavor.open_session, f"file://{tmp_path}", {}) as ok:
        assert ok.cursor().execute("SELECT * FROM t").fetchall() == [(1,)]
