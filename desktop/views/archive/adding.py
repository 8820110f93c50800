"""Adding papers to a person's dossier: several files at once (a file dialog, or dropped on the
dossier) or a page from the scanner, each with its kind from the vocabulary and the chapter and
section the archive will file it under.

Each file is added by the archive service on its own (its own transaction): an accepted file is
stored and leaves the list, a refused one stays with the service's Persian reason beside it and
nothing of it is stored. A paper of a kind the person already holds becomes its next version.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits
from desktop.domain.vocabulary import PAPER_KINDS

from ..context import ViewContext
from ..dialogs import file_dialog
from ..messages import error_text
from ..operations import Operation
from ..rtl import ltr_run
from .scanner import Scan, find_scanners, scan_page
from .source import add_one, place_title

FILE_FILTER = "اسناد (*.pdf *.png *.jpg *.jpeg *.tif *.tiff);;همه فایل‌ها (*)"
# A file's name often says what it is; the clerk can always change the guess.
_NAME_HINTS = (("photo", "photo"), ("عکس", "photo"), ("quest", "questionnaire"), ("پرسشنامه", "questionnaire"),
               ("marri", "marriage_certificate"), ("عقد", "marriage_certificate"),
               ("univ", "university_enrolment"), ("residence", "residence_permit"), ("work", "work_permit"),
               ("correction", "correction_form"))


def guess_kind(name: str, fallback: str) -> str:
    lowered = name.lower()
    return next((kind for hint, kind in _NAME_HINTS if hint in lowered), fallback)


def choose_files(parent: QWidget | None) -> list[str]:
    """Qt's own file dialog in Persian, several files at once; [] when cancelled."""
    dialog = file_dialog(parent, "افزودن سند از فایل", "", FILE_FILTER, save=False)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return dialog.selectedFiles() if dialog.exec() == QFileDialog.DialogCode.Accepted else []


@dataclass(frozen=True)
class Candidate:
    """One paper waiting to be added: a file on disk, or a page scanned into memory."""

    name: str
    path: Path | None = None
    scan: Scan | None = None


@dataclass(frozen=True)
class Outcome:
    candidate: Candidate
    identifier: str = ""
    version: int = 0
    refusal: str = ""  # the service's Persian reason; "" when stored


class AddPapersDialog(QDialog):
    """The files (or scans) to add, each with its kind; «افزودن به آرشیو» adds them."""

    COLUMNS = ("فایل", "نوع سند", "فصل / بخش", "نتیجه")

    def __init__(self, ctx: ViewContext, person_id: uuid.UUID, person_label: str,
                 done: Callable[[list[Outcome]], None], *, default_kind: str = "questionnaire",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.person_id, self.on_added, self.default_kind = ctx, person_id, done, default_kind
        self.candidates: list[Candidate] = []
        self.adding = False
        self.setWindowTitle("افزودن سند به آرشیو")
        self.resize(860, 420)
        self.setAcceptDrops(True)
        heading = QLabel(f"افزودن سند برای: {person_label}")
        heading.setObjectName("title")
        hint = QLabel("PDF، JPEG، PNG یا TIFF تا ۲۰ مگابایت. فایل‌ها را می‌توانید روی همین پنجره رها کنید. "
                      "سندی از نوعی که پیش‌تر بایگانی شده نسخه تازه آن می‌شود و نسخه قبلی می‌ماند.")
        hint.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.files_button = QPushButton("افزودن فایل…")
        self.scan_button = QPushButton("اسکن از اسکنر")
        self.remove_button = QPushButton("حذف از فهرست")
        self.add_button = QPushButton("افزودن به آرشیو")
        self.add_button.setObjectName("primary")
        close = QPushButton("بستن")
        for button, slot in ((self.files_button, self.browse), (self.scan_button, self.scan),
                             (self.remove_button, self.remove_selected), (self.add_button, self.add_all),
                             (close, self.reject)):
            button.setAutoDefault(False)
            button.clicked.connect(slot)
        row = QHBoxLayout()
        for button in (self.files_button, self.scan_button, self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.add_button)
        row.addWidget(close)
        box = QVBoxLayout(self)
        for widget in (heading, hint, self.table, self.message):
            box.addWidget(widget)
        box.addLayout(row)
        self._refresh_buttons()

    # --- the list ------------------------------------------------------------------------
    def add_paths(self, paths: Sequence[str | Path]) -> None:
        for path in paths:
            path = Path(path)
            self._append(Candidate(path.name, path=path))

    def add_scan(self, scan: Scan) -> None:
        self._append(Candidate(scan.filename, scan=scan))

    def _append(self, candidate: Candidate) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.candidates.append(candidate)
        name = QTableWidgetItem(ltr_run(candidate.name))
        name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
        name.setToolTip(str(candidate.path or candidate.name))
        self.table.setItem(row, 0, name)
        kinds = QComboBox()
        for code, title in PAPER_KINDS.items():
            kinds.addItem(title, code)
        kinds.setCurrentIndex(max(kinds.findData(guess_kind(candidate.name, self.default_kind)), 0))
        self.table.setCellWidget(row, 1, kinds)
        self.table.setItem(row, 2, QTableWidgetItem(""))
        self.table.setItem(row, 3, QTableWidgetItem(""))
        kinds.currentIndexChanged.connect(lambda _i, box=kinds: self._show_place(box))
        self._show_place(kinds)
        self._refresh_buttons()

    def _row_of(self, box: QComboBox) -> int:
        return next((r for r in range(self.table.rowCount()) if self.table.cellWidget(r, 1) is box), -1)

    def _show_place(self, box: QComboBox) -> None:
        row = self._row_of(box)
        if row >= 0:
            self._cell(row, 2).setText(place_title(str(box.currentData())))

    def kind_at(self, row: int) -> str:
        box = self.table.cellWidget(row, 1)
        assert isinstance(box, QComboBox)
        return str(box.currentData())

    def set_kind(self, row: int, kind: str) -> None:
        box = self.table.cellWidget(row, 1)
        assert isinstance(box, QComboBox)
        box.setCurrentIndex(box.findData(kind))

    def refusal_at(self, row: int) -> str:
        return self._cell(row, 3).text()

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None  # every row is made with all its cells
        return item

    def remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self._remove_row(row)
        self._refresh_buttons()

    def _remove_row(self, row: int) -> None:
        self.table.removeRow(row)
        del self.candidates[row]

    def _refresh_buttons(self) -> None:
        self.add_button.setEnabled(bool(self.candidates) and not self.adding)
        self.remove_button.setEnabled(bool(self.candidates) and not self.adding)

    # --- files, drops and the scanner ----------------------------------------------------------
    def browse(self) -> None:
        self.add_paths(choose_files(self))

    def dragEnterEvent(self, event) -> None:  # noqa: ANN001, N802 - QDragEnterEvent, Qt name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: ANN001, N802 - QDropEvent, Qt name
        paths = dropped_paths(event.mimeData())
        if paths:
            self.add_paths(paths)
            event.acceptProposedAction()

    def scan(self) -> None:
        """Find a scanner and scan one page into the list (both in the background)."""
        self.scan_button.setEnabled(False)
        self.message.setText("در حال جستجوی اسکنر…")

        def scan_first(_job: object) -> Scan:
            return scan_page(find_scanners()[0])

        (Operation(self, scan_first)
         .on_success(self._scanned)
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .on_finished(lambda: self.scan_button.setEnabled(True))
         .run())

    def _scanned(self, scan: Scan) -> None:
        self.message.setText("یک صفحه اسکن شد؛ نوع آن را برگزینید و به آرشیو بیفزایید.")
        self.add_scan(scan)

    # --- adding --------------------------------------------------------------------------
    def add_all(self) -> None:
        if self.adding or not self.candidates:
            return
        jobs = [(c, self.kind_at(row)) for row, c in enumerate(self.candidates)]
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id
        self.adding = True
        self._refresh_buttons()
        self.message.setText("در حال افزودن…")

        def add(job) -> list[Outcome]:  # noqa: ANN001 - operations.Job
            outcomes = []
            for i, (candidate, kind) in enumerate(jobs):
                job.progress(i, len(jobs), candidate.name)
                outcomes.append(_add_candidate(store, actor, person_id, candidate, kind))
            return outcomes

        (Operation(self, add, title="افزودن سند به آرشیو")
         .on_success(self._added)
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .on_finished(self._finished)
         .run())

    def _finished(self) -> None:
        self.adding = False
        self._refresh_buttons()

    def _added(self, outcomes: list[Outcome]) -> None:
        stored = [o for o in outcomes if not o.refusal]
        refused = {id(o.candidate): o.refusal for o in outcomes if o.refusal}
        for row in reversed(range(len(self.candidates))):
            candidate = self.candidates[row]
            if id(candidate) in refused:
                item = self._cell(row, 3)
                item.setText(refused[id(candidate)])
                item.setForeground(Qt.GlobalColor.red)
                item.setToolTip(refused[id(candidate)])
            elif any(o.candidate is candidate for o in stored):
                self._remove_row(row)
        self.message.setText(summary(stored, len(refused)))
        self.on_added(outcomes)
        if not refused:
            self.accept()


def summary(stored: list[Outcome], refused: int) -> str:
    parts = []
    if stored:
        parts.append(f"{persian_digits(len(stored))} سند به آرشیو افزوده شد.")
    if refused:
        parts.append(f"{persian_digits(refused)} فایل پذیرفته نشد و چیزی از آن ذخیره نشد (دلیل در ستون «نتیجه»).")
    return " ".join(parts) or "چیزی افزوده نشد."


def _add_candidate(store, actor, person_id: uuid.UUID, candidate: Candidate, kind: str) -> Outcome:  # noqa: ANN001
    """One file through the archive service; a refusal is kept as its Persian reason."""
    try:
        identifier, version = add_one(store, actor, person_id, kind, candidate.name,
                                      path=candidate.path, data=candidate.scan.data if candidate.scan else None)
    except DomainError as exc:
        return Outcome(candidate, refusal=exc.fa)
    return Outcome(candidate, identifier=identifier, version=version)


def dropped_paths(mime) -> list[str]:  # noqa: ANN001 - QMimeData
    """The local files in a drop (a URL from a browser is not a file here)."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []
