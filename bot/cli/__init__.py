"""The `unionbot` command line and the console chat."""

from .commands import main

__all__ = ["main"]
