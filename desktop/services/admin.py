"""Store creation: `init` migrates to head, records the branch, the first administrator,
the starter number block (marked as such) and the branch's number ranges."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import select

from desktop.domain import identifiers
from desktop.domain.errors import InvalidValue
from desktop.domain.text import normalise_text
from desktop.models import AppUser, AuditEntry, NumberBlock, NumberRange, StoreSetting, uuid7

from .numbering import branch_temporary_prefix, starter_layout
from .store import Store, create_store_file, open_store
from .users import insert_user

DEFAULT_ADMIN = "admin"
DEFAULT_ADMIN_PASSWORD = "admin1234"  # printed by init; the set-up dialog asks for a real one


def init_store(path: str | Path, branch_code: str, branch_name: str = "", *,
               admin_password: str = DEFAULT_ADMIN_PASSWORD, admin_full_name: str = "مدیر سامانه") -> Store:
    """Create (or migrate to head) a branch store. Idempotent on an existing store of the same branch."""
    code = identifiers.branch_code(branch_code)
    engine = create_store_file(path)
    engine.dispose()
    store = open_store(path) if _has_settings(path) else None
    if store is not None:
        if store.branch_code != code:
            store.close()
            raise InvalidValue(
                f"این پایگاه داده متعلق به شعبه {store.branch_code} است، نه {code}.",
                f"this store belongs to branch {store.branch_code}, not {code}",
                field="branch_code",
            )
        return store
    _seed_branch(path, code, normalise_text(branch_name) or f"شعبه {code}", admin_password, admin_full_name)
    return open_store(path)


def _has_settings(path: str | Path) -> bool:
    from desktop.db.engine import make_engine

    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM store_setting WHERE key='branch_code'").first() is not None
    finally:
        engine.dispose()


def _seed_branch(path: str | Path, code: str, name: str, admin_password: str, admin_full_name: str) -> None:
    from desktop.db.engine import make_engine, make_sessionmaker

    engine = make_engine(path)
    try:
        with make_sessionmaker(engine)() as s, s.begin():
            settings = {"branch_code": code, "branch_name": name, "install_epoch": secrets.token_hex(8),
                        "store_id": str(uuid7())}
            s.add_all(StoreSetting(key=k, value=v) for k, v in settings.items())
            layout = starter_layout(code)
            for kind in ("ssn", "central_temporary"):
                first, last = layout[kind]
                s.add(NumberBlock(kind=kind, first=first, last=last, next=first, source="starter"))
            s.add(NumberRange(kind="permanent", prefix="00", first=layout["permanent"][0],
                              last=layout["permanent"][1], next=layout["permanent"][0] or 1))
            s.add(NumberRange(kind="branch_temporary", prefix=branch_temporary_prefix(code),
                              first=1, last=layout["branch_temporary"][1], next=1))
            if s.scalar(select(AppUser.id).where(AppUser.username == DEFAULT_ADMIN)) is None:
                admin = insert_user(s, DEFAULT_ADMIN, admin_full_name, "admin", admin_password)
                s.add(AuditEntry(user_id=admin.id, action="store.init", subject_type="store",
                                 subject_id=code, detail="{}"))
    finally:
        engine.dispose()
