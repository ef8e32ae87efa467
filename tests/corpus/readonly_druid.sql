-- readonly_druid: see tests/corpus/__init__.py for the format
-- @@
-- kind: TABLE(EXTERN(...)) reads external data
SELECT * FROM TABLE(EXTERN('{"type": "http", "uris": ["http://203.0.113.7/x"]}', '{"type": "json"}', '[{"name": "a", "type": "string"}]'))
-- @@
-- kind: EXTERN lower case
select * from table(extern('{}', '{}', '[]'))
-- @@
-- kind: TABLE(http(...))
SELECT * FROM TABLE(http(userName => 'u', uris => ARRAY['http://203.0.113.7/x'], format => 'csv')) (a VARCHAR)
-- @@
-- kind: TABLE(localfiles(...))
SELECT * FROM TABLE(localfiles(baseDir => '/etc', filter => 'passwd', format => 'csv')) (a VARCHAR)
-- @@
-- kind: TABLE(s3(...))
SELECT * FROM TABLE(s3(uris => ARRAY['s3://b/x'], format => 'csv')) (a VARCHAR)
-- @@
-- kind: INSERT ... PARTITIONED BY
INSERT INTO accounts SELECT * FROM accounts PARTITIONED BY DAY
-- @@
-- kind: REPLACE ... OVERWRITE
REPLACE INTO accounts OVERWRITE ALL SELECT * FROM accounts PARTITIONED BY ALL
-- @@
-- kind: SET a context parameter
SET sqlTimeZone = 'UTC'
-- @@
-- kind: two statements
SELECT 1; SELECT 2
-- @@
-- kind: DELETE
DELETE FROM accounts
-- @@
-- kind: lower-case INSERT ... PARTITIONED BY
insert into accounts select * from accounts partitioned by day
-- @@
-- kind: INSERT from EXTERN with CLUSTERED BY
INSERT INTO accounts SELECT * FROM TABLE(EXTERN('{}', '{}', '[]')) PARTITIONED BY DAY CLUSTERED BY owner
-- @@
-- kind: REPLACE ... OVERWRITE WHERE
REPLACE INTO accounts OVERWRITE WHERE __time >= TIMESTAMP '2026-01-01' SELECT * FROM accounts PARTITIONED BY DAY
-- @@
-- kind: EXTERN inside a WITH clause
WITH ext AS (SELECT * FROM TABLE(EXTERN('{}', '{}', '[]'))) SELECT * FROM ext
-- @@
-- kind: EXTERN as a quoted identifier
SELECT * FROM TABLE("EXTERN"('{}', '{}', '[]'))
-- @@
-- kind: EXPLAIN of an ingestion
EXPLAIN PLAN FOR INSERT INTO accounts SELECT * FROM accounts PARTITIONED BY ALL
-- @@
-- kind: TABLE(iceberg(...)) input source
SELECT * FROM TABLE(iceberg(tableName => 't', namespace => 'n', warehouseSource => '{}')) (a VARCHAR)
-- @@
-- kind: TABLE(gcs(...)) input source
SELECT * FROM TABLE(gcs(uris => ARRAY['gs://b/x'], format => 'csv')) (a VARCHAR)
-- @@
-- kind: TABLE(inline(...)) with EXTEND
SELECT * FROM TABLE(inline(data => ARRAY['a'], format => 'csv')) EXTEND (a VARCHAR)
