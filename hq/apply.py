"""What one pushed change does to the central record, by entity and operation.

A change with a person snapshot converges the central person on the branch's state (whatever
order or how many times events arrive); inquiry records and certificates are copied; workshops
and authorities become reference data republished to every other branch. An operation HQ does
not know is recorded and applied as nothing, so an older HQ accepts a newer branch's batches;
only a change that breaks a rule is refused (RuleBroken, rolled back to its savepoint).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert

from desktop.domain.errors import DomainError
from desktop.sync.wire import OutgoingChange, PersonSnapshot

from .changelog import LogRow, announce
from .conflicts import record_conflict
from .models import authority, certificate, inquiry_record, person, relationship, workshop


class RuleBroken(DomainError):
    """This change is refused; the rest of the batch goes on."""


def apply_change(conn: Connection, branch: str, change: OutgoingChange) -> None:
    if change.snapshot is not None:
        apply_snapshot(conn, branch, change.seq, change.snapshot)
    handler = HANDLERS.get(change.entity)
    if handler is not None:
        handler(conn, branch, change)


# --- persons ----------------------------------------------------------------------------------

def apply_snapshot(conn: Connection, branch: str, seq: int, snap: PersonSnapshot) -> None:
    owner = conn.execute(text("SELECT enrolled_branch FROM person WHERE id = :id"),
                         {"id": snap.id}).scalar()
    if (owner or snap.enrolled_branch) != branch:
        raise RuleBroken(
            f"پرونده این فرد از آن شعبه {owner or snap.enrolled_branch} است و فقط همان شعبه آن را"
            " تغییر می‌دهد.",
            f"person {snap.id} belongs to branch {owner or snap.enrolled_branch}; only it writes the"
            " record")
    _check_ssn_free(conn, snap)
    _check_numbers_free(conn, snap)
    _note_national_code_elsewhere(conn, branch, snap)
    _upsert_person(conn, seq, snap)
    _upsert_numbers(conn, branch, snap)
    _upsert_relationships(conn, branch, snap)


def _check_ssn_free(conn: Connection, snap: PersonSnapshot) -> None:
    if not snap.ssn:
        return
    holder = conn.execute(text("SELECT id FROM person WHERE ssn = :ssn AND id <> :id"),
                          {"ssn": snap.ssn, "id": snap.id}).scalar()
    if holder is not None:
        raise RuleBroken(f"شماره تامین اجتماعی {snap.ssn} در ستاد به فرد دیگری داده شده است.",
                         f"SSN {snap.ssn} already belongs to another person ({holder}) at HQ")


def _check_numbers_free(conn: Connection, snap: PersonSnapshot) -> None:
    values = list(snap.numbers.values())
    if not values:
        return
    taken = conn.execute(text("SELECT value FROM insurance_number WHERE value = ANY(:v)"
                              " AND person_id <> :id LIMIT 1"), {"v": values, "id": snap.id}).scalar()
    if taken is not None:
        raise RuleBroken(f"شماره بیمه {taken} در ستاد از آن فرد دیگری است.",
                         f"insurance number {taken} already belongs to another person at HQ")


def _note_national_code_elsewhere(conn: Connection, branch: str, snap: PersonSnapshot) -> None:
    """The same national code enrolled by another branch: recorded as a conflict, both persons
    kept — never settled by whose clock is later."""
    if not snap.national_code:
        return
    others = conn.execute(text(
        "SELECT DISTINCT enrolled_branch FROM person WHERE national_code = :nc AND id <> :id"
        " AND enrolled_branch <> :branch"),
        {"nc": snap.national_code, "id": snap.id, "branch": branch}).scalars().all()
    if others:
        record_conflict(conn, "national_code_enrolled_twice", snap.national_code,
                        snap.national_code, [branch, *others])


def _upsert_person(conn: Connection, seq: int, snap: PersonSnapshot) -> None:
    values = {
        "id": snap.id, "national_code": snap.national_code, "foreign_id": snap.foreign_id,
        "ssn": snap.ssn, "first_name": snap.first_name, "last_name": snap.last_name,
        "father_name": snap.father_name, "birth_date": snap.birth_date,
        "benefit_birth_date": snap.benefit_birth_date, "gender": snap.gender,
        "death_date": snap.death_date, "enrolled_branch": snap.enrolled_branch,
        "enrolled_at": snap.enrolled_at, "snapshot": snap.model_dump(mode="json"),
        "updated_from_seq": seq,
    }
    stmt = insert(person).values(**values)
    update = {k: stmt.excluded[k] for k in values if k not in ("id", "enrolled_branch")}
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                            set_={**update, "updated_at": text("now()")}))


def _upsert_numbers(conn: Connection, branch: str, snap: PersonSnapshot) -> None:
    rows = [{"value": v, "kind": k, "person_id": snap.id, "branch": branch}
            for k, v in snap.numbers.items()]
    if rows:
        conn.execute(text(
            "INSERT INTO insurance_number (value, kind, person_id, branch)"
            " VALUES (:value, :kind, :person_id, :branch) ON CONFLICT (value) DO NOTHING"), rows)


def _upsert_relationships(conn: Connection, branch: str, snap: PersonSnapshot) -> None:
    if not snap.relationships:
        return
    ids = [r.id for r in snap.relationships]
    foreign = conn.execute(text("SELECT id FROM relationship WHERE id = ANY(:ids)"
                                " AND person_id <> :pid LIMIT 1"), {"ids": ids, "pid": snap.id}).scalar()
    if foreign is not None:
        raise RuleBroken(f"رابطه {foreign} در ستاد از آن فرد دیگری است.",
                         f"relationship {foreign} belongs to another person at HQ")
    rows = [{"id": r.id, "person_id": snap.id, "branch": branch, "kind": r.kind, "start": r.start,
             "end": r.end, "end_reason": r.end_reason, "workshop_code": r.workshop_code,
             "insurance_number": r.insurance_number, "main_insured_ssn": r.main_insured_ssn,
             "medical_link": r.medical_link} for r in snap.relationships]
    stmt = insert(relationship)
    keep = ("kind", "start", "end", "end_reason", "workshop_code", "insurance_number",
            "main_insured_ssn", "medical_link")
    conn.execute(stmt.on_conflict_do_update(index_elements=["id"],
                                            set_={k: stmt.excluded[k] for k in keep}), rows)


# --- inquiry records and certificates -----------------------------------------------------------

def _field(change: OutgoingChange, name: str) -> Any:
    if name not in change.payload or change.payload[name] is None:
        raise RuleBroken(f"در تغییر {change.op} مقدار «{name}» نیست.",
                         f"{change.op} change lacks {name!r}")
    return change.payload[name]


def _timestamp(change: OutgoingChange, name: str) -> dt.datetime:
    raw = change.payload.get(name)
    try:
        return dt.datetime.fromisoformat(str(raw)) if raw else change.at
    except ValueError:
        raise RuleBroken(f"زمان «{name}» در تغییر {change.op} نادرست است.",
                         f"{change.op}: {name} is not an ISO time: {raw!r}") from None


def _inquiry_record(conn: Connection, branch: str, change: OutgoingChange) -> None:
    values = {"branch": branch, "seq": int(_field(change, "seq")),
              "tracking_code": str(_field(change, "tracking_code")),
              "hash": str(_field(change, "hash")), "prev_hash": str(_field(change, "prev_hash")),
              "state": str(_field(change, "state")), "authority": str(_field(change, "authority")),
              "national_code": str(_field(change, "national_code")),
              "at": _timestamp(change, "at"), "answer": str(_field(change, "answer"))}
    known = conn.execute(text("SELECT hash FROM inquiry_record WHERE tracking_code = :t"
                              " OR (branch = :b AND seq = :s)"),
                         {"t": values["tracking_code"], "b": branch, "s": values["seq"]}).scalars().all()
    if known and set(known) == {values["hash"]}:
        return  # the same record again (a restored store re-pushing it)
    if known:
        raise RuleBroken(
            f"ستاد رکورد دیگری با همین کد پیگیری یا شماره ردیف ({values['seq']}) دارد.",
            f"HQ holds a different inquiry record with tracking code {values['tracking_code']} or"
            f" seq {values['seq']}")
    conn.execute(insert(inquiry_record).values(**values))


def _certificate(conn: Connection, branch: str, change: OutgoingChange) -> None:
    if change.op != "certificate.issue":
        return  # verifications are recorded in received_change only
    code = str(_field(change, "tracking_code"))
    passcode_hash = str(_field(change, "passcode_hash"))
    known = conn.execute(text("SELECT passcode_hash FROM certificate WHERE tracking_code = :t"),
                         {"t": code}).scalar()
    if known == passcode_hash:
        return
    if known is not None:
        raise RuleBroken(f"ستاد گواهی دیگری با کد پیگیری {code} دارد.",
                         f"HQ holds a different certificate {code}")
    requested = change.payload.get("requested_on")
    conn.execute(insert(certificate).values(
        tracking_code=code, branch=branch, person_id=change.payload.get("person_id"),
        authority=change.payload.get("authority"), passcode_hash=passcode_hash,
        requested_on=dt.date.fromisoformat(str(requested)) if requested else None))


# --- reference data: republished to every other branch ------------------------------------------

def _workshop(conn: Connection, branch: str, change: OutgoingChange) -> None:
    if change.op != "workshop.add":
        return
    code = str(_field(change, "code"))
    data = {"code": code, "name": str(_field(change, "name")),
            "address": str(change.payload.get("address") or "")}
    added = conn.execute(insert(workshop).values(**data, origin_branch=branch)
                         .on_conflict_do_nothing().returning(workshop.c.code)).first()
    if added is not None:  # the first branch to add a code keeps it; later copies are dropped
        announce(conn, [LogRow("workshop", code, data, origin_branch=branch)])


def _authority(conn: Connection, branch: str, change: OutgoingChange) -> None:
    if change.op != "authority.add":
        return
    code = str(_field(change, "code"))
    data = {"code": code, "name": str(_field(change, "name")), "group": str(_field(change, "group"))}
    added = conn.execute(insert(authority).values(**data, origin_branch=branch)
                         .on_conflict_do_nothing().returning(authority.c.code)).first()
    if added is not None:
        announce(conn, [LogRow("authority", code, data, origin_branch=branch)])


HANDLERS = {
    "inquiry_record": _inquiry_record,
    "certificate": _certificate,
    "workshop": _workshop,
    "authority": _authority,
}
