"""``python -m cli`` runs the ``needfinder`` command."""

from cli.main import main

main(prog_name="needfinder")
