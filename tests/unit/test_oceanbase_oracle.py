"""OceanBase Oracle mode against a scripted Oracle-mode tenant (no such server runs here).

A loopback server in this file speaks the MySQL handshake as an Oracle-mode tenant does: it
records the client's capability flags (``OB_CLIENT_SUPPORT_ORACLE_MODE`` is bit 27), marks its
OK packets with ``OB_SERVER_USE_ORACLE_MODE`` (status bit 4) and answers canned result sets.
Their values are bytes written here from OceanBase's documented layouts (ob_mysql_global.h type
codes; ``ps_fetch_oracle_timestamp`` / ``ps_fetch_oracle_interval`` in obconnector-c), never
by sqlgate's code. What this cannot show: that a real tenant sends exactly these bytes.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pytest

import sqlgate
from sqlgate.core import errors

ORACLE_BIT = 1 << 27
USE_ORACLE_MODE = 4  # OK-packet status bit
UTF8MB4, BINARY = 45, 63


def _lenenc(data: bytes | None) -> bytes:
    if data is None:
        return b"\xfb"
    n = len(data)
    head = bytes([n]) if n < 251 else b"\xfc" + n.to_bytes(2, "little")
    return head + data


def _column(
    name: str, type_code: int, charset: int = UTF8MB4, length: int = 64, decimals: int = 0
) -> bytes:
    return b"".join(
        [
            _lenenc(b"def"), _lenenc(b"APP"), _lenenc(b"T"), _lenenc(b"T"),
            _lenenc(name.encode()), _lenenc(name.encode()), b"\x0c",
            charset.to_bytes(2, "little"), length.to_bytes(4, "little"), bytes([type_code]),
            b"\x00\x00", bytes([decimals]), b"\x00\x00",
        ]
    )  # fmt: skip


def _otimestamp(year: int, month: int, day: int, h: int, m: int, s: int, nanos: int) -> bytes:
    """century, year of century, month, day, hour, minute, second, int32 ns, scale 9"""
    return (
        bytes([year // 100, year % 100, month, day, h, m, s])
        + nanos.to_bytes(4, "little")
        + b"\x09"
    )


def _tz(offset_h: int, offset_m: int, region: bytes = b"") -> bytes:
    return bytes([offset_h & 0xFF, offset_m & 0xFF, len(region)]) + region + b"\x00"


# one result: (name, type code, charset, decimals), rows of raw cell bytes
TYPES_COLUMNS = [
    ("TS_TZ", 200, BINARY, 0), ("TS_LTZ", 201, BINARY, 0), ("TS", 202, BINARY, 0),
    ("RAW_", 203, BINARY, 0), ("YM", 204, BINARY, 0), ("DS", 205, BINARY, 0),
    ("NF", 206, BINARY, 0), ("NV", 207, UTF8MB4, 0), ("NC", 208, UTF8MB4, 0),
    ("RID", 209, UTF8MB4, 0), ("BL", 210, BINARY, 0), ("CL", 211, UTF8MB4, 0),
    ("NUM", 246, BINARY, 2), ("D", 12, BINARY, 0),
]  # fmt: skip
TYPES_ROWS = [
    [
        _otimestamp(2024, 3, 5, 6, 7, 8, 123_456_789) + _tz(8, 0),
        _otimestamp(2024, 1, 2, 3, 4, 5, 500_000_000),
        _otimestamp(1999, 12, 31, 23, 59, 59, 999_999_999),
        b"\x00\xffAB",
        b"\x00" + (2).to_bytes(4, "little") + bytes([3, 2]),
        b"\x01" + (3).to_bytes(4, "little") + bytes([4, 5, 6])
        + (700_000_000).to_bytes(4, "little") + b"\x02\x06",
        b"1.25E+10", "张伟".encode(), "𠀀定长".encode(), b"*AAEPAQEAwAEAAAA=", b"\x01\x02",
        "长文本 clob".encode(), b"12345.67", b"2024-02-29 13:14:15",
    ],
    [
        _otimestamp(2023, 11, 5, 1, 30, 0, 0) + _tz(-5, 0, b"America/New_York"),
        None, None, None,
        b"\x01" + (10).to_bytes(4, "little") + bytes([11, 3]),
        None, None, None, None, None, None, None, b"-0.50", None,
    ],
]  # fmt: skip


# more rows than one chunk (10 000): the rest streams, and Arrow is read from the packets
MANY_COLUMNS = [("TS_TZ", 200, BINARY, 0), ("DS", 205, BINARY, 0), ("NV", 207, UTF8MB4, 0)]
MANY_ROWS: list[list[bytes | None]] = [
    [
        _otimestamp(2020, 1, 1 + i % 28, i % 24, 0, 0, i) + _tz(-3, -30),
        b"\x00"
        + i.to_bytes(4, "little")
        + bytes([1, 2, 3])
        + (0).to_bytes(4, "little")
        + b"\x02\x06",
        f"行{i}".encode(),
    ]
    for i in range(25_000)
]


@dataclass
class OracleTenant:
    """A scripted Oracle-mode tenant on 127.0.0.1 (one login at a time, bounded)."""

    answers: dict[str, tuple[list[tuple[str, int, int, int]], list[list[bytes | None]]]]
    flags: list[int] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    port: int = 0

    def serve(self, server: socket.socket, stop: threading.Event) -> None:
        """Each login on a thread of its own (a KILL QUERY link comes while the first is
        open); bounded in time and in logins."""
        deadline = time.monotonic() + 60
        sessions: list[threading.Thread] = []
        while not stop.is_set() and time.monotonic() < deadline and len(sessions) < 8:
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            thread = threading.Thread(target=self._serve_one, args=(conn,), daemon=True)
            thread.start()
            sessions.append(thread)
        for thread in sessions:
            thread.join(10)

    def _serve_one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            with contextlib.suppress(OSError, ConnectionError):
                self._session(conn)

    def _send(self, conn: socket.socket, seq: int, payload: bytes) -> int:
        conn.sendall(len(payload).to_bytes(3, "little") + bytes([seq & 0xFF]) + payload)
        return seq + 1

    def _ok(self, conn: socket.socket, seq: int) -> None:
        self._send(
            conn, seq, b"\x00\x00\x00" + (2 | USE_ORACLE_MODE).to_bytes(2, "little") + b"\x00\x00"
        )

    def _session(self, conn: socket.socket) -> None:
        caps = 0x1 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000
        handshake = [
            b"\x0a5.7.25\x00", (9).to_bytes(4, "little"), b"abcdefgh\x00",
            (caps & 0xFFFF).to_bytes(2, "little"), b"\x2d", (2).to_bytes(2, "little"),
            (caps >> 16).to_bytes(2, "little"), b"\x15", bytes(10),
            b"ijklmnopqrst\x00mysql_native_password\x00",
        ]  # fmt: skip
        self._send(conn, 0, b"".join(handshake))
        response = self._read(conn)
        self.flags.append(int.from_bytes(response[:4], "little"))
        if not self.flags[-1] & ORACLE_BIT:
            message = b"#0A000Oracle tenant for current client driver is not supported"
            self._send(conn, 2, b"\xff" + (1235).to_bytes(2, "little") + message)
            return
        self._ok(conn, 2)
        while True:
            packet = self._read(conn)
            if not packet or packet[0] == 0x01:  # COM_QUIT
                return
            text = packet[1:].decode()
            self.queries.append(text)
            if text in self.answers:
                conn.sendall(self._result_set(*self.answers[text]))
            else:
                self._ok(conn, 1)

    @staticmethod
    def _result_set(
        columns: list[tuple[str, int, int, int]], rows: list[list[bytes | None]]
    ) -> bytes:
        """Column count, definitions, EOF, rows, EOF: one buffer (many rows stay fast)."""
        packets = [bytes([len(columns)])]
        for name, code, charset, decimals in columns:
            width = 12 if code == 246 else 64  # NUMBER(10,2): digits, sign, point
            packets.append(_column(name, code, charset, width, decimals))
        eof = b"\xfe\x00\x00" + (2 | USE_ORACLE_MODE).to_bytes(2, "little")
        packets.append(eof)
        packets.extend(b"".join(_lenenc(v) for v in row) for row in rows)
        packets.append(eof)
        return b"".join(
            len(p).to_bytes(3, "little") + bytes([(seq + 1) & 0xFF]) + p
            for seq, p in enumerate(packets)
        )

    @staticmethod
    def _read(conn: socket.socket) -> bytes:
        head = conn.recv(4, socket.MSG_WAITALL)
        if len(head) < 4:
            return b""
        return conn.recv(int.from_bytes(head[:3], "little"), socket.MSG_WAITALL)


VERSION_ANSWER = ([("Variable_name", 253, UTF8MB4, 0), ("Value", 253, UTF8MB4, 0)],
                  [[b"version", b"5.7.25-OceanBase-v4.2.1"]])  # fmt: skip


@pytest.fixture
def tenant() -> Iterator[OracleTenant]:
    script = OracleTenant(
        {
            "SHOW VARIABLES LIKE 'version'": VERSION_ANSWER,
            "SELECT * FROM ORACLE_TYPES": (TYPES_COLUMNS, TYPES_ROWS),
            "SELECT * FROM MANY": (MANY_COLUMNS, MANY_ROWS),
            # what SQLAlchemy's Oracle dialect asks at its first connect
            "select sys_context( 'userenv', 'current_schema' ) from dual": (
                [("S", 253, UTF8MB4, 0)],
                [[b"APP"]],
            ),
        }
    )
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(0.2)
        script.port = server.getsockname()[1]
        stop = threading.Event()
        thread = threading.Thread(target=script.serve, args=(server, stop), daemon=True)
        thread.start()
        yield script
        stop.set()
        thread.join(10)


def _url(tenant: OracleTenant, mode: str = "oracle") -> str:
    return f"oceanbase://scott%40ora:tiger@127.0.0.1:{tenant.port}/APP?mode={mode}"


def _check_values(rows: list[tuple[object, ...]]) -> None:
    first, second = rows
    east8 = datetime.timezone(datetime.timedelta(hours=8))
    assert first[0] == datetime.datetime(2024, 3, 5, 6, 7, 8, 123456, tzinfo=east8)
    assert first[0].utcoffset() == datetime.timedelta(hours=8)
    assert first[1] == datetime.datetime(2024, 1, 2, 3, 4, 5, 500000)
    assert first[2] == datetime.datetime(1999, 12, 31, 23, 59, 59, 999999)  # ns truncated
    assert first[3] == b"\x00\xffAB"
    assert first[4] == "+02-03" and second[4] == "-010-11"
    assert first[5] == -datetime.timedelta(
        days=3, hours=4, minutes=5, seconds=6, microseconds=700000
    )
    assert first[6] == decimal.Decimal("1.25E+10")
    assert first[7:10] == ("张伟", "𠀀定长", "*AAEPAQEAwAEAAAA=")
    assert first[10] == b"\x01\x02" and first[11] == "长文本 clob"
    assert first[12] == decimal.Decimal("12345.67") and second[12] == decimal.Decimal("-0.50")
    assert first[13] == datetime.datetime(2024, 2, 29, 13, 14, 15)
    new_york = second[0]
    assert new_york.tzinfo is not None and str(new_york.tzinfo) == "America/New_York"
    assert new_york.utcoffset() == datetime.timedelta(hours=-4)  # 01:30 before the DST end
    assert second[1:4] == (None, None, None) and second[5:12] == (None,) * 7


def test_handshake_announces_oracle_mode_and_types_decode(tenant: OracleTenant) -> None:
    with sqlgate.connect(_url(tenant)) as conn:
        assert conn.session.compatibility_mode == "ORACLE"
        assert conn.session.product_version == (4, 2, 1)
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM ORACLE_TYPES")
        names = [d[1] for d in cursor.description]
        assert names[:6] == [
            "timestamp with time zone", "timestamp with local time zone", "timestamp", "raw",
            "interval year to month", "interval day to second",
        ]  # fmt: skip
        assert names[6:] == [
            "float",
            "nvarchar2",
            "nchar",
            "urowid",
            "blob",
            "clob",
            "number",
            "date",
        ]
        _check_values(cursor.fetchall())
        cursor.execute("SELECT * FROM ORACLE_TYPES")
        table = cursor.fetch_arrow_table()
    assert tenant.flags and all(flag & ORACLE_BIT for flag in tenant.flags)
    types = dict(zip(table.column_names, table.schema.types, strict=True))
    assert types["TS_TZ"] == pa.timestamp("us", tz="UTC") and types["DS"] == pa.duration("us")
    assert types["RAW_"] == pa.binary() and types["NUM"] == pa.decimal128(10, 2)
    assert table.column("TS_TZ")[0].as_py() == datetime.datetime(
        2024, 3, 4, 22, 7, 8, 123456, tzinfo=datetime.timezone.utc
    )
    assert table.column("DS")[0].as_py() == -datetime.timedelta(
        days=3, seconds=14706, microseconds=700000
    )
    assert table.column("NV").to_pylist() == ["张伟", None]


def test_parameters_become_oracle_literals(tenant: OracleTenant) -> None:
    """MySQL's ``\\'`` would end an Oracle string: the quote is doubled, the backslash sent as
    ``CHR(92)`` (never inside the quotes, whatever a reader makes of backslashes)."""
    with sqlgate.connect(_url(tenant)) as conn:
        cursor = conn.cursor()
        cursor.execute(
            "SELECT * FROM T WHERE NAME = %s AND B = %s AND AT = %s AND PCT LIKE '50%%'",
            ("O'Brien\\' OR 1=1 --", b"\x0f\xa0", datetime.date(2024, 1, 2)),
        )
    sent = [q for q in tenant.queries if q.startswith("SELECT * FROM T WHERE")]
    assert sent == [
        "SELECT * FROM T WHERE NAME = ('O''Brien' || CHR(92) || ''' OR 1=1 --') "
        "AND B = HEXTORAW('0FA0') "
        "AND AT = DATE '2024-01-02' AND PCT LIKE '50%'"
    ]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM T",
        "SELECT * FROM T FOR UPDATE",
        "SELECT * FROM T@REMOTE_DB",
        "BEGIN DBMS_LOCK.SLEEP(1); END;",
        "SELECT S.NEXTVAL FROM DUAL",
    ],
)
def test_writes_and_links_never_reach_the_tenant(tenant: OracleTenant, sql: str) -> None:
    with sqlgate.connect(_url(tenant)) as conn:
        before = list(tenant.queries)
        with pytest.raises(errors.ReadOnlyError):
            conn.cursor().execute(sql)
        assert tenant.queries == before  # nothing was sent


def test_mysql_mode_login_is_refused_with_the_fix(tenant: OracleTenant) -> None:
    with pytest.raises(errors.NotSupportedError, match="mode=oracle") as info:
        sqlgate.connect(_url(tenant, "mysql"))
    assert tenant.flags and not tenant.flags[0] & ORACLE_BIT
    assert "tiger" not in str(info.value)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(errors.InterfaceError, match="mysql and oracle"):
        sqlgate.connect("oceanbase://u:p@127.0.0.1:1/db?mode=postgres")


def test_isolation_levels(tenant: OracleTenant) -> None:
    with sqlgate.connect(_url(tenant)) as conn:
        conn.session.set_isolation_level("SERIALIZABLE")
        assert tenant.queries[-1] == "ALTER SESSION SET ISOLATION_LEVEL = SERIALIZABLE"
        with pytest.raises(errors.NotSupportedError, match="READ COMMITTED and SERIALIZABLE"):
            conn.session.set_isolation_level("REPEATABLE READ")


def test_a_streamed_result_decodes_on_the_arrow_path(tenant: OracleTenant) -> None:
    """Past the first chunk the rest is read from the packets (mysql_arrow.py): the
    Oracle-mode decoders must apply there as on the row path."""
    minus_330 = datetime.timezone(-datetime.timedelta(hours=3, minutes=30))
    with sqlgate.connect(_url(tenant)) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT * FROM MANY")
        table = cursor.fetch_arrow_table()
        cursor.execute("SELECT * FROM MANY")
        rows = cursor.fetchall()
    assert table.num_rows == len(rows) == 25_000
    for i in (0, 9_999, 10_000, 24_999):
        wall = datetime.datetime(2020, 1, 1 + i % 28, i % 24, 0, 0, i // 1000, tzinfo=minus_330)
        span = datetime.timedelta(days=i, hours=1, minutes=2, seconds=3)
        assert rows[i] == (wall, span, f"行{i}")
        assert table.column("TS_TZ")[i].as_py() == wall
        assert table.column("DS")[i].as_py() == span and table.column("NV")[i].as_py() == f"行{i}"


def test_sqlalchemy_engine_with_mode_oracle(tenant: OracleTenant) -> None:
    """The URL's mode=oracle reaches both the dialect and the DB-API module's handshake."""
    import sqlalchemy as sa

    engine = sa.create_engine(_url(tenant))
    try:
        with engine.connect() as conn:
            assert conn.dialect.name == "oceanbase_oracle"
            assert conn.dialect.default_schema_name == "app"  # Oracle's upper case, normalised
            rows = conn.execute(sa.text("SELECT * FROM ORACLE_TYPES")).fetchall()
    finally:
        engine.dispose()
    _check_values([tuple(row) for row in rows])
    assert tenant.flags and all(flag & ORACLE_BIT for flag in tenant.flags)


def test_cancel_link_announces_oracle_mode_too(tenant: OracleTenant) -> None:
    """KILL QUERY goes over a second, short-lived login: without the bit the tenant would
    refuse it (1235) and a runaway query could not be stopped."""
    with sqlgate.connect(_url(tenant)) as conn:
        conn.session.cancel()
    assert "KILL QUERY 9" in tenant.queries  # the scripted handshake's connection id
    assert len(tenant.flags) == 2 and all(flag & ORACLE_BIT for flag in tenant.flags)
