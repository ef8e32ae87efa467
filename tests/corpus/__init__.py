"""SQL corpora for the read-only gate, loadable by unit and live-server tests alike.

File format (``tests/corpus/<name>.sql``): records separated by a line that is exactly
``-- @@``, so a statement may span lines and contain ``;`` and comments. A record may start
with metadata lines:

* ``-- kind: <why>``: what the record tests (becomes :attr:`CorpusCase.why`);
* ``-- escaped: yes``: the SQL is written with Python escapes (``\\r``, ``\\u00a0``) for
  characters an editor or git would mangle, and is decoded with ``unicode_escape``.

A record with no ``-- kind:`` line that holds only comments is a note and is skipped.
Surrounding blank lines of a record are dropped; nothing else is changed.

``readonly_*`` files hold statements that would damage ``accounts`` (PostgreSQL:
``public.accounts`` plus the sequence ``acct_seq``) or lift read-only mode, and must be
refused; ``allowed_*`` files hold legitimate reads that must be admitted.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import NamedTuple

CORPUS_DIR = Path(__file__).resolve().parent
SEPARATOR = "-- @@"


class CorpusCase(NamedTuple):
    """One statement: ``id`` is ``<corpus>:<index>`` (1-based, stable for a file version)."""

    id: str
    sql: str
    why: str


def _parse_record(lines: list[str]) -> tuple[str, str] | None:
    why, escaped = "", False
    while lines and lines[0].strip() == "":
        lines = lines[1:]
    while lines and lines[0].startswith(("-- kind:", "-- escaped:")):
        key, _, value = lines[0][3:].partition(":")
        if key == "kind":
            why = value.strip()
        else:
            escaped = value.strip().lower() in ("yes", "true", "on")
        lines = lines[1:]
    sql = "\n".join(lines).strip("\n")
    if not why and all(line.startswith("--") or not line.strip() for line in lines):
        return None  # a note, not a case
    if escaped:
        sql = codecs.decode(sql, "unicode_escape")
    return sql, why


def load_corpus(name: str) -> list[CorpusCase]:
    """Load ``tests/corpus/<name>.sql`` as a list of cases, in file order."""
    text = (CORPUS_DIR / f"{name}.sql").read_text(encoding="utf-8")
    records: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.rstrip("\r") == SEPARATOR:
            records.append([])
        else:
            records[-1].append(line)
    cases: list[CorpusCase] = []
    for lines in records:
        parsed = _parse_record(lines)
        if parsed is not None:
            sql, why = parsed
            cases.append(CorpusCase(f"{name}:{len(cases) + 1:03d}", sql, why))
    return cases


def corpus_names() -> list[str]:
    """Every corpus in this directory (file stems)."""
    return sorted(p.stem for p in CORPUS_DIR.glob("*.sql"))


__all__ = ["CORPUS_DIR", "SEPARATOR", "CorpusCase", "corpus_names", "load_corpus"]
