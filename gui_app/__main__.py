"""``python -m gui_app``: the same entry point as the ``rangeload`` console script."""

from gui_app.cli import run_program

run_program()
