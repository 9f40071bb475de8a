"""`python -m sealclient`."""

import sys

from .cli import main

sys.exit(main())
