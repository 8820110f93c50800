"""Search results as a lazily fetched table: Qt asks `canFetchMore`/`fetchMore` as the clerk
scrolls, and each call takes one keyset page (~100 rows) from the search service.

The model never runs SQL and never waits: it holds a `PageRequest` — a function that fetches a
page somewhere else (the search screen runs it as a background operation) and hands it back —
and the cursor the last page returned. While a page is on its way no second one is asked for,
and a page that arrives for an older query is dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.domain.text import persian_digits
from desktop.services.search import PersonHit, SearchPage

# (query text, after cursor, deliver) → fetches one page and calls deliver(page) on the GUI thread
PageRequest = Callable[[str, int | None, Callable[[SearchPage], None]], None]
Index = QModelIndex | QPersistentModelIndex

HEADERS = ("نام و نام خانوادگی", "کد ملی / شماره اتباع", "شماره تامین اجتماعی", "تاریخ تولد", "وضعیت")
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def status_text(hit: PersonHit) -> str:
    if hit.deceased:
        return "فوت‌شده"
    return "فعال" if hit.active else "غیرفعال"


def _cells(hit: PersonHit) -> tuple[str, ...]:
    return (hit.full_name, persian_digits(hit.identity_number), persian_digits(hit.ssn),
            persian_digits(hit.birth_date), status_text(hit))


class PersonTableModel(QAbstractTableModel):
    def __init__(self, request: PageRequest, parent=None) -> None:  # noqa: ANN001 - QObject parent
        super().__init__(parent)
        self._request = request
        self._text = ""
        self._hits: list[PersonHit] = []
        self._cursor: int | None = None
        self._generation = 0  # which query the rows belong to; a late page of another is dropped
        self._fetching = False

    # --- loading -------------------------------------------------------------------------
    def show_page(self, text: str, page: SearchPage) -> None:
        """Replace the results with a first page computed elsewhere (e.g. off the GUI thread)."""
        self.beginResetModel()
        self._text, self._hits, self._cursor = text, list(page.hits), page.next_cursor
        self._generation += 1
        self._fetching = False
        self.endResetModel()

    def clear(self) -> None:
        self.show_page("", SearchPage([], None))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._cursor is not None and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._cursor is None or self._fetching:
            return
        self._fetching = True
        generation = self._generation
        self._request(self._text, self._cursor, lambda page: self._append(generation, page))

    def _append(self, generation: int, page: SearchPage) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if page.hits:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(page.hits) - 1)
            self._hits.extend(page.hits)
            self.endInsertRows()
        self._cursor = page.next_cursor

    def fetch_failed(self) -> None:
        """The page did not come (the error was shown): scrolling may ask again."""
        self._fetching = False

    # --- reading -------------------------------------------------------------------------
    @property
    def has_more(self) -> bool:
        return self._cursor is not None

    def hit(self, row: int) -> PersonHit:
        return self._hits[row]

    def person_id(self, row: int) -> uuid.UUID:
        return self._hits[row].person_id

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cells(hit)[index.column()]
        if role == PERSON_ID_ROLE:
            return str(hit.person_id)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return persian_digits(section + 1)
