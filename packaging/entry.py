"""The frozen bundle's entry point: the same ``main`` as the console script."""

import sys

from gui_app.cli import main

sys.exit(main())
