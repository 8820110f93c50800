"""Small PNG previews of papers, made without Qt (Pillow; a PDF's first page through PDFium) and
kept by content hash beside the store, so a dossier of fifty papers lists without decoding one
scan. A preview is derived data: deleting the folder costs only the time to make them again."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from desktop.db.paper_files import archive_dir_for, write_atomically
from desktop.domain.archive import is_sha256
from desktop.domain.errors import InvalidValue
from desktop.domain.roles import require

from ..actor import Actor
from ..store import Store
from .content import PaperDamaged, content_of

THUMB_SIDE = 160  # pixels, the longer side


def thumb_path(store: Store, sha256: str, side: int = THUMB_SIDE) -> Path:
    return archive_dir_for(store.path) / "thumbs" / sha256[:2] / f"{sha256}-{side}.png"


def _pdf_first_page(data: bytes, side: int) -> Image.Image | None:
    try:
        import pypdfium2 as pdfium  # optional: without it a PDF simply has no preview
    except ImportError:
        return None
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            width, height = page.get_size()
            image: Image.Image = page.render(scale=side / max(width, height, 1)).to_pil()
            page.close()
            return image
        finally:
            pdf.close()
    except pdfium.PdfiumError:
        return None


def make_thumbnail(data: bytes, media_type: str, side: int = THUMB_SIDE) -> bytes | None:
    """PNG bytes of a preview at most `side` pixels on its longer side; None when unreadable."""
    try:
        if media_type == "application/pdf":
            image = _pdf_first_page(data, side)
            if image is None:
                return None
        else:
            image = Image.open(io.BytesIO(data))
            image.draft("RGB", (side, side))  # JPEG: decode at 1/2..1/8 scale, most of the saving
        image = image.convert("RGB")
        image.thumbnail((side, side))
        out = io.BytesIO()
        image.save(out, "PNG", optimize=False)
        return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def thumbnail(store: Store, actor: Actor, sha256: str, media_type: str, side: int = THUMB_SIDE) -> bytes | None:
    """The preview of the paper with these bytes (made once, then read from the cache)."""
    require(actor.role, "person.read")
    if not is_sha256(sha256):
        raise InvalidValue("چکیده مدرک نادرست است.", f"not a SHA-256: {sha256!r}", field="sha256")
    path = thumb_path(store, sha256, side)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    with store.sessions() as s:
        try:
            data = content_of(store).read(s, sha256)
        except PaperDamaged:
            return None
    made = make_thumbnail(data, media_type, side)
    if made is not None:
        with contextlib.suppress(OSError):  # a read-only store folder: previews show, uncached
            write_atomically(path, made, durable=False)  # a lost preview is made again
    return made


def clear_thumbnails(store: Store) -> None:
    folder = archive_dir_for(store.path) / "thumbs"
    for root, _dirs, files in os.walk(folder):
        for name in files:
            Path(root, name).unlink(missing_ok=True)
