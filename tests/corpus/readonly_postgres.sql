-- Statements the PostgreSQL gate must refuse; each would damage public.accounts / acct_seq or lift read-only mode.
-- Format: see tests/corpus/__init__.py.
-- @@
-- kind: plain DELETE
DELETE FROM public.accounts
-- @@
-- kind: plain UPDATE
UPDATE public.accounts SET balance = 0
-- @@
-- kind: plain INSERT
INSERT INTO public.accounts (id, owner, balance) VALUES (9001, 'mallory', 1000000)
-- @@
-- kind: INSERT ... SELECT doubles the rows
INSERT INTO public.accounts SELECT id + 100000, owner, balance FROM public.accounts
-- @@
-- kind: upsert
INSERT INTO public.accounts VALUES (1, 'mallory', 0) ON CONFLICT (id) DO UPDATE SET balance = 0, owner = EXCLUDED.owner
-- @@
-- kind: INSERT ... RETURNING
INSERT INTO public.accounts VALUES (9002, 'mallory', 1) RETURNING *
-- @@
-- kind: UPDATE ... FROM
UPDATE public.accounts a SET balance = b.balance * 2 FROM public.accounts b WHERE a.id = b.id
-- @@
-- kind: UPDATE ... RETURNING
UPDATE public.accounts SET balance = balance + 1 RETURNING id, balance
-- @@
-- kind: DELETE ... USING
DELETE FROM public.accounts a USING public.accounts b WHERE a.id = b.id
-- @@
-- kind: DELETE ... RETURNING
DELETE FROM public.accounts WHERE balance >= 0 RETURNING *
-- @@
-- kind: MERGE (PostgreSQL 15)
MERGE INTO public.accounts t
USING (SELECT id FROM public.accounts) s ON t.id = s.id
WHEN MATCHED THEN DELETE
-- @@
-- kind: MERGE update
MERGE INTO public.accounts t USING public.accounts s ON t.id = s.id WHEN MATCHED THEN UPDATE SET balance = 0
-- @@
-- kind: TRUNCATE
TRUNCATE public.accounts
-- @@
-- kind: TRUNCATE TABLE ... CASCADE
TRUNCATE TABLE public.accounts RESTART IDENTITY CASCADE
-- @@
-- kind: DROP TABLE
DROP TABLE public.accounts
-- @@
-- kind: DROP TABLE IF EXISTS CASCADE
DROP TABLE IF EXISTS public.accounts CASCADE
-- @@
-- kind: DROP SEQUENCE
DROP SEQUENCE acct_seq
-- @@
-- kind: DROP SCHEMA
DROP SCHEMA public CASCADE
-- @@
-- kind: ALTER TABLE add column
ALTER TABLE public.accounts ADD COLUMN pwned boolean DEFAULT true
-- @@
-- kind: ALTER TABLE drop column
ALTER TABLE public.accounts DROP COLUMN balance
-- @@
-- kind: ALTER TABLE rename
ALTER TABLE public.accounts RENAME TO accounts_gone
-- @@
-- kind: ALTER TABLE rename column
ALTER TABLE public.accounts RENAME COLUMN balance TO money
-- @@
-- kind: ALTER SEQUENCE restart
ALTER SEQUENCE acct_seq RESTART WITH 1000000
-- @@
-- kind: ALTER TABLE disable triggers
ALTER TABLE public.accounts DISABLE TRIGGER ALL
-- @@
-- kind: CREATE TABLE
CREATE TABLE public.pwned (id int)
-- @@
-- kind: CREATE TABLE AS
CREATE TABLE public.accounts_copy AS SELECT * FROM public.accounts
-- @@
-- kind: CREATE INDEX
CREATE INDEX accounts_owner_idx ON public.accounts (owner)
-- @@
-- kind: CREATE VIEW
CREATE VIEW public.v AS SELECT * FROM public.accounts
-- @@
-- kind: CREATE OR REPLACE FUNCTION with a write
CREATE OR REPLACE FUNCTION public.steal() RETURNS void LANGUAGE sql AS $$
  UPDATE public.accounts SET balance = 0;
$$
-- @@
-- kind: CREATE TRIGGER
CREATE TRIGGER t BEFORE INSERT ON public.accounts FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()
-- @@
-- kind: CREATE RULE
CREATE RULE r AS ON SELECT TO public.accounts DO INSTEAD NOTHING
-- @@
-- kind: CREATE EXTENSION
CREATE EXTENSION IF NOT EXISTS dblink
-- @@
-- kind: CREATE MATERIALIZED VIEW
CREATE MATERIALIZED VIEW public.mv AS SELECT * FROM public.accounts
-- @@
-- kind: REFRESH MATERIALIZED VIEW
REFRESH MATERIALIZED VIEW public.mv
-- @@
-- kind: CREATE POLICY
CREATE POLICY p ON public.accounts USING (false)
-- @@
-- kind: COMMENT ON
COMMENT ON TABLE public.accounts IS 'pwned'
-- @@
-- kind: SECURITY LABEL
SECURITY LABEL ON TABLE public.accounts IS 'pwned'
-- @@
-- kind: CREATE SCHEMA
CREATE SCHEMA pwned
-- @@
-- kind: CREATE SERVER (FDW)
CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host 'localhost')
-- @@
-- kind: IMPORT FOREIGN SCHEMA
IMPORT FOREIGN SCHEMA public FROM SERVER loopback INTO public
-- @@
-- kind: lower case
delete from public.accounts
-- @@
-- kind: mixed case
DeLeTe FrOm public.accounts
-- @@
-- kind: leading whitespace and newlines
   	  DELETE FROM public.accounts
-- @@
-- kind: keywords split over lines
DELETE
FROM
public.accounts
WHERE
true
-- @@
-- kind: comments instead of spaces
DELETE/**/FROM/**/public.accounts
-- @@
-- kind: leading block comment pretending to be a SELECT
/* SELECT */ DELETE FROM public.accounts
-- @@
-- kind: leading line comment
-- SELECT 1
DELETE FROM public.accounts
-- @@
-- kind: tabs between keywords
UPDATE	public.accounts	SET	balance	=	0
-- @@
-- kind: quoted table name
DELETE FROM "public"."accounts"
-- @@
-- kind: trailing semicolon
DELETE FROM public.accounts;
-- @@
-- kind: form feed as whitespace
-- escaped: yes
DELETE\fFROM public.accounts
-- @@
-- kind: carriage returns as whitespace
-- escaped: yes
UPDATE public.accounts\rSET balance = 0
-- @@
-- kind: stacked DELETE
SELECT 1; DELETE FROM public.accounts
-- @@
-- kind: stacked without space
SELECT 1;DELETE FROM public.accounts;
-- @@
-- kind: stacked on a new line
SELECT 1;
DELETE FROM public.accounts
-- @@
-- kind: stacked behind a comment
SELECT 1; /* harmless */ DELETE FROM public.accounts
-- @@
-- kind: stacked behind a line comment
SELECT 1; -- nothing to see
UPDATE public.accounts SET balance = 0
-- @@
-- kind: semicolon inside a string, then a real one
SELECT ';'; DELETE FROM public.accounts
-- @@
-- kind: string looking like a statement end
SELECT 'x'';'; DELETE FROM public.accounts
-- @@
-- kind: dollar-quoted string then DELETE
SELECT $$;$$; DELETE FROM public.accounts
-- @@
-- kind: TABLE then DELETE
TABLE public.accounts; DELETE FROM public.accounts
-- @@
-- kind: VALUES then DELETE
VALUES (1); DELETE FROM public.accounts
-- @@
-- kind: SHOW then SET
SHOW transaction_read_only; SET default_transaction_read_only = off
-- @@
-- kind: EXPLAIN then DELETE
EXPLAIN SELECT 1; DELETE FROM public.accounts
-- @@
-- kind: BEGIN; DELETE; COMMIT
BEGIN; DELETE FROM public.accounts; COMMIT
-- @@
-- kind: COMMIT then DELETE
COMMIT; DELETE FROM public.accounts
-- @@
-- kind: ROLLBACK then DELETE
ROLLBACK; DELETE FROM public.accounts
-- @@
-- kind: three statements
SELECT 1; SELECT 2; TRUNCATE public.accounts
-- @@
-- kind: empty statements around DELETE
;;DELETE FROM public.accounts;;
-- @@
-- kind: read-write transaction inline
BEGIN READ WRITE; UPDATE public.accounts SET balance = 0; COMMIT
-- @@
-- kind: DELETE first, SELECT after
DELETE FROM public.accounts; SELECT 1
-- @@
-- kind: CTE select then DROP
WITH x AS (SELECT 1) SELECT * FROM x; DROP TABLE public.accounts
-- @@
-- kind: block comment closed, then a statement
SELECT 1 /* comment */; DELETE FROM public.accounts
-- @@
-- kind: nested comment: PostgreSQL closes both, then runs DELETE
SELECT 1 /* outer /* inner */ still comment */; DELETE FROM public.accounts
-- @@
-- kind: nested comment opener inside a comment
SELECT 1 /* /* */ */; UPDATE public.accounts SET balance = 0
-- @@
-- kind: line comment ended by a carriage return
-- escaped: yes
SELECT 1 -- comment\r; DELETE FROM public.accounts
-- @@
-- kind: line comment ended by newline
SELECT 1 -- comment ; still comment
; DELETE FROM public.accounts
-- @@
-- kind: backslash in a standard string ends the string
SELECT '\'; DELETE FROM public.accounts; --'
-- @@
-- kind: backslash-quote in a standard string
SELECT 'it\'; DELETE FROM public.accounts; SELECT ''
-- @@
-- kind: E-string escaped quote, then a statement
SELECT E'\''; DELETE FROM public.accounts; --'
-- @@
-- kind: E-string escaped backslash, then a statement
SELECT E'\\'; DELETE FROM public.accounts
-- @@
-- kind: dollar tag glued to an identifier
SELECT 1 AS a$b$; DELETE FROM public.accounts; SELECT 1 AS c$b$
-- @@
-- kind: tagged dollar quote, then DELETE
SELECT $t$ ; $t$; DELETE FROM public.accounts
-- @@
-- kind: dollar quote containing $$
SELECT $q$ $$ $q$; DELETE FROM public.accounts
-- @@
-- kind: unicode escape identifier spelling nextval
SELECT U&"\006Eextval"('acct_seq')
-- @@
-- kind: unicode escape identifier spelling set_config
SELECT U&"set\005Fconfig"('default_transaction_read_only', 'off', false)
-- @@
-- kind: unicode string then a statement
SELECT U&'\0041'; DELETE FROM public.accounts
-- @@
-- kind: comment between function name and parenthesis
SELECT nextval/* x */('acct_seq')
-- @@
-- kind: NUL byte hidden in the middle
-- escaped: yes
SELECT 1\x00; DELETE FROM public.accounts
-- @@
-- kind: non-breaking space next to a statement
-- escaped: yes
SELECT 1;\u00a0DELETE FROM public.accounts
-- @@
-- kind: statement after a string with doubled quotes
SELECT 'a''b''c'; DELETE FROM public.accounts
-- @@
-- kind: unterminated comment swallowing nothing
DELETE FROM public.accounts /* trailing
-- @@
-- kind: writable CTE DELETE
WITH d AS (DELETE FROM public.accounts RETURNING *) SELECT count(*) FROM d
-- @@
-- kind: writable CTE UPDATE
WITH u AS (UPDATE public.accounts SET balance = 0 RETURNING id) SELECT * FROM u
-- @@
-- kind: writable CTE INSERT
WITH i AS (INSERT INTO public.accounts VALUES (9003, 'mallory', 1) RETURNING id) SELECT * FROM i
-- @@
-- kind: writable CTE not referenced
WITH d AS (DELETE FROM public.accounts) SELECT 1
-- @@
-- kind: writable CTE after a harmless one
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3),
     d AS (DELETE FROM public.accounts RETURNING id)
SELECT * FROM r
-- @@
-- kind: writable CTE, lower case
with d as (delete from public.accounts returning *) select * from d
-- @@
-- kind: MATERIALIZED writable CTE
WITH d AS MATERIALIZED (UPDATE public.accounts SET owner = 'x' RETURNING *) TABLE d
-- @@
-- kind: CTE followed by DELETE
WITH x AS (SELECT id FROM public.accounts) DELETE FROM public.accounts WHERE id IN (SELECT id FROM x)
-- @@
-- kind: CTE followed by UPDATE
WITH x AS (SELECT 0 AS z) UPDATE public.accounts SET balance = (SELECT z FROM x)
-- @@
-- kind: CTE followed by INSERT
WITH x AS (SELECT 9004 AS id) INSERT INTO public.accounts (id) SELECT id FROM x
-- @@
-- kind: SELECT INTO creates a table
SELECT * INTO public.accounts_copy FROM public.accounts
-- @@
-- kind: SELECT INTO TEMP
SELECT * INTO TEMP accounts_tmp FROM public.accounts
-- @@
-- kind: SELECT INTO UNLOGGED
SELECT id INTO UNLOGGED TABLE public.accounts_ids FROM public.accounts
-- @@
-- kind: SELECT FOR UPDATE
SELECT * FROM public.accounts FOR UPDATE
-- @@
-- kind: SELECT FOR NO KEY UPDATE
SELECT * FROM public.accounts FOR NO KEY UPDATE
-- @@
-- kind: SELECT FOR SHARE
SELECT * FROM public.accounts FOR SHARE
-- @@
-- kind: SELECT FOR KEY SHARE NOWAIT
SELECT * FROM public.accounts FOR KEY SHARE NOWAIT
-- @@
-- kind: SELECT FOR UPDATE SKIP LOCKED
SELECT id FROM public.accounts ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
-- @@
-- kind: locking read inside a subquery
SELECT * FROM public.accounts WHERE id IN (SELECT id FROM public.accounts FOR UPDATE)
-- @@
-- kind: locking read inside a CTE
WITH l AS (SELECT * FROM public.accounts FOR UPDATE) SELECT * FROM l
-- @@
-- kind: LOCK TABLE
LOCK TABLE public.accounts IN ACCESS EXCLUSIVE MODE
-- @@
-- kind: nextval in the select list
SELECT nextval('acct_seq')
-- @@
-- kind: nextval in WHERE
SELECT * FROM public.accounts WHERE nextval('acct_seq') > 0
-- @@
-- kind: nextval as a table function
SELECT * FROM nextval('acct_seq')
-- @@
-- kind: nextval in ROWS FROM
SELECT * FROM ROWS FROM (nextval('acct_seq'))
-- @@
-- kind: nextval in ORDER BY
SELECT * FROM public.accounts ORDER BY nextval('acct_seq')
-- @@
-- kind: nextval in GROUP BY
SELECT count(*) FROM public.accounts GROUP BY nextval('acct_seq')
-- @@
-- kind: nextval in HAVING
SELECT owner FROM public.accounts GROUP BY owner HAVING nextval('acct_seq') > 0
-- @@
-- kind: nextval in LIMIT
SELECT * FROM public.accounts LIMIT nextval('acct_seq')
-- @@
-- kind: nextval in OFFSET
SELECT * FROM public.accounts OFFSET nextval('acct_seq')
-- @@
-- kind: nextval in a scalar subquery
SELECT (SELECT nextval('acct_seq'))
-- @@
-- kind: nextval in a derived table
SELECT * FROM (SELECT nextval('acct_seq') AS n FROM public.accounts) s
-- @@
-- kind: nextval in a CTE
WITH s AS (SELECT nextval('acct_seq') AS n FROM generate_series(1, 100)) SELECT max(n) FROM s
-- @@
-- kind: nextval in a LATERAL join
SELECT * FROM public.accounts a, LATERAL (SELECT nextval('acct_seq')) n
-- @@
-- kind: nextval in JOIN ON
SELECT * FROM public.accounts a JOIN public.accounts b ON nextval('acct_seq') > 0
-- @@
-- kind: nextval in CASE
SELECT CASE WHEN id > 0 THEN nextval('acct_seq') END FROM public.accounts
-- @@
-- kind: nextval in VALUES
VALUES (nextval('acct_seq'))
-- @@
-- kind: nextval in a FILTER clause
SELECT count(*) FILTER (WHERE nextval('acct_seq') > 0) FROM public.accounts
-- @@
-- kind: nextval inside ARRAY()
SELECT ARRAY(SELECT nextval('acct_seq') FROM generate_series(1, 1000))
-- @@
-- kind: nextval nested in another call
SELECT lower(nextval('acct_seq')::text)
-- @@
-- kind: nextval in a UNION branch
SELECT 1 UNION ALL SELECT nextval('acct_seq')
-- @@
-- kind: nextval upper case
SELECT NEXTVAL('acct_seq')
-- @@
-- kind: nextval quoted
SELECT "nextval"('acct_seq')
-- @@
-- kind: nextval schema-qualified
SELECT pg_catalog.nextval('acct_seq')
-- @@
-- kind: nextval schema-qualified and quoted
SELECT "pg_catalog"."nextval"('acct_seq')
-- @@
-- kind: nextval with spaces around the dot and parenthesis
SELECT pg_catalog . nextval ( 'acct_seq' )
-- @@
-- kind: nextval with a regclass cast
SELECT nextval('acct_seq'::regclass)
-- @@
-- kind: nextval on a new line
SELECT
nextval
(
'acct_seq'
)
-- @@
-- kind: setval
SELECT setval('acct_seq', 1000000)
-- @@
-- kind: setval through pg_get_serial_sequence
SELECT setval(pg_get_serial_sequence('public.accounts', 'id'), 1)
-- @@
-- kind: set_config lifts read-only
SELECT set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: set_config on the transaction
SELECT set_config('transaction_read_only', 'off', true)
-- @@
-- kind: set_config schema-qualified
SELECT pg_catalog.set_config('search_path', 'pwned', false)
-- @@
-- kind: set_config as a table function
SELECT * FROM set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: set_config in WHERE
SELECT * FROM public.accounts WHERE set_config('default_transaction_read_only', 'off', false) IS NOT NULL
-- @@
-- kind: advisory lock
SELECT pg_advisory_lock(42)
-- @@
-- kind: advisory try lock
SELECT pg_try_advisory_lock(42)
-- @@
-- kind: advisory transaction lock
SELECT pg_advisory_xact_lock(42)
-- @@
-- kind: advisory shared lock
SELECT pg_catalog.pg_advisory_lock_shared(42)
-- @@
-- kind: terminate backends
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
-- @@
-- kind: cancel backends
SELECT pg_cancel_backend(pid) FROM pg_stat_activity
-- @@
-- kind: reload configuration
SELECT pg_reload_conf()
-- @@
-- kind: rotate log file
SELECT pg_rotate_logfile()
-- @@
-- kind: switch WAL
SELECT pg_switch_wal()
-- @@
-- kind: create restore point
SELECT pg_create_restore_point('pwned')
-- @@
-- kind: promote standby
SELECT pg_promote()
-- @@
-- kind: backup start
SELECT pg_backup_start('pwned')
-- @@
-- kind: NOTIFY through pg_notify
SELECT pg_notify('channel', 'payload')
-- @@
-- kind: logical emit message
SELECT pg_logical_emit_message(true, 'p', 'x')
-- @@
-- kind: create replication slot
SELECT pg_create_logical_replication_slot('pwned', 'test_decoding')
-- @@
-- kind: drop replication slot
SELECT pg_drop_replication_slot('pwned')
-- @@
-- kind: consume replication slot
SELECT * FROM pg_logical_slot_get_changes('pwned', NULL, NULL)
-- @@
-- kind: large object import
SELECT lo_import('/etc/passwd')
-- @@
-- kind: large object export
SELECT lo_export(16384, '/tmp/sqlgate_pwned')
-- @@
-- kind: large object create
SELECT lo_create(0)
-- @@
-- kind: large object from bytea
SELECT lo_from_bytea(0, 'x'::bytea)
-- @@
-- kind: large object unlink
SELECT lo_unlink(oid) FROM pg_largeobject_metadata
-- @@
-- kind: large object put
SELECT lo_put(16384, 0, 'x'::bytea)
-- @@
-- kind: dblink_exec writes over a loopback
SELECT dblink_exec('dbname=postgres', 'DELETE FROM public.accounts')
-- @@
-- kind: dblink as a table function
SELECT * FROM dblink('dbname=postgres', 'DELETE FROM public.accounts RETURNING id') AS t(id int)
-- @@
-- kind: dblink_connect
SELECT dblink_connect('c', 'dbname=postgres')
-- @@
-- kind: read a server file
SELECT pg_read_file('/etc/passwd')
-- @@
-- kind: read a binary server file
SELECT pg_read_binary_file('postgresql.conf')
-- @@
-- kind: list a server directory
SELECT * FROM pg_ls_dir('.')
-- @@
-- kind: stat a server file
SELECT * FROM pg_stat_file('postgresql.conf')
-- @@
-- kind: adminpack file write
SELECT pg_file_write('pwned.conf', 'fsync = off', false)
-- @@
-- kind: query_to_xml runs a SQL string
SELECT query_to_xml('DELETE FROM public.accounts RETURNING id', true, false, '')
-- @@
-- kind: cursor_to_xml
SELECT cursor_to_xml('c', 10, true, false, '')
-- @@
-- kind: txid_current assigns a transaction id
SELECT txid_current()
-- @@
-- kind: pg_current_xact_id assigns a transaction id
SELECT pg_current_xact_id()
-- @@
-- kind: pg_sleep (denial of service)
SELECT pg_sleep(3600)
-- @@
-- kind: pg_sleep_for
SELECT pg_sleep_for('1 hour')
-- @@
-- kind: pg_sleep in WHERE for every row
SELECT * FROM public.accounts WHERE pg_sleep(10) IS NOT NULL
-- @@
-- kind: statistics reset
SELECT pg_stat_reset()
-- @@
-- kind: BRIN summarize
SELECT brin_summarize_new_values('accounts_brin_idx')
-- @@
-- kind: http extension
SELECT http_get('http://169.254.169.254/latest/meta-data/')
-- @@
-- kind: SET SESSION CHARACTERISTICS READ WRITE
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE
-- @@
-- kind: SET TRANSACTION READ WRITE
SET TRANSACTION READ WRITE
-- @@
-- kind: SET default_transaction_read_only
SET default_transaction_read_only = off
-- @@
-- kind: SET ... TO
SET default_transaction_read_only TO off
-- @@
-- kind: SET SESSION
SET SESSION default_transaction_read_only = false
-- @@
-- kind: SET LOCAL
SET LOCAL transaction_read_only = off
-- @@
-- kind: SET lower case
set transaction_read_only = off
-- @@
-- kind: SET ROLE
SET ROLE postgres
-- @@
-- kind: SET SESSION AUTHORIZATION
SET SESSION AUTHORIZATION postgres
-- @@
-- kind: BEGIN READ WRITE
BEGIN READ WRITE
-- @@
-- kind: BEGIN TRANSACTION READ WRITE
BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE
-- @@
-- kind: START TRANSACTION READ WRITE
START TRANSACTION READ WRITE
-- @@
-- kind: START TRANSACTION with modes then READ WRITE
START TRANSACTION ISOLATION LEVEL READ COMMITTED READ WRITE
-- @@
-- kind: RESET default_transaction_read_only
RESET default_transaction_read_only
-- @@
-- kind: RESET ALL
RESET ALL
-- @@
-- kind: DISCARD ALL
DISCARD ALL
-- @@
-- kind: ALTER ROLE ... SET
ALTER ROLE CURRENT_USER SET default_transaction_read_only = off
-- @@
-- kind: ALTER DATABASE ... SET
ALTER DATABASE postgres SET default_transaction_read_only = off
-- @@
-- kind: ALTER SYSTEM
ALTER SYSTEM SET default_transaction_read_only = off
-- @@
-- kind: PREPARE TRANSACTION
PREPARE TRANSACTION 'pwned'
-- @@
-- kind: COMMIT PREPARED
COMMIT PREPARED 'pwned'
-- @@
-- kind: SAVEPOINT
SAVEPOINT s1
-- @@
-- kind: ROLLBACK TO SAVEPOINT
ROLLBACK TO SAVEPOINT s1
-- @@
-- kind: CALL
CALL public.reset_balances()
-- @@
-- kind: DO block
DO $$ BEGIN DELETE FROM public.accounts; END $$
-- @@
-- kind: DO block with a tag
DO $body$ BEGIN UPDATE public.accounts SET balance = 0; END $body$
-- @@
-- kind: DO with LANGUAGE
DO LANGUAGE plpgsql $$ BEGIN TRUNCATE public.accounts; END $$
-- @@
-- kind: DO with an E-string body
DO E'BEGIN DELETE FROM public.accounts; END'
-- @@
-- kind: PREPARE a DELETE
PREPARE wipe AS DELETE FROM public.accounts
-- @@
-- kind: EXECUTE a prepared statement
EXECUTE wipe
-- @@
-- kind: DEALLOCATE
DEALLOCATE ALL
-- @@
-- kind: DECLARE a cursor with a side effect
DECLARE c CURSOR WITH HOLD FOR SELECT nextval('acct_seq') FROM generate_series(1, 10)
-- @@
-- kind: FETCH
FETCH ALL FROM c
-- @@
-- kind: COPY FROM PROGRAM
COPY public.accounts FROM PROGRAM 'echo 9005,mallory,1'
-- @@
-- kind: COPY TO a server file
COPY public.accounts TO '/tmp/sqlgate_accounts.csv'
-- @@
-- kind: COPY query TO PROGRAM
COPY (SELECT 1) TO PROGRAM 'touch /tmp/sqlgate_pwned'
-- @@
-- kind: COPY FROM STDIN
COPY public.accounts FROM STDIN
-- @@
-- kind: GRANT
GRANT ALL ON public.accounts TO PUBLIC
-- @@
-- kind: REVOKE
REVOKE ALL ON public.accounts FROM PUBLIC
-- @@
-- kind: GRANT role
GRANT pg_write_server_files TO CURRENT_USER
-- @@
-- kind: CREATE ROLE
CREATE ROLE mallory SUPERUSER LOGIN PASSWORD 'x'
-- @@
-- kind: VACUUM FULL
VACUUM FULL public.accounts
-- @@
-- kind: ANALYZE
ANALYZE public.accounts
-- @@
-- kind: CLUSTER
CLUSTER public.accounts USING accounts_pkey
-- @@
-- kind: REINDEX
REINDEX TABLE public.accounts
-- @@
-- kind: CHECKPOINT
CHECKPOINT
-- @@
-- kind: LISTEN
LISTEN pwned
-- @@
-- kind: NOTIFY
NOTIFY pwned, 'payload'
-- @@
-- kind: LOAD a library
LOAD 'auto_explain'
-- @@
-- kind: EXPLAIN ANALYZE DELETE
EXPLAIN ANALYZE DELETE FROM public.accounts
-- @@
-- kind: EXPLAIN ANALYSE spelling
EXPLAIN ANALYSE VERBOSE UPDATE public.accounts SET balance = 0
-- @@
-- kind: EXPLAIN (ANALYZE) UPDATE
EXPLAIN (ANALYZE) UPDATE public.accounts SET balance = 0
-- @@
-- kind: EXPLAIN (ANALYZE, FORMAT JSON) INSERT
EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO public.accounts VALUES (9006, 'mallory', 1)
-- @@
-- kind: EXPLAIN (ANALYZE true, BUFFERS) DELETE
EXPLAIN (ANALYZE true, BUFFERS) DELETE FROM public.accounts
-- @@
-- kind: EXPLAIN ANALYZE of a side-effect SELECT
EXPLAIN ANALYZE SELECT nextval('acct_seq') FROM generate_series(1, 100)
-- @@
-- kind: EXPLAIN ANALYZE of a writable CTE
EXPLAIN ANALYZE WITH d AS (DELETE FROM public.accounts RETURNING *) SELECT * FROM d
-- @@
-- kind: EXPLAIN ANALYZE CREATE TABLE AS
EXPLAIN ANALYZE CREATE TABLE public.pwned AS SELECT * FROM public.accounts
-- @@
-- kind: EXPLAIN ANALYZE EXECUTE
EXPLAIN ANALYZE EXECUTE wipe
-- @@
-- kind: EXPLAIN ANALYZE SELECT FOR UPDATE
EXPLAIN ANALYZE SELECT * FROM public.accounts FOR UPDATE
-- @@
-- kind: placeholder inside a string literal
SELECT * FROM public.accounts WHERE owner = '%s'; DELETE FROM public.accounts
-- @@
-- kind: placeholder inside a comment
SELECT * FROM public.accounts -- %s
; DELETE FROM public.accounts
-- @@
-- kind: placeholders around a DELETE
SELECT %s; DELETE FROM public.accounts WHERE id = %(id)s
-- @@
-- kind: positional parameter in a DELETE
DELETE FROM public.accounts WHERE id = $1
-- @@
-- Red team (tests/security/test_postgres_attacks.py): every record whose kind starts with
-- "redteam" also runs against a live lab database with hostile roles; tags after "redteam" say
-- how: lift = followed by COMMIT and a write, begin = followed by a write, su / atk2 = also
-- as a superuser / as a role holding pg_read_server_files, pg_write_server_files,
-- pg_execute_server_program and pg_signal_backend. Objects: public.accounts, acct_seq,
-- public.audit_log, public.atk_insert(text), the dblink_fdw server atk_loop.
-- @@
-- kind: redteam lift su: set_config lifts default_transaction_read_only
SELECT set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config quoted
SELECT "set_config"('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config upper case
SELECT SET_CONFIG('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config schema-qualified and quoted
SELECT pg_catalog."set_config"('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config quoted schema and name
SELECT "pg_catalog"."set_config"('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config with a comment before the parenthesis
SELECT set_config/**/('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config with a newline before the parenthesis
SELECT set_config
('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config with a line comment before the parenthesis
SELECT set_config -- call
('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config as a unicode-escaped identifier
SELECT U&"set\005fconfig"('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config as a unicode-escaped identifier with UESCAPE
SELECT pg_catalog.U&"!0073et_config" UESCAPE '!'('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config spaced out around the dot
SELECT pg_catalog . set_config ( 'default_transaction_read_only' , 'off' , false )
-- @@
-- kind: redteam lift: set_config fed from pg_settings
SELECT set_config(name, 'off', false) FROM pg_settings WHERE name = 'default_transaction_read_only'
-- @@
-- kind: redteam lift: current_setting next to set_config
SELECT current_setting('default_transaction_read_only'), set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config name built by current_setting
SELECT set_config(current_setting('application_name') || 'x', 'off', false), set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config in a CASE branch that never runs
SELECT CASE WHEN false THEN set_config('default_transaction_read_only', 'off', false) END
-- @@
-- kind: redteam lift: set_config in a CASE branch that runs
SELECT CASE WHEN true THEN set_config('default_transaction_read_only', 'off', false) END
-- @@
-- kind: redteam lift: set_config inside COALESCE
SELECT COALESCE(NULL, set_config('default_transaction_read_only', 'off', false))
-- @@
-- kind: redteam lift: set_config in VALUES
VALUES (set_config('default_transaction_read_only', 'off', false))
-- @@
-- kind: redteam lift: set_config inside ARRAY(SELECT ...)
SELECT ARRAY(SELECT set_config('default_transaction_read_only', 'off', false))
-- @@
-- kind: redteam lift: set_config in a row constructor
SELECT ROW(set_config('default_transaction_read_only', 'off', false), 1)
-- @@
-- kind: redteam lift: set_config with a ::text cast
SELECT set_config('default_transaction_read_only', 'off', false)::text
-- @@
-- kind: redteam lift: set_config behind OPERATOR(pg_catalog.||)
SELECT 'x' OPERATOR(pg_catalog.||) set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config in a CTE
WITH s AS (SELECT set_config('default_transaction_read_only', 'off', false) AS v) SELECT v FROM s
-- @@
-- kind: redteam lift: set_config in a scalar subquery
SELECT (SELECT set_config('default_transaction_read_only', 'off', false))
-- @@
-- kind: redteam lift: set_config in ORDER BY
SELECT id FROM public.accounts ORDER BY set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config in GROUP BY
SELECT count(*) FROM public.accounts GROUP BY set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config in a LATERAL subquery
SELECT a.id FROM public.accounts a, LATERAL (SELECT set_config('default_transaction_read_only', 'off', false)) s
-- @@
-- kind: redteam lift: set_config as a table function
SELECT * FROM set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config under EXPLAIN ANALYZE
EXPLAIN ANALYZE SELECT set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config under EXPLAIN (ANALYZE, FORMAT JSON)
EXPLAIN (ANALYZE, FORMAT JSON) SELECT set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config on transaction_read_only
SELECT set_config('transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift: set_config local to the transaction
SELECT set_config('default_transaction_read_only', 'off', true)
-- @@
-- kind: redteam lift: set_config through a UNION branch
SELECT 'a' UNION ALL SELECT set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: redteam lift su: ts_stat runs a SQL string that lifts the guard
SELECT * FROM ts_stat($q$SELECT to_tsvector(set_config('default_transaction_read_only', 'off', false))$q$)
-- @@
-- kind: redteam lift: ts_rewrite runs a SQL string that lifts the guard
SELECT ts_rewrite('a'::tsquery, $q$SELECT 'a'::tsquery, ('b' || set_config('default_transaction_read_only', 'off', false))::tsquery$q$)
-- @@
-- kind: redteam lift: crosstab(text) runs a SQL string
SELECT * FROM crosstab($q$SELECT 'r'::text, 'c'::text, set_config('default_transaction_read_only', 'off', false)$q$) AS ct(r text, c text)
-- @@
-- kind: redteam lift: crosstab(text, text) runs its category query
SELECT * FROM crosstab($q$SELECT 'r'::text, 'c'::text, 'v'::text$q$, $q$SELECT set_config('default_transaction_read_only', 'off', false)$q$) AS ct(r text, c text)
-- @@
-- kind: redteam lift: crosstab2 runs a SQL string
SELECT * FROM crosstab2($q$SELECT 'r'::text, 'c'::text, set_config('default_transaction_read_only', 'off', false)$q$)
-- @@
-- kind: redteam lift: xpath_table splices its criteria argument into SQL
SELECT * FROM xpath_table('id', '''<a>1</a>''', 'public.accounts', '/a', 'set_config(''default_transaction_read_only'', ''off'', false) IS NOT NULL') AS t(id int, a text)
-- @@
-- kind: redteam lift: connectby splices its relation argument into SQL
SELECT * FROM connectby('(SELECT ''1''::text AS k, set_config(''default_transaction_read_only'', ''off'', false) AS p) s', 'k', 'p', '1', 0) AS t(k text, p text, level int)
-- @@
-- kind: redteam lift: query_to_xml runs a SQL string
SELECT query_to_xml($q$SELECT set_config('default_transaction_read_only', 'off', false)$q$, true, true, '')
-- @@
-- kind: redteam lift: query_to_xmlschema plans a SQL string
SELECT query_to_xmlschema($q$SELECT set_config('default_transaction_read_only', 'off', false)$q$, true, true, '')
-- @@
-- kind: redteam lift: query_to_xml_and_xmlschema runs a SQL string
SELECT query_to_xml_and_xmlschema($q$SELECT set_config('default_transaction_read_only', 'off', false)$q$, true, true, '')
-- @@
-- kind: redteam lift: UPDATE pg_settings
UPDATE pg_settings SET setting = 'off' WHERE name = 'default_transaction_read_only'
-- @@
-- kind: redteam lift: SET default_transaction_read_only = 0
SET default_transaction_read_only = 0
-- @@
-- kind: redteam lift: SET SESSION ... TO false
set session default_transaction_read_only to false
-- @@
-- kind: redteam lift: SET SESSION CHARACTERISTICS
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE
-- @@
-- kind: redteam lift: RESET ALL
RESET ALL
-- @@
-- kind: redteam lift: DO block calling set_config
DO $$BEGIN PERFORM set_config('default_transaction_read_only', 'off', false); END$$
-- @@
-- kind: redteam begin: BEGIN READ WRITE
BEGIN READ WRITE
-- @@
-- kind: redteam begin: START TRANSACTION with a mode list ending in READ WRITE
START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE
-- @@
-- kind: redteam begin: SET TRANSACTION READ WRITE
SET TRANSACTION READ WRITE
-- @@
-- kind: redteam begin: SET LOCAL transaction_read_only
SET LOCAL transaction_read_only = off
-- @@
-- kind: redteam su: ts_stat runs a SQL string that writes
SELECT * FROM ts_stat($q$SELECT to_tsvector(public.atk_insert('ts_stat')::text)$q$)
-- @@
-- kind: redteam su: query_to_xml runs a SQL string that writes
SELECT query_to_xml($q$SELECT public.atk_insert('query_to_xml')$q$, true, true, '')
-- @@
-- kind: redteam: cursor_to_xml
SELECT cursor_to_xml('c'::refcursor, 1, false, false, '')
-- @@
-- kind: redteam su atk2: dblink writes through a session without the guard
SELECT * FROM dblink('atk_loop', $q$INSERT INTO public.audit_log(who) VALUES ('dblink') RETURNING who$q$) AS t(who text)
-- @@
-- kind: redteam su: dblink_exec deletes through a loopback session
SELECT dblink_exec('atk_loop', $q$DELETE FROM public.accounts$q$)
-- @@
-- kind: redteam: dblink_exec schema-qualified
SELECT public.dblink_exec('atk_loop', $q$UPDATE public.accounts SET balance = 0$q$)
-- @@
-- kind: redteam: dblink_exec quoted
SELECT "dblink_exec"('atk_loop', $q$INSERT INTO public.audit_log(who) VALUES ('quoted')$q$)
-- @@
-- kind: redteam su: dblink_connect keeps a second session open
SELECT dblink_connect('atk', 'atk_loop')
-- @@
-- kind: redteam: dblink_connect and dblink_send_query in one statement
SELECT dblink_connect('atk', 'atk_loop'), dblink_send_query('atk', $q$INSERT INTO public.audit_log(who) VALUES ('async')$q$)
-- @@
-- kind: redteam: nextval quoted and schema-qualified
SELECT pg_catalog."nextval"('public.acct_seq')
-- @@
-- kind: redteam su: nextval with a comment before the parenthesis
SELECT nextval/**/('acct_seq')
-- @@
-- kind: redteam su: setval
SELECT setval('acct_seq', 1000, true)
-- @@
-- kind: redteam: setval schema-qualified with a regclass cast
SELECT pg_catalog.setval('public.acct_seq'::regclass, 5)
-- @@
-- kind: redteam: setval quoted
SELECT "setval"('acct_seq', 7)
-- @@
-- kind: redteam: nextval in FROM
SELECT * FROM nextval('acct_seq')
-- @@
-- kind: redteam su: lo_create
SELECT lo_create(0)
-- @@
-- kind: redteam: lo_creat
SELECT lo_creat(-1)
-- @@
-- kind: redteam su atk2: lo_import reads a server file into a large object
SELECT lo_import('/etc/hostname')
-- @@
-- kind: redteam: lo_from_bytea
SELECT lo_from_bytea(0, convert_to('pwned', 'UTF8'))
-- @@
-- kind: redteam: lo_put into a new large object
SELECT lo_put(lo_create(0), 0, convert_to('pwned', 'UTF8'))
-- @@
-- kind: redteam: lo_create quoted
SELECT "lo_create"(0)
-- @@
-- kind: redteam: lo_from_bytea schema-qualified
SELECT pg_catalog.lo_from_bytea(0, convert_to('x', 'UTF8'))
-- @@
-- kind: redteam su: lo_export writes a server file
SELECT lo_export(lo_from_bytea(0, convert_to('x', 'UTF8')), '/tmp/sqlgate_redteam_lo_export')
-- @@
-- kind: redteam: lo_unlink every large object
SELECT lo_unlink(oid) FROM pg_largeobject_metadata
-- @@
-- kind: redteam su: pg_advisory_lock
SELECT pg_advisory_lock(4242)
-- @@
-- kind: redteam: pg_try_advisory_lock
SELECT pg_try_advisory_lock(4242)
-- @@
-- kind: redteam: pg_advisory_xact_lock
SELECT pg_advisory_xact_lock(4242)
-- @@
-- kind: redteam: pg_advisory_lock_shared
SELECT pg_advisory_lock_shared(4242)
-- @@
-- kind: redteam: pg_advisory_lock with two keys
SELECT pg_advisory_lock(42, 42)
-- @@
-- kind: redteam: pg_advisory_lock quoted
SELECT "pg_advisory_lock"(4242)
-- @@
-- kind: redteam: pg_advisory_lock schema-qualified
SELECT pg_catalog.pg_advisory_lock(4242)
-- @@
-- kind: redteam: pg_advisory_lock upper case
SELECT PG_ADVISORY_LOCK(4242)
-- @@
-- kind: redteam: pg_advisory_lock with a comment before the parenthesis
SELECT pg_advisory_lock/**/(4242)
-- @@
-- kind: redteam: pg_try_advisory_xact_lock_shared
SELECT pg_try_advisory_xact_lock_shared(4242)
-- @@
-- kind: redteam: advisory lock in a CTE
WITH l AS (SELECT pg_advisory_lock(4242) AS x) SELECT x FROM l
-- @@
-- kind: redteam su atk2: pg_terminate_backend of another session
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pg_attack_victim'
-- @@
-- kind: redteam atk2: pg_terminate_backend with a timeout
SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity WHERE application_name = 'pg_attack_victim'
-- @@
-- kind: redteam atk2: pg_terminate_backend quoted and schema-qualified
SELECT pg_catalog."pg_terminate_backend"(pid) FROM pg_stat_activity WHERE application_name = 'pg_attack_victim'
-- @@
-- kind: redteam su atk2: pg_cancel_backend of another session
SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'pg_attack_victim'
-- @@
-- kind: redteam su atk2: pg_read_file of /etc/passwd
SELECT pg_read_file('/etc/passwd')
-- @@
-- kind: redteam su: pg_read_file of the server configuration
SELECT pg_read_file('postgresql.auto.conf', 0, 100)
-- @@
-- kind: redteam su: pg_read_file of the hba file
SELECT pg_read_file(setting) FROM pg_settings WHERE name = 'hba_file'
-- @@
-- kind: redteam atk2: pg_read_binary_file
SELECT pg_read_binary_file('/etc/passwd')
-- @@
-- kind: redteam su atk2: pg_ls_dir of the data directory
SELECT * FROM pg_ls_dir('.')
-- @@
-- kind: redteam su: pg_stat_file
SELECT pg_stat_file('postgresql.conf')
-- @@
-- kind: redteam su: pg_ls_waldir
SELECT * FROM pg_ls_waldir()
-- @@
-- kind: redteam su: adminpack pg_file_write overwrites a file
SELECT pg_file_write('pg_attack_marker', 'pwned', false)
-- @@
-- kind: redteam su: adminpack pg_file_write appends
SELECT pg_catalog.pg_file_write('pg_attack_marker', 'pwned', true)
-- @@
-- kind: redteam su: adminpack pg_file_write creates a file
SELECT pg_file_write('pg_attack_created', 'pwned', false)
-- @@
-- kind: redteam su: adminpack pg_file_rename
SELECT pg_file_rename('pg_attack_marker', 'pg_attack_renamed')
-- @@
-- kind: redteam su: adminpack pg_file_unlink
SELECT pg_file_unlink('pg_attack_marker')
-- @@
-- kind: redteam su atk2: COPY TO PROGRAM
COPY (SELECT 1) TO PROGRAM 'touch /tmp/sqlgate_redteam_program_marker'
-- @@
-- kind: redteam su atk2: COPY table TO PROGRAM
COPY public.accounts TO PROGRAM 'touch /tmp/sqlgate_redteam_program_marker'
-- @@
-- kind: redteam su: COPY TO PROGRAM in lower case
copy (select 1) to program 'touch /tmp/sqlgate_redteam_program_marker'
-- @@
-- kind: redteam su atk2: COPY TO a server file
COPY (SELECT 1) TO '/tmp/sqlgate_redteam_copy_target'
-- @@
-- kind: redteam su atk2: COPY FROM PROGRAM
COPY public.audit_log (who) FROM PROGRAM 'echo pwned'
-- @@
-- kind: redteam su: COPY FROM a server file
COPY public.audit_log (who) FROM '/etc/hostname'
-- @@
-- kind: redteam su: DO block that writes
DO $$BEGIN INSERT INTO public.audit_log(who) VALUES ('do'); END$$
-- @@
-- kind: redteam su: CALL a writing procedure
CALL public.atk_proc()
-- @@
-- kind: redteam: PREPARE a write
PREPARE atk AS INSERT INTO public.audit_log(who) VALUES ('prepared')
-- @@
-- kind: redteam: EXECUTE a prepared statement
EXECUTE atk
-- @@
-- kind: redteam: SELECT FOR UPDATE OF with NOWAIT
SELECT * FROM public.accounts FOR UPDATE OF accounts NOWAIT
-- @@
-- kind: redteam: SELECT FOR NO KEY UPDATE SKIP LOCKED
SELECT * FROM public.accounts FOR NO KEY UPDATE SKIP LOCKED
-- @@
-- kind: redteam: FOR SHARE inside a derived table
SELECT * FROM (SELECT * FROM public.accounts FOR SHARE) s
-- @@
-- kind: redteam su: pg_notify
SELECT pg_notify('pg_attack', 'pwned')
-- @@
-- kind: redteam: pg_notify quoted
SELECT "pg_notify"('pg_attack', 'pwned')
-- @@
-- kind: redteam: NOTIFY
NOTIFY pg_attack, 'pwned'
-- @@
-- kind: redteam: txid_current schema-qualified
SELECT pg_catalog.txid_current()
-- @@
-- kind: redteam: pg_current_xact_id in FROM
SELECT * FROM pg_current_xact_id()
-- @@
-- kind: redteam su: pg_sleep(30)
SELECT pg_sleep(30)
-- @@
-- kind: redteam: pg_sleep quoted
SELECT "pg_sleep"(30)
-- @@
-- kind: redteam: pg_sleep schema-qualified
SELECT pg_catalog.pg_sleep(30)
-- @@
-- kind: redteam: pg_sleep with a comment before the parenthesis
SELECT pg_sleep/**/(30)
-- @@
-- kind: redteam: pg_sleep in FROM
SELECT 1 FROM pg_sleep(30)
-- @@
-- kind: redteam: pg_sleep_for
SELECT pg_sleep_for('30 seconds')
-- @@
-- kind: redteam: pg_sleep_until
SELECT pg_sleep_until(now() + interval '30 seconds')
-- @@
-- kind: redteam: pg_sleep per row in WHERE
SELECT * FROM public.accounts WHERE pg_sleep(10) IS NULL
-- @@
-- kind: redteam su: create a physical replication slot
SELECT pg_create_physical_replication_slot('pg_attack_slot')
-- @@
-- kind: redteam su: create a logical replication slot
SELECT * FROM pg_create_logical_replication_slot('pg_attack_slot', 'test_decoding')
-- @@
-- kind: redteam su: pg_reload_conf
SELECT pg_reload_conf()
-- @@
-- kind: redteam su: ALTER SYSTEM lifts the guard for every new session
ALTER SYSTEM SET default_transaction_read_only = off
-- @@
-- kind: redteam su: ALTER ROLE CURRENT_USER SET
ALTER ROLE CURRENT_USER SET default_transaction_read_only = off
-- @@
-- kind: redteam su: ALTER ROLE IN DATABASE SET
ALTER ROLE CURRENT_USER IN DATABASE postgres SET default_transaction_read_only = off
-- @@
-- Session statements (issue #9): variants of the admitted session settings that must stay refused.
-- @@
-- kind: pg_catalog after another schema: a look-alike could shadow a built-in
SET search_path = public, pg_catalog
-- @@
-- kind: pg_catalog after another schema, quoted
set search_path = "public", "pg_catalog"
-- @@
-- kind: pg_temp first
SET search_path = pg_temp, public
-- @@
-- kind: pg_temp anywhere
SET search_path TO public, pg_temp
-- @@
-- kind: pg_temp quoted
SET search_path TO "pg_temp"
-- @@
-- kind: pg_temp_N as a string
SET search_path = 'pg_temp_3'
-- @@
-- kind: pg_temp after pg_catalog
SET search_path = pg_catalog, pg_temp
-- @@
-- kind: SET LOCAL
SET LOCAL search_path = public
-- @@
-- kind: SET SESSION spelling
SET SESSION search_path = public
-- @@
-- kind: TO DEFAULT
SET search_path TO DEFAULT
-- @@
-- kind: = DEFAULT
SET application_name = DEFAULT
-- @@
-- kind: quoted setting name
SET "search_path" = public
-- @@
-- kind: comment inside a session statement
SET search_path = /* pg_temp, */ public
-- @@
-- kind: trailing line comment
SET search_path = public -- x
-- @@
-- kind: unicode-escaped identifier
SET search_path = U&"pg\0074emp"
-- @@
-- kind: E'' string with escapes
SET search_path = E'pg\_temp'
-- @@
-- kind: multi-setting SET
SET application_name = 'x', statement_timeout = 0
-- @@
-- kind: value from a subquery
SET timezone = (SELECT 'UTC')
-- @@
-- kind: a second statement
SET search_path = public; DELETE FROM public.accounts
-- @@
-- kind: lifting the statement timeout
SET statement_timeout = 0
-- @@
-- kind: lifting it with a string
SET statement_timeout = '0'
-- @@
-- kind: a timeout that rounds to zero
SET statement_timeout = '0.4'
-- @@
-- kind: TO DEFAULT lifts the timeout
SET statement_timeout TO DEFAULT
-- @@
-- kind: RESET of a time limit
RESET statement_timeout
-- @@
-- kind: lifting the lock timeout
SET lock_timeout = 0
-- @@
-- kind: RESET SESSION AUTHORIZATION
RESET SESSION AUTHORIZATION
-- @@
-- kind: RESET ROLE
RESET ROLE
-- @@
-- kind: client_encoding changes how bytes are read
SET client_encoding = 'SJIS'
-- @@
-- kind: SET NAMES
SET NAMES 'GBK'
-- @@
-- kind: client_encoding back to UTF8 is refused too
SET client_encoding TO 'UTF8'
-- @@
-- kind: set_config spelling
SELECT set_config('search_path', 'pg_temp, public', false)
-- @@
-- kind: qualified set_config
SELECT pg_catalog.set_config('statement_timeout', '0', false)
-- @@
-- kind: set_config in FROM
SELECT * FROM set_config('default_transaction_read_only', 'off', false)
-- @@
-- kind: READ WRITE after the isolation level
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE
-- @@
-- kind: READ WRITE without comma
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED READ WRITE
-- @@
-- kind: a setting off the allow-list
SET work_mem = '1GB'
-- @@
-- kind: session_replication_role skips triggers
SET session_replication_role = replica
-- @@
-- kind: extra_float_digits out of range
SET extra_float_digits = 99
-- @@
-- kind: timezone as an expression
SET TIME ZONE INTERVAL '+00:00' HOUR TO MINUTE
-- @@
-- kind: dollar-quoted value
SET application_name = $$x$$
