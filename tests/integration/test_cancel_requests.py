"""Cancel requests sent as SQL (Superset's Stop) cancel a sibling sqlgate session, nothing else.

``pg_terminate_backend``/``KILL`` stay refused as SQL; only the exact forms Superset sends, for
a live sqlgate session of this process on the same server and login, become a cancel of that
session's running statement (which then raises; the session stays usable).
"""

from __future__ import annotations

import threading
import time

import pytest

import sqlgate
from tests.servers.base import ServerInfo

CASES = {
    "postgres": (
        "postgresql+sqlgate",
        "SELECT pg_backend_pid()",
        # two small series joined: no 2e9-row tuplestore to spill before the cancel is seen
        "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
        [
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid='{id}'",
            "SELECT pg_cancel_backend({id})",
        ],
    ),
    "mariadb": (
        "mysql+sqlgate",
        "SELECT CONNECTION_ID()",
        "SELECT count(*) FROM seq_1_to_1000000000 a, seq_1_to_1000 b",
        ["KILL CONNECTION {id}", "KILL QUERY {id}", "KILL {id}"],
    ),
    # a real tidb-server (tests/servers/tidb.py): 4**14 joined rows of the seeded table
    "tidb": (
        "tidb",
        "SELECT CONNECTION_ID()",
        "SELECT count(*) FROM " + ", ".join(f"items t{i}" for i in range(14)),
        ["KILL CONNECTION {id}", "KILL QUERY {id}", "KILL {id}"],
    ),
}


#: whether the link's statement is running on the server (1/0)
RUNNING = {
    "postgres": "SELECT count(*) FROM pg_stat_activity WHERE pid = {id} AND state = 'active'",
    "mariadb": (
        "SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID = {id} AND COMMAND = 'Query'"
    ),
}
RUNNING["tidb"] = RUNNING["mariadb"]
SERVERS = {"postgres": "postgres_server", "mariadb": "mariadb_server", "tidb": "seeded_tidb"}


def _server(family: str, request: pytest.FixtureRequest) -> ServerInfo:
    return request.getfixturevalue(SERVERS[family])


FORMS = [(family, i) for family, case in CASES.items() for i in range(len(case[3]))]


@pytest.mark.parametrize(("family", "form"), FORMS)
def test_cancel_request_stops_a_sibling_session(
    family: str, form: int, request: pytest.FixtureRequest
) -> None:
    scheme, ask_id, slow, stops = CASES[family]
    url = _server(family, request).url(scheme)
    with sqlgate.connect(url) as running, sqlgate.connect(url) as stopper:
        cur = running.cursor()
        link = cur.execute(ask_id).fetchone()[0]
        stop_sql = stops[form].format(id=link)
        done: dict[str, object] = {}

        def stop() -> None:
            # the stop goes out once the server runs the statement (a cancel that reaches an
            # idle backend is dropped by design, so timing alone would make the test racy)
            probe = stopper.cursor()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if probe.execute(RUNNING[family].format(id=link)).fetchone()[0]:
                    break
                time.sleep(0.05)
            done["sent"] = time.monotonic()
            done["rows"] = stopper.cursor().execute(stop_sql).rowcount

        thread = threading.Thread(target=stop)
        thread.start()
        with pytest.raises(sqlgate.OperationalError):
            cur.execute(slow)
        stopped = time.monotonic()
        thread.join(timeout=10)
        assert "rows" in done
        assert stopped - float(done["sent"]) < 2.0  # type: ignore[arg-type]
        running.rollback()
        assert cur.execute("SELECT 1").fetchone() == (1,)  # cancelled, not terminated


@pytest.mark.parametrize("family", sorted(CASES))
def test_cancel_request_for_anything_else_stays_refused(
    family: str, request: pytest.FixtureRequest
) -> None:
    scheme, ask_id, _, stops = CASES[family]
    url = _server(family, request).url(scheme)
    with sqlgate.connect(url) as conn:
        cur = conn.cursor()
        own = cur.execute(ask_id).fetchone()[0]
        for template in stops:
            for target in (1, own, 99999999):  # no session / itself / unknown
                with pytest.raises(sqlgate.ReadOnlyError):
                    cur.execute(template.format(id=target))
        assert cur.execute("SELECT 1").fetchone() == (1,)
