-- readonly_dameng: see tests/corpus/__init__.py for the format (DaMeng DM8, Oracle-style SQL)
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
-- kind: DROP
DROP TABLE accounts
-- @@
-- kind: CREATE TABLE AS
CREATE TABLE 账户备份 AS SELECT * FROM accounts
-- @@
-- kind: ALTER
ALTER TABLE accounts ADD note VARCHAR2(10)
-- @@
-- kind: GRANT
GRANT SELECT ON accounts TO PUBLIC
-- @@
-- kind: sequence advanced by NEXTVAL
SELECT acct_seq.NEXTVAL FROM DUAL
-- @@
-- kind: NEXTVAL in a subquery
SELECT * FROM accounts WHERE id = (SELECT acct_seq.nextval FROM DUAL)
-- @@
-- kind: DM system procedure changes a server parameter
CALL SP_SET_PARA_VALUE(1, 'MAX_SESSIONS', 10)
-- @@
-- kind: DM system procedure in a SELECT
SELECT SP_CLOSE_SESSION(1) FROM DUAL
-- @@
-- kind: a file written through UTL_FILE
SELECT UTL_FILE.FOPEN('DIR', 'x.txt', 'w') FROM DUAL
-- @@
-- kind: a lock held and slept on
SELECT DBMS_LOCK.SLEEP(60) FROM DUAL
-- @@
-- kind: a job scheduled
SELECT DBMS_JOB.SUBMIT(1, 'DELETE FROM accounts', SYSDATE) FROM DUAL
-- @@
-- kind: HTTP out of the server
SELECT UTL_HTTP.REQUEST('http://example.com/') FROM DUAL
-- @@
-- kind: lock rows
SELECT * FROM accounts FOR UPDATE
-- @@
-- kind: leave read-only mode
SET TRANSACTION READ WRITE
-- @@
-- kind: anonymous block
BEGIN DELETE FROM accounts; END;
-- @@
-- kind: two statements
SELECT 1 FROM DUAL; DELETE FROM accounts
-- @@
-- kind: CALL a procedure
CALL purge_accounts()
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
