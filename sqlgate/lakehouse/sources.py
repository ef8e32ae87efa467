"""From a sqlgate URL to the :class:`~sqlgate.lakehouse.base.TableSource` it names.

``iceberg:///srv/lake/catalog.db``             SQL catalog in a SQLite file (embedded default,
                                               read with sqlite3: no SQLAlchemy 2 needed)
``iceberg://[:TOKEN@]host:8181/?catalog=rest``  REST catalog (with a bearer token)
``iceberg://KEY:SECRET@/?catalog=glue&region=eu-west-1``   AWS Glue
``delta:///srv/lake/delta`` / ``hudi://bucket/prefix?store=s3``   one table per sub-directory
``file:///srv/data?format=csv``, ``s3://bucket/prefix``, ``minio://host:9000/bucket/prefix``,
``oss://…``, ``cos://…``, ``azure://ACCOUNT@container/prefix``, ``gcs://bucket/prefix``
(the object-store URL forms and their options are in :mod:`sqlgate.lakehouse.stores`).

A source on a remote store is checked once at connect (one metadata request for its root), so
a missing bucket raises ``ProgrammingError`` and refused credentials or an unreachable endpoint
raise ``OperationalError`` from ``connect()`` itself, never a hang.

Iceberg options: pyiceberg's dotted property names (``s3.endpoint``, ``adls.account-key`` …)
pass through; besides, for a warehouse on S3 (or an S3-compatible store)

* ``endpoint=`` / ``region=`` set ``s3.endpoint`` / ``s3.region`` (Glue: ``glue.endpoint`` and
  ``glue.region`` too; with an endpoint and no region, ``us-east-1``, so pyiceberg never asks
  AWS where the bucket lives);
* the URL's ``KEY:SECRET`` are the S3 keys for the SQL catalog and the AWS keys for Glue
  (``client.access-key-id`` …: both Glue and S3); for REST the password is the bearer token;
* ``connect_timeout`` / ``timeout`` / ``max_retries`` bound the catalog's HTTP requests (REST,
  Glue) and pyarrow's S3 requests (``s3.connect-timeout`` / ``s3.request-timeout``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from sqlgate.core.errors import InterfaceError, OperationalError, ProgrammingError
from sqlgate.core.params import ConnectParams, parse_int
from sqlgate.core.redact import register_secret
from sqlgate.lakehouse import storage
from sqlgate.lakehouse.base import TableSource
from sqlgate.lakehouse.reader_options import pop_reader_options
from sqlgate.lakehouse.stores import MAX_RETRIES, TIMEOUT_DEFAULTS, locate

_CATALOGS = ("sql", "rest", "glue")
#: catalog property carrying the connection's CredentialHandle (an object, never a string)
HANDLE_PROPERTY = "sqlgate.credential-handle"
_SECRET_WORDS = ("secret", "token", "password", "key", "credential", "sas")


@dataclass(frozen=True)
class SourceKind:
    """What the engine needs to know about a lakehouse source: the engine never imports the
    DB-API layer; ``sqlgate.dbapi.lakehouse_family`` passes this from its flavor."""

    source: str  # the registry name, for messages
    table_format: str  # iceberg, delta, hudi, or a file format
    store: str  # the default store: local, s3, minio, oss, cos, azure, gcs


def table_source_for(
    flavor: SourceKind, params: ConnectParams, options: dict[str, Any]
) -> TableSource:
    """Build the table source; every option must be understood (a typo is an error)."""
    fmt = flavor.table_format
    store = flavor.store
    location = None
    schema = options.pop("schema", None)  # where unqualified names resolve (SQL Lab's pick)
    if fmt == "iceberg":
        source = _iceberg(params, options)
    elif fmt in ("delta", "hudi"):
        store = str(options.pop("store", flavor.store))
        location = locate(store, params, options)
        _no_unknown(flavor, options)
        if fmt == "delta":
            from sqlgate.lakehouse.delta import DeltaRootSource

            source = DeltaRootSource(location.uri, location.options)
        else:
            from sqlgate.lakehouse.hudi import HudiRootSource

            source = HudiRootSource(location.uri, location.options)
    else:
        from sqlgate.lakehouse.files import FileSource

        location = locate(flavor.store, params, options)
        file_format = str(options.pop("format", fmt))
        readers = pop_reader_options(options)
        _no_unknown(flavor, options)
        source = FileSource(
            location.uri,
            file_format,
            location.options,
            csv_options=readers["csv"],
            json_options=readers["json"],
        )
    _no_unknown(flavor, options)
    root = getattr(source, "root", None)
    try:
        if location is not None and store != "local" and isinstance(root, storage.Location):
            storage.check_root(
                root, f"{source.format} root", storage.probe_deadline(location.storage_options)
            )
        elif isinstance(root, storage.Location) and root.is_local and not os.path.exists(root.path):
            raise OperationalError(
                f"{source.format} root {root.path} does not exist: check "
                f"the path in the {flavor.source}:// URL"
            )
        if schema:
            use_schema(source, str(schema))
    except BaseException:
        source.close()
        raise
    return source


def use_schema(source: TableSource, schema: str) -> None:
    """Make ``schema`` the one unqualified table names resolve in, if the source has it."""
    if schema == source.default_schema:
        return
    known = source.list_schemas()
    if schema not in known:
        raise ProgrammingError(
            f"schema {schema!r} does not exist in this {source.format} "
            f"source; its schemas: {', '.join(known) or 'none'}"
        )
    source.default_schema = schema


def _no_unknown(flavor: SourceKind, options: dict[str, Any]) -> None:
    if options:
        raise InterfaceError(f"unknown option(s) for {flavor.source}: {', '.join(sorted(options))}")


def _pop_network(options: dict[str, Any]) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for key, default in TIMEOUT_DEFAULTS.items():
        value = options.pop(key, default)
        if key == "max_retries":
            out[key] = parse_int(key, value, minimum=0, maximum=MAX_RETRIES)
        else:
            out[key] = storage.seconds(key, value)
    return out


def _iceberg(params: ConnectParams, options: dict[str, Any]) -> TableSource:
    from sqlgate.lakehouse.iceberg import IcebergCatalogSource

    kind = str(options.pop("catalog", "sql"))
    if kind not in _CATALOGS:
        raise InterfaceError(f"unknown Iceberg catalog {kind!r}; use one of {', '.join(_CATALOGS)}")
    name = str(options.pop("catalog_name", "default"))
    # catalog properties: pyiceberg's own names (s3.endpoint, warehouse, ...) pass through
    props: dict[str, Any] = {k: options.pop(k) for k in list(options) if "." in k}
    for key, value in props.items():
        lowered = key.lower()
        if any(w in lowered for w in _SECRET_WORDS) and not lowered.endswith(("key-id", "-name")):
            register_secret(str(value))
    for key in ("warehouse", "default_namespace"):
        if key in options:
            props[key] = options.pop(key)
    net = _pop_network(options)
    endpoint = options.pop("endpoint", None)
    region = options.pop("region", None)
    if endpoint:
        props.setdefault("s3.endpoint", str(endpoint))
        props.setdefault("s3.region", str(region or "us-east-1"))
    if region:
        props.setdefault("s3.region", str(region))
    props.setdefault("s3.connect-timeout", str(net["connect_timeout"]))
    props.setdefault("s3.request-timeout", str(net["timeout"]))
    if params.password:
        register_secret(params.password)
    target = kind
    if kind == "sql":
        path = "/" + (params.database or "").lstrip("/")
        if not params.database:
            raise InterfaceError(
                "iceberg SQL catalog URLs name the catalog file: iceberg:///path/to/catalog.db"
            )
        props.setdefault("warehouse", "file://" + os.path.join(os.path.dirname(path), "warehouse"))
        # read with sqlite3, not pyiceberg's SqlCatalog (which needs SQLAlchemy 2)
        from sqlgate.lakehouse.iceberg_catalog_file import CATALOG_IMPL, PATH_PROPERTY

        props.update({"py-catalog-impl": CATALOG_IMPL, PATH_PROPERTY: path})
        if params.user:
            props.setdefault("s3.access-key-id", params.user)
        if params.password:
            props.setdefault("s3.secret-access-key", params.password)
        target = path
    elif kind == "rest":
        if not params.host:
            raise InterfaceError(
                "iceberg REST catalog URLs name the server: iceberg://host:8181/?catalog=rest"
            )
        scheme = str(options.pop("scheme", "http"))
        port = f":{params.port}" if params.port else ""
        target = f"{scheme}://{params.host}{port}/{params.database or ''}".rstrip("/")
        props.update(
            {
                "py-catalog-impl": f"{__name__}.BoundedRestCatalog",
                "uri": target,
                "sqlgate.connect-timeout": str(net["connect_timeout"]),
                "sqlgate.timeout": str(net["timeout"]),
                "sqlgate.max-retries": str(net["max_retries"]),
            }
        )
        if params.password:
            props["token"] = params.password
        if params.credential_handle is not None:  # the token is asked for per request
            props[HANDLE_PROPERTY] = params.credential_handle
    else:
        props.update(_glue_properties(params, props, endpoint, region, net))
        target = str(endpoint or f"glue in {props.get('client.region', 'the default region')}")
    if options:
        raise InterfaceError(f"unknown option(s) for iceberg: {', '.join(sorted(options))}")
    if kind != "rest" and params.credential_handle is not None:
        from sqlgate.lakehouse.iceberg_io import S3_HANDLE_PROPERTY

        props[S3_HANDLE_PROPERTY] = params.credential_handle  # warehouse keys per request
    try:
        source = IcebergCatalogSource(name, **props)
    except Exception as exc:
        raise storage.store_error(exc.__cause__ or exc, target, f"Iceberg {kind} catalog") from None
    if kind in ("glue", "rest"):  # refused keys fail here, not in the first query
        from sqlgate.lakehouse.iceberg_catalog import probe_credentials

        probe_credentials(source, kind, target)
    return source


def _glue_properties(
    params: ConnectParams,
    props: dict[str, Any],
    endpoint: Any,
    region: Any,
    net: dict[str, float | int],
) -> dict[str, Any]:
    import botocore.session
    from botocore.config import Config

    out: dict[str, Any] = {"type": "glue"}
    if region:
        out["glue.region"] = str(region)
        out["client.region"] = str(region)
    if endpoint:
        out["glue.endpoint"] = str(endpoint)
    if params.user:
        out["client.access-key-id"] = params.user
    if params.password:
        out["client.secret-access-key"] = params.password
    token = params.credential_extras.get("session_token")
    if token:
        register_secret(token)
        out["client.session-token"] = token
    out["glue.max-retries"] = parse_int(
        "glue.max-retries",
        props.get("glue.max-retries", net["max_retries"]),
        minimum=0,
        maximum=MAX_RETRIES,
    )
    session = botocore.session.Session()
    session.set_default_client_config(
        Config(connect_timeout=net["connect_timeout"], read_timeout=net["timeout"])
    )
    out["botocore_session"] = session
    return out


def __getattr__(name: str) -> Any:
    """``BoundedRestCatalog`` is built on first use: pyiceberg is an optional extra."""
    if name == "BoundedRestCatalog":
        cls = _bounded_rest_catalog()
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def _bounded_rest_catalog() -> type:
    from pyiceberg.catalog.rest import RestCatalog

    from sqlgate.core.http import mount_on_requests

    class BoundedRestCatalog(RestCatalog):
        """pyiceberg's REST catalog on sqlgate's HTTP policy (:mod:`sqlgate.core.http`):
        timeouts and bounded retries on every request, and with a credential provider the
        bearer token of the moment on each request (a 401 forces one refresh)."""

        def _create_session(self):
            session = super()._create_session()
            props = self.properties
            mount_on_requests(
                session,
                connect_timeout=storage.seconds(
                    "connect_timeout", props.get("sqlgate.connect-timeout", 5)
                ),
                read_timeout=storage.seconds("timeout", props.get("sqlgate.timeout", 30)),
                retries=parse_int(
                    "max_retries",
                    props.get("sqlgate.max-retries", 3),
                    minimum=0,
                    maximum=MAX_RETRIES,
                ),
                handle=props.get(HANDLE_PROPERTY),
            )
            return session

    BoundedRestCatalog.__module__ = __name__
    return BoundedRestCatalog
