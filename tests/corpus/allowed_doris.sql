-- Doris / StarRocks metadata reads the gate must admit besides the MySQL corpus: the SHOW forms
-- sqlglot reads as commands (admitted by readonly_dispatch.olap_show's closed grammar) and the
-- catalog switch. Statement forms from the products' SQL references (Doris 2.1 "SHOW CATALOGS",
-- "SHOW PARTITIONS", "SHOW TABLET", "SHOW DATA", "SWITCH"; StarRocks 3.x "SHOW MATERIALIZED
-- VIEWS", "SET CATALOG"). Read by the doris and starrocks policies alike.
-- Format: see tests/corpus/__init__.py.
-- @@
-- kind: SHOW CATALOGS (dialect get_catalog_names)
SHOW CATALOGS
-- @@
-- kind: SHOW CATALOGS LIKE
SHOW CATALOGS LIKE 'hive%'
-- @@
-- kind: SHOW PARTITIONS (dialect get_partitions)
SHOW PARTITIONS FROM `sales`.`orders`
-- @@
-- kind: SHOW PARTITIONS, unqualified
SHOW PARTITIONS FROM orders
-- @@
-- kind: SHOW PARTITIONS with a filter, order and limit on its rows
SHOW PARTITIONS FROM orders WHERE PartitionName = 'p20240101' ORDER BY PartitionId DESC LIMIT 2
-- @@
-- kind: SHOW PARTITIONS with LIMIT offset, count
SHOW PARTITIONS FROM example_db.table_name WHERE LastConsistencyCheckTime > '2024-01-01' LIMIT 0, 10
-- @@
-- kind: SHOW TEMPORARY PARTITIONS
SHOW TEMPORARY PARTITIONS FROM orders
-- @@
-- kind: SHOW MATERIALIZED VIEWS (StarRocks dialect get_materialized_view_names)
SHOW MATERIALIZED VIEWS FROM `sales`
-- @@
-- kind: SHOW MATERIALIZED VIEWS LIKE
SHOW MATERIALIZED VIEWS IN sales LIKE 'mv_%'
-- @@
-- kind: SHOW MATERIALIZED VIEWS WHERE
SHOW MATERIALIZED VIEWS WHERE name = 'mv_orders'
-- @@
-- kind: SHOW CREATE MATERIALIZED VIEW
SHOW CREATE MATERIALIZED VIEW sales.mv_orders
-- @@
-- kind: SHOW DATA of the database
SHOW DATA
-- @@
-- kind: SHOW DATA of a table, ordered
SHOW DATA FROM sales.orders ORDER BY ReplicaCount DESC
-- @@
-- kind: SHOW DATA SKEW (Doris)
SHOW DATA SKEW FROM orders
-- @@
-- kind: SHOW TABLET by id
SHOW TABLET 10010
-- @@
-- kind: SHOW TABLETS of partitions
SHOW TABLETS FROM sales.orders PARTITION (p1, p2) LIMIT 10
-- @@
-- kind: SHOW TABLETS filtered
SHOW TABLETS FROM orders WHERE Version = 2 ORDER BY TabletId LIMIT 3
-- @@
-- kind: SWITCH catalog (Doris)
SWITCH hive
-- @@
-- kind: SWITCH quoted catalog (the flavor's own text for catalog.db in the URL)
SWITCH `hive_prod`
-- @@
-- kind: SET CATALOG (StarRocks)
SET CATALOG hive
-- @@
-- kind: SET CATALOG quoted
SET CATALOG `default_catalog`
-- @@
-- kind: catalog switch with the one trailing semicolon
SWITCH internal;
