"""The Telegram bot: the application, thin handlers, the service they call, and rendering
of answers, articles and digests as HTML messages."""
