"""Intake: where issues come from (paths, folders, URLs, the inbox, feeds), read with
bounded fetches, parsed and stored. `bot.intake.web` reads newspapers' web pages and feeds.

Knows nothing of Telegram.
"""
