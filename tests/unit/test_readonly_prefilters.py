"""Red team for the per-statement shortcuts of issue #11: each cheap test in front of a full
check must answer exactly what the full check answers, or defer to it.

* ``plain_ascii`` skips the control-character regex only where that regex finds nothing;
* the cancel-request prefilter turns away only texts none of the cancel patterns match;
* the ASCII number scan of the shape, and the ASCII token scan of the fast path, read ASCII
  text exactly as their Unicode originals do;
* the lexer's placeholder scan is skipped only for a text without ``%``, and the template
  check only for a text without ``%`` or backslash (the bound text's verdict refuses it);
* the fast path's scan for denied calls finds every word before ``(``.
"""

from __future__ import annotations

import random
import re

import pytest

from sqlgate.core import cancel_requests
from sqlgate.core.errors import ProgrammingError, ReadOnlyError
from sqlgate.core.readonly import StatementGate
from sqlgate.core.readonly_dispatch import BAD_CHARS, plain_ascii
from sqlgate.core.readonly_fast_words import _TOKEN, _TOKEN_ASCII, NUMBER, STRANGE, calls_denied
from sqlgate.core.readonly_lexer import ANY_PERCENT, LIKELY_PLACEHOLDER, Refused, lex
from sqlgate.core.readonly_policies import POLICIES
from sqlgate.core.readonly_shape import (
    _NUMBER,
    _NUMBER_ASCII,
    _PLAIN_CONTENT,
    _PLAIN_CONTENT_ASCII,
    _shape,
)

ASCII = [chr(c) for c in range(128)]


@pytest.mark.parametrize("char", ASCII)
def test_plain_ascii_never_hides_a_character_the_full_check_refuses(char: str) -> None:
    text = f"SELECT 1 AS a{char}b\n\tFROM t"
    assert not (plain_ascii(text) and BAD_CHARS.search(text))
    assert plain_ascii(text) == (BAD_CHARS.search(text) is None)  # on ASCII: the same answer


@pytest.mark.parametrize(
    "char", ["\x0b", "\x1c", "\x7f", "\x00", "\x85", "\xa0", "\u2028", "\u3000"]
)
def test_odd_characters_are_still_refused(char: str) -> None:
    for policy in ("postgres", "mysql"):
        with pytest.raises(ReadOnlyError) as info:
            StatementGate(policy).check(f"SELECT 1{char}FROM t")
        assert info.value.kind == "control or unusual whitespace character"


@pytest.mark.parametrize("char", ["\x85", "\xa0", "\u2028", "\u3000", "\u202f"])
@pytest.mark.parametrize("policy", ["postgres", "mysql", "clickhouse", "bigquery", "dameng"])
def test_odd_whitespace_is_data_inside_quotes_only(char: str, policy: str) -> None:
    """Chinese text holds U+3000: inside a string or a quoted name it is data; outside
    quotes, or in a comment, it is still refused."""
    gate = StatementGate(policy)
    assert gate.verdict(f"SELECT '张{char}三' AS x FROM t").kind == "SELECT"
    assert gate.verdict(f'SELECT "名{char}称" FROM t').kind == "SELECT"
    for outside in (f"SELECT '张三'{char}FROM t", f"SELECT 1 /* {char} */ FROM t"):
        with pytest.raises(ReadOnlyError) as info:
            gate.check(outside)
        assert info.value.kind == "control or unusual whitespace character"
    with pytest.raises(ReadOnlyError):  # control characters stay refused inside quotes too
        gate.check("SELECT 'a\x00b' FROM t")


def test_plain_ascii_leaves_non_ascii_text_to_the_full_check() -> None:
    assert not plain_ascii("SELECT 'é'")
    assert plain_ascii("SELECT 'e'\r\n\f")


_CANCEL_PIECES = [
    "SELECT", "select", "SeLeCt", "pg_terminate_backend", "PG_CANCEL_BACKEND", "pg_backend",
    "(", ")", "pid", "FROM", "pg_stat_activity", "WHERE", "=", "'", "123", "KILL", "kill",
    "CONNECTION", "QUERY", ";", " ", "  ", "\n", "\t", "x", "--", "/**/",
]  # fmt: skip


def test_the_cancel_prefilter_passes_every_text_a_cancel_pattern_matches() -> None:
    rng = random.Random(20261203)
    texts = [
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid='42'",
        " select  PG_CANCEL_BACKEND ( 42 ) ;",
        "\nKILL\tQUERY 7",
        "kill 7;",
    ]
    texts += ["".join(rng.choice(_CANCEL_PIECES) for _ in range(rng.randint(1, 14)))
              for _ in range(40_000)]  # fmt: skip
    matched = 0
    for text in texts:
        if any(p.fullmatch(text) for p in cancel_requests._PATTERNS):
            matched += 1
            assert cancel_requests._PREFILTER.match(text), text
    assert matched >= 4


def _normalised(pattern: re.Pattern[str], text: str, word_first: bool) -> list[str]:
    out = []
    for groups in pattern.findall(text):
        word, number = (groups[0], groups[1]) if word_first else (groups[1], groups[0])
        out.append(word or groups[2] or (NUMBER if number else STRANGE))
    return out


def test_the_ascii_token_scan_reads_ascii_text_as_the_unicode_one() -> None:
    rng = random.Random(11)
    alphabet = [
        *"abzXYZ_019 .eE+-*/=<>!:|(),;'\"\t\n$@#%?[]{}&^~",
        "1e5", "3.5", "::", "<>", "||", "1.2.3", "e1", "1E+5", "_a1", "0x1F",
    ]  # fmt: skip
    for _ in range(30_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))).upper()
        assert _normalised(_TOKEN, text, False) == _normalised(_TOKEN_ASCII, text, True), text


def test_the_ascii_shape_scan_gives_the_unicode_shape_on_ascii_text() -> None:
    rng = random.Random(5)
    pieces = [
        *"0123456789.. ab_$@:#'\"`(),=+-*/\n\t",
        "12", "3.5", "1e5", "0x1F", "'ab'", "'1 2'", "/* 5 */", "-- 7\n", "E'x'", "$$3$$",
        "'a''b'", '"q1"', "SELECT ", " FROM t WHERE x = ", "'2024-01-02'", "t1", ":1", "$1",
    ]  # fmt: skip
    gates = [StatementGate(p) for p in ("postgres", "mysql", "duckdb")]
    compared = 0
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        for gate in gates:
            try:
                lexed = gate._lexed(text, None)
            except Refused:
                continue
            fast = _shape(*lexed, _NUMBER_ASCII, _PLAIN_CONTENT_ASCII)
            assert fast == _shape(*lexed, _NUMBER, _PLAIN_CONTENT), text
            compared += 1
    assert compared > 20_000


@pytest.mark.parametrize("policy", ["postgres", "mysql"])
def test_a_text_without_percent_has_no_placeholder_to_refuse(policy: str) -> None:
    lexicon = POLICIES[policy].lexicon
    rng = random.Random(9)
    pieces = ["SELECT ", "'a'", "'%s'", "/* %(x)s */", "-- %d\n", "x", "%s", "%%", "'50%'", "1"]
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for params in (ANY_PERCENT, LIKELY_PLACEHOLDER):
            try:
                with_params = lex(text, lexicon, params)
            except Refused as refusal:
                assert "%" in text
                if refusal.kind == "placeholder inside a literal or comment":
                    continue
                raise
            if "%" not in text:
                assert with_params == lex(text, lexicon, None)
    gate = StatementGate(policy)
    for text in ("SELECT '%s'", "SELECT 1 /* %(x)s */", "SELECT '%1.1s'"):
        with pytest.raises(ReadOnlyError) as info:
            gate.check(text, params=True)
        assert info.value.kind == "placeholder inside a literal or comment"


def test_the_denied_call_scan_finds_every_word_before_a_parenthesis() -> None:
    rng = random.Random(3)
    words = ["(", ")", "F", "G", "PG_SLEEP", ",", "X", "(", "NEXTVAL"]
    denied = {"pg_sleep", "nextval"}.__contains__
    for _ in range(20_000):
        keys = [rng.choice(words) for _ in range(rng.randint(0, 10))]
        texts = [k.lower() if rng.random() < 0.5 else k for k in keys]
        expected = any(k == "(" and i and denied(texts[i - 1].lower()) for i, k in enumerate(keys))
        assert calls_denied(keys, texts, denied) == expected, keys


@pytest.mark.parametrize("policy", ["postgres", "mysql", "duckdb"])
def test_a_template_without_percent_or_backslash_is_refused_by_the_bound_verdict(
    policy: str,
) -> None:
    """``Connection.check_template`` skips such a text: the gate that reads the bound text
    (the same text, the server's backslash rule) must refuse whatever the template check
    would have refused."""
    rng = random.Random(17)
    pieces = [
        "SELECT ", "'a'", "'", '"', "`", "/*", "*/", "/* c */", "--", "\n", "$$", "$t$", "x",
        "1", " FROM t", ";", "/*!", "E'", "U&\"", "#", "(", ")",
    ]  # fmt: skip
    template_gate = StatementGate(policy)
    bound_gates = [StatementGate(policy, backslash_escapes=b) for b in (True, False, None)]
    refused = 0
    for _ in range(6_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        assert "%" not in text and "\\" not in text
        try:
            template_gate.check_template(text)
        except ProgrammingError:
            refused += 1
            for gate in bound_gates:
                with pytest.raises(ProgrammingError):
                    gate.verdict(text, params=False)
    assert refused > 500
