"""Per-engine tables of the statement gate: side-effect functions, lexical rules, policies.

A plain ``SELECT`` can still write, lock, sleep, reach out of the server or run another SQL
string if it calls one of these. Names are lower case and matched case-insensitively on the
bare function name (so ``pg_catalog.set_config`` and ``"nextval"`` match too); the
``*_PREFIXES`` sets deny whole families (``lo_*``, ``dblink*``, ``pg_advisory_*`` ...).

Decisions: sleeping functions (``pg_sleep``, ``SLEEP``, ``BENCHMARK``, ClickHouse ``sleep``)
are denied as denial of service, since one call pins a pooled connection for as long as the
caller wants. Functions that only *read* files or remote data are denied where they reach
out of the database server (PostgreSQL ``pg_read_file``, MySQL ``LOAD_FILE``, ClickHouse
``url``/``s3``/``remote``...), but DuckDB's ``read_*`` functions stay admitted because
reading files is what a lakehouse source is for.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

POSTGRES_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        # configuration, sequences, transaction ids
        "set_config", "nextval", "setval", "txid_current", "pg_current_xact_id",
        "pg_reload_conf", "pg_rotate_logfile", "pg_switch_wal", "pg_switch_xlog",
        "pg_create_restore_point", "pg_promote", "pg_wal_replay_pause", "pg_wal_replay_resume",
        "pg_xlog_replay_pause", "pg_xlog_replay_resume", "pg_start_backup", "pg_stop_backup",
        "pg_log_backend_memory_contexts", "pg_import_system_collations", "pg_extension_config_dump",
        # other sessions
        "pg_terminate_backend", "pg_cancel_backend",
        # notifications and WAL messages
        "pg_notify", "pg_logical_emit_message",
        # server file access (core and adminpack)
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_ls_logdir",
        "pg_ls_waldir", "pg_ls_tmpdir", "pg_ls_archive_statusdir", "pg_file_write",
        "pg_file_rename", "pg_file_unlink", "pg_file_sync", "pg_file_read", "pg_logdir_ls",
        # functions that run an arbitrary SQL string
        "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml",
        "cursor_to_xmlschema",
        # index and statistics maintenance
        "brin_summarize_new_values", "brin_summarize_range", "brin_desummarize_range",
        "gin_clean_pending_list", "pg_truncate_visibility_map", "pg_stat_statements_reset",
        # denial of service
        "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        # common extensions: pgsql-http, pg_cron, aws_s3 / aws_lambda on RDS
        "http", "http_get", "http_post", "http_put", "http_patch", "http_delete", "http_head",
        "schedule", "schedule_in_database", "unschedule", "alter_job",
        "table_import_from_s3", "query_export_to_s3", "invoke",
    }
)  # fmt: skip

POSTGRES_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset(
    {
        "lo_",  # large objects: lo_import, lo_export, lo_create, lo_unlink, lo_put ...
        "dblink",  # dblink, dblink_exec, dblink_connect, dblink_send_query ...
        "pg_advisory_", "pg_try_advisory_",
        "pg_backup_",  # pg_backup_start / pg_backup_stop
        "pg_create_", "pg_drop_replication_slot", "pg_copy_", "pg_replication_",
        "pg_logical_slot_",  # get_changes consumes the slot
        "pg_stat_reset",
        "binary_upgrade_",
    }
)  # fmt: skip

MYSQL_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        "get_lock", "release_lock", "release_all_locks",
        "load_file",
        "sleep", "benchmark",
        "master_pos_wait", "source_pos_wait", "master_gtid_wait",
        "wait_for_executed_gtid_set", "wait_until_sql_thread_after_gtids",
        "nextval", "setval", "lastval",  # MariaDB sequences (NEXT VALUE FOR is caught too)
        "sys_exec", "sys_eval", "sys_get", "sys_set", "sys_bineval",  # lib_mysqludf_sys
        "set_var",  # optimizer hint /*+ SET_VAR(...) */ changes session variables
    }
)  # fmt: skip

MYSQL_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset()

DUCKDB_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        "nextval", "setval", "checkpoint", "force_checkpoint",
        "query",  # runs an arbitrary SQL string
        "postgres_execute", "postgres_query", "mysql_execute", "mysql_query",
        "sqlite_attach", "postgres_attach", "mysql_clear_cache", "postgres_clear_cache",
        "pg_clear_cache",
        "ducklake_expire_snapshots", "ducklake_cleanup_old_files",
        "ducklake_delete_orphaned_files", "ducklake_merge_adjacent_files",
        "ducklake_rewrite_data_files", "ducklake_flush_inlined_data", "ducklake_set_option",
        "ducklake_set_commit_message", "ducklake_add_data_files",
    }
)  # fmt: skip

DUCKDB_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset()

CLICKHOUSE_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        # table functions that reach out of the server (reading or writing)
        "file", "url", "urlcluster", "remote", "remotesecure", "cluster", "clusterallreplicas",
        "hdfs", "hdfscluster", "mysql", "postgresql", "mongodb", "redis", "sqlite", "odbc",
        "jdbc", "executable", "executablepool", "gcs", "deltalake", "hudi", "input",
        # denial of service
        "sleep", "sleepeachrow",
    }
)  # fmt: skip

CLICKHOUSE_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset(
    {"s3", "azureblobstorage", "iceberg", "remote"}
)

SNOWFLAKE_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset({"nextval", "system$wait"})
SNOWFLAKE_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset({"system$"})

BIGQUERY_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset({"external_query"})
BIGQUERY_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset()

_FAMILY_LISTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "postgres": (POSTGRES_SIDE_EFFECT_FUNCTIONS, POSTGRES_SIDE_EFFECT_PREFIXES),
    "mysql": (MYSQL_SIDE_EFFECT_FUNCTIONS, MYSQL_SIDE_EFFECT_PREFIXES),
    "duckdb": (DUCKDB_SIDE_EFFECT_FUNCTIONS, DUCKDB_SIDE_EFFECT_PREFIXES),
    "clickhouse": (CLICKHOUSE_SIDE_EFFECT_FUNCTIONS, CLICKHOUSE_SIDE_EFFECT_PREFIXES),
    "snowflake": (SNOWFLAKE_SIDE_EFFECT_FUNCTIONS, SNOWFLAKE_SIDE_EFFECT_PREFIXES),
    "bigquery": (BIGQUERY_SIDE_EFFECT_FUNCTIONS, BIGQUERY_SIDE_EFFECT_PREFIXES),
}

#: sqlglot dialect name -> the deny-list family it uses.
DIALECT_FAMILIES: dict[str, str] = {
    "postgres": "postgres",
    "redshift": "postgres",
    "materialize": "postgres",
    "risingwave": "postgres",
    "mysql": "mysql",
    "doris": "mysql",
    "starrocks": "mysql",
    "singlestore": "mysql",
    "duckdb": "duckdb",
    "clickhouse": "clickhouse",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
}


@dataclass(frozen=True)
class EnginePolicy:
    """What an engine adds to its dialect's built-in rules (the gate's ``policy``)."""

    deny_functions: frozenset[str] = frozenset()  # extra side-effect functions (any case)
    deny_prefixes: frozenset[str] = frozenset()
    admit_commands: frozenset[str] = frozenset()  # extra harmless first keywords (upper case)
    #: the driver splices %s / %(name)s values into the SQL text client-side (psycopg's
    #: ClientCursor, PyMySQL, clickhouse-connect, snowflake-connector): a placeholder inside
    #: a string literal or comment would then splice the value's text into the statement
    client_side_params: bool = True
    #: collect every function call for an allow-list (the session's ``FunctionAllowList``)
    collect_calls: bool = False


DEFAULT_POLICIES = {
    "postgres": EnginePolicy(collect_calls=True),
    "duckdb": EnginePolicy(admit_commands=frozenset({"SUMMARIZE"}), client_side_params=False),
    "clickhouse": EnginePolicy(admit_commands=frozenset({"EXISTS"})),
}


@dataclass(frozen=True)
class Lexicon:
    """How one server family writes strings, identifiers and comments.

    The gate lexes every statement with these rules and refuses it unless sqlglot agrees.
    """

    quotes: str = "'\"`"
    line_comments: tuple[str, ...] = ("--",)
    dash_needs_space: bool = False  # MySQL: "--" starts a comment only before whitespace
    dollar: str = ""  # "tagged" ($tag$ ... $tag$), "plain" ($$ ... $$) or ""
    pg: bool = False  # E'...' strings, U&"..." identifiers, EXPLAIN (options)
    #: backslash in '...': an escape (True), a plain character (False), unknown (None)
    backslash: bool | None = None
    triple: bool = False  # BigQuery '''...'''
    exec_comments: bool = False  # MySQL runs /*! ... */

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        alts = ["/\\*", ";", "%", *map(re.escape, self.line_comments), f"[{self.quotes}]"]
        return re.compile("|".join(alts + (["\\$"] if self.dollar else [])))


_PG_LEXICON = Lexicon(quotes="'\"", dollar="tagged", pg=True)
LEXICONS = {
    "postgres": _PG_LEXICON,
    "duckdb": _PG_LEXICON,
    "mysql": Lexicon(line_comments=("--", "#"), dash_needs_space=True, exec_comments=True),
    "clickhouse": Lexicon(line_comments=("--", "#"), dollar="tagged"),
    "snowflake": Lexicon(quotes="'\"", line_comments=("--", "//"), dollar="plain"),
    "bigquery": Lexicon(line_comments=("--", "#"), triple=True),
}


def side_effect_functions(dialect: str) -> tuple[frozenset[str], frozenset[str]]:
    """Return ``(names, prefixes)`` denied for ``dialect``.

    A dialect without a family of its own gets the union of every list: an engine we know
    nothing about is checked against everything we know (fail closed).
    """
    family = DIALECT_FAMILIES.get(dialect)
    if family is not None:
        return _FAMILY_LISTS[family]
    names = frozenset().union(*(n for n, _ in _FAMILY_LISTS.values()))
    prefixes = frozenset().union(*(p for _, p in _FAMILY_LISTS.values()))
    return names, prefixes


__all__ = [
    "BIGQUERY_SIDE_EFFECT_FUNCTIONS",
    "BIGQUERY_SIDE_EFFECT_PREFIXES",
    "CLICKHOUSE_SIDE_EFFECT_FUNCTIONS",
    "CLICKHOUSE_SIDE_EFFECT_PREFIXES",
    "DEFAULT_POLICIES",
    "DIALECT_FAMILIES",
    "DUCKDB_SIDE_EFFECT_FUNCTIONS",
    "DUCKDB_SIDE_EFFECT_PREFIXES",
    "LEXICONS",
    "MYSQL_SIDE_EFFECT_FUNCTIONS",
    "MYSQL_SIDE_EFFECT_PREFIXES",
    "POSTGRES_SIDE_EFFECT_FUNCTIONS",
    "POSTGRES_SIDE_EFFECT_PREFIXES",
    "SNOWFLAKE_SIDE_EFFECT_FUNCTIONS",
    "SNOWFLAKE_SIDE_EFFECT_PREFIXES",
    "EnginePolicy",
    "Lexicon",
    "side_effect_functions",
]
