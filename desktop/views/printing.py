"""Printing a PDF (a letter, a registration slip) through Qt's print dialog, in Persian.

QtPdf is not in PySide6-Essentials, so a PDF reaches the printer as page images: poppler's
pdftoppm renders each page at print resolution and the images are decoded off the GUI thread
(desktop.services.pdf_preview); only painting them onto the QPrinter happens on the GUI thread.
The print dialog speaks Persian through Qt's own translations (qtbase_fa, dialogs.py). When the
machine has no printer the clerk is told so in Persian and offered to save the PDF instead
(Qt's file dialog in Persian; the saved path shown as one left-to-right run).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.domain.text import persian_digits
from desktop.services.pdf_preview import pdf_pages_png

from .dialogs import save_file_name
from .messages import error_text
from .operations import Operation
from .rtl import ltr_run

PRINT_DPI = 200
NO_PRINTER = "هیچ چاپگری روی این رایانه تعریف نشده است؛ می‌توانید PDF را ذخیره و بعدا چاپ کنید."
PREPARING = "در حال آماده‌سازی برای چاپ…"
SENT = "به چاپگر فرستاده شد ({pages} صفحه)."
CANCELLED = "چاپ انجام نشد (انصراف)."


def saved_text(path: str | Path) -> str:
    """«ذخیره شد: /home/…/slip.pdf» — the path one left-to-right run inside the Persian."""
    return f"ذخیره شد: {ltr_run(path)}"


def page_images(pdf: bytes, dpi: int = PRINT_DPI) -> list[QImage]:
    """The PDF's pages as images at print resolution (call it inside an operation)."""
    # arg-type: the stub wants the format as bytes; PySide takes the str "PNG".
    images = [QImage.fromData(png, "PNG") for png in pdf_pages_png(pdf, dpi=dpi)]  # type: ignore[arg-type]
    return [image for image in images if not image.isNull()]


def paint_pages(printer: QPrinter, images: list[QImage]) -> int:
    """Each image on its own sheet, scaled to the printable area, keeping its proportions."""
    painter = QPainter(printer)
    try:
        for i, image in enumerate(images):
            if i:
                printer.newPage()
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(area.x(), area.y(), size.width(), size.height()), image)
    finally:
        painter.end()
    return len(images)


class PdfPrinting:
    """Print or save one PDF for a screen: `say` shows the outcome on the screen's message line.

    The methods marked "seam" are what a test replaces (no real printer or modal dialog there)."""

    def __init__(self, owner: QWidget, say: Callable[[str], None]) -> None:
        self.owner, self.say = owner, say
        self.busy = False

    # --- seams ----------------------------------------------------------------------------
    def printer_names(self) -> list[str]:
        """Seam: the printers this machine knows."""
        return list(QPrinterInfo.availablePrinterNames())

    def choose_printer(self, title: str) -> QPrinter | None:
        """Seam: Qt's print dialog (Persian); None when the clerk cancels."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self.owner)
        dialog.setWindowTitle(title)
        return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None

    def offer_save(self) -> bool:
        """Seam: no printer — save the PDF instead? (saving is the default answer)"""
        box = QMessageBox(QMessageBox.Icon.Information, "چاپگر پیدا نشد", NO_PRINTER,
                          QMessageBox.StandardButton.NoButton, self.owner)
        save = box.addButton("ذخیره PDF…", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton("انصراف", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is save

    def choose_save_path(self, suggested_name: str) -> str:
        """Seam: Qt's save dialog in Persian; "" when cancelled."""
        return save_file_name(self.owner, "ذخیره PDF", suggested_name, "PDF (*.pdf)")

    # --- the flow ---------------------------------------------------------------------------
    def print_pdf(self, pdf: bytes, *, title: str, suggested_name: str) -> None:
        """The print dialog, then the pages to the chosen printer; with no printer, say so and
        offer to save the PDF."""
        if self.busy:
            return
        if not self.printer_names():
            self.say(NO_PRINTER)
            if self.offer_save():
                self.save_with_dialog(pdf, suggested_name)
            return
        printer = self.choose_printer(title)
        if printer is None:
            self.say(CANCELLED)
            return
        self.print_to(printer, pdf)

    def print_to(self, printer: QPrinter, pdf: bytes) -> None:
        """Render the pages in the background, then paint them onto `printer`."""
        self.busy = True
        self.say(PREPARING)
        (Operation(self.owner, lambda _job: page_images(pdf))
         .on_success(lambda images: self.say(SENT.format(pages=persian_digits(paint_pages(printer, images)))))
         .on_failure(lambda exc: self.say(error_text(exc)))
         .on_finished(self._done)
         .run())

    def save_with_dialog(self, pdf: bytes, suggested_name: str) -> None:
        path = self.choose_save_path(suggested_name)
        if path:
            self.save_to(pdf, path)

    def save_to(self, pdf: bytes, path: str | Path) -> None:
        self.busy = True
        (Operation(self.owner, lambda _job: Path(path).write_bytes(pdf))
         .on_success(lambda _n: self.say(saved_text(path)))
         .on_failure(lambda exc: self.say(
             f"ذخیره ممکن نشد: {getattr(exc, 'strerror', None) or error_text(exc)}"))
         .on_finished(self._done)
         .run())

    def _done(self) -> None:
        self.busy = False
