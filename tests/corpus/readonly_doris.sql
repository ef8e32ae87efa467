-- Look-alikes of the Doris / StarRocks SHOW forms and catalog switch the gate admits
-- (allowed_doris.sql) that must still be refused by the doris and starrocks policies: a second
-- statement, calls, subqueries, INTO, other SET / SWITCH shapes, table functions that reach out.
-- Format: see tests/corpus/__init__.py.
-- @@
-- kind: SHOW CATALOGS then INSERT
SHOW CATALOGS; INSERT INTO accounts VALUES (9001, 'mallory', 1)
-- @@
-- kind: SHOW PARTITIONS then DELETE
SHOW PARTITIONS FROM accounts; DELETE FROM accounts
-- @@
-- kind: SET CATALOG then DROP
SET CATALOG hive; DROP TABLE accounts
-- @@
-- kind: SWITCH then DELETE
SWITCH hive; DELETE FROM accounts
-- @@
-- kind: SWITCH followed by more words
SWITCH hive DELETE FROM accounts
-- @@
-- kind: SWITCH with two names
SWITCH hive internal
-- @@
-- kind: SET CATALOG with an assignment
SET CATALOG = hive
-- @@
-- kind: SET CATALOG with a qualified name
SET CATALOG hive.sales
-- @@
-- kind: SET GLOBAL
SET GLOBAL read_only = 0
-- @@
-- kind: SET a session variable (no read-only session on these engines: nothing admitted)
SET enable_insert_strict = false
-- @@
-- kind: SHOW PARTITIONS with a subquery in WHERE
SHOW PARTITIONS FROM accounts WHERE PartitionName IN (SELECT owner FROM accounts)
-- @@
-- kind: SHOW DATA with a side-effect call
SHOW DATA FROM accounts WHERE sleep(5) = 0
-- @@
-- kind: SHOW TABLETS with a table function
SHOW TABLETS FROM s3('uri' = 's3://bucket/x', 'format' = 'csv')
-- @@
-- kind: SHOW CATALOGS LIKE a table function
SHOW CATALOGS LIKE query('catalog' = 'jdbc', 'query' = 'DELETE FROM accounts')
-- @@
-- kind: SHOW PARTITIONS INTO OUTFILE
SHOW PARTITIONS FROM accounts INTO OUTFILE 's3://bucket/x'
-- @@
-- kind: SHOW MATERIALIZED VIEWS with INSERT after it
SHOW MATERIALIZED VIEWS INSERT INTO accounts VALUES (1, 'x', 1)
-- @@
-- kind: SHOW CREATE MATERIALIZED VIEW with UPDATE after it
SHOW CREATE MATERIALIZED VIEW mv UPDATE accounts SET balance = 0
-- @@
-- kind: SHOW TABLET with a parenthesis that is not a partition list
SHOW TABLET (10010)
-- @@
-- kind: SHOW TABLETS PARTITION list with a call in it
SHOW TABLETS FROM accounts PARTITION (p1, sleep(1))
-- @@
-- kind: SHOW TABLETS PARTITION list left open
SHOW TABLETS FROM accounts PARTITION (p1
-- @@
-- kind: SHOW DATA with a user variable assignment
SHOW DATA FROM accounts WHERE @a := 1
-- @@
-- kind: SHOW PROC reaches FE internals (not on the closed list)
SHOW PROC '/'
-- @@
-- kind: SHOW CREATE CATALOG prints a catalog's properties (not on the closed list)
SHOW CREATE CATALOG hive
-- @@
-- kind: executable comment hiding a write after SHOW CATALOGS
SHOW CATALOGS /*!50000 ; DELETE FROM accounts */
-- @@
-- kind: REFRESH a materialized view (a write)
REFRESH MATERIALIZED VIEW mv_orders
-- @@
-- kind: CREATE CATALOG
CREATE CATALOG evil PROPERTIES ('type' = 'jdbc', 'jdbc_url' = 'jdbc:mysql://x/y')
-- @@
-- kind: DROP CATALOG
DROP CATALOG hive
-- @@
-- kind: ALTER TABLE ... DROP PARTITION
ALTER TABLE accounts DROP PARTITION p1
-- @@
-- kind: INSERT from a table function
INSERT INTO accounts SELECT * FROM s3('uri' = 's3://b/x', 'format' = 'csv')
-- @@
-- kind: SELECT from hdfs()
SELECT * FROM hdfs('uri' = 'hdfs://nn/x', 'format' = 'csv')
-- @@
-- kind: SELECT from query() hands SQL to an external database
SELECT * FROM query('catalog' = 'jdbc', 'query' = 'DELETE FROM accounts')
-- @@
-- kind: SHOW PARTITIONS with a second statement
SHOW PARTITIONS FROM accounts; DELETE FROM accounts
-- @@
-- kind: SHOW PARTITIONS exporting its rows
SHOW PARTITIONS FROM accounts INTO OUTFILE 's3://b/x'
-- @@
-- kind: SHOW PARTITIONS over a subquery
SHOW PARTITIONS FROM (SELECT 1) t
-- @@
-- kind: SHOW DATA with a call in its filter
SHOW DATA FROM accounts WHERE a = sleep(10)
-- @@
-- kind: SHOW PARTITIONS with a subquery in its partition list
SHOW PARTITIONS FROM accounts PARTITION (p1, (SELECT 1))
-- @@
-- kind: SHOW PARTITIONS assigning a user variable
SHOW PARTITIONS FROM accounts WHERE a = @x := 1
-- @@
-- kind: SHOW CATALOGS followed by UNION
SHOW CATALOGS LIKE 'a' UNION SELECT 1
-- @@
-- kind: SHOW CREATE MATERIALIZED VIEW turned into a definition
SHOW CREATE MATERIALIZED VIEW mv AS SELECT 1
-- @@
-- kind: an executable comment inside SHOW PARTITIONS
SHOW PARTITIONS /*!99999 ; DELETE FROM accounts */ FROM accounts
-- @@
-- kind: SWITCH followed by a second statement
SWITCH internal; DELETE FROM accounts
-- @@
-- kind: SET CATALOG with a property assignment
SET CATALOG hive, password = 'x'
-- @@
-- kind: SET CATALOG with an expression
SET CATALOG = hive
-- @@
-- kind: SWITCH with an executable comment
SWITCH /*! internal */ hive
