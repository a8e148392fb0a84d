"""``python -m provenancekit.cli`` runs the ``provenance`` command."""

from provenancekit.cli.main import main

main()
