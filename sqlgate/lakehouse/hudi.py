"""Apache Hudi tables through hudi-rs (pip ``hudi``): snapshot, time travel, incremental.

hudi-rs resolves the timeline, prunes partitions from the pushed filters and merges MOR log
files; its record-batch stream is registered in DuckDB. Incremental reads are exposed as the
table function ``hudi_changes('schema.table', start_instant [, end_instant])`` and return the
records committed in ``(start, end]`` (hudi-rs has no streaming incremental read yet, so
that one is read eagerly).
"""

from __future__ import annotations

import datetime as dt
from itertools import chain
from typing import Any

import pyarrow as pa

from sqlgate.core.errors import OperationalError, ProgrammingError
from sqlgate.lakehouse import pushdown
from sqlgate.lakehouse.base import ScanPlan, TableDirectorySource, TableHandle
from sqlgate.lakehouse.failures import plain
from sqlgate.lakehouse.timetravel import TimeTravel


class HudiRootSource(TableDirectorySource):
    """A directory whose sub-directories holding ``.hoodie`` are Hudi tables (schema ``main``)."""

    format = "hudi"
    marker = ".hoodie"

    def _table(self, schema: str, table: str):
        from hudi import HudiTable

        uri = self.table_uri(schema, table)
        self.contain(uri, f"{schema}.{table}")  # before hudi-rs reads the timeline
        try:
            return HudiTable(uri, self.storage_options or None)
        except Exception as exc:  # a damaged table: only this one fails, in plain words
            raise OperationalError(
                plain(f"cannot load Hudi table {schema}.{table}: {exc}")
            ) from None

    def open(self, schema: str, table: str, timetravel: TimeTravel | None = None) -> TableHandle:
        return HudiTableHandle(self._table(schema, table), f"{schema}.{table}", timetravel)

    def table_properties(self, schema: str, table: str) -> dict[str, str]:
        tbl = self._table(schema, table)
        props = {k: v for k, v in tbl.hudi_options().items() if k.startswith("hoodie.")}
        props.update({"table_type": tbl.table_type, "location": tbl.base_url})
        return props

    def changes(self, schema: str, table: str, start: str, end: str | None) -> ScanPlan:
        from hudi import HudiQueryType, HudiReadOptions

        tbl = self._table(schema, table)
        opts = HudiReadOptions().with_query_type(HudiQueryType.Incremental)
        opts = opts.with_start_timestamp(start)
        if end is not None:
            opts = opts.with_end_timestamp(end)
        try:
            batches = tbl.read(opts)
        except Exception as exc:
            raise OperationalError(
                plain(f"Hudi incremental read of {schema}.{table} failed: {exc}")
            ) from None
        schema_ = batches[0].schema if batches else _schema(tbl)
        info = {
            "start": start,
            "end": end,
            "files_planned": len(tbl.get_file_slices(opts)),
            "scan": "hudi_incremental",
        }
        return ScanPlan(schema_, arrow=pa.Table.from_batches(batches, schema_), info=info)


def _schema(tbl) -> pa.Schema:
    try:
        return tbl.get_schema_with_meta_fields()
    except Exception:
        return tbl.get_schema()


def commits(tbl) -> list[str]:
    """Completed commit / deltacommit / replacecommit instants, oldest first."""
    tl = tbl.get_timeline()
    instants = (
        tl.get_completed_commits()
        + tl.get_completed_deltacommits()
        + tl.get_completed_replacecommits()
    )
    return sorted({i.timestamp for i in instants})


class HudiTableHandle(TableHandle):
    """One Hudi table as of one instant (``None``: the latest)."""

    def __init__(self, table, name: str, timetravel: TimeTravel | None) -> None:
        self.table, self.name = table, name
        self.as_of = self._instant(timetravel) if timetravel is not None else None
        self.schema = _schema(table)
        self.partition_columns = [f.name for f in table.get_partition_schema()]

    def _instant(self, tt: TimeTravel) -> str:
        instants = commits(self.table)
        if not instants:
            raise ProgrammingError(f"Hudi table {self.name} has no commit to travel to")
        if tt.kind == "version":
            value = str(tt.value)
            if value not in instants:
                raise ProgrammingError(
                    f"Hudi table {self.name} has no completed instant {value!r} "
                    f"(first {instants[0]}, latest {instants[-1]})"
                )
            return value
        if tt.instant is not None:
            instant = tt.instant  # a Hudi instant: that instant, in the writer's time zone
        else:
            when = tt.value
            if self.table.timezone.lower() != "utc":
                when = when.astimezone()  # instants are written in the writer's local time
            else:
                when = when.astimezone(dt.timezone.utc)
            instant = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
        if instant < instants[0]:
            raise ProgrammingError(
                f"Hudi table {self.name} has no commit at or before {tt.value.isoformat()} "
                f"(instant {instant}; first commit {instants[0]})"
            )
        return instant

    def scan(self, predicate: pushdown.Predicate) -> ScanPlan:
        from hudi import HudiReadOptions

        opts = HudiReadOptions()
        if self.as_of is not None:
            opts = opts.with_as_of_timestamp(self.as_of)
        filters = pushdown.to_hudi(predicate, set(self.partition_columns))
        info: dict[str, Any] = {
            "as_of": self.as_of,
            "filter": filters or None,
            "table_type": self.table.table_type,
        }
        if filters:
            try:
                opts = opts.with_filters(filters)
            except Exception as exc:
                info.update(filter=None, pushdown_error=str(exc))
        info["files_total"] = len(self.table.get_file_slices(_strip(opts)))
        slices = self.table.get_file_slices(opts)
        info.update(
            files_planned=len(slices),
            files=[s.base_file_relative_path() for s in slices],
            log_files=sum(len(s.log_file_names) for s in slices),
            scan="hudi_stream",
        )
        stream = iter(self.table.read_stream(opts))
        first = next(stream, None)
        if first is None:
            return ScanPlan(self.schema, arrow=self.schema.empty_table(), info=info)
        keep = self._keep(first.schema)
        schema = pa.schema([first.schema.field(n) for n in keep])
        batches = (b.select(keep) for b in chain([first], stream))
        reader = pa.RecordBatchReader.from_batches(
            schema, (b if b.schema == schema else b.cast(schema) for b in batches)
        )
        return ScanPlan(schema, arrow=reader, info=info)

    def _keep(self, schema: pa.Schema) -> list[str]:
        """Columns to expose: hudi-rs 0.5 streams all-null meta columns for tables written
        with ``hoodie.populate.meta.fields=false`` (MOR v6) that its eager ``read()`` omits."""
        if self.table.hudi_options().get("hoodie.populate.meta.fields") != "false":
            return schema.names
        return [n for n in schema.names if not n.startswith("_hoodie_")]


def _strip(opts):
    from hudi import HudiReadOptions

    out = HudiReadOptions()
    return out.with_as_of_timestamp(opts.as_of_timestamp()) if opts.as_of_timestamp() else out
