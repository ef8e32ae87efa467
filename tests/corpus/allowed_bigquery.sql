-- allowed_bigquery: see tests/corpus/__init__.py for the format
-- @@
-- kind: a query
SELECT id, owner FROM ds.accounts WHERE balance > 0
-- @@
-- kind: GENERATE_ARRAY is a read
SELECT x FROM UNNEST(GENERATE_ARRAY(1, 10)) AS x
-- @@
-- kind: backquoted names
SELECT COUNT(*) FROM `project.ds.accounts`
-- @@
-- kind: a triple-quoted string
SELECT '''it's'''
-- @@
-- kind: BEGIN TRANSACTION
BEGIN TRANSACTION
