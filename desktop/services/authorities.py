"""Outside authorities (funds, courts) that send inquiries: the administrator adds one
(reference.add_authority), corrects its name or group, and deactivates it when its agreement
ends — or reactivates it. A deactivated authority is never deleted: old inquiries and
certificates still name it, but no new inquiry or certificate can be made for it
(inquiry.find_authority refuses)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.domain.errors import InvalidValue, NotFound
from desktop.domain.text import normalise_identifier, normalise_text
from desktop.domain.vocabulary import AUTHORITY_GROUPS
from desktop.models import Authority

from .actor import Actor
from .reference import add_authority, check_authority_group, check_authority_name
from .store import Store
from .unit import mutation, reading

__all__ = ["AuthorityRow", "add_authority", "deactivate_authority", "edit_authority",
           "list_authorities", "reactivate_authority"]


@dataclass(frozen=True)
class AuthorityRow:
    code: str
    name: str
    group: str
    group_title: str
    active: bool


def _row(a: Authority) -> AuthorityRow:
    return AuthorityRow(a.code, a.name, a.group, AUTHORITY_GROUPS.get(a.group, a.group), a.active)


def list_authorities(store: Store, actor: Actor, *, group: str | None = None) -> list[AuthorityRow]:
    """Every role reads the list (letter staff choose from it); only admins change it."""
    with reading(store, actor) as s:
        query = select(Authority).order_by(Authority.group, Authority.name)
        if group:
            query = query.where(Authority.group == group)
        return [_row(a) for a in s.scalars(query)]


def _authority(session: Session, code: str) -> Authority:
    key = normalise_identifier(code or "", field="code")
    authority = session.scalar(select(Authority).where(Authority.code == key)) if key else None
    if authority is None:
        raise NotFound(f"مرجعی با کد «{key or code}» ثبت نشده است.", f"no authority {key or code!r}",
                       field="code")
    return authority


def edit_authority(store: Store, actor: Actor, code: str, *, name: str, group: str) -> list[str]:
    """Correct an authority's name or group (its code stays: letters and the headquarters know
    it by that). Returns the fields that changed; nothing changed writes nothing."""
    name = check_authority_name(normalise_text(name, field="name"))
    check_authority_group(group)
    with mutation(store, actor, "reference.manage") as unit:
        authority = _authority(unit.session, code)
        old = {"name": authority.name, "group": authority.group}
        new = {"name": name, "group": group}
        changed = [k for k in ("name", "group") if old[k] != new[k]]
        if changed:
            authority.name, authority.group = name, group
            unit.record("authority.edit", "authority", authority.id,
                        {"code": authority.code, "fields": changed,
                         "old": {k: old[k] for k in changed}, "new": {k: new[k] for k in changed}})
        return changed


def deactivate_authority(store: Store, actor: Actor, code: str) -> AuthorityRow:
    """No new inquiry or certificate for it from now on; what was answered stays as it was."""
    return _set_active(store, actor, code, active=False)


def reactivate_authority(store: Store, actor: Actor, code: str) -> AuthorityRow:
    return _set_active(store, actor, code, active=True)


def _set_active(store: Store, actor: Actor, code: str, *, active: bool) -> AuthorityRow:
    with mutation(store, actor, "reference.manage") as unit:
        authority = _authority(unit.session, code)
        if authority.active == active:
            state_fa, state_en = ("فعال", "active") if active else ("غیرفعال", "inactive")
            raise InvalidValue(f"مرجع «{authority.name}» هم‌اکنون {state_fa} است.",
                               f"authority {authority.code} is already {state_en}", field="code")
        authority.active = active
        unit.record("authority.reactivate" if active else "authority.deactivate", "authority",
                    authority.id, {"code": authority.code, "active": active})
        return _row(authority)
