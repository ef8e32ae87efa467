"""Version banners of openGauss, GaussDB and KingbaseES as their docs and users record them.

Each banner is quoted from a published source (named beside it); the product version is
informational (``sqlgate check``), the PostgreSQL version drives SQLAlchemy's dialect.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from sqlgate.dbapi import gaussdb, kingbase, opengauss, oscar
from sqlgate.dbapi.pgwire_types import FORK_TYPES, hex_bytes

BANNERS = [
    # gsql banner in openGauss 5.0.0 install guides (docs.opengauss.org, "gsql -d postgres")
    (opengauss, "(openGauss 5.0.0 build a07d57c3) compiled at 2023-03-29 03:07:56 commit 0 "
     "last mr  ", (5, 0, 0), (9, 2)),
    # openGauss lite edition, version() as reported by users of 7.0.0-RC3
    (opengauss, "(openGauss-lite 7.0.0-RC3 build ) compiled at 2026-04-21 15:29:26 commit 0 "
     "last mr  ", (7, 0, 0), (9, 2)),
    # GaussDB kernel 50x, version() as a GaussDB SQLAlchemy dialect's compatibility notes quote it
    (gaussdb, "gaussdb (GaussDB Kernel 507.0.0 build ...)", (507, 0, 0), (9, 2)),
    # GaussDB Kernel V500R002C00: gsql banner in Huawei's developer guide examples
    (gaussdb, "gsql ((GaussDB Kernel V500R002C00 build fab4f5ea) compiled at 2021-10-24 "
     "11:58:09 commit 3086 last mr 6592 release)", (500, 2, 0), (9, 2)),
    # GaussDB(DWS) SQL reference, version() example (support.huaweicloud.com dws_06_0338)
    (gaussdb, "PostgreSQL 9.2.4 gsql (( GaussDB  8.1.3 build 39137c2d) compiled at "
     "2022-04-01 15:43:11 commit 3629 last mr 5138 release) on x86_64-unknown-linux-gnu, "
     "compiled by g++ (GCC) 5.4.0, 64-bit", (8, 1, 3), (9, 2)),
    # KingbaseES V8R6 install guides, "select version();"
    (kingbase, "KingbaseES V008R006C005B0023 on x86_64-pc-linux-gnu, compiled by gcc (GCC) "
     "4.1.2 20080704 (Red Hat 4.1.2-46), 64-bit", (8, 6, 5, 23), (12, 0)),
    # KingbaseES V8R3 ("show server_version" in modb.pro/db/59183), based on PostgreSQL 9.6
    (kingbase, "KingbaseES V008R003C002B0061", (8, 3, 2, 61), (9, 6)),
    # a banner that names nothing known: the assumed compatibility level, no product version
    (oscar, "something else entirely", (9, 6), (9, 6)),
]  # fmt: skip


@pytest.mark.parametrize(("module", "banner", "product", "compat"), BANNERS)
def test_banner(module: object, banner: str, product: tuple[int, ...], compat: tuple[int, ...]):
    flavor = module.flavor  # type: ignore[attr-defined]
    assert flavor.product_version(banner) == product
    assert flavor.compat_version(banner) == compat


@pytest.mark.parametrize(
    ("name", "arrow"),
    [
        ("varchar2(20)", pa.string()),
        ("nvarchar2(10)", pa.string()),
        ("number(12,4)", pa.decimal128(12, 4)),
        ("clob", pa.string()),
        ("blob", pa.binary()),
        ("raw", pa.binary()),
        ("binary_double", pa.float64()),
        ("binary_float", pa.float32()),
        ("tinyint", pa.int16()),
        ("smalldatetime", pa.timestamp("us")),
        ("oracle_date", pa.timestamp("us")),
        ("date", pa.date32()),
    ],
)
def test_fork_type_names_to_arrow(name: str, arrow: pa.DataType) -> None:
    assert FORK_TYPES.to_arrow(name) == arrow


@pytest.mark.parametrize(
    ("text", "value"),
    [(b"DEADBEEF", b"\xde\xad\xbe\xef"), (b"\\x00ff", b"\x00\xff"), (b"not hex", b"not hex")],
)
def test_hex_bytes(text: bytes, value: bytes) -> None:
    assert hex_bytes(memoryview(text)) == value
