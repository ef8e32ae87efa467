-- Legitimate PostgreSQL reads the gate must admit (includes the SQL SQLAlchemy's PostgreSQL dialect sends).
-- Format: see tests/corpus/__init__.py.
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
select pg_catalog.version()
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
select current_schema()
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_namespace.nspname 
FROM pg_catalog.pg_namespace 
WHERE pg_catalog.pg_namespace.nspname = %(nspname_1)s
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_class.relname 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = %(relkind_1)s AND pg_catalog.pg_class.relname = %(relname_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_type.typname 
FROM pg_catalog.pg_type JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_type.typnamespace 
WHERE pg_catalog.pg_type.typname = %(typname_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_class.oid 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relname = %(relname_1)s AND pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s, %(param_4)s, %(param_5)s]) AND pg_catalog.pg_namespace.nspname = %(nspname_1)s
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_get_viewdef(pg_catalog.pg_class.oid) AS pg_get_viewdef_1 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relname = %(relname_1)s AND pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s]) AND pg_catalog.pg_namespace.nspname = %(nspname_1)s
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type, CASE WHEN pg_catalog.pg_attribute.atthasdef THEN (SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) AS pg_get_expr_1 
FROM pg_catalog.pg_attrdef 
WHERE pg_catalog.pg_attribute.atthasdef AND pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum) ELSE NULL END AS "default", pg_catalog.pg_attribute.attnotnull AS not_null, pg_catalog.pg_class.relname AS table_name, pg_catalog.pg_description.description AS comment, pg_catalog.pg_attribute.attgenerated AS generated, CASE WHEN (pg_catalog.pg_attribute.attidentity != %(attidentity_1)s) THEN (SELECT json_build_object(%(json_build_object_2)s, pg_catalog.pg_attribute.attidentity = %(attidentity_2)s, %(json_build_object_3)s, pg_catalog.pg_sequence.seqstart, %(json_build_object_4)s, pg_catalog.pg_sequence.seqincrement, %(json_build_object_5)s, pg_catalog.pg_sequence.seqmin, %(json_build_object_6)s, pg_catalog.pg_sequence.seqmax, %(json_build_object_7)s, pg_catalog.pg_sequence.seqcache, %(json_build_object_8)s, pg_catalog.pg_sequence.seqcycle) AS json_build_object_1 
FROM pg_catalog.pg_sequence 
WHERE pg_catalog.pg_attribute.attidentity != %(attidentity_3)s AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) ELSE NULL END AS identity_options, CASE WHEN (pg_catalog.pg_attribute.attcollation != %(attcollation_1)s AND (SELECT pg_catalog.pg_type.typcollation 
FROM pg_catalog.pg_type 
WHERE pg_catalog.pg_type.oid = pg_catalog.pg_attribute.atttypid) != pg_catalog.pg_attribute.attcollation) THEN (SELECT json_build_object(%(json_build_object_10)s, pg_catalog.pg_collation.collname, %(json_build_object_11)s, CASE WHEN pg_catalog.pg_collation_is_visible(pg_catalog.pg_collation.oid) THEN NULL ELSE pg_catalog.pg_namespace.nspname END) AS json_build_object_9 
FROM pg_catalog.pg_collation JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_collation.collnamespace 
WHERE pg_catalog.pg_collation.oid = pg_catalog.pg_attribute.attcollation) ELSE NULL END AS collation 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > %(attnum_1)s AND NOT pg_catalog.pg_attribute.attisdropped LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_description.objsubid = pg_catalog.pg_attribute.attnum JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s, %(param_4)s, %(param_5)s]) AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s) ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_class.oid, pg_catalog.pg_class.relname 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s, %(param_4)s, %(param_5)s]) AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s)
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_am.oid, pg_catalog.pg_am.amname 
FROM pg_catalog.pg_am 
WHERE pg_catalog.pg_am.amname = %(amname_1)s
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_opclass.oid, pg_catalog.pg_opclass.opcname 
FROM pg_catalog.pg_opclass 
WHERE NOT pg_catalog.pg_opclass.opcdefault
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_type.typname AS name, pg_catalog.pg_type_is_visible(pg_catalog.pg_type.oid) AS visible, pg_catalog.pg_namespace.nspname AS schema, lbl_agg.labels AS labels 
FROM pg_catalog.pg_type JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_type.typnamespace LEFT OUTER JOIN (SELECT pg_catalog.pg_enum.enumtypid AS enumtypid, array_agg(CAST(pg_catalog.pg_enum.enumlabel AS TEXT) ORDER BY pg_catalog.pg_enum.enumsortorder) AS labels 
FROM pg_catalog.pg_enum GROUP BY pg_catalog.pg_enum.enumtypid) AS lbl_agg ON pg_catalog.pg_type.oid = lbl_agg.enumtypid 
WHERE pg_catalog.pg_type.typtype = %(typtype_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s ORDER BY pg_catalog.pg_namespace.nspname, pg_catalog.pg_type.typname
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
SELECT pg_catalog.pg_type.typname AS name, pg_catalog.format_type(pg_catalog.pg_type.typbasetype, pg_catalog.pg_type.typtypmod) AS attype, NOT pg_catalog.pg_type.typnotnull AS nullable, pg_catalog.pg_type.typdefault AS "default", pg_catalog.pg_type_is_visible(pg_catalog.pg_type.oid) AS visible, pg_catalog.pg_namespace.nspname AS schema, domain_constraints.condefs, domain_constraints.connames, pg_catalog.pg_collation.collname, CASE WHEN (pg_catalog.pg_collation.oid IS NULL) THEN NULL WHEN pg_catalog.pg_collation_is_visible(pg_catalog.pg_collation.oid) THEN NULL ELSE collation_namespace.nspname END AS collation_schema 
FROM pg_catalog.pg_type JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_type.typnamespace LEFT OUTER JOIN pg_catalog.pg_collation ON pg_catalog.pg_type.typcollation = pg_catalog.pg_collation.oid LEFT OUTER JOIN pg_catalog.pg_namespace AS collation_namespace ON collation_namespace.oid = pg_catalog.pg_collation.collnamespace LEFT OUTER JOIN (SELECT pg_catalog.pg_constraint.contypid AS contypid, array_agg(pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, %(pg_get_constraintdef_1)s)) AS condefs, array_agg(CAST(pg_catalog.pg_constraint.conname AS TEXT)) AS connames 
FROM pg_catalog.pg_constraint 
WHERE pg_catalog.pg_constraint.contypid != %(contypid_1)s GROUP BY pg_catalog.pg_constraint.contypid) AS domain_constraints ON pg_catalog.pg_type.oid = domain_constraints.contypid 
WHERE pg_catalog.pg_type.typtype = %(typtype_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s ORDER BY pg_catalog.pg_namespace.nspname, pg_catalog.pg_type.typname
-- @@
-- kind: SQLAlchemy PostgreSQL dialect (initialize / reflection)
show standard_conforming_strings
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_table_options_query)
SELECT pg_catalog.pg_class.oid, pg_catalog.pg_class.relname, pg_catalog.pg_class.reloptions, NULL AS relhasoids, CASE WHEN (pg_catalog.pg_am.amname IS NOT NULL AND pg_catalog.pg_am.amname != current_setting(%(current_setting_1)s)) THEN pg_catalog.pg_am.amname ELSE NULL END AS access_method_name, pg_catalog.pg_tablespace.spcname AS tablespace_name, inherits.parent_table_names 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_am ON pg_catalog.pg_class.relam = pg_catalog.pg_am.oid LEFT OUTER JOIN (SELECT pg_catalog.pg_inherits.inhrelid AS inhrelid, array_agg(pg_catalog.pg_class.relname ORDER BY pg_catalog.pg_inherits.inhseqno) AS parent_table_names 
FROM pg_catalog.pg_inherits JOIN pg_catalog.pg_class ON pg_catalog.pg_inherits.inhparent = pg_catalog.pg_class.oid GROUP BY pg_catalog.pg_inherits.inhrelid) AS inherits ON pg_catalog.pg_class.oid = inherits.inhrelid LEFT OUTER JOIN pg_catalog.pg_tablespace ON pg_catalog.pg_tablespace.oid = pg_catalog.pg_class.reltablespace JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s]) AND pg_catalog.pg_class.relpersistence != %(relpersistence_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s)
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_columns_query)
SELECT pg_catalog.pg_attribute.attname AS name, pg_catalog.format_type(pg_catalog.pg_attribute.atttypid, pg_catalog.pg_attribute.atttypmod) AS format_type, CASE WHEN pg_catalog.pg_attribute.atthasdef THEN (SELECT pg_catalog.pg_get_expr(pg_catalog.pg_attrdef.adbin, pg_catalog.pg_attrdef.adrelid) AS pg_get_expr_1 
FROM pg_catalog.pg_attrdef 
WHERE pg_catalog.pg_attribute.atthasdef AND pg_catalog.pg_attrdef.adrelid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attrdef.adnum = pg_catalog.pg_attribute.attnum) ELSE NULL END AS "default", pg_catalog.pg_attribute.attnotnull AS not_null, pg_catalog.pg_class.relname AS table_name, pg_catalog.pg_description.description AS comment, pg_catalog.pg_attribute.attgenerated AS generated, CASE WHEN (pg_catalog.pg_attribute.attidentity != %(attidentity_1)s) THEN (SELECT json_build_object(%(json_build_object_2)s, pg_catalog.pg_attribute.attidentity = %(attidentity_2)s, %(json_build_object_3)s, pg_catalog.pg_sequence.seqstart, %(json_build_object_4)s, pg_catalog.pg_sequence.seqincrement, %(json_build_object_5)s, pg_catalog.pg_sequence.seqmin, %(json_build_object_6)s, pg_catalog.pg_sequence.seqmax, %(json_build_object_7)s, pg_catalog.pg_sequence.seqcache, %(json_build_object_8)s, pg_catalog.pg_sequence.seqcycle) AS json_build_object_1 
FROM pg_catalog.pg_sequence 
WHERE pg_catalog.pg_attribute.attidentity != %(attidentity_3)s AND pg_catalog.pg_sequence.seqrelid = CAST(CAST(pg_catalog.pg_get_serial_sequence(CAST(CAST(pg_catalog.pg_attribute.attrelid AS REGCLASS) AS TEXT), pg_catalog.pg_attribute.attname) AS REGCLASS) AS OID)) ELSE NULL END AS identity_options, CASE WHEN (pg_catalog.pg_attribute.attcollation != %(attcollation_1)s AND (SELECT pg_catalog.pg_type.typcollation 
FROM pg_catalog.pg_type 
WHERE pg_catalog.pg_type.oid = pg_catalog.pg_attribute.atttypid) != pg_catalog.pg_attribute.attcollation) THEN (SELECT json_build_object(%(json_build_object_10)s, pg_catalog.pg_collation.collname, %(json_build_object_11)s, CASE WHEN pg_catalog.pg_collation_is_visible(pg_catalog.pg_collation.oid) THEN NULL ELSE pg_catalog.pg_namespace.nspname END) AS json_build_object_9 
FROM pg_catalog.pg_collation JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_collation.collnamespace 
WHERE pg_catalog.pg_collation.oid = pg_catalog.pg_attribute.attcollation) ELSE NULL END AS collation 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_class.oid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_attribute.attnum > %(attnum_1)s AND NOT pg_catalog.pg_attribute.attisdropped LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_attribute.attrelid AND pg_catalog.pg_description.objsubid = pg_catalog.pg_attribute.attnum JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s]) AND pg_catalog.pg_class.relpersistence != %(relpersistence_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s) ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_attribute.attnum
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_table_oids_query)
SELECT pg_catalog.pg_class.oid, pg_catalog.pg_class.relname 
FROM pg_catalog.pg_class JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s]) AND pg_catalog.pg_class.relpersistence != %(relpersistence_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s)
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_foreing_key_query)
SELECT pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname, CASE WHEN (pg_catalog.pg_constraint.oid IS NOT NULL) THEN pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, %(pg_get_constraintdef_1)s) END AS anon_1, nsp_ref.nspname, pg_catalog.pg_description.description 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_class.oid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_constraint.contype = %(contype_1)s LEFT OUTER JOIN pg_catalog.pg_class AS cls_ref ON cls_ref.oid = pg_catalog.pg_constraint.confrelid LEFT OUTER JOIN pg_catalog.pg_namespace AS nsp_ref ON cls_ref.relnamespace = nsp_ref.oid LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid AND pg_catalog.pg_description.classoid = CAST(%(param_1)s AS REGCLASS) JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_2)s, %(param_3)s, %(param_4)s]) AND pg_catalog.pg_class.relpersistence != %(relpersistence_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s) ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_comment_query)
SELECT pg_catalog.pg_class.relname, pg_catalog.pg_description.description 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_class.oid = pg_catalog.pg_description.objoid AND pg_catalog.pg_description.objsubid = %(objsubid_1)s AND pg_catalog.pg_description.classoid = CAST(%(param_1)s AS REGCLASS) JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_2)s, %(param_3)s, %(param_4)s]) AND pg_catalog.pg_class.relpersistence != %(relpersistence_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s)
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_check_constraint_query)
SELECT pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname, CASE WHEN (pg_catalog.pg_constraint.oid IS NOT NULL) THEN pg_catalog.pg_get_constraintdef(pg_catalog.pg_constraint.oid, %(pg_get_constraintdef_1)s) END AS anon_1, pg_catalog.pg_description.description 
FROM pg_catalog.pg_class LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_class.oid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_constraint.contype = %(contype_1)s LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid AND pg_catalog.pg_description.classoid = CAST(%(param_1)s AS REGCLASS) JOIN pg_catalog.pg_namespace ON pg_catalog.pg_namespace.oid = pg_catalog.pg_class.relnamespace 
WHERE pg_catalog.pg_class.relkind = ANY (ARRAY[%(param_2)s, %(param_3)s, %(param_4)s]) AND pg_catalog.pg_class.relpersistence != %(relpersistence_1)s AND pg_catalog.pg_namespace.nspname = %(nspname_1)s AND pg_catalog.pg_class.relname IN (%(filter_names_1)s, %(filter_names_2)s) ORDER BY pg_catalog.pg_class.relname, pg_catalog.pg_constraint.conname
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_constraint_query)
SELECT attr.conrelid, array_agg(CAST(attr.attname AS TEXT) ORDER BY attr.ord) AS cols, attr.conname, min(attr.description) AS description, min(attr.indnkeyatts) AS indnkeyatts, bool_and(attr.indnullsnotdistinct) AS indnullsnotdistinct 
FROM (SELECT con.conrelid AS conrelid, con.conname AS conname, con.description AS description, con.ord AS ord, con.indnkeyatts AS indnkeyatts, con.indnullsnotdistinct AS indnullsnotdistinct, pg_catalog.pg_attribute.attname AS attname 
FROM pg_catalog.pg_attribute JOIN (SELECT pg_catalog.pg_constraint.conrelid AS conrelid, pg_catalog.pg_constraint.conname AS conname, unnest(pg_catalog.pg_index.indkey) AS attnum, generate_subscripts(pg_catalog.pg_index.indkey, %(generate_subscripts_1)s) AS ord, pg_catalog.pg_index.indnkeyatts AS indnkeyatts, pg_catalog.pg_index.indnullsnotdistinct AS indnullsnotdistinct, pg_catalog.pg_description.description AS description 
FROM pg_catalog.pg_constraint JOIN pg_catalog.pg_index ON pg_catalog.pg_constraint.conindid = pg_catalog.pg_index.indexrelid LEFT OUTER JOIN pg_catalog.pg_description ON pg_catalog.pg_description.objoid = pg_catalog.pg_constraint.oid AND pg_catalog.pg_description.classoid = CAST(%(param_1)s AS REGCLASS) 
WHERE pg_catalog.pg_constraint.contype = %(contype)s AND pg_catalog.pg_constraint.conrelid IN (%(oids_1)s, %(oids_2)s)) AS con ON pg_catalog.pg_attribute.attnum = con.attnum AND pg_catalog.pg_attribute.attrelid = con.conrelid 
WHERE con.conrelid IN (%(oids_1)s, %(oids_2)s)) AS attr GROUP BY attr.conrelid, attr.conname ORDER BY attr.conrelid, attr.conname
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_index_query)
SELECT pg_catalog.pg_index.indrelid, pg_catalog.pg_class.relname, pg_catalog.pg_index.indisunique, pg_catalog.pg_index.indisvalid, pg_catalog.pg_constraint.conrelid IS NOT NULL AS has_constraint, pg_catalog.pg_index.indoption, pg_catalog.pg_class.reloptions, pg_catalog.pg_class.relam, CASE WHEN (pg_catalog.pg_index.indpred IS NOT NULL) THEN pg_catalog.pg_get_expr(pg_catalog.pg_index.indpred, pg_catalog.pg_index.indrelid) END AS filter_definition, pg_catalog.pg_index.indnkeyatts, pg_catalog.pg_index.indnullsnotdistinct, idx_cols.elements, idx_cols.elements_is_expr, idx_cols.elements_opclass 
FROM pg_catalog.pg_index JOIN pg_catalog.pg_class ON pg_catalog.pg_index.indexrelid = pg_catalog.pg_class.oid LEFT OUTER JOIN (SELECT idx_attr.indexrelid AS indexrelid, min(idx_attr.indrelid) AS min_1, array_agg(idx_attr.element ORDER BY idx_attr.ord) AS elements, array_agg(idx_attr.is_expr ORDER BY idx_attr.ord) AS elements_is_expr, array_agg(idx_attr.att_opclass ORDER BY idx_attr.ord) AS elements_opclass 
FROM (SELECT idx.indexrelid AS indexrelid, idx.indrelid AS indrelid, idx.ord AS ord, CASE WHEN (idx.attnum = %(attnum_1)s) THEN pg_catalog.pg_get_indexdef(idx.indexrelid, idx.ord + %(ord_1)s, %(pg_get_indexdef_1)s) ELSE CAST(pg_catalog.pg_attribute.attname AS TEXT) END AS element, idx.attnum = %(attnum_2)s AS is_expr, CAST(idx.att_opclass AS BIGINT) AS att_opclass 
FROM (SELECT pg_catalog.pg_index.indexrelid AS indexrelid, pg_catalog.pg_index.indrelid AS indrelid, unnest(pg_catalog.pg_index.indkey) AS attnum, unnest(pg_catalog.pg_index.indclass) AS att_opclass, generate_subscripts(pg_catalog.pg_index.indkey, %(generate_subscripts_1)s) AS ord 
FROM pg_catalog.pg_index 
WHERE NOT pg_catalog.pg_index.indisprimary AND pg_catalog.pg_index.indrelid IN (%(oids_1)s, %(oids_2)s)) AS idx LEFT OUTER JOIN pg_catalog.pg_attribute ON pg_catalog.pg_attribute.attnum = idx.attnum AND pg_catalog.pg_attribute.attrelid = idx.indrelid 
WHERE idx.indrelid IN (%(oids_1)s, %(oids_2)s)) AS idx_attr GROUP BY idx_attr.indexrelid) AS idx_cols ON pg_catalog.pg_index.indexrelid = idx_cols.indexrelid LEFT OUTER JOIN pg_catalog.pg_constraint ON pg_catalog.pg_index.indrelid = pg_catalog.pg_constraint.conrelid AND pg_catalog.pg_index.indexrelid = pg_catalog.pg_constraint.conindid AND pg_catalog.pg_constraint.contype = ANY (ARRAY[%(param_1)s, %(param_2)s, %(param_3)s]) 
WHERE pg_catalog.pg_index.indrelid IN (%(oids_1)s, %(oids_2)s) AND NOT pg_catalog.pg_index.indisprimary ORDER BY pg_catalog.pg_index.indrelid, pg_catalog.pg_class.relname
-- @@
-- kind: SQLAlchemy PostgreSQL reflection (_pg_am_query)
SELECT pg_catalog.pg_am.oid, pg_catalog.pg_am.amname 
FROM pg_catalog.pg_am
-- @@
-- kind: SQLAlchemy isolation level probe
show transaction isolation level
-- @@
-- kind: SHOW a setting
SHOW transaction_read_only
-- @@
-- kind: SHOW ALL
SHOW ALL
-- @@
-- kind: SHOW upper case with trailing semicolon
SHOW search_path;
-- @@
-- kind: connection ping
SELECT 1
-- @@
-- kind: plain BEGIN
BEGIN
-- @@
-- kind: BEGIN READ ONLY
BEGIN READ ONLY
-- @@
-- kind: BEGIN with isolation and READ ONLY
BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY
-- @@
-- kind: START TRANSACTION READ ONLY DEFERRABLE
START TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY DEFERRABLE
-- @@
-- kind: COMMIT
COMMIT
-- @@
-- kind: ROLLBACK
ROLLBACK
-- @@
-- kind: END
END
-- @@
-- kind: TABLE shorthand
TABLE public.accounts
-- @@
-- kind: VALUES list
VALUES (1, 'one'), (2, 'two')
-- @@
-- kind: CTE with window functions
WITH ranked AS (
    SELECT id, owner, balance,
           row_number() OVER (PARTITION BY owner ORDER BY balance DESC) AS rn,
           sum(balance) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
    FROM public.accounts
)
SELECT owner, max(balance) AS top, count(*) FILTER (WHERE rn = 1) AS firsts
FROM ranked
GROUP BY owner
HAVING count(*) > 0
ORDER BY top DESC NULLS LAST
LIMIT 20
-- @@
-- kind: recursive CTE
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n
-- @@
-- kind: joins and subqueries
SELECT a.owner, b.total
FROM public.accounts a
LEFT JOIN (SELECT owner, sum(balance) AS total FROM public.accounts GROUP BY owner) b USING (owner)
WHERE a.id IN (SELECT id FROM public.accounts WHERE balance > 0)
  AND EXISTS (SELECT 1 FROM public.accounts c WHERE c.id = a.id)
-- @@
-- kind: set operations
SELECT id FROM public.accounts UNION SELECT 0 EXCEPT SELECT -1 INTERSECT SELECT id FROM public.accounts
-- @@
-- kind: LATERAL and generate_series
SELECT a.id, g FROM public.accounts a CROSS JOIN LATERAL generate_series(1, 3) AS g
-- @@
-- kind: DISTINCT ON and FETCH FIRST
SELECT DISTINCT ON (owner) owner, balance FROM public.accounts ORDER BY owner, balance DESC FETCH FIRST 5 ROWS ONLY
-- @@
-- kind: GROUPING SETS
SELECT owner, count(*) FROM public.accounts GROUP BY GROUPING SETS ((owner), ())
-- @@
-- kind: EXPLAIN SELECT
EXPLAIN SELECT * FROM public.accounts WHERE id = 1
-- @@
-- kind: EXPLAIN with options
EXPLAIN (FORMAT JSON, VERBOSE, COSTS OFF) SELECT count(*) FROM public.accounts
-- @@
-- kind: EXPLAIN ANALYZE of a read
EXPLAIN ANALYZE SELECT * FROM public.accounts
-- @@
-- kind: EXPLAIN (ANALYZE, BUFFERS) of a CTE read
EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) WITH x AS (SELECT * FROM public.accounts) SELECT count(*) FROM x
-- @@
-- kind: string literals that look like statements
SELECT 'DELETE FROM public.accounts; DROP TABLE public.accounts' AS note, ';' AS semi, 'it''s' AS quote
-- @@
-- kind: dollar-quoted string with a semicolon
SELECT $$ ; DELETE FROM public.accounts; $$ AS text, $tag$ it's $$ $tag$ AS other
-- @@
-- kind: E-string with escapes
SELECT E'line\nbreak', E'tab\there', E'quote\'s'
-- @@
-- kind: quoted identifiers named like statements
SELECT "update", "insert", "delete", "select" FROM (SELECT 1 AS "update", 2 AS "insert", 3 AS "delete", 4 AS "select") AS t
-- @@
-- kind: column named nextval (not a call)
SELECT nextval FROM (SELECT 1 AS nextval) AS t
-- @@
-- kind: pyformat placeholders
SELECT * FROM public.accounts WHERE owner = %(owner)s AND balance > %(min)s AND id = ANY(%(ids)s)
-- @@
-- kind: format placeholders and escaped percent
SELECT * FROM public.accounts WHERE owner LIKE %s AND owner NOT LIKE 'x%%' LIMIT %s
-- @@
-- kind: tuple placeholder after IN
SELECT * FROM public.accounts WHERE id IN %s
-- @@
-- kind: numbered parameters
SELECT * FROM public.accounts WHERE id = $1 AND owner = $2
-- @@
-- kind: jsonb question-mark operator
SELECT '{"a": 1}'::jsonb ? 'a', '{"a": 1}'::jsonb ?| array['a', 'b']
-- @@
-- kind: casts, intervals, named arguments
SELECT now()::date, interval '1 day', make_interval(days := 2), '42'::int + 1
-- @@
-- kind: read-only helpers
SELECT current_setting('default_transaction_read_only'), pg_backend_pid(), pg_is_in_recovery(), currval('acct_seq') IS NULL
-- @@
-- kind: sizes and privileges
SELECT pg_size_pretty(pg_total_relation_size('public.accounts')), has_table_privilege('public.accounts', 'SELECT')
-- @@
-- kind: information_schema query
SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = %(schema)s ORDER BY ordinal_position
-- @@
-- kind: reading a sequence relation
SELECT last_value, is_called FROM acct_seq
-- @@
-- kind: activity views
SELECT pid, state, query_start FROM pg_stat_activity WHERE datname = current_database()
-- @@
-- kind: comments around a query
-- monthly report
/* owner totals */
SELECT owner, sum(balance) FROM public.accounts GROUP BY owner -- trailing comment
-- @@
-- kind: trailing semicolon and whitespace
SELECT 1;
-- @@
-- kind: parenthesised query
(SELECT 1) UNION ALL (SELECT 2) ORDER BY 1
-- @@
-- kind: aggregates and JSON
SELECT jsonb_agg(jsonb_build_object('id', id, 'owner', owner)), string_agg(owner, ', ' ORDER BY owner) FROM public.accounts
-- @@
-- kind: TABLESAMPLE
SELECT * FROM public.accounts TABLESAMPLE SYSTEM (10)
-- @@
-- Session statements (issue #9): harmless settings clients send.
-- @@
-- kind: Superset's search_path statement
set search_path = "public"
-- @@
-- kind: a search_path hijack is only a name: pg_catalog stays first, the allow-list is fixed at connect
SET search_path = pwned, public
-- @@
-- kind: search_path with $user
SET search_path TO "$user", public
-- @@
-- kind: pg_catalog first
SET search_path = pg_catalog, public
-- @@
-- kind: search_path as a string
SET search_path TO 'public'
-- @@
-- kind: SET TIME ZONE
SET TIME ZONE 'UTC'
-- @@
-- kind: SET TIME ZONE LOCAL
SET TIME ZONE LOCAL
-- @@
-- kind: SET timezone
SET timezone = 'Europe/Paris'
-- @@
-- kind: SET TimeZone TO
SET TimeZone TO 'UTC'
-- @@
-- kind: application_name
SET application_name = 'superset'
-- @@
-- kind: extra_float_digits
SET extra_float_digits = 3
-- @@
-- kind: negative extra_float_digits
SET extra_float_digits TO -2
-- @@
-- kind: datestyle list
SET datestyle = ISO, MDY
-- @@
-- kind: datestyle string
SET DateStyle TO 'ISO, DMY'
-- @@
-- kind: intervalstyle
SET intervalstyle = 'iso_8601'
-- @@
-- kind: a statement timeout
SET statement_timeout = 30000
-- @@
-- kind: a statement timeout with unit
SET statement_timeout = '30s'
-- @@
-- kind: a lock timeout
SET lock_timeout = '5s'
-- @@
-- kind: SHOW a setting
SHOW search_path
-- @@
-- kind: RESET search_path
RESET search_path
-- @@
-- kind: RESET timezone
reset timezone
-- @@
-- kind: isolation level for the session
SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ
-- @@
-- kind: back to the default search path
SET search_path TO "$user", public
