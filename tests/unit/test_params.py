"""Connection parameters from URLs and keywords; bad input gets clear PEP 249 errors."""

from __future__ import annotations

import pytest

import sqlgate
from sqlgate.core import errors
from sqlgate.core.params import ConnectParams, merge_url_and_kwargs, parse_bool
from sqlgate.core.registry import get_source

TIDB = get_source("tidb")


def test_url_parts() -> None:
    p = ConnectParams.from_url(TIDB, "tidb://ann:s3cr%40t@db.example:4001/sales?charset=gbk")
    assert (p.user, p.password, p.host, p.port, p.database) == (
        "ann",
        "s3cr@t",
        "db.example",
        4001,
        "sales",
    )
    assert p.options == {"charset": "gbk"}
    assert p.read_only is True
    assert "s3cr" not in p.redacted_url() and "***" in p.redacted_url()
    assert "s3cr" not in repr(p)


def test_default_port_from_registry() -> None:
    assert ConnectParams.from_url(TIDB, "tidb://ann@db/sales").effective_port() == 4000


def test_read_only_parsing() -> None:
    assert ConnectParams.from_url(TIDB, "tidb://h/d?read_only=false").read_only is False
    assert parse_bool("x", "ON") is True
    with pytest.raises(errors.InterfaceError, match="not a boolean"):
        ConnectParams.from_url(TIDB, "tidb://h/d?read_only=nope")


def test_credential_options_are_split() -> None:
    p = ConnectParams.from_url(
        TIDB, "tidb://ann@h/d?credential=env:TIDB_PW&credential_ttl=60&charset=utf8mb4"
    )
    assert p.credential == "env:TIDB_PW"
    assert p.credential_options == {"ttl": "60"}
    assert p.options == {"charset": "utf8mb4"}
    assert p.redacted_url().endswith("?credential=env")


def test_password_and_credential_conflict() -> None:
    with pytest.raises(errors.InterfaceError, match="either a password or a credential"):
        ConnectParams.from_url(TIDB, "tidb://ann:pw@h/d?credential=env:X")


def test_keywords_override_url() -> None:
    p = merge_url_and_kwargs(TIDB, "tidb://ann@h:1/d", {"port": 2, "dbname": "other"})
    assert (p.port, p.database) == (2, "other")


@pytest.mark.parametrize("url", ["tidb://h:notaport/d", "tidb://h:99999/d"])
def test_bad_port(url: str) -> None:
    with pytest.raises(errors.InterfaceError):
        ConnectParams.from_url(TIDB, url)


@pytest.mark.parametrize("url", ["", "not a url", "nosuch://h/d", 42])
def test_connect_rejects_bad_urls(url: object) -> None:
    with pytest.raises(errors.InterfaceError):
        sqlgate.connect(url)  # type: ignore[arg-type]


def test_credential_options_need_a_provider() -> None:
    with pytest.raises(errors.InterfaceError, match="credential_ttl given without credential="):
        ConnectParams.from_url(TIDB, "tidb://ann@h/d?credential_ttl=60")
    with pytest.raises(errors.InterfaceError, match="without credential="):
        merge_url_and_kwargs(TIDB, "tidb://ann@h/d", {"credential_ttl": "60"})
    p = merge_url_and_kwargs(TIDB, "tidb://ann@h/d?credential=env:X", {"credential_ttl": "60"})
    assert p.credential_options == {"ttl": "60"}


def test_password_and_credential_conflict_across_url_and_keywords() -> None:
    with pytest.raises(errors.InterfaceError, match="either a password or a credential"):
        merge_url_and_kwargs(TIDB, "tidb://ann:pw@h/d", {"credential": "env:X"})


def test_keyword_aliases_override_url() -> None:
    p = merge_url_and_kwargs(TIDB, "tidb://ann:old-pw@h/d", {"passwd": "new-pw", "username": "bob"})
    assert (p.user, p.password) == ("bob", "new-pw")


@pytest.mark.parametrize(
    "url,part",
    [
        ("tidb://ann@h/d%00", "database name"),
        ("tidb://an%0An@h/d", "user name"),
        ("tidb://ann:p%00w-long@h/d", "password"),
        ("tidb://ann@h/d?charset=utf8%E2%80%A8", "option charset"),
        ("tidb://ann@h/d?char%1Bset=x", "option name"),
        ("tidb://ann@h/d?credential=env:X%7F", "credential provider"),
    ],
)
def test_control_characters_are_refused(url: str, part: str) -> None:
    with pytest.raises(errors.InterfaceError, match="control character") as info:
        ConnectParams.from_url(TIDB, url)
    assert part in str(info.value) and "p\x00w" not in str(info.value)


def test_control_characters_in_keywords_and_nested_options() -> None:
    with pytest.raises(errors.InterfaceError, match="the host contains"):
        ConnectParams.from_kwargs(TIDB, host="h\x00")
    with pytest.raises(errors.InterfaceError, match="option ssl"):
        ConnectParams.from_kwargs(TIDB, ssl={"ca": "/etc/ca\x00.pem"})
    with pytest.raises(errors.InterfaceError, match=r"U\+0085"):
        ConnectParams.from_kwargs(TIDB, database=b"d\x85")


def test_password_given_twice_in_a_url() -> None:
    with pytest.raises(errors.InterfaceError, match="password twice"):
        ConnectParams.from_url(TIDB, "tidb://ann:pw1@h/d?password=pw2")


@pytest.mark.parametrize(
    "url,hint",
    [
        ("tidb:/ann:pw-secret@h/d", "is not followed by '//'"),
        ("tidb://ann:pw-secret@h:port/d", "port is not a number"),
        ("tidb://ann:pw@secret@h/d", "percent-encode '@'"),
    ],
)
def test_malformed_urls_are_described_not_quoted(url: str, hint: str) -> None:
    with pytest.raises(errors.InterfaceError) as info:
        if "://" in url:
            ConnectParams.from_url(TIDB, url)
        else:
            sqlgate.connect(url)
    assert hint in str(info.value) and "secret" not in str(info.value)
