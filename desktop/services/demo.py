"""`demo`: fill a branch store and its identity registry with realistic synthetic people.

What a demo store holds: employers (natural and legal) with workshops; main insured of every
kind (mostly mandatory employees, some voluntary, self-employed with an orientation, drivers,
pensioners, some whose relationship is over); wives, sons, daughters and a few parents as
dependants, each with an SSN and a central temporary number; 24 months of monthly workshop
lists with a line per employed person; the yearly and lifetime account totals; the identity
registry with everyone (children name their parents, couples their marriage); a few outside
authorities; and the demo users clerk/clerk1234, supervisor/super1234, letters/letters1234 (and
admin/admin1234 on a store `new_demo_store` made).

This is a bulk load, not a use case: it bypasses the ORM and the per-person mutations, and
writes ONE audit row (`demo.fill`, with the summary) and no outbox rows: those are written in
bulk when the store joins a headquarters (services/demo_outbox.py), so the demo branch's people
reach HQ then, in the shape a counter would have sent them. The SSNs and central temporary numbers it uses are recorded
as number blocks of source `demo`, already consumed, so later enrolments never reuse them.
A seed reproduces every value except row ids and timestamps (ids are time-ordered UUIDs).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktop.db import search_index, statistics_index
from desktop.domain.errors import Conflict, InvalidValue
from desktop.domain.roles import require
from desktop.domain.text import persian_digits
from desktop.models import AppUser, AuditEntry, Authority, utcnow

from .actor import Actor
from .admin import init_store
from .audit_chain import add_audit
from .demo_data.bulk import (
    bulk_connection,
    documented_months,
    write_accounts,
    write_documents,
    write_rows,
)
from .demo_data.households import Households
from .demo_data.people import Counters, Ids, PersonFactory
from .demo_data.pools import build_pools
from .store import Store
from .unit import to_json
from .users import insert_user

Progress = Callable[[int, int, str], None]
CHUNK = 20_000  # persons per executemany round
PERSONS_PER_EMPLOYER = 80
MAX_PERSONS = 5_000_000  # workshop codes (branch + 5-digit employer serial) bound the size
MAX_SEED = 2**63 - 1
SSN_SERIAL_MAX = 999_999_999  # 9 digits + a check digit
CENTRAL_MAX = 99_999_999  # OO + 8 digits
DEMO_BRANCH_NAME = "شعبه نمونه"
DEMO_ADMIN_PASSWORD = "admin1234"  # documented (README), like the demo users below; real stores never get it

DEMO_USERS = (("clerk", "کارمند باجه نمونه", "clerk", "clerk1234"),
              ("supervisor", "سرپرست نمونه", "supervisor", "super1234"),
              ("letters", "کارمند نامه‌های نمونه", "letter_staff", "letters1234"))
AUTHORITIES = (("F01", "صندوق بازنشستگی کشوری", "fund"), ("F02", "سازمان بیمه سلامت ایران", "fund"),
               ("F03", "کمیته امداد امام خمینی", "fund"), ("F04", "سازمان بهزیستی کشور", "fund"),
               ("J01", "دادگستری استان تهران", "judicial"), ("J02", "دادسرای عمومی و انقلاب تهران", "judicial"),
               ("J03", "فرماندهی انتظامی تهران بزرگ", "judicial"), ("J04", "سازمان تعزیرات حکومتی", "judicial"))


def check_demo_request(persons: int, seed: int = 1) -> None:
    """The demo's arguments, checked before any file is made (a refused demo leaves no store)."""
    if isinstance(persons, bool) or not isinstance(persons, int) or not 1 <= persons <= MAX_PERSONS:
        raise InvalidValue(f"تعداد اشخاص باید بین ۱ و {persian_digits(MAX_PERSONS)} باشد.",
                           f"--persons must be 1..{MAX_PERSONS}", field="persons")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidValue(f"بذر (seed) باید عددی بین ۰ و {persian_digits(MAX_SEED)} باشد.", f"--seed must be 0..{MAX_SEED}",
                           field="seed")


def new_demo_store(path: str | Path, branch_code: str, *, persons: int, seed: int = 1) -> Store:
    """A demo branch store (or the existing store at `path`), after the demo's arguments passed.

    A new demo store's administrator is the documented demo user admin/admin1234.
    """
    check_demo_request(persons, seed)
    return init_store(path, branch_code, DEMO_BRANCH_NAME, admin_password=DEMO_ADMIN_PASSWORD)


def _quiet(done: int, total: int, stage: str) -> None:
    return None


def fill_demo(store: Store, actor: Actor, *, persons: int, seed: int = 1,
              progress: Progress | None = None) -> dict[str, Any]:
    """Fill the store with `persons` people (all kinds together) and return a JSON-able summary."""
    require(actor.role, "demo.fill")
    check_demo_request(persons, seed)
    report = progress or _quiet
    started = time.perf_counter()
    rng = random.Random(seed)
    today = store.today()
    months = documented_months(today)
    stamp = utcnow().isoformat(sep=" ", timespec="microseconds")
    ids = Ids(utcnow())
    with bulk_connection(store.engine) as bulk:
        cur = bulk.cur
        counters, taken = _start_counters(cur, persons)
        factory = PersonFactory(rng, build_pools(seed), ids, counters, store.branch_code, stamp, taken)
        homes = Households(rng, factory, today, dt.date.fromordinal(months[0][2]))
        made = _people(cur, homes, factory, persons, store.branch_code, report)
        # The registry is another file: it is written on a second thread while SQLite builds the
        # documents and totals below (INSERT … SELECT runs in C without the GIL), using both cores.
        # attr-defined: a demo store's registry is the LocalRegistry, which takes rows in bulk.
        registry = _in_background(store.registry.add_rows,  # type: ignore[attr-defined]
                                   sorted(factory.registry), sorted(factory.marriages))
        report(0, 3, "documents")
        cur.execute("BEGIN")
        write_documents(cur, months, homes._ws, homes.employment, store.branch_code, ids.new, ids.prefix(0xD11))
        bulk.restore()  # the account view needs document_line's indexes
        cur.execute("COMMIT")
        report(1, 3, "accounts")
        cur.execute("BEGIN")
        write_accounts(cur)
        _record_numbers(cur, counters, ids, stamp)
        cur.execute("COMMIT")
        report(2, 3, "registry")
        registry.result()
        summary = _summary(cur, made, seed, factory, counters)
    report(3, 3, "search index")
    with store.engine.begin() as conn:
        search_index.rebuild(conn)
        statistics_index.rebuild(conn)  # its insert triggers were set aside for the load too
    summary["seconds"] = round(time.perf_counter() - started, 1)  # users' password hashing not counted
    _users_authorities_audit(store, actor, summary)
    report(persons, persons, "done")
    return summary


def _in_background(fn: Callable[..., None], *args: Any) -> Future[None]:
    """One call on a second thread; its error is raised where `.result()` awaits it."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-registry")
    future = pool.submit(fn, *args)
    pool.shutdown(wait=False)  # the one task still runs to its end; the thread then exits
    return future


def _start_counters(cur: Any, persons: int) -> tuple[Counters, set[str]]:
    if cur.execute("SELECT 1 FROM number_block WHERE source = 'demo'").fetchone():
        raise Conflict("این پایگاه داده پیش‌تر با داده نمونه پر شده است.", "this store already holds demo data")
    nxt, last = cur.execute("SELECT next, last FROM number_range WHERE kind = 'permanent'").fetchone()
    taken = {r[0] for r in cur.execute("SELECT national_code FROM person WHERE national_code IS NOT NULL")}
    # Demo blocks sit far above the starter blocks where they can, as if headquarters had leased
    # them, and always clear of every block the store holds and inside the numbers' format.
    # The demo spends at most half of what is left of the branch's permanent range: the other
    # half stays for the enrolments a clerk makes on the demo store afterwards.
    counters = Counters(ssn_first=_free_block(cur, "ssn", 800_000_001, persons, SSN_SERIAL_MAX),
                        central_first=_free_block(cur, "central_temporary", 60_000_000, persons, CENTRAL_MAX),
                        permanent_next=nxt, permanent_last=nxt + (last - nxt) // 2)
    return counters, taken


def _free_block(cur: Any, kind: str, preferred: int, need: int, maximum: int) -> int:
    """The first start (from `preferred` up, else from 1) where `need` numbers fit clear of the store's blocks."""
    blocks: list[tuple[int, int]] = cur.execute(
        "SELECT first, last FROM number_block WHERE kind = ?", (kind,)).fetchall()
    starts = sorted({preferred, 1, *(b_last + 1 for _, b_last in blocks)})
    for start in [s for s in starts if s >= preferred] + [s for s in starts if s < preferred]:
        end = start + need - 1
        if end <= maximum and all(end < first or start > b_last for first, b_last in blocks):
            return start
    raise Conflict(f"برای داده نمونه {need} شماره آزاد ({kind}) نمانده است.",
                   f"no room for {need} free {kind} numbers for the demo", field="persons")


def _people(cur: Any, homes: Households, factory: PersonFactory, persons: int, branch: str,
            report: Progress) -> int:
    employers = max(1, min(persons // PERSONS_PER_EMPLOYER, 99_999))
    made = 0
    cur.execute("BEGIN")
    for serial in range(1, employers + 1):
        homes.employer(serial, branch)
        made += 1
    while made < persons:
        made += homes.household(persons - made)
        if len(factory.persons) >= CHUNK:
            write_rows(cur, factory.take() | homes.take())
            cur.execute("COMMIT")
            report(made, persons, "people")
            cur.execute("BEGIN")
    write_rows(cur, factory.take() | homes.take())
    cur.execute("COMMIT")
    report(made, persons, "people")
    return made


def _record_numbers(cur: Any, n: Counters, ids: Ids, stamp: str) -> None:
    for kind, first, nxt in (("ssn", n.ssn_first, n.ssn_next), ("central_temporary", n.central_first, n.central_next)):
        if nxt > first:
            cur.execute("INSERT INTO number_block (id, kind, first, last, next, source, leased_at)"
                        " VALUES (?, ?, ?, ?, ?, 'demo', ?)", (ids.new(0xB10), kind, first, nxt - 1, nxt, stamp))
    cur.execute("UPDATE number_range SET next = ? WHERE kind = 'permanent' AND next < ?",
                (n.permanent_next, n.permanent_next))


def _summary(cur: Any, made: int, seed: int, factory: PersonFactory, counters: Counters) -> dict[str, Any]:
    def count(sql: str) -> int:
        return int(cur.execute(sql).fetchone()[0])

    return {
        "persons": made, "seed": seed,
        "main_insured": count("SELECT COUNT(*) FROM person_role WHERE role = 'main_insured'"),
        "dependants": count("SELECT COUNT(*) FROM person_role WHERE role = 'dependant'"),
        "employers": count("SELECT COUNT(*) FROM employer"),
        "workshops": count("SELECT COUNT(*) FROM workshop"),
        "relationships": count("SELECT COUNT(*) FROM relationship"),
        "documents": count("SELECT COUNT(*) FROM insurance_document"),
        "document_lines": count("SELECT COUNT(*) FROM document_line"),
        "account_years": count("SELECT COUNT(*) FROM account_year"),
        "registry_identities": len(factory.registry), "registry_marriages": len(factory.marriages) // 2,
        "numbers": dict(counters.numbers),
        "ssn_block": [counters.ssn_first, counters.ssn_next - 1],
        "users": [u[0] for u in DEMO_USERS],
    }


def _users_authorities_audit(store: Store, actor: Actor, summary: dict[str, Any]) -> None:
    with store.sessions() as s, s.begin():
        existing = set(s.scalars(select(AppUser.username)))
        for username, full_name, role, password in DEMO_USERS:
            if username not in existing:
                insert_user(s, username, full_name, role, password)
        codes = set(s.scalars(select(Authority.code)))
        s.add_all(Authority(code=c, name=n, group=g) for c, n, g in AUTHORITIES if c not in codes)
        add_audit(s, AuditEntry(user_id=actor.id, action="demo.fill", subject_type="store", subject_id=store.branch_code,
                         detail=to_json(summary)))
