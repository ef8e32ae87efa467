"""GBase 8t (``gbase8t://``): Informix-derived like GBase 8s, SQLI protocol on gbase8sdb.

Earlier sqlgate versions put ``gbase8t`` in the MySQL family; GBase's MySQL-protocol product
is GBase 8a (``gbase8a://``)."""

from sqlgate.dbapi.informix_family import *  # noqa: F403
from sqlgate.dbapi.informix_family import InformixFlavor

flavor = InformixFlavor(source="gbase8t")
connect = flavor.connect
