"""Households of the demo: employers with workshops, main insured of every kind, their families.

Proportions follow a branch's everyday mix: most main insured are mandatory employees at
workshops, some voluntary / self-employed / drivers / pensioners; some relationships are over.
Families: wives from the marriage date, sons under 20, unmarried daughters, now and then a parent.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random

from desktop.domain.text import persian_digits

from .bulk import Row
from .people import PersonFactory, weighted
from .pools import COMPANY_KINDS, COMPANY_WORDS, JOBS, TRADES

YEAR = 365
MALE_KINDS = weighted((
    ("mandatory", 700), ("voluntary", 40), ("self_employed", 40), ("driver", 50), ("construction_worker", 40),
    ("military_service", 15), ("short_term", 10), ("pensioner_retired", 80), ("pensioner_disabled", 15),
    ("carpet_weaver", 3),
))
FEMALE_KINDS = weighted((
    ("mandatory", 600), ("voluntary", 60), ("self_employed", 120), ("carpet_weaver", 40), ("short_term", 10),
    ("pensioner_retired", 50), ("pensioner_survivor", 110), ("pensioner_disabled", 10),
))
AGES = {"pensioner_retired": (58, 82), "pensioner_disabled": (35, 70), "pensioner_survivor": (30, 85),
        "military_service": (18, 25)}
MIN_WAGE = 104_000_000  # rials per month, the order of the current minimum wage


class Households:
    def __init__(self, rng: random.Random, people: PersonFactory, today: dt.date, window_start: dt.date) -> None:
        self.rng, self.p, self.today = rng, people, today.toordinal()
        self.window = window_start.toordinal()  # first day of the 24 documented months
        self.relationships: list[Row] = []
        self.employers: list[Row] = []
        self.workshops: list[Row] = []
        self.employment: list[Row] = []  # for monthly documents: (workshop, person, start, end, number, wage, job)
        self._ws: list[tuple[str, int]] = []  # (workshop id, founded ordinal)
        self._ws_cum: list[float] = []
        self._ws_total = 0.0
        self.stamp = people.stamp

    # --- employers and workshops ----------------------------------------------------------------
    def employer(self, serial: int, branch: str) -> None:
        rng, p = self.rng, self.p
        legal = rng.random() < 0.3
        gender = "male" if rng.random() < 0.85 else "female"
        birth = self.today - rng.randrange(30 * YEAR, 70 * YEAR)
        founded = self.today - rng.randrange(3 * YEAR, 30 * YEAR)
        first, last = p.first_name(gender), p.last_name()
        pid, _ = p.person(first, last, p.first_name("male"), birth, gender, "employer", founded)
        kind = "employer_legal" if legal else "employer_natural"
        number = p.number(pid, "permanent")
        self.relationship(pid, kind, founded, None, number)
        p.personal_info(pid, gender, "married", 0)
        employer_id = p.ids.new(0xE30)
        if legal:
            name = f"{COMPANY_KINDS[serial % len(COMPANY_KINDS)]} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_WORDS)}"
            self.employers.append((employer_id, kind, pid, name, f"{branch}{serial:07d}"))
        else:
            name = f"{rng.choice(TRADES)} {last}"
            self.employers.append((employer_id, kind, pid, None, None))
        for k in range(2 if rng.random() < 0.15 else 1):
            code = f"{branch}{serial:05d}{k}"
            address = p.personal[-1][1]
            ws_id = p.ids.new(0x3C0)
            self.workshops.append((ws_id, code, name if k == 0 else f"{name} (شعبه {persian_digits(k + 1)})", address,
                                   employer_id, branch))
            self._ws.append((ws_id, founded))
            self._ws_total += min(rng.paretovariate(1.3), 60.0)
            self._ws_cum.append(self._ws_total)

    def pick_workshop(self) -> tuple[str, int]:
        return self._ws[bisect.bisect_left(self._ws_cum, self.rng.random() * self._ws_total)]

    def relationship(self, pid: str, kind: str, start: int, end: int | None, number: str, *,
                     workshop: str | None = None, main: str | None = None, orientation: str | None = None,
                     reason: str | None = None) -> None:
        self.relationships.append((
            self.p.ids.new(0x5E1), pid, kind, self.p.iso(start), self.p.iso(end), reason, number, self.p.branch,
            workshop, main, orientation, 1, None, self.stamp,
        ))

    # --- main insured --------------------------------------------------------------------------
    def household(self, budget: int) -> int:
        """One main insured and (budget permitting) their dependants; returns persons added."""
        rng, p = self.rng, self.p
        gender = "male" if rng.random() < 0.74 else "female"
        kind = p.pick(MALE_KINDS if gender == "male" else FEMALE_KINDS)
        low, high = AGES.get(kind, (20, 62))
        age_days = rng.randrange(low * YEAR, high * YEAR)
        birth = self.today - age_days
        complete = rng.random() < 0.97
        first, last = p.first_name(gender), p.last_name()
        father = p.first_name("male")
        with_parent = budget > 3 and 25 * YEAR < age_days < 45 * YEAR and rng.random() < 0.05
        parent = ("father" if rng.random() < 0.5 else "mother") if with_parent else None
        start, end = self.main_relationships_plan(kind, birth)
        workshop = self.pick_workshop() if kind == "mandatory" else None
        if workshop is not None and start < workshop[1]:  # nobody works at a workshop before it opens
            start = min(self.today - 30, workshop[1] + rng.randrange(0, 400))
            end = None if end is None or end <= start else end
        pid, code = p.person(first, last, father, birth, gender, "main_insured", start, complete=complete)
        number = p.number(pid, "permanent" if complete else "central_temporary")
        self.main_relationships(pid, kind, gender, birth, start, end, number, workshop)
        added = 1
        family = self.family(pid, code, gender, first, last, birth, start, end, budget - 1)
        added += family
        if parent and added < budget:
            added += self.parent(pid, parent, father, last, birth, start, end, code)
        married = family > 0 or rng.random() < 0.3
        p.personal_info(pid, gender, "married" if married else "single", added - 1)
        return added

    def main_relationships_plan(self, kind: str, birth: int) -> tuple[int, int | None]:
        """Start and end of the relationship in force (or the last one, if over)."""
        rng, today = self.rng, self.today
        adult = birth + 18 * YEAR
        if kind.startswith("pensioner"):
            start = max(adult + 5 * YEAR, today - rng.randrange(YEAR, 25 * YEAR))
            return min(start, today - 30), None
        if kind == "military_service":
            start = today - rng.randrange(30, 2 * YEAR)
            return start, (start + 21 * 30 if start + 21 * 30 < today else None)
        if kind == "short_term":
            start = today - rng.randrange(YEAR, 4 * YEAR)
            return start, start + rng.randrange(90, 360)
        recent = rng.random() < 0.25
        earliest = max(adult, today - 30 * YEAR)
        start = today - rng.randrange(30, 2 * YEAR) if recent else rng.randrange(earliest, today - 60)
        start = max(start, adult)
        end = None
        if rng.random() < 0.07:  # relationship over: the person is known but not insured now
            end = min(today - 1, start + rng.randrange(60, 10 * YEAR))
        return start, end

    def main_relationships(self, pid: str, kind: str, gender: str, birth: int, start: int, end: int | None,
                           number: str, workshop: tuple[str, int] | None) -> None:
        rng = self.rng
        if workshop is not None:
            ws = workshop[0]
            if rng.random() < 0.25 and start - 2 * YEAR > birth + 18 * YEAR:  # an earlier, ended job
                before, _ = self.pick_workshop()
                prev_start = rng.randrange(birth + 18 * YEAR, start - 2 * YEAR)
                prev_end = start - rng.randrange(1, 2 * YEAR)
                self.relationship(pid, "mandatory", prev_start, prev_end, number, workshop=before, reason="work_ended")
                self.employ(before, pid, prev_start, prev_end, number)
            self.relationship(pid, kind, start, end, number, workshop=ws, reason="work_ended" if end else None)
            self.employ(ws, pid, start, end, number)
            return
        if kind.startswith("pensioner") and kind != "pensioner_survivor":
            ws, _ = self.pick_workshop()
            work_start = max(birth + 20 * YEAR, start - rng.randrange(10 * YEAR, 30 * YEAR))
            self.relationship(pid, "mandatory", work_start, start - 1, number, workshop=ws, reason="retired")
            self.employ(ws, pid, work_start, start - 1, number)
        orientation = None
        if kind == "self_employed":
            orientation = ("housewife" if gender == "female" and rng.random() < 0.6
                           else rng.choice(("student", "other", "other")))
        self.relationship(pid, kind, start, end, number, orientation=orientation,
                          reason="ended" if end else None)

    def employ(self, ws: str, pid: str, start: int, end: int | None, number: str) -> None:
        if end is not None and end < self.window:
            return  # before the documented months: no monthly lists to write
        wage = int(MIN_WAGE * (1 + min(self.rng.expovariate(1.3), 6.0)))
        self.employment.append((ws, pid, start, end if end is not None else 10**7, number,
                                wage, self.rng.choice(JOBS)))

    # --- families ------------------------------------------------------------------------------
    def family(self, main: str, main_nc: str, gender: str, first: str, last: str, birth: int, start: int,
               end: int | None, budget: int) -> int:
        """Spouse and children; returns how many dependants were added to the store."""
        rng, p, today = self.rng, self.p, self.today
        age = (today - birth) // YEAR
        if age < 22 or rng.random() > (0.82 if age >= 28 else 0.4):
            return 0
        wedding = min(today - 60, birth + rng.randrange(20 * YEAR, 32 * YEAR))
        added = 0
        if gender == "male":
            spouse_birth = birth + rng.randrange(0, 9 * YEAR)
            spouse_first, spouse_last = p.first_name("female"), p.last_name()
            divorced = rng.random() < 0.04
            if budget > 0 and not divorced:
                wife, wife_nc = p.person(spouse_first, spouse_last, p.first_name("male"), spouse_birth, "female",
                                         "dependant", max(start, wedding))
                self.dependant(wife, main, "wife", max(start, wedding), end)
                added += 1
            else:
                wife_nc = p.identity(spouse_first, spouse_last, p.first_name("male"), spouse_birth, "female")
            ended = (wedding + rng.randrange(YEAR, max(YEAR + 1, today - wedding))) if divorced else None
            p.marriage(main_nc, wife_nc, wedding, ended, "divorce" if divorced else None)
            father_nc, mother_nc, father_first = main_nc, wife_nc, first
            child_last = last
            if divorced:
                return added
        else:
            husband_first = p.first_name("male")
            husband_last = last if rng.random() < 0.1 else p.last_name()
            husband_nc = p.identity(husband_first, husband_last, p.first_name("male"),
                                    birth - rng.randrange(0, 8 * YEAR), "male")
            p.marriage(husband_nc, main_nc, wedding)
            father_nc, mother_nc, father_first = husband_nc, main_nc, husband_first
            child_last = husband_last  # children take their father's surname
        born = wedding + rng.randrange(YEAR, 3 * YEAR)
        for _ in range(rng.choices((0, 1, 2, 3, 4), cum_weights=(15, 40, 75, 93, 100))[0]):
            if born >= today - 10 or added >= budget:
                break
            added += self.child(main, born, father_first, child_last, father_nc, mother_nc, start, end)
            born += rng.randrange(YEAR, 5 * YEAR)
        return added

    def child(self, main: str, born: int, father_first: str, last: str, father_nc: str, mother_nc: str,
              start: int, end: int | None) -> int:
        rng, p, today = self.rng, self.p, self.today
        gender = "male" if rng.random() < 0.51 else "female"
        age = (today - born) // YEAR
        # Sons up to the 20th birthday; daughters while unmarried and not employed (here: under 26).
        if (gender == "male" and age >= 20) or (gender == "female" and (age >= 26 or (age >= 18 and rng.random() < 0.4))):
            return 0
        cid, _ = p.person(p.first_name(gender), last, father_first, born, gender, "dependant", max(start, born),
                          father_nc=father_nc, mother_nc=mother_nc)
        self.dependant(cid, main, "son" if gender == "male" else "daughter", max(start, born), end)
        return 1

    def parent(self, main: str, which: str, father_first: str, last: str, birth: int, start: int,
               end: int | None, main_nc: str) -> int:
        rng, p = self.rng, self.p
        gender = "male" if which == "father" else "female"
        pbirth = min(birth - rng.randrange(20 * YEAR, 35 * YEAR), self.today - (61 if gender == "male" else 56) * YEAR)
        first = father_first if gender == "male" else p.first_name("female")
        since = max(start, self.today - rng.randrange(30, 5 * YEAR))
        pid, code = p.person(first, last if gender == "male" else p.last_name(), p.first_name("male"), pbirth,
                             gender, "dependant", since)
        # The main insured's registry identity names this parent.
        idx = next(i for i in range(len(p.registry) - 1, -1, -1) if p.registry[i][0] == main_nc)
        row = list(p.registry[idx])
        row[11 if gender == "male" else 12] = code
        p.registry[idx] = tuple(row)
        self.dependant(pid, main, which, since, end)
        return 1

    def dependant(self, pid: str, main: str, relation: str, start: int, end: int | None) -> None:
        number = self.p.number(pid, "central_temporary")
        self.relationship(pid, relation, start, end, number, main=main,
                          reason="main_insured_ended" if end else None)

    def take(self) -> dict[str, list[Row]]:
        out = {"employer": self.employers, "workshop": self.workshops, "relationship": self.relationships}
        self.employers, self.workshops, self.relationships = [], [], []
        return out
