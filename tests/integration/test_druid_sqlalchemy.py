"""The Druid dialect on SQLAlchemy 2.x (this venv) and 1.4 (Superset's venv, with Superset's own
``DruidEngineSpec`` time grains), pandas.read_sql, against the Druid SQL API test server."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from sqlgate.dbapi.druid_types import COMPLEX
from tests.servers.base import ServerInfo, server_unavailable
from tests.servers.druid import EVENT_ROWS

ROOT = Path(__file__).resolve().parents[2]
SUPERSET_PYTHON = ROOT / ".cache" / "superset-venv" / "bin" / "python"


def _engine(info: ServerInfo) -> sa.engine.Engine:
    return sa.create_engine(info.url("druid+sqlgate"))


def test_reflection_through_information_schema(druid: ServerInfo) -> None:
    engine = _engine(druid)
    inspector = sa.inspect(engine)
    assert "druid" in inspector.get_schema_names()
    assert inspector.get_table_names() == ["events", "items"]
    assert inspector.has_table("events") and not inspector.has_table("nope")
    columns = {c["name"]: c for c in inspector.get_columns("events")}
    assert list(columns) == ["__time", "channel", "tags", "added", "uniq_users"]
    assert (
        isinstance(columns["__time"]["type"], sa.TIMESTAMP) and columns["__time"]["type"].timezone
    )
    assert columns["__time"]["nullable"] is False
    assert isinstance(columns["tags"]["type"], sa.ARRAY)  # segmentMetadata: hasMultipleValues
    assert isinstance(columns["channel"]["type"], sa.String)
    assert isinstance(columns["added"]["type"], sa.BigInteger)
    assert isinstance(columns["uniq_users"]["type"], COMPLEX)
    assert columns["uniq_users"]["type"].name == "COMPLEX<hyperUnique>"
    sent = druid.extra["server"].requests
    assert any(
        r.get("parameters")
        == [{"type": "VARCHAR", "value": "druid"}, {"type": "VARCHAR", "value": "events"}]
        for r in sent
    )
    engine.dispose()


def test_core_query_with_time_floor_and_pandas(druid: ServerInfo) -> None:
    engine = _engine(druid)
    events = sa.Table("events", sa.MetaData(), autoload_with=engine)
    hour = sa.func.TIME_FLOOR(events.c["__time"], "PT1H").label("h")
    query = (
        sa.select(hour, sa.func.SUM(events.c.added).label("total"))
        .where(events.c.added > 1)
        .group_by(sa.literal_column("1"))
        .order_by(sa.literal_column("1"))
        .limit(10)
    )
    with engine.connect() as conn:
        got = [(row.h, row.total) for row in conn.execute(query)]
    expected: Counter[dt.datetime] = Counter()
    for when, _, _, added, _ in EVENT_ROWS:
        if added > 1:
            stamp = dt.datetime.fromisoformat(when).replace(minute=0, tzinfo=dt.timezone.utc)
            expected[stamp] += added
    assert got == sorted(expected.items())
    assert "LIMIT 10" in druid.extra["server"].requests[-1]["query"]

    frame = pd.read_sql("SELECT id, name FROM items ORDER BY id", engine)
    assert frame["id"].tolist() == [1, 2, 3, 4]
    assert frame["name"].tolist()[:2] == ["alpha", "beta"]
    engine.dispose()


PROBE = """
import datetime, json, os, sys
import sqlalchemy as sa
from sqlalchemy.dialects import registry
registry.register("druid.sqlgate", "sqlgate.dialects.druid", "DruidDialect")
from superset.app import create_app
with create_app().app_context():
    from superset.db_engine_specs import get_engine_spec
    url = sa.engine.url.make_url(os.environ["DRUID_URL"])
    spec = get_engine_spec(url.get_backend_name(), url.get_driver_name())
    engine = sa.create_engine(url)
    out = {"spec": spec.__name__, "sqlalchemy": sa.__version__, "grains": {}}
    out["columns"] = {c["name"]: str(c["type"]) for c in sa.inspect(engine).get_columns("events")}
    start = datetime.datetime.fromisoformat(os.environ.get("DRUID_SINCE", "2026-01-01"))
    since = spec.convert_dttm("TIMESTAMP", start)
    with engine.connect() as conn:
        for grain, expr in spec.get_time_grain_expressions().items():
            if grain is None:
                continue
            col = expr.replace("{col}", '"__time"')
            sql = (f"SELECT {col} AS ts, SUM(added) AS total FROM events "
                   f"WHERE __time >= {since} GROUP BY 1 ORDER BY 1")
            out["grains"][grain] = [[str(r[0]), r[1]] for r in conn.execute(sa.text(sql))]
    print("PROBE" + json.dumps(out))
"""


def _floor(when: dt.datetime, grain: str) -> dt.datetime:
    if grain == "PT1H":
        return when.replace(minute=0, second=0)
    if grain == "P1D":
        return when.replace(hour=0, minute=0, second=0)
    if grain == "P1W":  # ISO weeks: Monday
        day = when.replace(hour=0, minute=0, second=0)
        return day - dt.timedelta(days=day.weekday())
    return when.replace(day=1, hour=0, minute=0, second=0)  # P1M


def superset_probe(url: str, tmp_path: Path, since: str | None = None) -> dict:
    """Run :data:`PROBE` in Superset's venv (SQLAlchemy 1.4, Superset's own DruidEngineSpec)
    against ``url``: the spec, the reflected columns and every grain's rows since ``since``.
    Also checks what every caller needs: the spec is Superset's, on SQLAlchemy 1.4, and the
    multi-value and sketch columns reflect as such."""
    if not SUPERSET_PYTHON.exists():
        server_unavailable(
            "superset", f"{SUPERSET_PYTHON} missing: run scripts/install-superset.sh"
        )
    (tmp_path / "config.py").write_text(
        f"SECRET_KEY = 'sqlgate-druid-probe-{os.getpid()}' * 2\n"
        f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{tmp_path}/superset.db'\n"
    )
    env = {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(tmp_path / "config.py"),
        "SUPERSET_HOME": str(tmp_path),
        "DRUID_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    if since is not None:
        env["DRUID_SINCE"] = since
    done = subprocess.run(
        [str(SUPERSET_PYTHON), "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE")), None)
    assert line is not None, done.stderr[-3000:]
    probe: dict = json.loads(line.removeprefix("PROBE"))
    assert probe["spec"] == "DruidEngineSpec" and probe["sqlalchemy"].startswith("1.4")
    assert probe["columns"]["tags"].startswith("ARRAY")
    assert probe["columns"]["uniq_users"] == "COMPLEX<hyperUnique>"
    return probe


def test_superset_druid_spec_grains_on_sqlalchemy_14(druid: ServerInfo, tmp_path: Path) -> None:
    probe = superset_probe(druid.url("druid+sqlgate"), tmp_path)
    for grain in ("PT1H", "P1D", "P1W", "P1M"):
        expected: Counter[dt.datetime] = Counter()
        for when, _, _, added, _ in EVENT_ROWS:
            expected[_floor(dt.datetime.fromisoformat(when), grain)] += added
        got = {
            dt.datetime.fromisoformat(ts).replace(tzinfo=None): n
            for ts, n in probe["grains"][grain]
        }
        assert got == dict(expected), grain
    # every grain Superset offers for Druid runs and covers every row
    assert all(sum(n for _, n in rows) == 23 for rows in probe["grains"].values())


@pytest.mark.parametrize("sql", ["INSERT INTO items SELECT * FROM items PARTITIONED BY DAY"])
def test_sqlalchemy_write_is_refused_and_nothing_is_sent(druid: ServerInfo, sql: str) -> None:
    from sqlgate.core import errors

    engine = _engine(druid)
    before = len(druid.extra["server"].requests)
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as info:
        conn.exec_driver_sql(sql)
    assert isinstance(info.value.orig, errors.ReadOnlyError)
    sent = druid.extra["server"].requests[before:]
    assert not any("PARTITIONED" in r.get("query", "") for r in sent)
    engine.dispose()
