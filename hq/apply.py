"""What pushed changes do to the central record, by entity and operation — checked, then written
set-wise.

A batch is applied in two steps. `Planner` reads, in a handful of set queries, what HQ holds for
every person, number, relationship, record and certificate the batch touches, and then takes the
changes in order: each is checked against that state (including what earlier changes of the same
batch did) and either refused (`RuleBroken`, listed in the acknowledgement) or folded into
`Writes`. `flush` then writes everything with one statement per table. A change with a person
snapshot converges the central person on the branch's state, whatever order or how many times
the events arrive; inquiry records and certificates are copied; workshops and authorities
become reference data republished to every other branch. An operation HQ does not know is
recorded and applied as nothing, so an older HQ accepts a newer branch's batches.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert

from desktop.domain.errors import DomainError
from desktop.sync.wire import OutgoingChange, PersonSnapshot

from .changelog import LogRow, announce
from .conflicts import record_conflict
from .models import authority, workshop


class RuleBroken(DomainError):
    """This change is refused; the rest of the batch goes on."""


@dataclass
class Writes:
    """Rows to write, in the order the changes were accepted (later snapshots win)."""

    persons: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    numbers: dict[str, dict[str, Any]] = field(default_factory=dict)
    relationships: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    inquiries: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    conflicts: dict[str, set[str]] = field(default_factory=dict)  # national code → branches
    references: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


Effect = Callable[[], None]


class Planner:
    """HQ's state for one batch's changes, kept current as the batch's own changes are accepted."""

    def __init__(self, conn: Connection, branch: str, changes: list[OutgoingChange]) -> None:
        self.branch = branch
        self.writes = Writes()
        snaps = [c.snapshot for c in changes if c.snapshot is not None]
        self.owner = _pairs(conn, "SELECT id, enrolled_branch FROM person WHERE id = ANY(:v)",
                            [s.id for s in snaps])
        self.ssn_holder = _pairs(conn, "SELECT ssn, id FROM person WHERE ssn = ANY(:v)",
                                 [s.ssn for s in snaps if s.ssn])
        self.number_holder = _pairs(conn, "SELECT value, person_id FROM insurance_number"
                                    " WHERE value = ANY(:v)", [v for s in snaps for v in s.numbers.values()])
        self.relationship_person = _pairs(conn, "SELECT id, person_id FROM relationship"
                                          " WHERE id = ANY(:v)", [r.id for s in snaps for r in s.relationships])
        self.elsewhere: dict[str, set[str]] = {}
        for nc, held_by in conn.execute(text(
                "SELECT national_code, enrolled_branch FROM person WHERE national_code = ANY(:v)"
                " AND enrolled_branch <> :b"),
                {"v": [s.national_code for s in snaps if s.national_code], "b": branch}):
            self.elsewhere.setdefault(nc, set()).add(held_by)
        records = [c.payload for c in changes if c.entity == "inquiry_record"]
        self.record_hash = _pairs(conn, "SELECT tracking_code, hash FROM inquiry_record"
                                  " WHERE tracking_code = ANY(:v)",
                                  [str(p.get("tracking_code")) for p in records])
        self.seq_hash: dict[int, str] = dict(conn.execute(text(
            "SELECT seq, hash FROM inquiry_record WHERE branch = :b AND seq = ANY(:v)"),
            {"b": branch, "v": [int(p["seq"]) for p in records if str(p.get("seq", "")).isdigit()]}
        ).tuples().all())
        self.passcode_hash = _pairs(conn, "SELECT tracking_code, passcode_hash FROM certificate"
                                    " WHERE tracking_code = ANY(:v)",
                                    [str(c.payload.get("tracking_code")) for c in changes
                                     if c.entity == "certificate"])

    def take(self, change: OutgoingChange, remember: dict[str, Any]) -> None:
        """Check the change (RuleBroken leaves everything as it was), then fold it in."""
        effects: list[Effect] = []
        if change.snapshot is not None:
            effects += self._person(change.seq, change.snapshot)
        handler = HANDLERS.get(change.entity)
        if handler is not None:
            effects += handler(self, change)
        for effect in effects:
            effect()
        self.writes.received.append(remember)

    # --- persons ------------------------------------------------------------------------------

    def _person(self, seq: int, snap: PersonSnapshot) -> list[Effect]:
        owner = self.owner.get(snap.id, snap.enrolled_branch)
        if owner != self.branch:
            raise RuleBroken(
                f"پرونده این فرد از آن شعبه {owner} است و فقط همان شعبه آن را تغییر می‌دهد.",
                f"person {snap.id} belongs to branch {owner}; only it writes the record")
        if snap.ssn and self.ssn_holder.get(snap.ssn, snap.id) != snap.id:
            raise RuleBroken(f"شماره تامین اجتماعی {snap.ssn} در ستاد به فرد دیگری داده شده است.",
                             f"SSN {snap.ssn} already belongs to another person"
                             f" ({self.ssn_holder[snap.ssn]}) at HQ")
        for value in snap.numbers.values():
            if self.number_holder.get(value, snap.id) != snap.id:
                raise RuleBroken(f"شماره بیمه {value} در ستاد از آن فرد دیگری است.",
                                 f"insurance number {value} already belongs to another person at HQ")
        for rel in snap.relationships:
            if self.relationship_person.get(rel.id, snap.id) != snap.id:
                raise RuleBroken(f"رابطه {rel.id} در ستاد از آن فرد دیگری است.",
                                 f"relationship {rel.id} belongs to another person at HQ")
        return [lambda: self._keep_person(seq, snap)]

    def _keep_person(self, seq: int, snap: PersonSnapshot) -> None:
        self.owner[snap.id] = self.branch
        if snap.ssn:
            self.ssn_holder[snap.ssn] = snap.id
        doc = snap.model_dump(mode="json")
        self.writes.persons[snap.id] = {
            **{k: doc[k] for k in PERSON_COLUMNS if k in doc}, "snapshot": doc,
            "updated_from_seq": seq}
        for kind, value in snap.numbers.items():
            self.number_holder[value] = snap.id
            self.writes.numbers.setdefault(value, {"value": value, "kind": kind,
                                                   "person_id": str(snap.id), "branch": self.branch})
        for rel, rel_doc in zip(snap.relationships, doc["relationships"], strict=True):
            self.relationship_person[rel.id] = snap.id
            self.writes.relationships[rel.id] = {**rel_doc, "person_id": str(snap.id),
                                                 "branch": self.branch}
        # The same national code enrolled by another branch: a conflict, both persons kept —
        # never settled by whose clock is later.
        others = self.elsewhere.get(snap.national_code or "")
        if others:
            self.writes.conflicts.setdefault(snap.national_code or "", {self.branch}).update(others)

    # --- inquiry records and certificates -----------------------------------------------------

    def inquiry_record(self, change: OutgoingChange) -> list[Effect]:
        row: dict[str, Any] = {"branch": self.branch, "seq": _whole(change, "seq"),
               "tracking_code": str(_field(change, "tracking_code")),
               "hash": str(_field(change, "hash")), "prev_hash": str(_field(change, "prev_hash")),
               "state": str(_field(change, "state")), "authority": str(_field(change, "authority")),
               "national_code": str(_field(change, "national_code")),
               "at": _timestamp(change, "at"), "answer": str(_field(change, "answer"))}
        known = {h for h in (self.record_hash.get(row["tracking_code"]),
                             self.seq_hash.get(row["seq"])) if h is not None}
        if known == {row["hash"]}:
            return []  # the same record again (a restored store re-pushing it)
        if known:
            raise RuleBroken(
                f"ستاد رکورد دیگری با همین کد پیگیری یا شماره ردیف ({row['seq']}) دارد.",
                f"HQ holds a different inquiry record with tracking code {row['tracking_code']}"
                f" or seq {row['seq']}")

        def keep() -> None:
            self.record_hash[row["tracking_code"]] = row["hash"]
            self.seq_hash[row["seq"]] = row["hash"]
            self.writes.inquiries.append(row)
        return [keep]

    def certificate(self, change: OutgoingChange) -> list[Effect]:
        if change.op != "certificate.issue":
            return []  # verifications are kept in received_change only
        code = str(_field(change, "tracking_code"))
        passcode_hash = str(_field(change, "passcode_hash"))
        known = self.passcode_hash.get(code)
        if known == passcode_hash:
            return []
        if known is not None:
            raise RuleBroken(f"ستاد گواهی دیگری با کد پیگیری {code} دارد.",
                             f"HQ holds a different certificate {code}")
        requested = change.payload.get("requested_on")
        row = {"tracking_code": code, "branch": self.branch,
               "person_id": change.payload.get("person_id"),
               "authority": change.payload.get("authority"), "passcode_hash": passcode_hash,
               "requested_on": str(requested) if requested else None}

        def keep() -> None:
            self.passcode_hash[code] = passcode_hash
            self.writes.certificates.append(row)
        return [keep]

    # --- reference data: republished to every other branch ------------------------------------

    def workshop(self, change: OutgoingChange) -> list[Effect]:
        if change.op != "workshop.add":
            return []
        data = {"code": str(_field(change, "code")), "name": str(_field(change, "name")),
                "address": str(change.payload.get("address") or "")}
        return [lambda: self.writes.references.append(("workshop", data))]

    def authority(self, change: OutgoingChange) -> list[Effect]:
        if change.op != "authority.add":
            return []
        data = {"code": str(_field(change, "code")), "name": str(_field(change, "name")),
                "group": str(_field(change, "group"))}
        return [lambda: self.writes.references.append(("authority", data))]


HANDLERS: dict[str, Callable[[Planner, OutgoingChange], list[Effect]]] = {
    "inquiry_record": Planner.inquiry_record,
    "certificate": Planner.certificate,
    "workshop": Planner.workshop,
    "authority": Planner.authority,
}

PERSON_COLUMNS = ("id", "national_code", "foreign_id", "ssn", "first_name", "last_name",
                  "father_name", "birth_date", "benefit_birth_date", "gender", "death_date",
                  "enrolled_branch", "enrolled_at")


def _pairs(conn: Connection, sql: str, values: Iterable[Any]) -> dict[Any, Any]:
    wanted = list(values)
    if not wanted:
        return {}
    return dict(conn.execute(text(sql), {"v": wanted}).tuples().all())


def _field(change: OutgoingChange, name: str) -> Any:
    if change.payload.get(name) is None:
        raise RuleBroken(f"در تغییر {change.op} مقدار «{name}» نیست.",
                         f"{change.op} change lacks {name!r}")
    return change.payload[name]


def _whole(change: OutgoingChange, name: str) -> int:
    raw = _field(change, name)
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise RuleBroken(f"«{name}» در تغییر {change.op} باید عدد باشد.",
                         f"{change.op}: {name} must be a whole number, not {raw!r}")
    return int(raw)


def _timestamp(change: OutgoingChange, name: str) -> str:
    raw = change.payload.get(name)
    try:
        return (dt.datetime.fromisoformat(str(raw)) if raw else change.at).isoformat()
    except ValueError:
        raise RuleBroken(f"زمان «{name}» در تغییر {change.op} نادرست است.",
                         f"{change.op}: {name} is not an ISO time: {raw!r}") from None


# --- writing: one statement per table --------------------------------------------------------

_PERSON = """
INSERT INTO person (id, national_code, foreign_id, ssn, first_name, last_name, father_name,
                    birth_date, benefit_birth_date, gender, death_date, enrolled_branch,
                    enrolled_at, snapshot, updated_from_seq)
SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    id uuid, national_code text, foreign_id text, ssn text, first_name text, last_name text,
    father_name text, birth_date date, benefit_birth_date date, gender text, death_date date,
    enrolled_branch text, enrolled_at timestamptz, snapshot jsonb, updated_from_seq bigint)
ON CONFLICT (id) DO UPDATE SET
    national_code = EXCLUDED.national_code, foreign_id = EXCLUDED.foreign_id, ssn = EXCLUDED.ssn,
    first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
    father_name = EXCLUDED.father_name, birth_date = EXCLUDED.birth_date,
    benefit_birth_date = EXCLUDED.benefit_birth_date, gender = EXCLUDED.gender,
    death_date = EXCLUDED.death_date, enrolled_at = EXCLUDED.enrolled_at,
    snapshot = EXCLUDED.snapshot, updated_from_seq = EXCLUDED.updated_from_seq, updated_at = now()
"""

_NUMBERS = """
INSERT INTO insurance_number (value, kind, person_id, branch)
SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb))
    AS r(value text, kind text, person_id uuid, branch text)
ON CONFLICT (value) DO NOTHING
"""

_RELATIONSHIPS = """
INSERT INTO relationship (id, person_id, branch, kind, start, "end", end_reason, workshop_code,
                          insurance_number, main_insured_ssn, medical_link)
SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    id uuid, person_id uuid, branch text, kind text, start date, "end" date, end_reason text,
    workshop_code text, insurance_number text, main_insured_ssn text, medical_link boolean)
ON CONFLICT (id) DO UPDATE SET
    kind = EXCLUDED.kind, start = EXCLUDED.start, "end" = EXCLUDED."end",
    end_reason = EXCLUDED.end_reason, workshop_code = EXCLUDED.workshop_code,
    insurance_number = EXCLUDED.insurance_number, main_insured_ssn = EXCLUDED.main_insured_ssn,
    medical_link = EXCLUDED.medical_link
"""

_RECEIVED = """
INSERT INTO received_change (branch, id, install_epoch, batch_seq, seq, entity, entity_id, op,
                             payload, at)
SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    branch text, id uuid, install_epoch text, batch_seq bigint, seq bigint, entity text,
    entity_id text, op text, payload jsonb, at timestamptz)
"""

_INQUIRIES = """
INSERT INTO inquiry_record (branch, seq, tracking_code, hash, prev_hash, state, authority,
                            national_code, at, answer)
SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    branch text, seq bigint, tracking_code text, hash text, prev_hash text, state text,
    authority text, national_code text, at timestamptz, answer text)
"""

_CERTIFICATES = """
INSERT INTO certificate (tracking_code, branch, person_id, authority, passcode_hash, requested_on)
SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
    tracking_code text, branch text, person_id uuid, authority text, passcode_hash text,
    requested_on date)
"""


def _bulk(conn: Connection, sql: str, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    if batch:
        conn.execute(text(sql), {"rows": json.dumps(batch, ensure_ascii=False, default=str)})


def flush(conn: Connection, branch: str, writes: Writes) -> None:
    _bulk(conn, _PERSON, writes.persons.values())
    _bulk(conn, _NUMBERS, writes.numbers.values())
    _bulk(conn, _RELATIONSHIPS, writes.relationships.values())
    _bulk(conn, _INQUIRIES, writes.inquiries)
    _bulk(conn, _CERTIFICATES, writes.certificates)
    _bulk(conn, _RECEIVED, writes.received)
    for national_code, branches in sorted(writes.conflicts.items()):
        record_conflict(conn, "national_code_enrolled_twice", national_code, national_code,
                        sorted(branches))
    for kind, data in writes.references:
        table = workshop if kind == "workshop" else authority
        added = conn.execute(insert(table).values(**data, origin_branch=branch)
                             .on_conflict_do_nothing().returning(table.c.code)).first()
        if added is not None:  # the first branch to add a code keeps it; later copies are dropped
            announce(conn, [LogRow(kind, data["code"], data, origin_branch=branch)])
