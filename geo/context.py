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
from geo.errors import SourceError
from geo.schema import BY_NAME

# The integer types of geo.schema and the values each holds.
INTEGER_RANGES = {
    "SMALLINT": (-(2**15), 2**15 - 1),
    "INTEGER": (-(2**31), 2**31 - 1),
    "BIGINT": (-(2**63), 2**63 - 1),
}


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

    def insert(self, table: str, df: pd.DataFrame, *, path: Path | None = None) -> int:
        """Insert a DataFrame into a table by column name; returns the row count.

        Parameters
        ----------
        table : str
            A table of :data:`geo.schema.TABLES`.
        df : DataFrame
            Rows; columns not in the table are ignored (``source_file``, ``source_row``
            or ``_row`` still locate a row that cannot be stored).
        path : Path, optional
            The source file of rows that carry no ``source_file``.

        Raises
        ------
        SourceError
            A value the column cannot hold (a number beyond its integer type), naming
            the row's file, row and column, found before DuckDB refuses the frame.
        """
        if df.empty:
            return 0
        wanted = [c for c, _, _ in BY_NAME[table].columns]
        frame = df[[c for c in wanted if c in df.columns]]
        self._check_ranges(table, df, path)
        self.con.register("_frame", frame)
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _frame")  # noqa: S608 - table names come from geo.schema
        finally:
            self.con.unregister("_frame")
        return len(frame)

    def _check_ranges(self, table: str, df: pd.DataFrame, path: Path | None) -> None:
        """Fail on the first integer beyond its column's type, naming file, row and column.

        DuckDB would refuse the whole frame with only the column's name; the loaders'
        own bounds cover the figures they know, this covers every other integer column
        (a city code, a year) whatever file it came from.
        """
        for column, sql_type, _ in BY_NAME[table].columns:
            limits = INTEGER_RANGES.get(sql_type.split()[0])
            if limits is None or column not in df.columns:
                continue
            values = pd.to_numeric(df[column], errors="coerce")
            bad = (values < limits[0]) | (values > limits[1])
            if not bad.any():
                continue
            i = bad.to_numpy().nonzero()[0][0]
            row = next((df[c].iloc[i] for c in ("source_row", "_row") if c in df.columns), None)
            file = df["source_file"].iloc[i] if "source_file" in df.columns else None
            where = self.sources / str(file) if file else (path or self.sources)
            raise SourceError(
                where,
                f"{df[column].iloc[i]} is out of range for {table}.{column} "
                f"({sql_type.split()[0]}, {limits[0]:,} to {limits[1]:,}): a damaged cell?",
                row=None if row is None or pd.isna(row) else int(row),
            )

    def say(self, line: str) -> None:
        """Write one report line."""
        print(line, file=self.out, flush=True)
