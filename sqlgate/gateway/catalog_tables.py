"""The synthesized ``pg_catalog`` tables and functions, filled from a source's reflection.

Only the columns PostgreSQL clients read are real (names, kinds, types, column order); the
rest hold PostgreSQL's defaults so that queries selecting them still run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy.types as sat

from sqlgate.gateway import types as pgtypes

SCHEMA = "sqlgate_pg"
HIDDEN = {"information_schema", "pg_catalog", "INFORMATION_SCHEMA", "performance_schema", "sys"}
NAMESPACE_BASE, RELATION_BASE = 2200, 16384
PG_CATALOG_NS = 11


@dataclass
class Relation:
    schema: str
    name: str
    kind: str  # "r" table, "v" view
    columns: Sequence[Mapping[str, Any]]
    #: the primary key's name and column names (empty: none reflected)
    primary_key: tuple[str, tuple[str, ...]] = ("", ())


def pg_type_of(sa_type: Any) -> tuple[int, int]:
    """(type OID, typmod) for a reflected SQLAlchemy type."""
    checks: list[tuple[Any, int]] = [
        (sat.Boolean, pgtypes.BOOL),
        (sat.SmallInteger, pgtypes.INT2),
        (sat.BigInteger, pgtypes.INT8),
        (sat.Integer, pgtypes.INT4),
        (sat.Float, pgtypes.FLOAT8),
        (sat.Numeric, pgtypes.NUMERIC),
        (sat.DateTime, pgtypes.TIMESTAMP),
        (sat.Date, pgtypes.DATE),
        (sat.Time, pgtypes.TIME),
        (sat.Interval, pgtypes.INTERVAL),
        (sat.LargeBinary, pgtypes.BYTEA),
        (sat.JSON, pgtypes.JSON),
        (sat.Uuid, pgtypes.UUID) if hasattr(sat, "Uuid") else (sat.NullType, pgtypes.TEXT),
        (sat.String, pgtypes.VARCHAR),
    ]
    for cls, oid in checks:
        if isinstance(sa_type, cls):
            if oid == pgtypes.FLOAT8 and getattr(sa_type, "precision", None) in range(1, 25):
                return pgtypes.FLOAT4, -1
            precision = getattr(sa_type, "precision", None)
            if oid == pgtypes.NUMERIC and precision:
                scale = getattr(sa_type, "scale", None) or 0
                return oid, ((precision << 16) | scale) + 4
            if oid == pgtypes.TIMESTAMP and getattr(sa_type, "timezone", False):
                return pgtypes.TIMESTAMPTZ, -1
            if oid == pgtypes.VARCHAR:
                length = getattr(sa_type, "length", None)
                return (oid, length + 4) if length else (pgtypes.TEXT, -1)
            return oid, -1
    return pgtypes.TEXT, -1


_TABLES = {
    "pg_namespace": "oid BIGINT, nspname VARCHAR, nspowner BIGINT, nspacl VARCHAR[]",
    "pg_class": (
        "oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT, reloftype BIGINT, "
        "relowner BIGINT, relam BIGINT, relfilenode BIGINT, reltablespace BIGINT, "
        "relpages INTEGER, reltuples REAL, relallvisible INTEGER, reltoastrelid BIGINT, "
        "relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR, "
        "relnatts SMALLINT, relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, "
        "relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, "
        "relispopulated BOOLEAN, relreplident VARCHAR, relispartition BOOLEAN, "
        "relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR"
    ),
    "pg_attribute": (
        "attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attlen SMALLINT, attnum SMALLINT, "
        "atttypmod INTEGER, attndims SMALLINT, attnotnull BOOLEAN, atthasdef BOOLEAN, "
        "attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN, "
        "attinhcount INTEGER, attcollation BIGINT, attstattarget INTEGER, attstorage VARCHAR, "
        "attcompression VARCHAR, attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[]"
    ),
    "pg_type": (
        "oid BIGINT, typname VARCHAR, typnamespace BIGINT, typowner BIGINT, typlen SMALLINT, "
        "typbyval BOOLEAN, typtype VARCHAR, typcategory VARCHAR, typrelid BIGINT, "
        "typelem BIGINT, typarray BIGINT, typbasetype BIGINT, typtypmod INTEGER, "
        "typnotnull BOOLEAN, typcollation BIGINT, typdefault VARCHAR, typinput VARCHAR"
    ),
    "pg_database": (
        "oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datlocprovider VARCHAR, "
        "datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, "
        "dattablespace BIGINT, datcollate VARCHAR, datctype VARCHAR, daticulocale VARCHAR, "
        "datacl VARCHAR[]"
    ),
    "pg_roles": "oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolcanlogin BOOLEAN",
    "pg_am": "oid BIGINT, amname VARCHAR, amtype VARCHAR",
    "pg_description": "objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR",
    "pg_attrdef": "oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR",
    "pg_collation": "oid BIGINT, collname VARCHAR, collnamespace BIGINT",
    "pg_index": (
        "indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indisunique BOOLEAN, "
        "indisprimary BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, "
        "indisreplident BOOLEAN, indkey SMALLINT[], indexprs VARCHAR, indpred VARCHAR, "
        "indnkeyatts SMALLINT, indoption SMALLINT[], indcollation BIGINT[], indclass BIGINT[]"
    ),
    "pg_constraint": (
        "oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, conrelid BIGINT, "
        "confrelid BIGINT, conindid BIGINT, conkey SMALLINT[], confkey SMALLINT[], "
        "conparentid BIGINT, condeferrable BOOLEAN, condeferred BOOLEAN, condef VARCHAR, "
        "confupdtype VARCHAR, confdeltype VARCHAR, confmatchtype VARCHAR, convalidated BOOLEAN"
    ),
    "pg_inherits": "inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN",
    "pg_trigger": "oid BIGINT, tgrelid BIGINT, tgname VARCHAR, tgisinternal BOOLEAN",
    "pg_rewrite": "oid BIGINT, rulename VARCHAR, ev_class BIGINT",
    "pg_policy": (
        "oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, "
        "polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR"
    ),
    "pg_statistic_ext": (
        "oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxkeys SMALLINT[], "
        "stxkind VARCHAR[], stxstattarget INTEGER"
    ),
    "pg_publication": "oid BIGINT, pubname VARCHAR, puballtables BOOLEAN",
    "pg_publication_rel": (
        "oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]"
    ),
    "pg_publication_namespace": "oid BIGINT, pnpubid BIGINT, pnnspid BIGINT",
    "pg_foreign_table": "ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]",
    "pg_settings": "name VARCHAR, setting VARCHAR",
    "pg_enum": "oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR",
}

_VIEWS = {
    "pg_tables": (
        "SELECT n.nspname AS schemaname, c.relname AS tablename, 'sqlgate' AS tableowner, "
        "NULL::VARCHAR AS tablespace, false AS hasindexes, false AS hasrules, "
        "false AS hastriggers, false AS rowsecurity FROM {s}.pg_class c "
        "JOIN {s}.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r'"
    ),
    "pg_views": (
        "SELECT n.nspname AS schemaname, c.relname AS viewname, 'sqlgate' AS viewowner, "
        "NULL::VARCHAR AS definition FROM {s}.pg_class c "
        "JOIN {s}.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'v'"
    ),
    "pg_matviews": (
        "SELECT NULL::VARCHAR AS schemaname, NULL::VARCHAR AS matviewname, "
        "NULL::VARCHAR AS matviewowner WHERE false"
    ),
    "pg_stat_user_tables": (
        "SELECT c.oid AS relid, n.nspname AS schemaname, c.relname, NULL::BIGINT AS n_live_tup "
        "FROM {s}.pg_class c JOIN {s}.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r'"
    ),
}

_MACROS = [
    "pg_table_is_visible(x) AS true",
    "pg_get_userbyid(x) AS 'sqlgate'",
    "pg_encoding_to_char(x) AS 'UTF8'",
    "pg_get_expr(x, y, z := NULL) AS NULL::VARCHAR",
    "obj_description(x, y := NULL) AS NULL::VARCHAR",
    "col_description(x, y) AS NULL::VARCHAR",
    "shobj_description(x, y) AS NULL::VARCHAR",
    # read-only: SELECT/USAGE/CONNECT are granted, every write privilege is not
    *(
        f"{name}(x, y, z := NULL) AS list_has_any(string_split(upper(replace("
        "coalesce(z, y), ' ', '')), ','), ['SELECT', 'USAGE', 'CONNECT'])"
        for name in (
            "has_table_privilege",
            "has_schema_privilege",
            "has_any_column_privilege",
            "has_column_privilege",
            "has_database_privilege",
        )
    ),
    "pg_relation_is_publishable(x) AS false",
    "pg_get_statisticsobjdef_columns(x) AS NULL::VARCHAR",
    # column 0: the whole definition; column n: the index's n-th key column (pgjdbc, Metabase)
    "pg_get_indexdef(x, y := 0, z := false) AS CASE WHEN coalesce(y, 0) = 0 THEN "
    "(SELECT max(k.condef) FROM {s}.pg_constraint k WHERE k.conindid = x) ELSE "
    "(SELECT max(a.attname) FROM {s}.pg_index i JOIN {s}.pg_attribute a "
    "ON a.attrelid = i.indrelid AND a.attnum = i.indkey[y] WHERE i.indexrelid = x) END",
    "pg_get_constraintdef(x, y := false) AS "
    "(SELECT max(k.condef) FROM {s}.pg_constraint k WHERE k.oid = x)",
    "pg_get_viewdef(x, y := false) AS NULL::VARCHAR",
    "pg_get_partkeydef(x) AS NULL::VARCHAR",
    "array_upper(a, d) AS len(a)",
    "array_lower(a, d) AS 1",
    "current_schemas(x) AS ['public']",
    "current_database() AS '{db}'",
    "version() AS 'PostgreSQL 15.0 (sqlgate gateway) on x86_64-pc-linux-gnu, 64-bit'",
    "regclass(name) AS (SELECT max(c.oid) FROM {s}.pg_class c WHERE c.relname = "
    "string_split(name, '.')[-1])",
    "format_type(t, m) AS (SELECT CASE "
    "WHEN ty.typname = 'numeric' AND m > 4 THEN "
    "'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')' "
    "WHEN ty.typname = 'varchar' AND m > 4 THEN 'character varying(' || (m - 4) || ')' "
    "ELSE coalesce({display}, ty.typname) END FROM {s}.pg_type ty WHERE ty.oid = t)",
]
_DISPLAY = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real",
    "float8": "double precision", "bool": "boolean", "varchar": "character varying",
    "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
    "time": "time without time zone",
}  # fmt: skip

#: information_schema: what JDBC drivers and BI tools read there
_INFO_VIEWS = {
    "schemata": (
        "SELECT current_database() AS catalog_name, nspname AS schema_name, "
        "'sqlgate' AS schema_owner FROM {s}.pg_namespace"
    ),
    "tables": (
        "SELECT current_database() AS table_catalog, n.nspname AS table_schema, "
        "c.relname AS table_name, CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'BASE TABLE' END "
        "AS table_type FROM {s}.pg_class c JOIN {s}.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'v')"
    ),
    "columns": (
        "SELECT current_database() AS table_catalog, n.nspname AS table_schema, "
        "c.relname AS table_name, a.attname AS column_name, a.attnum AS ordinal_position, "
        "CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable, "
        "{s}.format_type(a.atttypid, a.atttypmod) AS data_type, t.typname AS udt_name, "
        "'pg_catalog' AS udt_schema, current_database() AS udt_catalog, "
        "NULL::VARCHAR AS column_default, 'NO' AS is_identity, 'NEVER' AS is_generated "
        "FROM {s}.pg_attribute a JOIN {s}.pg_class c ON c.oid = a.attrelid "
        "JOIN {s}.pg_namespace n ON n.oid = c.relnamespace JOIN {s}.pg_type t ON t.oid = a.atttypid"
    ),
    # primary keys only: the sources' foreign keys are not reflected
    "table_constraints": (
        "SELECT current_database() AS constraint_catalog, n.nspname AS constraint_schema, "
        "k.conname AS constraint_name, current_database() AS table_catalog, "
        "n.nspname AS table_schema, c.relname AS table_name, 'PRIMARY KEY' AS constraint_type "
        "FROM {s}.pg_constraint k JOIN {s}.pg_class c ON c.oid = k.conrelid "
        "JOIN {s}.pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'p'"
    ),
    "key_column_usage": (
        "SELECT current_database() AS constraint_catalog, n.nspname AS constraint_schema, "
        "k.conname AS constraint_name, current_database() AS table_catalog, "
        "n.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name, "
        "list_position(k.conkey, a.attnum) AS ordinal_position "
        "FROM {s}.pg_constraint k JOIN {s}.pg_class c ON c.oid = k.conrelid "
        "JOIN {s}.pg_namespace n ON n.oid = c.relnamespace "
        "JOIN {s}.pg_attribute a ON a.attrelid = c.oid AND list_contains(k.conkey, a.attnum)"
    ),
}
_INFO_MACROS = [
    "_pg_expandarray(a) AS unnest(list_transform(range(1, len(a) + 1), "
    "lambda i: {{'x': a[i], 'n': i}}))",
]

RELATIONS = set(_TABLES) | set(_VIEWS)
NAMES = RELATIONS | {m.split("(")[0] for m in _MACROS}


def _display_sql() -> str:
    cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _DISPLAY.items())
    return f"CASE ty.typname {cases} END"


def _primary_keys(db: Any, relations: Sequence[Relation]) -> None:
    """An index class, a pg_index row and a pg_constraint row per reflected primary key."""
    s = SCHEMA
    base = RELATION_BASE + len(relations)
    for index, rel in enumerate(relations):
        pk_name, pk_columns = rel.primary_key
        names = [c["name"] for c in rel.columns]
        if not pk_columns or not set(pk_columns) <= set(names):
            continue
        table_oid, index_oid = RELATION_BASE + index, base + index
        keys = [names.index(c) + 1 for c in pk_columns]
        pk_name = pk_name or f"{rel.name}_pkey"
        quoted = ", ".join(pk_columns)
        db.execute(
            f"INSERT INTO {s}.pg_class SELECT ?, ?, relnamespace, 0, 0, 10, 403, 0, 0, 0, -1, 0, "
            "0, false, false, 'p', 'i', ?, 0, false, false, false, false, false, true, 'n', "
            f"false, NULL, NULL, NULL FROM {s}.pg_class WHERE oid = ?",
            [index_oid, pk_name, len(keys), table_oid],
        )
        db.execute(f"UPDATE {s}.pg_class SET relhasindex = true WHERE oid = ?", [table_oid])
        db.execute(
            f"INSERT INTO {s}.pg_index VALUES (?, ?, ?, true, true, false, true, false, ?, "
            "NULL, NULL, ?, ?, ?, ?)",
            [
                index_oid,
                table_oid,
                len(keys),
                keys,
                len(keys),
                [0] * len(keys),
                [0] * len(keys),
                [0] * len(keys),
            ],
        )
        db.execute(
            f"INSERT INTO {s}.pg_constraint SELECT ?, ?, relnamespace, 'p', ?, 0, ?, ?, NULL, 0, "
            f"false, false, ?, ' ', ' ', ' ', true FROM {s}.pg_class WHERE oid = ?",
            [index_oid + 100_000, pk_name, table_oid, index_oid, keys,
             f"PRIMARY KEY ({quoted})", table_oid],
        )  # fmt: skip


def build(database: str, databases: Sequence[str], relations: Sequence[Relation]) -> Any:
    """A DuckDB connection holding the synthesized catalog of ``relations``."""
    import duckdb

    db = duckdb.connect(":memory:")
    s = SCHEMA
    db.execute(f"CREATE SCHEMA {s}")
    for name, columns in _TABLES.items():
        db.execute(f"CREATE TABLE {s}.{name} ({columns})")
    for name, query in _VIEWS.items():
        db.execute(f"CREATE VIEW {s}.{name} AS {query.format(s=s)}")
    for macro in _MACROS:
        text = macro.format(s=s, display=_display_sql(), db=database.replace("'", "''"))
        db.execute(f"CREATE MACRO {s}.{text}")
    db.executemany(
        f"INSERT INTO {s}.pg_type VALUES (?, ?, {PG_CATALOG_NS}, 10, ?, ?, 'b', 'U', 0, 0, 0, "
        "0, -1, false, 0, NULL, NULL)",
        [(oid, name, size, size > 0) for oid, (name, size) in pgtypes.TYPES.items()],
    )
    db.executemany(
        f"INSERT INTO {s}.pg_database VALUES (?, ?, 10, 6, 'c', false, true, -1, 1663, "
        "'C.UTF-8', 'C.UTF-8', NULL, NULL)",
        [(16000 + i, name) for i, name in enumerate(sorted(databases))],
    )
    db.execute(f"INSERT INTO {s}.pg_roles VALUES (10, 'sqlgate', false, true)")
    db.executemany(  # what JDBC drivers look up (pgjdbc's getMaxIndexKeys, getImportedKeys)
        f"INSERT INTO {s}.pg_settings VALUES (?, ?)",
        [
            ("max_index_keys", "32"),
            ("max_identifier_length", "63"),
            ("server_version", "15.0"),
            ("server_version_num", "150000"),
        ],
    )
    db.execute(f"INSERT INTO {s}.pg_am VALUES (2, 'heap', 't'), (403, 'btree', 'i')")
    namespaces = {"pg_catalog": PG_CATALOG_NS, "information_schema": 13000}
    for rel in relations:
        namespaces.setdefault(rel.schema, NAMESPACE_BASE + len(namespaces) - 2)
    db.executemany(
        f"INSERT INTO {s}.pg_namespace VALUES (?, ?, 10, NULL)",
        [(oid, name) for name, oid in namespaces.items()],
    )
    classes, attributes = [], []
    for index, rel in enumerate(relations):
        oid = RELATION_BASE + index
        classes.append((oid, rel.name, namespaces[rel.schema], rel.kind, len(rel.columns)))
        for num, col in enumerate(rel.columns, start=1):
            type_oid, typmod = pg_type_of(col.get("type"))
            size = pgtypes.type_size(type_oid)
            attributes.append(
                (oid, col["name"], type_oid, size, num, typmod, not col.get("nullable", True))
            )
    if classes:
        db.executemany(
            f"INSERT INTO {s}.pg_class VALUES (?, ?, ?, 0, 0, 10, 2, 0, 0, 0, -1, 0, 0, false, "
            "false, 'p', ?, ?, 0, false, false, false, false, false, true, 'd', false, NULL, "
            "NULL, NULL)",
            classes,
        )
    if attributes:
        db.executemany(
            f"INSERT INTO {s}.pg_attribute VALUES (?, ?, ?, ?, ?, ?, 0, ?, false, '', '', "
            "false, true, 0, 0, -1, 'x', '', NULL, NULL, NULL)",
            attributes,
        )
    _primary_keys(db, relations)
    db.execute(f"CREATE SCHEMA {s}_info")
    for macro in _INFO_MACROS:
        db.execute(f"CREATE MACRO {s}_info.{macro.format(s=s)}")
    for name, query in _INFO_VIEWS.items():
        db.execute(f"CREATE VIEW {s}_info.{name} AS {query.format(s=s)}")
    db.execute(f"SET search_path = '{s},main'")
    # clients' catalog queries run here: no files, no extensions, no settings changes
    db.execute("SET enable_external_access = false")
    db.execute("SET lock_configuration = true")
    return db
