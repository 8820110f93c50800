"""The typed person record: fields for screens and services, and `person --json` unchanged.

person_record_v1.json holds raw rows (as desktop.db.person_queries returns them) and the JSON
the dict-shaping code printed for them before the record was typed (generated from that code).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from desktop.services.people import DependantRow, PersonRecord, shape_person

GOLDEN = json.loads((Path(__file__).parent / "person_record_v1.json").read_text("utf-8"))


@pytest.mark.parametrize("case", sorted(GOLDEN["expected"]))
def test_person_json_is_byte_identical_to_before(case):
    name, role = case.split("/")
    record = shape_person(GOLDEN[name], role)
    assert isinstance(record, PersonRecord)
    assert json.dumps(record.as_json(), ensure_ascii=False) == GOLDEN["expected"][case]


def test_the_record_carries_dates_and_rows_as_fields():
    record = shape_person(GOLDEN["RAW"], "clerk")
    assert record.full_name == "مریم رضایی" and record.birth_date == dt.date(1985, 3, 21)
    assert [n.kind for n in record.numbers] == ["ssn", "permanent", "central_temporary"]
    assert [r.type_code for r in record.relationships] == ["mandatory", "wife", "self_employed"]
    wife = record.relationships[1]
    assert wife.main_insured_name == "حسن کریمی" and wife.medical_link and wife.end is None
    assert record.dependants[0] == DependantRow(
        "0002100200", "علی", "رضایی", "male", "son", "age", None, "123456789012",
        dt.date(2010, 5, 1), dt.date(2021, 3, 21), dt.date(2030, 5, 1), False)
    assert record.personal is not None and record.personal.blood_group == "A+"
    hidden = shape_person(GOLDEN["RAW"], "letter_staff").personal
    assert hidden is not None and hidden.blood_group is None and hidden.address == "تهران"
    assert shape_person(GOLDEN["FOREIGN"], "clerk").personal is None
