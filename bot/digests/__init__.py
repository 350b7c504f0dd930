"""Digests of new issues: subscriptions and the transactional outbox, and the sender that
delivers each digest once."""
