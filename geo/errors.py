"""Errors that carry a file, a row and a reason, printed as one line."""

from __future__ import annotations

import errno
from pathlib import Path

# How a full disk reads in an OSError or in a DuckDB error's text.
_DISK_FULL_TEXTS = ("no space left on device", "disk quota exceeded", "disk is full")


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk (or the user's quota) is full.

    DuckDB raises its own exception types (IOException, TransactionException on a
    failed commit) with the system's message in the text, so the text is checked too.
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    return any(t in text for t in _DISK_FULL_TEXTS)


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
