"""The frozen bundle's entry point: the same ``run_program`` as the console script."""

from gui_app.cli import run_program

run_program()
