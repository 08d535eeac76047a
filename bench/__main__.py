"""``python -m bench``, run from the project's root: the whole benchmark (bench/README.md)."""

import sys

from .bench import main

sys.exit(main())
