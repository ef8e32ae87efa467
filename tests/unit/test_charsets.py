"""Chinese client charsets at the driver boundary (sqlgate/core/charsets.py)."""

from __future__ import annotations

import pytest

from sqlgate.core.charsets import (
    check_parameters,
    decode_text,
    encode_text,
    parse_charset,
)
from sqlgate.core.errors import DataError, InterfaceError

COMMON = "中文数据，汉字〇"  # in GBK and GB18030
#: outside GBK: CJK Extension B (U+20000, U+2A6A5), Extension A (U+4DAE), the euro sign
RARE = ["𠀀", "𪚥", "䶮", "€"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, "utf8"),
        ("UTF-8", "utf8"),
        ("utf8mb4", "utf8"),
        ("GBK", "gbk"),
        ("cp936", "gbk"),
        ("zh_CN.GB18030", "gb18030"),
        ("ZHS32GB18030", "gb18030"),
    ],
)
def test_charset_names(given: str | None, expected: str) -> None:
    assert parse_charset(given) == expected


def test_unknown_charset_names_the_choices() -> None:
    with pytest.raises(InterfaceError, match="utf8, gbk, gb18030"):
        parse_charset("big5")


@pytest.mark.parametrize("charset", ["utf8", "gbk", "gb18030"])
def test_common_text_round_trips(charset: str) -> None:
    data = encode_text(COMMON, charset)
    assert decode_text(data, charset) == COMMON
    if charset != "utf8":
        assert data[:2] == b"\xd6\xd0"  # 中 is D6D0 in GB2312, GBK and GB18030 alike


@pytest.mark.parametrize("char", RARE)
def test_rare_characters_fail_clearly_under_gbk(char: str) -> None:
    with pytest.raises(DataError) as info:
        encode_text(f"名{char}", "gbk")
    message = str(info.value)
    assert f"U+{ord(char):04X}" in message and "position 1" in message
    assert "charset=gb18030" in message


@pytest.mark.parametrize("char", RARE)
@pytest.mark.parametrize("charset", ["gb18030", "utf8"])
def test_rare_characters_round_trip_under_gb18030_and_utf8(char: str, charset: str) -> None:
    data = encode_text(char, charset)
    assert decode_text(data, charset) == char


def test_gb18030_four_byte_sequences_are_the_standard_ones() -> None:
    assert encode_text("𠀀", "gb18030") == bytes.fromhex("95328236")
    assert encode_text("䶮", "gb18030") == bytes.fromhex("fe9f")


def test_invalid_bytes_name_the_offset() -> None:
    with pytest.raises(DataError, match=r"0x.* at offset 2 are not valid gbk"):
        decode_text(b"ab\xff\xff", "gbk")


def test_parameters_checked_under_gbk_only() -> None:
    check_parameters(["𠀀"], "gb18030")
    check_parameters({"name": "𠀀"}, "utf8")
    check_parameters([COMMON, 1, None, b"\xff"], "gbk")
    with pytest.raises(DataError, match=r"U\+2A6A5"):
        check_parameters({"name": "𪚥"}, "gbk")
    with pytest.raises(DataError, match=r"U\+20000"):
        check_parameters(("ok", "𠀀"), "gbk")
