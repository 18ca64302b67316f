"""``python -m communique.cli``: the command line."""

from communique.cli import main

main()
