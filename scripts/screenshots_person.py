"""Screenshots of the search screen and a person file on a demo store (run under Xvfb):

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_person.py

Writes docs/screenshots/search.png and docs/screenshots/person_file.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.services.admin import init_store  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.person_file import load_person_file  # noqa: E402
from desktop.services.search import search_people  # noqa: E402
from desktop.services.users import create_user, find_actor  # noqa: E402
from desktop.views.context import ViewContext  # noqa: E402
from desktop.views.search_screen import Screen  # noqa: E402
from desktop.views.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def richest_person(store, actor, query: str):
    """The hit with the most relationships, so the timeline has something to show."""
    hits = search_people(store, actor, query, limit=200).hits
    def richness(hit) -> int:
        f = load_person_file(store, actor, hit.person_id)
        return 3 * len({r.type_code for r in f.relationships}) + len(f.relationships) + len(f.dependants)

    return max(hits, key=richness)


def main() -> int:
    app = QApplication(sys.argv)
    apply_theme(app)
    folder = Path(tempfile.mkdtemp(prefix="person-shots-"))
    store = init_store(folder / "demo.sqlite", "1021", "شعبه ۲۱ تهران", admin_password="admin1234")
    admin = find_actor(store, "admin")
    fill_demo(store, admin, persons=400, seed=7)
    clerk = create_user(store, admin, "shots_clerk", "سارا محمدی", "clerk", "password123")
    screen = Screen(ViewContext(store, clerk))
    screen.setWindowTitle("جستجوی اشخاص — میز شعبه")
    screen.resize(1280, 760)
    screen.show()
    query = "محمد"
    screen.query.setText(query)
    screen.search_now()
    OUT.mkdir(parents=True, exist_ok=True)

    def shoot_search() -> None:
        screen.grab().save(str(OUT / "search.png"))
        target = richest_person(store, clerk, query)
        dialog = screen.open_person(target.person_id)
        dialog.resize(1280, 800)
        QTimer.singleShot(600, lambda: show_relationships(dialog))

    def show_relationships(dialog) -> None:
        # The file loads in the background: its tabs exist only once it has been shown.
        dialog.tabs.setCurrentIndex(3)  # insurance relationships: table and timeline
        QTimer.singleShot(300, lambda: shoot_file(dialog))

    def shoot_file(dialog) -> None:
        dialog.grab().save(str(OUT / "person_file.png"))
        dialog.tabs.setCurrentIndex(2)
        QTimer.singleShot(300, lambda: (dialog.grab().save(str(folder / "personal.png")), app.quit()))

    QTimer.singleShot(1500, shoot_search)
    app.exec()
    print(f"wrote {OUT / 'search.png'} and {OUT / 'person_file.png'} (extra: {folder / 'personal.png'})")
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
