"""One read-only policy per engine: how its SQL is written and what it may not call.

A source names its policy in the registry (``SourceSpec.gate_policy``). A source without one
gets no gate that admits anything: every statement is refused (:func:`gate_for` in
:mod:`sqlgate.core.readonly`), because a gate that guessed an engine's rules from its sqlglot
dialect would miss that engine's own side-effect functions (fail closed, not open).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from sqlgate.core import readonly_functions as fn


@dataclass(frozen=True)
class Lexicon:
    """How one engine writes strings, identifiers and comments.

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
    #: GoogleSQL: a backslash escapes the next character in every quoted form (`...`,
    #: '...', "...", triple-quoted, r'...', b'...'); a doubled quote is no escape
    c_escapes: bool = False
    exec_comments: bool = False  # MySQL runs /*! ... */

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        alts = ["/\\*", ";", "%", *map(re.escape, self.line_comments), f"[{self.quotes}]"]
        return re.compile("|".join(alts + (["\\$"] if self.dollar else [])))


@dataclass(frozen=True)
class GatePolicy:
    """Everything the statement gate knows about one engine, named by behaviour."""

    name: str = "custom"
    dialect: str = "postgres"  # the sqlglot dialect that tokenizes and parses its SQL
    lexicon: Lexicon = field(default_factory=Lexicon)
    deny_functions: frozenset[str] = frozenset()  # side-effect functions (any case)
    deny_prefixes: frozenset[str] = frozenset()
    #: table functions that reach out of the server (refused wherever ``name(`` appears)
    deny_table_functions: frozenset[str] = frozenset()
    #: qualifiers all of whose functions are refused (BigQuery ``AI.``)
    deny_schemas: frozenset[str] = frozenset()
    admit_commands: frozenset[str] = frozenset()  # extra harmless first keywords (upper case)
    #: the driver splices %s / %(name)s values into the SQL text client-side (psycopg's
    #: ClientCursor, PyMySQL, clickhouse-connect, snowflake-connector): a placeholder inside
    #: a string literal or comment would then splice the value's text into the statement
    client_side_params: bool = True
    #: collect every function call for an allow-list (the session's ``FunctionAllowList``)
    collect_calls: bool = False
    user_variables: bool = False  # MySQL: ``@a := 1`` assigns, and is refused
    explain_table_is_describe: bool = False  # MySQL: ``EXPLAIN tbl`` is ``DESCRIBE tbl``
    #: query settings a ``SETTINGS name = value`` clause may not change (ClickHouse)
    refused_settings: frozenset[str] = frozenset()
    stage_references: bool = False  # Snowflake: ``@stage`` reads (or lists) stage files
    #: the session statements admitted (``SET search_path ...``): "postgres", "mysql" or ""
    session_rules: str = ""
    #: read-only SHOW forms sqlglot reads as commands, by their words after SHOW (Doris,
    #: StarRocks ``SHOW PARTITIONS``); admitted by a closed grammar (``readonly_dispatch``)
    show_forms: frozenset[tuple[str, ...]] = frozenset()
    #: ``SWITCH name`` / ``SET CATALOG name``: change the current catalog, never data
    catalog_switch: bool = False
    #: Oracle-style ``table@link`` / ``proc@link(...)``: a database link runs the statement's
    #: part on another database, beyond this session's read-only mode (refused)
    db_links: bool = False
    #: Oracle-style packages: a call qualified by a part starting with one of these
    #: (``SYS.UTL_FILE.FOPEN(...)``, ``"DBMS_XA".XA_START(...)``) is refused
    package_prefixes: frozenset[str] = frozenset()
    #: OceanBase's Oracle-mode UTF-8 parser reads a full-width space, comma and parentheses
    #: (U+3000, U+FF0C, U+FF08/09) as ASCII ones; sqlglot reads them as name characters, so
    #: ``purge_all（）`` would be a call only the server sees: refused outside literals
    multibyte_syntax: bool = False


#: kept for callers of the earlier name
EnginePolicy = GatePolicy

_PG_LEXICON = Lexicon(quotes="'\"", dollar="tagged", pg=True)
_MYSQL_LEXICON = Lexicon(line_comments=("--", "#"), dash_needs_space=True, exec_comments=True)

POSTGRES = GatePolicy(
    name="postgres", dialect="postgres", lexicon=_PG_LEXICON,
    deny_functions=fn.POSTGRES_SIDE_EFFECT_FUNCTIONS,
    deny_prefixes=fn.POSTGRES_SIDE_EFFECT_PREFIXES,
    collect_calls=True, session_rules="postgres",
)  # fmt: skip
MYSQL = GatePolicy(
    name="mysql", dialect="mysql", lexicon=_MYSQL_LEXICON,
    deny_functions=fn.MYSQL_SIDE_EFFECT_FUNCTIONS, deny_prefixes=fn.MYSQL_SIDE_EFFECT_PREFIXES,
    user_variables=True, explain_table_is_describe=True, session_rules="mysql",
)  # fmt: skip
DUCKDB = GatePolicy(
    name="duckdb", dialect="duckdb", lexicon=_PG_LEXICON,
    deny_functions=fn.DUCKDB_SIDE_EFFECT_FUNCTIONS, deny_prefixes=fn.DUCKDB_SIDE_EFFECT_PREFIXES,
    admit_commands=frozenset({"SUMMARIZE"}), client_side_params=False,
)  # fmt: skip
CLICKHOUSE = GatePolicy(
    name="clickhouse", dialect="clickhouse",
    lexicon=Lexicon(line_comments=("--", "#"), dollar="tagged"),
    deny_functions=fn.CLICKHOUSE_SIDE_EFFECT_FUNCTIONS,
    deny_prefixes=fn.CLICKHOUSE_SIDE_EFFECT_PREFIXES,
    deny_table_functions=fn.CLICKHOUSE_TABLE_FUNCTIONS,
    refused_settings=fn.CLICKHOUSE_REFUSED_SETTINGS, admit_commands=frozenset({"EXISTS"}),
)  # fmt: skip
#: Snowflake besides readonly_functions' lists: FILE values name stage files in a string
#: (``TO_FILE('@stage/f')``, the ``FL_*`` readers); Cortex AI functions send rows to a model and
#: bill for it (``SNOWFLAKE.CORTEX.COMPLETE``, ``AI_COMPLETE``), as BigQuery's remote models
_SNOWFLAKE_FILES_AND_AI = frozenset({"to_file", "try_to_file"})
_SNOWFLAKE_PREFIXES = frozenset({"fl_", "ai_"})
SNOWFLAKE = GatePolicy(
    name="snowflake", dialect="snowflake",
    # a backslash escapes in '...' (the connector splices values as 'it\'s')
    lexicon=Lexicon(quotes="'\"", line_comments=("--", "//"), dollar="plain", backslash=True),
    deny_functions=fn.SNOWFLAKE_SIDE_EFFECT_FUNCTIONS | _SNOWFLAKE_FILES_AND_AI,
    deny_prefixes=fn.SNOWFLAKE_SIDE_EFFECT_PREFIXES | _SNOWFLAKE_PREFIXES, stage_references=True,
    deny_schemas=frozenset({"cortex", "snowflake.cortex"}),
)  # fmt: skip
BIGQUERY = GatePolicy(
    name="bigquery", dialect="bigquery",
    lexicon=Lexicon(line_comments=("--", "#"), triple=True, c_escapes=True),
    deny_functions=fn.BIGQUERY_SIDE_EFFECT_FUNCTIONS,
    deny_prefixes=fn.BIGQUERY_SIDE_EFFECT_PREFIXES, deny_schemas=fn.BIGQUERY_DENIED_SCHEMAS,
)  # fmt: skip
DATABRICKS = GatePolicy(
    name="databricks", dialect="databricks", lexicon=Lexicon(backslash=True),
    deny_functions=fn.DATABRICKS_SIDE_EFFECT_FUNCTIONS,
    deny_prefixes=fn.DATABRICKS_SIDE_EFFECT_PREFIXES,
)  # fmt: skip
DRUID = GatePolicy(
    name="druid", dialect="druid", lexicon=Lexicon(quotes="'\""),
    # plus input sources reachable by name in newer Druids and extensions (Iceberg, GCS,
    # another datasource, a JDBC database, a combination of sources)
    deny_table_functions=fn.DRUID_SIDE_EFFECT_FUNCTIONS
    | frozenset({"iceberg", "gcs", "druid", "sql", "combining"}),
)  # fmt: skip

#: DaMeng DM8 (Oracle-style SQL, sqlglot's Oracle dialect): sequences advance on ``seq.NEXTVAL``;
#: DM's system procedures (``SP_*``: SP_SET_PARA_VALUE, SP_CREATE_...) change the server;
#: Oracle-compatible packages reach files, the network, jobs, locks and pipes
_DM_PACKAGES = frozenset(
    {
        "dbms_pipe", "dbms_alert", "dbms_lock", "dbms_job", "dbms_scheduler", "dbms_lob",
        "dbms_output", "dbms_sql", "dbms_stats", "dbms_session", "dbms_xmlgen", "utl_file",
        "utl_http", "utl_tcp", "utl_smtp", "utl_mail", "dbms_aq", "dbms_transaction",
    }
)  # fmt: skip
DAMENG = GatePolicy(
    name="dameng", dialect="oracle", lexicon=Lexicon(quotes="'\""),
    deny_functions=frozenset({"nextval", "sleep", "sf_set_session_para_value"}),
    deny_prefixes=frozenset({"sp_", "utl_", "dbms_"}), deny_schemas=_DM_PACKAGES,
    client_side_params=False, db_links=True, package_prefixes=frozenset({"utl_", "dbms_"}),
)  # fmt: skip
#: OceanBase Oracle mode (``oceanbase://...?mode=oracle``): DaMeng's Oracle rules, OceanBase's
#: own packages, and values spliced in client-side (the MySQL protocol's text queries). The
#: tenant's reader is not here to ask: its Oracle-mode strings take no backslash escape
#: (OceanBase's ODC grammar), yet ``\'`` in a literal is refused as ambiguous, and so is the
#: MySQL-mode ``/*! ... */`` its shared parser might run (fail closed on both)
OCEANBASE_ORACLE = GatePolicy(
    name="oceanbase_oracle", dialect="oracle",
    lexicon=Lexicon(quotes="'\"", backslash=None, exec_comments=True),
    deny_functions=frozenset({"nextval", "sleep"}), deny_prefixes=frozenset({"utl_", "dbms_"}),
    deny_schemas=_DM_PACKAGES | frozenset({"dbms_resource_manager", "dbms_plan_cache"}),
    db_links=True, package_prefixes=frozenset({"utl_", "dbms_"}), multibyte_syntax=True,
    collect_calls=True,  # no server guard: every call checked against Oracle's built-ins
)  # fmt: skip


#: Doris / StarRocks table functions that reach out of the cluster with its credentials (files
#: on S3, HDFS, HTTP or a backend's disk) or hand a statement to an external catalog's
#: database unread (``query('catalog'='jdbc', 'query'='DELETE ...')``)
_DORIS_TABLE_FUNCTIONS = frozenset({"s3", "hdfs", "local", "http", "files", "query"})
#: Doris / StarRocks metadata reads users (SQL Lab) and the dialect's reflection run
_OLAP_SHOW_FORMS = frozenset(
    {
        ("CATALOGS",), ("PARTITIONS",), ("TEMPORARY", "PARTITIONS"), ("MATERIALIZED", "VIEWS"),
        ("CREATE", "MATERIALIZED", "VIEW"), ("DATA",), ("TABLET",), ("TABLETS",),
    }
)  # fmt: skip
_OLAP: dict[str, Any] = {"session_rules": "", "deny_table_functions": _DORIS_TABLE_FUNCTIONS}
_OLAP |= {"show_forms": _OLAP_SHOW_FORMS, "catalog_switch": True}


#: GBase 8s/8t (Informix SQLI): Oracle's rules plus Informix's own server-changing routines
#: (``sysadmin:task``/``admin`` run onmode/onspaces commands; ``SYSTEM`` runs a shell command)
INFORMIX = GatePolicy(
    name="informix", dialect="informix", lexicon=Lexicon(quotes="'\""),
    deny_functions=frozenset({"nextval", "task", "admin", "system", "sysbldprepare"}),
    deny_prefixes=frozenset({"sp_", "utl_", "dbms_", "ifx_", "bts_"}), deny_schemas=_DM_PACKAGES,
    client_side_params=False, db_links=True,  # ``db@server:table`` reaches another server
    package_prefixes=frozenset({"utl_", "dbms_"}),
)  # fmt: skip


def _variant(base: GatePolicy, name: str, **changes: Any) -> GatePolicy:
    from dataclasses import replace

    return replace(base, name=name, dialect=name, **changes)


#: policy name -> policy; ``SourceSpec.gate_policy`` names one of these
POLICIES: dict[str, GatePolicy] = {
    p.name: p
    for p in (
        POSTGRES,
        _variant(POSTGRES, "redshift"),
        MYSQL,
        # no session read-only mode on these two: no session statement is admitted
        _variant(MYSQL, "doris", **_OLAP),
        _variant(MYSQL, "starrocks", **_OLAP),
        DUCKDB,
        CLICKHOUSE,
        SNOWFLAKE,
        BIGQUERY,
        DATABRICKS,
        DRUID,
        DAMENG,
        OCEANBASE_ORACLE,
        INFORMIX,
    )
}

__all__ = ["POLICIES", "EnginePolicy", "GatePolicy", "Lexicon"]
