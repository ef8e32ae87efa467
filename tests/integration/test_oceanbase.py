"""OceanBase on OceanBase's own engine: seekdb (the OceanBase 4.3 kernel), over its socket.

The conformance suite (``tests/conformance``, ids ``*-seekdb``) and the read-only corpus
(``test_readonly_corpus.py[oceanbase]``) also run here; this module covers what is OceanBase's
own: the banner, the tenant mode, the server guard, isolation, the timeout variable, the login's
privileges and reflection of ``SHOW CREATE TABLE`` with OceanBase's table and index options.
"""

from __future__ import annotations

import io
import secrets
import socket
import threading
import warnings
from collections.abc import Iterator

import pymysql
import pytest
import sqlalchemy as sa

import sqlgate
from sqlgate.cli import main as sqlgate_cli
from sqlgate.core import errors
from sqlgate.dbapi import oceanbase
from tests.servers import mariadb, seekdb
from tests.servers.base import ServerInfo


def _count(info: ServerInfo, table: str) -> int:
    return int(mariadb.admin_execute(info, f"SELECT count(*) FROM {info.database}.{table}")[0][0])


@pytest.fixture
def ob_db(seekdb_database: ServerInfo) -> ServerInfo:
    """A database with one table of three rows."""
    mariadb.admin_execute(
        seekdb_database,
        f"CREATE TABLE {seekdb_database.database}.accounts "
        "(id int PRIMARY KEY, owner varchar(50), balance decimal(12,2))",
        f"INSERT INTO {seekdb_database.database}.accounts VALUES "
        "(1, 'alice', 100), (2, 'bob', 250.5), (3, '张伟', 0.01)",
    )
    return seekdb_database


@pytest.fixture
def reader(seekdb_server: ServerInfo) -> Iterator[tuple[str, str]]:
    """A login holding SELECT and SHOW VIEW only."""
    user, password = f"ro_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    seekdb.create_user(seekdb_server, user, password, privileges="SELECT, SHOW VIEW")
    try:
        yield user, password
    finally:
        mariadb.admin_execute(seekdb_server, f"DROP USER '{user}'@'%'")


@pytest.mark.parametrize(
    ("banner", "version"),
    [
        ("5.7.25-OceanBase-v4.2.1", (4, 2, 1)),
        ("5.7.25-OceanBase_CE-v4.2.1.0", (4, 2, 1)),
        ("5.7.25-OceanBase seekdb-v1.4.0.0", (1, 4, 0)),
    ],
)
def test_every_edition_banner_gives_its_version(banner: str, version: tuple[int, ...]) -> None:
    assert oceanbase.flavor.product_version(banner) == version
    assert oceanbase.flavor.compat_version(banner) == (5, 7, 25)


def test_banner_and_mysql_mode_are_read_at_connect(seeded_seekdb: ServerInfo) -> None:
    with sqlgate.connect(seeded_seekdb.url("oceanbase")) as conn:
        session = conn.session
        # the handshake says only 5.7.25: the edition comes from version()
        assert session.banner == seeded_seekdb.extra["banner"]
        assert "OceanBase seekdb" in session.banner
        assert session.product_version == oceanbase.flavor.product_version(session.banner)
        assert session.server_version == (5, 7, 25)
        assert session.compatibility_mode == "MYSQL"  # no ob_compatibility_mode on seekdb


def test_server_guard_refuses_writes_that_bypass_the_gate(ob_db: ServerInfo) -> None:
    """SET SESSION TRANSACTION READ ONLY is enforced by OceanBase itself (error 1792)."""
    with sqlgate.connect(ob_db.url("oceanbase")) as conn:
        assert conn.session.server_guard_active() is True
        raw = conn.session.raw  # the driver link: no gate in the way
        with raw.cursor() as cur, pytest.raises(pymysql.err.MySQLError) as info:
            cur.execute("UPDATE accounts SET balance = 0 WHERE id = 1")
        assert info.value.args[0] == 1792
        raw.rollback()
    rows = mariadb.admin_execute(
        ob_db, f"SELECT balance FROM {ob_db.database}.accounts ORDER BY id"
    )
    assert [str(r[0]) for r in rows] == ["100.00", "250.50", "0.01"]


def test_a_lifted_guard_closes_the_connection(ob_db: ServerInfo) -> None:
    conn = sqlgate.connect(ob_db.url("oceanbase"))
    with conn.session.raw.cursor() as cur:  # what a stored routine could do behind the gate
        cur.execute("SET SESSION TRANSACTION READ WRITE")
    with pytest.raises(errors.GuardLostError):
        conn.cursor().execute("SELECT count(*) FROM accounts")
    assert conn.closed
    assert _count(ob_db, "accounts") == 3


def test_default_isolation_is_read_committed_and_settable(seeded_seekdb: ServerInfo) -> None:
    engine = sa.create_engine(seeded_seekdb.url("oceanbase"))
    try:
        with engine.connect() as conn:
            assert conn.get_isolation_level() == "READ COMMITTED"
        with engine.connect().execution_options(isolation_level="SERIALIZABLE") as conn:
            assert conn.get_isolation_level() == "SERIALIZABLE"
            assert conn.execute(sa.text("SELECT count(*) FROM items")).scalar() == 4
    finally:
        engine.dispose()


def test_statement_timeout_sets_ob_query_timeout(seeded_seekdb: ServerInfo) -> None:
    with sqlgate.connect(seeded_seekdb.url("oceanbase"), statement_timeout="2.5") as conn:
        value = conn.cursor().execute("SELECT @@session.ob_query_timeout").fetchone()[0]
    assert int(value) == 2_500_000  # microseconds


def test_require_read_only_user(seeded_seekdb: ServerInfo, reader: tuple[str, str]) -> None:
    user, password = reader
    url = seeded_seekdb.url("oceanbase", user=user, password=password)
    with sqlgate.connect(url, require_read_only_user="true") as conn:
        assert conn.cursor().execute("SELECT count(*) FROM items").fetchone()[0] == 4
        assert conn.session.guard_warnings() == []
    with pytest.raises(errors.ProgrammingError, match=r"can write .*ALL PRIVILEGES ON \*\.\*"):
        sqlgate.connect(seeded_seekdb.url("oceanbase"), require_read_only_user="true")
    with pytest.raises(errors.InterfaceError, match="not a boolean"):
        sqlgate.connect(url, require_read_only_user="maybe")


def test_sqlgate_check_reports_the_login(
    seeded_seekdb: ServerInfo, reader: tuple[str, str]
) -> None:
    out = io.StringIO()
    code = sqlgate_cli(["check", seeded_seekdb.url("oceanbase")], out=out)
    text = out.getvalue()
    assert code == 3, text  # the harness's login can write: a weaker guard
    assert "server read-only guard: active" in text
    assert "weaker guard: the login can write (ALL PRIVILEGES ON *.*)" in text
    assert "OceanBase seekdb" in text and seeded_seekdb.password not in text
    user, password = reader
    out = io.StringIO()
    code = sqlgate_cli(
        ["check", seeded_seekdb.url("oceanbase", user=user, password=password)], out=out
    )
    assert code == 0, out.getvalue()


ORACLE_MODE_CAPABILITY = 1 << 27  # OB_CLIENT_SUPPORT_ORACLE_MODE (MySQL's QUERY_ATTRIBUTES)


def _packet(seq: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


def _oracle_tenant_login(sock: socket.socket) -> int:
    """One login as an Oracle-mode OceanBase tenant answers a client that does not announce
    Oracle mode: a protocol-10 handshake, then error 1235. Returns the client's flags."""
    capabilities = 0x1 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000  # what PyMySQL needs
    handshake = [
        b"\x0a5.7.25-OceanBase-v4.2.1\x00",  # protocol 10, the banner
        (7).to_bytes(4, "little") + b"abcdefgh\x00",  # connection id, scramble part 1
        (capabilities & 0xFFFF).to_bytes(2, "little") + b"\x2d\x02\x00",  # utf8mb4, status
        (capabilities >> 16).to_bytes(2, "little") + b"\x15" + bytes(10),
        b"ijklmnopqrst\x00mysql_native_password\x00",  # scramble part 2, auth plugin
    ]
    sock.sendall(_packet(0, b"".join(handshake)))
    head = sock.recv(4, socket.MSG_WAITALL)
    response = sock.recv(int.from_bytes(head[:3], "little"), socket.MSG_WAITALL)
    message = b"Oracle tenant for current client driver is not supported"
    sock.sendall(_packet(2, b"\xff" + (1235).to_bytes(2, "little") + b"#0A000" + message))
    return int.from_bytes(response[:4], "little")


def test_an_oracle_mode_tenant_is_refused_cleanly() -> None:
    """No Oracle-mode tenant runs here (enterprise edition only; see docs/sources/oceanbase.md).
    A real one refuses a login that lacks the Oracle-mode capability bit with error 1235,
    before any SQL: without ``mode=oracle`` sqlgate sends no such bit and turns the refusal
    into an error naming what to do (``mode=oracle``: tests/unit/test_oceanbase_oracle.py)."""
    flags: list[int] = []
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                conn.settimeout(10)
                flags.append(_oracle_tenant_login(conn))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        port = server.getsockname()[1]
        with pytest.raises(errors.NotSupportedError) as info:
            sqlgate.connect(f"oceanbase://scott%40oracle_tenant:tiger@127.0.0.1:{port}/app")
        thread.join(10)
    assert len(flags) == 1 and not flags[0] & ORACLE_MODE_CAPABILITY
    message = str(info.value)
    assert "Oracle mode" in message and "MySQL-mode tenant" in message and "obclient" in message
    assert "mode=oracle" in message
    assert "tiger" not in message


REFLECT_DDL = [
    "CREATE TABLE parent (id bigint NOT NULL AUTO_INCREMENT, name varchar(50) NOT NULL "
    "DEFAULT 'x' COMMENT '名字', score decimal(10,2), PRIMARY KEY (id), "
    "UNIQUE KEY uq_name (name), KEY idx_score (score, name)) COMMENT '父表'",
    "CREATE TABLE part (a int, b int, c int, PRIMARY KEY (a, b), KEY k_global (c) GLOBAL) "
    "PARTITION BY HASH(a) PARTITIONS 2",
    "CREATE TABLE child (a int PRIMARY KEY, b bigint, CONSTRAINT fk_parent FOREIGN KEY (b) "
    "REFERENCES parent (id) ON DELETE CASCADE)",
    "CREATE VIEW top_parents AS SELECT id, name FROM parent WHERE score > 10",
]


def test_reflection_reads_oceanbase_show_create_table(seekdb_database: ServerInfo) -> None:
    admin = mariadb.admin_connect(seekdb_database, database=seekdb_database.database)
    with admin as conn, conn.cursor() as cur:
        for ddl in REFLECT_DDL:
            cur.execute(ddl)
        cur.execute("SHOW CREATE TABLE part")
        shown = cur.fetchone()[1]
    # the options SQLAlchemy's parser alone would drop the keys over
    assert "BLOCK_SIZE 16384 GLOBAL" in shown and "partition by hash" in shown
    engine = sa.create_engine(seekdb_database.url("oceanbase"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Unknown schema content" would mean a lost key
            insp = sa.inspect(engine)
            assert sorted(insp.get_table_names()) == ["child", "parent", "part"]
            assert seekdb_database.database in insp.get_schema_names()
            assert insp.get_view_names() == ["top_parents"]  # as Superset lists them
            assert "from `" in insp.get_view_definition("top_parents").lower()
            assert [c["name"] for c in insp.get_columns("top_parents")] == ["id", "name"]
            cols = {c["name"]: c for c in insp.get_columns("parent")}
            assert cols["id"]["autoincrement"] is True and cols["name"]["comment"] == "名字"
            assert insp.get_pk_constraint("parent")["constrained_columns"] == ["id"]
            indexes = {i["name"]: i for i in insp.get_indexes("parent")}
            assert indexes["uq_name"]["unique"] and indexes["uq_name"]["column_names"] == ["name"]
            assert indexes["idx_score"]["column_names"] == ["score", "name"]
            assert insp.get_table_comment("parent")["text"] == "父表"
            assert insp.get_pk_constraint("part")["constrained_columns"] == ["a", "b"]
            assert [i["name"] for i in insp.get_indexes("part")] == ["k_global"]
            assert insp.get_table_options("part")["mysql_oceanbase_global_indexes"] == "k_global"
            (fk,) = insp.get_foreign_keys("child")
            assert (fk["referred_table"], fk["referred_columns"]) == ("parent", ["id"])
            assert fk["options"]["ondelete"] == "CASCADE"
            table = sa.Table("child", sa.MetaData(), autoload_with=engine)
            assert [c.name for c in table.primary_key] == ["a"]
    finally:
        engine.dispose()


def test_unix_socket_needs_the_operators_listing(
    seekdb_server: ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL alone cannot open a socket link (it could log in as this process's OS user)."""
    from sqlgate.dbapi.mysql_socket import SOCKETS_ENV

    url = seekdb_server.url("oceanbase")
    sock = seekdb_server.extra["unix_socket"]
    with sqlgate.connect(url) as conn:  # listed by the fixture, as an operator would
        assert conn.cursor().execute("SELECT 1").fetchone() == (1,)
    monkeypatch.setenv(SOCKETS_ENV, "/some/other.sock")
    with pytest.raises(errors.InterfaceError, match=SOCKETS_ENV):
        sqlgate.connect(url)
    monkeypatch.setenv(SOCKETS_ENV, sock)
    relative = url.replace(f"unix_socket={sock}", "unix_socket=run/sql.sock")
    with pytest.raises(errors.InterfaceError, match="absolute path"):
        sqlgate.connect(relative)


def test_vector_and_full_text_tables(seekdb_database: ServerInfo) -> None:
    """seekdb's own column and index kinds: a VECTOR column (which SQLAlchemy's reflection alone
    fails on, for the whole table) and full-text / vector indexes with their options."""
    db = seekdb_database.database
    mariadb.admin_execute(
        seekdb_database,
        f"CREATE TABLE {db}.docs (id int PRIMARY KEY, content text, embedding VECTOR(3), "
        "FULLTEXT INDEX idx_fts (content) WITH PARSER ik, "
        "VECTOR INDEX idx_vec (embedding) WITH (DISTANCE=l2, TYPE=hnsw, LIB=vsag)) "
        "ORGANIZATION = HEAP",
        f"INSERT INTO {db}.docs VALUES (1, '向量检索', '[0.5,1,2]')",
    )
    engine = sa.create_engine(seekdb_database.url("oceanbase"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            insp = sa.inspect(engine)
            cols = {c["name"]: c["type"] for c in insp.get_columns("docs")}
            assert cols["embedding"].get_col_spec() == "VECTOR(3)"
            indexes = {i["name"]: i for i in insp.get_indexes("docs")}
            assert indexes["idx_fts"]["dialect_options"]["mysql_prefix"] == "FULLTEXT"
            assert indexes["idx_fts"]["dialect_options"]["mysql_with_parser"] == "ik"
            assert indexes["idx_vec"]["column_names"] == ["embedding"]
            options = insp.get_table_options("docs")
            assert options["mysql_oceanbase_vector_indexes"] == "idx_vec"
            table = sa.Table("docs", sa.MetaData(), autoload_with=engine)
        with engine.connect() as conn:
            row = conn.execute(sa.select(table.c.content, table.c.embedding)).one()
        assert row.content == "向量检索"
        assert [float(x) for x in row.embedding.strip("[]").split(",")] == [0.5, 1.0, 2.0]
    finally:
        engine.dispose()
    with sqlgate.connect(seekdb_database.url("oceanbase")) as conn:
        cur = conn.cursor().execute("SELECT id, embedding FROM docs")
        arrow = cur.fetch_arrow_table()
    assert arrow.column("id").to_pylist() == [1]
    assert arrow.column("embedding").to_pylist() == ["[0.5,1,2]"]  # the protocol sends text
