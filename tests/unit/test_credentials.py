"""Unit tests of the credential providers: no network, no servers, injected clocks."""

from __future__ import annotations

import argparse
import io
import json
import os
import stat
import struct
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from sqlgate.core.credentials import (
    Credential,
    CredentialProvider,
    EnvProvider,
    FileProvider,
    StaticProvider,
    known_schemes,
    provider_from_url,
    split_credential_options,
)
from sqlgate.core.credentials._ccache import parse_ccache
from sqlgate.core.credentials.azure import (
    AzureIdentityProvider,
    AzureKeyProvider,
    AzureSasProvider,
)
from sqlgate.core.credentials.cli import add_vault_parser
from sqlgate.core.credentials.kerberos import KerberosProvider
from sqlgate.core.credentials.vault import KEY_ENV, PATH_ENV, Vault, VaultProvider
from sqlgate.core.errors import CredentialError, MissingExtraError
from sqlgate.core.redact import redact

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
SECRET = "s3cr3t-Value-that-must-never-leak"


class Clock:
    """A settable clock for stepping through expiry."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


class Counting(CredentialProvider):
    """Issues secret-N valid for ``lifetime`` from the clock's now; counts fetches."""

    scheme = "counting"

    def __init__(self, lifetime: timedelta | None = timedelta(hours=1), delay: float = 0, **kw):
        super().__init__(**kw)
        self.lifetime, self.delay, self.calls = lifetime, delay, 0

    def _fetch(self) -> Credential:
        self.calls += 1
        if self.delay:
            time.sleep(self.delay)
        expires = self.now() + self.lifetime if self.lifetime else None
        return Credential("u", f"secret-{self.calls:04d}", expires)


@pytest.fixture()
def vault_env(tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    path = tmp_path / "cfg" / "vault.json"
    monkeypatch.setenv(KEY_ENV, key)
    monkeypatch.setenv(PATH_ENV, str(path))
    return key, path


# -- Credential --------------------------------------------------------------------------


def test_credential_repr_masks_secret_and_secret_extras():
    cred = Credential("bob", SECRET, T0, {"session_token": "tok-abcdef-123", "host": "h"})
    for text in (repr(cred), str(cred), f"{cred}", repr([cred])):
        assert SECRET not in text and "tok-abcdef-123" not in text
        assert "***" in text and "bob" in text and "session_token" in text
    cred.register()
    assert redact(f"boom {SECRET} tok-abcdef-123") == "boom *** ***"


def test_credential_naive_expiry_is_utc_and_extras_frozen():
    cred = Credential(None, None, datetime(2030, 1, 1), {"a": "b"})
    assert cred.expires_at == datetime(2030, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(TypeError):
        cred.extras["a"] = "c"  # type: ignore[index]


# -- caching and refresh -----------------------------------------------------------------


def test_get_caches_until_refresh_margin_then_refreshes():
    clock = Clock()
    p = Counting(clock=clock)
    first = p.get()
    assert p.get() is first and p.calls == 1
    assert p.expires_at == T0 + timedelta(hours=1)
    clock.advance(minutes=54, seconds=59)  # 5 min 1 s before expiry: still fresh
    assert p.get() is first
    clock.advance(seconds=1)  # exactly at the 5-minute margin
    second = p.get()
    assert second.secret == "secret-0002" and p.calls == 2
    assert p.expires_at == clock.now + timedelta(hours=1)


def test_expired_credential_is_replaced_and_refresh_is_forced():
    clock = Clock()
    p = Counting(clock=clock, refresh_margin=timedelta(0))
    p.get()
    clock.advance(hours=2)
    assert p.get().secret == "secret-0002"
    assert p.refresh().secret == "secret-0003"
    p.invalidate()
    assert p.get().secret == "secret-0004"


def test_refresh_margin_configurable_and_validated():
    clock = Clock()
    p = Counting(clock=clock, refresh_margin=1800)
    assert p.refresh_margin == timedelta(minutes=30)
    p.get()
    clock.advance(minutes=31)
    p.get()
    assert p.calls == 2
    with pytest.raises(CredentialError):
        p.refresh_margin = -1


def test_non_expiring_credential_is_fetched_once():
    p = Counting(lifetime=None, clock=Clock())
    assert p.get() is p.get() and p.calls == 1 and p.expires_at is None


def test_provider_returning_expired_credential_fails_clearly():
    class Stale(CredentialProvider):
        scheme = "stale"

        def _fetch(self):
            return Credential("u", SECRET, T0 - timedelta(seconds=1))

    with pytest.raises(CredentialError, match=r"stale credential provider.*expired") as info:
        Stale(clock=Clock()).get()
    assert SECRET not in str(info.value)


def test_get_is_thread_safe_one_fetch_for_many_threads():
    clock = Clock()
    p = Counting(clock=clock, delay=0.05)
    barrier = threading.Barrier(16)
    results: list[Credential] = []

    def worker():
        barrier.wait()
        results.append(p.get())

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert p.calls == 1 and len({id(c) for c in results}) == 1
    clock.advance(hours=1)  # now stale: again exactly one fetch
    barrier.reset()
    results.clear()
    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert p.calls == 2 and {c.secret for c in results} == {"secret-0002"}


def test_underlying_error_text_is_redacted_in_message_and_cause():
    class Leaky(CredentialProvider):
        scheme = "leaky"

        def _fetch(self):
            raise RuntimeError(f"login failed for password={SECRET}")

    StaticProvider(SECRET)  # registers the secret, as resolving it would
    with pytest.raises(CredentialError) as info:
        Leaky().get()
    assert SECRET not in str(info.value) and "leaky credential provider" in str(info.value)
    assert "fix:" in str(info.value)
    assert isinstance(info.value.__cause__, RuntimeError)
    assert SECRET not in str(info.value.__cause__)


def test_provider_repr_never_shows_secret():
    for p in (StaticProvider(SECRET, "bob"), EnvProvider("X", environ={"X": SECRET})):
        p.get()
        assert SECRET not in repr(p) and SECRET not in str(p)
        assert p.scheme in repr(p)


# -- static / env / file -----------------------------------------------------------------


def test_static_provider_and_url_refusal():
    p = StaticProvider(SECRET, "bob")
    assert p.get() == Credential("bob", SECRET)
    with pytest.raises(CredentialError, match=r"cannot carry a secret"):
        provider_from_url("static", {})


def test_env_provider_reads_and_rereads_on_refresh(monkeypatch):
    monkeypatch.setenv("SQLGATE_TEST_PW", "first-pass")
    monkeypatch.setenv("SQLGATE_TEST_USER", "alice")
    p = provider_from_url("env:SQLGATE_TEST_PW", {"user_env": "SQLGATE_TEST_USER"})
    assert p.get() == Credential("alice", "first-pass")
    monkeypatch.setenv("SQLGATE_TEST_PW", "second-pass")
    assert p.get().secret == "first-pass"
    assert p.refresh().secret == "second-pass"


@pytest.mark.parametrize("value,state", [(None, "is not set"), ("", "is empty")])
def test_env_provider_missing_variable_names_it(monkeypatch, value, state):
    monkeypatch.delenv("SQLGATE_NOPE", raising=False)
    if value is not None:
        monkeypatch.setenv("SQLGATE_NOPE", value)
    with pytest.raises(CredentialError, match=rf"SQLGATE_NOPE {state}.*export SQLGATE_NOPE"):
        provider_from_url("env:SQLGATE_NOPE", {}).get()
    with pytest.raises(CredentialError, match=r"credential=env:VARIABLE_NAME"):
        provider_from_url("env", {})


def test_file_provider_strips_newline_and_picks_up_rotation(tmp_path):
    f = tmp_path / "pg"
    f.write_text("old secret\n")
    p = provider_from_url(f"file:{f}", {})
    assert p.get().secret == "old secret"
    f.write_text("new secret\r\n")
    assert p.get().secret == "old secret"  # no TTL: cached
    assert p.refresh().secret == "new secret"


def test_file_provider_ttl_rereads(tmp_path):
    f = tmp_path / "pg"
    f.write_text("one\n")
    clock = Clock()
    p = FileProvider(f, ttl=60, clock=clock)
    assert p.get().secret == "one" and p.expires_at == T0 + timedelta(seconds=60)
    f.write_text("two")
    clock.advance(seconds=59)
    assert p.get().secret == "one"
    clock.advance(seconds=1)
    assert p.get().secret == "two"
    assert provider_from_url(f"file:{f}", {"ttl": "30"}).ttl == timedelta(seconds=30)
    with pytest.raises(CredentialError, match=r"credential_ttl='soon' is not a number"):
        provider_from_url(f"file:{f}", {"ttl": "soon"})


def test_file_provider_errors(tmp_path):
    with pytest.raises(CredentialError, match=r"does not exist.*fix:"):
        provider_from_url(f"file:{tmp_path}/missing", {}).get()
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(CredentialError, match=r"empty"):
        FileProvider(empty).get()
    with pytest.raises(CredentialError, match=r"directory"):
        FileProvider(tmp_path).get()


# -- registry and URL syntax -------------------------------------------------------------


def test_unknown_scheme_lists_known_ones():
    with pytest.raises(CredentialError, match=r"unknown credential provider 'nope'") as info:
        provider_from_url("nope:x", {})
    for scheme in ("env", "file", "vault", "aws-redshift", "aws-rds", "gcp", "kerberos"):
        assert scheme in str(info.value) and scheme in known_schemes()


def test_unknown_option_is_refused():
    with pytest.raises(CredentialError, match=r"credential_regon.*accepted: .*credential_region"):
        provider_from_url("aws-rds", {"regon": "x"}, defaults={"user": "u", "host": "h"})


def test_split_credential_options():
    query = {
        "credential": "aws-redshift",
        "credential_cluster_id": "c1",
        "credential_region": ["eu-west-1", "us-east-1"],
        "sslmode": "require",
    }
    spec, options, rest = split_credential_options(query)
    assert spec == "aws-redshift"
    assert options == {"cluster_id": "c1", "region": "us-east-1"}
    assert rest == {"sslmode": "require"}
    assert split_credential_options({"a": "1"}) == (None, {}, {"a": "1"})
    with pytest.raises(CredentialError, match=r"credential_region but no credential="):
        split_credential_options({"credential_region": "x"})


def test_spec_argument_may_contain_colons_and_defaults_fill_url_parts(tmp_path):
    assert provider_from_url("file:/a:b/c", {}).path == Path("/a:b/c")
    p = provider_from_url(
        "aws-redshift",
        {"cluster_id": "c1", "region": "us-east-1", "refresh_margin": "60"},
        defaults={"user": "awsuser", "database": "dev", "host": "ignored"},
    )
    assert (p.user, p.database, p.cluster_id) == ("awsuser", "dev", "c1")
    assert p.refresh_margin == timedelta(seconds=60)
    explicit = provider_from_url(
        "aws-redshift", {"cluster_id": "c1", "user": "other"}, defaults={"user": "awsuser"}
    )
    assert explicit.user == "other"


def test_aws_option_validation():
    with pytest.raises(CredentialError, match=r"credential_cluster_id"):
        provider_from_url("aws-redshift", {}, defaults={"user": "u"})
    with pytest.raises(CredentialError, match=r"900 to 3600"):
        provider_from_url(
            "aws-redshift", {"cluster_id": "c", "duration": "60"}, defaults={"user": "u"}
        )
    with pytest.raises(CredentialError, match=r"not a port number"):
        provider_from_url("aws-rds", {"port": "x"}, defaults={"user": "u", "host": "h"})
    with pytest.raises(CredentialError, match=r"host, port and user"):
        provider_from_url("aws-rds", {}, defaults={"user": "u"})


# -- missing extras ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "module,spec,options,extra",
    [
        ("boto3", "aws-rds", {"region": "us-east-1"}, "aws"),
        ("boto3", "aws-redshift", {"cluster_id": "c"}, "aws"),
        ("google.auth", "gcp", {}, "gcp"),
        ("cryptography.fernet", "vault:x", {}, "vault"),
        ("gssapi", "kerberos", {"method": "gssapi", "ccache": "KEYRING:persistent:0"}, "kerberos"),
        ("azure.identity", "azure", {}, "azure"),
    ],
)
def test_missing_extra_names_the_pip_extra(monkeypatch, vault_env, module, spec, options, extra):
    vault_env[1].parent.mkdir(parents=True)
    vault_env[1].write_text(json.dumps({"version": 1, "entries": {"x": {"secret": "t"}}}))
    monkeypatch.setitem(sys.modules, module, None)
    p = provider_from_url(spec, options, defaults={"user": "u", "host": "h", "port": "5432"})
    with pytest.raises(MissingExtraError, match=rf"pip install 'sqlgate\[{extra}\]'"):
        p.get()


# -- vault -------------------------------------------------------------------------------


def test_vault_round_trip_permissions_and_atomic_write(vault_env):
    key, path = vault_env
    v = Vault()
    v.init()
    v.put("prod/warehouse", SECRET, "analyst")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert SECRET not in path.read_text() and key not in path.read_text()
    assert sorted(p.name for p in path.parent.iterdir()) == ["vault.json"]  # no temp files left
    p = provider_from_url("vault:prod/warehouse", {})
    assert p.get() == Credential("analyst", SECRET)
    v.put("prod/warehouse", "rotated-secret", "analyst")
    assert p.refresh().secret == "rotated-secret"
    assert [e.name for e in v.entries()] == ["prod/warehouse"]
    assert v.remove("prod/warehouse") and not v.remove("prod/warehouse")


def test_vault_wrong_key_and_malformed_key(vault_env, monkeypatch, tmp_path):
    from cryptography.fernet import Fernet

    Vault().put("db", SECRET, "u")
    other = Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, other)
    with pytest.raises(CredentialError, match=r"wrong key") as info:
        provider_from_url("vault:db", {}).get()
    assert SECRET not in str(info.value) and other not in str(info.value)
    with pytest.raises(CredentialError, match=r"wrong key"):
        Vault().put("db2", "another-secret")  # would mix keys in one file
    monkeypatch.setenv(KEY_ENV, "not-a-key")
    with pytest.raises(CredentialError, match=r"malformed"):
        Vault().get("db")


def test_vault_missing_entry_and_path_option(vault_env, tmp_path):
    Vault().put("a", SECRET)
    with pytest.raises(CredentialError, match=r"no entry 'b' \(entries: a\).*vault put b"):
        provider_from_url("vault:b", {}).get()
    other = tmp_path / "other.json"
    Vault(other).put("b", "bee-secret", "bee")
    assert provider_from_url("vault:b", {"path": str(other)}).get().username == "bee"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CredentialError, match=r"not valid"):
        VaultProvider("a", path=bad).get()


def test_vault_key_from_keyring_or_clear_error(vault_env, monkeypatch):
    key, _ = vault_env
    Vault().put("a", SECRET)
    monkeypatch.delenv(KEY_ENV)

    class FakeKeyring:
        stored: dict = {}

        @classmethod
        def get_password(cls, service, user):
            return cls.stored.get((service, user))

        @classmethod
        def set_password(cls, service, user, value):
            cls.stored[(service, user)] = value

    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring)
    with pytest.raises(CredentialError, match=r"keyring has no entry sqlgate/vault-key"):
        Vault().get("a")
    FakeKeyring.set_password("sqlgate", "vault-key", key)
    assert Vault().get("a") == (None, SECRET)
    monkeypatch.setitem(sys.modules, "keyring", None)
    with pytest.raises(CredentialError, match=rf"{KEY_ENV} is not set and the 'keyring'"):
        Vault().get("a")


# -- vault CLI ---------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _cli(argv, stdin="", *, tty=False):
    parser = argparse.ArgumentParser(prog="sqlgate")
    add_vault_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    code = args.func(args, stdin=(_Terminal if tty else io.StringIO)(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_put_list_remove(vault_env):
    code, out, _ = _cli(["vault", "put", "prod/pg", "--user", "analyst", "--stdin"], SECRET + "\n")
    assert code == 0 and SECRET not in out
    assert Vault().get("prod/pg") == ("analyst", SECRET)
    code, out, _ = _cli(["vault", "list"])
    assert code == 0 and out.startswith("prod/pg\tanalyst\t") and SECRET not in out
    assert _cli(["vault", "remove", "prod/pg"])[0] == 0
    code, _, err = _cli(["vault", "remove", "prod/pg"])
    assert code == 2 and "no entry" in err
    assert _cli(["vault", "put", "x", "--stdin"], "\n")[0] == 2
    assert _cli(["vault"])[0] == 2


def test_cli_put_prompts_with_getpass(vault_env, monkeypatch):
    answers = iter([SECRET, SECRET, "a-secret", "different"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert _cli(["vault", "put", "db"], tty=True)[0] == 0
    assert Vault().get("db")[1] == SECRET
    code, _, err = _cli(["vault", "put", "db2"], tty=True)
    assert code == 2 and "differ" in err


def test_cli_init_creates_vault_and_prints_key(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    path = tmp_path / "v.json"
    code, out, _ = _cli(["vault", "init", "--path", str(path)])
    assert code == 0 and path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = out.strip().splitlines()[-1]
    assert f"export {KEY_ENV}=" in out and "keyring set sqlgate vault-key" in out
    Vault(path, key=key).put("a", SECRET)
    code, _, err = _cli(["vault", "init", "--path", str(path)])
    assert code == 2 and "--force" in err
    assert _cli(["vault", "init", "--path", str(path), "--force"])[0] == 0


def test_cli_subprocess_reads_secret_from_stdin(vault_env, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    cmd = [sys.executable, "-m", "sqlgate.core.credentials.cli", "vault"]
    proc = subprocess.run(
        [*cmd, "put", "ci/db", "--user", "ci", "--stdin"],
        input=SECRET + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([*cmd, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0 and "ci/db\tci" in proc.stdout and SECRET not in proc.stdout
    assert Vault().get("ci/db") == ("ci", SECRET)


# -- azure -------------------------------------------------------------------------------


def test_azure_key_from_env_and_nested_file(monkeypatch, tmp_path):
    key = "a2V5LWJ5dGVzLWZvci10ZXN0aW5nLW9ubHk="
    monkeypatch.setenv("ACCOUNT_ENV", key)
    p = provider_from_url("azure-key:ACCOUNT_ENV", {"account": "lake"})
    cred = p.get()
    assert (cred.username, cred.secret, cred.extras["account"]) == ("lake", key, "lake")
    assert key not in repr(cred)
    f = tmp_path / "key"
    f.write_text(key + "\n")
    assert provider_from_url(f"azure-key:file:{f}", {}).get().secret == key
    monkeypatch.setenv("ACCOUNT_ENV", "not base64!")
    with pytest.raises(CredentialError, match=r"not a base64 account key"):
        p.refresh()


def test_azure_sas_expiry_and_validation(monkeypatch):
    clock = Clock()
    sas = "?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2030-01-01T13:00:00Z&sig=abcDEF%2Bsig"
    monkeypatch.setenv("AZURE_STORAGE_SAS_TOKEN", sas)
    p = AzureSasProvider(clock=clock)
    cred = p.get()
    assert cred.secret == sas[1:] and cred.expires_at == T0 + timedelta(hours=1)
    clock.advance(hours=2)
    with pytest.raises(CredentialError, match=r"SAS token expired") as info:
        p.get()
    assert "abcDEF" not in str(info.value)
    monkeypatch.setenv("AZURE_STORAGE_SAS_TOKEN", "just-a-password")
    with pytest.raises(CredentialError, match=r"not a SAS token"):
        AzureSasProvider().get()
    assert isinstance(AzureKeyProvider(), AzureKeyProvider)


def test_azure_identity_with_injected_token_credential():
    class Token:
        token, expires_on = "aad-token-value", int(T0.timestamp()) + 3600

    class FakeCredential:
        scopes: list = []

        def get_token(self, scope):
            self.scopes.append(scope)
            return Token()

    fake = FakeCredential()
    p = AzureIdentityProvider(token_credential=fake, clock=Clock())
    cred = p.get()
    assert cred.secret == "aad-token-value" and cred.expires_at == T0 + timedelta(hours=1)
    assert fake.scopes == ["https://storage.azure.com/.default"]


# -- kerberos (no KDC) -------------------------------------------------------------------


def _principal(name: str, realm: str) -> bytes:
    parts = name.split("/")
    out = struct.pack(">II", 1, len(parts)) + struct.pack(">I", len(realm)) + realm.encode()
    for part in parts:
        out += struct.pack(">I", len(part)) + part.encode()
    return out


def _entry(client: str, server: str, realm: str, start: int, end: int) -> bytes:
    out = _principal(client, realm) + _principal(server, realm)
    out += struct.pack(">HI", 18, 4) + b"kkkk" + struct.pack(">IIII", start, start, end, end)
    out += b"\x00" + struct.pack(">I", 0) + struct.pack(">II", 0, 0)
    return out + struct.pack(">I", 3) + b"tkt" + struct.pack(">I", 0)


def test_ccache_parser_reads_tgt_endtime(tmp_path):
    start, end = int(T0.timestamp()), int(T0.timestamp()) + 36000
    data = struct.pack(">HH", 0x0504, 0) + _principal("svc", "EX.COM")
    data += _entry("svc", "krb5_ccache_conf_data/fast_avail", "X-CACHECONF:", start, 0)
    data += _entry("svc", "krbtgt/EX.COM", "EX.COM", start, end)
    info = parse_ccache(data)
    assert info.principal == "svc@EX.COM"
    assert info.tgt_endtime() == T0 + timedelta(hours=10)
    cc = tmp_path / "cc"
    cc.write_bytes(data)
    cred = KerberosProvider(ccache=str(cc), method="kinit", clock=Clock()).get()
    assert cred.username == "svc@EX.COM" and cred.secret is None
    assert cred.extras["ccache"] == f"FILE:{cc}" and cred.expires_at == T0 + timedelta(hours=10)
    with pytest.raises(ValueError):
        parse_ccache(b"\x01\x02")


def test_kerberos_option_validation(tmp_path):
    with pytest.raises(CredentialError, match=r"needs a principal"):
        provider_from_url("kerberos", {"keytab": "/etc/x.keytab"})
    with pytest.raises(CredentialError, match=r"credential_method='magic'"):
        provider_from_url("kerberos", {"method": "magic"})
    p = provider_from_url("kerberos", {"keytab": str(tmp_path / "none.keytab"), "principal": "u@R"})
    with pytest.raises(CredentialError, match=r"keytab does not exist"):
        p.get()
    with pytest.raises(CredentialError, match=r"credential cache does not exist.*kinit"):
        KerberosProvider(ccache=str(tmp_path / "nocache"), method="kinit").get()
