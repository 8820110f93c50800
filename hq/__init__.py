"""Headquarters (planned): the service branches sync with.

It will lease SSN and central-temporary number blocks and further permanent/branch-temporary
ranges to branches, receive their outbox batches and answer corrections. It shares with the
desktop only the Qt-free core — the domain rules (`desktop.domain`), the models both sides hold
(`desktop.models`) and the wire types of sync (`desktop.sync`) — never the desktop's screens,
services, command line or store plumbing (import-linter contracts in pyproject.toml).
"""
