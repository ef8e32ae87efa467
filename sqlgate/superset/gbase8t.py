"""Superset engine spec for GBase 8t through sqlgate (Informix family, as GBase 8s)."""

from __future__ import annotations

from sqlgate.superset.gbase8s import InformixFamilyEngineSpec


class GBase8tEngineSpec(InformixFamilyEngineSpec):
    engine = "gbase8t"
    engine_name = "GBase 8t (sqlgate)"
    sqlalchemy_uri_placeholder = "gbase8t://{user}@{host}:9088/{database}?server={server_name}"
