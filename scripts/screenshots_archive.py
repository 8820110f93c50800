"""Screenshots of the archive screen on a fresh store (run under Xvfb):

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_archive.py

Writes into docs/screenshots/:
- archive-dossier.png — a main insured's dossier: chapters, sections (his wife's papers in her
  own section), thumbnails, kind, version, Jalali date, who scanned it;
- archive-viewer.png — a two-page questionnaire in the viewer, with its version history;
- archive-checklist.png — the checklist: what his records require, missing ones in red.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QApplication, QWidget

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop.services.admin import init_store  # noqa: E402
from desktop.services.archive import add_paper  # noqa: E402
from desktop.services.dependants import add_dependant  # noqa: E402
from desktop.services.enrolment import enrol  # noqa: E402
from desktop.services.reference import add_registry_identities  # noqa: E402
from desktop.services.users import create_user, find_actor  # noqa: E402
from desktop.views import operations  # noqa: E402
from desktop.views.archive_screen import Screen  # noqa: E402
from desktop.views.context import ViewContext  # noqa: E402
from desktop.views.dialogs import install_qt_translations  # noqa: E402
from desktop.views.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PEOPLE = [
    {"national_code": "0023456787", "first_name": "مریم", "last_name": "صالحی", "father_name": "حسن",
     "birth_date": "1366/01/01", "gender": "female", "birth_certificate_number": "118", "place_of_issue": "قم"},
    {"national_code": "0034567895", "first_name": "علی", "last_name": "صالحی", "father_name": "رضا",
     "birth_date": "1362/07/20", "gender": "male", "birth_certificate_number": "731", "place_of_issue": "قم",
     "marriages": [{"spouse_national_code": "0023456787", "date": "1388/05/05"}]},
]


def settle(seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while operations.running() or time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def shot(widget: QWidget, name: str) -> None:
    settle()
    if not widget.grab().save(str(OUT / name)):
        raise OSError(f"could not save {OUT / name}")
    print(f"wrote {OUT / name}")


def paper(title: str, lines: list[str], tint: str, *, photo: bool = False, fmt: str = "PNG") -> bytes:
    """A scanned page, drawn: a title, ruled lines of text and (for a form) a photo box."""
    image = QImage(620, 860, QImage.Format.Format_RGB32)
    image.fill(QColor("#fbfaf6"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor(tint), 6))
    p.drawRect(24, 24, 572, 812)
    p.setFont(QFont("Vazirmatn", 22, QFont.Weight.Bold))
    p.setPen(QColor("#222"))
    p.drawText(QRect(40, 50, 540, 60), Qt.AlignmentFlag.AlignCenter, title)
    p.setFont(QFont("Vazirmatn", 13))
    y = 150
    for line in lines:
        p.drawText(QRect(60, y, 500, 40), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, line)
        p.setPen(QPen(QColor("#bbb"), 1))
        p.drawLine(60, y + 40, 560, y + 40)
        p.setPen(QColor("#222"))
        y += 56
    if photo:
        p.fillRect(60, 150, 120, 160, QColor(tint))
    p.end()
    raw = QByteArray()
    buffer = QBuffer(raw)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, fmt)
    return bytes(raw.data())


def portrait() -> bytes:
    image = QImage(360, 460, QImage.Format.Format_RGB32)
    image.fill(QColor("#d6e4f0"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#5d6d7e"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(120, 90, 120, 140)
    p.drawRoundedRect(70, 250, 220, 240, 90, 90)
    p.end()
    raw = QByteArray()
    buffer = QBuffer(raw)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG")
    return bytes(raw.data())


def questionnaire_pdf() -> bytes:
    """Two pages: the questionnaire as a scanner's PDF (page images)."""
    import io

    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595, 842))
    for n, rows in enumerate((["نام: علی", "نام خانوادگی: صالحی", "نام پدر: رضا", "کد ملی: ۰۰۳۴۵۶۷۸۹۵",
                               "تاریخ تولد: ۱۳۶۲/۰۷/۲۰"],
                              ["نشانی: قم، خیابان صفائیه", "تلفن همراه: ۰۹۱۲۱۲۳۴۵۶۷", "امضای متقاضی:"])):
        page = paper(f"پرسشنامه نامنویسی — صفحه {'۱۲'[n]}", rows, "#1f618d", photo=n == 0)
        c.drawImage(ImageReader(io.BytesIO(page)), 0, 0, 595, 842)
        c.showPage()
    c.save()
    return out.getvalue()


def main() -> int:
    app = QApplication(sys.argv)
    install_qt_translations(app)
    apply_theme(app)
    folder = Path(tempfile.mkdtemp(prefix="archive-shots-"))
    store = init_store(folder / "branch.sqlite", "1021", "شعبه ۲۱ تهران", admin_password="admin1234")
    admin = find_actor(store, "admin")
    add_registry_identities(store, admin, PEOPLE)
    clerk = create_user(store, admin, "shots_clerk", "سارا محمدی", "clerk", "password123")
    second = create_user(store, admin, "shots_clerk2", "رضا کاظمی", "clerk", "password123")
    supervisor = create_user(store, admin, "shots_super", "نرگس امینی", "supervisor", "password123")
    ali = enrol(store, clerk, {"national_code": "0034567895", "relationship": {"kind": "voluntary",
                                                                                "start": "1402/01/01"}},
                papers=[("questionnaire", "questionnaire.pdf", questionnaire_pdf(), "application/pdf")])
    wife = add_dependant(store, clerk, "0034567895", "0023456787", "wife", papers=[
        ("marriage_certificate", "marriage-page2.png",
         paper("صفحه دوم عقدنامه", ["زوج: علی صالحی", "زوجه: مریم صالحی", "تاریخ عقد: ۱۳۸۸/۰۵/۰۵"],
               "#7d3c98"), "image/png", {})])
    add_paper(store, second, ali.person_id, "questionnaire", "questionnaire-corrected.pdf", questionnaire_pdf(),
              "application/pdf")
    add_paper(store, clerk, ali.person_id, "correction_form", "correction.tif",
              paper("فرم درخواست اصلاح", ["دوره: ۱۴۰۲/۰۳", "واحد: شعبه ۲۱", "دلیل: دستمزد نادرست"], "#b9770e",
                    fmt="TIFF"), "image/tiff")
    del wife
    OUT.mkdir(parents=True, exist_ok=True)

    screen = Screen(ViewContext(store, supervisor))
    screen.setWindowTitle("آرشیو اسناد — میز شعبه")
    screen.resize(1360, 820)
    screen.show()
    screen.open_person(ali.person_id, "")
    settle(1.2)
    screen.split.setSizes([600, 760])
    # No photo yet: the checklist shows it missing, in red.
    screen.left.setCurrentWidget(screen.checklist)
    shot(screen, "archive-checklist.png")
    add_paper(store, second, ali.person_id, "photo", "photo.jpg", portrait(), "image/jpeg")
    settle(1.0)  # the dossier reloads from the change channel
    screen.left.setCurrentWidget(screen.tree)
    first = next(p for p in screen.dossier.latest() if p.kind == "photo") if screen.dossier else None
    if first is not None:
        screen.tree.select(first.identifier)
    settle(1.0)
    shot(screen, "archive-dossier.png")
    questionnaire = next(p for p in screen.dossier.latest() if p.kind == "questionnaire")
    screen.tree.select(questionnaire.identifier)
    settle(1.0)
    screen.viewer.next_page()
    settle(0.3)
    shot(screen, "archive-viewer.png")
    screen.close()
    settle()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
