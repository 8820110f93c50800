"""A paper added at the branch reaches headquarters as metadata and hash only: the real `hq serve`
acknowledges the `archive.add` change (recorded, applied as nothing for now), nothing is
quarantined, and no byte of the scan travels in the push."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from desktop.models import OutboxEntry, Person
from desktop.services import archive
from desktop.services.sync import sync_now

from ..archive_files import image_bytes
from ..support.hq_server import HqServer
from .kit import all_outbox_ids, enrol_new, hq_received, join


def test_archive_add_is_acknowledged_by_hq_with_the_hash_only(tmp_path: Path, hq_server: HqServer):
    branch = join(tmp_path, hq_server, "1091")
    try:
        code = enrol_new(branch)
        with branch.store.sessions() as s:
            pid = s.scalar(select(Person.id).where(Person.national_code == code))
        scan = image_bytes("PNG", size=(1200, 1600), shade=42)
        added = archive.add_paper_result(branch.store, branch.admin, pid, "photo", "p.png", scan)
        with branch.store.sessions() as s:
            row = s.scalars(select(OutboxEntry).where(OutboxEntry.entity == "archive_item")).one()
        payload = json.loads(row.payload)
        assert payload["sha256"] == added.sha256 and payload["size"] == len(scan)
        assert len(row.payload) < 1000  # metadata, never the bytes
        report = sync_now(branch.store, None)
        assert report.quarantined == 0
        assert set(hq_received(hq_server.dsn, "1091")) == all_outbox_ids(branch.store)
    finally:
        branch.close()
