"""``sqlgate check`` against a real server proves the server-side guard."""

from __future__ import annotations

import io

from sqlgate.cli import main


def test_check_against_postgres(seeded_postgres) -> None:
    out = io.StringIO()
    code = main(["check", seeded_postgres.url("postgresql+sqlgate")], out=out)
    text = out.getvalue()
    assert code == 3, text  # the harness's login is a superuser: a weaker guard
    assert "server read-only guard: active" in text
    assert "weaker guard: the login is a superuser" in text
    assert seeded_postgres.password not in text
