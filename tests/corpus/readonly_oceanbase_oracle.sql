-- readonly_oceanbase_oracle: see tests/corpus/__init__.py for the format (OceanBase Oracle mode)
-- @@
-- kind: INSERT
INSERT INTO accounts (id, owner) VALUES (1, '张三')
-- @@
-- kind: UPDATE
UPDATE accounts SET balance = 0
-- @@
-- kind: DELETE
DELETE FROM accounts WHERE id = 1
-- @@
-- kind: MERGE
MERGE INTO accounts a USING (SELECT 1 id FROM DUAL) s ON (a.id = s.id) WHEN MATCHED THEN UPDATE SET a.balance = 0
-- @@
-- kind: TRUNCATE
TRUNCATE TABLE accounts
-- @@
-- kind: CREATE TABLE AS
CREATE TABLE 账户备份 AS SELECT * FROM accounts
-- @@
-- kind: ALTER SESSION
ALTER SESSION SET ISOLATION_LEVEL = SERIALIZABLE
-- @@
-- kind: SET TRANSACTION READ WRITE
SET TRANSACTION READ WRITE
-- @@
-- kind: SELECT ... FOR UPDATE locks rows
SELECT * FROM accounts WHERE id = 1 FOR UPDATE
-- @@
-- kind: LOCK TABLE
LOCK TABLE accounts IN EXCLUSIVE MODE
-- @@
-- kind: CALL a procedure
CALL app.purge_accounts()
-- @@
-- kind: EXECUTE IMMEDIATE
EXECUTE IMMEDIATE 'DROP TABLE accounts'
-- @@
-- kind: an anonymous PL/SQL block
BEGIN DELETE FROM accounts; END;
-- @@
-- kind: a DECLARE block
DECLARE n NUMBER; BEGIN n := 1; END;
-- @@
-- kind: sequence advanced by NEXTVAL
SELECT seq_accounts.NEXTVAL FROM DUAL
-- @@
-- kind: DBMS_LOCK.SLEEP holds the session
SELECT DBMS_LOCK.SLEEP(10) FROM DUAL
-- @@
-- kind: UTL_HTTP reaches the network
SELECT UTL_HTTP.REQUEST('http://example.com') FROM DUAL
-- @@
-- kind: DBMS_SCHEDULER creates jobs
SELECT DBMS_SCHEDULER.CREATE_JOB('j') FROM DUAL
-- @@
-- kind: a DBMS_ function called bare
SELECT dbms_random_reset() FROM DUAL
-- @@
-- kind: two statements
SELECT 1 FROM DUAL; DELETE FROM accounts
-- @@
-- kind: GRANT
GRANT SELECT ON accounts TO PUBLIC
-- @@
-- kind: database link (a table read on another database, beyond this session's read-only mode)
SELECT * FROM accounts@remote
-- @@
-- kind: database link (a remote procedure run as a function)
SELECT wipe@remote(1) FROM DUAL
-- @@
-- kind: database link (spaced and quoted forms)
SELECT * FROM accounts @ remote
-- @@
-- kind: database link (quoted link name)
SELECT * FROM accounts@"remote"
-- @@
-- kind: a backslash before the closing quote: a reader taking it for an escape runs the call the other reading sees as a comment
SELECT 'x\' , 1 -- ', utl_file.fopen('D', 'f', 'w') FROM dual
-- @@
-- kind: the same with a package no list names, inside the string for one reader
SELECT 'C:\' AS p -- ', my_pkg.purge() AS q FROM dual
-- @@
-- kind: MySQL-mode executable comment (the tenant's shared parser might run it)
SELECT 1 /*! , utl_file.fremove('D', 'f') */ FROM dual
-- @@
-- kind: a package reached through its owner (SYS.UTL_FILE writes files on the server)
SELECT SYS.UTL_FILE.FOPEN('D', 'f', 'w') FROM dual
-- @@
-- kind: a package quoted and owner-qualified
SELECT "SYS"."DBMS_PIPE".PACK_MESSAGE('x') FROM dual
-- @@
-- kind: a DBMS package no list names (distributed transactions)
SELECT DBMS_XA.XA_START(DBMS_XA_XID(1), 0) FROM dual
-- @@
-- kind: a database link on a function call
SELECT f@remote(1) FROM dual
-- @@
-- kind: a database link after whitespace
SELECT * FROM accounts @ remote
-- @@
-- kind: NEXTVAL through the owner
SELECT app.acct_seq.NEXTVAL FROM dual
-- @@
-- kind: SELECT FOR UPDATE after a flashback clause
SELECT * FROM accounts AS OF SCN 1 FOR UPDATE
-- @@
-- kind: anonymous PL/SQL block
BEGIN UPDATE accounts SET owner = 'x'; END;
-- @@
-- kind: DECLARE block
DECLARE n NUMBER; BEGIN DELETE FROM accounts; END;
-- @@
-- kind: WITH FUNCTION (a PL/SQL function in the query)
WITH FUNCTION f RETURN NUMBER IS BEGIN RETURN 1; END; SELECT f FROM dual
-- @@
-- kind: ALTER SESSION to another isolation or schema
ALTER SESSION SET CURRENT_SCHEMA = sys
-- @@
-- kind: SET TRANSACTION READ WRITE
SET TRANSACTION READ WRITE
-- @@
-- kind: a second statement after a q-quote whose delimiter holds a quote
SELECT q'[ ' ]' FROM dual; DELETE FROM accounts
-- @@
-- kind: a q-quote holding a quote: the server's string ends at ]' and the package call runs
SELECT q'[ x' ]' , utl_file.fremove('D','f') FROM dual --'
-- @@
-- kind: a q-quote with braces hiding a user function from a quote-pair reader
SELECT q'{ ' }' AS a, purge_all() AS b, '}' FROM dual
-- @@
-- kind: a q-quote closing early in a condition
SELECT 1 FROM dual WHERE 'a' = q'['] OR utl_file.fremove('D','f') IS NULL --]'
-- @@
-- kind: full-width parentheses: OceanBase's Oracle-mode UTF-8 parser reads a call sqlglot takes for a name
SELECT purge_all（） FROM dual
-- @@
-- kind: a full-width comma splitting a name into a column and a call
SELECT a，utl_file.fremove('D', 'f') FROM dual
-- @@
-- kind: a full-width call to a side-effect function
SELECT dbms_lock.sleep（10） FROM dual
