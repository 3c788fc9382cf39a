"""State shared by the loaders during one build: the connection being filled, the
issues found, the provenance rows, and lookups one loader leaves for another."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import duckdb
import pandas as pd

from geo.catalog import DATASETS
from geo.schema import BY_NAME


def sha256_of(path: Path) -> str:
    """SHA-256 hex digest of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class LoadContext:
    """One build's working state.

    Attributes
    ----------
    sources : Path
        The sources folder (reference layout).
    con : duckdb.DuckDBPyConnection
        Connection to the new database file.
    out : TextIO
        Where the report goes.
    """

    sources: Path
    con: duckdb.DuckDBPyConnection
    out: TextIO
    issues: list[dict] = field(default_factory=list)
    provenance: list[dict] = field(default_factory=list)
    country_iso: dict[str, str] = field(default_factory=dict)
    numeric_iso: dict[int, str] = field(default_factory=dict)
    _rel: dict[Path, str] = field(default_factory=dict, repr=False)

    def rel(self, path: Path) -> str:
        """Path as shown to users: relative to the sources folder, or to the repo."""
        # Called once per row by some loaders: resolving a path is a system call each.
        known = self._rel.get(path)
        if known is not None:
            return known
        from geo import REPO_ROOT

        shown = str(path)
        for base in (self.sources, REPO_ROOT):
            try:
                shown = str(path.resolve().relative_to(base.resolve()))
                break
            except ValueError:
                continue
        self._rel[path] = shown
        return shown

    def issue(
        self,
        dataset: str,
        path: Path,
        row: int | None,
        column: str | None,
        value: object,
        action: str,
        reason: str,
    ) -> None:
        """Record a rejected, repaired or skipped row."""
        text = "" if value is None else " ".join(str(value).split())
        self.issues.append(
            {
                "dataset": dataset,
                "file": self.rel(path),
                "row": row,
                "field": column,
                "value": text[:200],
                "action": action,
                "reason": reason,
            }
        )

    def rejected(self, dataset: str, path: Path) -> int:
        """Number of rows of this file rejected so far."""
        rel = self.rel(path)
        return sum(
            1
            for i in self.issues
            if i["dataset"] == dataset and i["file"] == rel and i["action"] == "rejected"
        )

    def record_source(
        self, dataset: str, path: Path, tables: list[str], loaded: int, rejected: int | None = None
    ) -> None:
        """Add a provenance row for a file that was loaded."""
        meta = DATASETS[dataset]
        self.provenance.append(
            {
                "dataset": dataset,
                "title": meta.title,
                "publisher": meta.publisher,
                "file": self.rel(path),
                "sha256": sha256_of(path),
                "bytes": path.stat().st_size,
                "vintage": meta.vintage,
                "licence": meta.licence,
                "citation": meta.citation,
                "url": meta.url,
                "tables": ", ".join(tables),
                "rows_loaded": loaded,
                "rows_rejected": self.rejected(dataset, path) if rejected is None else rejected,
                "caveat": meta.caveat,
            }
        )

    def insert(self, table: str, df: pd.DataFrame) -> int:
        """Insert a DataFrame into a table by column name; returns the row count."""
        if df.empty:
            return 0
        wanted = [c for c, _, _ in BY_NAME[table].columns]
        frame = df[[c for c in wanted if c in df.columns]]
        self.con.register("_frame", frame)
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")  # noqa: S608 - table names come from geo.schema
        finally:
            self.con.unregister("_frame")
        return len(frame)

    def say(self, line: str) -> None:
        """Write one report line."""
        print(line, file=self.out, flush=True)
