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
-- @@
-- kind: time travel, AT a timestamp (what FOR TIMESTAMP AS OF becomes)
SELECT * FROM accounts AT (TIMESTAMP => CAST('2026-01-01 00:00:00' AS TIMESTAMPLTZ))
-- @@
-- kind: time travel, AT a statement (what FOR VERSION AS OF becomes)
SELECT id FROM accounts AT (STATEMENT => '01b2c3d4-0000-0000-0000-000000000000') AS a
-- @@
-- kind: time travel BEFORE a statement
SELECT * FROM accounts BEFORE (STATEMENT => '01b2c3d4-0000-0000-0000-000000000000')
-- @@
-- kind: sqlgate's own time-travel syntax
SELECT * FROM accounts FOR TIMESTAMP AS OF '2026-01-01 00:00:00'
-- @@
-- kind: semi-structured path and FLATTEN
SELECT f.value:name::string FROM accounts a, LATERAL FLATTEN(input => PARSE_JSON(a.owner)) f
-- @@
-- kind: a '@' inside a string is no stage
SELECT 'mail@example.com' AS who FROM accounts
-- @@
-- kind: GENERATOR table function
SELECT SEQ4() FROM TABLE(GENERATOR(ROWCOUNT => 10))
-- @@
-- kind: query history of the account (a read)
SELECT * FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY())
