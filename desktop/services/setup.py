"""First run: a new branch store with the administrator the set-up dialog names."""

from __future__ import annotations

from pathlib import Path

from desktop.domain.errors import Conflict

from .admin import branch_facts, init_store
from .store import Store


def set_up_branch(path: str | Path, branch_code: str, branch_name: str, username: str,
                  full_name: str, password: str) -> Store:
    """Validate everything first, then create the store; refuse to overwrite an existing file.

    The administrator is created under the chosen name inside the store's build, so a refusal
    or a crash leaves no store behind.
    """
    path = Path(path)
    facts = branch_facts(branch_code, branch_name, password, full_name, username)  # InvalidValue in Persian
    if path.exists():
        raise Conflict(f"در «{path}» پیش‌تر فایلی هست؛ آن را باز کنید یا جای دیگری برگزینید.",
                       f"{path} already exists", field="path")
    return init_store(path, facts.code, facts.name, admin_password=facts.admin_password,
                      admin_full_name=facts.admin_full_name, admin_username=facts.admin_username)
