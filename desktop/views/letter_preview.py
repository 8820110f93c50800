"""A letter's pages in the window, with print (system dialog) and save-as-PDF.

QtPdf is not part of PySide6-Essentials, so pages come from poppler's pdftoppm as images
(desktop.services.pdf_preview). Printing and saving go through views/printing.py (Qt's print dialog in Persian, page images
rendered at the printer's resolution; no printer: say so and offer to save the PDF).
Rendering pages, writing files and rasterising for the printer are background operations; a
screen that already renders its letter in its own operation passes the pages along
(`show_letter`), so the preview shows without a second trip.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.services.pdf_preview import pdf_pages_png

from .messages import error_text
from .operations import Operation
from .printing import PdfPrinting

PREVIEW_DPI = 80
MAX_ZOOM = 1.6  # past this the 80-dpi page image only gets blurrier


class PageImage(QLabel):
    """One page, scaled to the width it is given: the whole page is always seen (never cropped
    on its left, where the QR code is), and reads as large as the column allows."""

    def __init__(self, png: bytes) -> None:
        super().__init__()
        self.original = QPixmap()
        self.original.loadFromData(png, "PNG")
        self.setStyleSheet("background: white; border: 1px solid #9aa5ad;")

    def fit(self, width: int) -> None:
        width = max(50, min(width, int(self.original.width() * MAX_ZOOM)))
        page = self.original.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.setPixmap(page)
        self.setFixedSize(page.size())  # a squeezed label would crop the page, not scroll


def preview_pages(pdf: bytes | None) -> list[bytes]:
    """The letter's pages as PNG images for the preview (call it inside an operation)."""
    return pdf_pages_png(pdf, dpi=PREVIEW_DPI) if pdf is not None else []


class LetterPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pdf: bytes | None = None
        self.suggested_name = "letter.pdf"
        self.pages: list[PageImage] = []
        self.print_button = QPushButton("چاپ… (Ctrl+P)")
        self.print_button.setShortcut("Ctrl+P")
        self.save_button = QPushButton("ذخیره PDF… (Ctrl+S)")
        self.save_button.setShortcut("Ctrl+S")
        self.print_button.clicked.connect(self.print_with_dialog)
        self.save_button.clicked.connect(self.save_with_dialog)
        self.message = QLabel("")
        self.message.setObjectName("formInfo")
        self.message.setWordWrap(True)
        self.printing = PdfPrinting(self, self.message.setText)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        self.page_box = QWidget()
        self.page_layout = QVBoxLayout(self.page_box)
        self.page_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pages_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.page_box)
        scroll.setStyleSheet("QScrollArea { background: #d9dee2; }")
        # Pages fit the column's width (they scroll only downwards).
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        scroll.viewport().installEventFilter(self)
        self.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(scroll, 1)
        self.set_pdf(None)

    def set_pdf(self, pdf: bytes | None, suggested_name: str = "letter.pdf") -> None:
        """Show a letter whose pages are still to be rendered (in the background)."""
        self.show_letter(None, [])
        if pdf is None:
            return
        (Operation(self, lambda _job: preview_pages(pdf))
         .on_success(lambda pages: self.show_letter(pdf, pages, suggested_name))
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .run())

    def show_letter(self, pdf: bytes | None, pages: list[bytes], suggested_name: str = "letter.pdf") -> None:
        """Show a letter and its already rendered pages; None clears the preview."""
        self.pdf, self.suggested_name = pdf, suggested_name
        for label in self.pages:
            # Off the layout now: deleteLater alone would leave the old pages until the loop spins.
            self.page_layout.removeWidget(label)
            label.hide()
            label.deleteLater()
        self.pages = []
        self.message.setText("")
        self.print_button.setEnabled(pdf is not None)
        self.save_button.setEnabled(pdf is not None)
        for png in pages:
            label = PageImage(png)
            self.pages.append(label)
            self.page_layout.addWidget(label)
        self.fit_pages()

    def page_width(self) -> int:
        """The width a page may take: the scroll area's viewport less the layout's margins."""
        margins = self.page_layout.contentsMargins()
        return self.pages_area.viewport().width() - margins.left() - margins.right()

    def fit_pages(self) -> None:
        width = self.page_width()
        for label in self.pages:
            label.fit(width)

    def eventFilter(self, obj, event) -> bool:  # noqa: ANN001, N802 - Qt's names and types
        if obj is self.pages_area.viewport() and event.type() == QEvent.Type.Resize:
            self.fit_pages()
        return super().eventFilter(obj, event)

    def save_to(self, path: str | Path) -> None:
        if self.pdf is not None:
            self.printing.save_to(self.pdf, path)

    def save_with_dialog(self) -> None:
        if self.pdf is not None:
            self.printing.save_with_dialog(self.pdf, self.suggested_name)

    def print_to(self, printer: QPrinter) -> None:
        """Rasterise the pages at print resolution in the background, then paint them."""
        if self.pdf is not None:
            self.printing.print_to(printer, self.pdf)

    def print_with_dialog(self) -> None:
        """Qt's print dialog (Persian); with no printer, say so and offer to save the PDF."""
        if self.pdf is not None:
            self.printing.print_pdf(self.pdf, title="چاپ نامه", suggested_name=self.suggested_name)


def beside_preview(owner: QWidget, form: QWidget) -> LetterPreview:
    """The letter screens' shape: the form on one side, its letter's preview on the other."""
    preview = LetterPreview()
    splitter = QSplitter()
    splitter.addWidget(form)
    splitter.addWidget(preview)
    splitter.setSizes([520, 640])
    QVBoxLayout(owner).addWidget(splitter)
    return preview
