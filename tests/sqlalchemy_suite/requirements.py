"""What sqlgate's family dialects support, for SQLAlchemy's dialect compliance suite.

``SuiteRequirements`` closes nearly every optional feature; a third-party dialect opens what it
supports. Both family dialects are SQLAlchemy's own ``PGDialect`` / ``MySQLDialect`` over
sqlgate's DB-API, so a feature is opened when the server supports it and SQLAlchemy's dialect
implements it (the judgement SQLAlchemy's own ``test/requirements.py`` makes for PostgreSQL and
MySQL/MariaDB): whatever sqlgate's DB-API then gets wrong shows up as a failure instead of
hiding behind a closed requirement. Every closure carries a reason (see ``_unsupported.py``
for the categories), shown by ``pytest -rs``.

Works on SQLAlchemy 1.4, 2.0 and 2.1: properties an installed version does not know are unused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy
from sqlalchemy.testing import exclusions
from sqlalchemy.testing.exclusions import against, skip_if
from sqlalchemy.testing.requirements import SuiteRequirements

from tests.sqlalchemy_suite._unsupported import MYSQL, PG, SkipReason

SQLALCHEMY_VERSION = tuple(int(part) for part in sqlalchemy.__version__.split(".")[:2])
SERVER, SUITE, DRIVER = SkipReason.SERVER, SkipReason.SUITE, SkipReason.DRIVER

Check = Callable[[Any], bool]


def _is_mariadb(config: Any) -> bool:
    return against(config, MYSQL) and bool(getattr(config.db.dialect, "_is_mariadb", False))


def _mariadb_before(*version: int) -> Check:
    def check(config: Any) -> bool:
        info = getattr(config.db.dialect, "_mariadb_normalized_version_info", None) or ()
        return _is_mariadb(config) and tuple(info) < version

    return check


def _mysql_before(*version: int) -> Check:
    """Oracle MySQL (not MariaDB) below ``version``."""

    def check(config: Any) -> bool:
        if not against(config, MYSQL) or _is_mariadb(config):
            return False
        return tuple(config.db.dialect.server_version_info or ()) < version

    return check


def _oracle_mysql(config: Any) -> bool:
    return against(config, MYSQL) and not _is_mariadb(config)


def _sqlalchemy_before(*version: int) -> Check:
    return lambda config: version > SQLALCHEMY_VERSION


def _both() -> Any:
    return exclusions.open()


def _not_mysql(reason: str) -> Any:
    """Open on PostgreSQL, skipped on MySQL/MariaDB for ``reason``."""
    return skip_if(MYSQL, reason)


def _not_pg(reason: str) -> Any:
    """Open on MySQL/MariaDB, skipped on PostgreSQL for ``reason``."""
    return skip_if(PG, reason)


class Requirements(SuiteRequirements):
    # -- DDL ---------------------------------------------------------------------------------
    @property
    def create_table_as(self) -> Any:
        return _both()

    @property
    def create_temp_table_as(self) -> Any:
        return _both()

    @property
    def table_ddl_if_exists(self) -> Any:
        return _both()

    @property
    def index_ddl_if_exists(self) -> Any:
        return skip_if(_oracle_mysql, SERVER("MySQL has no CREATE INDEX IF NOT EXISTS"))

    @property
    def schema_create_delete(self) -> Any:
        return _both()

    @property
    def create_or_replace_view(self) -> Any:
        return _both()

    @property
    def views(self) -> Any:
        return _both()

    @property
    def temporary_views(self) -> Any:
        return self.temp_table_names

    @property
    def materialized_views(self) -> Any:
        return _not_mysql(SERVER("MySQL has no materialized views"))

    @property
    def server_defaults(self) -> Any:
        return _both()

    @property
    def expression_server_defaults(self) -> Any:
        return skip_if(_mysql_before(8), SERVER("MySQL < 8 has no expression defaults"))

    @property
    def computed_columns(self) -> Any:
        return _both()

    @property
    def computed_columns_stored(self) -> Any:
        return self.computed_columns

    @property
    def computed_columns_virtual(self) -> Any:
        return _not_pg(SERVER("PostgreSQL < 18 has STORED generated columns only"))

    @property
    def computed_columns_default_persisted(self) -> Any:
        return _not_mysql(SERVER("MySQL's generated columns default to VIRTUAL"))

    @property
    def computed_columns_reflect_persisted(self) -> Any:
        return self.computed_columns

    @property
    def identity_columns(self) -> Any:
        return _not_mysql(SERVER("MySQL has no GENERATED AS IDENTITY"))

    @property
    def identity_columns_standard(self) -> Any:
        return self.identity_columns

    @property
    def uuid_data_type(self) -> Any:
        return _both()

    @property
    def array_type(self) -> Any:
        return _not_mysql(SERVER("MySQL has no ARRAY type"))

    @property
    def json_type(self) -> Any:
        return _both()

    @property
    def reflect_tables_no_columns(self) -> Any:
        return _not_mysql(SERVER("MySQL cannot create a table without columns"))

    # -- reflection ----------------------------------------------------------------------------
    @property
    def cross_schema_fk_reflection(self) -> Any:
        return _both()

    @property
    def foreign_key_constraint_name_reflection(self) -> Any:
        return skip_if(
            [_mariadb_before(10, 5), _mysql_before(8)],
            SERVER("MySQL < 8 / MariaDB < 10.5 do not keep foreign key names"),
        )

    @property
    def implicit_default_schema(self) -> Any:
        return _not_mysql(SERVER("MySQL has no default schema apart from the database"))

    @property
    def default_schema_name_switch(self) -> Any:
        return _not_mysql(SERVER("MySQL has no search_path to switch"))

    @property
    def reflects_pk_names(self) -> Any:
        return _not_mysql(SERVER("MySQL names every primary key PRIMARY"))

    @property
    def comment_reflection(self) -> Any:
        return _both()

    @property
    def comment_reflection_full_unicode(self) -> Any:
        return _not_mysql(SERVER("MariaDB stores comments as utf8mb3: astral characters -> '?'"))

    @property
    def constraint_comment_reflection(self) -> Any:
        return _not_mysql(SERVER("MySQL has no comments on constraints"))

    @property
    def column_collation_reflection(self) -> Any:
        return _not_mysql(SUITE("its table has a String() without length, invalid on MySQL"))

    @property
    def foreign_keys_reflect_as_index(self) -> Any:
        return _not_pg(SERVER("only InnoDB backs every foreign key with an index"))

    @property
    def unique_constraints_reflect_as_index(self) -> Any:
        return _both()

    @property
    def unique_index_reflect_as_unique_constraints(self) -> Any:
        return _not_pg(SERVER("PostgreSQL keeps unique indexes and constraints apart"))

    @property
    def foreign_key_constraint_option_reflection_ondelete(self) -> Any:
        return _both()

    @property
    def fk_constraint_option_reflection_ondelete_restrict(self) -> Any:
        return skip_if(
            [_is_mariadb, _mysql_before(8)],
            SERVER("MariaDB / MySQL < 8 reflect RESTRICT as no option"),
        )

    @property
    def fk_constraint_option_reflection_ondelete_noaction(self) -> Any:
        return _both()

    @property
    def foreign_key_constraint_option_reflection_onupdate(self) -> Any:
        return _both()

    @property
    def fk_constraint_option_reflection_onupdate_restrict(self) -> Any:
        return self.fk_constraint_option_reflection_ondelete_restrict

    @property
    def temp_table_names(self) -> Any:
        return skip_if(
            [MYSQL, _sqlalchemy_before(2, 0)],
            SUITE("get_temp_table_names: MySQL dialect lacks it; PGDialect from SQLAlchemy 2.0"),
        )

    @property
    def has_temp_table(self) -> Any:
        return skip_if(
            lambda config: against(config, MYSQL) and SQLALCHEMY_VERSION < (2, 0),
            SUITE("SQLAlchemy 1.4's MySQL has_table() does not see temporary tables"),
        )

    @property
    def temp_table_comment_reflection(self) -> Any:
        return _both()

    @property
    def index_reflects_included_columns(self) -> Any:
        return _not_mysql(SERVER("MySQL has no INCLUDE columns in indexes"))

    @property
    def indexes_with_expressions(self) -> Any:
        return skip_if(
            [_is_mariadb, _mysql_before(8, 0, 13)],
            SERVER("MariaDB and MySQL < 8.0.13 have no functional indexes"),
        )

    @property
    def reflect_indexes_with_expressions(self) -> Any:
        return _both()

    @property
    def indexes_check_column_order(self) -> Any:
        return _both()

    @property
    def inline_check_constraint_reflection(self) -> Any:
        return _not_mysql(SUITE("its inline-CHECK DDL is a syntax error on MariaDB"))

    @property
    def check_constraint_reflection(self) -> Any:
        return skip_if(_mysql_before(8, 0, 16), SERVER("MySQL < 8.0.16 ignores CHECK"))

    @property
    def reflect_table_options(self) -> Any:
        return skip_if(
            lambda config: against(config, PG) and SQLALCHEMY_VERSION < (2, 1),
            SUITE("PGDialect.get_table_options exists from SQLAlchemy 2.1"),
        )

    # -- SQL constructs ---------------------------------------------------------------------------
    @property
    def table_value_constructor(self) -> Any:
        return _not_mysql(SERVER("MariaDB's VALUES takes no column-alias list"))

    @property
    def boolean_col_expressions(self) -> Any:
        return _both()

    @property
    def nullsordering(self) -> Any:
        return _not_mysql(SERVER("MySQL has no NULLS FIRST / NULLS LAST"))

    @property
    def intersect(self) -> Any:
        return skip_if(
            [_mariadb_before(10, 3), _mysql_before(8, 0, 31)],
            SERVER("INTERSECT / EXCEPT need MariaDB 10.3 / MySQL 8.0.31"),
        )

    @property
    def except_(self) -> Any:
        return self.intersect

    @property
    def window_functions(self) -> Any:
        return skip_if(
            [_mariadb_before(10, 2), _mysql_before(8)],
            SERVER("window functions need MariaDB 10.2 / MySQL 8"),
        )

    @property
    def window_range(self) -> Any:
        return self.window_functions

    @property
    def window_range_numeric(self) -> Any:
        return self.window_functions

    @property
    def window_range_non_numeric(self) -> Any:
        return self.window_functions + skip_if(
            _is_mariadb, SERVER("MariaDB has no RANGE frames over dates")
        )

    @property
    def ctes(self) -> Any:
        return self.window_functions

    @property
    def ctes_with_update_delete(self) -> Any:
        return _not_mysql(SERVER("MySQL's UPDATE/DELETE cannot use a CTE that way"))

    @property
    def ctes_with_values(self) -> Any:
        return _not_mysql(SERVER("MySQL has no VALUES inside WITH"))

    @property
    def ctes_on_dml(self) -> Any:
        return _not_mysql(SERVER("MySQL has no INSERT/UPDATE/DELETE inside WITH"))

    @property
    def tuple_in(self) -> Any:
        return _both()

    @property
    def update_from(self) -> Any:
        return _both()

    @property
    def delete_from(self) -> Any:
        return _both()

    @property
    def mod_operator_as_percent_sign(self) -> Any:
        return _both()

    @property
    def percent_schema_names(self) -> Any:
        return _both()

    @property
    def order_by_label_with_expression(self) -> Any:
        return _not_pg(SERVER("PostgreSQL orders by simple labels only"))

    @property
    def supports_distinct_on(self) -> Any:
        return _not_mysql(SERVER("MySQL has no DISTINCT ON"))

    @property
    def regexp_match(self) -> Any:
        return _both()

    @property
    def regexp_replace(self) -> Any:
        return _both()

    @property
    def fetch_first(self) -> Any:
        return _not_mysql(SERVER("MySQL has no FETCH FIRST"))

    @property
    def fetch_ties(self) -> Any:
        return self.fetch_first

    @property
    def fetch_no_order_by(self) -> Any:
        return self.fetch_first

    @property
    def fetch_offset_with_options(self) -> Any:
        return self.fetch_first

    @property
    def fetch_expression(self) -> Any:
        return self.fetch_first

    @property
    def sql_expression_limit_offset(self) -> Any:
        return _not_mysql(SERVER("MySQL's LIMIT/OFFSET take literals or placeholders only"))

    @property
    def aggregate_order_by(self) -> Any:
        return _both()

    @property
    def supports_bitwise_or(self) -> Any:
        return _both()

    @property
    def supports_bitwise_and(self) -> Any:
        return _both()

    @property
    def supports_bitwise_not(self) -> Any:
        return _not_mysql(SERVER("MySQL's ~ yields BIGINT UNSIGNED, never negative"))

    @property
    def supports_bitwise_xor(self) -> Any:
        return _both()

    @property
    def supports_bitwise_shift(self) -> Any:
        return _both()

    def get_order_by_collation(self, config: Any) -> str:
        return "POSIX" if against(config, PG) else "utf8mb4_bin"

    # -- types ------------------------------------------------------------------------------------
    @property
    def unbounded_varchar(self) -> Any:
        return _not_mysql(SERVER("MySQL's VARCHAR needs a length"))

    @property
    def unicode_ddl(self) -> Any:
        return _both()

    @property
    def datetime_interval(self) -> Any:
        return _not_mysql(SERVER("MySQL has no INTERVAL type"))

    @property
    def datetime_timezone(self) -> Any:
        return _not_mysql(SERVER("MySQL has no time zone-aware DATETIME"))

    @property
    def time_timezone(self) -> Any:
        return _not_mysql(SERVER("MySQL has no time zone-aware TIME"))

    @property
    def nvarchar_types(self) -> Any:
        return _not_pg(SERVER("PostgreSQL has no NVARCHAR"))

    @property
    def datetime_literals(self) -> Any:
        return skip_if(
            _sqlalchemy_before(2, 0), SUITE("SQLAlchemy 1.4 renders no date/time literals")
        )

    @property
    def datetime_historic(self) -> Any:
        return _both()

    @property
    def date_historic(self) -> Any:
        return self.datetime_historic

    @property
    def datetime_timezone_historic(self) -> Any:
        return self.datetime_timezone

    # pymysql renders a date/time parameter as a quoted string, so SELECT %s comes back as text
    @property
    def date_implicit_bound(self) -> Any:
        return _not_mysql(SUITE("a bare date parameter reaches MySQL as text (pymysql too)"))

    @property
    def time_implicit_bound(self) -> Any:
        return self.date_implicit_bound

    @property
    def datetime_implicit_bound(self) -> Any:
        return self.date_implicit_bound

    @property
    def datetime_microseconds(self) -> Any:
        return _not_mysql(SERVER("DATETIME/TIME without fsp drop microseconds"))

    @property
    def timestamp_microseconds(self) -> Any:
        return _not_mysql(SERVER("TIMESTAMP without fsp drops microseconds"))

    @property
    def time_microseconds(self) -> Any:
        return self.datetime_microseconds

    @property
    def precision_numerics_enotation_small(self) -> Any:
        return _both()

    @property
    def precision_numerics_many_significant_digits(self) -> Any:
        return _both()

    @property
    def precision_numerics_retains_significant_digits(self) -> Any:
        return _both()

    @property
    def precision_generic_float_type(self) -> Any:
        return _not_mysql(SERVER("MySQL's FLOAT is single precision"))

    @property
    def infinity_floats(self) -> Any:
        return _not_mysql(SERVER("MySQL cannot store infinity"))

    @property
    def float_or_double_precision_behaves_generically(self) -> Any:
        return _not_mysql(SERVER("MySQL's FLOAT(p) needs a scale as well"))

    @property
    def legacy_unconditional_json_extract(self) -> Any:
        return _both()

    # -- transactions ---------------------------------------------------------------------------
    @property
    def isolation_level(self) -> Any:
        return _both()

    @property
    def autocommit(self) -> Any:
        return self.isolation_level

    def get_isolation_levels(self, config: Any) -> dict[str, Any] | None:
        levels = super().get_isolation_levels(config)
        if levels is None:  # SQLAlchemy 1.4 leaves this to each dialect's requirements
            dialect = config.db.dialect
            levels = {
                "default": dialect.default_isolation_level,
                # sqlgate's connection sets AUTOCOMMIT through the driver
                "supported": sorted({*dialect._isolation_lookup, "AUTOCOMMIT"}),
            }
        return levels

    @property
    def savepoints(self) -> Any:
        return _both()

    @property
    def deferrable_fks(self) -> Any:
        return _not_mysql(SERVER("MySQL has no DEFERRABLE constraints"))

    @property
    def two_phase_transactions(self) -> Any:
        return exclusions.closed(DRIVER("sqlgate's connection has no tpc_* methods"))

    # -- driver behaviour -----------------------------------------------------------------------
    @property
    def emulated_lastrowid(self) -> Any:
        return _not_pg(SERVER("PostgreSQL has no lastrowid; the dialect uses RETURNING"))

    @property
    def dbapi_lastrowid(self) -> Any:
        return self.emulated_lastrowid

    @property
    def json_deserializer_binary(self) -> Any:
        return exclusions.closed(DRIVER("psycopg and pymysql do not hand JSON over as bytes"))

    @property
    def async_dialect(self) -> Any:
        return exclusions.closed(DRIVER("sqlgate is a synchronous PEP 249 driver"))
