"""`python -m bot` is the `unionbot` command."""

import sys

from .cli import main

sys.exit(main())
