"""Screenshot of the supervisor's dashboard (آمار شعبه) on a demo store, for the README.

Usage: xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshot_statistics.py

The demo store holds people and dependants; the inquiries and certificates are answered here
through the services. The correction ledger is another feature's, so the few correction
requests are written as rows, only to give that chart something to draw.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.services.admin import init_store  # noqa: E402
from desktop.services.certificates import issue_certificate  # noqa: E402
from desktop.services.demo import fill_demo  # noqa: E402
from desktop.services.inquiry import answer_inquiry  # noqa: E402
from desktop.services.users import find_actor  # noqa: E402
from desktop.views.context import ViewContext  # noqa: E402
from desktop.views.main_window import MainWindow  # noqa: E402
from desktop.views.theme import apply_theme  # noqa: E402
from tests.support.screenshots import when_settled  # noqa: E402


def national_codes(db: Path, limit: int) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute(
            "SELECT national_code FROM person WHERE national_code IS NOT NULL ORDER BY ssn LIMIT ?", (limit,))]
    finally:
        conn.close()


def valid_code(nine: str) -> str:
    """Nine digits and their national-code check digit (SPEC §1.1)."""
    r = sum(int(d) * (10 - i) for i, d in enumerate(nine)) % 11
    return nine + str(r if r < 2 else 11 - r)


def corrections(db: Path, statuses: dict[str, int]) -> None:
    conn = sqlite3.connect(db)
    try:
        lines = [r[0] for r in conn.execute("SELECT id FROM document_line LIMIT ?", (sum(statuses.values()),))]
        rows = [(uuid.uuid4().hex, line, "واحد درآمد", json.dumps({"days": 30}), "نمونه", status)
                for line, status in zip(lines, [s for s, n in statuses.items() for _ in range(n)], strict=False)]
        conn.executemany("INSERT INTO correction_request (id, document_line_id, requesting_unit, components,"
                         " reasons, status, created_at) VALUES (?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP)", rows)
        conn.commit()
    finally:
        conn.close()


def fill(store) -> None:
    fill_demo(store, find_actor(store, "admin"), persons=3000, seed=11)  # adds the demo's users
    letters = find_actor(store, "letters")
    authorities = [r[0] for r in sqlite3.connect(store.path).execute("SELECT code FROM authority ORDER BY code")]
    codes = national_codes(store.path, 60)
    for i, code in enumerate(codes[:45]):
        answer_inquiry(store, letters, authorities[i % len(authorities)], code)
    for i in range(12):  # not on record
        answer_inquiry(store, letters, authorities[0], valid_code(f"{900000000 + i * 7919:09d}"))
    for code in codes[45:53]:
        answer_inquiry(store, letters, authorities[1], code, "1400/01/01", "1402/12/29")
    for code in codes[53:60]:
        issue_certificate(store, letters, code, authorities[0])
    corrections(store.path, {"requested": 6, "checked": 3, "approved": 9, "rejected": 2, "applied": 7})


def main() -> int:
    app = QApplication(sys.argv)
    apply_theme(app)
    with tempfile.TemporaryDirectory() as tmp:
        store = init_store(Path(tmp) / "demo.sqlite", "1021", "شعبه ۲۱ تهران", admin_password="admin1234")
        fill(store)
        window = MainWindow(ViewContext(store, find_actor(store, "supervisor")))
        window.resize(1440, 880)
        window.show()
        window.show_screen("statistics")
        out = ROOT / "docs" / "screenshots" / "statistics.png"

        def shoot() -> None:
            window.grab().save(str(out))
            print(out)
            app.quit()

        when_settled(shoot)
        app.exec()
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
