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
