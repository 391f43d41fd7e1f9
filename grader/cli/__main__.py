"""``python -m grader.cli``: the ``initgrade`` command."""

import sys

from grader.cli import main

sys.exit(main())
