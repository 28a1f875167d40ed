"""``python -m needfinder.cli`` runs the ``needfinder`` command."""

from needfinder.cli.main import main

main(prog_name="needfinder")
