"""The archive screen (آرشیو اسناد, Ctrl+3; SPEC §1.6, issue 12).

Find a person with the same search box as «جستجوی اشخاص»; their dossier opens as chapters and
sections with a thumbnail per paper, the viewer and the paper's version history beside it, and a
checklist of the papers their records require. Papers are added from files (several at once,
or dropped on the dossier) or from a scanner; the dossier (or one chapter) is exported as one
PDF; supervisors verify the whole archive with progress and cancel.

Everything that touches the store runs in an Operation; the dossier reloads from the change
channel whenever a committed change touches the archive of the person on screen. The person file
opens this screen for its person through the Navigator (`preselect`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.roles import allowed
from desktop.domain.text import persian_digits
from desktop.services.changes import ChangeKind, Changes

from .archive import source
from .archive.adding import AddPapersDialog, Outcome
from .archive.checklist import ChecklistPanel
from .archive.dossier_tree import DossierTree, jalali_day
from .archive.person_picker import PersonPicker
from .archive.source import ShownDossier, ShownPaper
from .archive.viewer import PaperViewer
from .context import ScreenRequest, ViewContext
from .dialogs import save_file_name
from .messages import error_text, inform
from .operations import Operation
from .printing import saved_text
from .rtl import code_run, ltr_run

HISTORY_HEADERS = ("نسخه", "تاریخ اسکن", "اسکن‌کننده", "شناسه", "نام فایل", "اندازه", "SHA-256")


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{persian_digits(f'{size / 1024 / 1024:.1f}')} مگابایت"
    return f"{persian_digits(max(size // 1024, 1))} کیلوبایت"


class Screen(QWidget):
    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.person_id: uuid.UUID | None = None
        self.person_label = ""
        self.dossier: ShownDossier | None = None
        self.shown_paper: ShownPaper | None = None
        self.add_dialog: AddPapersDialog | None = None
        self.last_verify: source.VerifyResult | None = None
        self.select_after_load = ""  # a paper just added: shown once the dossier reloads
        self._loads = 0
        self._build()
        ctx.changes.changed.connect(self._on_changes)

    # --- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.picker = PersonPicker(self.ctx)
        self.picker.chosen.connect(self.open_person)
        self.heading = QLabel("")
        self.heading.setObjectName("title")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.tree = DossierTree()
        self.tree.paper_chosen.connect(self.show_paper)
        self.tree.files_dropped.connect(self.add_files)
        self.checklist = ChecklistPanel()
        self.checklist.add_for.connect(self.add_required)
        self.left = QTabWidget()
        self.left.addTab(self.tree, "پرونده اسناد")
        self.left.addTab(self.checklist, "مدارک لازم")
        self.viewer = PaperViewer()
        self.history = QTableWidget(0, len(HISTORY_HEADERS))
        self.history.setHorizontalHeaderLabels(list(HISTORY_HEADERS))
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.history.setMaximumHeight(130)
        self.history.cellClicked.connect(lambda row, _c: self.show_version(row))
        self.paper_title = QLabel("")
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.paper_title)
        column.addWidget(self.viewer, 1)
        column.addWidget(QLabel("نسخه‌های این سند (هیچ نسخه‌ای جایگزین نمی‌شود):"))
        column.addWidget(self.history)
        self.split = QSplitter()
        self.split.addWidget(self.left)
        self.split.addWidget(right)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setChildrenCollapsible(False)
        box = QVBoxLayout(self)
        box.addWidget(self.picker)
        box.addLayout(self._action_row())
        box.addWidget(self.message)
        box.addWidget(self.split, 1)
        self.setFocusProxy(self.picker)
        self._enable()

    def _action_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.heading)
        row.addStretch(1)
        self.add_button = QPushButton("افزودن سند…")
        self.add_button.clicked.connect(lambda: self.add_files([]))
        # A push button with a menu (whole dossier or one chapter): styled, disabled included, like
        # the buttons beside it.
        self.export_button = QPushButton("خروجی PDF پرونده…")
        self.export_menu = QMenu(self.export_button)
        self.export_button.setMenu(self.export_menu)
        self.verify_button = QPushButton("بررسی درستی آرشیو…")
        self.verify_button.setToolTip("همه اسناد شعبه دوباره چکیده‌گیری می‌شوند تا هر تغییر یا نبودی پیدا شود.")
        self.verify_button.clicked.connect(self.verify)
        self.verify_button.setVisible(allowed(self.ctx.actor.role, source.VERIFY_PERMISSION))
        self.add_button.setVisible(allowed(self.ctx.actor.role, "archive.add"))
        for widget in (self.add_button, self.export_button, self.verify_button):
            row.addWidget(widget)
        return row

    def _enable(self) -> None:
        has_person = self.person_id is not None
        self.add_button.setEnabled(has_person)
        self.export_button.setEnabled(has_person and bool(self.dossier and self.dossier.papers))
        self.tree.setEnabled(has_person)

    # --- the person ----------------------------------------------------------------------
    def preselect(self, request: ScreenRequest) -> None:
        """Opened from a person file: straight to that person's dossier."""
        if request.person_id is not None:
            self.open_person(request.person_id, request.person_label)

    def open_person(self, person_id: uuid.UUID, label: str = "") -> None:
        if person_id != self.person_id:
            self.dossier = None
            self.tree.show_dossier(None)
            self.checklist.show_checklist(None)
            self.viewer.clear()
            self.history.setRowCount(0)
            self.paper_title.setText("")
        self.person_id, self.person_label = person_id, label
        self.picker.status.setText("")
        self.heading.setText(f"پرونده اسناد: {label}" if label else "پرونده اسناد")
        self.message.setText("")
        self._enable()
        self.reload()

    def reload(self) -> None:
        if self.person_id is None:
            return
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id
        self._loads += 1
        load = self._loads
        (Operation(self, lambda _job: (source.load_dossier(store, actor, person_id),
                                       source.load_checklist(store, actor, person_id)))
         .on_success(lambda answer: self._loaded(load, person_id, *answer))
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .run())

    def _loaded(self, load: int, person_id: uuid.UUID, dossier: ShownDossier,
                checklist: source.ShownChecklist | None) -> None:
        if load != self._loads or person_id != self.person_id:
            return  # an older load answered late
        self.dossier = dossier
        if dossier.person_label and not self.person_label:
            self.person_label = dossier.person_label
            self.heading.setText(f"پرونده اسناد: {self.person_label}")
        self.tree.show_dossier(dossier)
        self.checklist.show_checklist(checklist)
        self._fill_export_menu()
        self._enable()
        if not dossier.papers:
            self.message.setText("هنوز سندی برای این شخص بایگانی نشده است. فایل‌ها را روی پرونده رها کنید "
                                 "یا «افزودن سند…» را بزنید.")
        if self.select_after_load in self.tree.items:
            self.tree.select(self.select_after_load)
            self.select_after_load = ""
        elif self.shown_paper is not None:
            self._show_history(self.shown_paper)
        self._load_thumbnails(dossier)

    def _load_thumbnails(self, dossier: ShownDossier) -> None:
        wanted = [p for p in dossier.latest() if p.sha256 not in self.tree.thumbs]
        if not wanted:
            return
        store, actor = self.ctx.store, self.ctx.actor
        (Operation(self, lambda _job: source.thumbnails(store, actor, wanted))
         .on_success(self._thumbnails_arrived)
         .on_failure(lambda _exc: None)  # a paper without a thumbnail is still listed and viewable
         .quietly()
         .run())

    def _thumbnails_arrived(self, thumbs: dict[str, QImage]) -> None:
        self.tree.set_thumbnails(thumbs)

    def _on_changes(self, changes: Changes) -> None:
        # A dependant's paper changes the dossier too, and its person is not the one on screen.
        if self.person_id is not None and changes.touches(ChangeKind.ARCHIVE, ChangeKind.DEPENDANTS,
                                                          ChangeKind.RELATIONSHIPS, ChangeKind.PERSONS):
            self.reload()

    # --- viewing -------------------------------------------------------------------------
    def show_paper(self, paper: ShownPaper) -> None:
        self.shown_paper = paper
        self.paper_title.setText(
            f"<b>{paper.kind_title}</b> — نسخه {persian_digits(paper.version)} — {jalali_day(paper)} — "
            f"شناسه {code_run(paper.identifier)}")
        store, actor = self.ctx.store, self.ctx.actor
        # Persian first, so the line reads right to left; the file name is one left-to-right run.
        caption = f"فایل {ltr_run(paper.filename)}، {size_text(paper.size)}"
        (Operation(self, lambda _job: source.paper_bytes(store, actor, paper.identifier))
         .on_success(lambda data: self._bytes_arrived(paper, data, caption))
         .on_failure(lambda exc: self.viewer.clear(error_text(exc)))
         .run())
        self._show_history(paper)

    def _bytes_arrived(self, paper: ShownPaper, data: bytes, caption: str) -> None:
        if self.shown_paper is not None and self.shown_paper.identifier == paper.identifier:
            self.viewer.show_paper(paper.media_type, data, caption)

    def _show_history(self, paper: ShownPaper) -> None:
        versions = self.dossier.versions_of(paper) if self.dossier else [paper]
        self.history_papers = versions
        self.history.setRowCount(len(versions))
        for row, p in enumerate(versions):
            cells = (persian_digits(p.version), jalali_day(p), p.scanned_by or "—", code_run(p.identifier),
                     ltr_run(p.filename), size_text(p.size), ltr_run(p.sha256[:16] + "…"))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if p.identifier == paper.identifier:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.history.setItem(row, column, item)

    def show_version(self, row: int) -> None:
        if 0 <= row < len(getattr(self, "history_papers", [])):
            paper = self.history_papers[row]
            if self.shown_paper is None or paper.identifier != self.shown_paper.identifier:
                self.show_paper(paper)

    # --- adding --------------------------------------------------------------------------
    def add_required(self, need: source.ShownRequirement) -> None:
        """«Add» beside a checklist row: a paper of that kind into the archive that must hold it
        (a dependant's paper goes to the dependant's own archive)."""
        if self.add_dialog is not None:
            self.add_dialog.close()
        owner = need.person_id or self.person_id
        label = self.person_label if owner == self.person_id else need.whom
        self.add_files([], need.kind, owner=owner, label=label)

    def add_files(self, paths: list[str], kind: str | None = None, *, owner: uuid.UUID | None = None,
                  label: str = "") -> None:
        """The add dialog for the person on screen (or `owner`), with `paths` (dropped files)."""
        if self.person_id is None:
            self.message.setText("نخست شخص را بیابید؛ سند در پرونده او بایگانی می‌شود.")
            return
        if self.add_dialog is None:
            default = kind or self.checklist.first_missing() or "questionnaire"
            self.add_dialog = AddPapersDialog(self.ctx, owner or self.person_id, label or self.person_label,
                                              self._added, default_kind=default, parent=self)
            self.add_dialog.finished.connect(self._add_dialog_closed)
            self.add_dialog.open()
        self.add_dialog.add_paths(paths)

    def _add_dialog_closed(self) -> None:
        if self.add_dialog is not None:
            self.add_dialog.deleteLater()
        self.add_dialog = None

    def _added(self, outcomes: list[Outcome]) -> None:
        stored = [o for o in outcomes if not o.refusal]
        if stored:
            self.message.setText(f"{persian_digits(len(stored))} سند به پرونده افزوده شد: "
                                 + "، ".join(code_run(o.identifier) for o in stored))
            self.select_after_load = stored[-1].identifier

    # --- export --------------------------------------------------------------------------
    def _fill_export_menu(self) -> None:
        self.export_menu.clear()
        whole = QAction("همه پرونده", self.export_menu)
        whole.triggered.connect(lambda: self.export(None))
        self.export_menu.addAction(whole)
        chapters = self.dossier.chapters() if self.dossier else []
        if chapters:
            self.export_menu.addSeparator()
        for chapter, title in chapters:
            action = QAction(f"فقط فصل «{title}»", self.export_menu)
            action.triggered.connect(lambda _=False, c=chapter: self.export(c))
            self.export_menu.addAction(action)

    def choose_export_path(self, suggested: str) -> str:
        """Seam: Qt's save dialog in Persian; "" when cancelled."""
        return save_file_name(self, "ذخیره PDF پرونده اسناد", suggested, "PDF (*.pdf)")

    def export(self, chapter: str | None) -> None:
        if self.person_id is None:
            return
        path = self.choose_export_path(f"dossier-{chapter or 'all'}.pdf")
        if not path:
            return
        store, actor, person_id = self.ctx.store, self.ctx.actor, self.person_id

        def write(_job: object) -> int:
            pdf, pages = source.export_pdf(store, actor, person_id, chapter)
            Path(path).write_bytes(pdf)
            return pages

        self.message.setText("در حال ساختن PDF پرونده…")
        (Operation(self, write, title="خروجی PDF پرونده")
         .on_success(lambda pages: self.message.setText(
             f"{saved_text(path)} ({persian_digits(pages)} صفحه)"))
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .run())

    # --- verifying -----------------------------------------------------------------------
    def verify(self) -> None:
        store, actor = self.ctx.store, self.ctx.actor
        self.verify_button.setEnabled(False)
        (Operation(self, lambda job: source.verify(store, actor, job), title="بررسی درستی آرشیو")
         .with_progress(cancellable=True)
         .on_success(self._verified)
         .on_cancelled(lambda: self.message.setText("بررسی آرشیو متوقف شد؛ نتیجه‌ای ثبت نشد."))
         .on_failure(lambda exc: self.message.setText(error_text(exc)))
         .on_finished(lambda: self.verify_button.setEnabled(True))
         .run())

    def _verified(self, result: source.VerifyResult) -> None:
        self.last_verify = result
        self.message.setText(result.text)
        inform(self, "بررسی درستی آرشیو", result.text, warning=not result.ok)
