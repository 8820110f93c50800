"""Reads for the counter and for verification: the central person, chain copies, certificates."""

from __future__ import annotations

from sqlalchemy import Connection, text

from desktop.sync.wire import (
    CentralPerson,
    CertificateCopy,
    ChainCopy,
    ChainHead,
    ChainLink,
    ChainName,
    PersonSnapshot,
)

from .conflicts import conflict_ids_for


def central_person(conn: Connection, *, national_code: str | None = None,
                   ssn: str | None = None) -> CentralPerson | None:
    """The person with this national code (the first enrolled, when a conflict left two) or SSN."""
    if ssn is not None:
        row = conn.execute(text("SELECT snapshot, enrolled_branch FROM person WHERE ssn = :v"),
                           {"v": ssn}).first()
    else:
        row = conn.execute(text(
            "SELECT snapshot, enrolled_branch FROM person WHERE national_code = :v"
            " ORDER BY enrolled_at, received_at, id LIMIT 1"), {"v": national_code}).first()
    if row is None:
        return None
    # The contact fields came to headquarters for judicial answers only; another branch's
    # counter never gets them.
    snapshot = PersonSnapshot.model_validate(row.snapshot).model_copy(update={"contact": None})
    return CentralPerson(person=snapshot, branch=row.enrolled_branch,
                         conflict_ids=conflict_ids_for(conn, snapshot.national_code))


def chain_copy(conn: Connection, branch: str, chain: ChainName) -> ChainCopy:
    head = conn.execute(text("SELECT seq, hash FROM chain_head WHERE branch = :b AND chain = :c"),
                        {"b": branch, "c": chain.value}).first()
    links: list[ChainLink] = []
    if chain is ChainName.INQUIRY_RECORD:
        links = [ChainLink(seq=r.seq, hash=r.hash, key=r.tracking_code) for r in conn.execute(text(
            "SELECT seq, hash, tracking_code FROM inquiry_record WHERE branch = :b ORDER BY seq"),
            {"b": branch})]
    return ChainCopy(chain=chain,
                     head=ChainHead(chain=chain, seq=head.seq, hash=head.hash) if head else None,
                     links=links)


def certificate_copy(conn: Connection, tracking_code: str) -> CertificateCopy | None:
    row = conn.execute(text("SELECT tracking_code, passcode_hash FROM certificate"
                            " WHERE tracking_code = :t"), {"t": tracking_code}).first()
    return CertificateCopy(tracking_code=row.tracking_code, passcode_hash=row.passcode_hash) if row else None
