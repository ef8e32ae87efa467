"""TiDB-specific decisions on recorded server output (no TiDB server runs here).

The ``SHOW CREATE TABLE`` texts are in the form TiDB prints and its documentation shows
(``/*T![feature] ... */`` comments); the ``SHOW GRANTS`` lines in the forms TiDB, MySQL,
MariaDB and OceanBase print. The same code runs against real MariaDB and seekdb servers in
``tests/integration/test_tidb_guard.py`` and ``test_oceanbase.py``.
"""

from __future__ import annotations

import warnings

import pytest

from sqlgate.core.errors import NotSupportedError
from sqlgate.dbapi import tidb
from sqlgate.dbapi.mysql_grants import privileges_in_rows, write_privileges
from sqlgate.dbapi.tidb_session import is_stale_read, to_sqlgate, to_tidb
from sqlgate.dialects.mysql_reflection import clean_show_create, details_of
from sqlgate.dialects.tidb import TiDBDialect

# as TiDB's documentation shows them (auto-random, clustered-indexes, shard-row-id-bits pages)
AUTO_RANDOM_TABLE = """CREATE TABLE `t` (
  `a` bigint NOT NULL /*T![auto_rand] AUTO_RANDOM(5) */,
  `b` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`a`) /*T![clustered_index] CLUSTERED */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin /*T! PRE_SPLIT_REGIONS=2 */"""
RANGE_BITS_TABLE = """CREATE TABLE `calendar` (
  `id` bigint NOT NULL /*T![auto_rand] AUTO_RANDOM(5, 54) */ COMMENT '主键',
  `user_id` varchar(64) NOT NULL COMMENT '用户id',
  PRIMARY KEY (`id`) /*T![clustered_index] CLUSTERED */,
  UNIQUE KEY `uk_user` (`user_id`),
  KEY `idx_user` (`user_id`(10))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin """ + (
    "/*T![auto_rand_base] AUTO_RANDOM_BASE=39456621 */"
)
NONCLUSTERED_TABLE = """CREATE TABLE `t2` (
  `a` bigint(20) NOT NULL,
  `b` varchar(255) NOT NULL,
  PRIMARY KEY (`a`,`b`) /*T![clustered_index] NONCLUSTERED */
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin """ + (
    "/*T! SHARD_ROW_ID_BITS=4 PRE_SPLIT_REGIONS=3 */"
)


def _columns(key: dict) -> list[tuple[str, int | None]]:
    """(name, prefix length) of a parsed key; the third item differs across SQLAlchemy versions."""
    return [(c[0], c[1]) for c in key["columns"]]


def _parse(text: str):
    dialect = TiDBDialect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unread line would drop a key with a warning
        return dialect._tabledef_parser.parse(text, "utf8mb4")


def test_auto_random_and_clustered_primary_key_are_read() -> None:
    state = _parse(AUTO_RANDOM_TABLE)
    assert [c["name"] for c in state.columns] == ["a", "b"]
    assert [k["type"] for k in state.keys] == ["PRIMARY"]
    assert _columns(state.keys[0]) == [("a", None)]
    details = details_of(state)
    assert details.auto_random == {"a": (5, None)}
    assert details.clustered is True
    assert state.table_options["tidb_primary_key"] == "CLUSTERED"
    assert state.table_options["tidb_pre_split_regions"] == "2"


def test_range_bits_comments_and_secondary_keys_survive() -> None:
    state = _parse(RANGE_BITS_TABLE)
    assert details_of(state).auto_random == {"id": (5, 54)}
    id_column = next(c for c in state.columns if c["name"] == "id")
    assert id_column["comment"] == "主键"  # the comment after the T! comment is kept
    keys = {k["name"]: k for k in state.keys}
    assert keys[None]["type"] == "PRIMARY"
    assert keys["uk_user"]["type"] == "UNIQUE"
    assert _columns(keys["idx_user"]) == [("user_id", 10)]
    assert state.table_options["tidb_auto_random_base"] == "39456621"


def test_nonclustered_composite_primary_key_and_shard_options() -> None:
    state = _parse(NONCLUSTERED_TABLE)
    assert _columns(state.keys[0]) == [("a", None), ("b", None)]
    assert details_of(state).clustered is False
    assert state.table_options["tidb_shard_row_id_bits"] == "4"
    assert state.table_options["tidb_pre_split_regions"] == "3"


def test_plain_mysql_text_is_left_untouched() -> None:
    text = "CREATE TABLE `x` (\n  `a` int NOT NULL,\n  PRIMARY KEY (`a`)\n) ENGINE=InnoDB"
    cleaned, details = clean_show_create(text)
    assert cleaned == text and details.auto_random == {} and details.clustered is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["GRANT USAGE ON *.* TO 'ro'@'%'", "GRANT SELECT ON `shop`.* TO 'ro'@'%'"], []),
        (["GRANT SELECT, SHOW VIEW ON `shop`.* TO `ro`@`%`"], []),
        (["GRANT SELECT (`a`, `b`) ON `shop`.`t` TO 'ro'@'%'"], []),
        (
            ["GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION"],
            ["ALL PRIVILEGES, GRANT OPTION ON *.*"],
        ),
        (["GRANT SELECT, INSERT, UPDATE ON `shop`.* TO 'app'@'%'"], ["INSERT, UPDATE ON `shop`.*"]),
        (["GRANT SELECT ON *.* TO 'u'@'%' WITH GRANT OPTION"], ["GRANT OPTION ON *.*"]),
        (["GRANT 'app_write'@'%' TO 'u'@'%'"], ["role 'app_write'@'%'"]),  # TiDB / MySQL 8 roles
        (["GRANT BACKUP_ADMIN ON *.* TO 'u'@'%'"], ["BACKUP_ADMIN ON *.*"]),  # dynamic privilege
        (["GRANT EXECUTE ON PROCEDURE `shop`.`p` TO 'u'@'%'"], ["EXECUTE ON PROCEDURE `shop`.`p`"]),
    ],
)
def test_write_privileges_from_show_grants(lines: list[str], expected: list[str]) -> None:
    assert write_privileges(lines) == expected


def test_tidb_sends_no_session_guard_and_watches_its_read_only_switches() -> None:
    """TiDB answers SET SESSION TRANSACTION READ ONLY with error 1235 (or ignores it with
    tidb_enable_noop_functions=ON): the flavor must never send it."""
    assert tidb.flavor.guard_statement is None
    assert tidb.flavor.read_only_variables == ("tidb_super_read_only", "tidb_restricted_read_only")


@pytest.mark.parametrize(
    ("sqlgate_sql", "tidb_sql"),
    [
        (
            "SELECT * FROM t FOR TIMESTAMP AS OF '2026-01-01 10:00:00' WHERE id = 1",
            "SELECT * FROM t AS OF TIMESTAMP '2026-01-01 10:00:00' WHERE id = 1",
        ),
        (
            "SELECT * FROM t FOR SYSTEM_TIME AS OF %s",
            "SELECT * FROM t AS OF TIMESTAMP %s",
        ),
        (
            "SELECT * FROM t for timestamp as of NOW() - INTERVAL 5 SECOND",
            "SELECT * FROM t AS OF TIMESTAMP NOW() - INTERVAL 5 SECOND",
        ),
    ],
)
def test_time_travel_is_spelled_the_tidb_way(sqlgate_sql: str, tidb_sql: str) -> None:
    assert to_tidb(sqlgate_sql) == tidb_sql


def test_time_travel_words_inside_literals_and_comments_stay() -> None:
    sql = "SELECT 'FOR TIMESTAMP AS OF x' /* FOR TIMESTAMP AS OF y */ FROM t"
    assert to_tidb(sql) == sql
    assert to_sqlgate("SELECT 'AS OF TIMESTAMP' FROM t") == "SELECT 'AS OF TIMESTAMP' FROM t"


def test_tidb_spelling_is_shown_to_the_gate_in_sqlgate_form() -> None:
    native = "SELECT * FROM t AS OF TIMESTAMP '2026-01-01 10:00:00'"
    assert to_sqlgate(native) == "SELECT * FROM t FOR TIMESTAMP AS OF '2026-01-01 10:00:00'"
    assert to_tidb(to_sqlgate(native)) == native


def test_stale_reads_are_told_from_look_alikes() -> None:
    """Before a stale read the session ends the implicit transaction TiDB refuses it in
    (tests/integration/test_tidb_server.py shows the 8135 on a real server)."""
    assert is_stale_read("SELECT * FROM t AS OF TIMESTAMP %s")
    assert is_stale_read(to_tidb("SELECT * FROM t for system_time as of NOW() - INTERVAL 1 SECOND"))
    assert not is_stale_read("SELECT 'AS OF TIMESTAMP' FROM t /* AS OF TIMESTAMP */")
    assert not is_stale_read("SELECT * FROM t")


def test_version_travel_is_refused_on_tidb() -> None:
    with pytest.raises(NotSupportedError, match="FOR TIMESTAMP AS OF"):
        to_tidb("SELECT * FROM t FOR VERSION AS OF 3")


def test_show_grants_rows_of_other_mysql_family_engines() -> None:
    """StarRocks puts the GRANT statement after the user and catalog columns; Doris lists
    privilege names, which sqlgate cannot judge: unknown counts as able to write."""
    starrocks = [
        ("'jack'@'%'", "default_catalog", "GRANT SELECT ON TABLE db1.tbl1 TO USER 'jack'@'%'"),
        ("'jack'@'%'", None, "GRANT 'public' TO USER 'jack'@'%'"),
    ]
    assert privileges_in_rows(starrocks) == ["role 'public'"]
    doris = [("'jack'@'%'", "No", "Select_priv,Load_priv", None, None, None, None)]
    assert privileges_in_rows(doris)[0].startswith("unknown")
    assert privileges_in_rows([("GRANT USAGE ON *.* TO 'ro'@'%'",)]) == []
