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
-- @@
-- kind: a backquote escaped inside a backquoted name
SELECT `we\`ird` FROM ds.accounts
-- @@
-- kind: an escaped quote keeps "EXPORT DATA" inside the string (no semicolon beside it: see readonly)
SELECT 'x\' EXPORT DATA OPTIONS (uri = \'gs://b/*\') AS SELECT 1 --' AS s
-- @@
-- kind: an escaped quote inside a triple-quoted string
SELECT '''it\'s''', """say \"hi\"""" AS t
-- @@
-- kind: a raw string keeps its backslash and its escaped quote
SELECT r'\d+\'', R"a\"b"
-- @@
-- kind: a bytes literal with escapes
SELECT b'\x00\'', B"\\"
-- @@
-- kind: an escaped backslash closes the name before the next one
SELECT `a\\` AS b, 1 AS `c` FROM ds.accounts
