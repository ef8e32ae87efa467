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
-- @@
-- kind: time travel
SELECT * FROM ds.accounts FOR SYSTEM_TIME AS OF TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 HOUR)
-- @@
-- kind: an array parameter
SELECT * FROM ds.accounts WHERE id IN UNNEST(@ids)
-- @@
-- kind: STRUCT, ARRAY, RANGE and JSON literals
SELECT STRUCT(1 AS a, [1, 2] AS b), RANGE(DATE '2020-01-01', NULL), JSON '{"a": 1}'
