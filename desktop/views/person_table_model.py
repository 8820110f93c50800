"""Search results as a lazily fetched table: Qt asks `canFetchMore`/`fetchMore` as the clerk
scrolls, and each call takes one keyset page (~100 rows) from the search service.

The model never runs SQL: it holds a `PageSource` (a service call) and the cursor it returned.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.domain.text import persian_digits
from desktop.services.search import PersonHit, SearchPage

PageSource = Callable[[str, int | None], SearchPage]  # (query text, after cursor) → one page
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
    def __init__(self, source: PageSource, parent=None) -> None:  # noqa: ANN001 - QObject parent
        super().__init__(parent)
        self._source = source
        self._text = ""
        self._hits: list[PersonHit] = []
        self._cursor: int | None = None

    # --- loading -------------------------------------------------------------------------
    def show_page(self, text: str, page: SearchPage) -> None:
        """Replace the results with a first page computed elsewhere (e.g. off the GUI thread)."""
        self.beginResetModel()
        self._text, self._hits, self._cursor = text, list(page.hits), page.next_cursor
        self.endResetModel()

    def clear(self) -> None:
        self.show_page("", SearchPage([], None))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._cursor is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._cursor is None:
            return
        page = self._source(self._text, self._cursor)
        if page.hits:
            first = len(self._hits)
            self.beginInsertRows(QModelIndex(), first, first + len(page.hits) - 1)
            self._hits.extend(page.hits)
            self.endInsertRows()
        self._cursor = page.next_cursor

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
