"""Headquarters client, outbox reader and pull applier (no Qt). Arrives with the sync work."""
