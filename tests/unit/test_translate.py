"""Driver exceptions map onto sqlgate's hierarchy by their PEP 249 class names."""

from __future__ import annotations

import pytest

from sqlgate.core import errors
from sqlgate.core.redact import register_secret
from sqlgate.core.translate import translated


class DriverError(Exception):
    pass


class DriverDatabaseError(DriverError):
    pass


DriverDatabaseError.__name__ = "DatabaseError"


class ProgrammingError(DriverDatabaseError):
    pass


class UndefinedTable(ProgrammingError):
    pass


def test_maps_by_mro_name_and_keeps_cause() -> None:
    original = UndefinedTable("relation x does not exist")
    with pytest.raises(errors.ProgrammingError) as info, translated():
        raise original
    assert info.value.__cause__ is original


def test_unknown_exceptions_become_operational_errors() -> None:
    with pytest.raises(errors.OperationalError), translated():
        raise ConnectionRefusedError("refused")


def test_sqlgate_errors_pass_through() -> None:
    with pytest.raises(errors.ReadOnlyError), translated():
        raise errors.ReadOnlyError("INSERT")


def test_secrets_are_redacted_from_messages() -> None:
    register_secret("hunter2-secret")
    with pytest.raises(errors.OperationalError) as info, translated():
        raise RuntimeError("login failed for password hunter2-secret")
    assert "hunter2-secret" not in str(info.value)
    assert "***" in str(info.value)


def test_chained_secret_is_replaced_by_a_redacted_stand_in() -> None:
    from sqlgate.core.translate import RedactedCause

    register_secret("chained-secret-42")
    with pytest.raises(errors.ProgrammingError) as info, translated():
        raise UndefinedTable("relation chained-secret-42 does not exist")
    cause = info.value.__cause__
    assert isinstance(cause, RedactedCause) and info.value.__context__ is cause
    assert cause.original_type.endswith("UndefinedTable")
    assert "chained-secret-42" not in repr(cause) + str(cause) + str(info.value)
    assert "relation *** does not exist" in str(info.value)


def test_stand_in_keeps_error_codes() -> None:
    from sqlgate.core.translate import RedactedCause

    register_secret("coded-secret-77")
    original = ProgrammingError(1146, "Table 'coded-secret-77' doesn't exist")
    original.sqlstate = "42S02"
    stand_in = RedactedCause(original)
    assert stand_in.args == (1146, "Table '***' doesn't exist") and stand_in.sqlstate == "42S02"


# -- SQLSTATE and vendor codes --------------------------------------------------------------------
def test_psycopg_errors_keep_their_sqlstate() -> None:
    import psycopg

    with pytest.raises(errors.DataError) as info, translated():
        raise psycopg.errors.DivisionByZero("division by zero")
    assert info.value.sqlstate == "22012" and info.value.vendor_code is None


def test_pymysql_errors_keep_their_vendor_code() -> None:
    import pymysql

    with pytest.raises(errors.ProgrammingError) as info, translated():
        raise pymysql.err.ProgrammingError(1146, "Table 'x.y' doesn't exist")
    assert info.value.vendor_code == 1146


def test_codes_survive_a_redacted_chain_and_are_none_elsewhere() -> None:
    import pymysql

    with pytest.raises(errors.OperationalError) as info, translated():
        raise pymysql.err.OperationalError(1045, "Access denied, password=hunter2")
    assert info.value.vendor_code == 1045 and "hunter2" not in str(info.value)
    with pytest.raises(errors.OperationalError) as info, translated():
        raise ConnectionRefusedError(111, "refused")  # an errno, not a server code
    assert info.value.vendor_code is None and info.value.sqlstate is None
    assert errors.Error("x").sqlstate is None and errors.ReadOnlyError("DELETE").vendor_code is None


def test_read_only_error_rebuilt_from_its_message_is_not_doubled() -> None:
    """Superset's BigQuery spec rebuilds an error as ``type(exc)(first_line)``."""
    from sqlgate.core.errors import ReadOnlyError

    original = ReadOnlyError("INSERT", "a write")
    rebuilt = ReadOnlyError(str(original))
    assert str(rebuilt) == str(original)
    assert str(rebuilt).count("sqlgate is read-only") == 1
    assert str(ReadOnlyError("INSERT")).startswith("sqlgate is read-only: INSERT statements")
