"""Reference data an administrator keeps: workshops, outside authorities, registry identities."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from desktop.domain import identifiers, shapes
from desktop.domain.enrolment import parse_identity
from desktop.domain.errors import Conflict, InvalidValue
from desktop.domain.roles import require
from desktop.domain.text import normalise_identifier, normalise_text, persian_digits
from desktop.domain.vocabulary import AUTHORITY_GROUPS
from desktop.models import Authority, Employer, Person, Workshop

from .actor import Actor
from .store import Store
from .unit import mutation


def _as_list(data: Any) -> list[dict[str, Any]]:
    items = shapes.items(data, "input", "ورودی") if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) for i in items):
        raise InvalidValue("ورودی باید یک شیء JSON یا فهرستی از آن‌ها باشد.", "input must be a JSON object or a list of objects")
    return items


def add_workshops(store: Store, actor: Actor, data: Any) -> list[str]:
    items = _as_list(data)
    with mutation(store, actor, "reference.manage") as unit:
        codes = []
        for item in items:
            code = identifiers.workshop_code(shapes.required_text(item, "code", "کد کارگاه"))
            name = normalise_text(shapes.text(item, "name", "نام کارگاه") or "", field="name")
            if not name:
                raise InvalidValue("نام کارگاه لازم است.", "workshop name is required", field="name")
            if unit.session.scalar(select(Workshop.id).where(Workshop.code == code)):
                raise Conflict(f"کارگاه {persian_digits(code)} پیش‌تر ثبت شده است.", f"workshop {code} exists", field="code")
            employer_id = _employer_id(unit.session, shapes.text(item, "employer_national_code", "کد ملی کارفرما"))
            address = normalise_text(shapes.text(item, "address", "نشانی کارگاه") or "", field="address")
            w = Workshop(code=code, name=name, address=address,
                         employer_id=employer_id, branch_code=store.branch_code)
            unit.session.add(w)
            unit.session.flush()
            unit.record("workshop.add", "workshop", w.id, {"code": code, "name": name, "address": w.address})
            codes.append(code)
        return codes


def _employer_id(session: Any, national_code: Any) -> Any:
    """The workshop's employer: the employer record of that person, made if they have none yet."""
    if not national_code:
        return None
    nc = identifiers.national_code(national_code)
    person = session.scalar(select(Person).where(Person.national_code == nc))
    if person is None:
        raise InvalidValue(
            f"کارفرما با کد ملی {persian_digits(nc)} نام‌نویسی نشده است.", f"employer {nc} is not enrolled",
            field="employer_national_code",
        )
    employer = session.scalar(select(Employer).where(Employer.person_id == person.id))
    if employer is None:
        employer = Employer(kind="employer_natural", person_id=person.id)
        session.add(employer)
        session.flush()
    return employer.id


def check_authority_name(name: str) -> str:
    """A name already normalised (normalise_text(field="name") keeps it within its limit)."""
    if not name:
        raise InvalidValue("نام مرجع لازم است.", "the authority's name is required", field="name")
    return name


def check_authority_group(group: str) -> None:
    if group not in AUTHORITY_GROUPS:
        raise InvalidValue("گروه مرجع باید fund یا judicial باشد.", "group must be fund or judicial", field="group")


def add_authority(store: Store, actor: Actor, code: str, name: str, group: str) -> dict[str, str]:
    code = normalise_identifier(code, field="code")
    name = normalise_text(name, field="name")
    if not code or not name:
        raise InvalidValue("کد و نام مرجع لازم است.", "authority code and name are required", field="code")
    check_authority_group(group)
    with mutation(store, actor, "reference.manage") as unit:
        if unit.session.scalar(select(Authority.id).where(Authority.code == code)):
            raise Conflict(f"مرجعی با کد {code} پیش‌تر ثبت شده است.", f"authority {code} exists", field="code")
        a = Authority(code=code, name=name, group=group)
        unit.session.add(a)
        unit.session.flush()
        unit.record("authority.add", "authority", a.id, {"code": code, "name": name, "group": group})
        return {"code": code, "name": name, "group": group}


def add_registry_identities(store: Store, actor: Actor, data: Any) -> int:
    """Fill the local registry service (an outside system: it has no audit rows of the store)."""
    require(actor.role, "registry.manage")
    identities = [parse_identity(item, store.today()) for item in _as_list(data)]  # all validated before any is written
    return store.registry.add(identities)
