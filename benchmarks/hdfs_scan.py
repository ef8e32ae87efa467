"""The HDFS arm of :mod:`benchmarks.storage_scan`: the same Parquet files on a throwaway
Kerberized HDFS (tests/servers/hdfs.py), read through ``hdfs://`` (WebHDFS + SPNEGO).

Run through the storage benchmark::

    python -m benchmarks.storage_scan --only local,hdfs

The bytes column is what sqlgate's WebHDFS client received from the DataNodes (ranged
``OPEN`` reads), counted in the client: MiniDFSCluster has no per-request server metric.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode, urlparse

from benchmarks.storage_scan import Arm, log


def hdfs_arm(data: Path, stack: ExitStack) -> Arm | None:
    """Start the cluster (KDC included), copy ``data``'s files under /lake/bench, return the arm."""
    from sqlgate.core.credentials import provider_from_url
    from sqlgate.lakehouse.hdfs import PROCESS_STATS, hdfs_filesystem
    from tests.servers.hdfs import running_hdfs

    try:
        info = stack.enter_context(running_hdfs(kerberos=True))
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # no JVM or jars (the harness skips): run the other arms
        log(f"hdfs arm skipped: {exc}")
        return None
    before = os.environ.get("KRB5_CONFIG")
    os.environ["KRB5_CONFIG"] = info.extra["krb5_conf"]
    stack.callback(
        lambda: (
            os.environ.pop("KRB5_CONFIG", None)
            if before is None
            else os.environ.__setitem__("KRB5_CONFIG", before)
        )
    )
    keytab, principal = info.extra["keytab"], info.extra["principal"]
    provider = provider_from_url("kerberos", {"keytab": keytab, "principal": principal})
    ccache = provider.get().extras["ccache"]
    base = f"hdfs://{info.host}:{info.port}/lake/bench"
    fs, root = hdfs_filesystem(urlparse(base), {"hdfs_kerberos_ccache": ccache})
    for path in sorted(data.rglob("*.parquet")):
        with fs.open_output_stream(f"{root}/{path.relative_to(data).as_posix()}") as out:
            out.write(path.read_bytes())
    stack.callback(lambda: provider)  # keeps the private ccache until the run ends
    query = urlencode(
        {"credential": "kerberos", "credential_keytab": keytab, "credential_principal": principal}
    )
    notes = [
        "HDFS 3.5.0 MiniDFSCluster (1 NameNode + 1 DataNode, JVM on the same 2 cores), "
        "Kerberos: WebHDFS with SPNEGO, reads redirected to the DataNode with a delegation token"
    ]
    return Arm(f"{base}?{query}", lambda: PROCESS_STATS.bytes, notes)
