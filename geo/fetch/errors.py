"""How one item, or the whole run, can fail."""

from __future__ import annotations


class Unreachable(Exception):
    """The first request of the run got no answer: no network, or no route to it."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


class ItemError(Exception):
    """One item could not be fetched; ``not_found`` when the publisher said 404."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found
