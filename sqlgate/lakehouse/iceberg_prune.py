"""An Iceberg snapshot's manifests read once; each new filter pruned from them in Python.

A point query with a new literal each time used to re-plan: every manifest of the snapshot
read and decoded again (the plan cache is keyed by the filter). A snapshot is immutable, so
its unfiltered plan (data files with their delete files attached) is kept per handle and a
filter only keeps the tasks pyiceberg's own partition and metrics evaluators keep, the same
evaluators its planner runs per manifest entry. Every task still carries the delete files
the full plan attached to it, and DuckDB evaluates the whole WHERE: pruning stays pruning.

:func:`partition_values` gives a data file's identity-partition values by column name for
the metadata ``count(*)`` (:mod:`sqlgate.lakehouse.metadata_count`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["partition_values", "prune_tasks"]

_EPOCH = dt.date(1970, 1, 1)
_PARTITION = "_build_partition_evaluator"


def prune_tasks(scan: Any, tasks: list[Any]) -> list[Any] | None:
    """The tasks of the unfiltered plan ``tasks`` that ``scan``'s row filter may match, or
    None when this pyiceberg has no planner to ask (then plan the scan itself)."""
    from sqlgate.lakehouse.iceberg_deletes import local_planner

    planner = local_planner(scan)
    if planner is None:
        return None
    if not all(hasattr(planner, m) for m in ("_build_metrics_evaluator", _PARTITION)):
        return None  # another pyiceberg's planner: it plans the scan itself
    by_spec: dict[int, Any] = {}
    metrics = planner._build_metrics_evaluator()
    kept = []
    for task in tasks:
        spec_id = task.file.spec_id
        partition = by_spec.get(spec_id)
        if partition is None:
            partition = by_spec[spec_id] = getattr(planner, _PARTITION)(spec_id)
        if partition(task.file) and metrics(task.file):
            kept.append(task)
    return kept


def partition_values(data_file: Any, specs: dict[int, Any], schema: Any) -> dict[str, Any]:
    """``data_file``'s identity-partition values by top-level column name (``schema``: the
    schema read), only for types compared exactly in Python (boolean, int, long, string,
    date); a column absent here is one the metadata cannot decide on."""
    from pyiceberg.transforms import IdentityTransform
    from pyiceberg.types import BooleanType, DateType, IntegerType, LongType, StringType

    spec = specs.get(data_file.spec_id)
    out: dict[str, Any] = {}
    if spec is None:
        return out
    for pos, field in enumerate(spec.fields):
        if not isinstance(field.transform, IdentityTransform):
            continue
        name = schema.find_column_name(field.source_id)
        if name is None or "." in name:
            continue  # dropped, or nested: never a top-level column of the query
        kind = schema.find_type(field.source_id)
        value = data_file.partition[pos]
        if isinstance(kind, DateType):
            if value is not None and not isinstance(value, int):
                continue
            value = None if value is None else _EPOCH + dt.timedelta(days=value)
        elif not isinstance(kind, (BooleanType, IntegerType, LongType, StringType)):
            continue
        out[name] = value
    return out
