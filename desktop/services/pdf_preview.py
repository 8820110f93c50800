"""Pages of a PDF as PNG images for an in-app preview (QtPdf is not in PySide6-Essentials).

poppler's `pdftoppm` runs in a subprocess on a temporary copy; the caller gets PNG bytes per
page and never a file path to clean up.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from desktop.domain.errors import DomainError

TIMEOUT_S = 60


def available() -> bool:
    return shutil.which("pdftoppm") is not None


def pdf_pages_png(pdf: bytes, *, dpi: int = 90) -> list[bytes]:
    if not available():
        raise DomainError("برنامه pdftoppm (poppler-utils) نصب نیست؛ پیش‌نمایش ممکن نیست.",
                          "pdftoppm (poppler-utils) is not installed; no preview")
    with tempfile.TemporaryDirectory(prefix="bd-preview-") as tmp:
        src = Path(tmp) / "letter.pdf"
        src.write_bytes(pdf)
        try:
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(src), str(Path(tmp) / "page")],
                           check=True, capture_output=True, timeout=TIMEOUT_S)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise DomainError("ساختن پیش‌نمایش نامه ممکن نشد.", f"pdftoppm failed: {exc}") from None
        # pdftoppm numbers pages page-1.png … page-10.png (zero-padded by page count).
        pages = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [p.read_bytes() for p in pages]
