-- readonly_databricks: see tests/corpus/__init__.py for the format
-- @@
-- kind: read_files reads a path
SELECT * FROM read_files('s3://bucket/secret/', format => 'csv')
-- @@
-- kind: read_kafka
SELECT * FROM read_kafka(bootstrapServers => 'h:9092', subscribe => 't')
-- @@
-- kind: http_request calls out
SELECT http_request(conn => 'c', method => 'POST', path => '/x', json => to_json(named_struct('a', 1)))
-- @@
-- kind: ai_query calls a model
SELECT ai_query('endpoint', owner) FROM accounts
-- @@
-- kind: ai_* functions
SELECT ai_summarize(owner) FROM accounts
-- @@
-- kind: ai_gen
SELECT ai_gen('write something')
-- @@
-- kind: secret() reads a secret
SELECT secret('scope', 'key')
-- @@
-- kind: try_secret()
SELECT try_secret('scope', 'key')
-- @@
-- kind: list_secrets()
SELECT * FROM list_secrets()
-- @@
-- kind: reflect calls Java
SELECT reflect('java.lang.Runtime', 'getRuntime')
-- @@
-- kind: java_method
SELECT java_method('java.lang.System', 'exit', 0)
-- @@
-- kind: remote_query
SELECT * FROM remote_query('conn', database => 'd', query => 'DELETE FROM t')
-- @@
-- kind: COPY INTO
COPY INTO accounts FROM 's3://bucket/x' FILEFORMAT = CSV
-- @@
-- kind: CREATE ... AS SELECT
CREATE TABLE x AS SELECT * FROM accounts
-- @@
-- kind: CREATE OR REPLACE ... AS
CREATE OR REPLACE TABLE accounts AS SELECT 1 AS id
-- @@
-- kind: INSERT OVERWRITE
INSERT OVERWRITE accounts SELECT * FROM accounts WHERE 1 = 0
-- @@
-- kind: INSERT OVERWRITE DIRECTORY
INSERT OVERWRITE DIRECTORY 's3://b/out' USING parquet SELECT * FROM accounts
-- @@
-- kind: MERGE
MERGE INTO accounts a USING accounts b ON a.id = b.id WHEN MATCHED THEN DELETE
-- @@
-- kind: OPTIMIZE
OPTIMIZE accounts
-- @@
-- kind: VACUUM
VACUUM accounts RETAIN 0 HOURS
-- @@
-- kind: RESTORE
RESTORE TABLE accounts TO VERSION AS OF 1
-- @@
-- kind: CACHE TABLE
CACHE TABLE accounts
-- @@
-- kind: REFRESH
REFRESH TABLE accounts
-- @@
-- kind: MSCK REPAIR
MSCK REPAIR TABLE accounts
-- @@
-- kind: SET a conf
SET spark.sql.ansi.enabled = false
-- @@
-- kind: USE another catalog
USE CATALOG other
-- @@
-- kind: two statements
SELECT 1; DROP TABLE accounts
-- @@
-- kind: EXECUTE IMMEDIATE runs SQL text
EXECUTE IMMEDIATE 'DROP TABLE accounts'
-- @@
-- kind: a session variable
DECLARE VARIABLE v INT
-- @@
-- kind: CLONE writes a table
CREATE TABLE x SHALLOW CLONE accounts
-- @@
-- kind: INSERT ... REPLACE WHERE
INSERT INTO accounts REPLACE WHERE id > 0 SELECT * FROM accounts
-- @@
-- kind: ANALYZE writes statistics
ANALYZE TABLE accounts COMPUTE STATISTICS
-- @@
-- kind: a temporary view
CREATE TEMPORARY VIEW v AS SELECT 1
-- @@
-- kind: Volumes file commands
REMOVE '/Volumes/main/default/files/x'
-- @@
-- kind: try_reflect calls Java
SELECT try_reflect('java.lang.System', 'exit', 0)
