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
