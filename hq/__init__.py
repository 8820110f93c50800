"""Headquarters: the service branches sync with (docs/sync.md), on PostgreSQL.

It keeps the central record of what branches push (persons, relationships, numbers, inquiry
records, certificates, chain heads), leases SSN and central-temporary number blocks, records
conflicts, and publishes a gap-safe change feed. It shares with the desktop only the Qt-free
core — the domain rules (`desktop.domain`), the models (`desktop.models`) and the wire types of
sync (`desktop.sync`) — never the desktop's screens, services, command line or store plumbing
(import-linter contracts in pyproject.toml).

Modules: cli (the `hq` command), db (engine, migrations), app (HTTP), auth, branches, push and
apply (the push transaction), pull and changelog (the change feed), leases, conflicts, lookups,
errors, models.
"""
