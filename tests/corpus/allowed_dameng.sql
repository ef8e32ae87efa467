-- allowed_dameng: see tests/corpus/__init__.py for the format (DaMeng DM8, Oracle-style SQL)
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
-- kind: CURRVAL reads a sequence without advancing it
SELECT acct_seq.CURRVAL FROM DUAL
-- @@
-- kind: Chinese identifiers and text
SELECT "名称", "金额" FROM "商品" WHERE "名称" = '中文𠀀'
-- @@
-- kind: Oracle-style functions
SELECT NVL(owner, '无'), DECODE(id, 1, 'a', 'b') FROM accounts
-- @@
-- kind: a CTE
WITH t AS (SELECT id FROM accounts) SELECT count(*) FROM t
-- @@
-- kind: a bound parameter
SELECT * FROM accounts WHERE id = ?
-- @@
-- kind: a DM read-only system function
SELECT SF_GET_PARA_VALUE(1, 'MAX_SESSIONS') FROM DUAL
