"""A push batch as encoded for the wire (outbox.build_batch: raw sqlite3 reads, each snapshot's
JSON mostly written by SQLite — desktop/sync/snapshot_text.py) is the batch a straightforward
reading of the ORM models gives, change for change, on a realistic store: a demo branch's
households (main insured of every kind, dependants, ended links, workshops, several numbers)
plus the rare shapes — death dates, foreign ids, no or partial contact details, a retired and a
doubled number, a medical link off, names needing JSON escapes, values stored in text SQLAlchemy
parses but the SQL path does not convert, and entity ids in every form uuid.UUID accepts."""

from __future__ import annotations

import json
import uuid
from typing import Any

import orjson
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from desktop.models import (
    InsuranceNumber,
    OutboxEntry,
    Person,
    PersonalInfo,
    PersonRole,
    Relationship,
    Workshop,
    utcnow,
    uuid7,
)
from desktop.services.actor import Actor
from desktop.services.demo import fill_demo
from desktop.services.store import Store
from desktop.sync import snapshot, snapshot_text
from desktop.sync.outbox import assign_batch, build_batch, read_ahead
from desktop.sync.snapshot import person_snapshots, snapshot_documents
from desktop.sync.snapshot_text import snapshot_texts
from desktop.sync.wire import (
    OutgoingChange,
    PersonContact,
    PersonSnapshot,
    PushBatch,
    RelationshipRecord,
)


def _reference_snapshot(s: Session, person: Person) -> PersonSnapshot:
    """The snapshot read the plain ORM way, one person at a time."""
    numbers = s.scalars(select(InsuranceNumber).where(InsuranceNumber.person_id == person.id,
                                                      InsuranceNumber.retired_at.is_(None))
                        .order_by(InsuranceNumber.issued_at)).all()
    links = s.scalars(select(Relationship).where(Relationship.person_id == person.id)
                      .order_by(Relationship.start, Relationship.created_at)).all()
    info = s.get(PersonalInfo, person.id)
    contact = None
    if info is not None and (info.address or info.phone or info.mobile):
        contact = PersonContact(address=info.address, phone=info.phone, mobile=info.mobile)
    return PersonSnapshot(
        id=person.id, national_code=person.national_code, foreign_id=person.foreign_id, ssn=person.ssn,
        first_name=person.first_name, last_name=person.last_name, father_name=person.father_name,
        birth_date=person.birth_date, benefit_birth_date=person.benefit_birth_date, gender=person.gender,
        death_date=person.death_date, enrolled_branch=person.enrolled_branch, enrolled_at=person.enrolled_at,
        roles=sorted(set(s.scalars(select(PersonRole.role).where(PersonRole.person_id == person.id)))),
        numbers={n.kind: n.value for n in numbers},
        relationships=[_reference_link(s, link) for link in links], contact=contact)


def _reference_link(s: Session, link: Relationship) -> RelationshipRecord:
    workshop = s.get(Workshop, link.workshop_id) if link.workshop_id else None
    main = s.get(Person, link.main_insured_id) if link.main_insured_id else None
    return RelationshipRecord(
        id=link.id, kind=link.type_code, start=link.start, end=link.end, end_reason=link.end_reason,
        workshop_code=workshop.code if workshop else None, insurance_number=link.insurance_number,
        main_insured_ssn=main.ssn if main else None, medical_link=link.medical_link)


def _reference_changes(store: Store, batch_seq: int) -> list[OutgoingChange]:
    changes = []
    with store.sessions() as s:
        for row in s.scalars(select(OutboxEntry).where(OutboxEntry.batch_seq == batch_seq)
                             .order_by(OutboxEntry.seq)):
            person = _person_of(s, row.entity, row.entity_id)
            changes.append(OutgoingChange(
                id=row.id, seq=row.seq, at=row.at, entity=row.entity, entity_id=row.entity_id,
                op=row.op, payload=json.loads(row.payload),
                snapshot=_reference_snapshot(s, person) if person else None))
    return changes


def _person_of(s: Session, entity: str, entity_id: str) -> Person | None:
    try:
        key = uuid.UUID(entity_id)
    except ValueError:
        return None
    if entity == "person":
        return s.get(Person, key)
    if entity == "relationship":
        link = s.get(Relationship, key)
        return s.get(Person, link.person_id) if link else None
    return None


def _row(entity: str, entity_id: str, op: str = "person.update") -> dict[str, Any]:
    return {"id": uuid7(), "at": utcnow(), "entity": entity, "entity_id": entity_id, "op": op,
            "payload": json.dumps({"note": "نمونه", "n": 1.5, "nested": {"a": [1, None]}}, ensure_ascii=False)}


def _rare_shapes(store: Store) -> dict[str, str]:
    """Persons given the shapes a demo store lacks; {what: person id as 32 hex digits}."""
    with store.sessions() as s:
        main = s.execute(text("SELECT p.id FROM person p JOIN relationship r ON r.person_id = p.id"
                              " WHERE r.main_insured_id IS NULL ORDER BY p.id LIMIT 8")).scalars().all()
        dependant = s.execute(text("SELECT person_id FROM relationship WHERE main_insured_id IS NOT NULL"
                                   " ORDER BY person_id LIMIT 2")).scalars().all()
    shapes = dict(zip(("dead", "foreign", "no_contact", "phone_only", "numbers", "escapes",
                       "week_date", "t_time"), main, strict=True))
    shapes.update(zip(("medical_off", "odd_start"), dependant, strict=True))
    now = utcnow()
    with store.engine.begin() as conn:
        run = conn.exec_driver_sql
        run("UPDATE person SET death_date = '2024-03-05' WHERE id = ?", (shapes["dead"],))
        run("UPDATE person SET national_code = NULL, foreign_id = '123456789012' WHERE id = ?", (shapes["foreign"],))
        run("DELETE FROM personal_info WHERE person_id = ?", (shapes["no_contact"],))
        run("UPDATE personal_info SET address = '', phone = '02155556666', mobile = NULL WHERE person_id = ?",
            (shapes["phone_only"],))
        run("UPDATE person SET first_name = ?, father_name = ? WHERE id = ?",
            ('ع"لی\\\n\t\x01/', "حسن\u2028", shapes["escapes"]))
        # What SQLAlchemy still parses (date.fromisoformat, datetime.fromisoformat) but is not
        # the text the SQL path passes through: the person is encoded the dict way.
        run("UPDATE person SET birth_date = '1990-W05-3' WHERE id = ?", (shapes["week_date"],))
        run("UPDATE person SET enrolled_at = '2020-01-02T03:04:05+00:00' WHERE id = ?", (shapes["t_time"],))
        run("UPDATE relationship SET start = '2019-W01-1' WHERE person_id = ?", (shapes["odd_start"],))
        run("UPDATE relationship SET medical_link = 0 WHERE person_id = ?", (shapes["medical_off"],))
        run("UPDATE relationship SET medical_link = 2 WHERE person_id = ?", (shapes["dead"],))
        # Two current numbers of one kind (the newer one wins) and a retired one (not sent).
        numbers = [{"id": uuid7(), "person_id": uuid.UUID(shapes["numbers"]), "kind": kind, "value": value,
                    "branch_code": "1021", "issued_at": at, "retired_at": retired}
                   for kind, value, at, retired in (
                       ("branch_temporary", "X100000001", now.replace(year=2001), None),
                       ("branch_temporary", "X100000002", now.replace(year=2002), None),
                       ("permanent", "X100000003", now.replace(year=2000), now))]
        conn.execute(insert(InsuranceNumber), numbers)
    return shapes


def _outbox(store: Store, shapes: dict[str, str]) -> None:
    """A change per person and per relationship, some twice, and ids in every accepted form."""
    with store.sessions() as s:
        persons = s.execute(text("SELECT id FROM person")).scalars().all()
        links = s.execute(text("SELECT id FROM relationship")).scalars().all()
    rows = [_row("person", str(uuid.UUID(p)), "person.enrol") for p in persons]
    rows += [_row("relationship", str(uuid.UUID(r)), "dependant.add") for r in links]
    some, link = shapes["numbers"], links[0]
    rows += [_row("person", some.upper()), _row("person", "{" + str(uuid.UUID(some)) + "}"),
             _row("person", some), _row("person", f"urn:uuid:{uuid.UUID(some)}"),
             _row("relationship", str(uuid.UUID(link)).upper()), _row("relationship", link),
             _row("person", "not-a-uuid"), _row("person", str(uuid.uuid4())),
             _row("relationship", str(uuid.uuid4())), _row("authority", "A1021", "authority.add"),
             _row("inquiry_record", "1021000000001", "inquiry.answer")]
    with store.engine.begin() as conn:
        conn.execute(insert(OutboxEntry), rows)


@pytest.fixture
def filled(store: Store, admin: Actor) -> dict[str, str]:
    fill_demo(store, admin, persons=600, seed=7)
    shapes = _rare_shapes(store)
    _outbox(store, shapes)
    return shapes


def test_every_batch_is_the_batch_the_orm_models_give(store: Store, filled: dict[str, str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Small chunks: a batch's persons span several queries of each kind.
    monkeypatch.setattr(snapshot, "CHUNK", 97)
    monkeypatch.setattr(snapshot_text, "CHUNK", 97)
    sizes, snapshots = [], 0
    while True:
        with store.sessions() as s:
            ahead = read_ahead(s, limit=300)
        with store.sessions() as s, s.begin():
            seq = assign_batch(s, limit=300)
            if seq is None:
                break
            s.execute(text("UPDATE outbox SET acked_at = :now WHERE batch_seq = :seq"),
                      {"now": utcnow(), "seq": seq})  # the next assign_batch cuts a new batch
        with store.sessions() as s:
            built = build_batch(s, "1021", seq)
        with store.sessions() as s:
            ahead_built = build_batch(s, "1021", seq, ahead)
        batch = PushBatch.model_validate_json(built.body)
        assert ahead_built.body == built.body
        assert batch.changes == _reference_changes(store, seq)
        sizes.append(len(batch.changes))
        snapshots += sum(1 for c in batch.changes if c.snapshot is not None)
    assert sum(sizes) > 1000 and snapshots > 1000 and len(sizes) > 3


def test_the_sql_text_is_byte_for_byte_the_dicts_encoding(store: Store, filled: dict[str, str]) -> None:
    """Besides equal models: the same bytes as orjson writes of snapshot_documents' dicts (what
    every earlier branch sent), for the persons the SQL path encodes and the ones it leaves to
    the dict path alike."""
    with store.sessions() as s:
        keys = s.execute(text("SELECT id FROM person")).scalars().all()
        texts = snapshot_texts(s, [*keys, uuid.uuid4().hex])
        dicts = snapshot_documents(s, keys)
    assert texts.keys() == dicts.keys() == set(keys)
    assert {k: orjson.dumps(v) for k, v in texts.items()} == {k: orjson.dumps(v) for k, v in dicts.items()}
    odd = {k for k, v in texts.items() if isinstance(v, dict)}
    assert odd == {filled["week_date"], filled["odd_start"]}  # the SQL path converts the rest
    escaped = PersonSnapshot.model_validate_json(orjson.dumps(texts[filled["escapes"]]))
    assert escaped.first_name == 'ع"لی\\\n\t\x01/'
    dead = PersonSnapshot.model_validate_json(orjson.dumps(texts[filled["dead"]]))
    assert dead.death_date is not None and all(link.medical_link for link in dead.relationships)


def test_person_snapshots_are_the_orm_models_snapshots(store: Store, filled: dict[str, str]) -> None:
    """person_snapshots (validated models, for callers other than the push) reads the same way."""
    with store.sessions() as s:
        ids = [uuid.UUID(k) for k in s.execute(text("SELECT id FROM person ORDER BY id")).scalars()]
        models = person_snapshots(s, [*ids, uuid.uuid4()])
        reference = {pid: _reference_snapshot(s, s.get_one(Person, pid)) for pid in ids}
    assert models == reference
