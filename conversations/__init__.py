"""Dialogue engine, script model and the shipped scripts (pure: no I/O)."""
