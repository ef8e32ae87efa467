"""A Spark Connect result as a stream of Arrow tables, as they arrive from the server.

``DataFrame.toArrow()`` in Spark Connect 4.0 gathers every batch before returning; the client's
own iterator (what ``DataFrame.toLocalIterator`` reads, before it turns batches into Rows)
hands each Arrow batch over as it comes. Each is cast to the Arrow schema ``toArrow`` would
give (``to_arrow_schema`` of the DataFrame's Spark schema), so both paths type alike.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pyarrow as pa


def open_stream(df: Any) -> tuple[pa.Schema, Iterator[pa.Table]]:
    """Start ``df``'s execution now (the caller's operation tags go with the request) and
    return its Arrow schema and its tables; the first table (or the end) has arrived."""
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructType

    schema = to_arrow_schema(df.schema, error_on_duplicated_field_names_in_struct=True)
    client = df.sparkSession.client
    responses = client.to_table_as_iterator(df._plan.to_proto(client), df._plan.observations)
    tables = (t for t in responses if not isinstance(t, StructType))
    first = next(tables, None)  # sends the request: runs the query up to its first batch
    head = [] if first is None else [first]
    return schema, (t.cast(schema) for t in itertools.chain(head, tables))
