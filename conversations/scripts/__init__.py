"""The dialogue scripts shipped with Needfinder (YAML)."""
