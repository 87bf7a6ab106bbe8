"""``python -m servicelist`` runs the command-line interface."""

from servicelist.cli import app

app()
