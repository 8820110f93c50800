"""What pushed changes do to the central record, by entity and operation — checked, then written
set-wise.

A batch is applied in two steps. `Planner` reads, in a handful of set queries, what HQ holds for
every person, number, relationship, record and certificate the batch touches, and then takes the
changes in order: each is checked against that state (including what earlier changes of the same
batch did) and either refused (`RuleBroken`, listed in the acknowledgement) or folded into
`Writes`. `flush` then writes everything with one COPY (new rows) or UPDATE (rows HQ
already holds) per table. A change with a person
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
from typing import Any, TypeVar

import orjson
import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DataError, IntegrityError

from desktop.domain.errors import DomainError
from desktop.domain.text import persian_digits
from desktop.sync.wire import OutgoingChange, PersonSnapshot, RelationshipRecord

from .changelog import LogRow, announce
from .conflicts import record_conflict
from .digits import is_whole
from .models import authority, workshop
from .panel import PANEL_PREFIX


class RuleBroken(DomainError):
    """This change is refused; the rest of the batch goes on."""


@dataclass
class Writes:
    """Rows to write, in the order the changes were accepted (later snapshots win)."""

    persons: dict[uuid.UUID, tuple[int, PersonSnapshot]] = field(default_factory=dict)
    known_persons: set[uuid.UUID] = field(default_factory=set)  # already at HQ: updated, not added
    numbers: dict[str, tuple[str, uuid.UUID]] = field(default_factory=dict)  # new ones only
    relationships: dict[uuid.UUID, tuple[uuid.UUID, RelationshipRecord]] = field(default_factory=dict)
    known_relationships: set[uuid.UUID] = field(default_factory=set)
    received: list[tuple[Any, ...]] = field(default_factory=list)
    inquiries: list[dict[str, Any]] = field(default_factory=list)
    certificates: list[dict[str, Any]] = field(default_factory=list)
    conflicts: dict[str, set[str]] = field(default_factory=dict)  # national code → branches
    references: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


Effect = Callable[[], None]
K = TypeVar("K")
V = TypeVar("V")


class Planner:
    """HQ's state for one batch's changes, kept current as the batch's own changes are accepted."""

    def __init__(self, conn: Connection, branch: str, changes: list[OutgoingChange]) -> None:
        self.branch = branch
        snaps = [c.snapshot for c in changes if c.snapshot is not None]
        self.owner: dict[uuid.UUID, str] = {}  # person id → enrolling branch
        self.ssn_holder: dict[str, uuid.UUID] = {}
        self.elsewhere: dict[str, set[str]] = {}  # national code → other branches holding it
        self._read_persons(conn, snaps)
        self.number_holder = _pairs(conn, "SELECT value, person_id FROM insurance_number"
                                    " WHERE value = ANY(CAST(:v AS text[]))",
                                    [v for s in snaps for v in s.numbers.values()])
        self.relationship_person = _pairs(conn, "SELECT id, person_id FROM relationship"
                                          " WHERE id = ANY(CAST(:v AS uuid[]))",
                                          [r.id.hex for s in snaps for r in s.relationships])
        self.writes = Writes(known_persons=set(self.owner),
                             known_relationships=set(self.relationship_person))
        records = [c.payload for c in changes if c.entity == "inquiry_record"]
        self.record_hash = _pairs(conn, "SELECT tracking_code, hash FROM inquiry_record"
                                  " WHERE tracking_code = ANY(CAST(:v AS text[]))",
                                  [str(p.get("tracking_code")) for p in records])
        self.seq_hash: dict[int, str] = _pairs(
            conn, "SELECT seq, hash FROM inquiry_record WHERE branch = :b"
            " AND seq = ANY(CAST(:v AS bigint[]))",
            [int(p["seq"]) for p in records if is_whole(str(p.get("seq", "")))], b=branch)
        self.passcode_hash = _pairs(conn, "SELECT tracking_code, passcode_hash FROM certificate"
                                    " WHERE tracking_code = ANY(CAST(:v AS text[]))",
                                    [str(c.payload.get("tracking_code")) for c in changes
                                     if c.entity == "certificate"])

    def _read_persons(self, conn: Connection, snaps: list[PersonSnapshot]) -> None:
        """Owners, SSN holders and other branches' holders of the same national codes, in one
        query (three index scans OR-ed together)."""
        if not snaps:
            return
        ids = {s.id for s in snaps}
        ssns = {s.ssn for s in snaps if s.ssn}
        codes = {s.national_code for s in snaps if s.national_code}
        rows = conn.execute(text(
            "SELECT id, enrolled_branch, ssn, national_code FROM person"
            " WHERE id = ANY(CAST(:ids AS uuid[])) OR ssn = ANY(CAST(:ssns AS text[]))"
            " OR national_code = ANY(CAST(:codes AS text[]))"),
            {"ids": uuid_array(ids), "ssns": pg_array(ssns), "codes": pg_array(codes)})
        for pid, held_by, ssn, code in rows:
            if pid in ids:
                self.owner[pid] = held_by
            if ssn in ssns:
                self.ssn_holder[ssn] = pid
            if code in codes and held_by != self.branch:
                self.elsewhere.setdefault(code, set()).add(held_by)

    def take(self, change: OutgoingChange, remember: tuple[Any, ...]) -> None:
        """Check the change (RuleBroken leaves everything as it was), then fold it in."""
        snap = change.snapshot
        if snap is not None:
            self._check_person(snap)
        handler = HANDLERS.get(change.entity)
        effects = handler(self, change) if handler is not None else ()
        # Every check has passed: only now does anything change (the person first, as before).
        if snap is not None:
            self._keep_person(change.seq, snap)
        for effect in effects:
            effect()
        self.writes.received.append(remember)

    # --- persons ------------------------------------------------------------------------------

    # A person change is checked and kept in two plain calls (no closures): `take` runs once per
    # change, tens of thousands per push, and each pydantic attribute read or UUID hash (a Python
    # method) counts; "no holder yet" is told by None, not by comparing the id with itself.
    def _check_person(self, snap: PersonSnapshot) -> None:
        pid = snap.id
        owner = self.owner.get(pid, snap.enrolled_branch)
        if owner != self.branch:
            raise RuleBroken(
                f"پرونده این فرد از آن شعبه {persian_digits(owner)} است و فقط همان شعبه آن را تغییر می‌دهد.",
                f"person {pid} belongs to branch {owner}; only it writes the record")
        ssn = snap.ssn
        if ssn and (holder := self.ssn_holder.get(ssn)) is not None and holder != pid:
            raise RuleBroken(f"شماره تامین اجتماعی {persian_digits(ssn)} در ستاد به فرد دیگری داده شده است.",
                             f"SSN {ssn} already belongs to another person ({holder}) at HQ")
        for value in snap.numbers.values():
            if (holder := self.number_holder.get(value)) is not None and holder != pid:
                raise RuleBroken(f"شماره بیمه {persian_digits(value)} در ستاد از آن فرد دیگری است.",
                                 f"insurance number {value} already belongs to another person at HQ")
        for rel in snap.relationships:
            if (holder := self.relationship_person.get(rel.id)) is not None and holder != pid:
                raise RuleBroken(f"رابطه {rel.id} در ستاد از آن فرد دیگری است.",
                                 f"relationship {rel.id} belongs to another person at HQ")

    def _keep_person(self, seq: int, snap: PersonSnapshot) -> None:
        pid, ssn, writes = snap.id, snap.ssn, self.writes
        self.owner[pid] = self.branch
        if ssn:
            self.ssn_holder[ssn] = pid
        writes.persons[pid] = (seq, snap)
        for kind, value in snap.numbers.items():
            if value not in self.number_holder:
                self.number_holder[value] = pid
                writes.numbers[value] = (kind, pid)
        for rel in snap.relationships:
            self.relationship_person[rel.id] = pid
            writes.relationships[rel.id] = (pid, rel)
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
        if row["tracking_code"].startswith(PANEL_PREFIX):
            raise RuleBroken("کدهای پیگیری ۹۹۹۹… از آن ستاد است، نه شعبه.",
                             f"tracking code {row['tracking_code']} is in headquarters' range")
        known = {h for h in (self.record_hash.get(row["tracking_code"]),
                             self.seq_hash.get(row["seq"])) if h is not None}
        if known == {row["hash"]}:
            return []  # the same record again (a restored store re-pushing it)
        if known:
            raise RuleBroken(
                f"ستاد رکورد دیگری با همین کد پیگیری یا شماره ردیف ({persian_digits(row['seq'])}) دارد.",
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
            raise RuleBroken(f"ستاد گواهی دیگری با کد پیگیری {persian_digits(code)} دارد.",
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

def pg_array(values: Iterable[object]) -> str:
    """A PostgreSQL array literal, each element quoted. Sent as one text parameter and cast in
    SQL: psycopg's per-element array adaptation costs more than the query it feeds."""
    texts = [str(v) for v in values]
    plain = ",".join(texts)  # one scan in C: ids and codes have nothing to escape
    if '"' in plain or "\\" in plain:
        texts = [t.replace("\\", "\\\\").replace('"', '\\"') for t in texts]
    return '{"' + '","'.join(texts) + '"}' if texts else "{}"


def uuid_array(ids: Iterable[uuid.UUID]) -> str:
    """A uuid[] literal of 32 hex digits each (nothing to quote). `UUID.hex` formats the integer
    in one step; str(UUID) slices it into five groups in Python, three times the cost, and a
    push sends tens of thousands of ids."""
    return "{" + ",".join([u.hex for u in ids]) + "}"


def dump_json(value: Any) -> str:
    """JSON text for a json column: orjson (several times the stdlib's speed, and a push writes
    one per change), the stdlib for what orjson refuses (an integer beyond 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False)


def _pairs(conn: Connection, sql: str, values: Iterable[Any], **params: Any) -> dict[Any, Any]:
    """{first column: second column} for the rows matching `values` (no query when none)."""
    wanted = list(values)
    if not wanted:
        return {}
    return {k: v for k, v in conn.execute(text(sql), {"v": pg_array(wanted), **params})}


def _field(change: OutgoingChange, name: str) -> Any:
    if change.payload.get(name) is None:
        raise RuleBroken(f"در تغییر {change.op} مقدار «{name}» نیست.",
                         f"{change.op} change lacks {name!r}")
    return change.payload[name]


def _whole(change: OutgoingChange, name: str) -> int:
    raw = _field(change, name)
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not is_whole(str(raw)):
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


# --- writing: COPY for new rows, one UPDATE per table for rows HQ already holds ----------------

PERSON_COPY = ("id", "national_code", "foreign_id", "ssn", "first_name", "last_name", "father_name",
               "birth_date", "benefit_birth_date", "gender", "death_date", "enrolled_branch",
               "enrolled_at", "snapshot", "updated_from_seq")
RELATIONSHIP_COPY = ("id", "person_id", "branch", "kind", "start", "end", "end_reason",
                     "workshop_code", "insurance_number", "main_insured_ssn", "medical_link")
RECEIVED_COPY = ("branch", "id", "install_epoch", "batch_seq", "seq", "entity", "entity_id", "op",
                 "payload", "at")

_PERSON_UPDATE = """
UPDATE person p SET
    national_code = r.national_code, foreign_id = r.foreign_id, ssn = r.ssn,
    first_name = r.first_name, last_name = r.last_name, father_name = r.father_name,
    birth_date = r.birth_date, benefit_birth_date = r.benefit_birth_date, gender = r.gender,
    death_date = r.death_date, enrolled_at = r.enrolled_at, snapshot = r.snapshot,
    updated_from_seq = r.updated_from_seq, updated_at = now()
FROM json_to_recordset(CAST(:rows AS json)) AS r(
    id uuid, national_code text, foreign_id text, ssn text, first_name text, last_name text,
    father_name text, birth_date date, benefit_birth_date date, gender text, death_date date,
    enrolled_branch text, enrolled_at timestamptz, snapshot json, updated_from_seq bigint)
WHERE p.id = r.id
"""

_RELATIONSHIP_UPDATE = """
UPDATE relationship t SET
    kind = r.kind, start = r.start, "end" = r."end", end_reason = r.end_reason,
    workshop_code = r.workshop_code, insurance_number = r.insurance_number,
    main_insured_ssn = r.main_insured_ssn, medical_link = r.medical_link
FROM json_to_recordset(CAST(:rows AS json)) AS r(
    id uuid, person_id uuid, branch text, kind text, start date, "end" date, end_reason text,
    workshop_code text, insurance_number text, main_insured_ssn text, medical_link boolean)
WHERE t.id = r.id
"""

INQUIRY_COPY = ("branch", "seq", "tracking_code", "hash", "prev_hash", "state", "authority",
                "national_code", "at", "answer")
CERTIFICATE_COPY = ("tracking_code", "branch", "person_id", "authority", "passcode_hash",
                    "requested_on")


def _copy(conn: Connection, table: str, columns: Iterable[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY rows in: the cheapest way into PostgreSQL. A unique key refused is reported as
    SQLAlchemy's IntegrityError, and a value PostgreSQL cannot store (a time zone offset beyond
    ±15:59, a NUL character) as its DataError, like every other statement here."""
    batch = list(rows)
    if not batch:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    assert raw is not None  # a live connection inside the push transaction
    try:
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in batch:
                copy.write_row(row)
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(f"COPY {table}", None, exc) from exc
    except psycopg.errors.DataError as exc:
        raise DataError(f"COPY {table}", None, exc) from exc


def _update(conn: Connection, sql: str, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(text(sql), {"rows": json.dumps(rows, ensure_ascii=False, default=str)})


# In the rows below a UUID goes as its hex text: psycopg's UUID dumper is Python, called per
# value from its C row formatter; the text goes through its C str dumper.
def _person_row(seq: int, snap: PersonSnapshot) -> tuple[Any, ...]:
    return (snap.id.hex, snap.national_code, snap.foreign_id, snap.ssn, snap.first_name, snap.last_name,
            snap.father_name, snap.birth_date, snap.benefit_birth_date, snap.gender,
            snap.death_date, snap.enrolled_branch, snap.enrolled_at, _snapshot_json(snap), seq)


def _snapshot_json(snap: PersonSnapshot) -> str:
    """`snap.model_dump_json()`, the same text: the model's serializer called directly skips
    model_dump_json's per-call option handling, a fifth of its cost per person."""
    return snap.__pydantic_serializer__.to_json(snap).decode()


def _relationship_row(branch: str, person_id: uuid.UUID, r: RelationshipRecord) -> tuple[Any, ...]:
    return (r.id.hex, person_id.hex, branch, r.kind, r.start, r.end, r.end_reason, r.workshop_code,
            r.insurance_number, r.main_insured_ssn, r.medical_link)


def _new_and_known(rows: dict[K, V], known: set[K]) -> tuple[list[V], list[V]]:
    """`rows`' values split into those HQ does not hold yet and those it does (one pass, one
    look-up per key: the keys are UUIDs, whose hash is a Python method)."""
    new: list[V] = []
    held: list[V] = []
    for key, value in rows.items():
        (held if key in known else new).append(value)
    return new, held


def flush(conn: Connection, branch: str, writes: Writes) -> None:
    new, held = _new_and_known(writes.persons, writes.known_persons)
    _copy(conn, "person", PERSON_COPY, (_person_row(*v) for v in new))
    _update(conn, _PERSON_UPDATE, [dict(zip(PERSON_COPY, _person_row(*v), strict=True))
                                   for v in held])
    _copy(conn, "insurance_number", ("value", "kind", "person_id", "branch"),
          ((value, kind, pid.hex, branch) for value, (kind, pid) in writes.numbers.items()))
    new_rels, held_rels = _new_and_known(writes.relationships, writes.known_relationships)
    _copy(conn, "relationship", RELATIONSHIP_COPY, (_relationship_row(branch, *v) for v in new_rels))
    _update(conn, _RELATIONSHIP_UPDATE,
            [dict(zip(RELATIONSHIP_COPY, _relationship_row(branch, *v), strict=True))
             for v in held_rels])
    _copy(conn, "inquiry_record", INQUIRY_COPY,
          (tuple(r[c] for c in INQUIRY_COPY) for r in writes.inquiries))
    _copy(conn, "certificate", CERTIFICATE_COPY,
          (tuple(r[c] for c in CERTIFICATE_COPY) for r in writes.certificates))
    _copy(conn, "received_change", RECEIVED_COPY, writes.received)
    for national_code, branches in sorted(writes.conflicts.items()):
        record_conflict(conn, "national_code_enrolled_twice", national_code, national_code,
                        sorted(branches))
    for kind, data in writes.references:
        table = workshop if kind == "workshop" else authority
        added = conn.execute(insert(table).values(**data, origin_branch=branch)
                             .on_conflict_do_nothing().returning(table.c.code)).first()
        if added is not None:  # the first branch to add a code keeps it; later copies are dropped
            announce(conn, [LogRow(kind, data["code"], data, origin_branch=branch)])
