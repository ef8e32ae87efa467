"""Per-engine deny lists of the statement gate: functions and table functions by engine.

A plain ``SELECT`` can still write, lock, sleep, reach out of the server or run another SQL
string if it calls one of these. Names are lower case and matched case-insensitively on the
bare function name (so ``pg_catalog.set_config`` and ``"nextval"`` match too); the
``*_PREFIXES`` sets deny whole families (``lo_*``, ``dblink*``, ``pg_advisory_*`` ...).

Decisions: sleeping functions (``pg_sleep``, ``SLEEP``, ``BENCHMARK``, ClickHouse ``sleep``)
are denied as denial of service, since one call pins a pooled connection for as long as the
caller wants. Functions that only *read* files or remote data are denied where they reach
out of the database server (PostgreSQL ``pg_read_file``, MySQL ``LOAD_FILE``, ClickHouse
``url``/``s3``/``remote``...), and so are DuckDB's ``read_*`` file readers: a lakehouse source
names tables, and the lakehouse engine maps them to files itself. The policies that use these
lists are in :mod:`sqlgate.core.readonly_policies`.
"""

from __future__ import annotations

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

#: The one DuckDB deny list (the lakehouse engine's guard should import it rather than keep
#: its own): file readers, settings and environment, SQL run from text, catalog and extension
#: functions, sequences, attached databases, DuckLake maintenance, sleeping.
DUCKDB_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        "nextval", "currval", "setval", "checkpoint", "force_checkpoint",
        "query", "query_table", "json_execute_serialized_sql",  # run SQL given as text
        "getenv", "current_setting", "write_log", "which_secret", "load_extension",
        "install_extension", "glob", "read_text", "read_blob", "sniff_csv", "parquet_scan",
        "python_map_function", "arrow_scan", "arrow_scan_dumb", "pandas_scan",
        "python_arrow_scan", "seq_scan", "summary", "current_query", "current_schemas",
        "in_search_path", "json_serialize_sql", "json_deserialize_sql", "sql_auto_complete",
        "parse_duckdb_log_message", "postgres_execute", "postgres_query", "mysql_execute",
        "mysql_query", "sqlite_attach", "postgres_attach", "mysql_clear_cache",
        "postgres_clear_cache", "pg_clear_cache", "sleep_ms", "pg_sleep",
    }
)  # fmt: skip

DUCKDB_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset(
    {
        "read_", "parquet_", "duckdb_", "pragma_", "sqlite_", "postgres_", "mysql_", "iceberg_",
        "delta_", "ducklake_", "st_read", "glob", "sniff_", "http", "s3_", "azure_", "gcs_",
        "register_", "deregister_", "create_", "destroy_", "enable_", "disable_", "truncate_",
        "test_", "icu_", "pg_timezone",
    }
)  # fmt: skip

#: ClickHouse table functions that reach out of the server (read or write) or run programs
CLICKHOUSE_TABLE_FUNCTIONS: frozenset[str] = frozenset(
    {
        "file", "filecluster", "url", "urlcluster", "remote", "remotesecure", "cluster",
        "clusterallreplicas", "hdfs", "hdfscluster", "mysql", "postgresql", "mongodb", "redis",
        "sqlite", "odbc", "jdbc", "executable", "executablepool", "gcs", "deltalake", "hudi",
        "hive", "input", "azureblobstorage", "azureblobstoragecluster", "s3", "s3cluster",
        "iceberg", "fuzzjson", "fuzzquery",
    }
)  # fmt: skip

CLICKHOUSE_SIDE_EFFECT_FUNCTIONS: frozenset[str] = CLICKHOUSE_TABLE_FUNCTIONS | {
    "sleep", "sleepeachrow",  # denial of service
    "addresstoline", "addresstolinewithinlines", "addresstosymbol", "demangle",  # introspection
}  # fmt: skip

CLICKHOUSE_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset(
    {"s3", "azureblobstorage", "iceberg", "remote", "hdfs", "deltalake", "hudi", "mongo"}
)

#: ClickHouse query settings a ``SETTINGS`` clause may not change (lift readonly, allow DDL,
#: allow introspection functions)
CLICKHOUSE_REFUSED_SETTINGS: frozenset[str] = frozenset(
    {"readonly", "allow_ddl", "allow_introspection_functions"}
)

SNOWFLAKE_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        "nextval", "system$wait",
        # stage files: read them, hand out URLs to them, infer their schema
        "infer_schema", "get_presigned_url", "build_scoped_file_url", "build_stage_file_url",
        "get_stage_location", "get_relative_path", "get_absolute_path", "validate",
        "validate_pipe_load", "external_table_files", "external_table_file_registration_history",
    }
)  # fmt: skip
SNOWFLAKE_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset({"system$"})

BIGQUERY_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        "external_query", "external_object_transform",
        # remote models (Vertex AI): send the rows out and bill for it
        "generate_text", "generate_embedding", "generate_text_embedding", "generate_table",
        "get_access_url", "fetch_metadata",  # signed URLs of object tables
    }
)  # fmt: skip
BIGQUERY_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset()
#: qualifiers whose functions are all refused: ``AI.GENERATE(...)``, ``AI.FORECAST(...)``
BIGQUERY_DENIED_SCHEMAS: frozenset[str] = frozenset({"ai"})

DATABRICKS_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {
        "http_request", "ai_query", "secret", "try_secret", "list_secrets", "remote_query",
        "reflect", "java_method", "try_reflect",  # call Java static methods
        "cloud_files_state", "vector_search",
    }
)  # fmt: skip
#: ``read_files``, ``read_kafka``, ``read_kinesis``, ``read_pubsub`` ...; ``ai_*`` calls models
DATABRICKS_SIDE_EFFECT_PREFIXES: frozenset[str] = frozenset({"read_", "ai_"})

#: Druid's ingestion table functions: ``TABLE(EXTERN(...))``, ``TABLE(http(...))`` ...
DRUID_SIDE_EFFECT_FUNCTIONS: frozenset[str] = frozenset(
    {"extern", "http", "inline", "localfiles", "s3", "google", "googlestorage", "azure",
     "azurestorage", "hdfs", "delta"}
)  # fmt: skip

__all__ = [name for name in dir() if name.isupper()]
