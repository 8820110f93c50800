"""`branch-desk sync interval`: the periodic sync's minutes, shown to anyone, set by the
administrator (audited, nothing for headquarters), bad values refused bilingually with nothing
written; the application's runner uses the value when its window opens."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from desktop.models import AuditEntry, OutboxEntry
from desktop.services.store import open_store
from desktop.services.sync_settings import interval_minutes

from .conftest import Cli


def counts(cli: Cli) -> tuple[int, int, str | None]:
    store = open_store(cli.db)
    try:
        with store.sessions() as s:
            audits = s.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "sync.interval")) or 0
            outbox = s.scalar(select(func.count()).select_from(OutboxEntry)) or 0
        return audits, outbox, store.settings.get("sync_interval_minutes")
    finally:
        store.close()


def test_default_is_five_minutes_and_showing_needs_no_password(cli: Cli, monkeypatch):
    monkeypatch.delenv("BRANCH_DESK_PASSWORD")
    assert cli.json("sync", "interval", "--json") == {"minutes": 5}
    text = cli("sync", "interval").stdout
    assert "هر ۵ دقیقه" in text and "every 5 minutes" in text


def test_the_administrator_sets_it_audited_and_not_sent_to_hq(cli: Cli):
    assert cli.json("sync", "interval", "--minutes", "15", "--json") == {"minutes": 15}
    assert cli.json("sync", "interval", "--minutes", "۲۰", "--json") == {"minutes": 20}  # Persian digits
    assert cli.json("sync", "interval", "--json") == {"minutes": 20}
    assert counts(cli) == (2, 0, "20")
    store = open_store(cli.db)
    try:
        assert interval_minutes(store) == 20  # what the application's runner reads
    finally:
        store.close()


def test_bad_values_are_refused_bilingually_and_write_nothing(cli: Cli):
    for bad in ("0", "1441", "2.5", "-3", "ten", "", " "):
        result = cli("sync", "interval", "--minutes", bad, "--json", check=False)
        assert result.returncode == 2, (bad, result.stderr)
        error = json.loads(result.stdout)["error"]
        assert "فاصله همگام‌سازی" in error["fa"] and "sync interval" in error["en"]
    assert counts(cli) == (0, 0, None)


def test_only_the_administrator_may_set_it(cli: Cli, tmp_path):
    from desktop.services.users import create_user, find_actor

    store = open_store(cli.db)
    try:
        create_user(store, find_actor(store, "admin"), "super1", "سرپرست", "supervisor", "password123")
    finally:
        store.close()
    (tmp_path / "super.pw").write_text("password123\n", encoding="utf-8")
    before = counts(cli)
    result = cli("sync", "interval", "--minutes", "10", "--user", "super1",
                 "--password-file", str(tmp_path / "super.pw"), check=False)
    assert result.returncode == 4 and "تنظیم فاصله همگام‌سازی" in result.stderr
    assert counts(cli) == before and before[2] is None
