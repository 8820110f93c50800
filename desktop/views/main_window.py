"""The main window: a side list of the screens the role may use, each built on first visit,
and a status bar with who, where, today and the headquarters sync state."""

from __future__ import annotations

import datetime as dt
import uuid

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.jalali import format_jalali, format_jalali_long
from desktop.domain.roles import ROLES, allowed
from desktop.domain.text import persian_digits
from desktop.services.changes import ChangeKind, Changes
from desktop.services.status import branch_facts
from desktop.services.sync import SyncStatus, sync_status

from . import corrections_badge
from .context import ScreenRequest, ViewContext
from .daily_checks import DailyChecks
from .focus import focus_first_field
from .messages import error_text
from .navigation import PLANNED_NOTES, SCREENS, ScreenEntry
from .operations import Newest, Operation
from .sync_runner import PeriodicSync
from .sync_text import STATE_COLOUR, connection_state, jalali_time, status_bar_text


def visible_screens(role: str) -> list[ScreenEntry]:
    return [entry for entry in SCREENS if allowed(role, entry.permission)]


class MessagePage(QWidget):
    """Stands in for a screen that is not built yet, or that failed to open."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        heading = QLabel(title)
        heading.setObjectName("title")
        self.body = QLabel(message)
        self.body.setWordWrap(True)
        self.body.setObjectName("subtitle")
        # Asked for a person (ScreenRequest): whom the page was opened for, said plainly.
        self.person = QLabel("")
        self.person.setWordWrap(True)
        self.person.hide()
        box = QVBoxLayout(self)
        box.addStretch(1)
        for label in (heading, self.person, self.body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(label)
        box.addStretch(2)


class PlannedPage(MessagePage):
    """A feature still to come (navigation.PLANNED): what it will do, and — opened for a person
    from their file — that person, so the clerk sees the request arrived and nothing was done."""

    def __init__(self, entry: ScreenEntry) -> None:
        note = PLANNED_NOTES.get(entry.key, "")
        super().__init__(entry.title, "این بخش هنوز آماده نیست و در نسخه‌های بعدی افزوده می‌شود."
                         + (f"\n\n{note}" if note else ""))
        self.key = entry.key
        self.person_id: uuid.UUID | None = None

    def preselect(self, request: ScreenRequest) -> None:
        self.person_id = request.person_id
        self.person.setText(f"برای: {request.person_label}" if request.person_label else "")
        self.person.setVisible(bool(request.person_label))


def build_screen(entry: ScreenEntry, ctx: ViewContext) -> QWidget:
    if entry.factory is None:  # listed in navigation.PLANNED
        return PlannedPage(entry)
    return entry.factory(ctx)


class MainWindow(QMainWindow):
    signedOut = Signal()
    closed = Signal(bool)  # True when closed by signing out, False when the user quits

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.entries = visible_screens(ctx.actor.role)
        self.pages: dict[str, QWidget] = {}
        self.signing_out = False
        # Qt adds the application's display name («میز شعبه») itself: the title names only the branch.
        self.setWindowTitle(f"شعبه {persian_digits(ctx.store.branch_code)}")
        self.resize(1280, 800)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setIconSize(QSize(0, 0))
        self.nav.setMinimumWidth(210)
        self.nav.setMaximumWidth(280)
        for entry in self.entries:
            item = QListWidgetItem(f"{entry.title}")
            item.setToolTip(f"{entry.title} ({entry.shortcut})")
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setSizeHint(QSize(0, 40))  # every row the same height, selected or not
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        splitter = QSplitter()
        splitter.addWidget(self.nav)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.nav.currentRowChanged.connect(self._on_row)
        # Arrow keys in the list only look through the screens; a click or Enter opens one, and
        # the cursor goes into its first field.
        self.nav.itemActivated.connect(lambda _item: self.focus_current())
        self.nav.itemClicked.connect(lambda _item: self.focus_current())

        self._build_menu()
        self._build_status_bar()
        ctx.navigator.requested.connect(self.open_request)
        self.corrections_badge = corrections_badge.attach(ctx, self.nav)  # waiting for my decision
        if self.entries:
            self.nav.setCurrentRow(0)
        # Signed in: the hands are on the first screen's first field (the search box), not on
        # the menu, where typed letters would jump between items.
        self.focus_current()

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("میز شعبه")
        self.sign_out_action = QAction("خروج از حساب کاربری", self)
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.sign_out_action.triggered.connect(self.sign_out)
        quit_action = QAction("بستن برنامه", self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(self.close)
        menu.addAction(self.sign_out_action)
        menu.addSeparator()
        menu.addAction(quit_action)
        screens = self.menuBar().addMenu("بخش‌ها")
        for entry in self.entries:
            action = QAction(entry.title, self)
            action.setShortcut(QKeySequence(entry.shortcut))
            action.triggered.connect(lambda _=False, k=entry.key: self.show_screen(k))
            screens.addAction(action)
            self.addAction(action)  # the shortcut works wherever the focus is in the window

    def _build_status_bar(self) -> None:
        actor, facts = self.ctx.actor, branch_facts(self.ctx.store)
        bar = self.statusBar()
        self.user_label = QLabel(f"{actor.full_name or actor.username} — {ROLES.get(actor.role, actor.role)}")
        self.branch_label = QLabel(f"شعبه {persian_digits(facts.code)} — {facts.name}")
        self.date_label = QLabel()
        self.sync_label = QLabel()
        for label in (self.user_label, self.branch_label, self.date_label):
            bar.addWidget(label)
        bar.addPermanentWidget(self.sync_label)
        # The date turns at midnight (one timer aimed at it, not polling); the queue of changes
        # for headquarters is recounted when a change touches the outbox.
        self._midnight = QTimer(self)
        self._midnight.setSingleShot(True)
        self._midnight.timeout.connect(self._new_day)
        self._new_day()
        self.sync_status: SyncStatus | None = None
        self._status_reads: Newest[SyncStatus] = Newest(self._got_sync_status)
        # «۳ دقیقه پیش» ages: re-worded a minute after each showing, from the status already
        # read (no query).
        self._reword = QTimer(self)
        self._reword.setSingleShot(True)
        self._reword.timeout.connect(self._show_sync_state)
        self.refresh_status()
        self.ctx.changes.changed.connect(self._on_changes)
        # Headquarters sync in the background every few minutes; a round's commits reach the
        # status bar through the change channel like any other change.
        self.periodic_sync = PeriodicSync(self, self.ctx.store)
        self.periodic_sync.start()
        # A recorded end's day hands the medical link over: at start-up and after each midnight.
        self.daily_checks = DailyChecks(self, self.ctx)
        self.daily_checks.start()

    def _new_day(self) -> None:
        today = self.ctx.store.today()
        self.date_label.setText(f"امروز: {format_jalali(today, persian=True)} ({format_jalali_long(today)})")
        now = dt.datetime.now()
        tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0, 5))
        self._midnight.start(int((tomorrow - now).total_seconds() * 1000))

    def _on_changes(self, changes: Changes) -> None:
        if changes.touches(ChangeKind.OUTBOX, ChangeKind.SETTINGS, ChangeKind.SYNC):
            self.refresh_status()

    def refresh_status(self) -> None:
        store = self.ctx.store
        Operation(self, lambda _job: sync_status(store, None)).quietly() \
            .on_success(self._status_reads.ask()).run()

    def _got_sync_status(self, status: SyncStatus) -> None:
        self.sync_status = status
        self._show_sync_state()

    def _show_sync_state(self) -> None:
        status = self.sync_status
        if status is None:
            return
        colour = STATE_COLOUR[connection_state(status)]
        self.sync_label.setText(f"<span style='color:{colour}'>{status_bar_text(status)}</span>")
        self.sync_label.setToolTip(f"آخرین همگام‌سازی موفق: {jalali_time(status.last_success)}")
        if status.last_success is not None:
            self._reword.start(60_000)

    # --- navigation -------------------------------------------------------------------------
    def screen_keys(self) -> list[str]:
        return [entry.key for entry in self.entries]

    def show_screen(self, key: str) -> None:
        keys = self.screen_keys()
        if key in keys:
            self.nav.setCurrentRow(keys.index(key))
            self.focus_current()

    def open_request(self, request: ScreenRequest) -> None:
        """Another window (a person file) asked for a screen, maybe for a person: show it here,
        hand it the person when it takes one, and bring this window to the front."""
        if request.key not in self.screen_keys():
            return  # the role cannot use it; the asking button was hidden anyway
        self.show_screen(request.key)
        page = self.current_page()
        preselect = getattr(page, "preselect", None)
        if callable(preselect):
            preselect(request)
        self.raise_()
        self.activateWindow()

    def focus_current(self) -> None:
        """The cursor into the shown screen's first field; a page with none (a feature still to
        come) leaves it in the menu, never on the page itself."""
        page = self.stack.currentWidget()
        if page is None or not focus_first_field(page):
            self.nav.setFocus()

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    def _on_row(self, row: int) -> None:
        if row < 0:
            return
        entry = self.entries[row]
        page = self.pages.get(entry.key)
        if page is None:
            try:
                page = build_screen(entry, self.ctx)
            except Exception as exc:  # noqa: BLE001 - one broken screen must not take the shell down
                # A failure, said as one (and logged), never dressed as a page still to come.
                page = MessagePage(entry.title, f"این بخش باز نشد.\n{error_text(exc)}")
            self.pages[entry.key] = page
            self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    def sign_out(self) -> None:
        self.signing_out = True
        self.close()
        self.signedOut.emit()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self._midnight.stop()
        self.daily_checks.stop()
        self._reword.stop()
        self.periodic_sync.stop()  # a running round stops between batches; nothing is lost
        self.ctx.changes.close()  # a new sign-in makes a new context and channel
        self.ctx.navigator.deleteLater()
        super().closeEvent(event)
        self.closed.emit(self.signing_out)
