"""From a sqlgate URL to the :class:`~sqlgate.lakehouse.base.TableSource` it names.

``iceberg:///srv/lake/catalog.db``             SQL catalog in a SQLite file (embedded default)
``iceberg://host:8181/?catalog=rest``          REST catalog
``iceberg://?catalog=glue&region=eu-west-1``   AWS Glue
``delta:///srv/lake/delta`` / ``hudi://bucket/prefix?store=s3``   one table per sub-directory
``file:///srv/data?format=csv``, ``s3://bucket/prefix``, ``minio://host:9000/bucket/prefix``,
``oss://…``, ``cos://…``, ``azure://ACCOUNT@container/prefix``, ``gcs://bucket/prefix``
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from sqlgate.core.errors import InterfaceError
from sqlgate.core.params import ConnectParams
from sqlgate.lakehouse.base import TableSource
from sqlgate.lakehouse.stores import locate

if TYPE_CHECKING:
    from sqlgate.dbapi.lakehouse_family import LakehouseFlavor

_CATALOGS = ("sql", "rest", "glue")


def table_source_for(flavor: LakehouseFlavor, params: ConnectParams,
                     options: dict[str, Any]) -> TableSource:
    """Build the table source; every option must be understood (a typo is an error)."""
    fmt = flavor.table_format
    if fmt == "iceberg":
        source = _iceberg(params, options)
    elif fmt in ("delta", "hudi"):
        location = locate(str(options.pop("store", flavor.store)), params, options)
        if fmt == "delta":
            from sqlgate.lakehouse.delta import DeltaRootSource

            source = DeltaRootSource(location.uri, location.storage_options)
        else:
            from sqlgate.lakehouse.hudi import HudiRootSource

            source = HudiRootSource(location.uri, location.storage_options)
    else:
        from sqlgate.lakehouse.files import FileSource

        location = locate(flavor.store, params, options)
        file_format = str(options.pop("format", fmt))
        csv = {k.removeprefix("csv_"): options.pop(k) for k in list(options)
               if k.startswith("csv_")}
        source = FileSource(location.uri, file_format, location.storage_options,
                            csv_options=csv)
    if options:
        raise InterfaceError(f"unknown option(s) for {flavor.source}: {', '.join(sorted(options))}")
    return source


def _iceberg(params: ConnectParams, options: dict[str, Any]) -> TableSource:
    from sqlgate.lakehouse.iceberg import IcebergCatalogSource

    kind = str(options.pop("catalog", "sql"))
    if kind not in _CATALOGS:
        raise InterfaceError(f"unknown Iceberg catalog {kind!r}; use one of {', '.join(_CATALOGS)}")
    name = str(options.pop("catalog_name", "default"))
    # catalog properties: pyiceberg's own names (s3.endpoint, warehouse, ...) pass through
    props: dict[str, Any] = {k: options.pop(k) for k in list(options) if "." in k}
    for key in ("warehouse", "default_namespace"):
        if key in options:
            props[key] = options.pop(key)
    if kind == "sql":
        path = "/" + (params.database or "").lstrip("/")
        if not params.database:
            raise InterfaceError("iceberg SQL catalog URLs name the catalog file: "
                                 "iceberg:///path/to/catalog.db")
        props.setdefault("warehouse", "file://" + os.path.join(os.path.dirname(path), "warehouse"))
        props.update({"type": "sql", "uri": f"sqlite:///{path}"})
    elif kind == "rest":
        scheme = str(options.pop("scheme", "http"))
        port = f":{params.port}" if params.port else ""
        props.update({"type": "rest",
                      "uri": f"{scheme}://{params.host}{port}/{params.database or ''}".rstrip("/")})
        if params.password:
            props["token"] = params.password
    else:
        props["type"] = "glue"
        if "region" in options:
            props["glue.region"] = options.pop("region")
        if "endpoint" in options:
            props["glue.endpoint"] = options.pop("endpoint")
        if params.user:
            props["glue.access-key-id"] = params.user
        if params.password:
            props["glue.secret-access-key"] = params.password
    return IcebergCatalogSource(name, **props)
