"""The paper viewer: an image zooms (Ctrl+wheel, + and -), fits the window and turns by
quarter turns; a PDF is shown page by page.

Decoding happens off the GUI thread: an image becomes a QImage (thread-safe, unlike QPixmap) and
a PDF's pages are rendered by poppler's pdftoppm (QtPdf is not in PySide6-Essentials), both in
an Operation; only scaling the shown page happens here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut, QTransform
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits
from desktop.services.pdf_preview import pdf_pages_png

from ..messages import error_text
from ..operations import Operation

PDF_DPI = 110  # readable on screen; zoom past it is a scaled image
ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.1, 8.0


def decode_pages(media_type: str, data: bytes) -> list[QImage]:
    """The paper's pages as images (call it inside an operation: it may take a moment)."""
    if media_type == "application/pdf":
        blobs = pdf_pages_png(data, dpi=PDF_DPI)
        images = [QImage.fromData(png, "PNG") for png in blobs]  # type: ignore[arg-type]
    else:
        images = [QImage.fromData(QByteArray(data))]
    pages = [image for image in images if not image.isNull()]
    if not pages:
        raise DomainError("این سند قابل نمایش نیست (فایل خوانده نشد).", "the paper could not be decoded")
    return pages


class ZoomArea(QScrollArea):
    """Ctrl+wheel zooms; the wheel alone scrolls as usual."""

    zoom = Signal(int)  # +1 in, -1 out

    def wheelEvent(self, event) -> None:  # noqa: ANN001, N802 - QWheelEvent, Qt name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom.emit(1 if event.angleDelta().y() > 0 else -1)
            event.accept()
            return
        super().wheelEvent(event)


class PaperViewer(QWidget):
    """Shows one paper; `show_paper(media_type, data)` decodes it in the background."""

    shown = Signal()  # a paper's first page is on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: list[QImage] = []
        self.page = 0
        self.scale = 1.0
        self.fit = True
        self.rotation = 0  # degrees, a multiple of 90
        self._generation = 0
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area = ZoomArea()
        self.area.setWidget(self.image)
        self.area.setWidgetResizable(True)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.zoom.connect(lambda step: self.zoom_in() if step > 0 else self.zoom_out())
        self.status = QLabel("سندی انتخاب نشده است.")
        self.status.setWordWrap(True)
        self._build_tools()
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self.tools)
        box.addWidget(self.area, 1)
        box.addWidget(self.status)
        for keys, slot in (("+", self.zoom_in), ("=", self.zoom_in), ("-", self.zoom_out),
                           ("Ctrl++", self.zoom_in), ("Ctrl+-", self.zoom_out), ("Ctrl+0", self.fit_window),
                           ("PgDown", self.next_page), ("PgUp", self.previous_page)):
            shortcut = QShortcut(QKeySequence(keys), self, slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._enable(False)

    def _build_tools(self) -> None:
        self.tools = QHBoxLayout()
        self.zoom_in_button = QPushButton("بزرگ‌نمایی (+)")
        self.zoom_out_button = QPushButton("کوچک‌نمایی (−)")
        self.fit_button = QPushButton("اندازه پنجره")
        self.rotate_button = QPushButton("چرخش ۹۰°")
        self.previous_button = QPushButton("صفحه قبل")
        self.next_button = QPushButton("صفحه بعد")
        self.page_label = QLabel("")
        buttons: tuple[tuple[QPushButton, Callable[[], None]], ...] = (
            (self.zoom_in_button, self.zoom_in), (self.zoom_out_button, self.zoom_out),
            (self.fit_button, self.fit_window), (self.rotate_button, self.rotate),
            (self.previous_button, self.previous_page), (self.next_button, self.next_page))
        for button, slot in buttons:
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        for widget in (self.zoom_in_button, self.zoom_out_button, self.fit_button, self.rotate_button):
            self.tools.addWidget(widget)
        self.tools.addStretch(1)
        pager: tuple[QWidget, ...] = (self.previous_button, self.page_label, self.next_button)
        for part in pager:
            self.tools.addWidget(part)

    def _enable(self, on: bool) -> None:
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button, self.rotate_button):
            button.setEnabled(on)
        many = on and len(self.pages) > 1
        self.previous_button.setEnabled(many and self.page > 0)
        self.next_button.setEnabled(many and self.page < len(self.pages) - 1)
        self.previous_button.setVisible(len(self.pages) > 1)
        self.next_button.setVisible(len(self.pages) > 1)
        self.page_label.setText(f"صفحه {persian_digits(self.page + 1)} از {persian_digits(len(self.pages))}"
                                if len(self.pages) > 1 else "")

    # --- loading -------------------------------------------------------------------------
    def clear(self, text: str = "سندی انتخاب نشده است.") -> None:
        self._generation += 1
        self.pages = []
        self.image.clear()
        self.status.setText(text)
        self._enable(False)

    def show_paper(self, media_type: str, data: bytes, caption: str = "") -> None:
        self._generation += 1
        generation = self._generation
        self.status.setText("در حال آماده‌سازی نمایش سند…")
        (Operation(self, lambda _job: decode_pages(media_type, data))
         .on_success(lambda pages: self._decoded(generation, pages, caption))
         .on_failure(lambda exc: self._failed(generation, exc))
         .run())

    def show_pages(self, pages: list[QImage], caption: str = "") -> None:
        self.pages, self.page, self.rotation, self.fit = pages, 0, 0, True
        self.status.setText(caption)
        self._enable(True)
        self._render()
        self.shown.emit()

    def _decoded(self, generation: int, pages: list[QImage], caption: str) -> None:
        if generation == self._generation:  # the clerk did not pick another paper meanwhile
            self.show_pages(pages, caption)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.clear(error_text(exc))

    # --- looking -------------------------------------------------------------------------
    def zoom_in(self) -> None:
        self._zoom_to(self.current_scale() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_to(self.current_scale() / ZOOM_STEP)

    def _zoom_to(self, scale: float) -> None:
        if not self.pages:
            return
        self.fit, self.scale = False, min(max(scale, ZOOM_MIN), ZOOM_MAX)
        self._render()

    def fit_window(self) -> None:
        self.fit = True
        self._render()

    def rotate(self) -> None:
        self.rotation = (self.rotation + 90) % 360
        self._render()

    def next_page(self) -> None:
        if self.page < len(self.pages) - 1:
            self.page += 1
            self._enable(True)
            self._render()

    def previous_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._enable(True)
            self._render()

    def rotated(self) -> QImage:
        image = self.pages[self.page]
        return image.transformed(QTransform().rotate(self.rotation)) if self.rotation else image

    def current_scale(self) -> float:
        if not self.pages:
            return 1.0
        if not self.fit:
            return self.scale
        image = self.rotated()
        room = self.area.viewport().size()
        return max(min((room.width() - 8) / max(image.width(), 1), (room.height() - 8) / max(image.height(), 1),
                       ZOOM_MAX), ZOOM_MIN)

    def _render(self) -> None:
        if not self.pages:
            return
        image = self.rotated()
        scale = self.current_scale()
        size = image.size() * scale
        self.image.setPixmap(QPixmap.fromImage(image).scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        self.zoom_label_text = f"{persian_digits(round(scale * 100))}٪"
        self.fit_button.setToolTip(f"اندازه کنونی: {self.zoom_label_text}")

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 - QResizeEvent, Qt name
        super().resizeEvent(event)
        if self.fit and self.pages:
            self._render()
