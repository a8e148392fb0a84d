"""``python -m cli`` runs the ``provenance`` command."""

from cli.main import main

main()
