"""Keep secrets out of logs, reprs and error messages.

Secrets are registered when a credential is resolved; :func:`redact` replaces every registered
secret (and the password part of any URL) with ``***``. Registration is process-wide on purpose:
an error raised deep inside a driver may quote the secret anywhere in its message.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_MIN_SECRET_LEN = 4
_lock = threading.Lock()
_secrets: set[str] = set()

# scheme://user:password@host  -> scheme://user:***@host
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^:/?#@\s]*:)(?P<pw>[^@/\s]+)(?P<tail>@)")
# key=value pairs whose key looks secret (password=..., token=..., sig=...)
_SECRET_PARAM = re.compile(
    r"(?i)(?P<key>\b(?:password|passwd|pwd|secret|token|access_key|secret_key|account_key|"
    r"sas_token|sig|session_token|api_key|private_key)\b\s*[=:]\s*)(?P<val>['\"]?[^\s&'\",;]+['\"]?)"
)


def register_secret(value: str | bytes | None) -> None:
    """Remember a secret so that :func:`redact` masks it wherever it appears."""
    if value is None:
        return
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if len(value) >= _MIN_SECRET_LEN:
        with _lock:
            _secrets.add(value)


def redact(text: object) -> str:
    """Return ``str(text)`` with every known secret and URL password masked."""
    out = str(text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in out:
            out = out.replace(secret, MASK)
    out = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}{m['tail']}", out)
    return _SECRET_PARAM.sub(lambda m: f"{m['key']}{MASK}", out)
