"""Red team against sqlgate's PostgreSQL source (issue #7: classes 1, 3 and 4, and ``check``).

Hostile roles with real write privileges (and a superuser) attack through the DB-API and
through SQLAlchemy engines with a one-slot pool: functions that run SQL text or lift the
server guard (1), parameters spliced into literals and comments by client-side binding (3),
and control characters or guard options in the URL (4). Each case is judged by an admin
snapshot taken before, during and after it, and by whether the same pooled connection still
carries the guard afterwards. The statement-only attacks live in
``tests/corpus/readonly_postgres.sql`` (kinds starting with ``redteam``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from sqlgate.cli import main as sqlgate_cli
from tests.corpus import load_corpus
from tests.security.pg_attack import WRITE_FN, PgLab
from tests.security.pg_channel import ANY, REFUSE, Action, Channel, Steps, judge, observe, steps

WRITE = WRITE_FN.format(tag="after-lift")


def _id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+]+", "-", text).strip("-")[:60]


# -- class 1: functions that run SQL text or lift the guard ---------------------------------
@dataclass(frozen=True)
class Attack:
    steps: Steps
    channel: str = "sa"  # sa, sa-ac (AUTOCOMMIT engine), dbapi, dbapi-ac
    role: str = "atk"  # atk, atk2 (file/program/signal roles), su (superuser)


REDTEAM = [c for c in load_corpus("readonly_postgres") if c.why.startswith("redteam")]
FOLLOW_UP: dict[str, Steps] = {
    "lift": (("COMMIT", ANY), (WRITE, REFUSE)),
    "begin": ((WRITE, REFUSE),),
}


def _corpus_attacks() -> Iterator[Any]:
    for case in REDTEAM:
        head, _, desc = case.why.partition(":")
        tags = set(head.split()[1:])
        tail = next((FOLLOW_UP[t] for t in FOLLOW_UP if t in tags), ())
        number = case.id.split(":")[1]
        for role in ("atk", *sorted(tags & {"atk2", "su"})):
            for channel in ("sa", "sa-ac") if tail and role == "atk" else ("sa",):
                yield pytest.param(
                    Attack(((case.sql, REFUSE), *tail), channel, role),
                    id=f"corpus{number}-{role}-{channel}-{_id(desc)}",
                )


def _corpus_sql(words: str) -> str:
    return next(c.sql for c in REDTEAM if words in c.why)


LIFTERS: dict[str, tuple[str, bool]] = {
    "invoker": ("SELECT public.lift_invoker()", ANY),
    "definer": ("SELECT public.lift_definer()", ANY),
    "view": ("SELECT * FROM public.lift_view", ANY),
    "ts_stat": (_corpus_sql("ts_stat runs a SQL string that lifts"), REFUSE),
}
TERMINATORS = ("COMMIT", "END", "COMMIT AND CHAIN", "ROLLBACK AND CHAIN", "@commit", "@return")


def _lift_matrix() -> Iterator[Any]:
    """Each lift, ended every way, on every channel, then a write in the next transaction."""
    for name, lift in LIFTERS.items():
        for channel in ("sa", "sa-ac", "dbapi", "dbapi-ac"):
            ends = [t for t in TERMINATORS if t != "@return" or channel.startswith("sa")]
            for end in ends:
                steps = (lift, (end, ANY), (WRITE, REFUSE))
                yield pytest.param(Attack(steps, channel), id=f"{name}-{channel}-{_id(end)}")
            if channel.endswith("-ac"):  # an explicit transaction block inside AUTOCOMMIT
                steps = (("BEGIN", ANY), lift, ("COMMIT", ANY), (WRITE, REFUSE))
                yield pytest.param(Attack(steps, channel), id=f"{name}-{channel}-in-BEGIN")


HIDDEN_LIFTS = {  # user-defined code the gate cannot see into: only the outcome is judged
    "unqualified": "SELECT lift_invoker()",
    "quoted": 'SELECT "public"."lift_definer"()',
    "cte": "WITH l AS (SELECT public.lift_invoker() AS v) SELECT v FROM l",
    "subquery": "SELECT (SELECT public.lift_definer())",
    "order-by": "SELECT id FROM public.accounts ORDER BY public.lift_invoker()",
    "group-by": "SELECT count(*) FROM public.accounts GROUP BY public.lift_definer()",
    "lateral": "SELECT a.id FROM public.accounts a, LATERAL (SELECT public.lift_invoker()) l",
    "where": "SELECT * FROM public.accounts WHERE public.lift_definer() IS NOT NULL",
    "from": "SELECT * FROM public.lift_invoker()",
    "case": "SELECT CASE WHEN true THEN public.lift_definer() END",
    "table": "TABLE public.lift_view",
    "row-security-policy": "SELECT * FROM public.rls_data",
    "cast": "SELECT ROW(1)::public.atk_t::text",
    "operator": "SELECT 1 |~| 1",
    "operator-syntax": "SELECT 1 OPERATOR(public.|~|) 1",
    "lookalike-upper": "SELECT public.upper('x')",
    "table_to_xml": "SELECT table_to_xml('public.lift_view', true, true, '')",
    "schema_to_xml": "SELECT schema_to_xml('public', true, true, '')",
    "database_to_xml": "SELECT database_to_xml(true, true, '')",
    "explain-analyze": "EXPLAIN ANALYZE SELECT public.lift_invoker()",
}
HIDDEN_WRITES = {  # the server guard must refuse these (SQLSTATE 25006 -> ReadOnlyError)
    "function": WRITE_FN.format(tag="direct"),
    "view": "SELECT * FROM public.write_view",
    "table": "TABLE public.write_view",
    "cte": "WITH w AS (SELECT public.atk_insert('cte') AS id) SELECT id FROM w",
    "subquery": "SELECT (SELECT public.atk_insert('subquery'))",
    "values": "VALUES (public.atk_insert('values'))",
    "from": "SELECT * FROM public.atk_insert('from')",
    "order-by": "SELECT id FROM public.accounts ORDER BY public.atk_insert('order')",
    "explain-analyze": "EXPLAIN ANALYZE SELECT public.atk_insert('explain')",
    "table_to_xml": "SELECT table_to_xml('public.write_view', true, true, '')",
}


def _hidden() -> Iterator[Any]:
    for name, sql in HIDDEN_LIFTS.items():
        for channel in ("sa", "dbapi-ac"):
            steps = ((sql, ANY), ("COMMIT", ANY), (WRITE, REFUSE))
            yield pytest.param(Attack(steps, channel), id=f"lift-{name}-{channel}")
    for name, sql in HIDDEN_WRITES.items():
        for channel, role in (("sa", "atk"), ("sa-ac", "atk"), ("sa", "su")):
            yield pytest.param(
                Attack(((sql, REFUSE),), channel, role), id=f"write-{name}-{role}-{channel}"
            )


@pytest.mark.parametrize("attack", [*_corpus_attacks(), *_lift_matrix(), *_hidden()])
def test_functions_and_statements_cannot_write_or_lift(pg_lab: PgLab, attack: Attack) -> None:
    observe(pg_lab, pg_lab.url(attack.role), attack.channel, steps(attack.steps))


# -- class 3: placeholders spliced by client-side binding -----------------------------------
STMTS = "COMMIT; BEGIN READ WRITE; INSERT INTO public.audit_log(who) VALUES (current_user); COMMIT"
BREAKOUT = {  # values that leave their context once psycopg quotes them as a literal
    "literal": f" , 1 AS b; {STMTS}; SELECT 2 AS c -- \\",  # the \ makes it quote E'...'
    "block": f"*/ , 2 AS b; {STMTS}; SELECT 3 AS c /*",
    "line": f"x\n, 2 AS b; {STMTS}; SELECT 3 AS c --",
    "dollar": f"$$ AS a, 2 AS b; {STMTS}; SELECT $$",
    "tagged": f"$x$ AS a, 2 AS b; {STMTS}; SELECT $x$",
    "ident": f'" , 2 AS "b"; {STMTS}; SELECT 3 AS "c',
}
GENERIC = {
    "quote": "'; DELETE FROM public.accounts; --",
    "backslash": "\\'; DELETE FROM public.accounts; --",
    "dollars": "$$; DELETE FROM public.accounts; --",
}
Accept = Callable[[Any], tuple[list[tuple[Any, ...]], ...]]


def _as_written(text: str) -> Accept:
    """Rows a literal may give: its text as written (not bound) or the value verbatim."""
    return lambda v: ([(text,)], [(v,)])


def _one(v: Any) -> tuple[list[tuple[Any, ...]], ...]:
    return ([(1,)],)


TEMPLATES: list[tuple[str, str, str, Accept]] = [
    ("literal-t", "SELECT '%t' AS a", "literal", _as_written("%t")),
    ("literal-b", "SELECT '%b' AS a", "literal", _as_written("%b")),
    ("literal-s", "SELECT '%s' AS a", "literal", _as_written("%s")),
    ("literal-name-s", "SELECT '%(v)s' AS a", "literal", _as_written("%(v)s")),
    ("literal-name-t", "SELECT '%(v)t' AS a", "literal", _as_written("%(v)t")),
    ("estring-t", "SELECT E'%t' AS a", "literal", _as_written("%t")),
    ("block-comment-t", "SELECT 1 AS a /* %t */", "block", _one),
    ("block-comment-s", "SELECT 1 AS a /* %s */", "block", _one),
    ("block-comment-b", "SELECT 1 AS a /* %b */", "block", _one),
    ("line-comment-t", "SELECT 1 AS a -- %t\n", "line", _one),
    ("line-comment-s", "SELECT 1 AS a -- %s\n", "line", _one),
    ("dollar-t", "SELECT $$%t$$ AS a", "dollar", _as_written("%t")),
    ("dollar-s", "SELECT $$%s$$ AS a", "dollar", _as_written("%s")),
    ("tagged-dollar-t", "SELECT $x$%t$x$ AS a", "tagged", _as_written("%t")),
    ("identifier-t", 'SELECT 1 AS "%t"', "ident", _one),
    ("identifier-s", 'SELECT 1 AS "%s"', "ident", _one),
    ("mixed-s-t", "SELECT %s AS a, '%t' AS b", "literal", lambda v: ([(v, "%t")], [(v, v)])),
]
VERBATIM = {  # values bound where a value belongs: they must come back unchanged (or fail)
    "quotes": "O'Reilly''); DELETE FROM public.accounts; --",
    "backslashes": "\\\\' \\x41 \\'; DELETE FROM public.accounts; --",
    "dollars": "$$ $x$ $$; DELETE FROM public.accounts",
    "placeholders": "%s %t %b %(v)s %% %",
    "nul": "a\x00b; DELETE FROM public.accounts",
    "long": "x" * 200_000,
    "unicode": "张伟 \u2028 \u00a0 \ufeff",
    "breakout": BREAKOUT["literal"],
}


def _params(sql: str, value: Any) -> Any:
    if "%(v)" in sql:
        return {"v": value}
    return [value] * len(re.findall(r"%[stb]", sql))


def _bound(how: str, sql: str, params: Any, accept: tuple[list[Any], ...]) -> Action:
    def action(channel: Channel) -> list[str]:
        try:
            if how == "executemany":
                cursor = channel.conn.cursor()
                cursor.executemany(sql, [params, params])
                rows = cursor.fetchall()
            elif how == "text":
                result = channel.conn.execute(sa.text(sql), params)
                rows = [tuple(r) for r in result.fetchall()]
            else:
                rows = channel.execute(sql, params)
        except Exception as exc:
            return judge(sql, exc, ANY)
        if rows in accept:
            return []
        return [f"{sql!r} returned {rows!r:.200}: neither the value verbatim nor the text"]

    return action


def _param_cases() -> Iterator[Any]:
    for name, sql, breakout, accept in TEMPLATES:
        values = {"breakout": BREAKOUT[breakout], **GENERIC}
        for kind, value in values.items():
            yield pytest.param(
                "dbapi", "execute", sql, _params(sql, value), accept(value), id=f"{name}-{kind}"
            )
    for kind, value in VERBATIM.items():
        yield pytest.param(
            "dbapi", "execute", "SELECT %s AS a", [value], ([(value,)],), id=f"value-{kind}"
        )
    pct = "SELECT '100%%' AS p, %s AS a"
    yield pytest.param(
        "dbapi", "execute", pct, ["v"], ([("100%", "v")], [("100%%", "v")]), id="percent-percent"
    )
    for name, sql, breakout, accept in TEMPLATES[:3] + TEMPLATES[6:7] + TEMPLATES[11:12]:
        value = BREAKOUT[breakout]
        yield pytest.param(
            "dbapi",
            "executemany",
            sql,
            _params(sql, value),
            accept(value),
            id=f"executemany-{name}",
        )
        yield pytest.param(
            "sa",
            "execute",
            sql,
            tuple(_params(sql, value)),
            accept(value),
            id=f"sa-driver-sql-{name}",
        )
        yield pytest.param(
            "sa-ac",
            "execute",
            sql,
            tuple(_params(sql, value)),
            accept(value),
            id=f"sa-ac-driver-sql-{name}",
        )
    lit = BREAKOUT["literal"]
    yield pytest.param(
        "sa",
        "execute",
        "SELECT '%(v)t' AS a",
        {"v": lit},
        _as_written("%(v)t")(lit),
        id="sa-driver-sql-dict",
    )
    for name, sql in (
        ("literal", "SELECT '%t' AS a, :v AS b"),
        ("comment", "SELECT '%s' AS a /* %t */, :v AS b"),
    ):
        accept = ([("%t", lit)],) if name == "literal" else ([("%s", lit)],)
        yield pytest.param("sa", "text", sql, {"v": lit}, accept, id=f"sa-text-{name}")


@pytest.mark.parametrize(("channel", "how", "sql", "params", "accept"), [*_param_cases()])
def test_bound_parameters_stay_data(
    pg_lab: PgLab, channel: str, how: str, sql: str, params: Any, accept: tuple[list[Any], ...]
) -> None:
    observe(pg_lab, pg_lab.url(), channel, _bound(how, sql, params, accept))


# -- class 4: control characters and guard options in the URL --------------------------------
OPT = "options=-c%20"  # "-c " percent-encoded
URL_ATTACKS: dict[str, tuple[str, str, str]] = {  # id: (role, URL part, value); {x} filled in
    "db-nul": ("atk", "db", "{db}%00"),
    "db-nul-suffix": ("atk", "db", "{db}%00x"),
    "db-newline": ("atk", "db", "{db}%0a"),
    "db-conninfo": ("atk", "db", "{db}%20options%3D%27-c%20default_transaction_read_only%3Doff%27"),
    "db-uri": (
        "atk",
        "db",
        quote(
            "postgresql://{user}:{pw}@{host}:{port}/{db}"
            "?options=-c default_transaction_read_only=off",
            safe="{}",
        ),
    ),
    "user-nul": ("atk", "user", "{user}%00"),
    "user-conninfo": ("atk", "user", "{user}%20options%3D-cdefault_transaction_read_only%3Doff"),
    "password-nul": ("atk", "password", "{pw}%00"),
    "host-nul": ("atk", "host", "{host}%00"),
    "host-conninfo": ("atk", "host", "{host}%20options%3D-cdefault_transaction_read_only%3Doff"),
    "options-off": ("atk", "query", OPT + "default_transaction_read_only%3Doff"),
    "options-off-su": ("su", "query", OPT + "default_transaction_read_only%3Doff"),
    "options-nul-switch": ("atk", "query", "options=-c%00default_transaction_read_only%3Doff"),
    "options-nul": ("atk", "query", "options=%00"),
    "options-nul-value": ("atk", "query", OPT + "application_name%3Dx%00"),
    "application_name-nul": ("atk", "query", "application_name=%00"),
    "application_name-lf": ("atk", "query", "application_name=x%0ay"),
    "application_name-cr": ("atk", "query", "application_name=x%0dy"),
    "application_name-tab": ("atk", "query", "application_name=x%09y"),
    **{
        f"options-{name}-separator": (
            "atk",
            "query",
            f"options=-c{code}default_transaction_read_only%3Doff",
        )
        for name, code in (
            ("lf", "%0a"),
            ("cr", "%0d"),
            ("tab", "%09"),
            ("vt", "%0b"),
            ("ff", "%0c"),
        )
    },
    "options-no-space": ("atk", "query", "options=-cdefault_transaction_read_only%3Doff"),
    **{
        f"options-{value}": ("atk", "query", OPT + f"default_transaction_read_only%3D{value}")
        for value in ("0", "false", "no", "OFF", "of")
    },
    "options-long-dashes": ("atk", "query", "options=--default-transaction-read-only%3Doff"),
    "options-long-underscores": ("atk", "query", "options=--default_transaction_read_only%3Doff"),
    "options-dashed-name": ("atk", "query", OPT + "default-transaction-read-only%3Doff"),
    "options-upper-case": ("atk", "query", OPT + "DEFAULT_TRANSACTION_READ_ONLY%3DOFF"),
    "options-escaped-name": ("atk", "query", OPT + "default%5C_transaction%5C_read%5C_only%3Doff"),
    "options-transaction_read_only": ("atk", "query", OPT + "transaction_read_only%3Doff"),
    "options-on-then-off": (
        "atk",
        "query",
        OPT + "default_transaction_read_only%3Don%20-c%20transaction_read_only%3Doff",
    ),
    "options-trailing-backslash": ("atk", "query", OPT + "application_name%3Dx%5C"),
    "options-trailing-backslash-su": ("su", "query", OPT + "search_path%3Dpublic%5C"),
    "options-backslash-only": ("atk", "query", "options=%5C"),
    "options-dangling-c": ("atk", "query", "options=-c"),
    "options-double-dash": ("atk", "query", "options=--"),
    "options-dangling-c-after": ("atk", "query", OPT + "application_name%3Dx%20-c"),
    "options-session_authorization": ("atk", "query", OPT + "session_authorization%3D{su}"),
    "options-session_authorization-su": ("su", "query", OPT + "session_authorization%3D{atk}"),
    "options-session_authorization-admin": (
        "atk",
        "query",
        OPT + "session_authorization%3D{admin}",
    ),
    "options-role-su": ("atk", "query", OPT + "role%3D{su}"),
    "options-role-atk2": ("atk2", "query", OPT + "role%3D{atk}"),
    "options-search_path-shadow": ("atk", "query", OPT + "search_path%3Dpublic,pg_catalog"),
    "options-search_path-shadow-su": ("su", "query", OPT + "search_path%3Dpublic,pg_catalog"),
    "options-replica-role-su": ("su", "query", OPT + "session_replication_role%3Dreplica"),
    "options-repeated-key": (
        "atk",
        "query",
        OPT + "application_name%3Dx&" + OPT + "default_transaction_read_only%3Doff",
    ),
    "options-with-read_only-true": (
        "atk",
        "query",
        OPT + "default_transaction_read_only%3Doff&read_only=true",
    ),
    "read_only-nul": ("atk", "query", "read_only=true%00"),
    "read_only-typo": ("atk", "query", "read_only=tru"),
}
PROBE: Steps = (("SELECT upper('x')", ANY), ("COMMIT", ANY), (WRITE, REFUSE))


def _attack_url(lab: PgLab, role: str, part: str, value: str) -> str:
    fill = {
        "db": lab.info.database,
        "user": quote(lab.roles[role], safe=""),
        "pw": quote(lab.password, safe=""),
        "host": lab.info.host,
        "port": str(lab.info.port),
        "su": lab.roles["su"],
        "atk": lab.roles["atk"],
        "admin": lab.info.extra["admin_user"],
    }
    parts = {"db": "{db}", "user": "{user}", "password": "{pw}", "host": "{host}", "query": ""}
    parts[part] = value
    filled = {k: v.format(**fill) for k, v in parts.items()}
    query = f"?{filled['query']}" if filled["query"] else ""
    return (
        f"postgresql+sqlgate://{filled['user']}:{filled['password']}@{filled['host']}"
        f":{lab.info.port}/{filled['db']}{query}"
    )


@pytest.mark.parametrize("channel", ["dbapi", "sa"])
@pytest.mark.parametrize("name", sorted(URL_ATTACKS))
def test_url_cannot_lift_the_guard(pg_lab: PgLab, name: str, channel: str) -> None:
    """Refused with a sqlgate error, or connected with the guard on (SHOW, writes refused)."""
    url = _attack_url(pg_lab, *URL_ATTACKS[name])
    observe(pg_lab, url, channel, steps(PROBE), may_refuse_connect=True)


# -- sqlgate check: a powerful role makes the server guard weaker ----------------------------
@pytest.mark.parametrize(
    ("role", "words"),
    [
        ("atk", ["write privileges"]),
        ("atk2", ["write privileges"]),
        ("su", ["superuser"]),
        ("ro", []),
    ],
)
def test_check_reports_roles_that_weaken_the_guard(
    pg_lab: PgLab,
    role: str,
    words: list[str],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    code = sqlgate_cli(["check", pg_lab.url(role)])
    captured = capsys.readouterr()
    text = f"{captured.out}\n{captured.err}\n{caplog.text}"
    assert pg_lab.password not in text
    assert "statement gate: active" in text, text
    for word in words:
        assert word in text.lower(), text
    if not words:
        assert "superuser" not in text.lower() and "write privileges" not in text.lower(), text
        assert code == 0, text
