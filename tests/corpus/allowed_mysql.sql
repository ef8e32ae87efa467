-- Legitimate MySQL / MariaDB reads the gate must admit (includes the SQL SQLAlchemy's MySQL dialect sends).
-- Format: see tests/corpus/__init__.py.
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SELECT DATABASE()
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SHOW schemas
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SHOW FULL TABLES FROM `app`
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SHOW CREATE TABLE `app`.`accounts`
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SHOW CREATE TABLE `app`.`v`
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SELECT @@lower_case_table_names
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SHOW COLLATION
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
SELECT @@sql_mode
-- @@
-- kind: SQLAlchemy MySQL/MariaDB dialect (initialize / reflection)
DESCRIBE `app`.`accounts`
-- @@
-- kind: SQLAlchemy MariaDB sequence reflection (text() compiled for pymysql)
SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE='SEQUENCE' and TABLE_NAME=%s AND TABLE_SCHEMA=%s
-- @@
-- kind: SQLAlchemy MariaDB sequence reflection (text() compiled for pymysql)
SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_TYPE='SEQUENCE' and TABLE_SCHEMA=%s
-- @@
-- kind: SQLAlchemy SQL mode probe
SHOW VARIABLES LIKE 'sql_mode'
-- @@
-- kind: SQLAlchemy casing probe
SHOW VARIABLES LIKE 'lower_case_table_names'
-- @@
-- kind: SQLAlchemy charset probe (escaped percent)
SHOW VARIABLES LIKE 'character_set%%'
-- @@
-- kind: SQLAlchemy isolation level probe (MySQL 8 / MariaDB 11)
SELECT @@transaction_isolation
-- @@
-- kind: SQLAlchemy isolation level probe (older servers)
SELECT @@tx_isolation
-- @@
-- kind: server version
SELECT VERSION()
-- @@
-- kind: connection ping
SELECT 1
-- @@
-- kind: plain BEGIN
BEGIN
-- @@
-- kind: START TRANSACTION READ ONLY
START TRANSACTION READ ONLY
-- @@
-- kind: START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY
START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY
-- @@
-- kind: COMMIT
COMMIT
-- @@
-- kind: ROLLBACK
ROLLBACK
-- @@
-- kind: SHOW TABLES
SHOW TABLES
-- @@
-- kind: SHOW TABLES LIKE
SHOW TABLES LIKE 'acc%'
-- @@
-- kind: SHOW COLUMNS
SHOW COLUMNS FROM accounts
-- @@
-- kind: SHOW INDEX
SHOW INDEX FROM accounts
-- @@
-- kind: SHOW VARIABLES WHERE
SHOW VARIABLES WHERE Variable_name IN ('read_only', 'transaction_read_only')
-- @@
-- kind: SHOW STATUS
SHOW GLOBAL STATUS LIKE 'Uptime'
-- @@
-- kind: SHOW PROCESSLIST
SHOW FULL PROCESSLIST
-- @@
-- kind: DESCRIBE
DESCRIBE accounts
-- @@
-- kind: DESC with a column
DESC accounts owner
-- @@
-- kind: EXPLAIN tbl is DESCRIBE
EXPLAIN accounts
-- @@
-- kind: EXPLAIN SELECT
EXPLAIN SELECT * FROM accounts WHERE id = 1
-- @@
-- kind: EXPLAIN FORMAT=JSON
EXPLAIN FORMAT=JSON SELECT owner, SUM(balance) FROM accounts GROUP BY owner
-- @@
-- kind: EXPLAIN EXTENDED
EXPLAIN EXTENDED SELECT * FROM accounts
-- @@
-- kind: ANALYZE-free EXPLAIN of a join
EXPLAIN SELECT a.id FROM accounts a JOIN accounts b ON a.id = b.id
-- @@
-- kind: CTE with window functions
WITH ranked AS (
    SELECT id, owner, balance,
           ROW_NUMBER() OVER (PARTITION BY owner ORDER BY balance DESC) AS rn,
           SUM(balance) OVER (ORDER BY id) AS running
    FROM accounts
)
SELECT owner, MAX(balance) AS top, COUNT(*) AS n
FROM ranked
WHERE rn <= 3
GROUP BY owner
HAVING COUNT(*) > 0
ORDER BY top DESC
LIMIT 20
-- @@
-- kind: recursive CTE
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT SUM(i) FROM n
-- @@
-- kind: joins and subqueries
SELECT a.owner, b.total
FROM accounts a
LEFT JOIN (SELECT owner, SUM(balance) AS total FROM accounts GROUP BY owner) b ON b.owner = a.owner
WHERE a.id IN (SELECT id FROM accounts WHERE balance > 0)
  AND EXISTS (SELECT 1 FROM accounts c WHERE c.id = a.id)
-- @@
-- kind: UNION
SELECT id FROM accounts UNION ALL SELECT 0
-- @@
-- kind: information_schema tables
SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME
-- @@
-- kind: information_schema columns with pyformat placeholders
SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s
-- @@
-- kind: format placeholders
SELECT * FROM accounts WHERE owner = %s AND balance > %s LIMIT %s
-- @@
-- kind: tuple placeholder after IN
SELECT * FROM accounts WHERE id IN %s
-- @@
-- kind: escaped percent in LIKE
SELECT * FROM accounts WHERE owner LIKE 'a%%' OR owner LIKE %s
-- @@
-- kind: qmark placeholders
SELECT * FROM accounts WHERE id = ? AND owner = ?
-- @@
-- kind: string literals that look like statements
SELECT 'DELETE FROM accounts; DROP TABLE accounts' AS note, ';' AS semi, 'it''s' AS quote, "double; quoted" AS dq
-- @@
-- kind: backquoted identifiers named like statements
SELECT `update`, `insert`, `delete` FROM (SELECT 1 AS `update`, 2 AS `insert`, 3 AS `delete`) AS t
-- @@
-- kind: system variables
SELECT @@version, @@session.transaction_read_only, @@global.read_only, @@sql_mode
-- @@
-- kind: reading a user variable
SELECT @maybe_unset IS NULL
-- @@
-- kind: comparison with = is not assignment
SELECT * FROM accounts WHERE @x = 1 OR id = 1
-- @@
-- kind: string functions and JSON
SELECT CONCAT(owner, ':', balance), JSON_OBJECT('id', id), GROUP_CONCAT(owner ORDER BY owner SEPARATOR ',') FROM accounts GROUP BY id, owner, balance
-- @@
-- kind: date functions
SELECT NOW(), CURDATE(), DATE_FORMAT(NOW(), '%%Y-%%m-%%d'), DATE_ADD(NOW(), INTERVAL 1 DAY)
-- @@
-- kind: CONVERT USING and introducers
SELECT CONVERT(owner USING utf8mb4), _utf8mb4'abc' COLLATE utf8mb4_bin FROM accounts
-- @@
-- kind: optimizer hint without SET_VAR
SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM accounts
-- @@
-- kind: comments of every style
# report
-- owners
/* totals */
SELECT owner, SUM(balance) FROM accounts GROUP BY owner
-- @@
-- kind: trailing semicolon
SELECT COUNT(*) FROM accounts;
-- @@
-- kind: reading a sequence table (MariaDB)
SELECT * FROM information_schema.TABLES WHERE TABLE_TYPE = 'SEQUENCE'
-- @@
-- kind: CASE and IF
SELECT CASE WHEN balance > 100 THEN 'rich' ELSE 'poor' END, IF(balance > 0, 1, 0), IFNULL(owner, '-') FROM accounts
-- @@
-- kind: lock status functions are reads
SELECT IS_FREE_LOCK('x'), IS_USED_LOCK('x'), CONNECTION_ID(), LAST_INSERT_ID()
-- @@
-- kind: reading the session's statement timeout (MariaDB)
SELECT @@session.max_statement_time
-- @@
-- kind: MariaDB sequence engine table
SELECT seq FROM seq_1_to_10 WHERE seq % 2 = 0
-- @@
-- Session statements (issue #9): harmless settings clients send (USE last: it changes the database).
-- @@
-- kind: time_zone
SET time_zone = '+00:00'
-- @@
-- kind: time_zone with SESSION
SET SESSION time_zone = '+01:00'
-- @@
-- kind: sql_select_limit
SET sql_select_limit = 1000
-- @@
-- kind: sql_select_limit with SESSION
SET SESSION sql_select_limit = 18446744073709551615
-- @@
-- kind: isolation level for the session
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED
-- @@
-- kind: isolation level for the next transaction
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ
-- @@
-- kind: MariaDB statement time limit
SET max_statement_time = 30
-- @@
-- kind: SHOW a variable
SHOW VARIABLES LIKE 'time_zone'
-- @@
-- kind: USE another database (reads only, as before)
USE information_schema
-- @@
-- kind: USE a backquoted name
USE `information_schema`
