"""Command-line adapter and composition root (the ``needfinder`` command)."""
