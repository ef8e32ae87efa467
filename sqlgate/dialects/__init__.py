"""SQLAlchemy dialects, one per source (``sqlgate.dialects.<source>``), one base per family.

They are registered through the ``sqlalchemy.dialects`` entry points in pyproject.toml, so
``create_engine("tidb://…")`` works once sqlgate is installed.
"""
