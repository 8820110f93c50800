"""Branches for the sync tests: real branch stores joined to a real `hq serve` (the hq-server
fixtures), filled through the real services, and HQ's PostgreSQL read back with psycopg."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import select, text

from desktop.models import OutboxEntry
from desktop.services.actor import Actor
from desktop.services.dependants import add_dependant
from desktop.services.enrolment import enrol
from desktop.services.inquiry import answer_inquiry
from desktop.services.reference import add_authority, add_registry_identities, add_workshops
from desktop.services.store import Store
from desktop.services.sync import join_headquarters
from desktop.services.users import find_actor

from ..conftest import TODAY
from ..factories import identity, questionnaire
from ..support.hq_server import HqServer, add_branch

PW = "admin-pass-1021"
_workshops = itertools.count(1)


@dataclass
class Branch:
    code: str
    store: Store
    admin: Actor
    token: str

    def close(self) -> None:
        self.store.close()


def join(tmp_path: Path, hq: HqServer, code: str) -> Branch:
    token = add_branch(hq.dsn, code)
    store = join_headquarters(tmp_path / f"branch-{code}.sqlite", code, "", admin_password=PW,
                              url=hq.url, token=token)
    store.clock = lambda: TODAY
    return Branch(code, store, find_actor(store, "admin"), token)


def enrol_new(branch: Branch, **over: Any) -> str:
    person = identity(**over)
    add_registry_identities(branch.store, branch.admin, person)
    enrol(branch.store, branch.admin, questionnaire(person["national_code"]))
    return str(person["national_code"])


def fill(branch: Branch) -> dict[str, str]:
    """A workshop and an authority of this branch, a married couple (both enrolled), their son as
    the father's dependant, and an inquiry answered about the father."""
    store, admin = branch.store, branch.admin
    workshop = f"{branch.code}{next(_workshops):06d}"
    add_workshops(store, admin, {"code": workshop, "name": f"کارگاه {branch.code}", "address": "تهران"})
    authority = f"A{branch.code}"
    add_authority(store, admin, authority, f"مرجع {branch.code}", "fund")
    wife = identity(gender="female", first_name="مریم", birth_date="1366/01/01")
    father = identity(marriages=[{"spouse_national_code": wife["national_code"], "date": "1388/05/05"}])
    son = identity(gender="male", first_name="رضا", birth_date="1395/03/03",
                   father_national_code=father["national_code"],
                   mother_national_code=wife["national_code"])
    add_registry_identities(store, admin, [wife, father, son])
    enrol(store, admin, questionnaire(father["national_code"], relationship={
        "kind": "mandatory", "start": "1400/01/01", "workshop_code": workshop}))
    enrol(store, admin, questionnaire(wife["national_code"]))
    add_dependant(store, admin, father["national_code"], son["national_code"], "son")
    answer_inquiry(store, admin, authority, father["national_code"])
    return {"workshop": workshop, "authority": authority, "father": father["national_code"],
            "wife": wife["national_code"], "son": son["national_code"]}


def acked_ids(store: Store) -> set[str]:
    with store.sessions() as s:
        return {str(i) for i in s.scalars(select(OutboxEntry.id).where(OutboxEntry.acked_at.is_not(None)))}


def all_outbox_ids(store: Store) -> set[str]:
    with store.sessions() as s:
        return {str(i) for i in s.scalars(select(OutboxEntry.id))}


def integrity(store: Store) -> str:
    with store.engine.connect() as conn:
        return str(conn.execute(text("PRAGMA integrity_check")).scalar_one())


def hq_rows(dsn: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return list(conn.execute(sql, params).fetchall())


def hq_received(dsn: str, branch: str) -> list[str]:
    return [str(r[0]) for r in hq_rows(dsn, "SELECT id FROM received_change WHERE branch = %s", branch)]


def duplicated_ssns(dsn: str) -> list[tuple[Any, ...]]:
    return hq_rows(dsn, "SELECT ssn, count(*) FROM person WHERE ssn IS NOT NULL"
                        " GROUP BY ssn HAVING count(*) > 1")
