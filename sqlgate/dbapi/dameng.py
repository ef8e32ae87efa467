"""DaMeng DM8 (``dameng://user@host:5236/SCHEMA``) on dmPython, read-only by default."""

from sqlgate.core.pep249 import *  # noqa: F403 - a DB-API module re-exports the PEP 249 names
from sqlgate.core.pep249 import __all__ as _pep249_all
from sqlgate.dbapi.dameng_session import DamengFlavor

paramstyle = "qmark"  # dmPython binds ? placeholders on the server
__all__ = [*_pep249_all, "connect", "paramstyle"]

flavor = DamengFlavor(source="dameng")
connect = flavor.connect
