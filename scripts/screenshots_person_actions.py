"""Screenshots of what issue 9 items 7 and 9 added, on a small demo store (run under Xvfb):

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_person_actions.py

Writes into docs/screenshots/: person_file_add_relationship.png (the dialog with a refusal under
its field), person_file_add_scan.png, corrections-for-person.png (the corrections screen opened
from a person file) and admin-authorities.png (a deactivated authority chosen).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.services.admin import init_store  # noqa: E402
from desktop.services.authorities import deactivate_authority  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.search import search_people  # noqa: E402
from desktop.services.users import create_user, find_actor  # noqa: E402
from desktop.views.admin_screen import Screen as AdminScreen  # noqa: E402
from desktop.views.context import ViewContext  # noqa: E402
from desktop.views.main_window import MainWindow  # noqa: E402
from desktop.views.person_file import PersonFileDialog  # noqa: E402
from desktop.views.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
STEP_MS = 700  # background loads and repaint between steps


def save(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    widget.grab().save(str(OUT / name))
    print(f"wrote {OUT / name}")


def main() -> int:
    app = QApplication(sys.argv)
    apply_theme(app)
    folder = Path(tempfile.mkdtemp(prefix="action-shots-"))
    store = init_store(folder / "demo.sqlite", "1021", "شعبه ۲۱ تهران", admin_password="admin1234")
    admin = find_actor(store, "admin")
    fill_demo(store, admin, persons=80, seed=7)
    deactivate_authority(store, admin, "F03")
    clerk = create_user(store, admin, "shots_clerk", "سارا محمدی", "clerk", "password123")
    person_id = search_people(store, clerk, "محمد", limit=1).hits[0].person_id
    OUT.mkdir(parents=True, exist_ok=True)

    window = MainWindow(ViewContext(store, clerk))
    window.resize(1280, 800)
    window.show()
    dialog = PersonFileDialog(window.ctx, person_id, window)
    dialog.resize(1100, 720)
    dialog.show()
    steps: list = []

    def relationship() -> None:
        dialog.tabs.setCurrentIndex(3)
        add = dialog.relationship_dialog()
        add.show()
        add.kind.setCurrentIndex(add.kind.findData("mandatory"))
        add.start.setText("۱۴۰۳/۰۲/۰۱")
        add.accept()  # no workshop: the reason shows under its field
        steps.append(add)
        QTimer.singleShot(STEP_MS, lambda: (save(add, "person_file_add_relationship.png"), add.close(), scan()))

    def scan() -> None:
        add = dialog.scan_dialog()
        add.show()
        add.paper_kind.setCurrentIndex(add.paper_kind.findData("marriage_certificate"))
        add.file.setText("/home/clerk/scans/aghdname.txt")  # refused as typed: not a scan
        steps.append(add)
        QTimer.singleShot(STEP_MS, lambda: (save(add, "person_file_add_scan.png"), add.close(), correction()))

    def correction() -> None:
        dialog.request_correction()
        QTimer.singleShot(STEP_MS, lambda: (save(window, "corrections-for-person.png"), authorities()))

    def authorities() -> None:
        screen = AdminScreen(ViewContext(store, admin))
        screen.resize(1100, 760)
        screen.show()
        screen.tabs.setCurrentIndex(1)
        steps.append(screen)

        def choose() -> None:
            panel = screen.authorities
            panel.choose("F03")
            QTimer.singleShot(STEP_MS, lambda: (save(screen, "admin-authorities.png"), app.quit()))

        QTimer.singleShot(STEP_MS, choose)

    QTimer.singleShot(1500, relationship)
    app.exec()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
