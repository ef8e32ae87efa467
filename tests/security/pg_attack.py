"""PostgreSQL red-team lab: one database, hostile roles, an admin-side snapshot, attack channels.

The attacker roles hold real write privileges, so only sqlgate stands between them and the
data. Every attack is judged by what an admin connection sees before and after it (data,
sequences, large objects, locks, server files, settings, other sessions), and by whether the
connection it used still carries the read-only guard.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import psycopg

from tests.servers import postgres
from tests.servers.base import ServerInfo

MARKER = "pg_attack_marker"  # adminpack pg_file_write target, relative to the data directory
OUTSIDE_FILES = (  # files an admitted COPY / lo_export would create (named in the corpus too)
    "/tmp/sqlgate_redteam_program_marker",
    "/tmp/sqlgate_redteam_copy_target",
    "/tmp/sqlgate_redteam_lo_export",
)
VICTIM_APP = "pg_attack_victim"
TRANSIENT = ("sessions", "locks")  # a closed connection's backend takes a moment to go
CHANNEL = "pg_attack"  # the victim LISTENs here
ACCOUNTS = "(1, 'alice', 100.00), (2, 'bob', 250.50), (3, '张伟', 0.01)"
LIFT = "SELECT set_config('default_transaction_read_only', 'off', false)"
INSERT = "INSERT INTO public.audit_log(who) VALUES ('pool-check')"
WRITE_FN = "SELECT public.atk_insert('{tag}')"

SCHEMA = [
    *(f"CREATE EXTENSION {ext}" for ext in ("tablefunc", "xml2", "dblink", "adminpack")),
    "CREATE TABLE public.accounts (id int PRIMARY KEY, owner text, balance numeric)",
    f"INSERT INTO public.accounts VALUES {ACCOUNTS}",
    "CREATE SEQUENCE public.acct_seq",
    "CREATE TABLE public.audit_log (id serial PRIMARY KEY, who text NOT NULL)",
    "CREATE TABLE public.rls_data (id int, note text)",
    "INSERT INTO public.rls_data VALUES (1, 'row')",
    f"CREATE FUNCTION public.lift_invoker() RETURNS text LANGUAGE sql AS $f${LIFT}$f$",
    "CREATE FUNCTION public.lift_definer() RETURNS text LANGUAGE sql SECURITY DEFINER "
    f"AS $f${LIFT}$f$",
    "CREATE FUNCTION public.atk_insert(tag text DEFAULT 'fn') RETURNS int LANGUAGE sql "
    "AS $f$INSERT INTO public.audit_log(who) VALUES (tag) RETURNING id$f$",
    "CREATE PROCEDURE public.atk_proc() LANGUAGE sql "
    "AS $f$INSERT INTO public.audit_log(who) VALUES ('proc')$f$",
    "CREATE VIEW public.lift_view AS SELECT public.lift_invoker() AS v",
    "CREATE VIEW public.write_view AS SELECT public.atk_insert('view') AS id",
    "ALTER TABLE public.rls_data ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY lift ON public.rls_data USING (public.lift_invoker() IS NOT NULL)",
    # hidden calls: an operator, a cast and a pg_catalog look-alike that all lift the guard
    "CREATE FUNCTION public.lift_op(int, int) RETURNS int LANGUAGE sql "
    "AS $f$SELECT $1 + $2 + length(public.lift_definer())$f$",
    "CREATE OPERATOR public.|~| (LEFTARG = int, RIGHTARG = int, FUNCTION = public.lift_op)",
    "CREATE TYPE public.atk_t AS (x int)",
    "CREATE FUNCTION public.atk_t_text(public.atk_t) RETURNS text LANGUAGE sql "
    "AS $f$SELECT public.lift_invoker()$f$",
    "CREATE CAST (public.atk_t AS text) WITH FUNCTION public.atk_t_text(public.atk_t)",
    "CREATE FUNCTION public.upper(text) RETURNS text LANGUAGE sql "
    "AS $f$SELECT public.lift_definer() || $1$f$",
]


@dataclass
class PgLab:
    """The lab database, its roles and the admin-side view of everything an attack could hit."""

    info: ServerInfo
    roles: dict[str, str]  # atk, atk2 (server-file/program/signal roles), su, ro, victim
    password: str
    admin: Any = None
    victim: Any = None
    notified: list[str] = field(default_factory=list)
    baseline_files: list[str] = field(default_factory=list)

    def url(self, role: str = "atk", query: str = "", *, database: str | None = None) -> str:
        user = quote(self.roles[role], safe="")
        db = self.info.database if database is None else database
        tail = f"?{query}" if query else ""
        return (
            f"postgresql+sqlgate://{user}:{quote(self.password, safe='')}"
            f"@{self.info.host}:{self.info.port}/{db}{tail}"
        )

    # -- set-up ---------------------------------------------------------------------------
    def create(self) -> None:
        r, pw, db = self.roles, self.password, self.info.database
        postgres.admin_execute(
            self.info,
            *(
                f"CREATE ROLE {name} LOGIN {'SUPERUSER' if key == 'su' else ''} PASSWORD '{pw}'"
                for key, name in r.items()
            ),
            f"GRANT {r['atk']} TO {r['atk2']}",
            "GRANT pg_read_server_files, pg_write_server_files, pg_execute_server_program, "
            f"pg_signal_backend TO {r['atk2']}",
        )
        self.admin = postgres.connect(self.info, admin=True, dbname=db)
        for stmt in [*SCHEMA, *self._grants()]:
            self.admin.execute(stmt)
        self._settings()
        self._remove_outside_files()
        self._write_marker()
        self.open_victim()
        self.baseline_files = self.snapshot()["files"]

    def _grants(self) -> list[str]:
        r, db, pw = self.roles, self.info.database, self.password
        return [
            f"REVOKE TEMP ON DATABASE {db} FROM PUBLIC",
            f"GRANT CONNECT, TEMP ON DATABASE {db} TO {r['atk']}",
            f"GRANT USAGE, CREATE ON SCHEMA public TO {r['atk']}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public "
            f"TO {r['atk']}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r['atk']}",
            f"GRANT EXECUTE ON ALL ROUTINES IN SCHEMA public, pg_catalog TO {r['atk']}",
            f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {r['ro']}",
            # dblink back into this database as the attacker: a session without the guard
            f"CREATE SERVER atk_loop FOREIGN DATA WRAPPER dblink_fdw OPTIONS (host "
            f"'{self.info.host}', port '{self.info.port}', dbname '{db}')",
            "GRANT USAGE ON FOREIGN SERVER atk_loop TO PUBLIC",
            f"CREATE USER MAPPING FOR PUBLIC SERVER atk_loop OPTIONS (user '{r['atk']}', "
            f"password '{pw}')",
        ]

    def _settings(self) -> None:
        """Bound every attack session: an admitted pg_sleep or lock wait ends in seconds."""
        for key in ("atk", "atk2", "su", "ro"):
            self.admin.execute(
                f"ALTER ROLE {self.roles[key]} IN DATABASE {self.info.database} "
                "SET statement_timeout = '4s'"
            )
            self.admin.execute(
                f"ALTER ROLE {self.roles[key]} IN DATABASE {self.info.database} "
                "SET lock_timeout = '2s'"
            )

    def _write_marker(self, content: str | None = "baseline") -> None:
        self.admin.execute("SELECT pg_file_unlink(f) FROM pg_ls_dir('.') f WHERE f = %s", [MARKER])
        if content is not None:
            self.admin.execute("SELECT pg_file_write(%s, %s, false)", [MARKER, content])

    def _remove_outside_files(self) -> None:
        paths = " ".join(OUTSIDE_FILES)
        self.admin.execute(f"COPY (SELECT WHERE false) TO PROGRAM 'rm -f {paths}'")

    def open_victim(self) -> None:
        """A live session of another user that kill and notify attacks would reach."""
        if self.victim is not None:
            self.victim.close()
        self.victim = psycopg.connect(
            host=self.info.host,
            port=self.info.port,
            user=self.roles["victim"],
            password=self.password,
            dbname=self.info.database,
            autocommit=True,
            application_name=VICTIM_APP,
            connect_timeout=5,
        )
        self.victim.add_notify_handler(lambda n: self.notified.append(n.payload))
        self.victim.execute(f"LISTEN {CHANNEL}")

    def drop(self) -> None:
        if self.admin is not None:
            self._write_marker(None)
        for conn in (self.victim, self.admin):
            if conn is not None:
                conn.close()
        postgres.drop_database(self.info, self.info.database)
        postgres.admin_execute(
            self.info, *(f"DROP ROLE IF EXISTS {name}" for name in self.roles.values())
        )
        admin = postgres.connect(self.info, admin=True, dbname="postgres")
        with admin:
            admin.execute(f"COPY (SELECT WHERE false) TO PROGRAM 'rm -f {' '.join(OUTSIDE_FILES)}'")

    # -- what an attack could change ------------------------------------------------------
    def snapshot(self, own_ports: Iterable[int] = ()) -> dict[str, Any]:
        """One admin query over everything an admitted attack could change; sessions from
        ``own_ports`` (the attacker's own connections) are not counted as extra sessions."""
        victim_alive = self._victim_alive()
        sql = """SELECT json_build_object(
          'accounts', (SELECT json_agg(a ORDER BY id) FROM public.accounts a),
          'audit', (SELECT json_agg(l ORDER BY id) FROM public.audit_log l),
          'rls', (SELECT json_agg(r ORDER BY id) FROM public.rls_data r),
          'seq', (SELECT json_build_array(last_value, is_called) FROM public.acct_seq),
          'audit_seq', (SELECT json_build_array(last_value, is_called)
                        FROM public.audit_log_id_seq),
          'large_objects', (SELECT count(*) FROM pg_largeobject_metadata),
          'locks', (SELECT json_agg(json_build_array(l.locktype, l.mode, l.objid)
                                    ORDER BY l.objid, l.mode)
                    FROM pg_locks l JOIN pg_stat_activity s USING (pid)
                    WHERE s.backend_type = 'client backend' AND l.pid <> pg_backend_pid()
                      AND (l.locktype = 'advisory' OR (l.locktype = 'relation'
                           AND l.mode <> 'AccessShareLock'))),
          'files', (SELECT json_agg(f ORDER BY f) FROM pg_ls_dir('.') f),
          'marker', pg_read_file(%(marker)s, 0, 200, true),
          'outside', (SELECT json_agg((pg_stat_file(p, true)).size) FROM unnest(%(out)s::text[]) p),
          'role_settings', (SELECT json_agg(json_build_array(setdatabase, setrole, setconfig)
                                            ORDER BY setdatabase, setrole)
                            FROM pg_db_role_setting),
          'file_settings', (SELECT json_agg(json_build_array(sourcefile, name, setting)
                                            ORDER BY seqno) FROM pg_file_settings),
          'auto_conf', pg_read_file('postgresql.auto.conf'),
          'sessions', (SELECT json_agg(json_build_array(usename, application_name) ORDER BY 1)
                       FROM pg_stat_activity WHERE usename = ANY(%(roles)s::text[])
                         AND application_name NOT LIKE 'sqlgate%%'
                         AND client_port <> ALL(%(ports)s::int[])
                         AND application_name <> %(victim_app)s),
          'victims', (SELECT count(*) FROM pg_stat_activity
                      WHERE application_name = %(victim_app)s),
          'slots', (SELECT json_agg(slot_name ORDER BY slot_name) FROM pg_replication_slots),
          'prepared_xacts', (SELECT count(*) FROM pg_prepared_xacts),
          'global', (SELECT json_agg(json_build_array(name, setting) ORDER BY name)
                     FROM pg_settings WHERE name IN ('default_transaction_read_only',
                                                     'log_statement', 'statement_timeout')),
          'objects', (SELECT count(*) FROM pg_class
                      WHERE relnamespace = 'public'::regnamespace)
                     + (SELECT count(*) FROM pg_proc
                        WHERE pronamespace = 'public'::regnamespace)
        )::text"""
        params = {
            "marker": MARKER,
            "out": list(OUTSIDE_FILES),
            "victim_app": VICTIM_APP,
            "roles": [self.roles[k] for k in ("atk", "atk2", "su", "ro")],
            "ports": list(own_ports),
        }
        state = json.loads(self.admin.execute(sql, params).fetchone()[0])
        state["victim_alive"] = victim_alive
        state["notifications"] = list(self.notified)
        return state

    def _victim_alive(self) -> bool:
        """True if the victim session still answers (this also delivers its notifications)."""
        try:
            self.victim.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def restore(self) -> None:
        """Undo whatever an admitted attack changed, so later cases stay meaningful."""
        roles = [self.roles[k] for k in ("atk", "atk2", "su", "ro")]
        run = self.admin.execute
        run(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY(%s) "
            "AND pid <> pg_backend_pid()",
            [roles],
        )
        run("TRUNCATE public.accounts, public.audit_log RESTART IDENTITY")
        run(f"INSERT INTO public.accounts VALUES {ACCOUNTS}")
        run("DELETE FROM public.rls_data")
        run("INSERT INTO public.rls_data VALUES (1, 'row')")
        run("ALTER SEQUENCE public.acct_seq RESTART")
        run("SELECT lo_unlink(oid) FROM pg_largeobject_metadata")
        state = self.snapshot()
        for name in set(state["files"] or []) - set(self.baseline_files):
            if name.startswith(("pg_attack", "sqlgate")):
                run("SELECT pg_file_unlink(%s)", [name])
        self._write_marker()
        self._remove_outside_files()
        for name in roles:
            run(f"ALTER ROLE {name} RESET ALL")
            run(f"ALTER ROLE {name} IN DATABASE postgres RESET ALL")
        run(f"ALTER DATABASE {self.info.database} RESET ALL")
        self._settings()
        run(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
            "WHERE slot_name LIKE 'pg_attack%%'"
        )
        if "default_transaction_read_only" in (state["auto_conf"] or ""):
            run("ALTER SYSTEM RESET default_transaction_read_only")
            run("SELECT pg_reload_conf()")
        if not state["victim_alive"] or not state["victims"]:
            self.open_victim()
        self.notified.clear()


def new_lab(server: ServerInfo) -> PgLab:
    """Create the lab database with unique role names (the server may be shared)."""
    suffix = secrets.token_hex(4)
    info = postgres.create_database(server, f"sqlgate_redteam_{suffix}")
    roles = {key: f"{key}_{suffix}" for key in ("atk", "atk2", "su", "ro", "victim")}
    lab = PgLab(info, roles, secrets.token_urlsafe(12))
    try:
        lab.create()
    except BaseException:
        lab.drop()
        raise
    return lab


def settled_diff(lab: PgLab, before: dict[str, Any], seconds: float = 1.0) -> list[str]:
    """Differences that remain once closed sessions have had a moment to end."""
    deadline = time.monotonic() + seconds
    while True:
        after = lab.snapshot()
        changes = diff(before, after)
        transient = all(before.get(k) == after.get(k) for k in after if k not in TRANSIENT)
        if not changes or not transient or time.monotonic() > deadline:
            return changes
        time.sleep(0.05)


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Readable differences between two snapshots."""
    return [
        f"{key}: {before.get(key)!r} -> {after.get(key)!r}"[:400]
        for key in sorted(before.keys() | after.keys())
        if before.get(key) != after.get(key)
    ]
