"""PEP 249 modules, one per source (``sqlgate.dbapi.<source>``), one base per family."""
