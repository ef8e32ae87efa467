"""What SQLAlchemy's compliance suite may expect of the ClickHouse dialect, and why not more.

Selected with ``--requirements tests.sqlalchemy_suite.requirements_olap:ClickHouseRequirements``
(``tests/integration/test_clickhouse_sqlalchemy_suite.py``). It builds on the family
requirements (``requirements.py``) and closes what ClickHouse, an append-oriented OLAP
engine, does not have, each closure with its :class:`~._unsupported.SkipReason`. Closures
marked "before 20.x" apply to the Debian 18.16 server only, not to chdb's ClickHouse 26.x.

Also here (imported with the class, before any table is made): SQLAlchemy's provisioning
hooks for the ``clickhouse`` backend, which SQLAlchemy does not ship.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.testing import exclusions, provision
from sqlalchemy.testing.exclusions import skip_if
from sqlalchemy.testing.provision import temp_table_keyword_args

from tests.sqlalchemy_suite._unsupported import SkipReason
from tests.sqlalchemy_suite.requirements import Requirements

CH = "clickhouse"
SERVER, DRIVER = SkipReason.SERVER, SkipReason.DRIVER


@temp_table_keyword_args.for_db(CH)
def _temp_table_keyword_args(cfg: Any, eng: Any) -> dict[str, Any]:
    return {"prefixes": ["TEMPORARY"]}


if hasattr(provision, "delete_from_all_tables"):  # SQLAlchemy 2.x; 1.4 deletes in the fixture

    @provision.delete_from_all_tables.for_db(CH)
    def _truncate_all(connection: Any, cfg: Any, metadata: Any) -> None:
        """SQLAlchemy's generic routine deletes inside a SAVEPOINT, which ClickHouse lacks;
        TRUNCATE empties a table at once on every version (a DELETE is a mutation on 18.16)."""
        quote = connection.dialect.identifier_preparer.format_table
        for table in reversed(metadata.sorted_tables):
            connection.exec_driver_sql(f"TRUNCATE TABLE {quote(table)}")


@provision.set_default_schema_on_connection.for_db(CH)
def _use(cfg: Any, dbapi_connection: Any, schema_name: str) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"USE `{schema_name}`")
    cursor.close()


def _old(config: Any) -> bool:
    """The Debian 18.16 server (no CTE subqueries, window functions, NULL modifiers...)."""
    return tuple(config.db.dialect.server_version_info or ()) < (20,)


def _no(reason: str) -> Any:
    return skip_if(CH, reason)


def _no_before_20(reason: str) -> Any:
    return skip_if(_old, reason)


_NO_CONSTRAINTS = SERVER("ClickHouse has no foreign keys, unique or check constraints")
_NO_INDEXES = SERVER("ClickHouse has no secondary indexes (only data-skipping indexes)")
_NO_TRANSACTIONS = SERVER("ClickHouse has no transactions")
_APPEND_ONLY = SERVER(
    "ClickHouse changes rows through asynchronous mutations (ALTER TABLE ... UPDATE/DELETE), "
    "not UPDATE/DELETE statements with a row count"
)


class ClickHouseRequirements(Requirements):
    """The family requirements, minus what ClickHouse lacks."""

    # -- constraints, keys, indexes ------------------------------------------------------------
    foreign_keys = foreign_key_ddl = foreign_key_constraint_reflection = property(
        lambda self: _no(_NO_CONSTRAINTS)
    )
    self_referential_foreign_keys = named_constraints = implicitly_named_constraints = property(
        lambda self: _no(_NO_CONSTRAINTS)
    )
    unique_constraint_reflection = check_constraint_reflection = property(
        lambda self: _no(_NO_CONSTRAINTS)
    )
    inline_check_constraint_reflection = cross_schema_fk_reflection = property(
        lambda self: _no(_NO_CONSTRAINTS)
    )
    duplicate_key_raises_integrity_error = property(lambda self: _no(_NO_CONSTRAINTS))
    primary_key_constraint_reflection = reflects_pk_names = property(
        lambda self: _no(SERVER("a ClickHouse primary key orders data; it constrains nothing"))
    )
    index_reflection = indexes_with_ascdesc = indexes_with_expressions = property(
        lambda self: _no(_NO_INDEXES)
    )
    index_ddl_if_exists = reflect_indexes_with_expressions = property(lambda self: _no(_NO_INDEXES))
    reflect_indexes_with_ascdesc = index_reflects_included_columns = property(
        lambda self: _no(_NO_INDEXES)
    )
    # -- rows --------------------------------------------------------------------------------
    autoincrement_insert = autoincrement_without_sequence = property(
        lambda self: _no(SERVER("ClickHouse has no auto-increment columns"))
    )
    emulated_lastrowid = dbapi_lastrowid = identity_columns = property(
        lambda self: _no(SERVER("ClickHouse has no auto-increment columns"))
    )
    empty_inserts = empty_inserts_executemany = property(
        lambda self: _no(SERVER("ClickHouse has no INSERT ... DEFAULT VALUES"))
    )
    ctes_on_dml = ctes_with_update_delete = update_from = delete_from = property(
        lambda self: _no(_APPEND_ONLY)
    )
    update_where_target_in_subquery = property(lambda self: _no(_APPEND_ONLY))
    # -- transactions -------------------------------------------------------------------------
    savepoints = two_phase_transactions = independent_connections = property(
        lambda self: _no(_NO_TRANSACTIONS)
    )
    # -- types ---------------------------------------------------------------------------------
    json_type = property(lambda self: _no(SERVER("no JSON type before 22.x; 26.x's differs")))
    time = time_microseconds = time_timezone = time_implicit_bound = property(
        lambda self: _no(SERVER("ClickHouse has no TIME type before 25.x"))
    )
    datetime_microseconds = timestamp_microseconds = property(
        lambda self: _no(SERVER("DateTime (what DateTime columns compile to) has whole seconds"))
    )
    timestamp_microseconds_implicit_bound = datetime_timezone = property(
        lambda self: _no(SERVER("DateTime has whole seconds and one zone per column"))
    )
    date_historic = datetime_historic = datetime_timezone_historic = property(
        lambda self: _no(SERVER("Date and DateTime start in 1970"))
    )
    datetime_interval = property(lambda self: _no(SERVER("no INTERVAL column type")))
    # -- reflection ------------------------------------------------------------------------------
    comment_reflection = comment_reflection_full_unicode = property(
        lambda self: _no(DRIVER("the dialect does not reflect comments yet"))
    )
    temp_table_reflection = temp_table_names = has_temp_table = property(
        lambda self: _no(SERVER("temporary tables live outside any database"))
    )
    temp_table_reflect_indexes = temp_table_comment_reflection = property(
        lambda self: _no(SERVER("temporary tables live outside any database"))
    )
    materialized_views = materialized_views_reflect_pk = property(
        lambda self: _no(SERVER("a ClickHouse materialized view is an insert trigger, not a view"))
    )
    reflect_tables_no_columns = property(
        lambda self: _no(SERVER("a ClickHouse table has at least one column"))
    )
    reflect_table_options = property(
        lambda self: _no(SERVER("the suite's table options are MySQL's and Oracle's"))
    )
    autocommit = property(lambda self: _no(_NO_TRANSACTIONS))
    order_by_collation = property(lambda self: _no(SERVER("no COLLATE clause in ClickHouse SQL")))
    supports_bitwise_and = supports_bitwise_or = supports_bitwise_xor = property(
        lambda self: _no(SERVER("bitwise operators are functions in ClickHouse: bitAnd(a, b)"))
    )
    supports_bitwise_not = supports_bitwise_shift = property(
        lambda self: _no(SERVER("bitwise operators are functions in ClickHouse: bitNot(a)"))
    )
    # -- SQL the 18.16 server lacks ------------------------------------------------------------
    ctes = ctes_with_values = property(
        lambda self: _no_before_20(SERVER("CTE subqueries came in ClickHouse 20.x"))
    )
    window_functions = window_range = window_range_numeric = property(
        lambda self: _no_before_20(SERVER("window functions came in ClickHouse 21.x"))
    )
    window_range_non_numeric = property(
        lambda self: _no_before_20(SERVER("window functions came in ClickHouse 21.x"))
    )


__all__ = ["ClickHouseRequirements", "exclusions"]
