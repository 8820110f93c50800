"""Screenshot of the inquiry screen with a judicial answer and its letter preview, for the README.

Usage: xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshot_inquiry.py
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.services.admin import init_store  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.users import find_actor  # noqa: E402
from desktop.views.context import ViewContext  # noqa: E402
from desktop.views.inquiry_screen import Screen  # noqa: E402
from desktop.views.theme import apply_theme  # noqa: E402


def active_main_insured(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT p.national_code FROM person p JOIN relationship r ON r.person_id = p.id"
            " WHERE r.type_code = 'mandatory' AND r.\"end\" IS NULL AND p.national_code IS NOT NULL"
            " ORDER BY p.ssn LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def settle(app: QApplication, done, seconds: float = 10.0) -> None:
    """Turn the event loop until `done()` holds or `seconds` pass."""
    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    app = QApplication(sys.argv)
    apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "demo.sqlite", "1021", "شعبه ۲۱ تهران", admin_password="admin1234")
        fill_demo(store, find_actor(store, "admin"), persons=300, seed=7)
        screen = Screen(ViewContext(store, find_actor(store, "letters")))
        screen.resize(1400, 860)
        screen.show()
        combo = screen.authority
        # The screen loads its authorities and answers off the GUI thread: let those land.
        settle(app, lambda: combo.count() > 0)
        combo.setCurrentIndex(next(i for i in range(combo.count()) if "J01" in str(combo.itemData(i))
                                   or "دادگستری" in combo.itemText(i)))
        screen.national_code.setText(active_main_insured(store.path))
        screen.ask()
        settle(app, lambda: False, seconds=4.0)
        out = ROOT / "docs" / "screenshots" / "inquiry.png"
        screen.grab().save(str(out))
        print(out)
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
