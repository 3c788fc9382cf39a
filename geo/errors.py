"""Errors that carry a file, a row and a reason, printed as one line."""

from __future__ import annotations

from pathlib import Path


class SourceError(Exception):
    """A source file cannot be loaded at all (the build must stop).

    Parameters
    ----------
    file : Path or str
        The offending file.
    reason : str
        What is wrong, in words a data manager understands.
    row : int, optional
        Spreadsheet-style row number (the header is row 1), when one row is at fault.
    column : str, optional
        The column at fault.
    """

    def __init__(
        self, file: Path | str, reason: str, *, row: int | None = None, column: str | None = None
    ):
        self.file = str(file)
        self.reason = reason
        self.row = row
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as one line: ``file[, row N][, column 'c']: reason``."""
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.reason}"
