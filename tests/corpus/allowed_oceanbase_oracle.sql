-- allowed_oceanbase_oracle: see tests/corpus/__init__.py for the format (OceanBase Oracle mode)
-- @@
-- kind: a query with FETCH FIRST
SELECT id, owner FROM accounts ORDER BY id FETCH FIRST 5 ROWS ONLY
-- @@
-- kind: ROWNUM paging, as SQLAlchemy 1.4 writes it
SELECT id FROM (SELECT id, ROWNUM AS ora_rn FROM accounts WHERE ROWNUM <= 10) WHERE ora_rn > 5
-- @@
-- kind: DUAL and SYSDATE
SELECT SYSDATE FROM DUAL
-- @@
-- kind: Chinese identifiers and text
SELECT "名字" FROM "账户" WHERE "名字" = '张伟'
-- @@
-- kind: a backslash is a plain character in Oracle strings (not before a quote: see readonly)
SELECT 'C:\path\file' AS p, 'a\\b' AS q FROM DUAL
-- @@
-- kind: TO_CHAR and NVL
SELECT TO_CHAR(created, 'YYYY-MM-DD'), NVL(owner, '-') FROM accounts
-- @@
-- kind: a CTE
WITH t AS (SELECT id FROM accounts) SELECT COUNT(*) FROM t
-- @@
-- kind: the dictionary SQLAlchemy reflects from
SELECT table_name FROM all_tables WHERE owner = 'APP'
-- @@
-- kind: full-width punctuation inside a literal and a quoted name is text
SELECT '你好，世界（测试）' AS "名（字）" FROM DUAL
