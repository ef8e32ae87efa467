-- allowed_clickhouse: see tests/corpus/__init__.py for the format
-- @@
-- kind: aggregate
SELECT count() FROM accounts
-- @@
-- kind: numbers() computes rows
SELECT number FROM numbers(10)
-- @@
-- kind: harmless query setting
SELECT 1 SETTINGS max_threads = 4
-- @@
-- kind: EXISTS
EXISTS TABLE accounts
-- @@
-- kind: EXPLAIN
EXPLAIN SELECT 1
-- @@
-- kind: SHOW TABLES
SHOW TABLES
-- @@
-- kind: DESCRIBE
DESCRIBE TABLE accounts
-- @@
-- kind: URL string functions are not url()
SELECT URLHierarchy('http://example.com/a/b'), domain('http://example.com')
-- @@
-- kind: a column named url
SELECT url FROM accounts
