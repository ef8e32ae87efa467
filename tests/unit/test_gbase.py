"""GBase 8s/8t (Informix family, SQLI on gbase8sdb) and GBase 8a (MySQL family), no server.

No GBase server runs here (docs/sources/gbase8s.md). What runs is real: gbase8sdb's SQLI
client against a closed port on 127.0.0.1, SQLAlchemy 2.x here and 1.4 in Superset's venv.
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
import sqlalchemy as sa

import sqlgate
from sqlgate.core import errors
from sqlgate.core.params import ConnectParams
from sqlgate.core.readonly import gate_for
from sqlgate.core.registry import get_source

gbase8sdb = pytest.importorskip("gbase8sdb")

ROOT = Path(__file__).resolve().parents[2]
SUPERSET_PYTHON = ROOT / ".cache" / "superset-venv" / "bin" / "python"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _params(url: str) -> ConnectParams:
    return ConnectParams.from_url(get_source(url.split(":")[0]), url)


# -- the registry: which product is which ------------------------------------------------------
def test_products_and_protocols() -> None:
    assert (get_source("gbase8s").family, get_source("gbase8t").family) == ("informix",) * 2
    assert get_source("gbase8a").family == "mysql" and get_source("gbase8a").default_port == 5258
    assert get_source("gbase8t").default_port == 9088 and "MySQL" not in get_source("gbase8t").title
    from sqlgate.dbapi import gbase8a, gbase8s, gbase8t

    assert (gbase8s.paramstyle, gbase8t.paramstyle, gbase8a.paramstyle) == (
        "qmark",
        "qmark",
        "pyformat",
    )
    assert gbase8sdb.paramstyle == "qmark"  # what the driver binds
    assert get_source("gbase8t").load_dbapi() is gbase8t


# -- the driver contract --------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["gbase8s", "gbase8t"])
def test_closed_port_is_an_operational_error_quickly(scheme: str) -> None:
    started = time.monotonic()
    with pytest.raises(errors.OperationalError) as info:
        sqlgate.connect(
            f"{scheme}://gbasedbt:Secret_pw_9@127.0.0.1:{closed_port()}/db?server=gb01"
            "&connect_timeout=2"
        )
    assert time.monotonic() - started < 5
    assert "cannot reach the GBase server at 127.0.0.1" in str(info.value)
    assert "Secret_pw_9" not in str(info.value)


def test_driver_raises_a_plain_oserror_for_a_refused_socket() -> None:
    """Why sqlgate reaches the port itself: gbase8sdb's own error is no PEP 249 class."""
    dsn = gbase8sdb.makedsn(server_name="gb01", db_name="db", host="127.0.0.1", port=closed_port())
    with pytest.raises(OSError) as info:
        gbase8sdb.connect(dsn, "gbasedbt", "x")
    assert not isinstance(info.value, gbase8sdb.Error)


def test_dsn_arguments() -> None:
    from sqlgate.dbapi.informix_family import dsn_arguments

    args = dsn_arguments(_params("gbase8s://u@db.example:9090/sales?server=gb01&charset=gb18030"))
    assert args == {
        "server_name": "gb01", "db_name": "sales", "host": "db.example", "port": 9090,
        "client_locale": "zh_CN.GB18030-2000", "db_locale": "zh_CN.GB18030-2000",
        "sqlmode": "gbase", "delimident": 1,
    }  # fmt: skip
    dsn = gbase8sdb.makedsn(**args)
    assert "CLIENT_LOCALE=zh_CN.GB18030-2000;" in dsn and "DELIMIDENT=Y;" in dsn
    # the driver maps this locale to Python's gb18030 codec (what it decodes rows with)
    from gbase8sdb.connection import _convert_dsn_to_dict, get_client_locale

    assert get_client_locale(_convert_dsn_to_dict(dsn)) == "gb18030"
    assert dsn_arguments(_params("gbase8t://u@h/d?server=s"))["client_locale"] == "zh_CN.utf8"


def test_gbase8sdb_decodes_a_gbk_locale_as_utf8() -> None:
    """The driver bug that makes sqlgate refuse charset=gbk (gbase8sdb 1.1.1)."""
    from gbase8sdb.connection import get_client_locale

    assert get_client_locale({"CLIENT_LOCALE": "zh_CN.GB"}) == "utf8"
    with pytest.raises(errors.InterfaceError, match="use charset=gb18030"):
        sqlgate.connect("gbase8s://u@127.0.0.1:1/d?server=s&charset=gbk")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "server's name"),
        ("server=gb01;DELIMIDENT=N", "only letters"),
        ("server=s&sqlmode=mysql", "gbase, oracle"),
        ("server=s&protocol=x", "unknown GBase option"),
    ],
)
def test_dsn_refusals(query: str, message: str) -> None:
    from sqlgate.dbapi.informix_family import dsn_arguments

    with pytest.raises(errors.InterfaceError, match=message):
        dsn_arguments(_params(f"gbase8s://u@h/d?{query}"))


def test_gbase8t_refuses_mysql_options_now() -> None:
    with pytest.raises(errors.InterfaceError, match="unknown GBase option"):
        sqlgate.connect("gbase8t://u@127.0.0.1:1/d?server=s&read_timeout=5")


# -- types ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_name", "arrow"),
    [
        ("SERIAL8", pa.int64()),
        ("INT8", pa.int64()),
        ("INTEGER", pa.int32()),
        ("SMALLFLOAT", pa.float32()),
        ("FLOAT", pa.float64()),
        ("DECIMAL(12,3)", pa.decimal128(12, 3)),
        ("MONEY", pa.decimal128(16, 2)),
        ("LVARCHAR(2000)", pa.string()),
        ("NVARCHAR(20)", pa.string()),
        ("BYTE", pa.binary()),
        ("DATE", pa.date32()),
        ("DATETIME YEAR TO SECOND", pa.timestamp("us")),
        ("DATETIME YEAR TO FRACTION(5)", pa.timestamp("us")),
        ("DATETIME HOUR TO SECOND", pa.time64("us")),
        ("BOOLEAN", pa.bool_()),
    ],
)
def test_type_map(type_name: str, arrow: pa.DataType) -> None:
    from sqlgate.dbapi.informix_family import INFORMIX_TYPES

    assert INFORMIX_TYPES.to_arrow(type_name) == arrow


def test_driver_types_are_named() -> None:
    from sqlgate.dbapi.informix_family import arrow_type, driver_type_name

    assert driver_type_name(gbase8sdb.DB_TYPE_NUMBER, 10, 2) == "DECIMAL(10, 2)"
    assert arrow_type(driver_type_name(gbase8sdb.DB_TYPE_NUMBER, 10, 2)) == pa.decimal128(10, 2)
    assert arrow_type(driver_type_name(gbase8sdb.DB_TYPE_LVARCHAR, None, None)) == pa.string()
    assert arrow_type(driver_type_name(gbase8sdb.DB_TYPE_TIMESTAMP, None, None)) == pa.timestamp(
        "us"
    )
    assert arrow_type(driver_type_name(gbase8sdb.DB_TYPE_BYTE, None, None)) == pa.binary()


def test_syscolumns_coltype_decoding() -> None:
    from sqlgate.dialects.informix_family import decode_coltype

    type_, nullable, serial = decode_coltype(6 + 256, 4)  # SERIAL NOT NULL
    assert isinstance(type_, sa.Integer) and not nullable and serial
    type_, nullable, serial = decode_coltype(13, 20 * 256 + 40)  # VARCHAR(40, 20)
    assert isinstance(type_, sa.VARCHAR) and type_.length == 40 and nullable and not serial
    type_, _, _ = decode_coltype(5, 12 * 256 + 3)  # DECIMAL(12, 3)
    assert (type_.precision, type_.scale) == (12, 3)  # type: ignore[attr-defined]
    assert isinstance(decode_coltype(53 + 256, 8)[0], sa.BigInteger)  # BIGSERIAL


# -- SQL compiled by the dialect on SQLAlchemy 2.x and 1.4 ----------------------------------
COMPILE_SCRIPT = r"""
import json, sqlalchemy as sa
from sqlalchemy.schema import CreateTable
from sqlgate.dialects.gbase8s import GBase8sDialect
d = GBase8sDialect()
t = sa.Table("商品", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("名称", sa.String(20)), sa.Column("note", sa.String(1000)),
             sa.Column("at", sa.DateTime), sa.Column("raw", sa.LargeBinary))
out = {
    "version": sa.__version__,
    "page": str(sa.select(t.c.id).order_by(t.c.id).limit(5).offset(10).compile(dialect=d)),
    "first": str(sa.select(t.c.id).distinct().limit(3).compile(dialect=d)),
    "now": str(sa.select(sa.func.now(), sa.func.current_date()).compile(dialect=d)),
    "seq": str(sa.select(sa.Sequence("s").next_value()).compile(dialect=d)),
    "bind": str(sa.select(t.c.id).where(t.c["名称"] == "中文").compile(dialect=d)),
    "ddl": str(CreateTable(t).compile(dialect=d)),
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


@pytest.mark.parametrize("python", ["sa2", "sa14"])
def test_compiled_sql(python: str) -> None:
    if python == "sa14" and not SUPERSET_PYTHON.exists():
        pytest.skip("Superset's venv (SQLAlchemy 1.4) is not installed")
    out = _compiled(sys.executable if python == "sa2" else SUPERSET_PYTHON)
    assert out["version"].startswith("2." if python == "sa2" else "1.4")

    def flat(key: str) -> str:
        return " ".join(out[key].split())

    assert flat("page") == 'SELECT SKIP 10 FIRST 5 "商品".id FROM "商品" ORDER BY "商品".id'
    assert flat("first") == 'SELECT FIRST 3 DISTINCT "商品".id FROM "商品"'
    assert flat("now") == (
        "SELECT CURRENT AS now_1, TODAY AS current_date_1 FROM sysmaster:sysdual"
    )
    assert flat("seq") == "SELECT s.NEXTVAL AS next_value_1 FROM sysmaster:sysdual"
    assert flat("bind") == 'SELECT "商品".id FROM "商品" WHERE "商品"."名称" = ?'
    ddl = flat("ddl")
    for piece in (
        "id SERIAL NOT NULL",
        '"名称" VARCHAR(20)',
        "note LVARCHAR(1000)",
        "at DATETIME YEAR TO FRACTION(5)",
        "raw BYTE",
    ):
        assert piece in ddl, ddl
    # what the dialect writes, the gate admits
    gate = gate_for("informix")
    for key in ("page", "first", "now", "bind"):
        assert gate.verdict(out[key]).kind == "SELECT", out[key]
    with pytest.raises(errors.ReadOnlyError):  # seq.NEXTVAL advances the sequence
        gate.check(out["seq"])


# -- the gate on Informix SQL -------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql",
    [
        "SELECT FIRST 10 * FROM items",
        "SELECT SKIP 5 FIRST 10 id FROM items ORDER BY id",
        "SELECT LIMIT 3 id FROM items",
        "SELECT tabname FROM systables WHERE tabid > 99",
        'SELECT "名称" FROM "商品" WHERE "名称" = \'𠀀\'',
        "SELECT CURRENT FROM sysmaster:sysdual",
    ],
)
def test_gate_admits_informix_reads(sql: str) -> None:
    assert gate_for("informix").verdict(sql).kind == "SELECT"


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM items",
        "UPDATE items SET a = 1",
        "INSERT INTO items VALUES (1)",
        "SELECT s.NEXTVAL FROM sysmaster:sysdual",
        "EXECUTE FUNCTION sysadmin:task('onmode', 'ky')",
        "SELECT sysadmin:admin('drop chunk') FROM systables WHERE tabid = 1",
        "SELECT SYSTEM('rm -rf /') FROM sysmaster:sysdual",
        "UNLOAD TO '/tmp/x' SELECT * FROM items",
        "SELECT * FROM items INTO TEMP t",
        "SELECT * FROM items FOR UPDATE",
        "SELECT 1 FROM items {'} ; DELETE FROM items; {'}",
        "SELECT 1 FROM items { } ; DELETE FROM items",
        "SET ISOLATION TO DIRTY READ",
        "SET TRANSACTION READ WRITE",
        "DROP TABLE items",
        # another server's database (a distributed query: beyond this session's read-only mode)
        "SELECT * FROM stores@remote:items",
        "SELECT * FROM stores@remote:informix.items",
        'SELECT * FROM "stores@remote":items',
        "SELECT stores@remote:wipe(1) FROM systables WHERE tabid = 1",
    ],
)
def test_gate_refuses_informix_writes(sql: str) -> None:
    with pytest.raises((errors.ReadOnlyError, errors.UnparseableStatementError)):
        gate_for("informix").check(sql)


def test_gbase8a_is_the_mysql_family() -> None:
    engine = sa.create_engine("gbase8a://u@127.0.0.1:5258/db")
    assert engine.dialect.name == "gbase8a"
    assert engine.dialect.paramstyle == "pyformat"
    engine = sa.create_engine("gbase8t://u@127.0.0.1:9088/db?server=s")
    assert engine.dialect.name == "gbase8t" and engine.dialect.paramstyle == "qmark"
