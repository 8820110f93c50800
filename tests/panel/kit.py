"""A country in miniature for the authorities' panel: a real `hq serve` on real PostgreSQL, two
real branch stores that enrol people, issue certificates and sync, and two authorities (a fund
and a judicial one) registered with `hq authority add`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from desktop.services.certificates import issue_certificate
from desktop.services.dependants import add_dependant
from desktop.services.enrolment import enrol
from desktop.services.reference import add_registry_identities, add_workshops
from desktop.services.sync import sync_now

from ..factories import identity, questionnaire
from ..support.hq_server import HqServer, hq
from ..support.postgres import PostgresCluster
from ..sync.kit import Branch, join

WORKSHOP_ADDRESS = "تهران، جاده مخصوص، کیلومتر ۹"
MAIN_ADDRESS = "تهران، خیابان انقلاب، کوچه یاس، پلاک ۱۲"
MAIN_PHONE = "02166554433"
ENDED_ADDRESS, ENDED_PHONE = "قم، خیابان ارم", "02537777777"  # a person no longer insured
# What only a judicial authority may read, and only about an active person.
CONTACTS = (WORKSHOP_ADDRESS, MAIN_ADDRESS, MAIN_PHONE, "جاده مخصوص", "خیابان انقلاب",
            ENDED_ADDRESS, ENDED_PHONE, "خیابان ارم")
FUND, JUDICIAL = "F15", "J15"


@dataclass
class Country:
    server: HqServer
    keys: dict[str, str]  # authority code → API key
    main: str
    main_name: str
    dependant: str
    ended: str
    stranger: str
    certificate_a: tuple[str, str]  # issued at 1021 for the judicial authority: code, passcode
    certificate_b: tuple[str, str]  # issued at 1022 for the fund
    person_b: str

    def post(self, authority: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return httpx.post(f"{self.server.url}{path}", json=body, timeout=60,
                          headers={"Authorization": f"Bearer {self.keys[authority]}"})

    def get(self, authority: str, path: str) -> httpx.Response:
        return httpx.get(f"{self.server.url}{path}", timeout=60,
                         headers={"Authorization": f"Bearer {self.keys[authority]}"})


def add_authority(dsn: str, code: str, name: str, group: str) -> str:
    done = hq("authority", "add", "--pg", dsn, "--code", code, "--name", name, "--group", group, "--json")
    out = json.loads(done.stdout)
    assert out["code"] == code and out["group"] == group and out["api_key"].startswith("bak_")
    return str(out["api_key"])


def _enrol(branch: Branch, person: dict[str, Any], **over: Any) -> str:
    add_registry_identities(branch.store, branch.admin, person)
    enrol(branch.store, branch.admin, questionnaire(person["national_code"], **over))
    return str(person["national_code"])


@contextmanager
def served(cluster: PostgresCluster, template: str, *extra: str) -> Iterator[HqServer]:
    name = cluster.create_database(template=template)
    server = HqServer(cluster.dsn(name), extra=extra)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server.log.unlink(missing_ok=True)
        cluster.drop_database(name)


def build_country(server: HqServer, tmp: Path) -> Country:
    dsn = server.dsn
    keys = {FUND: add_authority(dsn, FUND, "صندوق بازنشستگی کشوری", "fund"),
            JUDICIAL: add_authority(dsn, JUDICIAL, "دادگستری تهران", "judicial")}
    a, b = join(tmp, server, "1021"), join(tmp, server, "1022")
    try:
        for branch in (a, b):
            sync_now(branch.store, None)  # the authorities arrive at both branches
        add_workshops(a.store, a.admin, {"code": "1021000777", "name": "کارخانه نمونه",
                                         "address": WORKSHOP_ADDRESS})
        contacts = {"personal": {"address": MAIN_ADDRESS, "phone": MAIN_PHONE}}
        main_person = identity(first_name="حسن", last_name="کریمی")
        main = _enrol(a, main_person, relationship={"kind": "mandatory", "start": "1400/01/01",
                                                    "workshop_code": "1021000777"}, **contacts)
        son = identity(first_name="رضا", last_name="کریمی", birth_date="1395/03/03",
                       father_national_code=main)
        add_registry_identities(a.store, a.admin, son)
        add_dependant(a.store, a.admin, main, son["national_code"], "son")
        ended = _enrol(a, identity(first_name="زهرا", last_name="احمدی", gender="female"),
                       relationship={"kind": "voluntary", "start": "1398/01/01", "end": "1400/12/29"},
                       personal={"address": ENDED_ADDRESS, "phone": ENDED_PHONE})
        issued_a = issue_certificate(a.store, a.admin, main, JUDICIAL)
        person_b = _enrol(b, identity(first_name="نرگس", last_name="صادقی", gender="female"), **contacts)
        issued_b = issue_certificate(b.store, b.admin, person_b, FUND)
        for branch in (a, b):
            sync_now(branch.store, None)
    finally:
        a.close()
        b.close()
    return Country(server, keys, main, "حسن کریمی", son["national_code"], ended,
                   identity()["national_code"], (issued_a.tracking_code, issued_a.passcode),
                   (issued_b.tracking_code, issued_b.passcode), person_b)
