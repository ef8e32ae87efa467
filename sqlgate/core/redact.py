"""Keep secrets out of logs, reprs and error messages.

Secrets are registered when a credential is resolved; :func:`redact` replaces every registered
secret (and the password part of any URL, and the value of ``password=``-style pairs) with
``***``. Registration is process-wide on purpose: an error raised deep inside a driver may quote
the secret anywhere in its message.

Redaction runs on attacker-influenced text (statements logged at DEBUG, driver messages that
echo them), so it must stay linear in the size of that text: the registered secrets form one
compiled alternation, rebuilt only when the set changes, and every other pattern is written so
that each character is looked at a bounded number of times (no nested or overlapping
unbounded repetitions; see benchmarks/redaction.py). The registry keeps the
:data:`MAX_SECRETS` most recently registered secrets, so rotated tokens do not accumulate.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_SECRET_LEN = 4
#: how many distinct secrets are remembered (least recently registered ones are forgotten)
MAX_SECRETS = 256

_lock = threading.Lock()
_secrets: OrderedDict[str, tuple[str, ...]] = OrderedDict()  # secret -> the forms to mask
_pattern: re.Pattern[str] | None = None
_dirty = False

# A URL's password, written so that every scan stops at a delimiter that also bounds the next
# match attempt: starts only where a scheme begins (the look-behind), user and password runs
# stop at ``/`` and ``@``, so the text between two ``://`` is scanned a constant number of times.
#   scheme://user:pa:ss@host  (a password may hold ':' after '://')
_URL_STRICT = re.compile(
    r"(?<![\w+.\-])(?P<head>[A-Za-z][\w+.\-]*://[^\s:/?#@'\"]*:)(?P<pw>[^\s/@'\"]+)@"
)
#   scheme:/user:pw@host, scheme:user:pw@host (typos), and a bare user:pw@host
_URL_LOOSE = re.compile(
    r"(?<![^\s\"'(<\[{,;=])(?P<head>(?:[A-Za-z][\w+.\-]*:/?)?[^\s:/?#@'\"(<\[{,;=]+:)"
    r"(?P<pw>[^\s:/@'\"]+)@(?=[\w\[%])"
)
_SECRET_KEYS = (
    r"password|passwd|pwd|passphrase|secret|token|access_key|secret_key|account_key|"
    r"sas_token|sig|session_token|api_key|apikey|private_key|client_secret|auth_token"
)
_WORD = r"[^\s&'\",;()\[\]{}<>]"
# Matched against an ASCII-lower-cased copy (same length, so positions carry over): a
# case-sensitive pattern that starts with a literal lets the engine skip ahead cheaply, where
# (?i) would try the pattern at every position.
#   key=value: the value is masked whatever it looks like (ODBC ``PWD=x;``, query strings)
#   key: value: quoted values (JSON, reprs) are masked; an unquoted one only if it is not a
#     plain word, so MySQL's "(using password: YES)" and similar prose stay intact
#   Bearer <token>
_PAIRS = re.compile(
    rf"(?:{_SECRET_KEYS})['\"]?\s*(?:"
    r"=\s*(?P<eq>\"[^\"\n]*\"|'[^'\n]*'|['\"]?[^\s&'\",;]+)"
    rf"|:\s*(?P<colon>\"[^\"\n]*\"|'[^'\n]*'|{_WORD}*[^\s&'\",;()\[\]{{}}<>a-z]{_WORD}*))"
    r"|bearer\s+(?P<bearer>[a-z0-9._~+/\-]+=*)"
)
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _forms(secret: str) -> tuple[str, ...]:
    """The secret and its URL-encoded spellings (a URL quotes ``@`` as ``%40``)."""
    raw = secret.encode("utf-8", "surrogatepass")  # a lone surrogate must not crash this
    forms = [secret, quote(raw, safe=""), quote_plus(raw)]
    return tuple(dict.fromkeys(f for f in forms if len(f) >= _MIN_SECRET_LEN))


def register_secret(value: str | bytes | None) -> None:
    """Remember a secret so that :func:`redact` masks it wherever it appears.

    Re-registering a secret marks it as recently used; beyond :data:`MAX_SECRETS` distinct
    secrets the least recently registered one is forgotten.
    """
    global _dirty
    if value is None:
        return
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if len(value) < _MIN_SECRET_LEN:
        return
    with _lock:
        if value in _secrets:
            _secrets.move_to_end(value)
            return
        _secrets[value] = _forms(value)
        while len(_secrets) > MAX_SECRETS:
            _secrets.popitem(last=False)
        _dirty = True


def registered_count() -> int:
    """How many secrets are remembered right now (at most :data:`MAX_SECRETS`)."""
    with _lock:
        return len(_secrets)


def _trie_regex(words: set[str]) -> str:
    """One regex matching any of ``words``, the longest where several match, shaped as a trie.

    A flat ``a|b|c...`` alternation tries every secret at every position of the text; a trie
    tries one branch per distinct next character, so the cost per position is bounded by the
    length of the secrets rather than their number times their length.
    """
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = []
        for char, child in sorted(node.items()):
            if not char:
                continue
            run = [char]
            while len(child) == 1 and "" not in child:  # a chain without a fork: one literal
                ((next_char, child),) = child.items()
                run.append(next_char)
            branches.append(re.escape("".join(run)) + emit(child))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer secret wins

    return emit(root)


def _secret_pattern() -> re.Pattern[str] | None:
    """The compiled trie of every registered spelling; rebuilt only after the set changed."""
    global _pattern, _dirty
    with _lock:
        if _dirty:
            forms = {f for fs in _secrets.values() for f in fs}
            try:
                _pattern = re.compile(_trie_regex(forms)) if forms else None
            except RecursionError:  # pathologically nested prefixes: a flat alternation
                flat = sorted(forms, key=len, reverse=True)
                _pattern = re.compile("|".join(map(re.escape, flat)))
            _dirty = False
        return _pattern


def _mask_pairs(text: str) -> str:
    """Mask the values of secret-looking ``key=value`` / ``key: value`` pairs."""
    lowered = text.translate(_ASCII_LOWER)
    pieces: list[str] = []
    pos = 0
    append = pieces.append
    for match in _PAIRS.finditer(lowered):
        start = match.start()
        if start and text[start - 1] in _ALNUM:
            continue  # part of a longer word (``mypassword=``)
        group = match.lastgroup
        assert group is not None  # both of the pattern's alternatives are named groups
        v_start, v_end = match.span(group)
        first = text[v_start]
        append(text[pos:v_start])
        if first in "'\"" and v_end - v_start >= 2 and text[v_end - 1] == first:
            append(f"{first}{MASK}{first}")
        else:
            append(MASK)
        pos = v_end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def redact(text: object) -> str:
    """Return ``str(text)`` with every known secret, URL password and secret-looking value
    masked. Linear in ``len(text)``."""
    out = str(text)
    pattern = _secret_pattern()
    if pattern is not None:
        out = pattern.sub(MASK, out)
    if "@" in out:
        out = _URL_STRICT.sub(lambda m: f"{m['head']}{MASK}@", out)
        out = _URL_LOOSE.sub(lambda m: f"{m['head']}{MASK}@", out)
    return _mask_pairs(out)


def redact_truncated(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, cut BEFORE redaction so that a huge text costs
    only ``limit`` work, then redacted; a note says how long the original was.

    The cut keeps a margin beyond ``limit`` so that a secret straddling the limit is still
    recognised whole and masked before the final cut.
    """
    if len(text) <= limit:
        return redact(text)
    with _lock:
        longest = max((len(f) for forms in _secrets.values() for f in forms), default=0)
    margin = longest + 1024  # also room for a URL password the cut would leave without its '@'
    shown = redact(text[: limit + margin])[:limit]
    return f"{shown}... [truncated: {len(text)} characters in all]"


def contains_secret(text: str) -> bool:
    """Whether :func:`redact` would change ``text`` (a registered secret, a URL password or a
    secret-looking ``key=value``)."""
    return redact(text) != text
