"""Store creation: `init` validates everything, then builds the store in a temporary file beside
the target and renames it into place when complete — the branch, the first administrator, the
starter number blocks and the branch's own number ranges. A refusal or a crash leaves no file.

Only `init` creates a store, and only at a path that is new (nothing there, or an empty file) or
already a branch store of the same branch (then it is opened, which upgrades an old one).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from desktop.db.engine import make_engine, make_sessionmaker
from desktop.db.migrate import upgrade_to_head
from desktop.db.store_file import NotABranchStore, inspect_store_file
from desktop.domain import identifiers
from desktop.domain.errors import InvalidValue
from desktop.domain.number_ranges import starting_ranges
from desktop.domain.text import normalise_text, persian_digits
from desktop.models import AuditEntry, NumberBlock, NumberRange, StoreSetting, uuid7

from .audit_chain import add_audit
from .numbering import starter_blocks
from .store import Store, open_store
from .users import insert_user

DEFAULT_ADMIN = "admin"
DEFAULT_ADMIN_FULL_NAME = "مدیر سامانه"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_BRANCH_NAME = 200
MAX_FULL_NAME = 120
MAX_USERNAME = 40


@dataclass(frozen=True)
class FirstBlock:
    """A number block the new store starts with: HQ's lease (init --hq) instead of the starter."""

    kind: str
    first: int
    last: int
    lease_id: uuid.UUID


@dataclass(frozen=True)
class BranchFacts:
    """What `init` records, validated before any file is made."""

    code: str
    name: str
    admin_password: str
    admin_full_name: str
    admin_username: str = DEFAULT_ADMIN
    # init --hq: the leased first blocks, the install epoch they were leased for, HQ's address.
    first_blocks: tuple[FirstBlock, ...] = ()
    install_epoch: str = ""
    hq_settings: tuple[tuple[str, str], ...] = ()


def check_password(password: str, *, field: str = "admin_password") -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidValue(f"گذرواژه باید دست‌کم {persian_digits(MIN_PASSWORD)} و حداکثر {persian_digits(MAX_PASSWORD)} نویسه باشد.",
                           f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", field=field)
    if "\x00" in password:
        raise InvalidValue("گذرواژه نباید نویسه تهی (NUL) داشته باشد.", "password must not contain NUL",
                           field=field)
    return password


def _text(value: str, limit: int, field: str, fa_label: str) -> str:
    text = normalise_text(value, field=field)
    if len(text) > limit or "\x00" in text:
        raise InvalidValue(f"{fa_label} حداکثر {persian_digits(limit)} نویسه و بدون نویسه تهی است.",
                           f"{field} must be at most {limit} characters, without NUL", field=field)
    return text


def check_username(raw: str) -> str:
    username = normalise_text(raw, field="username").lower()
    plain = username.replace(".", "").replace("_", "")
    if not (username and len(username) <= MAX_USERNAME and plain.isascii() and plain.isalnum()):
        raise InvalidValue(f"نام کاربری باید از حروف و ارقام لاتین (حداکثر {persian_digits(MAX_USERNAME)} نویسه) باشد.",
                           f"username must be Latin letters and digits, at most {MAX_USERNAME}", field="username")
    return username


def branch_facts(branch_code: str, branch_name: str, admin_password: str, admin_full_name: str,
                 admin_username: str = DEFAULT_ADMIN) -> BranchFacts:
    code = identifiers.branch_code(branch_code)
    name = _text(branch_name, MAX_BRANCH_NAME, "branch_name", "نام شعبه") or f"شعبه {persian_digits(code)}"
    full_name = _text(admin_full_name, MAX_FULL_NAME, "admin_full_name", "نام مدیر") or DEFAULT_ADMIN_FULL_NAME
    return BranchFacts(code, name, check_password(admin_password), full_name, check_username(admin_username))


def init_store(path: str | Path, branch_code: str, branch_name: str = "", *, admin_password: str,
               admin_full_name: str = DEFAULT_ADMIN_FULL_NAME, admin_username: str = DEFAULT_ADMIN) -> Store:
    """Create a branch store, or open (and upgrade) an existing store of the same branch.

    On an existing store the administrator is left as it is: `init` is idempotent.
    """
    facts = branch_facts(branch_code, branch_name, admin_password, admin_full_name, admin_username)
    return init_store_with(path, facts)


def init_store_with(path: str | Path, facts: BranchFacts) -> Store:
    """`init_store` with facts already checked (init --hq adds its leased first blocks)."""
    found = inspect_store_file(path)
    if found.state == "branch_store":
        if found.branch_code != facts.code:
            raise InvalidValue(
                f"این پایگاه داده متعلق به شعبه {found.branch_code} است، نه {facts.code}.",
                f"this store belongs to branch {found.branch_code}, not {facts.code}",
                field="branch_code",
            )
        return open_store(found.path)
    _build_new_store(found.path, facts)
    return open_store(found.path)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def _build_new_store(path: Path, facts: BranchFacts) -> None:
    # A journal left without its database would be replayed into the new one: refuse instead.
    stray = [p for p in _sidecars(path) if p.exists()]
    if stray:
        raise NotABranchStore(
            f"کنار «{path}» فایل «{stray[0].name}» بدون پایگاه داده‌اش مانده است؛ آن را بررسی و جابه‌جا کنید.",
            f"{stray[0]} lies beside {path} without its database; move it away first",
            field="db",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(f".branch-desk-{secrets.token_hex(6)}.building")
    try:
        engine = make_engine(building)
        try:
            upgrade_to_head(engine)
            _seed_branch(engine, facts)
        finally:
            engine.dispose()  # the last connection checkpoints the WAL into the file and removes it
        _fsync(building)
        os.replace(building, path)
        _fsync(path.parent)
    finally:
        for leftover in (building, *_sidecars(building)):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _fsync(path: Path) -> None:
    # Some systems cannot open or fsync a directory; the rename is atomic all the same.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _seed_branch(engine: Engine, facts: BranchFacts) -> None:
    with make_sessionmaker(engine)() as s, s.begin():
        settings = {"branch_code": facts.code, "branch_name": facts.name,
                    "install_epoch": facts.install_epoch or secrets.token_hex(8), "store_id": str(uuid7()),
                    **dict(facts.hq_settings)}
        s.add_all(StoreSetting(key=k, value=v) for k, v in settings.items())
        for block in facts.first_blocks:
            s.add(NumberBlock(kind=block.kind, first=block.first, last=block.last, next=block.first,
                              source="hq", lease_id=block.lease_id))
        if not facts.first_blocks:
            for kind, (first, last) in starter_blocks(facts.code).items():
                s.add(NumberBlock(kind=kind, first=first, last=last, next=first, source="starter"))
        for spec in starting_ranges(facts.code):
            s.add(NumberRange(kind=spec.kind, prefix=spec.prefix, first=spec.first, last=spec.last, next=spec.first))
        admin = insert_user(s, facts.admin_username, facts.admin_full_name, "admin", facts.admin_password)
        add_audit(s, AuditEntry(user_id=admin.id, action="store.init", subject_type="store",
                         subject_id=facts.code, detail="{}"))
