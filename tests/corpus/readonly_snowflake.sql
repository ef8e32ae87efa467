-- readonly_snowflake: see tests/corpus/__init__.py for the format
-- @@
-- kind: $1 from a stage reads stage files
SELECT $1, $2 FROM @my_stage/data.csv (FILE_FORMAT => 'csv')
-- @@
-- kind: user stage
SELECT $1 FROM @~/staged.csv
-- @@
-- kind: table stage
SELECT t.$1 FROM @%accounts t
-- @@
-- kind: stage in a subquery
SELECT * FROM accounts WHERE id IN (SELECT $1 FROM @my_stage)
-- @@
-- kind: COPY INTO a stage exfiltrates
COPY INTO @my_stage/out FROM accounts
-- @@
-- kind: COPY INTO a table
COPY INTO accounts FROM @my_stage
-- @@
-- kind: COPY INTO an external location
COPY INTO 's3://bucket/out' FROM accounts CREDENTIALS = (AWS_KEY_ID = 'x')
-- @@
-- kind: PUT uploads a file
PUT file:///tmp/x.csv @my_stage
-- @@
-- kind: GET downloads stage files
GET @my_stage file:///tmp/
-- @@
-- kind: LIST a stage
LIST @my_stage
-- @@
-- kind: REMOVE stage files
REMOVE @my_stage/x.csv
-- @@
-- kind: SYSTEM$ functions
SELECT SYSTEM$CANCEL_ALL_QUERIES(1)
-- @@
-- kind: SYSTEM$ABORT_SESSION
SELECT system$abort_session(1)
-- @@
-- kind: SYSTEM$WAIT
SELECT SYSTEM$WAIT(10)
-- @@
-- kind: presigned URL to stage files
SELECT GET_PRESIGNED_URL(@my_stage, 'x.csv')
-- @@
-- kind: INFER_SCHEMA reads a stage
SELECT * FROM TABLE(INFER_SCHEMA(LOCATION => '@my_stage', FILE_FORMAT => 'f'))
-- @@
-- kind: sequence nextval
SELECT acct_seq.nextval
-- @@
-- kind: CALL a procedure
CALL drop_everything()
-- @@
-- kind: EXECUTE IMMEDIATE
EXECUTE IMMEDIATE 'DROP TABLE accounts'
-- @@
-- kind: EXECUTE IMMEDIATE a block
EXECUTE IMMEDIATE $$ BEGIN DELETE FROM accounts; END; $$
-- @@
-- kind: scripting block
BEGIN DELETE FROM accounts; END
-- @@
-- kind: CREATE TASK
CREATE TASK t WAREHOUSE = w SCHEDULE = '1 minute' AS DELETE FROM accounts
-- @@
-- kind: EXECUTE TASK
EXECUTE TASK t
-- @@
-- kind: ALTER TASK RESUME
ALTER TASK t RESUME
-- @@
-- kind: ALTER SESSION
ALTER SESSION SET QUERY_TAG = 'x'
-- @@
-- kind: USE ROLE
USE ROLE ACCOUNTADMIN
-- @@
-- kind: SET a variable
SET x = (SELECT 1)
-- @@
-- kind: UNDROP
UNDROP TABLE accounts
-- @@
-- kind: CREATE ... AS SELECT
CREATE TABLE x AS SELECT * FROM accounts
-- @@
-- kind: INSERT ALL
INSERT ALL INTO accounts SELECT * FROM accounts
-- @@
-- kind: MERGE
MERGE INTO accounts a USING accounts b ON a.id = b.id WHEN MATCHED THEN DELETE
-- @@
-- kind: TRUNCATE
TRUNCATE TABLE accounts
-- @@
-- kind: GRANT
GRANT ROLE ACCOUNTADMIN TO USER u
-- @@
-- kind: two statements
SELECT 1; DELETE FROM accounts
-- @@
-- kind: EXECUTE IMMEDIATE FROM a staged script
EXECUTE IMMEDIATE FROM @my_stage/script.sql
-- @@
-- kind: COPY FILES between stages
COPY FILES INTO @my_stage FROM @other_stage
-- @@
-- kind: DIRECTORY table of a stage
SELECT * FROM DIRECTORY(@my_stage)
-- @@
-- kind: TO_FILE names a stage file in a string
SELECT TO_FILE('@my_stage/data.csv')
-- @@
-- kind: FL_ reads a staged file's metadata
SELECT FL_GET_SIZE(TO_FILE('@my_stage', 'data.csv'))
-- @@
-- kind: Cortex sends rows to a model and bills for it
SELECT SNOWFLAKE.CORTEX.COMPLETE('llama3-8b', owner) FROM accounts
-- @@
-- kind: AI_ functions send rows to a model
SELECT AI_CLASSIFY(owner, ['a', 'b']) FROM accounts
-- @@
-- kind: quoted SYSTEM$ function name
SELECT "SYSTEM$WAIT"(5)
-- @@
-- kind: SYSTEM$ in a CTE
WITH x AS (SELECT SYSTEM$CANCEL_ALL_QUERIES(1) AS c) SELECT * FROM x
-- @@
-- kind: CREATE OR REPLACE TASK
CREATE OR REPLACE TASK t AS DELETE FROM accounts
-- @@
-- kind: EXECUTE ALERT
EXECUTE ALERT a
-- @@
-- kind: ALTER WAREHOUSE
ALTER WAREHOUSE w SUSPEND
-- @@
-- kind: USE SECONDARY ROLES widens the privileges
USE SECONDARY ROLES ALL
-- @@
-- kind: call in lower case
call drop_everything()
