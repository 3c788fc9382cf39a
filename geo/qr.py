"""QR codes of slide links (``segno``), for the briefing's PDF and HTML deck."""

from __future__ import annotations

import segno


def qr_modules(text: str) -> list[list[bool]]:
    """The QR code of ``text`` as rows of dark (True) and light modules, with no quiet
    zone: the PDF draws each dark module as a vector square."""
    code = segno.make(text, error="m", micro=False)
    return [[bool(v) for v in row] for row in code.matrix]


def qr_svg(text: str, size_px: int = 120) -> str:
    """The QR code of ``text`` as an inline ``<svg>`` element (no XML declaration), with
    its quiet zone, scaled to about ``size_px`` pixels."""
    code = segno.make(text, error="m", micro=False)
    scale = max(1, size_px // (code.symbol_size()[0]))
    return code.svg_inline(scale=scale, dark="#000", light="#fff")
