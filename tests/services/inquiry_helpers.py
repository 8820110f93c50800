"""People for inquiry tests on a real store: an active main insured with contacts, a dependant
of theirs, a person whose only relationship ended, and the two kinds of authority."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.jalali import from_jalali
from desktop.models import Person, PersonRole, Relationship
from desktop.services.enrolment import enrol
from desktop.services.reference import add_authority
from desktop.services.unit import mutation

from ..factories import identity, questionnaire

MAIN_ADDRESS = "تهران، خیابان انقلاب، کوچه یاس، پلاک ۱۲"
MAIN_PHONE = "02166554433"
WORKSHOP_ADDRESS = "تهران، جاده مخصوص، کیلومتر ۹"
CONTACTS = (MAIN_ADDRESS, MAIN_PHONE, WORKSHOP_ADDRESS)


@dataclass
class Cast:
    main: str
    dependant: str
    ended: str
    stranger: str


def setup_cast(store, admin, registered) -> Cast:
    add_authority(store, admin, "F1", "صندوق بازنشستگی کشوری", "fund")
    add_authority(store, admin, "J1", "دادگستری تهران", "judicial")
    from desktop.services.reference import add_workshops
    add_workshops(store, admin, {"code": "1234567890", "name": "کارخانه نمونه", "address": WORKSHOP_ADDRESS})
    main = registered(first_name="حسن", last_name="کریمی")
    enrol(store, admin, questionnaire(
        main["national_code"], relationship={"kind": "mandatory", "start": "1400/01/01", "workshop_code": "1234567890"},
        personal={"address": MAIN_ADDRESS, "phone": MAIN_PHONE}))
    ended = registered(first_name="زهرا", last_name="احمدی", gender="female")
    enrol(store, admin, questionnaire(ended["national_code"], relationship={
        "kind": "voluntary", "start": "1398/01/01", "end": "1401/06/31"},
        personal={"address": "قم، خیابان ارم", "phone": "02537777777"}))
    dependant = identity(first_name="مریم", last_name="کریمی", gender="female")
    add_dependant(store, admin, main["national_code"], dependant["national_code"], "wife", "1401/01/01")
    return Cast(main["national_code"], dependant["national_code"], ended["national_code"], identity()["national_code"])


def add_dependant(store, admin, main_nc: str, nc: str, relation: str, start: str) -> None:
    """The dependant service is another feature's; the rows it would write are written directly."""
    with mutation(store, admin, "dependant.add") as unit:
        s = unit.session
        main = s.query(Person).filter_by(national_code=main_nc).one()
        day = from_jalali(*map(int, start.split("/")))
        person = Person(national_code=nc, ssn=f"9{nc[1:]}", first_name="مریم", last_name="کریمی",
                        father_name="علی", birth_date=from_jalali(1370, 1, 1), benefit_birth_date=from_jalali(1370, 1, 1),
                        gender="female", enrolled_branch="1021", name_key="کریمی مریم")
        s.add(person)
        s.flush()
        s.add(PersonRole(person_id=person.id, role="dependant", since=day))
        s.add(Relationship(person_id=person.id, type_code=relation, start=day, insurance_number="OO00000099",
                           branch_code="1021", main_insured_id=main.id))


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The letter's text as a reader would search it: shaped forms folded (NFKC), bidi marks
    dropped, digits in ASCII — so a phone number or an address is found whatever its script."""
    import re
    import subprocess
    import unicodedata

    from desktop.domain.text import ascii_digits

    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return ascii_digits(re.sub("[\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", unicodedata.normalize("NFKC", raw)))
