"""Map any PEP 249 driver's exceptions onto sqlgate's hierarchy.

Every PEP 249 driver names its exception classes the same way, so one rule serves all of them:
walk the exception's class hierarchy and take the first PEP 249 name found. The original
exception stays as ``__cause__``; the message is redacted of secrets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlgate.core import errors
from sqlgate.core.redact import redact

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


def sqlgate_error_for(exc: BaseException, default: type[errors.Error] = errors.OperationalError
                      ) -> errors.Error:
    """Return the sqlgate exception that stands for ``exc`` (not raised, not chained)."""
    if isinstance(exc, errors.Error):
        return exc
    classify = _CLASSIFIERS.get(type(exc).__module__.split(".")[0])
    if classify is not None:
        classified = classify(exc)
        if classified is not None:
            return classified
    for klass in type(exc).__mro__:
        target = _BY_NAME.get(klass.__name__)
        if target is not None:
            break
    else:
        target = default
    message = redact(str(exc).strip()) or type(exc).__name__
    return target(message)


@contextmanager
def translated(default: type[errors.Error] = errors.OperationalError) -> Iterator[None]:
    """Re-raise driver exceptions as sqlgate exceptions, keeping the original as cause."""
    try:
        yield
    except errors.Error:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, StopIteration, MemoryError):
        raise
    except Exception as exc:
        raise sqlgate_error_for(exc, default) from exc


def call_translated(func: Callable[[], T]) -> T:
    """Call ``func`` with driver exceptions translated (handy as a callback)."""
    with translated():
        return func()
