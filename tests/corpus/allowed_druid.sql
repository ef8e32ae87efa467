-- allowed_druid: see tests/corpus/__init__.py for the format
-- @@
-- kind: a query
SELECT __time, owner FROM accounts WHERE balance > 0
-- @@
-- kind: TIME_FLOOR
SELECT TIME_FLOOR(__time, 'PT1H') AS h, COUNT(*) FROM accounts GROUP BY 1
-- @@
-- kind: INFORMATION_SCHEMA
SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES
-- @@
-- kind: EXPLAIN PLAN FOR
EXPLAIN PLAN FOR SELECT 1
-- @@
-- kind: TIME_SHIFT and MV_TO_ARRAY
SELECT TIME_SHIFT(__time, 'P1D', -1), MV_TO_ARRAY(tags) FROM accounts
-- @@
-- kind: Superset's week grain on a qualified datasource, with MV_CONTAINS
SELECT TIME_FLOOR(CAST(__time AS TIMESTAMP), 'P1W') AS w, COUNT(*) FROM druid.accounts WHERE MV_CONTAINS(tags, 'a') GROUP BY 1
-- @@
-- kind: a system table
SELECT "segment_id", "size" FROM sys.segments WHERE "datasource" = 'accounts'
-- @@
-- kind: a sketch aggregate
SELECT APPROX_COUNT_DISTINCT_DS_HLL(uniq_users) FROM accounts
-- @@
-- kind: typed parameters
SELECT owner FROM accounts WHERE balance > ? AND __time >= ?
