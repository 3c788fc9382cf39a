"""``python -m geo.fetch``: the same as ``python -m geo fetch``."""

import sys

from geo.fetch.cli import main

sys.exit(main())
