"""The QR code on a letter: tracking code + digest (desktop.domain.letters.qr_payload).

segno computes the module matrix once per letter; ReportLab draws it as one filled path of
horizontal runs, so the page stays vector and small.
"""

from __future__ import annotations

from typing import Any

import segno

from desktop.domain.letters import letter_digest, parse_qr_payload, qr_payload

__all__ = ["qr_matrix", "draw_qr", "qr_payload", "letter_digest", "parse_qr_payload"]


def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """Dark modules row by row, without the quiet zone (error correction M)."""
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    return tuple(tuple(bool(v) for v in row) for row in code.matrix)


def _runs(row: tuple[bool, ...]):
    start = None
    for x, dark in enumerate((*row, False)):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None


def draw_qr(canvas, payload: str, *, x: float, y: float, size: float) -> None:
    """Draw the code with its bottom-left corner at (x, y), `size` points square."""
    matrix = qr_matrix(payload)
    n = len(matrix)
    module = size / n
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (r + 1) * module
        for start, length in _runs(row):
            path.rect(x + start * module, top, length * module, module)
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def answer_payload(answer: dict[str, Any]) -> str:
    return qr_payload(answer)
