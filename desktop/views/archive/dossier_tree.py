"""A person's dossier as a tree: chapter → section (→ whose paper, e.g. a dependant) → paper.

Each paper row is its newest version, with a thumbnail, its kind, version, Jalali date and who
scanned it; earlier versions are listed in the version history beside the viewer. Thumbnails
arrive after the rows (made off the GUI thread) and are set by content hash. Files dropped on
the tree are handed on (`files_dropped`)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem

from desktop.domain.text import persian_digits

from .adding import dropped_paths
from .source import ShownDossier, ShownPaper

THUMB = 56
PAPER_ROLE = Qt.ItemDataRole.UserRole + 1
HEADERS = ("سند", "نسخه", "تاریخ اسکن", "اسکن‌کننده")


def jalali_day(paper: ShownPaper) -> str:
    return paper.jalali_day


def version_text(paper: ShownPaper, count: int) -> str:
    return persian_digits(paper.version) + (f" (از {persian_digits(count)})" if count > 1 else "")


class DossierTree(QTreeWidget):
    paper_chosen = Signal(object)  # ShownPaper
    files_dropped = Signal(list)  # local paths

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels(list(HEADERS))
        self.setIconSize(QSize(THUMB, THUMB))
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.header().setStretchLastSection(False)  # the paper's kind takes the room, not its scanner
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            self.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.items: dict[str, QTreeWidgetItem] = {}  # identifier → row
        self.thumbs: dict[str, QPixmap] = {}  # sha256 → thumbnail, kept across reloads
        self.currentItemChanged.connect(self._current_changed)

    def show_dossier(self, dossier: ShownDossier | None) -> None:
        chosen = self.current_paper()
        self.clear()
        self.items = {}
        if dossier is None:
            return
        nodes: dict[tuple[str, ...], QTreeWidgetItem] = {}

        def node(key: tuple[str, ...], title: str, parent: QTreeWidgetItem | None) -> QTreeWidgetItem:
            if key not in nodes:
                item = QTreeWidgetItem([title])
                font = item.font(0)
                font.setBold(len(key) == 1)
                item.setFont(0, font)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                (parent.addChild(item) if parent is not None else self.addTopLevelItem(item))
                nodes[key] = item
            return nodes[key]

        for paper in dossier.latest():
            chapter = node((paper.chapter,), paper.chapter_title, None)
            parent = node((paper.chapter, paper.section), paper.section_title, chapter)
            count = len(dossier.versions_of(paper))
            item = QTreeWidgetItem([paper.kind_title, version_text(paper, count), jalali_day(paper),
                                    paper.scanned_by or "—"])
            item.setData(0, PAPER_ROLE, paper)
            item.setToolTip(0, paper.filename)
            item.setSizeHint(0, QSize(0, THUMB + 6))
            if paper.sha256 in self.thumbs:
                item.setIcon(0, QIcon(self.thumbs[paper.sha256]))
            parent.addChild(item)
            self.items[paper.identifier] = item
        self.expandAll()
        if chosen is not None:
            again = self.items.get(chosen.identifier) or next(
                (i for i in self.items.values() if i.data(0, PAPER_ROLE).chain == chosen.chain), None)
            if again is not None:
                self.setCurrentItem(again)

    def set_thumbnails(self, thumbs: dict[str, QImage]) -> None:
        for sha, image in thumbs.items():
            self.thumbs[sha] = QPixmap.fromImage(image)
        for item in self.items.values():
            paper: ShownPaper = item.data(0, PAPER_ROLE)
            if paper.sha256 in self.thumbs:
                item.setIcon(0, QIcon(self.thumbs[paper.sha256]))

    def has_thumbnail(self, identifier: str) -> bool:
        item = self.items.get(identifier)
        return item is not None and not item.icon(0).isNull()

    def current_paper(self) -> ShownPaper | None:
        item = self.currentItem()
        return item.data(0, PAPER_ROLE) if item is not None else None

    def select(self, identifier: str) -> None:
        item = self.items.get(identifier)
        if item is not None:
            self.setCurrentItem(item)

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        paper = current.data(0, PAPER_ROLE) if current is not None else None
        if paper is not None:
            self.paper_chosen.emit(paper)

    # --- drag and drop -------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: ANN001, N802 - QDragEnterEvent, Qt name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: ANN001, N802 - QDragMoveEvent, Qt name
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: ANN001, N802 - QDropEvent, Qt name
        paths = dropped_paths(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


MISSING_BACKGROUND = QColor("#fdecea")
MISSING_FOREGROUND = QColor("#c0392b")
