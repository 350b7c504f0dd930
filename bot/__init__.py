"""unionbot: the command line and the Telegram bot over the retrieval package."""

__all__: list[str] = []
