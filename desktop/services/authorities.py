"""Outside authorities (funds, courts) that send inquiries; adding one is reference.add_authority."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from desktop.domain.vocabulary import AUTHORITY_GROUPS
from desktop.models import Authority

from .actor import Actor
from .reference import add_authority
from .store import Store
from .unit import reading

__all__ = ["AuthorityRow", "add_authority", "list_authorities"]


@dataclass(frozen=True)
class AuthorityRow:
    code: str
    name: str
    group: str
    group_title: str
    active: bool


def list_authorities(store: Store, actor: Actor, *, group: str | None = None) -> list[AuthorityRow]:
    """Every role reads the list (letter staff choose from it); only admins add."""
    with reading(store, actor) as s:
        query = select(Authority).order_by(Authority.group, Authority.name)
        if group:
            query = query.where(Authority.group == group)
        return [AuthorityRow(a.code, a.name, a.group, AUTHORITY_GROUPS.get(a.group, a.group), a.active)
                for a in s.scalars(query)]
