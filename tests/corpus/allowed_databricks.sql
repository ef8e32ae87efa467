-- allowed_databricks: see tests/corpus/__init__.py for the format
-- @@
-- kind: a query
SELECT id, owner FROM accounts WHERE balance > 0
-- @@
-- kind: backquoted names
SELECT `owner` FROM main.default.accounts
-- @@
-- kind: a backslash escape
SELECT 'it\'s'
-- @@
-- kind: DESCRIBE
DESCRIBE TABLE accounts
-- @@
-- kind: SHOW
SHOW TABLES
-- @@
-- kind: Delta time travel by version (Databricks' own spelling)
SELECT * FROM accounts VERSION AS OF 3
-- @@
-- kind: Delta time travel by timestamp
SELECT count(*) FROM main.default.accounts TIMESTAMP AS OF '2026-01-01'
-- @@
-- kind: named parameter markers (bound by the server)
SELECT id FROM accounts WHERE id = :id AND owner = :owner
-- @@
-- kind: nested values
SELECT named_struct('a', 1).a, map('k', 1)['k'], array(1, 2)[0]
-- @@
-- kind: a table's history
DESCRIBE HISTORY accounts
