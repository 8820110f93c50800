"""Screenshots of the enrolment screen's changed steps on a fresh store (run under Xvfb):

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_enrolment.py

Writes into docs/screenshots/:
- enrolment-personal.png, enrolment-acquaintances.png — the personal-information step as a
  clerk sees it (number of dependants, health fields; two acquaintances further down);
- enrolment-main-from-dependant.png — the papers step of a person who holds an SSN only as a
  dependant and now starts as a main insured (the questionnaire is asked for);
- enrolment-done.png — the done page after «چاپ» on a machine without a printer;
- person_file-personal.png — that person's file, personal tab (health rows, acquaintances).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.services.admin import init_store  # noqa: E402
from desktop.services.dependants import add_dependant  # noqa: E402
from desktop.services.enrolment import enrol  # noqa: E402
from desktop.services.reference import add_registry_identities  # noqa: E402
from desktop.services.users import create_user, find_actor  # noqa: E402
from desktop.views import operations  # noqa: E402
from desktop.views.context import ViewContext  # noqa: E402
from desktop.views.dialogs import install_qt_translations  # noqa: E402
from desktop.views.enrolment_screen import CONFIRM, PAPERS, PERSONAL, Screen  # noqa: E402
from desktop.views.person_file import PersonFileDialog  # noqa: E402
from desktop.views.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PEOPLE = [
    {"national_code": "0012345679", "first_name": "زهرا", "last_name": "کریمی", "father_name": "محمود",
     "birth_date": "1368/02/14", "gender": "female", "birth_certificate_number": "4521", "place_of_issue": "تهران"},
    {"national_code": "0023456787", "first_name": "مریم", "last_name": "صالحی", "father_name": "حسن",
     "birth_date": "1366/01/01", "gender": "female", "birth_certificate_number": "118", "place_of_issue": "قم"},
    {"national_code": "0034567895", "first_name": "علی", "last_name": "صالحی", "father_name": "رضا",
     "birth_date": "1362/07/20", "gender": "male", "birth_certificate_number": "731", "place_of_issue": "قم",
     "marriages": [{"spouse_national_code": "0023456787", "date": "1388/05/05"}]},
]


def settle(seconds: float = 0.4) -> None:
    """Let background operations deliver and the window paint."""
    end = time.monotonic() + seconds
    while operations.running() or time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def shot(screen: QWidget, name: str) -> None:
    settle()
    if not screen.grab().save(str(OUT / name)):
        raise OSError(f"could not save {OUT / name}")
    print(f"wrote {OUT / name}")


def fresh_screen(ctx: ViewContext) -> Screen:
    screen = Screen(ctx)
    screen.setWindowTitle("نام‌نویسی — میز شعبه")
    screen.resize(1280, 800)
    screen.slip_printing.printer_names = lambda: []  # what a counter without a printer sees
    screen.slip_printing.offer_save = lambda: False
    screen.show()
    settle(0.8)
    return screen


def to_step(screen: Screen, number: str, kind: str, start: str) -> None:
    screen.number.number.setText(number)
    settle()
    screen.identity.seen.setChecked(True)
    screen.relationship.kind.setCurrentIndex(screen.relationship.kind.findData(kind))
    screen.relationship.start.setText(start)
    settle()


def main() -> int:
    app = QApplication(sys.argv)
    install_qt_translations(app)
    apply_theme(app)
    folder = Path(tempfile.mkdtemp(prefix="enrolment-shots-"))
    store = init_store(folder / "branch.sqlite", "1021", "شعبه ۲۱ تهران", admin_password="admin1234")
    admin = find_actor(store, "admin")
    add_registry_identities(store, admin, PEOPLE)
    clerk = create_user(store, admin, "shots_clerk", "سارا محمدی", "clerk", "password123")
    ctx = ViewContext(store, clerk)
    OUT.mkdir(parents=True, exist_ok=True)

    screen = fresh_screen(ctx)
    to_step(screen, "0012345679", "voluntary", "1404/09/01")
    screen.flow.show_page(PERSONAL)
    values = {"address": "تهران، خیابان آزادی، کوچه ۱۲، پلاک ۴", "mobile": "۰۹۱۲۱۲۳۴۵۶۷",
              "dependants_count": "۲", "special_disease": "دیابت نوع ۱", "medical_history": "جراحی زانو ۱۴۰۰",
              "acq.1.first_name": "رضا", "acq.1.last_name": "احمدی", "acq.1.national_code": "۰۰۱۲۳۴۵۶۷۹",
              "acq.1.address": "کرج، میدان آزادگان", "acq.1.mobile": "۰۹۳۵۱۲۳۴۵۶۷"}
    screen.personal.restore(values)
    screen.personal.add_acquaintance(focus=True)
    screen.personal.named["acq.2.first_name"].setText("مینا")
    screen.personal.named["acq.2.last_name"].setText("کاظمی")
    settle()
    bar = screen.personal.scroll_area.verticalScrollBar()
    bar.setValue(bar.maximum() * 2 // 5)  # the new rows: dependants, health, acquaintances
    shot(screen, "enrolment-personal.png")
    bar.setValue(bar.maximum())
    shot(screen, "enrolment-acquaintances.png")

    screen.flow.show_page(CONFIRM)
    screen.request = lambda: {"national_code": "0012345679",  # the personal step is shown above
                              "relationship": {"kind": "voluntary", "start": "1404/09/01"},
                              "personal": screen.personal.personal()}
    screen.submit()
    settle()
    screen.print_slip()
    shot(screen, "enrolment-done.png")
    person_id = screen.result.person_id if screen.result else None
    screen.close()

    dialog = PersonFileDialog(ctx, person_id)  # the file of the person just enrolled
    dialog.resize(1280, 800)
    dialog.show()
    settle(0.8)
    dialog.tabs.setCurrentIndex(2)  # personal information: health rows and acquaintances
    shot(dialog, "person_file-personal.png")
    dialog.close()

    husband = enrol(store, clerk, {"national_code": "0034567895",
                                   "relationship": {"kind": "voluntary", "start": "1400/01/01"}})
    add_dependant(store, clerk, "0034567895", "0023456787", "wife")
    assert husband.ssn
    screen = fresh_screen(ctx)
    to_step(screen, "0023456787", "voluntary", "1404/09/01")
    screen.flow.show_page(PAPERS)
    shot(screen, "enrolment-main-from-dependant.png")
    screen.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
