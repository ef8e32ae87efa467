"""Secrets never leak, URL parts are safe, redaction is linear (issue #7, classes 4, 8, 9).

Most refusals happen before any connection is attempted, so a loopback listener stands in for
the server and proves that nothing connected; the real PostgreSQL server shows the NUL attack
is real and refused, and builds real driver exceptions that carry a secret.
"""

from __future__ import annotations

import os
import secrets as pysecrets
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

import sqlgate
from sqlgate.core import errors, redact
from sqlgate.core.translate import RedactedCause, translated
from tests.servers.base import ServerInfo

REPO = Path(__file__).resolve().parents[2]


def new_secret() -> str:
    """A fresh, URL-safe secret no earlier test registered."""
    return f"S3cr{pysecrets.token_hex(10)}"


def all_text(exc: BaseException) -> str:
    return "\n".join([str(exc), repr(exc), "".join(traceback.format_exception(exc))])


def assert_no_secret(exc: BaseException, *secret_values: str) -> None:
    text = all_text(exc)
    for value in secret_values:
        assert value not in text
    chained, depth = exc, 0
    while chained is not None and depth < 10:  # also what code (not tracebacks) can reach
        for value in secret_values:
            assert value not in repr(chained.args) and value not in repr(vars(chained))
        chained, depth = chained.__cause__ or chained.__context__, depth + 1


@pytest.fixture
def listener() -> Iterator[tuple[int, socket.socket]]:
    """A loopback TCP port nothing serves: a connection attempt would show up as accepted."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    try:
        yield sock.getsockname()[1], sock
    finally:
        sock.close()


def assert_nothing_connected(sock: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        conn, _ = sock.accept()
        conn.close()


# -- class 8: a mistyped URL never shows its secret -------------------------------------------

TYPOS = [
    "{scheme}:/{auth}@127.0.0.1:{port}/app{query}",  # one slash
    "{scheme}:{auth}@127.0.0.1:{port}/app{query}",  # no slashes
    "{scheme}://{auth}@127.0.0.1:abc/app{query}",  # port not a number
    "{scheme}://{auth}@127.0.0.1:{port}:5/app{query}",  # two ports
    " {scheme}://{auth}@127.0.0.1:{port}/app{query}",  # leading space
    "{scheme} ://{auth}@127.0.0.1:{port}/app{query}",  # space before ://
    "{scheme}//{auth}@127.0.0.1:{port}/app{query}",  # colon missing
]
POSITIONS = {
    "password": ("analyst:{s}", ""),
    "query-password": ("analyst", "?password={s}"),
    "sas-sig": ("analyst", "?sv=2024-01-01&sig={s}&se=2030-01-01"),
    "credential-option": ("analyst", "?credential=env:PGPW&credential_token={s}"),
}


@pytest.mark.parametrize("scheme", ["postgresql+sqlgate", "mysql+sqlgate"])
@pytest.mark.parametrize("position", sorted(POSITIONS))
@pytest.mark.parametrize("typo", TYPOS)
def test_mistyped_url_never_shows_the_secret(
    scheme: str, position: str, typo: str, listener: tuple[int, socket.socket]
) -> None:
    port, sock = listener
    secret = new_secret()
    auth, query = POSITIONS[position]
    url = typo.format(
        scheme=scheme, auth=auth.format(s=secret), port=port, query=query.format(s=secret)
    )
    with pytest.raises(errors.InterfaceError) as info:
        sqlgate.connect(url)
    assert "malformed" in str(info.value) or "unknown sqlgate source" in str(info.value)
    assert_no_secret(info.value, secret)
    assert_nothing_connected(sock)


def test_malformed_url_names_the_fix() -> None:
    secret = new_secret()
    with pytest.raises(errors.InterfaceError) as info:
        sqlgate.connect(f"postgresql+sqlgate:/user:{secret}@host/db")
    message = str(info.value)
    assert "'postgresql+sqlgate:' is not followed by '//'" in message
    assert "percent-encode" in message and "credential=" in message
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert_no_secret(info.value, secret)


def test_unencoded_slash_in_password_port_error_hides_both_halves() -> None:
    """``user:ab/cd@host`` (port 1: refused at once, whichever way the URL is read)."""
    first, second = new_secret(), new_secret()
    for url in (
        f"mysql+sqlgate://user:{first}/{second}@127.0.0.1:1/db",
        f"postgresql+sqlgate://user:{first}:{second}@127.0.0.1:1/db",
        f"postgresql+sqlgate://user:{first}@{second}@127.0.0.1:1/db",
    ):
        with pytest.raises(errors.Error) as info:
            sqlgate.connect(url)
        assert_no_secret(info.value, first, second)


@pytest.mark.parametrize("typo", TYPOS[:3])
def test_sqlgate_check_stderr_has_no_secret(typo: str) -> None:
    secret = new_secret()
    url = typo.format(
        scheme="postgresql+sqlgate", auth=f"analyst:{secret}", port=1, query=f"?sig={secret}"
    )
    done = subprocess.run(
        [sys.executable, "-m", "sqlgate.cli", "check", url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        check=False,
    )
    assert done.returncode == 2
    assert "InterfaceError" in done.stderr and "Traceback" not in done.stderr
    assert secret not in done.stderr + done.stdout


# -- class 4: control characters in any URL part or keyword are refused ----------------------

CONTROL = ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]
PARTS = ["host", "user", "password", "database", "option-name", "option-value", "credential-option"]


def _url_and_kwargs(
    scheme: str, part: str, char: str, port: int, root: str = "app"
) -> tuple[str, dict[str, str]]:
    """A URL with ``char`` in ``part`` (percent-encoded where URLs decode), or keywords."""
    enc = quote(char, safe="")
    user, pw, host, db, query = "analyst", "pw-long-enough", "127.0.0.1", root, "?x=1"
    kwargs: dict[str, str] = {}
    if part == "host":
        kwargs["host"] = f"127.0.0.1{char}"  # URLs do not decode hosts: a keyword does it
    elif part == "user":
        user = f"ana{enc}lyst"
    elif part == "password":
        pw = f"pw{enc}-long-enough"
    elif part == "database":
        db = f"{root}{enc}"
    elif part == "option-name":
        query = f"?opt{enc}ion=1"
    elif part == "option-value":
        query = f"?application_name=x{enc}y"
    else:
        query = f"?credential=vault:pg&credential_path=/run/vault{enc}.json"
        pw = ""
    auth = f"{user}:{pw}" if pw else user
    netloc = f"{auth}@{host}:{port}" if scheme != "delta" else ""
    return f"{scheme}://{netloc}/{db}{query}", kwargs


def _assert_refused(exc: BaseException, part: str, char: str) -> None:
    message = str(exc)
    assert "control character" in message and f"U+{ord(char):04X}" in message
    expected = {
        "host": "host",
        "user": "user name",
        "password": "password",
        "database": "database name",
        "option-name": "option name",
        "option-value": "option application_name",
        "credential-option": "option credential_path",
    }[part]
    assert expected in message
    assert "pw-long-enough" not in all_text(exc)


@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("scheme", ["postgresql+sqlgate", "mysql+sqlgate"])
def test_control_characters_refused_before_connecting(
    scheme: str, part: str, char: str, listener: tuple[int, socket.socket]
) -> None:
    port, sock = listener
    url, kwargs = _url_and_kwargs(scheme, part, char, port)
    with pytest.raises(errors.InterfaceError) as info:
        sqlgate.connect(url, connect_timeout=2, **kwargs)
    _assert_refused(info.value, part, char)
    assert_nothing_connected(sock)


@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(
    "part", ["user", "password", "database", "option-name", "option-value", "credential-option"]
)
def test_control_characters_refused_for_delta(part: str, char: str, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    url, kwargs = _url_and_kwargs("delta", part, char, 0, root=str(tmp_path).lstrip("/"))
    if part in ("user", "password"):  # a lakehouse URL has no authority: pass keywords
        url, kwargs = f"delta://{tmp_path}", {part: f"ana{char}lyst-long"}
    with pytest.raises(errors.InterfaceError) as info:
        sqlgate.connect(url, **kwargs)
    _assert_refused(info.value, part, char)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("char", ["\x00", "\n", "\x85", "\u2028"], ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("part", PARTS)
def test_control_characters_refused_through_sqlalchemy(
    part: str, char: str, listener: tuple[int, socket.socket]
) -> None:
    import sqlalchemy

    port, sock = listener
    url, kwargs = _url_and_kwargs("postgresql+sqlgate", part, char, port)
    engine = sqlalchemy.create_engine(url, connect_args=kwargs)
    try:
        with pytest.raises(sqlalchemy.exc.DBAPIError) as info:
            engine.connect()
    finally:
        engine.dispose()
    assert isinstance(info.value.orig, errors.InterfaceError)
    _assert_refused(info.value.orig, part, char)
    assert_nothing_connected(sock)


def test_nul_in_database_name_refused_against_a_real_server(postgres_server: ServerInfo) -> None:
    """libpq stops reading at NUL: the guard option after the database name is dropped. The
    first half shows that on the real server; sqlgate must refuse the URL instead."""
    import psycopg

    info = postgres_server
    raw = psycopg.connect(
        host=info.host,
        port=info.port,
        user=info.user,
        password=info.password,
        dbname=f"{info.database}\x00",
        options="-c default_transaction_read_only=on",
        connect_timeout=5,
    )
    with raw:  # the attack works against the bare driver: connected, guard gone
        assert raw.execute("SHOW default_transaction_read_only").fetchone() == ("off",)
    base = f"postgresql+sqlgate://{info.user}:{info.password}@{info.host}:{info.port}"
    with sqlgate.connect(f"{base}/{info.database}") as conn:  # the control: guard in place
        cur = conn.cursor()
        cur.execute("SHOW default_transaction_read_only")
        assert cur.fetchone() == ("on",)
    with pytest.raises(errors.InterfaceError) as refused:
        sqlgate.connect(f"{base}/{info.database}%00")
    _assert_refused(refused.value, "database", "\x00")
    assert info.password not in all_text(refused.value)


# -- class 8: chained driver exceptions carrying a secret are replaced by stand-ins ----------


def test_psycopg_connection_error_keeps_no_password(postgres_server: ServerInfo) -> None:
    """psycopg keeps the finished connection (its repr shows the password) on the error."""
    info = postgres_server
    wrong = new_secret()
    redact.register_secret(wrong)
    url = f"postgresql+sqlgate://{info.user}:{wrong}@{info.host}:{info.port}/{info.database}"
    with pytest.raises(errors.OperationalError) as failed:
        sqlgate.connect(url)
    assert "password authentication failed" in str(failed.value)
    assert "psycopg.OperationalError" in str(failed.value)  # the original type, named
    assert isinstance(failed.value.__cause__, RedactedCause)
    assert failed.value.__context__ is failed.value.__cause__
    assert_no_secret(failed.value, wrong)


def test_server_message_quoting_a_secret_is_redacted(postgres_server: ServerInfo) -> None:
    info = postgres_server
    secret_db = f"db_{new_secret().lower()}"
    redact.register_secret(secret_db)
    url = f"postgresql+sqlgate://{info.user}:{info.password}@{info.host}:{info.port}/{secret_db}"
    with pytest.raises(errors.OperationalError) as failed:
        sqlgate.connect(url)
    assert "does not exist" in str(failed.value)
    assert isinstance(failed.value.__cause__, RedactedCause)
    assert failed.value.__cause__.original_type == "psycopg.OperationalError"
    assert_no_secret(failed.value, secret_db, info.password)


def test_clean_driver_errors_keep_their_original_cause(seeded_postgres: ServerInfo) -> None:
    import psycopg

    info = seeded_postgres
    url = (
        f"postgresql+sqlgate://{info.user}:{info.password}@{info.host}:{info.port}/{info.database}"
    )
    with sqlgate.connect(url) as conn, pytest.raises(errors.ProgrammingError) as failed:
        conn.cursor().execute("SELECT no_such_column FROM items")
    assert isinstance(failed.value.__cause__, psycopg.Error)


def test_pyarrow_error_with_a_sas_signature_is_sanitised(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.fs as pafs

    sig = new_secret()
    missing = tmp_path / f"container?sv=2024&sig={sig}&se=2030"
    with pytest.raises(errors.OperationalError) as failed, translated():
        pafs.LocalFileSystem().open_input_file(str(missing))
    assert "sig=***" in str(failed.value)
    assert_no_secret(failed.value, sig)
    registered = new_secret()
    redact.register_secret(registered)
    with pytest.raises(errors.Error) as invalid, translated():
        pa.array([f"x-{registered}"]).cast(pa.int64())  # ArrowInvalid quotes the value
    assert "ArrowInvalid" in str(invalid.value)
    assert_no_secret(invalid.value, registered)


def test_unicode_error_holding_a_secret_in_its_args_is_sanitised() -> None:
    secret = new_secret() + "€"
    redact.register_secret(secret)
    with pytest.raises(errors.OperationalError) as failed, translated():
        secret.encode("latin-1")  # str() shows one character; args hold the whole secret
    assert "UnicodeEncodeError" in str(failed.value) and "can't encode" in str(failed.value)
    assert_no_secret(failed.value, secret)


def test_sqlgate_error_chaining_a_secret_is_sanitised() -> None:
    """A sqlgate error raised ``from`` a driver error deep in a source passes translated()."""
    secret = new_secret()
    redact.register_secret(secret)
    with pytest.raises(errors.OperationalError) as failed, translated():
        try:
            raise OSError(f"open failed: token={secret}")
        except OSError as exc:
            raise errors.OperationalError(f"cannot load Delta table t: {exc}") from exc
    assert "cannot load Delta table t" in str(failed.value)
    assert_no_secret(failed.value, secret)


def test_nested_chain_and_notes_are_checked() -> None:
    secret = new_secret()
    redact.register_secret(secret)
    with pytest.raises(errors.OperationalError) as failed, translated():
        try:
            try:
                raise KeyError(("nested", secret))
            except KeyError as inner:
                raise ValueError("middle") from inner
        except ValueError as outer:
            outer.add_note(f"hint: {secret}")
            raise RuntimeError("top") from outer
    assert_no_secret(failed.value, secret)
    assert isinstance(failed.value.__cause__.__cause__, RedactedCause)  # the chain's shape


# -- also: credential_* without credential=, and the vault CLI --------------------------------


@pytest.mark.parametrize(
    "option",
    ["credential_ttl=60", "credential_user=x", "credential_refresh_margin=5", "credential_path=/x"],
)
def test_credential_options_without_a_provider_are_refused(
    option: str, listener: tuple[int, socket.socket]
) -> None:
    port, sock = listener
    with pytest.raises(errors.InterfaceError, match="without credential=") as info:
        sqlgate.connect(f"postgresql+sqlgate://u@127.0.0.1:{port}/db?{option}")
    assert option.split("=")[0] in str(info.value)
    key, value = option.split("=")
    with pytest.raises(errors.InterfaceError, match="without credential="):
        sqlgate.connect(f"postgresql+sqlgate://u@127.0.0.1:{port}/db", **{key: value})
    assert_nothing_connected(sock)


def _vault(*argv: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sqlgate.cli", "vault", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=env,
        check=False,
    )


@pytest.fixture
def vault_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQLGATE_VAULT")}
    env["SQLGATE_VAULT"] = str(tmp_path / "vault.json")
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # no OS keyring here
    return env


CORRUPT = {
    "not-json": "{not json",
    "list": "[1, 2]",
    "entry-not-object": '{"entries": {"a": "text"}}',
    "secret-not-text": '{"entries": {"a": {"secret": 5, "user": "u"}}}',
    "user-not-text": '{"entries": {"a": {"secret": "x", "user": 7}}}',
    "key-check-not-text": '{"entries": {}, "key_check": 3}',
}
COMMANDS = [["list"], ["remove", "a"], ["put", "b", "--stdin"], ["init"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("content", sorted(CORRUPT))
def test_vault_commands_on_a_corrupt_file(
    command: list[str], content: str, vault_env: dict[str, str]
) -> None:
    path = Path(vault_env["SQLGATE_VAULT"])
    path.write_text(CORRUPT[content])
    env = {**vault_env, "SQLGATE_VAULT_KEY": "x" * 43 + "="}
    done = _vault(*command, env=env, stdin="a-secret\n")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "sqlgate vault: error:" in done.stderr
    assert path.read_text() == CORRUPT[content]  # nothing was overwritten


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["list"],
        ["remove", "nothing"],
        ["put", "x"],
        ["put", "x", "--stdin"],
        ["init", "--keyring"],
    ],
)
def test_vault_commands_without_a_vault(argv: list[str], vault_env: dict[str, str]) -> None:
    done = _vault(*argv, env=vault_env)
    assert "Traceback" not in done.stderr
    if argv == ["list"]:
        assert done.returncode == 0 and "(vault is empty)" in done.stdout
    else:
        assert done.returncode == 2 and done.stderr.startswith("sqlgate vault")
    assert not Path(vault_env["SQLGATE_VAULT"]).exists()  # no vault with a lost key


@pytest.mark.parametrize("argv", [["put"], ["remove"], ["frobnicate"]])
def test_vault_usage_errors_exit_2(argv: list[str], vault_env: dict[str, str]) -> None:
    done = _vault(*argv, env=vault_env)
    assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_vault_path_that_cannot_be_written(vault_env: dict[str, str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = _vault("init", "--path", str(blocker / "vault.json"), env=vault_env)
    assert done.returncode == 2 and "cannot write the vault" in done.stderr
    assert "Traceback" not in done.stderr
