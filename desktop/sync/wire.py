"""The wire contract between a branch and headquarters (docs/sync.md tells the story).

Both sides import these models: the branch's client (`desktop.sync`) builds and reads them,
headquarters (`hq`) validates them at its HTTP boundary and publishes them as its OpenAPI schema.
Nothing here touches a database or the network.

Every request carries the branch token (`Authorization: Bearer …`); the branch is taken from
the token, and a body naming another branch is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# The wire version a batch carries. HQ accepts the current and the previous one, so branches can
# be upgraded over days rather than all in one night (when this becomes 2, 1 stays accepted).
WIRE_VERSION = 1
ACCEPTED_WIRE_VERSIONS = frozenset({WIRE_VERSION})

MAX_BATCH_CHANGES = 5000  # changes per push batch; HQ refuses larger ones with 413
MAX_PULL_PAGE = 5000  # a new branch pulls ~20,000 workshops: 5 pages, not 21
# Push batches a branch has sent and not yet had acknowledged: while HQ applies one, the next is
# already on its way and being checked (docs/sync.md "Push"). HQ applies them in order.
MAX_IN_FLIGHT = 2
EARLIER_BATCH_PENDING = "earlier_batch_pending"  # ErrorBody.code of that 409

BranchCode = Annotated[str, Field(pattern=r"^[0-9]{4}$")]


class Wire(BaseModel):
    # Unknown fields are refused: a misspelt field is a bug to surface, not to ignore.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChainName(StrEnum):
    INQUIRY_RECORD = "inquiry_record"
    CORRECTION_LEDGER = "correction_ledger"
    AUDIT_LOG = "audit_log"


class ChainHead(Wire):
    """The newest link of one of the branch's hash chains when the batch was built."""

    chain: ChainName
    seq: int = Field(ge=0)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$|^$")


# --- push -----------------------------------------------------------------------------------

class RelationshipRecord(Wire):
    id: uuid.UUID
    kind: str  # relationship type code (main_insured kinds, dependant relations, employer)
    start: dt.date
    end: dt.date | None = None
    end_reason: str | None = None
    workshop_code: str | None = None
    insurance_number: str
    main_insured_ssn: str | None = None  # dependants: whose dependant
    medical_link: bool | None = None


class PersonContact(Wire):
    """The person's latest registered residential address and phone numbers (personal_info).

    They travel because judicial authorities are answered centrally too (SPEC §4.4: a judicial
    authority gets an active person's address and phone); headquarters gives them only to a
    judicial authority, never to a fund, and never hands them to another branch."""

    address: str | None = None
    phone: str | None = None
    mobile: str | None = None


class PersonSnapshot(Wire):
    """A person's whole record at push time, so HQ converges on the branch's state whatever order
    or how many times the events arrive. Health fields (and IBAN, education, …) never leave the
    branch; the contact fields do, for judicial answers at headquarters (`contact` is optional:
    a snapshot from an older branch has none, and stays valid)."""

    id: uuid.UUID
    national_code: str | None
    foreign_id: str | None
    ssn: str | None
    first_name: str
    last_name: str
    father_name: str
    birth_date: dt.date
    benefit_birth_date: dt.date
    gender: str
    death_date: dt.date | None = None
    enrolled_branch: str
    enrolled_at: dt.datetime
    roles: list[str]
    numbers: dict[str, str]  # kind → value (permanent, branch_temporary, central_temporary)
    relationships: list[RelationshipRecord]
    contact: PersonContact | None = None


class OutgoingChange(Wire):
    """One outbox row. `id` is unique forever: HQ keeps it, so a change is applied once even when
    it arrives again in another batch (a retry, a restored store with a new install epoch)."""

    id: uuid.UUID
    seq: int = Field(ge=1)  # the outbox row's order in this store
    at: dt.datetime
    entity: str  # person | relationship | inquiry_record | certificate | workshop | authority | …
    entity_id: str
    op: str  # the audit action, e.g. person.enrol, dependant.add, inquiry.answer
    payload: dict[str, Any]
    snapshot: PersonSnapshot | None = None  # for changes that touch a person


class PushBatch(Wire):
    wire_version: int
    branch: BranchCode
    install_epoch: str = Field(min_length=8, max_length=64)
    batch_seq: int = Field(ge=1)
    changes: list[OutgoingChange] = Field(max_length=MAX_BATCH_CHANGES)
    chain_heads: list[ChainHead] = []
    # Number blocks the branch holds that HQ did not lease (the starter blocks of `init`): HQ
    # records them as this branch's, and a block overlapping another branch's becomes a conflict.
    starter_blocks: list[NumberBlockRef] = []
    # Two batches may be in flight (MAX_IN_FLIGHT): the later one names the earlier, still
    # unacknowledged batch of the same install epoch. HQ applies it only after that one (a
    # person's newer snapshot must not be overwritten by an older one) and otherwise refuses it
    # with 409 `earlier_batch_pending`; the branch sends it again once the earlier one is
    # acknowledged. None: nothing of this branch's was in flight when it was sent.
    after_batch_seq: int | None = Field(default=None, ge=1)


class Rejection(Wire):
    change_id: uuid.UUID
    reason_fa: str
    reason_en: str


class PushAck(Wire):
    """HQ's answer; the same answer again for a batch key already applied."""

    status: Literal["applied", "already_applied"]
    batch_seq: int
    applied: int  # changes applied now (0 for already_applied)
    duplicates: int  # changes HQ already had from an earlier batch
    rejected: list[Rejection]  # to the branch's quarantine list; they do not block the rest


# --- numbers --------------------------------------------------------------------------------

NumberKind = Literal["ssn", "central_temporary"]


class NumberBlockRef(Wire):
    kind: NumberKind
    first: int = Field(ge=1)
    last: int = Field(ge=1)


class LeaseRequest(Wire):
    """Asked for when the numbers left fall below the low-water mark. `request_id` makes it
    idempotent: asking again with the same id returns the same block, never a second one."""

    request_id: uuid.UUID
    kind: NumberKind
    install_epoch: str = Field(min_length=8, max_length=64)


class Lease(Wire):
    lease_id: uuid.UUID
    request_id: uuid.UUID | None  # None for a block HQ granted on its own
    kind: NumberKind
    first: int  # serials: an SSN is ssn_from_serial(serial), a central number OO + 8 digits
    last: int
    granted_at: dt.datetime


# --- pull -----------------------------------------------------------------------------------

PulledKind = Literal["authority", "workshop", "lease", "conflict"]


class PulledChange(Wire):
    """A row of HQ's change log meant for this branch (never one the branch itself pushed)."""

    kind: PulledKind
    key: str  # authority/workshop code, lease id, conflict id
    op: Literal["upsert", "delete"]
    data: dict[str, Any]


class PullPage(Wire):
    """Changes after `after`; store `cursor` in the same transaction as the applied rows.

    The cursor is opaque to the branch. HQ pages by (transaction id, seq) and only hands out rows
    of transactions older than every transaction still running (snapshot xmin), so a transaction
    that commits late can never be skipped (docs/sync.md, "Pull")."""

    changes: list[PulledChange]
    cursor: str
    more: bool


# --- counter lookups and verification ----------------------------------------------------------

class CentralPerson(Wire):
    """`hq person --json` and the branch's lookup of a person enrolled elsewhere."""

    person: PersonSnapshot
    branch: str  # the enrolling branch
    conflict_ids: list[uuid.UUID] = []


class Conflict(Wire):
    id: uuid.UUID
    kind: Literal["national_code_enrolled_twice", "ssn_taken", "number_block_overlap"]
    national_code: str | None = None
    branches: list[str]
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None


class ChainLink(Wire):
    seq: int
    hash: str
    key: str | None = None  # the tracking code of an inquiry record, where HQ knows it


class ChainCopy(Wire):
    """HQ's copy of one of the branch's chains: the head it last received and every link it
    holds (for the inquiry record, one per record pushed)."""

    chain: ChainName
    head: ChainHead | None
    links: list[ChainLink]


class CertificateCopy(Wire):
    tracking_code: str
    passcode_hash: str


class ErrorBody(Wire):
    """Every refusal, 4xx or 5xx: Persian first, English for logs and scripts."""

    code: str
    fa: str
    en: str


PushBatch.model_rebuild()
