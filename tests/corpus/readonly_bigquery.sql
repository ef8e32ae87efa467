-- readonly_bigquery: see tests/corpus/__init__.py for the format
-- @@
-- kind: EXPORT DATA writes files
EXPORT DATA OPTIONS (uri = 'gs://b/x-*.csv', format = 'CSV') AS SELECT * FROM accounts
-- @@
-- kind: EXTERNAL_QUERY reaches another database
SELECT * FROM EXTERNAL_QUERY('conn', 'DELETE FROM t RETURNING 1')
-- @@
-- kind: EXTERNAL_QUERY in a subquery
SELECT (SELECT COUNT(*) FROM EXTERNAL_QUERY('conn', 'SELECT 1'))
-- @@
-- kind: CALL a procedure
CALL ds.drop_everything()
-- @@
-- kind: DECLARE
DECLARE x INT64 DEFAULT 1
-- @@
-- kind: scripting block
BEGIN DELETE FROM ds.accounts WHERE TRUE; END
-- @@
-- kind: BEGIN ... END without semicolons
BEGIN SELECT 1 END
-- @@
-- kind: EXECUTE IMMEDIATE
EXECUTE IMMEDIATE 'DELETE FROM ds.accounts WHERE TRUE'
-- @@
-- kind: SET a script variable
SET x = (SELECT 1)
-- @@
-- kind: remote model
SELECT * FROM ML.GENERATE_TEXT(MODEL ds.m, TABLE ds.accounts)
-- @@
-- kind: AI functions
SELECT AI.GENERATE('summarise', connection_id => 'c')
-- @@
-- kind: LOAD DATA
LOAD DATA INTO ds.accounts FROM FILES (format = 'CSV', uris = ['gs://b/x.csv'])
-- @@
-- kind: CREATE ... AS SELECT
CREATE TABLE ds.x AS SELECT 1 AS a
-- @@
-- kind: INSERT
INSERT INTO ds.accounts (id) VALUES (1)
-- @@
-- kind: MERGE
MERGE ds.accounts a USING ds.accounts b ON a.id = b.id WHEN MATCHED THEN DELETE
-- @@
-- kind: TRUNCATE
TRUNCATE TABLE ds.accounts
-- @@
-- kind: DROP
DROP TABLE ds.accounts
-- @@
-- kind: two statements
SELECT 1; DELETE FROM ds.accounts WHERE TRUE
-- @@
-- kind: UPDATE
UPDATE ds.accounts SET owner = 'x' WHERE TRUE
-- @@
-- kind: INSERT ... SELECT
INSERT INTO ds.accounts SELECT * FROM ds.accounts
-- @@
-- kind: ALTER TABLE SET OPTIONS
ALTER TABLE ds.accounts SET OPTIONS (description = 'x')
-- @@
-- kind: snapshot table (a clone)
CREATE SNAPSHOT TABLE ds.s CLONE ds.accounts
-- @@
-- kind: a view
CREATE OR REPLACE VIEW ds.v AS SELECT 1 AS a
-- @@
-- kind: ASSERT (a script statement)
ASSERT (SELECT COUNT(*) FROM ds.accounts) > 0
-- @@
-- kind: temporary function (scripting)
CREATE TEMP FUNCTION f(x INT64) AS (x + 1)
-- @@
-- kind: GRANT
GRANT `roles/bigquery.dataViewer` ON TABLE ds.accounts TO 'user:a@b.c'
-- @@
-- kind: an escaped backslash ends the backquoted name: DROP runs after it
SELECT `a\\`; DROP TABLE ds.accounts; SELECT `b`
-- @@
-- kind: an escaped backslash ends the string: EXPORT DATA runs after it
SELECT 'x\\'; EXPORT DATA OPTIONS (uri = 'gs://b/x-*.csv', format = 'CSV') AS SELECT * FROM ds.accounts; --'
-- @@
-- kind: an escaped backslash ends the double-quoted string: DELETE runs after it
SELECT "x\\"; DELETE FROM ds.accounts WHERE TRUE; --"
-- @@
-- kind: an escaped backslash ends the triple-quoted string: DELETE runs after it
SELECT """a\\"""; DELETE FROM ds.accounts WHERE TRUE; --"""
-- @@
-- kind: a raw string ends after two backslashes: DROP runs after it
SELECT r'a\\'; DROP TABLE ds.accounts; --'
-- @@
-- kind: a bytes literal ends after an escaped backslash: CALL runs after it
SELECT b'\\'; CALL ds.drop_everything(); --'
-- @@
-- kind: a raw bytes literal ends after two backslashes: TRUNCATE runs after it
SELECT rb'x\\'; TRUNCATE TABLE ds.accounts; --'
-- @@
-- kind: a doubled backquote is two names in GoogleSQL, one escaped name to other readers
SELECT `x``; DROP TABLE ds.accounts; --`
-- @@
-- kind: a doubled quote is two strings in GoogleSQL, one escaped string to other readers
SELECT 'it''; DELETE FROM ds.accounts WHERE TRUE; --'
-- @@
-- kind: a backslash escape hides nothing when the string stays open to the end
SELECT 'x\'; DROP TABLE ds.accounts
-- @@
-- kind: a backquoted name escaping its closing backquote runs to the end unterminated
SELECT * FROM `ds.accounts\`; DELETE FROM ds.accounts WHERE TRUE
-- @@
-- kind: an escaped backquote beside a semicolon (one name to BigQuery; bqemulator ends the name there and its dry run executes the DROP)
SELECT 1 AS `a\`; DROP TABLE ds.accounts; --`
-- @@
-- kind: an escaped quote in a raw string beside a semicolon (bqemulator ends the string there)
SELECT r'a\'; DROP TABLE ds.accounts; --'
-- @@
-- kind: an escaped double quote beside a semicolon: a reader ending "..." at \" runs the DELETE
SELECT "a\" ; DELETE FROM ds.accounts WHERE TRUE --"
-- @@
-- kind: an escaped single quote beside a semicolon
SELECT 'it\'s'; DELETE FROM ds.accounts WHERE TRUE; --'
-- @@
-- kind: an escaped quote in a bytes literal beside a semicolon
SELECT b'\''; DELETE FROM ds.accounts WHERE TRUE; --'
-- @@
-- kind: an escaped backslash ends the string: the DELETE is a second statement
SELECT 'a\\'; DELETE FROM ds.accounts WHERE TRUE; --'
-- @@
-- kind: a doubled quote (two literals in GoogleSQL, one escaped quote elsewhere)
SELECT 'a''; DELETE FROM ds.accounts WHERE TRUE; --'
-- @@
-- kind: a triple-quoted string holding an escaped quote beside a semicolon (a reader without escapes ends it at the quote)
SELECT '''a\'''; DELETE FROM ds.accounts WHERE TRUE; --'''
-- @@
-- kind: a line comment ended by a carriage return before the second statement
-- escaped: yes
SELECT 1 # x\r; DELETE FROM ds.accounts WHERE TRUE
-- @@
-- kind: an escaped quote beside a semicolon, once admitted as one string: a reader ending '...' at \' runs EXPORT DATA
SELECT 'x\'; EXPORT DATA OPTIONS (uri = \'gs://b/*\') AS SELECT 1; --' AS s
