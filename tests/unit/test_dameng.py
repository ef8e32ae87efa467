"""DaMeng DM8 without a DM server: dmPython's contract, the dialect's SQL, types, the gate.

No DM server runs here (docs/sources/dameng.md). What runs is real: dmPython 2.6's native
client against a closed port on 127.0.0.1, SQLAlchemy 2.x in this venv and 1.4 in Superset's.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.core.params import ConnectParams
from sqlgate.core.readonly import gate_for
from sqlgate.core.registry import get_source
from sqlgate.core.translate import sqlgate_error_for
from tests.corpus import load_corpus

dmPython = pytest.importorskip("dmPython")

ROOT = Path(__file__).resolve().parents[2]
SUPERSET_PYTHON = ROOT / ".cache" / "superset-venv" / "bin" / "python"


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the DB-API module ----------------------------------------------------------------------
def test_module_contract() -> None:
    from sqlgate.dbapi import dameng

    assert (dameng.apilevel, dameng.paramstyle, dameng.threadsafety) == ("2.0", "qmark", 1)
    assert dmPython.paramstyle == dameng.paramstyle  # what the driver binds
    for name in ("Error", "DatabaseError", "OperationalError", "ProgrammingError", "DataError"):
        assert issubclass(getattr(dameng, name), errors.Error)
    assert get_source("dameng").load_dbapi() is dameng


def test_closed_port_is_an_operational_error_within_the_login_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(errors.OperationalError) as info:
        sqlgate.connect(
            f"dameng://SYSDBA:Secret_pw_123@127.0.0.1:{closed_port()}/SALES?login_timeout=2"
        )
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert "-70028" in message and "SOCKET" in message
    assert "Secret_pw_123" not in message and "DmError object" not in message
    assert info.value.vendor_code is None or isinstance(info.value.vendor_code, int)


def test_missing_driver_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "dmPython" else real(name, *a)
    )
    with pytest.raises(errors.MissingExtraError) as info:
        get_source("dameng").load_dbapi()
    assert "pip install 'sqlgate[dameng]'" in str(info.value)


def test_driver_exception_classes_map_to_pep249() -> None:
    for name in ("ProgrammingError", "IntegrityError", "DataError", "NotSupportedError"):
        mapped = sqlgate_error_for(getattr(dmPython, name)("x"))
        assert type(mapped) is getattr(errors, name)
    # the real DatabaseError dmPython raises for a refused socket carries DM's code
    try:
        dmPython.connect(user="SYSDBA", password="x", server="127.0.0.1", port=closed_port())
    except dmPython.DatabaseError as exc:
        mapped = sqlgate_error_for(exc)
    assert type(mapped) is errors.OperationalError
    assert str(mapped) == "[CODE:-70028]Create SOCKET connection failure"


def _params(url: str) -> ConnectParams:
    return ConnectParams.from_url(get_source("dameng"), url)


def test_connect_arguments_read_only_and_charset() -> None:
    from sqlgate.dbapi.dameng_session import connect_arguments

    kw = connect_arguments(_params("dameng://u:p@db:5237/SALES?charset=gb18030"), dmPython)
    assert kw["access_mode"] == dmPython.DSQL_MODE_READ_ONLY
    assert kw["local_code"] == dmPython.PG_GB18030
    assert (kw["server"], kw["port"], kw["schema"], kw["user"]) == ("db", 5237, "SALES", "u")
    kw = connect_arguments(_params("dameng://u@db/S?read_only=false&charset=gbk"), dmPython)
    assert "access_mode" not in kw and kw["local_code"] == dmPython.PG_GBK
    assert kw["port"] == 5236
    assert connect_arguments(_params("dameng://u@db/S"), dmPython)["local_code"] == 1  # PG_UTF8
    with pytest.raises(errors.InterfaceError, match="unknown DaMeng option"):
        connect_arguments(_params("dameng://u@db/S?dmsvc_path=/tmp"), dmPython)


def test_gbk_session_refuses_text_gbk_cannot_hold_before_the_driver() -> None:
    from sqlgate.dbapi.dameng import flavor
    from sqlgate.dbapi.dameng_session import DamengSession

    untouched = object()  # no cursor(): reaching the driver would raise AttributeError
    session = DamengSession(untouched, flavor, "gbk", dmPython.DSQL_MODE_READ_ONLY)
    with pytest.raises(errors.DataError, match=r"U\+20000"):
        session.execute("SELECT ? FROM DUAL", ["𠀀"])
    with pytest.raises(errors.DataError, match=r"U\+4DAE"):
        session.execute("SELECT '䶮' FROM DUAL")


# -- types -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "arrow"),
    [
        ("NUMBER(10,2)", pa.decimal128(10, 2)),
        ("NUMBER", pa.string()),
        ("INT", pa.int32()),
        ("BIGINT", pa.int64()),
        ("BYTE", pa.int8()),
        ("REAL", pa.float32()),
        ("DOUBLE", pa.float64()),
        ("VARCHAR2(20)", pa.string()),
        ("CLOB", pa.string()),
        ("TEXT", pa.string()),
        ("IMAGE", pa.binary()),
        ("BLOB", pa.binary()),
        ("DATE", pa.date32()),
        ("DATETIME", pa.timestamp("us")),
        ("TIMESTAMP(6)", pa.timestamp("us")),
        ("DATETIME WITH TIME ZONE", pa.timestamp("us", "UTC")),
        ("BIT", pa.bool_()),
    ],
)
def test_type_map(type_name: str, arrow: pa.DataType) -> None:
    from sqlgate.dbapi.dameng_types import DAMENG_TYPES

    assert DAMENG_TYPES.to_arrow(type_name) == arrow


def test_driver_type_classes_are_named() -> None:
    from sqlgate.dbapi.dameng_types import arrow_type, driver_type_name

    assert driver_type_name(dmPython.NUMBER, 12, 3) == "NUMBER(12, 3)"
    assert arrow_type(driver_type_name(dmPython.NUMBER, 12, 3)) == pa.decimal128(12, 3)
    assert driver_type_name(dmPython.LONG_STRING, None, None) == "CLOB"
    assert arrow_type(driver_type_name(dmPython.TIMESTAMP, None, None)) == pa.timestamp("us")
    assert arrow_type(driver_type_name(dmPython.DATE, None, None)) == pa.date32()
    assert arrow_type(driver_type_name(dmPython.BLOB, None, None)) == pa.binary()


# -- SQL compiled by the dialect, SQLAlchemy 2.x here and 1.4 in Superset's venv ----------------
COMPILE_SCRIPT = r"""
import json, sqlalchemy as sa
from sqlalchemy.schema import CreateTable
from sqlgate.dialects.dameng import DamengDialect
d = DamengDialect()
d.server_version_info = (12, 0)
if hasattr(d, "_supports_offset_fetch"):
    d._supports_offset_fetch = True  # what initialize() sets from the version
t = sa.Table("商品", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("名称", sa.String(20)), sa.Column("at", sa.DateTime),
             sa.Column("day", sa.Date), sa.Column("ok", sa.Boolean), sa.Column("body", sa.Text),
             sa.Column("amount", sa.Numeric(10, 2)))
lit = {"compile_kwargs": {"literal_binds": True}}
out = {
    "version": sa.__version__,
    "limit": str(sa.select(t.c.id).order_by(t.c.id).limit(5).compile(dialect=d, **lit)),
    "seq": str(sa.select(sa.Sequence("s").next_value()).compile(dialect=d)),
    "one": str(sa.select(sa.literal_column("1")).compile(dialect=d)),
    "bind": str(sa.select(t.c.id).where(t.c["名称"] == "中文").compile(dialect=d)),
    "ddl": str(CreateTable(t).compile(dialect=d)),
    "paramstyle": d.paramstyle,
}
print(json.dumps(out))
"""


def _compiled(python: Path | str) -> dict[str, str]:
    done = subprocess.run(
        [str(python), "-c", COMPILE_SCRIPT], capture_output=True, text=True, timeout=120,
        cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _flat(sql: str) -> str:
    return " ".join(sql.split())


def _check_common(out: dict[str, str]) -> None:
    assert _flat(out["seq"]) == "SELECT s.nextval AS next_value_1 FROM DUAL"
    assert _flat(out["one"]) == "SELECT 1 FROM DUAL"
    assert _flat(out["bind"]) == 'SELECT "商品".id FROM "商品" WHERE "商品"."名称" = ?'
    assert out["paramstyle"] == "qmark"
    ddl = _flat(out["ddl"])
    for piece in ('"名称" VARCHAR2(20 CHAR)', "at TIMESTAMP", "day DATE", "ok BIT"):
        assert piece in ddl, ddl
    assert "body CLOB" in ddl and "amount NUMERIC(10, 2)" in ddl


def test_compiles_on_sqlalchemy_2() -> None:
    out = _compiled(sys.executable)
    assert out["version"].startswith("2.")
    _check_common(out)
    assert (
        _flat(out["limit"])
        == 'SELECT "商品".id FROM "商品" ORDER BY "商品".id FETCH FIRST 5 ROWS ONLY'
    )


def test_compiles_on_sqlalchemy_14() -> None:
    if not SUPERSET_PYTHON.exists():
        pytest.skip(
            "Superset's venv (SQLAlchemy 1.4) is not installed: scripts/install-superset.sh"
        )
    out = _compiled(SUPERSET_PYTHON)
    assert out["version"].startswith("1.4")
    _check_common(out)
    assert _flat(out["limit"]) == (
        'SELECT anon_1.id FROM (SELECT "商品".id AS id FROM "商品" ORDER BY "商品".id) anon_1 '
        "WHERE ROWNUM <= 5"
    )


def test_engine_from_url_reaches_dmpython() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(f"dameng://SYSDBA:pw@127.0.0.1:{closed_port()}/S?login_timeout=1")
    assert engine.dialect.name == "dameng" and engine.dialect.paramstyle == "qmark"
    with pytest.raises(sa.exc.OperationalError, match="-70028"):
        engine.connect()
    engine.dispose()


# -- the gate ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", load_corpus("readonly_dameng"), ids=lambda c: c.id)
def test_corpus_refused(case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises((errors.ReadOnlyError, errors.UnparseableStatementError)):
        gate_for("dameng").check(case.sql)


@pytest.mark.parametrize("case", load_corpus("allowed_dameng"), ids=lambda c: c.id)
def test_corpus_admitted(case) -> None:  # type: ignore[no-untyped-def]
    assert gate_for("dameng").verdict(case.sql).kind in ("SELECT", "EXPLAIN"), case.why


def test_reflected_type_names() -> None:
    """What DM's catalog reports maps to SQLAlchemy types as DM means them (DATE: no time)."""
    import sqlalchemy.types as sat

    from sqlgate.dialects.dameng import DamengDialect

    names = DamengDialect.ischema_names
    assert names["DATE"] is sat.Date and names["DATETIME"] is sat.DateTime
    assert names["BIT"] is sat.Boolean and names["BYTE"] is sat.SmallInteger
    for dm_name in ("TEXT", "LONGVARCHAR", "CLOB"):
        assert issubclass(names[dm_name], sat.Text), dm_name
    for dm_name in ("IMAGE", "LONGVARBINARY", "BLOB"):
        assert issubclass(names[dm_name], sat.LargeBinary), dm_name
    tz = names["DATETIME WITH TIME ZONE"]()  # reflection instantiates without arguments
    assert isinstance(tz, sat.TIMESTAMP) and tz.timezone
    assert DamengDialect.max_identifier_length == 128
