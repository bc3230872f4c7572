"""`python -m minutebook` runs the command line."""

import sys

from minutebook.cli import main

sys.exit(main())
