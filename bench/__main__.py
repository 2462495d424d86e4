"""`python -m bench` runs the command line."""

from bench.cli import app

app()
