"""The QR code on a letter: tracking code + digest (desktop.domain.letters.qr_payload).

segno computes the module matrix once per letter (cached, so a preview and its print share it);
the page gets it as one filled path of horizontal runs in module units, written as literal PDF
operators: the code stays vector and small, and costs no per-rectangle float formatting.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import segno

if TYPE_CHECKING:  # annotation only: ReportLab ships no types
    from reportlab.pdfgen.canvas import Canvas

__all__ = ["qr_matrix", "draw_qr"]


@lru_cache(maxsize=256)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """Dark modules row by row, without the quiet zone (error correction M).

    The mask is fixed: every mask pattern is valid for readers, and scoring all eight is
    most of segno's time.
    """
    code = segno.make(payload, error="m", micro=False, boost_error=False, mask=0)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)


def _runs(row: tuple[bool, ...]) -> Iterator[tuple[int, int]]:
    start = None
    for x, dark in enumerate((*row, False)):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None


def draw_qr(canvas: Canvas, payload: str, *, x: float, y: float, size: float) -> None:
    """Draw the code with its bottom-left corner at (x, y), `size` points square."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    ops: list[str] = []
    for r, row in enumerate(matrix):
        bottom = n - 1 - r  # module rows counted from the bottom edge
        ops.extend(f"{start} {bottom} {length} 1 re" for start, length in _runs(row))
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(size / n, 0, 0, size / n, x, y)  # one unit = one module
    canvas.addLiteral(" ".join(ops) + " f")
    canvas.restoreState()

