"""``python -m gui_app``: the same entry point as the ``rangeload`` console script."""

import sys

from gui_app.cli import main

sys.exit(main())
