-- allowed_snowflake: see tests/corpus/__init__.py for the format
-- @@
-- kind: a query
SELECT id, owner FROM accounts WHERE balance > 0
-- @@
-- kind: $1 over VALUES
SELECT $1 FROM VALUES (1), (2)
-- @@
-- kind: RESULT_SCAN reads a result
SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))
-- @@
-- kind: SHOW
SHOW TABLES
-- @@
-- kind: DESCRIBE
DESCRIBE TABLE accounts
-- @@
-- kind: a // comment
SELECT 1 // note
