"""Real scan files for archive tests: images made by Pillow, PDFs by ReportLab (no fakes)."""

from __future__ import annotations

import io

from PIL import Image
from reportlab.pdfgen.canvas import Canvas


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (600, 840), shade: int = 200, frames: int = 1) -> bytes:
    """A page-like image; `shade` varies the bytes (the same arguments give the same bytes)."""
    pictures = []
    for n in range(frames):
        picture = Image.new("RGB", size, (shade, 255 - shade, (shade * 7 + n * 40) % 256))
        for y in range(40, size[1] - 40, 30):  # lines of "text"
            picture.paste((20, 20, 20), (40, y, size[0] - 40 - (y * 13 % 200), y + 8))
        pictures.append(picture)
    out = io.BytesIO()
    if frames > 1:
        pictures[0].save(out, fmt, save_all=True, append_images=pictures[1:])
    else:
        pictures[0].save(out, fmt)
    return out.getvalue()


def pdf_bytes(pages: int = 2, label: str = "scan") -> bytes:
    out = io.BytesIO()
    c = Canvas(out)
    for n in range(pages):
        c.drawString(72, 720, f"{label} page {n + 1}")
        c.rect(60, 60, 470, 640)
        c.showPage()
    c.save()
    return out.getvalue()
