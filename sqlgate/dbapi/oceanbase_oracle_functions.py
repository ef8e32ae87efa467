"""The functions a read-only OceanBase Oracle-mode statement may call: Oracle's built-ins.

Oracle mode has no session read-only statement (``SET TRANSACTION READ ONLY`` lasts one
transaction, and an ``AUTONOMOUS_TRANSACTION`` function commits on its own anyway), so the
gate stands alone, and a deny list cannot know a user's ``purge_all()`` that runs
``DELETE ... ; COMMIT`` inside a SELECT. Every call is therefore checked against this list.

The rule: the single-row, aggregate and analytic functions of Oracle's SQL Language Reference
("Functions", by category) that only compute a value from their arguments, the session's
context or the clock, minus those that reach outside the statement's rows: ``BFILENAME``
(server files), the XML/URI types (``XMLTYPE``, ``HTTPURITYPE`` fetch URIs), the data-mining
and model functions, and every package (``DBMS_*``, ``UTL_*``: a qualified call is never on
the list). A read-only function of the user's own is admitted by the URL option
``allow_functions=name,schema.name``.
"""

from __future__ import annotations

from sqlgate.core.allowlists import FunctionAllowList

_NAMES = """
    abs acos asin atan atan2 bitand ceil cos cosh exp floor ln log mod nanvl power remainder
    round sign sin sinh sqrt tan tanh trunc width_bucket
    chr concat initcap lower lpad ltrim nchr nls_initcap nls_lower nls_upper nlssort
    regexp_replace regexp_substr regexp_count regexp_instr regexp_like replace rpad rtrim
    soundex substr substrb substrc substr2 substr4 translate trim upper ascii instr instrb
    instrc instr2 instr4 length lengthb lengthc length2 length4
    nls_charset_decl_len nls_charset_id nls_charset_name
    add_months current_date current_timestamp dbtimezone from_tz last_day localtimestamp
    months_between new_time next_day numtodsinterval numtoyminterval sessiontimezone
    sys_extract_utc sysdate systimestamp to_char to_timestamp to_timestamp_tz to_dsinterval
    to_yminterval tz_offset greatest least
    asciistr bin_to_num chartorowid compose convert decompose hextoraw rawtohex rawtonhex
    rowidtochar rowidtonchar scn_to_timestamp timestamp_to_scn to_binary_double
    to_binary_float to_char to_clob to_date to_multi_byte to_nchar to_nclob to_number
    to_single_byte unistr validate_conversion cast
    cardinality sys_connect_by_path
    json_array json_arrayagg json_object json_objectagg json_query json_value
    decode dump ora_hash standard_hash vsize coalesce lnnvl nullif nvl nvl2
    sys_context sys_guid uid user userenv
    approx_count_distinct avg corr count covar_pop covar_samp cume_dist dense_rank first
    group_id grouping grouping_id last listagg max median min percent_rank percentile_cont
    percentile_disc rank regr_slope regr_intercept regr_count regr_r2 regr_avgx regr_avgy
    regr_sxx regr_syy regr_sxy stddev stddev_pop stddev_samp sum var_pop var_samp variance
    first_value lag last_value lead nth_value ntile ratio_to_report row_number
"""
ORACLE_FUNCTIONS = frozenset(_NAMES.split())


def function_allow_list(extra: frozenset[str] = frozenset()) -> FunctionAllowList:
    """Oracle's built-ins, unqualified; plus what the URL's ``allow_functions`` names."""
    return FunctionAllowList(ORACLE_FUNCTIONS, frozenset(), extra)
