"""CLI commands: export (registered on ``communique.cli.app`` when cli.py imports this module)."""

from communique.cli import app  # noqa: F401
