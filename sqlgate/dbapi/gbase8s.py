"""GBase 8s (``gbase8s://``): Informix-derived, SQLI protocol on gbase8sdb."""

from sqlgate.dbapi.informix_family import *  # noqa: F403
from sqlgate.dbapi.informix_family import InformixFlavor

flavor = InformixFlavor(source="gbase8s")
connect = flavor.connect
