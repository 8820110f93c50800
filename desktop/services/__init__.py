"""Use cases. Each owns its transaction, checks the user's role, and writes audit + outbox rows."""
