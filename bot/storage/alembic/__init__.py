"""Alembic's environment and the revisions of the schema (bot/storage/schema.py).

Run through `bot.storage.revisions`, never from an alembic.ini: the caller hands its open
connection over in `Config.attributes["connection"]`.
"""
