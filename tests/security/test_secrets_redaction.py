"""Redaction is linear, bounded, and masks values rather than prose (issue #7, class 9).

The timings use 1 MB adversarial inputs aimed at each pattern; benchmarks/redaction.py prints
the per-KB cost of small against large inputs to show linearity.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

import sqlgate
from sqlgate.core import errors, redact
from tests.security.test_secrets import assert_no_secret, new_secret
from tests.servers.base import ServerInfo

ADVERSARIAL = [
    "a://",
    "password=",
    "password: 1",
    ":::@@@",
    "a:a@",
    "(",
    "u:p@",
    "bearer ",
    "password='",
    "a://u:p@h/ password=x token: 1 (using password: YES) ",
]


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_one_megabyte_of_adversarial_text_redacts_quickly(unit: str) -> None:
    for _ in range(64):
        redact.register_secret(new_secret())
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    started = time.perf_counter()
    redact.redact(text)
    assert time.perf_counter() - started < 2.0  # ~0.1-0.4 s measured; generous for CI


def test_redaction_time_grows_linearly() -> None:
    unit = "a://u:p@h/ password=x :::@@@ a:a@ ((( "

    def cost(size: int) -> float:
        text = (unit * (size // len(unit) + 1))[:size]
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            redact.redact(text)
            best = min(best, time.perf_counter() - started)
        return best

    small, large = cost(50_000), cost(800_000)
    assert large < small * 16 * 3  # 16x the input; quadratic would be ~256x


def test_registry_is_bounded_and_forgets_the_oldest() -> None:
    first = new_secret()
    redact.register_secret(first)
    assert first not in redact.redact(f"x {first} x")
    for _ in range(redact.MAX_SECRETS):
        redact.register_secret(new_secret())
    assert redact.registered_count() == redact.MAX_SECRETS
    assert first in redact.redact(f"x {first} x")  # rotated out


def test_reregistering_keeps_a_secret_recent() -> None:
    kept = new_secret()
    redact.register_secret(kept)
    for _ in range(redact.MAX_SECRETS * 2):
        redact.register_secret(new_secret())
        redact.register_secret(kept)  # still in use: re-registered on every connect
    assert kept not in redact.redact(kept)


def test_url_encoded_spelling_of_a_secret_is_masked() -> None:
    secret = f"p@ss/{new_secret()}"
    redact.register_secret(secret)
    assert quote(secret, safe="") not in redact.redact(f"dsn=x {quote(secret, safe='')} y")


MASKED = {
    "password=hunter2x; next": "password=***; next",
    '{"password": "hunter2x"}': '{"password": "***"}',
    "{'Password': 'hunter2x'}": "{'Password': '***'}",
    "DRIVER=x;UID=u;PWD=hunter2x;": "DRIVER=x;UID=u;PWD=***;",
    "https://acct.blob/c?sv=1&sig=abc%2Fdef&se=2": "https://acct.blob/c?sv=1&sig=***&se=2",
    "postgresql+sqlgate:/user:hunter2x@host/db": "postgresql+sqlgate:/user:***@host/db",
    "postgresql+sqlgate:user:hunter2x@host": "postgresql+sqlgate:user:***@host",
    "pg://u:hun:ter2x@h/db": "pg://u:***@h/db",
    "token: abc123": "token: ***",
    "Authorization: Bearer eyJ0.x-y": "Authorization: Bearer ***",
}
PROSE = [
    "(1045, \"Access denied for user 'sqlgate'@'127.0.0.1' (using password: YES)\")",
    "(1045, \"Access denied for user 'sqlgate'@'localhost' (using password: NO)\")",
    'FATAL:  password authentication failed for user "sqlgate"',
    "the password: is required",
]


@pytest.mark.parametrize("text", sorted(MASKED))
def test_secret_values_are_masked(text: str) -> None:
    assert redact.redact(text) == MASKED[text]


@pytest.mark.parametrize("text", PROSE)
def test_prose_about_passwords_is_left_intact(text: str) -> None:
    assert redact.redact(text) == text


def test_mysql_wrong_password_message_survives(mariadb_server: ServerInfo) -> None:
    info = mariadb_server
    wrong = new_secret()
    url = f"mysql+sqlgate://{info.user}:{wrong}@{info.host}:{info.port}/{info.database}"
    with pytest.raises(errors.OperationalError) as failed:
        sqlgate.connect(url)
    assert "(using password: YES)" in str(failed.value)
    assert_no_secret(failed.value, wrong)
