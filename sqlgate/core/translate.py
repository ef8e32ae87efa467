"""Map any PEP 249 driver's exceptions onto sqlgate's hierarchy.

Every PEP 249 driver names its exception classes the same way, so one rule serves all of them:
walk the exception's class hierarchy and take the first PEP 249 name found. The message is
redacted of secrets. The original exception stays as ``__cause__`` unless its text, its
``args`` or anything it chains to quotes a secret: then a redacted stand-in
(:class:`RedactedCause`) takes its place and the original is not reachable from the error at
all, because tracebacks, loggers and error trackers print every chained exception.
"""

from __future__ import annotations

import contextlib
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlgate.core import errors
from sqlgate.core.redact import contains_secret, redact

T = TypeVar("T")

_BY_NAME: dict[str, type[errors.Error]] = {
    cls.__name__: cls
    for cls in (
        errors.DataError,
        errors.OperationalError,
        errors.IntegrityError,
        errors.InternalError,
        errors.ProgrammingError,
        errors.NotSupportedError,
        errors.DatabaseError,
        errors.InterfaceError,
        errors.Error,
    )
}


Classifier = Callable[[BaseException], "errors.Error | None"]
_CLASSIFIERS: dict[str, Classifier] = {}


def register_classifier(driver_package: str, classify: Classifier) -> None:
    """Let a family correct its driver's classification (pymysql files many programming
    errors under OperationalError) by the server's own error code."""
    _CLASSIFIERS[driver_package] = classify


def sqlgate_error_for(
    exc: BaseException, default: type[errors.Error] = errors.OperationalError
) -> errors.Error:
    """Return the sqlgate exception that stands for ``exc`` (not raised, not chained)."""
    if isinstance(exc, errors.Error):
        return exc
    classify = _CLASSIFIERS.get(type(exc).__module__.split(".")[0])
    classified = classify(exc) if classify is not None else None
    if classified is None:
        for klass in type(exc).__mro__:
            target = _BY_NAME.get(klass.__name__)
            if target is not None:
                break
        else:
            target = default
        classified = target(redact(str(exc).strip()) or type(exc).__name__)
    classified.sqlstate, classified.vendor_code = error_codes(exc)
    return classified


_SQLSTATE = re.compile(r"[0-9A-Z]{5}")


def error_codes(exc: BaseException) -> tuple[str | None, int | None]:
    """``(sqlstate, vendor_code)`` of a driver error: psycopg's ``sqlstate``, the server's
    numeric code that PyMySQL (and most MySQL-protocol drivers) put first in ``args``, or in a
    ``code`` attribute (clickhouse-driver)."""
    if not any(klass.__name__ in _BY_NAME for klass in type(exc).__mro__):
        return None, None  # not a PEP 249 driver error (an OSError's args[0] is an errno)
    state = getattr(exc, "sqlstate", None)
    sqlstate = state if isinstance(state, str) and _SQLSTATE.fullmatch(state) else None
    first = exc.args[0] if exc.args else None
    code = first if isinstance(first, int) and not isinstance(first, bool) else None
    attr = getattr(exc, "code", None)
    if code is None and isinstance(attr, int) and not isinstance(attr, bool):
        code = attr
    return sqlstate, code


#: how deep ``__cause__``/``__context__``/``args`` are followed when looking for secrets
MAX_CHAIN_DEPTH = 8


class RedactedCause(Exception):
    """Stands in for a driver exception whose text quoted a secret: same type name and
    message, redacted; chained to stand-ins for what the original chained to."""

    def __init__(self, original: BaseException) -> None:
        self.original_type = f"{type(original).__module__}.{type(original).__qualname__}"
        self.message = redact(_message(original))  # "module.Type: message"
        # args and error codes stay readable (a dialect reads the server's error number)
        super().__init__(*(_redacted_value(a) for a in original.args[:8]))
        for name in _CODE_ATTRIBUTES:
            value = getattr(original, name, None)
            if isinstance(value, (int, str)):
                setattr(self, name, redact(value) if isinstance(value, str) else value)

    def __str__(self) -> str:
        return self.message


_CODE_ATTRIBUTES = ("sqlstate", "errno", "pgcode", "code")
_MAX_REPR = 256 * 1024


def _redacted_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return redact(value if isinstance(value, str) else _safe_repr(value))


def _safe_repr(value: Any) -> str:
    """``repr`` bounded in size, and never raising (attributes of driver exceptions)."""
    try:
        return repr(value)[:_MAX_REPR]
    except Exception:
        return f"<{type(value).__name__}>"


def _message(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _texts(value: Any, depth: int, seen: set[int]) -> Iterator[str]:
    """Every text an exception shows or holds: its formatted message (with notes), its
    ``args`` and attributes, recursively through containers and chained exceptions."""
    if depth > MAX_CHAIN_DEPTH or id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, str):
        yield value
    elif isinstance(value, (bytes, bytearray)):
        yield bytes(value).decode("utf-8", "replace")
    elif isinstance(value, BaseException):
        yield _message(value)
        yield from _texts(value.args, depth + 1, seen)
        yield from _texts(getattr(value, "__dict__", {}), depth + 1, seen)
        yield from _texts(value.__cause__, depth + 1, seen)
        yield from _texts(value.__context__, depth + 1, seen)
    elif isinstance(value, dict):
        for item in list(value.values())[:64]:
            yield from _texts(item, depth + 1, seen)
    elif isinstance(value, (list, tuple)):
        for item in value[:64]:
            yield from _texts(item, depth + 1, seen)
    elif value is not None and not isinstance(value, (bool, int, float)):
        # any other object: e.g. psycopg keeps the finished connection, whose repr shows the
        # password, on its connection errors
        yield _safe_repr(value)


def leaks_secret(exc: BaseException) -> bool:
    """Whether ``exc`` or anything reachable from it quotes a registered secret, a URL password
    or a secret-looking ``key=value``."""
    return any(contains_secret(text) for text in _texts(exc, 0, set()))


def redacted_chain(exc: BaseException) -> RedactedCause:
    """Redacted stand-ins for ``exc`` and the exceptions it chains to (bounded depth)."""
    head = RedactedCause(exc)
    tail, current = head, exc
    for _ in range(MAX_CHAIN_DEPTH):
        chained = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
        if chained is None:
            break
        current = chained
        tail.__cause__ = RedactedCause(current)
        tail = tail.__cause__
    return head


class _Translated:
    """``with translated():`` costs two plain method calls when nothing is raised: the
    generator below (which builds the exception chain) is only set up for an exception,
    and sees it exactly as ``contextlib`` would have handed it over."""

    __slots__ = ("_default",)

    def __init__(self, default: type[errors.Error]) -> None:
        self._default = default

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:  # raises the translated error (it never swallows one)
            slow = _translating(self._default)
            slow.__enter__()
            slow.__exit__(exc_type, exc, tb)


_OPERATIONAL = _Translated(errors.OperationalError)


def translated(default: type[errors.Error] = errors.OperationalError) -> _Translated:
    """Re-raise driver exceptions as sqlgate exceptions, keeping the original as cause when
    it is free of secrets, and a redacted stand-in otherwise."""
    return _OPERATIONAL if default is errors.OperationalError else _Translated(default)


@contextmanager
def _translating(default: type[errors.Error]) -> Iterator[None]:
    try:
        yield
        return
    except (KeyboardInterrupt, SystemExit, GeneratorExit, StopIteration, MemoryError):
        raise
    except errors.Error as exc:
        if not leaks_secret(exc):
            raise
        with contextlib.suppress(Exception):  # exotic exceptions with read-only args
            exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
        chained = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if chained is None:
            exc.__cause__ = exc.__context__ = None
            raise
        error, cause = exc, redacted_chain(chained)
    except Exception as exc:
        error = sqlgate_error_for(exc, default)
        if not leaks_secret(exc):
            raise error from exc
        cause = redacted_chain(exc)
        error.args = (
            f"{redact(error.args[0]) if error.args else ''} [{cause.original_type}; "
            "the original exception is withheld because it carries a secret]",
        )
    # Outside the except blocks (the original is no longer "being handled") and raised from
    # inside a handler of the stand-in, so that ``__context__`` leads to the stand-in too.
    try:
        raise cause
    except RedactedCause as stand_in:
        stand_in.__context__ = None
        stand_in.__traceback__ = None
        raise error from cause


def call_translated(func: Callable[[], T]) -> T:
    """Call ``func`` with driver exceptions translated (handy as a callback)."""
    with _OPERATIONAL:
        return func()
