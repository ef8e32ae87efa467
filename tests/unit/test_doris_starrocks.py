"""Doris and StarRocks decisions on recorded output (no server of either runs here).

``SHOW CREATE TABLE`` texts are in the form the products print them, built from the tables
their documentation creates; ``SHOW GRANTS`` rows and columns as their SHOW GRANTS pages show:

* Doris data models: https://doris.apache.org/docs/table-design/data-model/aggregate
  and .../unique, auto partition: https://doris.apache.org/docs/table-design/data-partitioning/auto-partitioning
  complex types: https://doris.apache.org/docs/sql-manual/basic-element/sql-data-types/semi-structured/ARRAY
  (MAP, STRUCT, VARIANT pages alike), SHOW GRANTS: https://doris.apache.org/docs/sql-manual/sql-statements/account-management/SHOW-GRANTS
* StarRocks table types: https://docs.starrocks.io/docs/table_design/table_types/primary_key_table/
  expression partitioning: https://docs.starrocks.io/docs/table_design/expression_partitioning/
  SHOW GRANTS: https://docs.starrocks.io/docs/sql-reference/sql-statements/account-management/SHOW_GRANTS/

The statement flow that does not need Doris' own answers (catalog switching, reflection of
plain tables) runs on MariaDB in ``tests/integration/test_doris_starrocks_mariadb.py``.
"""

from __future__ import annotations

import warnings

import pyarrow as pa
import pytest
from sqlalchemy import types as sat

from sqlgate.core.errors import InterfaceError, ReadOnlyError
from sqlgate.core.readonly import gate_for
from sqlgate.dbapi import doris, starrocks
from sqlgate.dbapi.doris_family import OLAP_TYPES, olap_type_text, split_catalog
from sqlgate.dbapi.mysql_grants import privileges_in_rows, write_privileges
from sqlgate.dialects.doris import DorisDialect
from sqlgate.dialects.doris_reflection import olap_table_of
from sqlgate.dialects.starrocks import StarRocksDialect

DORIS_AGGREGATE = """CREATE TABLE `example_tbl_agg1` (
  `user_id` largeint NOT NULL COMMENT "用户id",
  `date` date NOT NULL COMMENT "数据灌入日期时间",
  `city` varchar(20) NULL COMMENT "用户所在城市",
  `age` smallint NULL COMMENT "用户年龄",
  `sex` tinyint NULL COMMENT "用户性别",
  `last_visit_date` datetime REPLACE NULL DEFAULT "1970-01-01 00:00:00" COMMENT "最后访问时间",
  `cost` bigint SUM NULL DEFAULT "0" COMMENT "用户总消费",
  `max_dwell_time` int MAX NULL DEFAULT "0" COMMENT "用户最大停留时间",
  `min_dwell_time` int MIN NULL DEFAULT "99999" COMMENT "用户最小停留时间",
  `uv` hll HLL_UNION NOT NULL COMMENT "",
  `users` bitmap BITMAP_UNION NOT NULL COMMENT ""
) ENGINE=OLAP
AGGREGATE KEY(`user_id`, `date`, `city`, `age`, `sex`)
COMMENT 'OLAP'
PARTITION BY RANGE(`date`)
(PARTITION p201701 VALUES [('0000-01-01'), ('2017-02-01')),
PARTITION p201702 VALUES [('2017-02-01'), ('2017-03-01')))
DISTRIBUTED BY HASH(`user_id`) BUCKETS 16
PROPERTIES (
"replication_allocation" = "tag.location.default: 1",
"in_memory" = "false",
"storage_format" = "V2"
);"""

DORIS_COMPLEX = """CREATE TABLE `semi` (
  `id` int NOT NULL,
  `tags` array<varchar(20)> NULL,
  `scores` map<varchar(10),array<decimalv3(10, 2)>> NULL,
  `person` struct<name:varchar(20),age:int,born:datetimev2(3)> NULL,
  `doc` json NULL,
  `v` variant NULL,
  `big` array<largeint> NULL
) ENGINE=OLAP
UNIQUE KEY(`id`)
COMMENT "semi-structured"
AUTO PARTITION BY LIST (`id`)
()
DISTRIBUTED BY RANDOM BUCKETS AUTO
PROPERTIES (
"replication_allocation" = "tag.location.default: 3",
"enable_unique_key_merge_on_write" = "true"
);"""

DORIS_AUTO_RANGE = """CREATE TABLE `date_table` (
  `TIME_STAMP` datev2 NOT NULL COMMENT "采集日期"
) ENGINE=OLAP
DUPLICATE KEY(`TIME_STAMP`)
AUTO PARTITION BY RANGE (date_trunc(`TIME_STAMP`, 'month'))
(PARTITION p20221201000000 VALUES [('2022-12-01'), ('2023-01-01')))
DISTRIBUTED BY HASH(`TIME_STAMP`) BUCKETS 10
PROPERTIES (
"replication_allocation" = "tag.location.default: 1"
);"""

STARROCKS_PRIMARY = """CREATE TABLE `orders` (
  `order_id` bigint(20) NOT NULL COMMENT "",
  `dt` date NOT NULL COMMENT "",
  `merchant_id` int(11) NOT NULL COMMENT "",
  `user_id` int(11) NOT NULL COMMENT "",
  `good_id` int(11) NOT NULL COMMENT "",
  `good_name` varchar(65533) NOT NULL COMMENT "",
  `price` int(11) NOT NULL COMMENT "",
  `cnt` int(11) NOT NULL COMMENT "",
  `revenue` int(11) NOT NULL COMMENT "",
  `state` tinyint(4) NOT NULL COMMENT ""
) ENGINE=OLAP
PRIMARY KEY(`order_id`, `dt`, `merchant_id`)
COMMENT "OLAP"
PARTITION BY date_trunc('day', dt)
DISTRIBUTED BY HASH(`merchant_id`)
ORDER BY(`dt`, `merchant_id`)
PROPERTIES (
"replication_num" = "3",
"in_memory" = "false",
"enable_persistent_index" = "true",
"compression" = "LZ4"
);"""

STARROCKS_LIST = """CREATE TABLE `t_recharge_detail1` (
  `id` bigint(20) NOT NULL COMMENT "",
  `user_id` bigint(20) NOT NULL COMMENT "",
  `recharge_money` decimal(32, 2) NOT NULL COMMENT "",
  `city` varchar(20) NOT NULL COMMENT "",
  `dt` varchar(20) NOT NULL COMMENT ""
) ENGINE=OLAP
DUPLICATE KEY(`id`)
COMMENT "OLAP"
PARTITION BY LIST(`city`)
(PARTITION pLos_Angeles VALUES IN ("Los Angeles"),
PARTITION pSan_Francisco VALUES IN ("San Francisco", "San Jose"))
DISTRIBUTED BY HASH(`id`) BUCKETS 8
PROPERTIES (
"replication_num" = "3"
);"""


def _parse(dialect_class: type, text: str):
    dialect = dialect_class()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SQLAlchemy drops a line it cannot read, warning
        return dialect._tabledef_parser.parse(text, "utf8mb4")


def test_doris_aggregate_model_keys_partitions_and_distribution() -> None:
    state = _parse(DorisDialect, DORIS_AGGREGATE)
    olap = olap_table_of(state)
    assert [c["name"] for c in state.columns][:3] == ["user_id", "date", "city"]
    assert len(state.columns) == 11  # no column line was dropped
    assert olap.key_model == "AGGREGATE"
    assert olap.key_columns == ["user_id", "date", "city", "age", "sex"]
    assert olap.aggregations == {
        "last_visit_date": "REPLACE", "cost": "SUM", "max_dwell_time": "MAX",
        "min_dwell_time": "MIN", "uv": "HLL_UNION", "users": "BITMAP_UNION",
    }  # fmt: skip
    assert (olap.partition_method, olap.partition_expression) == ("RANGE", "`date`")
    assert olap.partitions == [
        ("p201701", "[('0000-01-01'), ('2017-02-01'))"),
        ("p201702", "[('2017-02-01'), ('2017-03-01'))"),
    ]
    assert (olap.distribution, olap.distribution_columns, olap.buckets) == (
        "HASH",
        ["user_id"],
        "16",
    )
    assert olap.properties["replication_allocation"] == "tag.location.default: 1"
    options = state.table_options
    assert options["mysql_engine"] == "OLAP"
    assert options["mysql_comment"] == "OLAP"
    assert options["mysql_doris_key_model"] == "AGGREGATE"
    assert options["mysql_doris_partition_by"] == "RANGE(`date`)"
    assert options["mysql_doris_partitions"] == "p201701,p201702"
    assert options["mysql_doris_property_storage_format"] == "V2"
    cost = next(c for c in state.columns if c["name"] == "cost")
    assert cost["default"] == "'0'" and cost["comment"] == "用户总消费"


def test_doris_complex_types_map_to_sqlalchemy_and_arrow() -> None:
    olap = olap_table_of(_parse(DorisDialect, DORIS_COMPLEX))
    assert olap.key_model == "UNIQUE" and olap.key_columns == ["id"]
    assert olap.comment == "semi-structured"
    assert (olap.auto_partition, olap.partition_method, olap.partitions) == (True, "LIST", [])
    assert (olap.distribution, olap.buckets) == ("RANDOM", "AUTO")
    declared = olap.column_types
    assert declared["scores"] == "map<varchar(10),array<decimalv3(10, 2)>>"

    def arrow(column: str) -> pa.DataType:
        return OLAP_TYPES.to_arrow(olap_type_text(declared[column]))

    assert arrow("tags") == pa.list_(pa.string())
    assert arrow("scores") == pa.map_(pa.string(), pa.list_(pa.decimal128(10, 2)))
    assert arrow("person") == pa.struct(
        [("name", pa.string()), ("age", pa.int32()), ("born", pa.timestamp("ms"))]
    )
    assert arrow("big") == pa.list_(pa.decimal128(38, 0))
    assert isinstance(OLAP_TYPES.to_sqlalchemy(olap_type_text(declared["tags"])), sat.ARRAY)
    assert isinstance(OLAP_TYPES.to_sqlalchemy("variant"), sat.JSON)
    assert isinstance(OLAP_TYPES.to_sqlalchemy("largeint"), sat.BigInteger)
    for opaque in ("hll", "bitmap", "quantile_state"):
        assert OLAP_TYPES.to_arrow(opaque) == pa.binary()


def test_doris_auto_range_partition_on_an_expression() -> None:
    olap = olap_table_of(_parse(DorisDialect, DORIS_AUTO_RANGE))
    assert olap.key_model == "DUPLICATE"
    assert olap.partition_by() == "AUTO RANGE(date_trunc(`TIME_STAMP`, 'month'))"
    assert [name for name, _ in olap.partitions] == ["p20221201000000"]


def test_starrocks_primary_key_expression_partition_and_sort_key() -> None:
    state = _parse(StarRocksDialect, STARROCKS_PRIMARY)
    olap = olap_table_of(state)
    assert olap.key_model == "PRIMARY"
    assert olap.key_columns == ["order_id", "dt", "merchant_id"]
    assert (olap.partition_method, olap.partition_expression) == (
        "EXPRESSION",
        "date_trunc('day', dt)",
    )
    assert olap.partition_by() == "(date_trunc('day', dt))"
    assert (olap.distribution, olap.buckets) == ("HASH", None)
    assert olap.order_by == ["dt", "merchant_id"]
    assert state.table_options["mysql_starrocks_order_by"] == "dt,merchant_id"
    assert state.table_options["mysql_starrocks_property_enable_persistent_index"] == "true"
    assert len(state.columns) == 10


def test_starrocks_list_partitions_keep_their_values() -> None:
    olap = olap_table_of(_parse(StarRocksDialect, STARROCKS_LIST))
    assert olap.partitions == [
        ("pLos_Angeles", 'IN ("Los Angeles")'),
        ("pSan_Francisco", 'IN ("San Francisco", "San Jose")'),
    ]


def test_plain_mysql_text_is_left_alone() -> None:
    text = "CREATE TABLE `t` (\n  `a` int(11) NOT NULL,\n  PRIMARY KEY (`a`)\n) ENGINE=InnoDB"
    state = _parse(DorisDialect, text)
    assert state.keys[0]["type"] == "PRIMARY"
    assert olap_table_of(state).key_model is None


# -- catalogs ------------------------------------------------------------------------------


def test_catalog_in_the_url_becomes_the_engines_switch() -> None:
    assert split_catalog("hive.sales") == ("hive", "sales")
    assert split_catalog("sales") == (None, "sales")
    assert doris.flavor.catalog_statements("hive.sales") == ["SWITCH `hive`", "USE `sales`"]
    assert starrocks.flavor.catalog_statements("iceberg.") == ["SET CATALOG `iceberg`"]
    assert doris.flavor.catalog_statements("sales") == []
    with pytest.raises(InterfaceError, match="catalog"):
        doris.flavor.catalog_statements("a`b.c")


# -- grants --------------------------------------------------------------------------------

DORIS_COLUMNS = [
    "UserIdentity", "Comment", "Password", "Roles", "GlobalPrivs", "CatalogPrivs",
    "DatabasePrivs", "TablePrivs", "ColPrivs", "ResourcePrivs", "WorkloadGroupPrivs",
]  # fmt: skip


def test_doris_read_only_user_passes() -> None:
    row = (
        "'reader'@'%'", "", "Yes", "", None, None,
        "internal.information_schema: Select_priv; internal.sales: Select_priv,Show_view_priv",
        "internal.sales.orders: Select_priv", "internal.sales.users: Select_priv[id,name]",
        None, "normal: Usage_priv",
    )  # fmt: skip
    assert privileges_in_rows([row], DORIS_COLUMNS) == []


def test_doris_writer_is_named_by_privilege_and_scope() -> None:
    row = (
        "'jack'@'%'", "", "No", "", "Select_priv,Load_priv  (false)", "hive: Select_priv",
        "internal.sales: Select_priv,Alter_priv,Drop_priv", None, None, None, None,
    )  # fmt: skip
    assert privileges_in_rows([row], DORIS_COLUMNS) == [
        "Load_priv ON global",
        "Alter_priv,Drop_priv ON database internal.sales",
    ]
    admin = ("'root'@'%'", "ROOT", "No", "operator", "Node_priv,Admin_priv", *[None] * 6)
    assert privileges_in_rows([admin], DORIS_COLUMNS) == [
        "role operator",
        "Node_priv,Admin_priv ON global",
    ]


def test_doris_1_2_columns_without_roles() -> None:
    columns = ["UserIdentity", "Password", "GlobalPrivs", "DatabasePrivs", "TablePrivs",
               "ResourcePrivs"]  # fmt: skip
    assert privileges_in_rows(
        [("'admin'@'%'", "Yes", "Admin_priv  (false)", None, None, None)], columns
    ) == ["Admin_priv ON global"]


STARROCKS_COLUMNS = ["UserIdentity", "Catalog", "Grants"]


def test_starrocks_roles_are_looked_up() -> None:
    rows = [
        ("'jack'@'%'", None, "GRANT 'public', 'analyst' TO 'jack'@'%'"),
        ("'jack'@'%'", "default_catalog", "GRANT SELECT ON TABLE db1.tbl1 TO USER 'jack'@'%'"),
    ]
    roles = {
        "public": [("public", "default_catalog", "GRANT SELECT ON TABLE "
                    "information_schema.* TO ROLE 'public'")],
        "analyst": [
            ("analyst", None, "GRANT 'reporting' TO ROLE 'analyst'"),
            ("analyst", "default_catalog",
             "GRANT SELECT ON ALL TABLES IN ALL DATABASES TO ROLE 'analyst'"),
        ],
        "reporting": [("reporting", "hive", "GRANT USAGE ON CATALOG hive TO ROLE 'reporting'")],
    }  # fmt: skip
    asked: list[str] = []

    def lookup(role: str) -> list[tuple]:
        asked.append(role)
        return roles[role]

    assert privileges_in_rows(rows, STARROCKS_COLUMNS, lookup) == []
    assert asked == ["public", "analyst", "reporting"]
    roles["reporting"].append(
        ("reporting", "default_catalog", "GRANT INSERT, EXPORT ON TABLE db1.t TO ROLE 'reporting'")
    )
    assert privileges_in_rows(rows, STARROCKS_COLUMNS, lookup) == ["INSERT, EXPORT ON TABLE db1.t"]


def test_starrocks_system_roles_and_unreadable_roles_count_as_writers() -> None:
    rows = [("'root'@'%'", None, "GRANT 'root', 'testrole' TO 'root'@'%'")]
    assert privileges_in_rows(rows, STARROCKS_COLUMNS, None) == [
        "role 'root' (system-defined, can write)",
        "role 'testrole' (its privileges were not read)",
    ]

    def failing(role: str) -> list[tuple]:
        raise RuntimeError("denied")

    rows = [("'u'@'%'", None, "GRANT 'r' TO 'u'@'%'")]
    assert privileges_in_rows(rows, STARROCKS_COLUMNS, failing) == [
        "role 'r' (SHOW GRANTS FOR ROLE failed: RuntimeError)"
    ]


def test_starrocks_write_privileges_in_statements() -> None:
    assert write_privileges(["GRANT CREATE TABLE, USAGE ON DATABASE db1 TO USER 'u'@'%'"]) == [
        "CREATE TABLE ON DATABASE db1"
    ]


# -- the dialect's inspector calls, fed the recorded text ------------------------------------


def _replaying(dialect_class: type, text: str):
    """The real dialect; only the server's answer to SHOW CREATE TABLE is the recorded one."""

    class Replaying(dialect_class):  # type: ignore[misc, valid-type]
        def _show_create_table(self, connection, table, charset=None, full_name=None):
            return text

    dialect = Replaying()
    dialect._connection_charset = "utf8mb4"
    return dialect


def test_inspector_calls_report_types_aggregations_and_key() -> None:
    dialect = _replaying(DorisDialect, DORIS_AGGREGATE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        columns = {c["name"]: c for c in dialect.get_columns(None, "t", "db", info_cache={})}
        options = dialect.get_table_options(None, "t", "db", info_cache={})
    assert isinstance(columns["user_id"]["type"], sat.BigInteger)  # LARGEINT
    assert columns["user_id"]["info"] == {"doris_type": "largeint"}
    assert isinstance(columns["uv"]["type"], sat.LargeBinary)  # HLL: opaque
    assert columns["cost"]["info"]["doris_aggregation"] == "SUM"
    assert options["mysql_doris_distribution"] == "HASH"
    assert dialect.get_pk_constraint(None, "t", "db", info_cache={})["constrained_columns"] == []

    unique = _replaying(DorisDialect, DORIS_COMPLEX)
    assert unique.get_pk_constraint(None, "t", "db", info_cache={})["constrained_columns"] == ["id"]
    complex_columns = {
        c["name"]: c["type"] for c in unique.get_columns(None, "t", "db", info_cache={})
    }
    assert isinstance(complex_columns["tags"], sat.ARRAY)
    assert isinstance(complex_columns["doc"], sat.JSON)
    assert isinstance(complex_columns["v"], sat.JSON)
    assert type(complex_columns["scores"]).__name__ == "MAP"
    assert type(complex_columns["person"]).__name__ == "STRUCT"
    primary = _replaying(StarRocksDialect, STARROCKS_PRIMARY)
    assert primary.get_pk_constraint(None, "o", "db", info_cache={})["constrained_columns"] == [
        "order_id",
        "dt",
        "merchant_id",
    ]


# -- the gate: table functions that leave the cluster --------------------------------------


@pytest.mark.parametrize("policy", ["doris", "starrocks"])
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM s3('uri' = 's3://bucket/f.csv', 'format' = 'csv')",
        "SELECT * FROM hdfs('uri' = 'hdfs://nn/f.csv', 'format' = 'csv')",
        "SELECT * FROM local('file_path' = 'log/be.INFO', 'backend_id' = '1', 'format' = 'csv')",
        "SELECT * FROM http('uri' = 'http://example.com/f.csv', 'format' = 'csv')",
        "SELECT * FROM FILES('path' = 's3://bucket/f.parquet', 'format' = 'parquet')",
        "SELECT * FROM query('catalog' = 'jdbc_mysql', 'query' = 'DELETE FROM t')",
        "SELECT a FROM t WHERE a IN (SELECT * FROM s3('uri' = 's3://b/x', 'format' = 'csv'))",
    ],
)
def test_table_functions_reaching_out_are_refused(policy: str, sql: str) -> None:
    """Doris TVF pages (s3, hdfs, local, http, query) and StarRocks' FILES(): reads with the
    cluster's credentials or a statement passed to another database unread."""
    with pytest.raises(ReadOnlyError):
        gate_for(policy, True).check(sql)


@pytest.mark.parametrize("policy", ["doris", "starrocks"])
def test_ordinary_reads_still_pass(policy: str) -> None:
    gate = gate_for(policy, True)
    for sql in (
        "SELECT user_id, SUM(cost) FROM example_tbl_agg1 GROUP BY user_id",
        "SELECT array_contains(tags, 'x'), element_at(scores, 'a') FROM semi",
        "SELECT Name FROM mv_infos('database' = 'db')",
        "SHOW CREATE TABLE `db`.`example_tbl_agg1`",
    ):
        gate.check(sql)
