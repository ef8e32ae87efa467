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
