"""`python -m bot` is the `unionbot` command."""

import sys

from bot.cli import main

sys.exit(main())
